//! Review arithmetic (see docs/grants.md, "How applications are scored"): scores 0–5 in half
//! points or "not applicable" per criterion and reviewer; criterion means over the reviewers who
//! scored it; a consensus that replaces the means; thresholds per criterion and overall; the
//! weighted total for ranking only. Every comparison is exact (integers and fractions, no floats).

use crate::error::{FieldError, Invalid};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;

/// Independent reviews an application needs before its consensus can be recorded.
pub const MIN_REVIEWS: usize = 3;
/// A criterion whose reviewers' scores differ by this many half points (1.5 points) or more is
/// flagged as a disagreement for the consensus discussion.
pub const DISAGREEMENT_HALVES: u32 = 3;

/// A score on the 0–5 scale in half points, held as a count of halves (0–10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Half(pub u32);

impl Half {
    pub const MAX: Half = Half(10);

    /// `0`, `3`, `2.5`, `4.5`, … up to `5`.
    pub fn parse(field: &str, s: &str) -> Result<Half, FieldError> {
        parse_halves(field, s, 10).map(Half)
    }
    pub fn points(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

impl fmt::Display for Half {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_multiple_of(2) { write!(f, "{}", self.0 / 2) } else { write!(f, "{}.5", self.0 / 2) }
    }
}

/// A number of half points from 0 to `max` halves, written like `10` or `12.5`.
pub fn parse_halves(field: &str, s: &str, max: u32) -> Result<u32, FieldError> {
    let s = s.trim();
    let bad = || {
        FieldError::new(
            field,
            "invalid-score",
            format!("must be a number from 0 to {} in half points, such as 3 or 3.5", Half(max)),
        )
    };
    let (w, f) = s.split_once('.').unwrap_or((s, ""));
    if w.is_empty() || w.len() > 3 || !w.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let half = match f {
        "" if !s.contains('.') => 0,
        "0" => 0,
        "5" => 1,
        _ => return Err(bad()),
    };
    let v = w.parse::<u32>().map_err(|_| bad())? * 2 + half;
    if v > max { Err(bad()) } else { Ok(v) }
}

/// One reviewer's mark on one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Score(Half),
    /// Not applicable to this application: left out of every mean, never counted as 0.
    NotApplicable,
}

impl Mark {
    /// `n/a`, or a score.
    pub fn parse(field: &str, s: &str) -> Result<Mark, FieldError> {
        if s.trim().eq_ignore_ascii_case("n/a") || s.trim().eq_ignore_ascii_case("na") {
            Ok(Mark::NotApplicable)
        } else {
            Half::parse(field, s).map(Mark::Score)
        }
    }
    pub fn text(self) -> String {
        match self {
            Mark::Score(h) => h.to_string(),
            Mark::NotApplicable => "n/a".into(),
        }
    }
}

/// A criterion of the rubric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub key: String,
    pub title: String,
    pub description: String,
    /// Weight in hundredths (150 = ×1.5), for ranking only.
    pub weight_hundredths: u32,
    /// The lowest criterion score that passes.
    pub threshold: Half,
}

impl Serialize for Half {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.0)
    }
}
impl<'de> Deserialize<'de> for Half {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = u32::deserialize(d)?;
        if v > 10 { Err(serde::de::Error::custom("half points above 10")) } else { Ok(Half(v)) }
    }
}

/// Criteria in their order (which is also the order ties are broken in) and the overall threshold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rubric {
    pub criteria: Vec<Criterion>,
    /// The lowest total (sum of criterion scores) that passes, in half points.
    pub overall_threshold_halves: u32,
}

/// A non-negative fraction, kept exact.
#[derive(Debug, Clone, Copy)]
pub struct Ratio {
    pub num: i128,
    pub den: i128,
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs().max(1) } else { gcd(b, a % b) }
}

impl Ratio {
    pub fn new(num: i128, den: i128) -> Ratio {
        let g = gcd(num, den);
        Ratio { num: num / g, den: den / g }
    }
    pub fn int(n: i128) -> Ratio {
        Ratio { num: n, den: 1 }
    }
    pub fn plus(self, o: Ratio) -> Ratio {
        Ratio::new(self.num * o.den + o.num * self.den, self.den * o.den)
    }
    pub fn mul_int(self, k: i128) -> Ratio {
        Ratio::new(self.num * k, self.den)
    }
    /// As a decimal, for display (two decimals) and JSON.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialEq for Ratio {
    fn eq(&self, o: &Ratio) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Ratio {}
impl PartialOrd for Ratio {
    fn partial_cmp(&self, o: &Ratio) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Ratio {
    fn cmp(&self, o: &Ratio) -> Ordering {
        (self.num * o.den).cmp(&(o.num * self.den))
    }
}

/// The points a ratio of half points stands for, rounded to two decimals for people: 7/2 halves
/// → `1.75`.
pub fn points_text(halves: Ratio) -> String {
    let v = halves.to_f64() / 2.0;
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One reviewer's marks, by criterion key.
pub type Marks = BTreeMap<String, Mark>;

/// Check a reviewer's marks against the rubric: every criterion marked, no other key.
pub fn check_marks(rubric: &Rubric, raw: &BTreeMap<String, String>) -> Result<Marks, Invalid> {
    let mut e = Invalid::default();
    let mut out = Marks::new();
    for c in &rubric.criteria {
        let field = format!("scores.{}", c.key);
        match raw.get(&c.key).map(|s| s.trim()).filter(|s| !s.is_empty()) {
            None => e.0.push(FieldError::new(field, "required", "score this criterion from 0 to 5, or mark it n/a")),
            Some(s) => {
                if let Some(m) = e.take(&field, Mark::parse(&field, s)) {
                    out.insert(c.key.clone(), m);
                }
            }
        }
    }
    for k in raw.keys() {
        if !rubric.criteria.iter().any(|c| &c.key == k) {
            e.0.push(FieldError::new(format!("scores.{k}"), "unknown-criterion", "is not a criterion of this call"));
        }
    }
    e.into_result()?;
    Ok(out)
}

/// One criterion of an application, evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriterionResult {
    pub key: String,
    /// Reviewers who scored it (n/a left out).
    pub scored: usize,
    /// The mean of their scores in half points; `None` when nobody scored it.
    pub mean: Option<Ratio>,
    pub min: Option<Half>,
    pub max: Option<Half>,
    /// Max − min ≥ 1.5 points.
    pub disagreement: bool,
    /// The consensus mark, once recorded.
    pub consensus: Option<Mark>,
    /// What counts: the consensus when recorded, else the mean; `None` when not applicable.
    pub effective: Option<Ratio>,
    /// At or above the criterion's threshold (a not-applicable criterion has no threshold to meet).
    pub passes: bool,
}

/// Why an application passes or not, and where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Standing {
    /// Fewer than [`MIN_REVIEWS`] reviews submitted.
    AwaitingReviews,
    /// Enough reviews; the consensus is not recorded yet.
    AwaitingConsensus,
    /// The consensus is recorded: the scores are final and the application is ranked.
    Final,
}

/// An application's scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evaluation {
    pub criteria: Vec<CriterionResult>,
    pub reviews: usize,
    /// Sum of the effective criterion scores (applicable criteria), in half points.
    pub total: Ratio,
    /// The overall threshold as it applies: scaled by applicable / all criteria when some are n/a.
    pub overall_threshold: Ratio,
    /// Σ weight × effective score, in half points × hundredths: for ranking only.
    pub weighted: Ratio,
    pub passes_criteria: bool,
    pub passes_overall: bool,
    pub disagreement: bool,
    pub standing: Standing,
}

impl Evaluation {
    /// Passes every criterion threshold and the overall threshold.
    pub fn passes(&self) -> bool {
        self.passes_criteria && self.passes_overall
    }
    /// The criteria below their threshold, by key.
    pub fn failed_criteria(&self) -> Vec<&str> {
        self.criteria.iter().filter(|c| !c.passes).map(|c| c.key.as_str()).collect()
    }
}

/// Evaluate an application from its submitted reviews and, when recorded, its consensus.
pub fn evaluate(rubric: &Rubric, reviews: &[Marks], consensus: Option<&Marks>) -> Evaluation {
    let mut criteria = vec![];
    let mut total = Ratio::int(0);
    let mut weighted = Ratio::int(0);
    let mut applicable = 0_i128;
    let mut passes_criteria = true;
    for c in &rubric.criteria {
        let scores: Vec<Half> = reviews
            .iter()
            .filter_map(|r| match r.get(&c.key) {
                Some(Mark::Score(h)) => Some(*h),
                _ => None,
            })
            .collect();
        let mean = (!scores.is_empty())
            .then(|| Ratio::new(scores.iter().map(|h| i128::from(h.0)).sum(), scores.len() as i128));
        let (min, max) = (scores.iter().min().copied(), scores.iter().max().copied());
        let disagreement = matches!((min, max), (Some(a), Some(b)) if b.0 - a.0 >= DISAGREEMENT_HALVES);
        let consensus_mark = consensus.and_then(|m| m.get(&c.key).copied());
        let effective = match consensus_mark {
            Some(Mark::Score(h)) => Some(Ratio::int(i128::from(h.0))),
            Some(Mark::NotApplicable) => None,
            None => mean,
        };
        let passes = effective.is_none_or(|v| v >= Ratio::int(i128::from(c.threshold.0)));
        if let Some(v) = effective {
            applicable += 1;
            total = total.plus(v);
            weighted = weighted.plus(v.mul_int(i128::from(c.weight_hundredths)));
        }
        passes_criteria &= passes;
        criteria.push(CriterionResult {
            key: c.key.clone(),
            scored: scores.len(),
            mean,
            min,
            max,
            disagreement,
            consensus: consensus_mark,
            effective,
            passes,
        });
    }
    let all = rubric.criteria.len().max(1) as i128;
    let overall_threshold = Ratio::new(i128::from(rubric.overall_threshold_halves) * applicable, all);
    let standing = if consensus.is_some() {
        Standing::Final
    } else if reviews.len() >= MIN_REVIEWS {
        Standing::AwaitingConsensus
    } else {
        Standing::AwaitingReviews
    };
    Evaluation {
        disagreement: criteria.iter().any(|c| c.disagreement),
        passes_overall: applicable > 0 && total >= overall_threshold,
        passes_criteria,
        criteria,
        reviews: reviews.len(),
        total,
        overall_threshold,
        weighted,
        standing,
    }
}

/// The ranking order: final before provisional; then the weighted total, higher first; ties
/// broken by the first criterion's score, then the second, …; then the earlier submission
/// (`submitted` sorts as text, RFC 3339).
pub fn rank_order(a: (&Evaluation, &str), b: (&Evaluation, &str)) -> Ordering {
    let final_first = (b.0.standing == Standing::Final).cmp(&(a.0.standing == Standing::Final));
    let by_criteria = || {
        a.0.criteria
            .iter()
            .zip(&b.0.criteria)
            .map(|(x, y)| y.effective.unwrap_or(Ratio::int(-1)).cmp(&x.effective.unwrap_or(Ratio::int(-1))))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    final_first.then_with(|| b.0.weighted.cmp(&a.0.weighted)).then_with(by_criteria).then_with(|| a.1.cmp(b.1))
}

/// The weighted total (half points × hundredths) as points, rounded to two decimals.
pub fn weighted_text(w: Ratio) -> String {
    points_text(Ratio::new(w.num, w.den * 100))
}
