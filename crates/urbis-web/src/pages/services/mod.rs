//! Pages of the `services` capability: a service's timeline (phases, milestones, research log,
//! indicators with charts and tables), the forms that build it, and the cohort's services and
//! results. Every form works without JavaScript and keeps what was typed when it is refused.
//!
//! - [`form`]: the one form page every service form is made of, and its field machinery;
//! - [`service`]: adding and changing a service (one table of its fields), a city's service link;
//! - [`timeline`]: a service's page;
//! - [`plan`]: phases with their exit assessment, milestones, the research log;
//! - [`indicators`]: indicators, measurements, CSV import, and an indicator's chart and table;
//! - [`cohort`]: the programme's services and results.

mod form;

use crate::AppState;
use axum::Router;
use axum::routing::get;

/// The services' pages: a city's service and its forms, a service's page, and the cohort's.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/services", get(cohort::cohort_services))
        .route("/programmes/{slug}/results", get(cohort::cohort_results))
        .route("/cities/{slug}/service", get(service::city_service))
        .route("/cities/{slug}/services/new", get(service::new_service).post(service::new_service_post))
        .route("/services/{id}", get(timeline::service))
        .route("/services/{id}/edit", get(service::edit_service).post(service::edit_service_post))
        .route("/services/{id}/phases/{kind}", get(plan::phase).post(plan::phase_post))
        .route("/services/{id}/milestones/new", get(plan::new_milestone).post(plan::new_milestone_post))
        .route("/milestones/{id}/edit", get(plan::edit_milestone).post(plan::edit_milestone_post))
        .route("/services/{id}/research/new", get(plan::new_research).post(plan::new_research_post))
        .route("/services/{id}/indicators/new", get(indicators::new_indicator).post(indicators::new_indicator_post))
        .route(
            "/indicators/{id}/measurements/new",
            get(indicators::new_measurement).post(indicators::new_measurement_post),
        )
        .route("/indicators/{id}/import", get(indicators::import).post(indicators::import_post))
        .route("/indicators/{id}/measurements", get(indicators::measurements))
}

pub mod cohort;
pub mod indicators;
pub mod plan;
pub mod service;
pub mod timeline;
