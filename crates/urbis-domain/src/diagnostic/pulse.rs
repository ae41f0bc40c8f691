//! Pulse surveys: a survey instrument sent to many organisations and their respondents by
//! invitation link. This module holds the rules that need no IO: the campaign's states, the
//! campaign's own fields, response rates and the per-question summaries of the report.
//! See "Pulse surveys" in `docs/diagnostic.md`; the formulas are tested against
//! `data/test-vectors/pulse.toml`, which the documentation quotes.

use super::benchmark::Distribution;
use super::instrument::{ContextKind, Instrument, QuestionKind};
use super::scoring::{Answer, Choice};
use crate::choice::choice;
use crate::error::{FieldError, Invalid};
use crate::network::required_name;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;

/// Below this many matching responses the report shows counts only (no distributions, figures
/// or free text), so that no organisation's answers can be singled out.
pub const MIN_REPORT_RESPONSES: usize = 5;

/// Why a report's figures are withheld. Only `TooFewResponses` applies to programme staff (who
/// may read every response anyway); the others guard readers of the aggregate only (the teams of
/// the organisations surveyed) against *differencing*: two reports whose responses differ by a
/// few would, subtracted, describe those few. See "Who sees which figures" in
/// `docs/diagnostic.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Withheld {
    /// Fewer than `MIN_REPORT_RESPONSES` responses match.
    TooFewResponses,
    /// The campaign is still open: the report before and after one more response would give that
    /// response away.
    CampaignOpen,
    /// The report is filtered, and some region has some but fewer than `MIN_REPORT_RESPONSES`
    /// responses: the whole survey's report minus the other regions' would describe them.
    SmallRegion,
}

impl Withheld {
    pub fn as_str(self) -> &'static str {
        match self {
            Withheld::TooFewResponses => "too-few-responses",
            Withheld::CampaignOpen => "campaign-open",
            Withheld::SmallRegion => "small-region",
        }
    }

    /// Are the figures of a report over `n` responses withheld from a reader, and why?
    /// `regions`: when the report is filtered by region, how many of the campaign's submitted
    /// responses each region has (empty when unfiltered). `aggregate_only`: the reader may not
    /// read the responses themselves.
    pub fn of(status: CampaignStatus, n: usize, regions: &[usize], aggregate_only: bool) -> Option<Withheld> {
        if n < MIN_REPORT_RESPONSES {
            Some(Withheld::TooFewResponses)
        } else if aggregate_only && status != CampaignStatus::Closed {
            Some(Withheld::CampaignOpen)
        } else if aggregate_only && regions.iter().any(|r| (1..MIN_REPORT_RESPONSES).contains(r)) {
            Some(Withheld::SmallRegion)
        } else {
            None
        }
    }
}

/// A second reminder to the same respondent is not queued within this many hours of the first.
pub const REMINDER_INTERVAL_HOURS: i64 = 24;

choice!(
    /// Draft (being prepared; no links sent) → open (links sent, answers accepted) → closed (no more
    /// answers). There is no way back.
    CampaignStatus in "kebab-case", "status", "invalid-choice", "must be draft, open or closed",
    { Draft => "draft", Open => "open", Closed => "closed" }
);

impl CampaignStatus {
    /// May a campaign in this state move to `next`? Only forward, one step at a time.
    pub fn check_transition(self, next: CampaignStatus) -> Result<(), FieldError> {
        match (self, next) {
            (CampaignStatus::Draft, CampaignStatus::Open) | (CampaignStatus::Open, CampaignStatus::Closed) => Ok(()),
            _ => Err(FieldError::new(
                "status",
                "invalid-transition",
                format!("a {} campaign cannot become {}", self.as_str(), next.as_str()),
            )),
        }
    }
}

/// A campaign's own fields, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignFields {
    pub title: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
}

/// Check a new campaign's title and dates (as typed: `YYYY-MM-DD`). Every problem is reported.
pub fn check_campaign(title: &str, opens_on: &str, closes_on: &str) -> Result<CampaignFields, Invalid> {
    let mut e = Invalid::default();
    let title = e.take("title", required_name("title", title, 200));
    let date = |field: &str, s: &str| {
        NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| FieldError::new(field, "invalid-date", "enter a date as YYYY-MM-DD, for example 2026-03-01"))
    };
    let opens = e.take("opens_on", date("opens_on", opens_on));
    let closes = e.take("closes_on", date("closes_on", closes_on));
    if let (Some(o), Some(c)) = (opens, closes)
        && c < o
    {
        e.0.push(FieldError::new("closes_on", "before-start", "must not be before the opening date"));
    }
    e.into_result()?;
    match (title, opens, closes) {
        (Some(title), Some(opens_on), Some(closes_on)) => Ok(CampaignFields { title, opens_on, closes_on }),
        _ => Err(Invalid::one("title", "required", "must not be empty")),
    }
}

/// One group's response rate: `responded` of `invited`, and their share in per cent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Rate {
    pub invited: usize,
    pub responded: usize,
    /// 100 × responded / invited; `None` when nobody was invited.
    pub percent: Option<f64>,
}

impl Rate {
    pub fn of(responded: usize, invited: usize) -> Rate {
        Rate { invited, responded, percent: (invited > 0).then(|| 100.0 * responded as f64 / invited as f64) }
    }
}

/// What the response rates are computed from: one line per respondent.
#[derive(Debug, Clone, PartialEq)]
pub struct RespondentFact<'a> {
    pub organisation: &'a str,
    pub country: &'a str,
    pub region: &'a str,
    pub submitted: bool,
}

/// The response rates of a campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseRates {
    /// Respondents who submitted, of all respondents invited.
    pub respondents: Rate,
    /// Organisations with at least one submitted response, of all organisations with a respondent.
    pub organisations: Rate,
    /// Organisation rates by country code, in code order.
    pub by_country: Vec<(String, Rate)>,
    /// Organisation rates by region slug, in slug order.
    pub by_region: Vec<(String, Rate)>,
}

/// Response rates from the respondents' facts. An organisation counts as responding when any of
/// its respondents submitted; countries and regions count organisations.
pub fn response_rates(facts: &[RespondentFact]) -> ResponseRates {
    use std::collections::BTreeMap;
    // organisation → (country, region, any submitted)
    let mut orgs: BTreeMap<&str, (&str, &str, bool)> = BTreeMap::new();
    for f in facts {
        let e = orgs.entry(f.organisation).or_insert((f.country, f.region, false));
        e.2 |= f.submitted;
    }
    let group = |key: &dyn Fn(&(&str, &str, bool)) -> String| {
        let mut m: BTreeMap<String, (usize, usize)> = BTreeMap::new();
        for o in orgs.values() {
            let e = m.entry(key(o)).or_default();
            e.0 += usize::from(o.2);
            e.1 += 1;
        }
        m.into_iter().map(|(k, (r, i))| (k, Rate::of(r, i))).collect()
    };
    ResponseRates {
        respondents: Rate::of(facts.iter().filter(|f| f.submitted).count(), facts.len()),
        organisations: Rate::of(orgs.values().filter(|o| o.2).count(), orgs.len()),
        by_country: group(&|o| o.0.to_string()),
        by_region: group(&|o| o.1.to_string()),
    }
}

/// Mean of a non-empty list.
fn mean(values: &[f64]) -> Option<f64> {
    (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
}

/// n, minimum, quartiles, median, mean and maximum of a number question's answers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct NumberSummary {
    pub distribution: Distribution,
    pub mean: f64,
}

impl NumberSummary {
    pub fn of(values: &[f64]) -> Option<NumberSummary> {
        Some(NumberSummary { distribution: Distribution::of(values)?, mean: mean(values)? })
    }
}

/// How one question was answered across the matching responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Summary {
    /// Level, choice and checklist questions: how many responses chose each option (for a
    /// checklist, how many ticked each item; the counts may add up to more than `answered`).
    Counts { options: Vec<(String, usize)> },
    /// Number questions.
    Number { summary: Option<NumberSummary> },
    /// Text questions: the answers, in the order given (empty answers left out).
    Text { answers: Vec<String> },
}

/// One question of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionSummary {
    pub question_id: String,
    /// The capability of a scored question; `None` for context questions.
    pub capability: Option<String>,
    /// Responses that answered the question (other than "not applicable").
    pub answered: usize,
    /// Responses that chose "not applicable".
    pub not_applicable: usize,
    pub summary: Summary,
}

/// The option keys of a scored question, in the order the questionnaire shows them.
pub fn option_keys(q: &super::instrument::Question) -> Vec<String> {
    match q.kind {
        QuestionKind::Level => (1..=5).map(|l| l.to_string()).collect(),
        QuestionKind::Choice => ["yes", "partial", "no"].iter().map(|s| s.to_string()).collect(),
        QuestionKind::Checklist => q.items.iter().map(|i| i.id.clone()).collect(),
    }
}

fn choice_key(c: Choice) -> &'static str {
    match c {
        Choice::Yes => "yes",
        Choice::Partial => "partial",
        Choice::No => "no",
    }
}

/// Summarise every question of `inst` over the responses (question id → answer).
pub fn summarise(inst: &Instrument, responses: &[&HashMap<String, Answer>]) -> Vec<QuestionSummary> {
    fn answers_to<'a>(responses: &'a [&HashMap<String, Answer>], id: &'a str) -> impl Iterator<Item = &'a Answer> {
        responses.iter().filter_map(move |r| r.get(id))
    }
    let not_applicable = |id: &str| answers_to(responses, id).filter(|a| matches!(a, Answer::NotApplicable)).count();
    let mut out = Vec::with_capacity(inst.questions.len() + inst.context.len());
    for q in &inst.questions {
        let keys = option_keys(q);
        let mut counts: Vec<(String, usize)> = keys.iter().map(|k| (k.clone(), 0)).collect();
        let mut bump = |k: &str| {
            if let Some(c) = counts.iter_mut().find(|(key, _)| key == k) {
                c.1 += 1;
            }
        };
        let mut answered = 0;
        for a in answers_to(responses, &q.id) {
            match a {
                Answer::Level(l) => bump(&l.to_string()),
                Answer::Choice(c) => bump(choice_key(*c)),
                Answer::Ticked(items) => items.iter().for_each(|i| bump(i)),
                _ => continue,
            }
            answered += 1;
        }
        out.push(QuestionSummary {
            question_id: q.id.clone(),
            capability: Some(q.capability.clone()),
            answered,
            not_applicable: not_applicable(&q.id),
            summary: Summary::Counts { options: counts },
        });
    }
    for q in &inst.context {
        let (answered, summary) = match q.kind {
            ContextKind::Number => {
                let values: Vec<f64> = answers_to(responses, &q.id)
                    .filter_map(|a| if let Answer::Number(n) = a { Some(*n) } else { None })
                    .collect();
                (values.len(), Summary::Number { summary: NumberSummary::of(&values) })
            }
            ContextKind::Text => {
                let answers: Vec<String> = answers_to(responses, &q.id)
                    .filter_map(|a| if let Answer::Text(t) = a { Some(t.trim().to_string()) } else { None })
                    .filter(|t| !t.is_empty())
                    .collect();
                (answers.len(), Summary::Text { answers })
            }
        };
        out.push(QuestionSummary {
            question_id: q.id.clone(),
            capability: None,
            answered,
            not_applicable: not_applicable(&q.id),
            summary,
        });
    }
    out
}

#[cfg(test)]
mod withheld_tests {
    use super::*;

    #[test]
    fn staff_see_figures_from_five_responses_and_aggregate_readers_only_without_differences() {
        use CampaignStatus::*;
        // Staff: only the count matters.
        assert_eq!(Withheld::of(Open, 4, &[], false), Some(Withheld::TooFewResponses));
        assert_eq!(Withheld::of(Open, 5, &[5, 1], false), None);
        // City teams: never while answers still arrive.
        assert_eq!(Withheld::of(Open, 9, &[], true), Some(Withheld::CampaignOpen));
        assert_eq!(Withheld::of(Closed, 9, &[], true), None);
        // By region only when no region is small: 12 = 7 + 5 shows both; 12 = 5 + 6 + 1 shows none,
        // since the whole minus the first two would be the third's one response.
        assert_eq!(Withheld::of(Closed, 7, &[7, 5, 0], true), None);
        assert_eq!(Withheld::of(Closed, 5, &[5, 6, 1], true), Some(Withheld::SmallRegion));
        assert_eq!(Withheld::of(Closed, 4, &[4, 8], true), Some(Withheld::TooFewResponses));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vectors() -> toml::Table {
        include_str!("../../../../data/test-vectors/pulse.toml").parse().expect("pulse vectors parse")
    }

    fn f(v: &toml::Value) -> f64 {
        v.as_float().or_else(|| v.as_integer().map(|i| i as f64)).expect("number")
    }

    #[test]
    fn response_rates_match_the_vectors() {
        let t = vectors();
        for case in t["response_rates"].as_array().unwrap() {
            let rows: Vec<(String, String, String, bool)> = case["respondents"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| {
                    let a = r.as_array().unwrap();
                    (
                        a[0].as_str().unwrap().to_string(),
                        a[1].as_str().unwrap().to_string(),
                        a[2].as_str().unwrap().to_string(),
                        a[3].as_bool().unwrap(),
                    )
                })
                .collect();
            let facts: Vec<RespondentFact> = rows
                .iter()
                .map(|(o, c, r, s)| RespondentFact { organisation: o, country: c, region: r, submitted: *s })
                .collect();
            let rates = response_rates(&facts);
            let exp = &case["expected"];
            assert!((rates.respondents.percent.unwrap() - f(&exp["respondents"])).abs() < 1e-9);
            assert!((rates.organisations.percent.unwrap() - f(&exp["organisations"])).abs() < 1e-9);
            for (country, want) in exp["by_country"].as_table().unwrap() {
                let got = rates.by_country.iter().find(|(c, _)| c == country).unwrap().1;
                assert!((got.percent.unwrap() - f(want)).abs() < 1e-9, "{country}");
            }
            for (region, want) in exp["by_region"].as_table().unwrap() {
                let got = rates.by_region.iter().find(|(r, _)| r == region).unwrap().1;
                assert!((got.percent.unwrap() - f(want)).abs() < 1e-9, "{region}");
            }
        }
    }

    #[test]
    fn number_summaries_match_the_vectors() {
        let t = vectors();
        for case in t["number_summary"].as_array().unwrap() {
            let values: Vec<f64> = case["values"].as_array().unwrap().iter().map(f).collect();
            let s = NumberSummary::of(&values).unwrap();
            let e = &case["expected"];
            let d = s.distribution;
            for (name, got) in
                [("min", d.min), ("q1", d.q1), ("median", d.median), ("q3", d.q3), ("max", d.max), ("mean", s.mean)]
            {
                assert!((got - f(&e[name])).abs() < 1e-9, "{name}: {got}");
            }
            assert_eq!(d.n as i64, e["n"].as_integer().unwrap());
        }
        assert_eq!(NumberSummary::of(&[]), None);
    }

    #[test]
    fn no_rate_without_invitations() {
        assert_eq!(Rate::of(0, 0).percent, None);
        let r = response_rates(&[]);
        assert_eq!(r.respondents.invited, 0);
        assert!(r.by_country.is_empty());
    }

    #[test]
    fn states_move_forward_one_step() {
        use CampaignStatus::*;
        assert!(Draft.check_transition(Open).is_ok());
        assert!(Open.check_transition(Closed).is_ok());
        for (a, b) in [(Draft, Closed), (Open, Draft), (Closed, Open), (Closed, Draft), (Open, Open)] {
            assert_eq!(a.check_transition(b).unwrap_err().code, "invalid-transition", "{a:?} → {b:?}");
        }
        for &s in CampaignStatus::ALL {
            assert_eq!(CampaignStatus::parse(s.as_str()).unwrap(), s);
        }
        assert!(CampaignStatus::parse("paused").is_err());
    }

    #[test]
    fn campaign_fields_name_every_problem() {
        let ok = check_campaign(" Pulse 2026 ", "2026-03-01", "2026-03-31").unwrap();
        assert_eq!(ok.title, "Pulse 2026");
        let e = check_campaign("", "1 March", "2026-02-01").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(fields, ["title", "opens_on"]);
        let e = check_campaign("x", "2026-03-01", "2026-02-01").unwrap_err();
        assert_eq!(e.0[0].field, "closes_on");
        assert_eq!(e.0[0].code, "before-start");
    }

    #[test]
    fn summaries_count_options_and_not_applicable() {
        let inst: Instrument =
            toml::from_str(include_str!("../../../../data/instruments/innovation-capacity-pulse/v1.toml"))
                .expect("pulse instrument");
        let mut a = HashMap::new();
        a.insert("lead-mandate".to_string(), Answer::Level(3));
        a.insert("org-scaling".to_string(), Answer::NotApplicable);
        a.insert("lead-commitments".to_string(), Answer::Ticked(vec!["city-plan".into(), "elected-member".into()]));
        a.insert("ctx-population".to_string(), Answer::Number(500_000.0));
        a.insert("ctx-biggest-barrier".to_string(), Answer::Text(" Funding ".into()));
        let mut b = HashMap::new();
        b.insert("lead-mandate".to_string(), Answer::Level(3));
        b.insert("org-scaling".to_string(), Answer::Choice(Choice::Yes));
        b.insert("lead-commitments".to_string(), Answer::Ticked(vec!["city-plan".into()]));
        b.insert("ctx-population".to_string(), Answer::Number(1_500_000.0));
        let s = summarise(&inst, &[&a, &b]);
        let get = |id: &str| s.iter().find(|q| q.question_id == id).unwrap();
        assert_eq!(get("lead-mandate").answered, 2);
        assert_eq!(
            get("lead-mandate").summary,
            Summary::Counts {
                options: vec![("1".into(), 0), ("2".into(), 0), ("3".into(), 2), ("4".into(), 0), ("5".into(), 0)]
            }
        );
        assert_eq!((get("org-scaling").answered, get("org-scaling").not_applicable), (1, 1));
        let Summary::Counts { options } = &get("lead-commitments").summary else { panic!() };
        assert_eq!(options[0], ("city-plan".into(), 2));
        assert_eq!(options[1], ("elected-member".into(), 1));
        let Summary::Number { summary: Some(n) } = get("ctx-population").summary else { panic!() };
        assert_eq!((n.distribution.median, n.mean), (1_000_000.0, 1_000_000.0));
        assert_eq!(get("ctx-biggest-barrier").summary, Summary::Text { answers: vec!["Funding".into()] });
        assert_eq!(get("ana-analysts").answered, 0);
    }
}
