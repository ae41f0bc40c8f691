//! Urbis domain: the types, invariants, permission policy and pure calculations of the platform.
//!
//! This crate does no IO: no database, no network, no async runtime. CI checks that with `cargo tree`.
//! Modules follow the capabilities of DESIGN.md (`network`, and the cross-cutting `auth` policy,
//! `geo` for map projection used by `charts`).

mod choice;
pub mod convenings;
pub mod diagnostic;
pub mod error;
pub mod geo;
pub mod grants;
pub mod network;
pub mod opendata;
pub mod policy;
pub mod services;

#[cfg(test)]
mod proptests;

pub use error::{FieldError, Invalid};
