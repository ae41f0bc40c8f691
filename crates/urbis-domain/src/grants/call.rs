//! A call for applications: what it funds, who may apply, when, with how much money, the
//! application form (sections), the budget template (cost categories) and the review rubric.

use super::money::{Currency, Money};
use super::review::{Criterion, Half, Rubric};
use crate::choice::choice;
use crate::error::{FieldError, Invalid};
use crate::network::{TimeZone, optional_text, required_name, required_text};
use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde::{Deserialize, Serialize};

choice!(
    /// Where a call is in its life: draft (staff only), open (public; applications accepted until
    /// the closing time), closed (no more submissions; review), decided (awards made).
    CallState in "kebab-case", "state", "invalid-call-state", "must be one of draft, open, closed, decided",
    { Draft => "draft", Open => "open", Closed => "closed", Decided => "decided" }
);

impl CallState {
    /// The next state: draft → open → closed → decided.
    pub fn next(self) -> Option<CallState> {
        match self {
            CallState::Draft => Some(CallState::Open),
            CallState::Open => Some(CallState::Closed),
            CallState::Closed => Some(CallState::Decided),
            CallState::Decided => None,
        }
    }
    /// Published calls (all but drafts) are public.
    pub fn is_published(self) -> bool {
        self != CallState::Draft
    }
}

choice!(
    /// Who may apply: the programme's participating cities, any organisation of the programme, or
    /// anyone with an account (applying for an organisation they belong to).
    Eligibility in "kebab-case", "eligibility", "invalid-eligibility",
    "must be one of participating-cities, programme-organisations, anyone",
    { ParticipatingCities => "participating-cities", ProgrammeOrganisations => "programme-organisations", Anyone => "anyone" }
);

/// A section of the application form: one answer, required or not, with a word limit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    pub key: String,
    pub title: String,
    pub required: bool,
    pub word_limit: u32,
}

/// A call as typed (forms and API), before it is checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawCall {
    pub title: String,
    pub description: String,
    pub eligibility: String,
    /// Local time in `timezone`, `YYYY-MM-DDTHH:MM`.
    pub opens_at: String,
    pub closes_at: String,
    pub timezone: String,
    /// `12,500.50 EUR`-style text (forms) or the API's money, written as such text.
    pub total_budget: String,
    pub max_award: String,
    pub cost_categories: Vec<String>,
    /// `key|title|required|word_limit` per section (forms: one per line).
    pub sections: Vec<Section>,
    pub criteria: Vec<RawCriterion>,
    /// On the 0–5 scale per criterion summed, e.g. `10` (of 15).
    pub overall_threshold: String,
    pub stages: u8,
}

/// A criterion as typed: weight like `1.5`, threshold like `3` or `2.5`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawCriterion {
    pub key: String,
    pub title: String,
    pub description: String,
    pub weight: String,
    pub threshold: String,
}

/// A checked call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallInput {
    pub title: String,
    pub description: String,
    pub eligibility: Eligibility,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub timezone: TimeZone,
    pub total_budget: Money,
    pub max_award: Money,
    pub cost_categories: Vec<String>,
    pub sections: Vec<Section>,
    pub rubric: Rubric,
    pub stages: u8,
}

/// A local time in `tz` (`YYYY-MM-DDTHH:MM`, seconds optional) as UTC; a time skipped by a
/// daylight-saving change is refused, an ambiguous one is read as the earlier.
pub fn parse_local(field: &str, s: &str, tz: &TimeZone) -> Result<DateTime<Utc>, FieldError> {
    let s = s.trim();
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S"))
        .map_err(|_| {
            FieldError::new(field, "invalid-datetime", "must be a local date and time such as 2026-03-31T17:00")
        })?;
    tz.tz()
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| FieldError::new(field, "nonexistent-time", "this local time does not exist (clock change)"))
}

/// A UTC time as local time in `tz`, `YYYY-MM-DDTHH:MM` (what [`parse_local`] reads).
pub fn local_text(t: DateTime<Utc>, tz: &TimeZone) -> String {
    t.with_timezone(&tz.tz()).format("%Y-%m-%dT%H:%M").to_string()
}

/// A UTC time in `tz` for people: `2026-03-31 17:00 (Europe/Riga)`.
pub fn local_display(t: DateTime<Utc>, tz: &TimeZone) -> String {
    format!("{} ({})", t.with_timezone(&tz.tz()).format("%Y-%m-%d %H:%M"), tz)
}

fn key_ok(k: &str) -> bool {
    !k.is_empty() && k.len() <= 40 && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

impl CallInput {
    pub const TEXT_MAX: usize = 8000;

    pub fn parse(raw: &RawCall) -> Result<CallInput, Invalid> {
        let mut e = Invalid::default();
        let title = e.take("title", required_name("title", &raw.title, 200));
        let description = e.take("description", required_text("description", &raw.description, Self::TEXT_MAX));
        let eligibility = e.take("eligibility", Eligibility::parse(&raw.eligibility));
        let timezone = e.take("timezone", TimeZone::parse(&raw.timezone));
        let (opens_at, closes_at) = match &timezone {
            Some(tz) => (
                e.take("opens_at", parse_local("opens_at", &raw.opens_at, tz)),
                e.take("closes_at", parse_local("closes_at", &raw.closes_at, tz)),
            ),
            None => (None, None),
        };
        if let (Some(o), Some(c)) = (opens_at, closes_at)
            && c <= o
        {
            e.0.push(FieldError::new("closes_at", "closes-before-opening", "must be after the opening time"));
        }
        let total_budget = e.take("total_budget", Money::parse("total_budget", &raw.total_budget, false));
        let max_award = e.take("max_award", Money::parse("max_award", &raw.max_award, false));
        if let (Some(t), Some(m)) = (total_budget, max_award) {
            match m.cmp_same(t) {
                None => e.0.push(FieldError::new(
                    "max_award",
                    "currency-mismatch",
                    "must be in the currency of the total budget",
                )),
                Some(std::cmp::Ordering::Greater) => {
                    e.0.push(FieldError::new("max_award", "above-total-budget", "must not exceed the total budget"))
                }
                _ if m.minor == 0 => e.0.push(FieldError::new("max_award", "zero-amount", "must be more than zero")),
                _ => {}
            }
        }
        let mut cost_categories = vec![];
        for c in &raw.cost_categories {
            let c = c.trim();
            if c.is_empty() {
                continue;
            }
            if c.chars().count() > 100 || c.contains(['\n', '\r']) {
                e.0.push(FieldError::new(
                    "cost_categories",
                    "invalid-category",
                    "each category is one line of at most 100 characters",
                ));
            } else if cost_categories.iter().any(|x: &String| x.eq_ignore_ascii_case(c)) {
                e.0.push(FieldError::new("cost_categories", "duplicate-category", format!("{c} is listed twice")));
            } else {
                cost_categories.push(c.to_string());
            }
        }
        if cost_categories.is_empty() {
            e.0.push(FieldError::new("cost_categories", "required", "name at least one cost category"));
        }
        let mut sections: Vec<Section> = vec![];
        for s in &raw.sections {
            if !key_ok(&s.key) || s.title.trim().is_empty() || s.word_limit == 0 || s.word_limit > 5000 {
                e.0.push(FieldError::new(
                    "sections",
                    "invalid-section",
                    "each section needs a key (a-z, 0-9, -), a title and a word limit of 1–5000",
                ));
            } else if sections.iter().any(|x| x.key == s.key) {
                e.0.push(FieldError::new(
                    "sections",
                    "duplicate-section",
                    format!("section {} is listed twice", s.key),
                ));
            } else {
                sections.push(Section { title: s.title.trim().into(), ..s.clone() });
            }
        }
        if sections.is_empty() {
            e.0.push(FieldError::new("sections", "required", "define at least one section"));
        }
        let rubric = match Rubric::parse(&raw.criteria, &raw.overall_threshold) {
            Ok(r) => Some(r),
            Err(i) => {
                e.0.extend(i.0);
                None
            }
        };
        let stages = if raw.stages == 0 { 1 } else { raw.stages };
        if stages > 2 {
            e.0.push(FieldError::new("stages", "invalid-stages", "must be 1 or 2"));
        }
        e.into_result()?;
        Ok(CallInput {
            title: title.unwrap(),
            description: description.unwrap(),
            eligibility: eligibility.unwrap(),
            opens_at: opens_at.unwrap(),
            closes_at: closes_at.unwrap(),
            timezone: timezone.unwrap(),
            total_budget: total_budget.unwrap(),
            max_award: max_award.unwrap(),
            cost_categories,
            sections,
            rubric: rubric.unwrap(),
            stages,
        })
    }

    pub fn currency(&self) -> Currency {
        self.total_budget.currency
    }
}

impl Rubric {
    /// Criteria as typed and the overall threshold.
    pub fn parse(raw: &[RawCriterion], overall: &str) -> Result<Rubric, Invalid> {
        let mut e = Invalid::default();
        let mut criteria: Vec<Criterion> = vec![];
        for (i, c) in raw.iter().enumerate() {
            let f = |name: &str| format!("criteria[{i}].{name}");
            let key = c.key.trim();
            if !key_ok(key) {
                e.0.push(FieldError::new(f("key"), "invalid-key", "must be 1–40 characters a-z, 0-9 and -"));
            } else if criteria.iter().any(|x| x.key == key) {
                e.0.push(FieldError::new(f("key"), "duplicate-criterion", format!("criterion {key} is listed twice")));
            }
            let title = e.take(&f("title"), required_name("title", &c.title, 200));
            let description = e.take(&f("description"), optional_text("description", &c.description, 2000));
            let weight = e.take(&f("weight"), parse_weight(&c.weight));
            let threshold = e.take(&f("threshold"), Half::parse("threshold", &c.threshold));
            if let (Some(title), Some(description), Some(weight_hundredths), Some(threshold)) =
                (title, description, weight, threshold)
            {
                criteria.push(Criterion { key: key.into(), title, description, weight_hundredths, threshold });
            }
        }
        if raw.is_empty() {
            e.0.push(FieldError::new("criteria", "required", "define at least one criterion"));
        }
        if raw.len() > 12 {
            e.0.push(FieldError::new("criteria", "too-many-criteria", "at most 12 criteria"));
        }
        let max = 10 * criteria.len().max(1) as u32;
        let overall_threshold =
            e.take("overall_threshold", super::review::parse_halves("overall_threshold", overall, max));
        e.into_result()?;
        Ok(Rubric { criteria, overall_threshold_halves: overall_threshold.unwrap_or(0) })
    }
}

/// A weight such as `1`, `1.5` or `0.25`, in hundredths (from 0.01 to 10).
pub fn parse_weight(s: &str) -> Result<u32, FieldError> {
    let s = s.trim();
    let bad = || {
        FieldError::new(
            "weight",
            "invalid-weight",
            "must be a number from 0.01 to 10 with at most two decimals, such as 1.5",
        )
    };
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    if w.is_empty()
        || w.len() > 2
        || f.len() > 2
        || !w.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit())
        || (s.contains('.') && f.is_empty())
    {
        return Err(bad());
    }
    let v = w.parse::<u32>().map_err(|_| bad())? * 100
        + if f.is_empty() { 0 } else { format!("{f:0<2}").parse::<u32>().map_err(|_| bad())? };
    if v == 0 || v > 1000 { Err(bad()) } else { Ok(v) }
}

/// A weight in hundredths as text: 150 → `1.5`.
pub fn weight_text(h: u32) -> String {
    let s = format!("{}.{:02}", h / 100, h % 100);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
