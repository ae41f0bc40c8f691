//! The `convenings` capability's store: events and their agendas, registrations with a waiting
//! list, and offers of freed places (see `docs/convenings.md`).

mod events;
mod registrations;
#[cfg(test)]
mod tests;

pub use events::{Event, EventFilter, Session};
pub use registrations::{MyRegistration, Notice, Notices, Registration, no_notices};
