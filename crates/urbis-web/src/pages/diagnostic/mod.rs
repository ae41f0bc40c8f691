//! Pages of the `diagnostic` capability: a city's diagnostic ([`city`]: radar against the cohort,
//! levels, spread, progress across waves, the way to the next level), the cohort's ([`cohort`]:
//! heat map, distributions, progress), the questionnaire shared by assessments ([`assessment`])
//! and pulse surveys ([`pulse`]), and the staff's pages around them.

pub mod assessment;
pub mod city;
pub mod cohort;
pub mod consolidate;
pub mod plan;
pub mod pulse;
pub mod questionnaire;
pub mod reopen;
pub mod validate;
pub mod waves;

use super::Ctx;
use crate::AppState;
use axum::Router;
use axum::routing::{get, post};
use std::collections::HashMap;
use urbis_domain::diagnostic::Instrument;

/// The diagnostic's pages: a city's and the cohort's, assessments and their review, the
/// improvement plan, waves, and pulse surveys.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/programmes/{slug}/diagnostic", get(cohort::cohort))
        .route("/cities/{slug}/diagnostic", get(city::city_with_notice))
        .route("/assessments/{id}/publish", post(city::publish_post))
        .route("/assessments/{id}/reopen", get(reopen::reopen).post(reopen::reopen_post))
        .route("/assessments/{id}/consolidate", get(consolidate::consolidate).post(consolidate::consolidate_post))
        .route("/assessments/{id}/validate", get(validate::validate).post(validate::validate_post))
        .route("/cities/{slug}/diagnostic/start", post(city::start_post))
        .route("/cities/{slug}/plan/new", get(plan::new_item).post(plan::new_item_post))
        .route("/plan-items/{id}/edit", get(plan::edit_item).post(plan::edit_item_post))
        .route("/programmes/{slug}/waves", get(waves::waves).post(waves::waves_post))
        .route("/programmes/{slug}/waves/{wave}/close", post(waves::close_post))
        .route("/assessments/{id}", get(assessment::assessment))
        .route("/assessments/{id}/sections/{section}", get(assessment::section).post(assessment::section_post))
        .route("/assessments/{id}/check", get(assessment::check).post(assessment::check_post))
        .merge(pulse::router())
}

/// A capability's name in the viewer's language, from the instrument's translation (English when
/// the instrument has none in that language).
fn capability_name(ctx: &Ctx, inst: &Instrument, slug: &str) -> String {
    inst.capability_title(ctx.t.code, slug)
}

fn fmt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "–".into())
}

pub struct ProgressRow {
    pub name: String,
    pub values: Vec<String>,
    pub change: String,
}

/// One wave's figures in a progress table: a value per capability, and the overall value.
pub struct WaveFigures {
    pub capabilities: HashMap<String, Option<f64>>,
    pub overall: Option<f64>,
}

/// Progress: each capability's value in every wave, then the overall value, with the change from
/// the first wave to the last.
fn progress_rows(ctx: &Ctx, inst: &Instrument, waves: &[WaveFigures]) -> Vec<ProgressRow> {
    let row = |name: String, vals: Vec<Option<f64>>| ProgressRow {
        name,
        values: vals.iter().map(|v| fmt(*v)).collect(),
        change: change(&vals),
    };
    let mut progress: Vec<ProgressRow> = inst
        .capabilities
        .iter()
        .map(|c| {
            let vals = waves.iter().map(|w| w.capabilities.get(&c.slug).copied().flatten()).collect();
            row(capability_name(ctx, inst, &c.slug), vals)
        })
        .collect();
    progress.push(row(ctx.t.get("diagnostic-overall"), waves.iter().map(|w| w.overall).collect()));
    progress
}

/// Change from the first to the last value, signed, e.g. "+12".
fn change(values: &[Option<f64>]) -> String {
    match (values.first().copied().flatten(), values.last().copied().flatten()) {
        (Some(a), Some(b)) if values.len() > 1 => format!("{:+.0}", b - a),
        _ => "–".into(),
    }
}
