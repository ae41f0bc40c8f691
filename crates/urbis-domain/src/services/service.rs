//! A city's service project and its plan: phases with exit assessments, milestones, research log.

use super::parse_date;
use crate::choice::choice;
use crate::network::{optional_text, required_name, required_text};
use crate::{FieldError, Invalid};
use chrono::NaiveDate;

choice!(
    /// The five focus areas of the programme.
    FocusArea, "focus_area", "must be housing, mobility, health, education or jobs",
    { Housing => "housing", Mobility => "mobility", Health => "health", Education => "education", Jobs => "jobs" }
);

choice!(
    /// The phases of the GOV.UK service standard, in order.
    PhaseKind, "phase", "must be discovery, alpha, beta or live",
    { Discovery => "discovery", Alpha => "alpha", Beta => "beta", Live => "live" }
);

choice!(
    /// The result of a phase's exit assessment against the service standard.
    ExitResult, "exit_result", "must be pending, met or not_met",
    { Pending => "pending", Met => "met", NotMet => "not_met" }
);

choice!(
    /// Where a milestone stands.
    MilestoneState, "state", "must be planned, in_progress, done or missed",
    { Planned => "planned", InProgress => "in_progress", Done => "done", Missed => "missed" }
);

choice!(
    /// How residents reach the service (CPSV-AP channel).
    Channel, "channels", "must be among online, mobile_app, phone, email, in_person and post",
    { Online => "online", MobileApp => "mobile_app", Phone => "phone", Email => "email", InPerson => "in_person", Post => "post" }
);

/// The 14 points of the GOV.UK Service Standard that a phase's exit assessment checks; point `n`
/// is `SERVICE_STANDARD[n - 1]` (English; the interface shows `standard-<n>` in the viewer's language).
pub const SERVICE_STANDARD: [&str; 14] = [
    "Understand users and their needs",
    "Solve a whole problem for users",
    "Provide a joined up experience across all channels",
    "Make the service simple to use",
    "Make sure everyone can use the service",
    "Have a multidisciplinary team",
    "Use agile ways of working",
    "Iterate and improve frequently",
    "Create a secure service which protects users' privacy",
    "Define what success looks like and publish performance data",
    "Choose the right tools and technology",
    "Make new source code open",
    "Use and contribute to open standards, common components and patterns",
    "Operate a reliable service",
];

/// ISO 639-1 language codes that Urbis can name in CPSV-AP (EU authority table, three letters).
pub const LANGUAGES: &[(&str, &str)] = &[
    ("bg", "BUL"),
    ("cs", "CES"),
    ("da", "DAN"),
    ("de", "DEU"),
    ("el", "ELL"),
    ("en", "ENG"),
    ("es", "SPA"),
    ("et", "EST"),
    ("fi", "FIN"),
    ("fr", "FRA"),
    ("ga", "GLE"),
    ("hr", "HRV"),
    ("hu", "HUN"),
    ("is", "ISL"),
    ("it", "ITA"),
    ("lt", "LIT"),
    ("lv", "LAV"),
    ("mt", "MLT"),
    ("nl", "NLD"),
    ("pl", "POL"),
    ("pt", "POR"),
    ("ro", "RON"),
    ("ru", "RUS"),
    ("sk", "SLK"),
    ("sl", "SLV"),
    ("sv", "SWE"),
    ("uk", "UKR"),
];

/// The EU authority code (e.g. `LAV`) of an ISO 639-1 code (e.g. `lv`).
pub fn language_authority_code(code: &str) -> Option<&'static str> {
    LANGUAGES.iter().find(|(c, _)| *c == code).map(|(_, a)| *a)
}

/// Split a comma- or line-separated list into trimmed, non-empty parts.
pub fn split_list(s: &str) -> Vec<String> {
    s.split([',', '\n', ';']).map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect()
}

/// A service as typed into a form or sent in JSON: every field as text, lists already split. Its
/// serde form (an object of texts and lists of texts, by field name) lets a form go through its
/// fields by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RawService {
    pub title: String,
    pub description: String,
    pub focus_area: String,
    pub phase: String,
    pub problem: String,
    pub audience: String,
    pub team: String,
    pub channels: Vec<String>,
    pub languages: Vec<String>,
    pub output: String,
    /// The fee residents pay, as a decimal (`0`, `12.50`), or empty when not stated.
    pub cost: String,
    /// ISO 4217 currency of the cost, e.g. `EUR`.
    pub currency: String,
    /// Slugs of the diagnostic capabilities the service builds on.
    pub builds_on: Vec<String>,
}

/// A checked service description.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ServiceInput {
    pub title: String,
    pub description: String,
    pub focus_area: FocusArea,
    pub phase: PhaseKind,
    pub problem: String,
    pub audience: String,
    pub team: String,
    pub channels: Vec<Channel>,
    pub languages: Vec<String>,
    pub output: String,
    /// The cost in minor units (cents), when stated.
    pub cost_minor: Option<i64>,
    pub currency: String,
    pub builds_on: Vec<String>,
}

/// Parse a money amount with at most two decimals into minor units.
pub fn parse_money(field: &str, s: &str) -> Result<i64, FieldError> {
    let s = s.trim();
    let bad = || FieldError::new(field, "invalid-amount", "must be an amount such as 0 or 12.50");
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) || whole.len() > 12 {
        return Err(bad());
    }
    if frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) || (s.contains('.') && frac.is_empty()) {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().map_err(|_| bad())? };
    Ok(w * 100 + f)
}

/// Minor units as a decimal amount, e.g. 1250 → `12.50`.
pub fn format_money(minor: i64) -> String {
    format!("{}.{:02}", minor / 100, minor % 100)
}

impl ServiceInput {
    pub const TEXT_MAX: usize = 4000;

    pub fn parse(raw: &RawService, capabilities: &[String]) -> Result<ServiceInput, Invalid> {
        let mut e = Invalid::default();
        let title = e.take("title", required_name("title", &raw.title, 200));
        let description = e.take("description", required_text("description", &raw.description, Self::TEXT_MAX));
        let focus_area = e.take("focus_area", FocusArea::parse(&raw.focus_area));
        let phase = if raw.phase.trim().is_empty() {
            Some(PhaseKind::Discovery)
        } else {
            e.take("phase", PhaseKind::parse(&raw.phase))
        };
        let problem = e.take("problem", optional_text("problem", &raw.problem, Self::TEXT_MAX));
        let audience = e.take("audience", optional_text("audience", &raw.audience, 1000));
        let team = e.take("team", optional_text("team", &raw.team, 1000));
        let output = e.take("output", optional_text("output", &raw.output, 1000));
        let mut channels = vec![];
        for c in &raw.channels {
            if let Some(c) = e.take("channels", Channel::parse(c))
                && !channels.contains(&c)
            {
                channels.push(c);
            }
        }
        let mut languages: Vec<String> = vec![];
        for l in &raw.languages {
            let l = l.trim().to_ascii_lowercase();
            if language_authority_code(&l).is_none() {
                e.0.push(FieldError::new(
                    "languages",
                    "invalid-language",
                    "must be two-letter ISO 639-1 codes of European languages, such as lv or en",
                ));
            } else if !languages.contains(&l) {
                languages.push(l);
            }
        }
        let cost_minor = if raw.cost.trim().is_empty() { None } else { e.take("cost", parse_money("cost", &raw.cost)) };
        let currency = raw.currency.trim().to_ascii_uppercase();
        if cost_minor.is_some() && (currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_uppercase())) {
            e.0.push(FieldError::new("currency", "invalid-currency", "must be an ISO 4217 code such as EUR"));
        }
        let mut builds_on: Vec<String> = vec![];
        for b in &raw.builds_on {
            let b = b.trim();
            if !capabilities.iter().any(|c| c == b) {
                e.0.push(FieldError::new(
                    "builds_on",
                    "unknown-capability",
                    "must name capabilities of the diagnostic",
                ));
            } else if !builds_on.iter().any(|x| x == b) {
                builds_on.push(b.to_string());
            }
        }
        e.into_result()?;
        match (title, description, focus_area, phase, problem, audience, team, output) {
            (
                Some(title),
                Some(description),
                Some(focus_area),
                Some(phase),
                Some(problem),
                Some(audience),
                Some(team),
                Some(output),
            ) => Ok(ServiceInput {
                title,
                description,
                focus_area,
                phase,
                problem,
                audience,
                team,
                channels,
                languages,
                output,
                currency: if cost_minor.is_some() { currency } else { String::new() },
                cost_minor,
                builds_on,
            }),
            _ => Err(Invalid::one("title", "required", "must not be empty")),
        }
    }
}

/// A checked phase with its exit assessment.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PhaseInput {
    pub kind: PhaseKind,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: String,
    pub exit_result: ExitResult,
    pub exit_notes: String,
    /// Service-standard points (1–14) the exit assessment found met, ascending.
    pub exit_checklist: Vec<u8>,
}

impl PhaseInput {
    pub fn parse(
        kind: &str,
        starts_on: &str,
        ends_on: &str,
        goal: &str,
        exit_result: &str,
        exit_notes: &str,
        exit_checklist: &[String],
    ) -> Result<PhaseInput, Invalid> {
        let mut e = Invalid::default();
        let kind = e.take("kind", PhaseKind::parse(kind));
        let starts = e.take("starts_on", parse_date("starts_on", starts_on));
        let ends = e.take("ends_on", parse_date("ends_on", ends_on));
        if let (Some(s), Some(t)) = (starts, ends)
            && t < s
        {
            e.0.push(FieldError::new("ends_on", "before-start", "must not be before the start date"));
        }
        let goal = e.take("goal", required_text("goal", goal, 2000));
        let result = if exit_result.trim().is_empty() {
            Some(ExitResult::Pending)
        } else {
            e.take("exit_result", ExitResult::parse(exit_result))
        };
        let notes = e.take("exit_notes", optional_text("exit_notes", exit_notes, 4000));
        let mut checklist = vec![];
        for p in exit_checklist {
            match p.trim().parse::<u8>() {
                Ok(n) if (1..=14).contains(&n) => {
                    if !checklist.contains(&n) {
                        checklist.push(n)
                    }
                }
                _ => e.0.push(FieldError::new(
                    "exit_checklist",
                    "invalid-choice",
                    "must be points of the service standard, 1 to 14",
                )),
            }
        }
        checklist.sort_unstable();
        e.into_result()?;
        match (kind, starts, ends, goal, result, notes) {
            (Some(kind), Some(starts_on), Some(ends_on), Some(goal), Some(exit_result), Some(exit_notes)) => {
                Ok(PhaseInput { kind, starts_on, ends_on, goal, exit_result, exit_notes, exit_checklist: checklist })
            }
            _ => Err(Invalid::one("kind", "required", "must not be empty")),
        }
    }
}

/// A checked milestone.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MilestoneInput {
    pub title: String,
    pub due_on: NaiveDate,
    pub state: MilestoneState,
}

impl MilestoneInput {
    pub fn parse(title: &str, due_on: &str, state: &str) -> Result<MilestoneInput, Invalid> {
        let mut e = Invalid::default();
        let title = e.take("title", required_name("title", title, 300));
        let due_on = e.take("due_on", parse_date("due_on", due_on));
        let state = if state.trim().is_empty() {
            Some(MilestoneState::Planned)
        } else {
            e.take("state", MilestoneState::parse(state))
        };
        e.into_result()?;
        match (title, due_on, state) {
            (Some(title), Some(due_on), Some(state)) => Ok(MilestoneInput { title, due_on, state }),
            _ => Err(Invalid::one("title", "required", "must not be empty")),
        }
    }
}

/// A checked research-log entry: a session, what was found, and the decision it led to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ResearchInput {
    pub held_on: NaiveDate,
    pub title: String,
    pub participants: u32,
    pub findings: String,
    pub quotes: String,
    pub tags: Vec<String>,
    /// The decision the findings led to (empty while none is taken).
    pub decision: String,
}

impl ResearchInput {
    pub fn parse(
        held_on: &str,
        title: &str,
        participants: &str,
        findings: &str,
        quotes: &str,
        tags: &str,
        decision: &str,
    ) -> Result<ResearchInput, Invalid> {
        let mut e = Invalid::default();
        let held_on = e.take("held_on", parse_date("held_on", held_on));
        let title = e.take("title", required_name("title", title, 300));
        let participants = match participants.trim().parse::<u32>() {
            Ok(n) if n <= 100_000 => Some(n),
            _ => {
                e.0.push(FieldError::new("participants", "invalid-count", "must be a whole number from 0"));
                None
            }
        };
        let findings = e.take("findings", required_text("findings", findings, 4000));
        let quotes = e.take("quotes", optional_text("quotes", quotes, 4000));
        let decision = e.take("decision", optional_text("decision", decision, 2000));
        let mut tag_list: Vec<String> = vec![];
        for t in split_list(tags) {
            let t = t.to_lowercase();
            if t.chars().count() > 40 || t.chars().any(char::is_control) {
                e.0.push(FieldError::new("tags", "invalid-tag", "each tag must be at most 40 characters"));
            } else if !tag_list.contains(&t) {
                tag_list.push(t);
            }
        }
        e.into_result()?;
        match (held_on, title, participants, findings, quotes, decision) {
            (Some(held_on), Some(title), Some(participants), Some(findings), Some(quotes), Some(decision)) => {
                Ok(ResearchInput { held_on, title, participants, findings, quotes, tags: tag_list, decision })
            }
            _ => Err(Invalid::one("title", "required", "must not be empty")),
        }
    }
}
