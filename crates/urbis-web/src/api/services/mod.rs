//! API handlers of the `services` capability, one module per sub-capability: services, their plan,
//! indicators and measurements, and their open-standard forms (CPSV-AP Turtle, Smart Data Models KPI).

pub mod exports;
pub mod indicators;
pub mod plan;
pub mod service;

use crate::api::Api;
use crate::error::Problem;
use urbis_app::services as ops;
use urbis_domain::policy::Action;

/// A service the caller may change (401/403 before the body is checked).
async fn writable(api: &Api, id: &str) -> Result<ops::Loaded, Problem> {
    Ok(ops::load_for(&api.state, &api.caller, id, Action::ManageService).await?)
}

/// An indicator the caller may add measurements to.
async fn writable_indicator(api: &Api, id: &str) -> Result<ops::LoadedIndicator, Problem> {
    Ok(ops::indicator_for(&api.state, &api.caller, id, Action::ManageService).await?)
}
