//! The `services` capability: the one resident-facing service each city transforms (described as
//! CPSV-AP describes a public service), its phases (GOV.UK service-standard phases with an exit
//! assessment), milestones, research log, and outcome indicators with their measurements.
//!
//! Every formula is documented with worked examples in `docs/indicators.md` and tested with the
//! vectors in `data/test-vectors/indicators.toml`, which the documentation quotes.

pub mod csv;
pub mod indicator;
pub mod service;
#[cfg(test)]
mod tests;

pub use csv::{RowError, parse_measurements_csv};
pub use indicator::{
    Breakdown, BreakdownSpec, Direction, Evaluation, Goal, IndicatorInput, MeasurementInput, Point, Quality,
    RawIndicator, Status, evaluate, expected, progress, status,
};
pub use service::{
    Channel, ExitResult, FocusArea, MilestoneInput, MilestoneState, PhaseInput, PhaseKind, RawService, ResearchInput,
    SERVICE_STANDARD, ServiceInput, format_money, language_authority_code, split_list,
};

/// Parse an ISO date (`YYYY-MM-DD`) for `field`.
pub fn parse_date(field: &str, s: &str) -> Result<chrono::NaiveDate, crate::FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(crate::FieldError::new(field, "required", "must not be empty"));
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| crate::FieldError::new(field, "invalid-date", "must be a date written as YYYY-MM-DD"))
}

/// Parse a finite decimal number for `field` (a point as decimal separator, no thousands separators).
pub fn parse_number(field: &str, s: &str) -> Result<f64, crate::FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(crate::FieldError::new(field, "required", "must not be empty"));
    }
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && !s.contains(['e', 'E', 'i', 'I', 'n', 'N']) => Ok(v),
        _ => Err(crate::FieldError::new(field, "not-a-number", "must be a number such as 12.5")),
    }
}
