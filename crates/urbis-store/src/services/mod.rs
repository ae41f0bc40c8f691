//! The `services` capability's repository: each city's service, its phases (with exit
//! assessments), milestones and research log, outcome indicators and their measurements.
//! Every write is one transaction, checks versions where a record is changed, and is audited.

mod indicators;
mod measurements;
mod milestones;
mod phases;
mod research;
mod service;
#[cfg(test)]
mod tests;

pub use indicators::Indicator;
pub use measurements::{ImportOutcome, Measurement};
pub use milestones::Milestone;
pub use phases::Phase;
pub use research::ResearchEntry;
pub use service::Service;
