//! Outcome indicators: definition, measurements with breakdowns and quality, and the progress,
//! expected progress and status formulas (documented in `docs/indicators.md`).

use super::{parse_date, parse_number};
use crate::choice::choice;
use crate::network::{optional_text, required_name, required_text};
use crate::{FieldError, Invalid};
use chrono::NaiveDate;
use std::collections::BTreeMap;

choice!(
    /// Which way is better.
    Direction, "direction", "must be increase or decrease",
    { Increase => "increase", Decrease => "decrease" }
);

choice!(
    /// How sure a measurement is. Estimated values are shown but never count for progress.
    Quality, "quality", "must be provisional, final or estimated",
    { Provisional => "provisional", Final => "final", Estimated => "estimated" }
);

choice!(
    /// Where an indicator stands against its target.
    Status, "status", "must be achieved, on_track, at_risk, off_track or no_data",
    { Achieved => "achieved", OnTrack => "on_track", AtRisk => "at_risk", OffTrack => "off_track", NoData => "no_data" }
);

/// Comparisons at the status thresholds allow this much floating-point error.
const EPSILON: f64 = 1e-9;

fn dimension_ok(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

fn value_ok(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= 60 && !s.chars().any(|c| c.is_control() || matches!(c, ';' | '=' | '|' | ','))
}

/// The breakdown dimensions an indicator allows, with their values, e.g.
/// `age_band=16-24|25-64|65+; district=centre|north`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BreakdownSpec(pub BTreeMap<String, Vec<String>>);

impl BreakdownSpec {
    pub fn parse(s: &str) -> Result<BreakdownSpec, FieldError> {
        let bad = || {
            FieldError::new(
                "breakdowns",
                "invalid-breakdown-spec",
                "write dimensions as name=value|value, separated by semicolons, e.g. age_band=16-24|25-64; district=north|south",
            )
        };
        let mut map = BTreeMap::new();
        for part in s.split([';', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
            let (dim, values) = part.split_once('=').ok_or_else(bad)?;
            let dim = dim.trim();
            let values: Vec<String> = values.split('|').map(|v| v.trim().to_string()).collect();
            if !dimension_ok(dim) || values.iter().any(|v| !value_ok(v)) || map.contains_key(dim) {
                return Err(bad());
            }
            let mut uniq: Vec<String> = vec![];
            for v in values {
                if !uniq.contains(&v) {
                    uniq.push(v);
                }
            }
            map.insert(dim.to_string(), uniq);
        }
        Ok(BreakdownSpec(map))
    }

    /// The spec written back in the form `parse` reads.
    pub fn to_text(&self) -> String {
        self.0.iter().map(|(d, v)| format!("{d}={}", v.join("|"))).collect::<Vec<_>>().join("; ")
    }
}

/// A measurement's breakdown: dimension → value. Empty for the total series.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Breakdown(pub BTreeMap<String, String>);

impl Breakdown {
    /// Parse `dimension=value;dimension=value` against the indicator's allowed dimensions and values.
    pub fn parse(s: &str, spec: &BreakdownSpec) -> Result<Breakdown, FieldError> {
        let mut map = BTreeMap::new();
        for part in s.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((dim, value)) = part.split_once('=') else {
                return Err(FieldError::new(
                    "breakdown",
                    "invalid-breakdown",
                    "write the breakdown as dimension=value, separated by semicolons",
                ));
            };
            let (dim, value) = (dim.trim(), value.trim());
            match spec.0.get(dim) {
                Some(values) if values.iter().any(|v| v == value) => {
                    if map.insert(dim.to_string(), value.to_string()).is_some() {
                        return Err(FieldError::new("breakdown", "invalid-breakdown", "names a dimension twice"));
                    }
                }
                _ => {
                    return Err(FieldError::new(
                        "breakdown",
                        "unknown-breakdown",
                        format!("{dim}={value} is not a breakdown this indicator declares"),
                    ));
                }
            }
        }
        Ok(Breakdown(map))
    }

    /// The canonical text (dimensions in order), `""` for the total series; the storage key.
    pub fn key(&self) -> String {
        self.0.iter().map(|(d, v)| format!("{d}={v}")).collect::<Vec<_>>().join(";")
    }

    /// Read a stored key back (no spec check: it was checked when written).
    pub fn from_key(key: &str) -> Breakdown {
        Breakdown(
            key.split(';').filter_map(|p| p.split_once('=')).map(|(d, v)| (d.to_string(), v.to_string())).collect(),
        )
    }

    pub fn is_total(&self) -> bool {
        self.0.is_empty()
    }
}

/// What an indicator aims for: from a baseline to a target, by a date, in a direction.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Goal {
    pub direction: Direction,
    pub baseline_value: f64,
    pub baseline_date: NaiveDate,
    pub target_value: f64,
    pub target_date: NaiveDate,
}

/// An indicator as typed into a form or sent in JSON, every field as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawIndicator {
    pub name: String,
    pub description: String,
    pub unit: String,
    pub direction: String,
    pub baseline_value: String,
    pub baseline_date: String,
    pub target_value: String,
    pub target_date: String,
    pub data_source: String,
    pub method: String,
    pub breakdowns: String,
}

/// A checked indicator definition.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct IndicatorInput {
    pub name: String,
    pub description: String,
    pub unit: String,
    pub goal: Goal,
    pub data_source: String,
    pub method: String,
    pub breakdowns: BreakdownSpec,
}

impl IndicatorInput {
    /// Field names follow the API (`baseline.value` …).
    pub fn parse(raw: &RawIndicator) -> Result<IndicatorInput, Invalid> {
        let mut e = Invalid::default();
        let name = e.take("name", required_name("name", &raw.name, 200));
        let description = e.take("description", optional_text("description", &raw.description, 2000));
        let unit = e.take("unit", required_text("unit", &raw.unit, 60));
        let direction = e.take("direction", Direction::parse(&raw.direction));
        let bv = e.take("baseline.value", parse_number("baseline.value", &raw.baseline_value));
        let bd = e.take("baseline.date", parse_date("baseline.date", &raw.baseline_date));
        let tv = e.take("target.value", parse_number("target.value", &raw.target_value));
        let td = e.take("target.date", parse_date("target.date", &raw.target_date));
        let data_source = e.take("data_source", optional_text("data_source", &raw.data_source, 500));
        let method = e.take("method", optional_text("method", &raw.method, 2000));
        let breakdowns = e.take("breakdowns", BreakdownSpec::parse(&raw.breakdowns));
        if let (Some(b), Some(t)) = (bd, td)
            && t <= b
        {
            e.0.push(FieldError::new("target.date", "target-before-baseline", "must be after the baseline date"));
        }
        if let (Some(d), Some(b), Some(t)) = (direction, bv, tv) {
            let wrong = match d {
                Direction::Increase => t < b,
                Direction::Decrease => t > b,
            };
            if wrong {
                e.0.push(FieldError::new(
                    "target.value",
                    "target-direction",
                    "must lie on the better side of the baseline (above it when increase is better, below it when decrease is better)",
                ));
            }
        }
        e.into_result()?;
        match (name, description, unit, direction, bv, bd, tv, td, data_source, method, breakdowns) {
            (
                Some(name),
                Some(description),
                Some(unit),
                Some(direction),
                Some(baseline_value),
                Some(baseline_date),
                Some(target_value),
                Some(target_date),
                Some(data_source),
                Some(method),
                Some(breakdowns),
            ) => Ok(IndicatorInput {
                name,
                description,
                unit,
                goal: Goal { direction, baseline_value, baseline_date, target_value, target_date },
                data_source,
                method,
                breakdowns,
            }),
            _ => Err(Invalid::one("name", "required", "must not be empty")),
        }
    }
}

/// A checked measurement.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MeasurementInput {
    pub date: NaiveDate,
    pub breakdown: Breakdown,
    pub value: f64,
    pub quality: Quality,
    pub note: String,
}

impl MeasurementInput {
    /// Check one measurement of an indicator: a date on or after the baseline date, a number, a
    /// known quality (default `final`) and a breakdown the indicator declares.
    pub fn parse(
        date: &str,
        value: &str,
        quality: &str,
        breakdown: &str,
        note: &str,
        spec: &BreakdownSpec,
        baseline_date: NaiveDate,
    ) -> Result<MeasurementInput, Invalid> {
        let mut e = Invalid::default();
        let date = e.take("date", parse_date("date", date));
        if let Some(d) = date
            && d < baseline_date
        {
            e.0.push(FieldError::new(
                "date",
                "before-baseline",
                format!("must not be before the baseline date {baseline_date}"),
            ));
        }
        let value = e.take("value", parse_number("value", value));
        let quality =
            if quality.trim().is_empty() { Some(Quality::Final) } else { e.take("quality", Quality::parse(quality)) };
        let breakdown = e.take("breakdown", Breakdown::parse(breakdown, spec));
        let note = e.take("note", optional_text("note", note, 1000));
        e.into_result()?;
        match (date, value, quality, breakdown, note) {
            (Some(date), Some(value), Some(quality), Some(breakdown), Some(note)) => {
                Ok(MeasurementInput { date, breakdown, value, quality, note })
            }
            _ => Err(Invalid::one("date", "required", "must not be empty")),
        }
    }
}

/// One point of the total series.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Point {
    pub date: NaiveDate,
    pub value: f64,
    pub quality: Quality,
}

/// Progress towards the target in percent: (latest − baseline) / (target − baseline) × 100, not
/// clipped (below 0 is a move away from the target, above 100 beyond it). When the target equals the
/// baseline (hold the level), progress is 100 while the value is at or on the better side of it and
/// 0 otherwise.
pub fn progress(goal: &Goal, latest: f64) -> f64 {
    let span = goal.target_value - goal.baseline_value;
    if span == 0.0 {
        let held = match goal.direction {
            Direction::Increase => latest >= goal.target_value,
            Direction::Decrease => latest <= goal.target_value,
        };
        return if held { 100.0 } else { 0.0 };
    }
    (latest - goal.baseline_value) / span * 100.0
}

/// Expected progress at `date` in percent: the share of the baseline-to-target time that has
/// elapsed, in days, × 100; 0 up to the baseline date and 100 from the target date on.
pub fn expected(goal: &Goal, date: NaiveDate) -> f64 {
    let total = (goal.target_date - goal.baseline_date).num_days();
    if total <= 0 {
        return 100.0;
    }
    let elapsed = (date - goal.baseline_date).num_days().clamp(0, total);
    elapsed as f64 / total as f64 * 100.0
}

/// The status from progress and expected progress: `achieved` at 100 or more; `on_track` at 90 % of
/// the expected progress or more; `at_risk` at 50 % or more; else `off_track`.
pub fn status(progress: f64, expected: f64) -> Status {
    if progress + EPSILON >= 100.0 {
        Status::Achieved
    } else if progress + EPSILON >= 0.9 * expected {
        Status::OnTrack
    } else if progress + EPSILON >= 0.5 * expected {
        Status::AtRisk
    } else {
        Status::OffTrack
    }
}

/// Where an indicator stands.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Evaluation {
    /// The measurement progress is computed on: the latest final or provisional one of the total series.
    pub latest: Option<Point>,
    pub progress: Option<f64>,
    pub expected: Option<f64>,
    pub status: Status,
}

/// Evaluate an indicator on its total series (measurements without a breakdown). Estimated
/// measurements are ignored; without a final or provisional measurement the status is `no_data`.
pub fn evaluate(goal: &Goal, total_series: &[Point]) -> Evaluation {
    let latest = total_series.iter().filter(|p| p.quality != Quality::Estimated).max_by_key(|p| p.date).copied();
    match latest {
        None => Evaluation { latest: None, progress: None, expected: None, status: Status::NoData },
        Some(p) => {
            let pr = progress(goal, p.value);
            let ex = expected(goal, p.date);
            Evaluation { latest: Some(p), progress: Some(pr), expected: Some(ex), status: status(pr, ex) }
        }
    }
}
