//! Scoring: from answers to normalised values (0–100), capability scores and levels, the overall
//! score, and the consolidation of several respondents with their spread.
//! See `docs/diagnostic.md` for the formulas with worked examples.

use super::instrument::{Instrument, Question, QuestionKind};
use crate::error::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Tolerance for comparing normalised values with level bounds (values are sums of exact quarters
/// and checklist fractions, so only floating-point noise needs absorbing).
const EPS: f64 = 1e-9;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Choice {
    Yes,
    Partial,
    No,
}

/// One respondent's answer to one scored question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Level(u8),
    Ticked(Vec<String>),
    Choice(Choice),
    NotApplicable,
    /// The answer to a `number` context question.
    Number(f64),
    /// The answer to a `text` context question.
    Text(String),
}

/// The normalised value (0–100) of an answer, or `None` for "not applicable". An answer that does
/// not fit the question is an error naming the answer field and the reason.
pub fn normalise(q: &Question, a: &Answer) -> Result<Option<f64>, FieldError> {
    let wrong = |field: &str| {
        FieldError::new(field, "wrong-answer-type", format!("question {} takes a {} answer", q.id, q.kind.as_str()))
    };
    match (q.kind, a) {
        (_, Answer::NotApplicable) if q.allow_not_applicable => Ok(None),
        (_, Answer::NotApplicable) => Err(FieldError::new(
            "not_applicable",
            "not-applicable-not-allowed",
            format!("question {} must be answered; it has no \"not applicable\"", q.id),
        )),
        (QuestionKind::Level, Answer::Level(l)) if (1..=5).contains(l) => Ok(Some(f64::from(l - 1) / 4.0 * 100.0)),
        (QuestionKind::Level, Answer::Level(_)) => {
            Err(FieldError::new("level", "out-of-range", "a level is a whole number from 1 to 5"))
        }
        (QuestionKind::Checklist, Answer::Ticked(ids)) => {
            let mut seen = HashSet::new();
            for id in ids {
                if !q.items.iter().any(|it| &it.id == id) {
                    return Err(FieldError::new(
                        "ticked",
                        "unknown-item",
                        format!("{id:?} is not an item of question {}", q.id),
                    ));
                }
                if !seen.insert(id) {
                    return Err(FieldError::new("ticked", "repeated-item", format!("{id:?} is ticked twice")));
                }
            }
            Ok(Some(100.0 * ids.len() as f64 / q.items.len() as f64))
        }
        (QuestionKind::Choice, Answer::Choice(c)) => Ok(Some(match c {
            Choice::Yes => 100.0,
            Choice::Partial => 50.0,
            Choice::No => 0.0,
        })),
        (_, Answer::Number(_) | Answer::Text(_)) => Err(FieldError::new(
            "value",
            "wrong-answer-type",
            format!("question {} is scored; it takes a {} answer, not a value", q.id, q.kind.as_str()),
        )),
        (QuestionKind::Level, _) => Err(wrong("level")),
        (QuestionKind::Checklist, _) => Err(wrong("ticked")),
        (QuestionKind::Choice, _) => Err(wrong("choice")),
    }
}

/// Check the answer to a context question: a number within its bounds, or a text of at most
/// 2,000 characters.
pub fn check_context(q: &super::instrument::ContextQuestion, a: &Answer) -> Result<(), FieldError> {
    use super::instrument::ContextKind;
    match (q.kind, a) {
        (ContextKind::Number, Answer::Number(v)) => {
            if !v.is_finite() || q.min.is_some_and(|m| *v < m) || q.max.is_some_and(|m| *v > m) {
                Err(FieldError::new(
                    "value",
                    "out-of-range",
                    format!("must be a number from {} to {}", q.min.unwrap_or(f64::MIN), q.max.unwrap_or(f64::MAX)),
                ))
            } else {
                Ok(())
            }
        }
        (ContextKind::Text, Answer::Text(t)) => crate::network::optional_text("value", t, 2000).map(|_| ()),
        (ContextKind::Number, _) => {
            Err(FieldError::new("value", "wrong-answer-type", format!("question {} takes a number", q.id)))
        }
        (ContextKind::Text, _) => {
            Err(FieldError::new("value", "wrong-answer-type", format!("question {} takes a text", q.id)))
        }
    }
}

/// The required scored questions of an instrument.
pub fn required_questions(inst: &Instrument) -> Vec<String> {
    inst.questions.iter().filter(|q| q.required).map(|q| q.id.clone()).collect()
}

/// Minimum, maximum and population standard deviation of a set of values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spread {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    /// Population standard deviation: sqrt(Σ(x − mean)² / n).
    pub sd: f64,
}

pub fn spread(values: &[f64]) -> Option<Spread> {
    if values.is_empty() {
        return None;
    }
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Some(Spread {
        n: values.len(),
        min: values.iter().copied().fold(f64::INFINITY, f64::min),
        max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        sd: var.sqrt(),
    })
}

/// The lower median: the middle value of the sorted values, or the lower of the two middle ones.
/// It is always one of the respondents' own answers.
pub fn lower_median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v[(v.len() - 1) / 2])
}

/// Consolidate respondents' normalised values for one question (`None` = not applicable).
/// Returns `None` when nobody answered; `Some(None)` when every answer was "not applicable";
/// otherwise `Some(Some(lower median of the applicable values))`.
pub fn consolidate(values: &[Option<f64>]) -> Option<Option<f64>> {
    if values.is_empty() {
        return None;
    }
    let applicable: Vec<f64> = values.iter().flatten().copied().collect();
    Some(lower_median(&applicable))
}

/// A capability's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapabilityResult {
    /// Weighted mean of the applicable answered questions (0–100); `None` when there are none.
    pub score: Option<f64>,
    /// Gated level 1–5.
    pub level: u8,
    /// Applicable answered scored questions.
    pub answered: usize,
    /// Scored questions of the capability.
    pub questions: usize,
    /// Spread of the respondents' own capability scores (when several answered).
    pub spread: Option<Spread>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// Weighted mean of the capability scores that exist.
    pub overall: Option<f64>,
    pub capabilities: BTreeMap<String, CapabilityResult>,
}

/// Score one set of normalised values: question id → `Some(value)` or `None` (not applicable).
/// Questions absent from the map are unanswered. Both drop out of every mean.
pub fn score(inst: &Instrument, values: &HashMap<String, Option<f64>>) -> Scores {
    let mut capabilities = BTreeMap::new();
    let mut num = 0.0;
    let mut den = 0.0;
    for c in &inst.capabilities {
        let qs: Vec<&Question> = inst.questions.iter().filter(|q| q.capability == c.slug).collect();
        let pairs: Vec<(f64, f64)> =
            qs.iter().filter_map(|q| values.get(&q.id).copied().flatten().map(|v| (q.weight, v))).collect();
        let wsum: f64 = pairs.iter().map(|p| p.0).sum();
        let score = (wsum > 0.0).then(|| pairs.iter().map(|(w, v)| w * v).sum::<f64>() / wsum);
        let level = gated_level(&pairs.iter().map(|p| p.1).collect::<Vec<_>>(), inst.level_threshold);
        if let Some(s) = score {
            num += c.weight * s;
            den += c.weight;
        }
        capabilities.insert(
            c.slug.clone(),
            CapabilityResult { score, level, answered: pairs.len(), questions: qs.len(), spread: None },
        );
    }
    Scores { overall: (den > 0.0).then(|| num / den), capabilities }
}

/// Level 1 always; level L (2–5) when level L−1 is reached and at least `threshold` of the
/// applicable values are at or above (L−1)/4 × 100.
pub fn gated_level(values: &[f64], threshold: f64) -> u8 {
    if values.is_empty() {
        return 1;
    }
    let n = values.len() as f64;
    let mut level = 1;
    for l in 2..=5u8 {
        let bound = f64::from(l - 1) / 4.0 * 100.0;
        let at_or_above = values.iter().filter(|v| **v >= bound - EPS).count() as f64;
        if at_or_above >= threshold * n - EPS {
            level = l;
        } else {
            break;
        }
    }
    level
}

/// Score several respondents: consolidate each question (lower median, unless `overrides` sets the
/// city's value), score the consolidated values, and attach the spread of the respondents' own
/// capability scores.
pub fn score_respondents(
    inst: &Instrument,
    respondents: &[HashMap<String, Option<f64>>],
    overrides: &HashMap<String, Option<f64>>,
) -> Scores {
    // One respondent and no overrides: the consolidated values are that respondent's own.
    if let [only] = respondents
        && overrides.is_empty()
    {
        let mut scores = score(inst, only);
        for r in scores.capabilities.values_mut() {
            r.spread = r.score.and_then(|x| spread(&[x]));
        }
        return scores;
    }
    let mut consolidated = HashMap::new();
    for q in &inst.questions {
        if let Some(v) = overrides.get(&q.id) {
            consolidated.insert(q.id.clone(), *v);
            continue;
        }
        let vals: Vec<Option<f64>> = respondents.iter().filter_map(|r| r.get(&q.id).copied()).collect();
        if let Some(v) = consolidate(&vals) {
            consolidated.insert(q.id.clone(), v);
        }
    }
    let mut scores = score(inst, &consolidated);
    let own: Vec<Scores> = respondents.iter().map(|r| score(inst, r)).collect();
    for (slug, result) in scores.capabilities.iter_mut() {
        let per: Vec<f64> = own.iter().filter_map(|s| s.capabilities.get(slug).and_then(|c| c.score)).collect();
        result.spread = spread(&per);
    }
    scores
}

/// The spread of respondents' normalised values for one question.
pub fn question_spread(respondents: &[HashMap<String, Option<f64>>], question: &str) -> Option<Spread> {
    let vals: Vec<f64> = respondents.iter().filter_map(|r| r.get(question).copied().flatten()).collect();
    spread(&vals)
}
