//! An outcome indicator as a Smart Data Models `KeyPerformanceIndicator` entity, key-values form
//! (`dataModel.KeyPerformanceIndicator`, schema 0.2.1).

use crate::services::indicator::{Evaluation, Goal, Status};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

/// The calculation period of a KPI: from the baseline date to the latest counted measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// The key-values entity. Field names are the data model's.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyPerformanceIndicator {
    pub id: String,
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub category: Vec<&'static str>,
    pub organization: String,
    pub product: String,
    pub business_target: String,
    pub calculation_method: &'static str,
    pub calculation_formula: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kpi_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_standing: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calculation_period: Option<Period>,
    pub date_created: String,
    pub date_modified: String,
    pub data_provider: &'static str,
    pub source: String,
}

/// What the entity is built from.
#[derive(Debug, Clone)]
pub struct IndicatorFacts<'a> {
    pub id: uuid::Uuid,
    pub name: &'a str,
    pub description: &'a str,
    pub unit: &'a str,
    pub goal: &'a Goal,
    pub evaluation: &'a Evaluation,
    /// The city that runs the service, and the service.
    pub organization: &'a str,
    pub service: &'a str,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Where the indicator is published (its API URL).
    pub source: &'a str,
}

/// The standing the data model names for a status; none without data.
pub fn standing(status: Status) -> Option<&'static str> {
    match status {
        Status::Achieved => Some("veryGood"),
        Status::OnTrack => Some("good"),
        Status::AtRisk => Some("fair"),
        Status::OffTrack => Some("bad"),
        Status::NoData => None,
    }
}

fn number(v: f64) -> String {
    if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }
}

/// Build the entity. `kpiValue` is the progress towards the target in percent.
pub fn key_values(f: &IndicatorFacts) -> KeyPerformanceIndicator {
    let g = f.goal;
    KeyPerformanceIndicator {
        id: format!("urn:ngsi-ld:KeyPerformanceIndicator:{}", f.id),
        kind: "KeyPerformanceIndicator",
        name: f.name.to_string(),
        description: f.description.to_string(),
        category: vec!["quantitative", "lagging"],
        organization: f.organization.to_string(),
        product: f.service.to_string(),
        business_target: format!(
            "{} from {} {unit} on {} to {} {unit} by {} ({} is better)",
            f.name,
            number(g.baseline_value),
            g.baseline_date,
            number(g.target_value),
            g.target_date,
            g.direction.as_str(),
            unit = f.unit
        ),
        calculation_method: "manual",
        calculation_formula: "(latest - baseline) / (target - baseline) * 100, on the latest final or provisional measurement",
        kpi_value: f.evaluation.progress.map(|p| (p * 100.0).round() / 100.0),
        current_standing: standing(f.evaluation.status),
        calculation_period: f.evaluation.latest.map(|p| Period { from: g.baseline_date, to: p.date }),
        date_created: f.created_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        date_modified: f.updated_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        data_provider: "Urbis",
        source: f.source.to_string(),
    }
}
