//! Improvement plans and waves: the checked inputs a city or programme staff give.

use crate::choice::choice;
use crate::error::{FieldError, Invalid};
use crate::network::{Slug, check_programme_dates, optional_text, required_name};
use chrono::NaiveDate;
use serde::Serialize;

choice!(
    /// Where a plan item stands.
    PlanStatus in "kebab-case", "status", "invalid-plan-status", "must be one of planned, in-progress, done, dropped",
    { Planned => "planned", InProgress => "in-progress", Done => "done", Dropped => "dropped" }
);

choice!(
    /// How sure an expert is of a validated capability score.
    Confidence in "kebab-case", "confidence", "invalid-choice", "must be high, medium or low",
    { High => "high", Medium => "medium", Low => "low" }
);

/// A checked improvement-plan item: what the city will do on one capability, who owns it, by when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanItemInput {
    pub capability: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub status: PlanStatus,
}

/// Parse an optional ISO date (`YYYY-MM-DD`); empty means none.
pub fn optional_date(field: &str, s: &str) -> Result<Option<NaiveDate>, FieldError> {
    let t = s.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map(Some)
        .map_err(|_| FieldError::new(field, "invalid-date", "must be a date in the form 2026-03-31"))
}

impl PlanItemInput {
    pub const TITLE_MAX: usize = 200;
    pub const TEXT_MAX: usize = 4000;

    /// `capabilities` are the slugs of the instrument the plan follows.
    pub fn parse(
        capabilities: &[&str],
        capability: &str,
        title: &str,
        description: &str,
        owner: &str,
        due_on: &str,
        status: &str,
    ) -> Result<PlanItemInput, Invalid> {
        let mut errors = Invalid::default();
        let capability = if capabilities.contains(&capability.trim()) {
            Some(capability.trim().to_string())
        } else {
            errors.0.push(FieldError::new(
                "capability",
                "unknown-capability",
                "must be one of the instrument's capabilities",
            ));
            None
        };
        let title = errors.take("title", required_name("title", title, Self::TITLE_MAX));
        let description = errors.take("description", optional_text("description", description, Self::TEXT_MAX));
        let owner = errors.take("owner", required_name("owner", owner, Self::TITLE_MAX));
        let due_on = errors.take("due_on", optional_date("due_on", due_on));
        let status = errors.take("status", PlanStatus::parse(status));
        errors.into_result()?;
        match (capability, title, description, owner, due_on, status) {
            (Some(capability), Some(title), Some(description), Some(owner), Some(due_on), Some(status)) => {
                Ok(PlanItemInput { capability, title, description, owner, due_on, status })
            }
            _ => Err(Invalid::one("title", "required", "must not be empty")),
        }
    }
}

/// A checked new wave of a programme's diagnostic.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveInput {
    pub slug: Slug,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

impl WaveInput {
    pub fn parse(slug: &str, name: &str, opens_on: &str, closes_on: &str) -> Result<WaveInput, Invalid> {
        let mut errors = Invalid::default();
        let slug = errors.take("slug", Slug::parse(slug));
        let name = errors.take("name", required_name("name", name, 200));
        let required_date = |field: &str, s: &str| match optional_date(field, s) {
            Ok(Some(d)) => Ok(d),
            Ok(None) => Err(FieldError::new(field, "required", "must not be empty")),
            Err(e) => Err(e),
        };
        let opens_on = errors.take("opens_on", required_date("opens_on", opens_on));
        let closes_on = errors.take("closes_on", required_date("closes_on", closes_on));
        if let (Some(o), Some(c)) = (opens_on, closes_on) {
            errors.take("closes_on", check_programme_dates(o, c));
        }
        errors.into_result()?;
        match (slug, name, opens_on, closes_on) {
            (Some(slug), Some(name), Some(opens_on), Some(closes_on)) => {
                Ok(WaveInput { slug, name, opens_on, closes_on })
            }
            _ => Err(Invalid::one("slug", "required", "must not be empty")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: [&str; 2] = ["governance", "digital-vision"];

    #[test]
    fn plan_items_are_checked_field_by_field() {
        let ok =
            PlanItemInput::parse(&CAPS, "governance", " Set up a board ", "", "CDO", "2027-03-31", "planned").unwrap();
        assert_eq!(ok.title, "Set up a board");
        assert_eq!(ok.due_on, NaiveDate::from_ymd_opt(2027, 3, 31));
        let bad = PlanItemInput::parse(&CAPS, "magic", "", "", "", "31/03/2027", "someday").unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["capability", "title", "owner", "due_on", "status"]);
        assert_eq!(PlanItemInput::parse(&CAPS, "governance", "t", "", "o", "", "done").unwrap().due_on, None);
    }

    #[test]
    fn waves_need_ordered_dates() {
        let w = WaveInput::parse("t2", "Second follow-up", "2024-01-01", "2024-06-30").unwrap();
        assert_eq!(w.slug.as_str(), "t2");
        let e = WaveInput::parse("T 2", "", "2024-07-01", "2024-06-30").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["slug", "name", "closes_on"]);
        assert_eq!(WaveInput::parse("t2", "x", "", "2024-06-30").unwrap_err().0[0].field, "opens_on");
    }
}

#[cfg(test)]
mod confidence_tests {
    use super::Confidence;

    #[test]
    fn confidences_round_trip_and_refuse_others() {
        for &c in Confidence::ALL {
            assert_eq!(Confidence::parse(c.as_str()).unwrap(), c);
            assert_eq!(c.to_string(), c.as_str());
        }
        assert_eq!(Confidence::parse(" low ").unwrap(), Confidence::Low);
        let e = Confidence::parse("certain").unwrap_err();
        assert_eq!((e.field.as_str(), e.code), ("confidence", "invalid-choice"));
    }
}
