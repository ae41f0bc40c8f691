//! API handlers of the `diagnostic` capability.

pub mod pulse;

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::diagnostic as ops;
use crate::error::Problem;
use crate::network as net;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use urbis_domain::diagnostic::{Answer, CapabilityResult, Choice, Distribution, Scores, Spread};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{Assessment, StoredAnswer, Wave};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct InstrumentSummaryOut {
    pub slug: String,
    pub version: u32,
    /// `diagnostic` or `pulse`.
    pub kind: String,
    pub title: String,
    pub published_on: NaiveDate,
}

#[derive(Serialize, ToSchema)]
pub struct WaveOut {
    pub slug: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// The first wave, whose results are the baseline for progress.
    pub baseline: bool,
    pub closed: bool,
}

impl From<Wave> for WaveOut {
    fn from(w: Wave) -> Self {
        WaveOut {
            slug: w.slug,
            name: w.name,
            opens_on: w.opens_on,
            closes_on: w.closes_on,
            baseline: w.is_baseline,
            closed: w.closed_at.is_some(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentCreate {
    /// Instrument slug; the newest version is used.
    pub instrument: String,
    /// Wave slug, e.g. `t0`.
    pub wave: String,
    /// Programme slug; may be left out when the city takes part in one programme only.
    pub programme: Option<String>,
}

/// One answer. Send exactly one of `level`, `ticked`, `choice`, `value` (context questions) or
/// `not_applicable: true`, with optional `evidence` and `comment`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub level: Option<i64>,
    pub ticked: Option<Vec<String>>,
    /// `yes`, `partial` or `no`.
    pub choice: Option<String>,
    #[schema(value_type = Object)]
    pub value: Option<serde_json::Value>,
    pub not_applicable: Option<bool>,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub comment: String,
}

impl AnswerIn {
    fn answer(&self) -> Result<Answer, Problem> {
        let given = [
            self.level.is_some(),
            self.ticked.is_some(),
            self.choice.is_some(),
            self.value.is_some(),
            self.not_applicable == Some(true),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "answer",
                "one-answer",
                "send exactly one of level, ticked, choice, value or not_applicable: true",
            ));
        }
        let bad = |f: &str, m: &str| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, f, "invalid-field", m);
        Ok(if let Some(l) = self.level {
            Answer::Level(u8::try_from(l).map_err(|_| bad("level", "a level is a whole number from 1 to 5"))?)
        } else if let Some(t) = &self.ticked {
            Answer::Ticked(t.clone())
        } else if let Some(c) = &self.choice {
            Answer::Choice(match c.as_str() {
                "yes" => Choice::Yes,
                "partial" => Choice::Partial,
                "no" => Choice::No,
                _ => return Err(bad("choice", "must be yes, partial or no")),
            })
        } else if let Some(v) = &self.value {
            match v {
                serde_json::Value::Number(n) => Answer::Number(n.as_f64().ok_or_else(|| bad("value", "not a number"))?),
                serde_json::Value::String(s) => Answer::Text(s.clone()),
                _ => return Err(bad("value", "must be a number or a text")),
            }
        } else {
            Answer::NotApplicable
        })
    }
}

#[derive(Serialize, ToSchema)]
pub struct AnswerOut {
    pub question_id: String,
    pub respondent_id: Uuid,
    #[schema(value_type = Object)]
    pub answer: serde_json::Value,
    /// 0–100 for scored questions; null for "not applicable" and context questions.
    pub normalised: Option<f64>,
    pub evidence: String,
    pub comment: String,
    pub updated_at: DateTime<Utc>,
}

impl From<StoredAnswer> for AnswerOut {
    fn from(a: StoredAnswer) -> Self {
        AnswerOut {
            answer: serde_json::to_value(&a.answer).unwrap_or_default(),
            question_id: a.question_id,
            respondent_id: a.respondent_id,
            normalised: a.normalised,
            evidence: a.evidence,
            comment: a.comment,
            updated_at: a.updated_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SpreadOut {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    pub sd: f64,
}

impl From<Spread> for SpreadOut {
    fn from(s: Spread) -> Self {
        SpreadOut { n: s.n, min: s.min, max: s.max, sd: s.sd }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CapabilityScoreOut {
    pub score: Option<f64>,
    pub level: u8,
    pub answered: usize,
    pub questions: usize,
    pub spread: Option<SpreadOut>,
}

impl From<&CapabilityResult> for CapabilityScoreOut {
    fn from(c: &CapabilityResult) -> Self {
        CapabilityScoreOut {
            score: c.score,
            level: c.level,
            answered: c.answered,
            questions: c.questions,
            spread: c.spread.map(Into::into),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ScoresOut {
    pub overall: Option<f64>,
    pub capabilities: BTreeMap<String, CapabilityScoreOut>,
}

impl From<&Scores> for ScoresOut {
    fn from(s: &Scores) -> Self {
        ScoresOut {
            overall: s.overall,
            capabilities: s.capabilities.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AssessmentOut {
    pub id: Uuid,
    pub city: String,
    pub wave: String,
    pub instrument: String,
    pub instrument_version: u32,
    /// `draft` or `submitted`.
    pub status: String,
    pub published: bool,
    pub sample: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub answers: Vec<AnswerOut>,
    /// Self-assessed scores, computed from the answers.
    pub scores: ScoresOut,
    /// Expert validation per capability (kept beside the self-assessed scores).
    pub validations: Vec<ValidationOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ValidationOut {
    pub capability: String,
    pub score: f64,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    pub comment: String,
    pub validated_by: Uuid,
    pub validated_at: DateTime<Utc>,
}

impl From<urbis_store::diagnostic::Validation> for ValidationOut {
    fn from(v: urbis_store::diagnostic::Validation) -> Self {
        ValidationOut {
            capability: v.capability,
            score: v.score,
            confidence: v.confidence,
            comment: v.comment,
            validated_by: v.validated_by,
            validated_at: v.validated_at,
        }
    }
}

async fn full(state: &AppState, a: Assessment) -> Result<AssessmentOut, Problem> {
    let (_, answers, scores) = ops::scores(state, &a).await?;
    let validations = state.store.validations(a.id).await?.into_iter().map(Into::into).collect();
    Ok(assessment_out(a, answers, &scores, validations))
}

fn assessment_out(
    a: Assessment,
    answers: Vec<StoredAnswer>,
    scores: &Scores,
    validations: Vec<ValidationOut>,
) -> AssessmentOut {
    AssessmentOut {
        id: a.id,
        city: a.organisation_slug,
        wave: a.wave_slug,
        instrument: a.instrument_slug,
        instrument_version: a.instrument_version,
        status: a.status.as_str().into(),
        published: a.published,
        sample: a.is_sample,
        submitted_at: a.submitted_at,
        version: a.version,
        answers: answers.into_iter().map(Into::into).collect(),
        scores: scores.into(),
        validations,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DistributionOut {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl From<Distribution> for DistributionOut {
    fn from(d: Distribution) -> Self {
        DistributionOut { n: d.n, min: d.min, q1: d.q1, median: d.median, q3: d.q3, max: d.max }
    }
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkCityOut {
    pub city: String,
    pub overall: Option<f64>,
    pub percentile_rank: Option<f64>,
    pub capabilities: BTreeMap<String, CapabilityScoreOut>,
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkOut {
    pub instrument: String,
    pub wave: String,
    /// Submitted assessments in the wave.
    pub n: usize,
    /// Cohort figures, given only from 5 assessments on (programme staff and experts always see them).
    pub overall: Option<DistributionOut>,
    /// Per capability slug; absent when hidden or without scores.
    pub capabilities: BTreeMap<String, DistributionOut>,
    /// Cities that published their scores (all cities for programme staff and experts).
    pub cities: Vec<BenchmarkCityOut>,
}

/// Instruments: every published version.
#[utoipa::path(get, path = "/instruments", tag = "diagnostic", responses((status = 200, body = Vec<InstrumentSummaryOut>)))]
pub async fn list_instruments(State(state): State<AppState>) -> Result<Json<Vec<InstrumentSummaryOut>>, Problem> {
    Ok(Json(
        state
            .store
            .instruments()
            .await?
            .into_iter()
            .map(|i| InstrumentSummaryOut {
                slug: i.slug,
                version: i.version,
                kind: match i.kind {
                    urbis_domain::diagnostic::InstrumentKind::Diagnostic => "diagnostic".into(),
                    urbis_domain::diagnostic::InstrumentKind::Pulse => "pulse".into(),
                },
                title: i.title,
                published_on: i.published_on,
            })
            .collect(),
    ))
}

/// An instrument's full definition (newest version, or `?version=`): capabilities with weights,
/// questions with ids, types, levels or items, weights, the scoring settings, context questions and
/// the recommended actions per capability and level.
#[utoipa::path(get, path = "/instruments/{slug}", tag = "diagnostic", params(("version" = Option<u32>, Query)),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
pub async fn get_instrument(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<serde_json::Value>, Problem> {
    let version = match q.get("version") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            Problem::field(StatusCode::BAD_REQUEST, "version", "invalid-parameter", "must be a whole number")
        })?),
        None => None,
    };
    let stored = ops::instrument(&state, &slug, version).await?;
    let mut v = serde_json::to_value(&stored.instrument).map_err(|_| Problem::internal())?;
    v["scoring"] = serde_json::json!({
        "normalisation": {"level": "(L − 1) / 4 × 100", "checklist": "100 × ticked / items", "choice": {"yes": 100, "partial": 50, "no": 0}},
        "capability_score": "weighted mean of applicable answered questions",
        "overall": "weighted mean of capability scores",
        "level_threshold": stored.instrument.level_threshold,
        "consolidation": "lower median of respondents, unless the city lead sets the value with a reason",
        "documentation": "docs/diagnostic.md",
    });
    v["recommended_actions"] = serde_json::to_value(&stored.actions).map_err(|_| Problem::internal())?;
    Ok(Json(v))
}

/// A programme's diagnostic waves.
#[utoipa::path(get, path = "/programmes/{slug}/waves", tag = "diagnostic",
    responses((status = 200, body = Vec<WaveOut>), (status = 404, body = Problem)))]
pub async fn list_waves(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<WaveOut>>, Problem> {
    let p = net::programme(&state, &slug).await?;
    Ok(Json(state.store.waves(p.id).await?.into_iter().map(Into::into).collect()))
}

/// Start an assessment of a city (its lead or programme staff).
#[utoipa::path(post, path = "/cities/{slug}/assessments", tag = "diagnostic", security(("bearer" = [])), request_body = AssessmentCreate,
    responses((status = 201, body = AssessmentOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_assessment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<AssessmentCreate>,
) -> Result<Response, Problem> {
    let city = net::city(&state, &slug).await?;
    caller.require(Action::CreateAssessment, &net::org_resource(&state, &city).await?)?;
    let participations = state.store.participations(city.id).await?;
    let programme_slug = match (&body.programme, participations.as_slice()) {
        (Some(p), _) => p.clone(),
        (None, [only]) => only.programme_slug.clone(),
        (None, _) => {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "programme",
                "required",
                "name the programme: the city takes part in several",
            ));
        }
    };
    if !participations.iter().any(|p| p.programme_slug == programme_slug) {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "programme",
            "not-in-programme",
            "the city is not part of this programme",
        ));
    }
    let programme = net::programme(&state, &programme_slug).await?;
    let a = ops::create(&state, &caller.0, &city, &programme, &body.wave, &body.instrument).await?;
    Ok((StatusCode::CREATED, Json(full(&state, a).await?)).into_response())
}

/// An assessment with its answers and scores (its city's team, programme staff, experts and
/// reviewers; anyone when published).
#[utoipa::path(get, path = "/assessments/{id}", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 200, body = AssessmentOut, headers(("ETag" = String))), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_assessment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let loaded = ops::load(&state, &id).await?;
    ops::require_read(&caller.0, &loaded)?;
    let version = loaded.assessment.version;
    Ok(super::with_etag(version, full(&state, loaded.assessment).await?))
}

/// Answer one question as the calling respondent (replaces that respondent's previous answer).
#[utoipa::path(put, path = "/assessments/{id}/answers/{question_id}", tag = "diagnostic", security(("bearer" = [])), request_body = AnswerIn,
    responses((status = 200, body = AnswerOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_answer(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, question_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<AnswerOut>, Problem> {
    let loaded = ops::load(&state, &id).await?;
    caller.require(Action::AnswerAssessment, &loaded.resource)?;
    let answer = body.answer()?;
    Ok(Json(ops::answer(&state, &caller.0, &loaded, &question_id, answer, &body.evidence, &body.comment).await?.into()))
}

/// Submit (locks the answers). 409 lists the required questions nobody has answered.
#[utoipa::path(post, path = "/assessments/{id}/submit", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 200, body = AssessmentOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn submit_assessment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<AssessmentOut>, Problem> {
    let loaded = ops::load(&state, &id).await?;
    let a = ops::submit(&state, &caller.0, &loaded).await?;
    Ok(Json(full(&state, a).await?))
}

/// The benchmark of an instrument in a wave: distribution per capability and overall, and the
/// cities that published their scores. `?instrument=` defaults to `city-digital-maturity`,
/// `?wave=` to the newest wave.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark", tag = "diagnostic",
    params(("instrument" = Option<String>, Query), ("wave" = Option<String>, Query)),
    responses((status = 200, body = BenchmarkOut), (status = 404, body = Problem)))]
pub async fn get_benchmark(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<BenchmarkOut>, Problem> {
    Ok(Json(benchmark_out(&state, &caller, &slug, &q).await?))
}

async fn benchmark_out(
    state: &AppState,
    caller: &ApiCaller,
    slug: &str,
    q: &HashMap<String, String>,
) -> Result<BenchmarkOut, Problem> {
    let p = net::programme(state, slug).await?;
    let instrument = q.get("instrument").map(String::as_str).unwrap_or("city-digital-maturity");
    let wave = match q.get("wave") {
        Some(w) => ops::wave(state, &p, w).await?,
        None => state.store.waves(p.id).await?.pop().ok_or_else(|| Problem::not_found("wave"))?,
    };
    let b = ops::benchmark(state, &wave, instrument).await?;
    // Staff and experts of the programme see everything; others see cohort figures from 5 cities
    // and only the cities that published.
    let privileged = caller.0.can(Action::ReadAssessment, &Resource::Programme { id: p.id });
    let show_cohort = privileged || b.cities.len() >= ops::MIN_COHORT;
    let ranks = b.overall_ranks();
    let cities = b
        .cities
        .iter()
        .filter(|c| privileged || c.assessment.published)
        .map(|c| BenchmarkCityOut {
            city: c.assessment.organisation_slug.clone(),
            overall: c.scores.overall,
            percentile_rank: c.scores.overall.and_then(|x| ranks.rank(x)),
            capabilities: c.scores.capabilities.iter().map(|(k, v)| (k.clone(), v.into())).collect(),
        })
        .collect();
    Ok(BenchmarkOut {
        instrument: b.instrument.slug.clone(),
        wave: wave.slug,
        n: b.cities.len(),
        overall: if show_cohort { b.overall.map(Into::into) } else { None },
        capabilities: b
            .capabilities
            .iter()
            .filter(|_| show_cohort)
            .filter_map(|(k, d)| d.map(|d| (k.clone(), d.into())))
            .collect(),
        cities,
    })
}

pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

pub(crate) fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// The benchmark as CSV: one row per capability and overall (the cohort distribution), then one
/// row per city shown.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark.csv", tag = "diagnostic",
    params(("instrument" = Option<String>, Query), ("wave" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem)))]
pub async fn get_benchmark_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let b = benchmark_out(&state, &caller, &slug, &q).await?;
    let mut out = String::from("row,capability,n,min,q1,median,q3,max,city,score,level,percentile_rank\n");
    let mut dist = |cap: &str, d: &DistributionOut| {
        let _ =
            writeln!(out, "cohort,{cap},{},{:.2},{:.2},{:.2},{:.2},{:.2},,,,", d.n, d.min, d.q1, d.median, d.q3, d.max);
    };
    if let Some(d) = &b.overall {
        dist("overall", d);
    }
    for (cap, d) in &b.capabilities {
        dist(cap, d);
    }
    for c in &b.cities {
        let _ =
            writeln!(out, "city,overall,,,,,,,{},{},,{}", csv_field(&c.city), num(c.overall), num(c.percentile_rank));
        for (cap, s) in &c.capabilities {
            let _ = writeln!(out, "city,{cap},,,,,,,{},{},{},", csv_field(&c.city), num(s.score), s.level);
        }
    }
    Ok(csv(&format!("benchmark-{}-{}-{}.csv", slug, b.instrument, b.wave), out))
}

/// An assessment as CSV: every answer (question, respondent, answer, normalised value, evidence,
/// comment), then the scores.
#[utoipa::path(get, path = "/assessments/{id}/answers.csv", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_assessment_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let loaded = ops::load(&state, &id).await?;
    ops::require_read(&caller.0, &loaded)?;
    let (inst, answers, scores) = ops::scores(&state, &loaded.assessment).await?;
    let mut out =
        String::from("row,capability,question_id,respondent_id,answer,normalised,evidence,comment,score,level\n");
    for a in &answers {
        let cap = inst.question(&a.question_id).map(|q| q.capability.as_str()).unwrap_or("context");
        let ans = serde_json::to_string(&a.answer).unwrap_or_default();
        let _ = writeln!(
            out,
            "answer,{cap},{},{},{},{},{},{},,",
            a.question_id,
            a.respondent_id,
            csv_field(&ans),
            num(a.normalised),
            csv_field(&a.evidence),
            csv_field(&a.comment)
        );
    }
    for c in &inst.capabilities {
        if let Some(r) = scores.capabilities.get(&c.slug) {
            let _ = writeln!(out, "score,{},,,,,,,{},{}", c.slug, num(r.score), r.level);
        }
    }
    let _ = writeln!(out, "score,overall,,,,,,,{},", num(scores.overall));
    Ok(csv(
        &format!(
            "assessment-{}-{}-{}.csv",
            loaded.assessment.organisation_slug, loaded.assessment.wave_slug, loaded.assessment.instrument_slug
        ),
        out,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentPatch {
    /// Publish the city's scores (shown to the public and in public benchmarks) or withdraw them.
    pub published: bool,
}

/// Publish or withdraw an assessment's scores (the city's lead or programme staff). Needs
/// `If-Match` with the assessment's version as ETag.
#[utoipa::path(patch, path = "/assessments/{id}", tag = "diagnostic", security(("bearer" = [])), request_body = AssessmentPatch,
    params(("If-Match" = String, Header, description = "the assessment's version, as returned in `version`")),
    responses((status = 200, body = AssessmentOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn patch_assessment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<AssessmentPatch>,
) -> Result<Response, Problem> {
    let loaded = ops::load(&state, &id).await?;
    caller.require(Action::PublishAssessment, &loaded.resource)?;
    let version = super::if_match(&headers)?;
    let actor = caller.0.actor.person.ok_or_else(Problem::unauthorized)?;
    let a = state.store.set_published(actor, loaded.assessment.id, version, body.published).await?;
    let version = a.version;
    Ok(super::with_etag(version, full(&state, a).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenIn {
    /// Why the submitted assessment is opened again (kept in the audit log).
    pub reason: String,
}

/// Reopen a submitted assessment for changes (programme staff), with a reason.
#[utoipa::path(post, path = "/assessments/{id}/reopen", tag = "diagnostic", security(("bearer" = [])), request_body = ReopenIn,
    responses((status = 200, body = AssessmentOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reopen_assessment(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenIn>,
) -> Result<Json<AssessmentOut>, Problem> {
    let loaded = ops::load(&state, &id).await?;
    let a = ops::reopen(&state, &caller.0, &loaded, &body.reason).await?;
    Ok(Json(full(&state, a).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ValidationIn {
    /// The validated score, 0–100: the self-assessed score to confirm it, another to adjust it.
    pub score: f64,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// Why the score was confirmed or adjusted (required).
    pub comment: String,
}

/// Validate one capability of a submitted assessment (the programme's experts and staff). The
/// self-assessed score stays as it is; the validated one is kept beside it.
#[utoipa::path(put, path = "/assessments/{id}/validations/{capability}", tag = "diagnostic", security(("bearer" = [])), request_body = ValidationIn,
    responses((status = 200, body = ValidationOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_validation(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, capability)): Path<(String, String)>,
    ApiJson(body): ApiJson<ValidationIn>,
) -> Result<Json<ValidationOut>, Problem> {
    let loaded = ops::load(&state, &id).await?;
    caller.require(Action::ValidateAssessment, &loaded.resource)?;
    let actor = caller.0.actor.person.ok_or_else(Problem::unauthorized)?;
    let inst = ops::instrument_of(&state, &loaded.assessment).await?;
    let bad = |f: &str, code: &'static str, m: &str| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, f, code, m);
    if !inst.capabilities.iter().any(|c| c.slug == capability) {
        return Err(bad("capability", "unknown-capability", "not a capability of this instrument"));
    }
    if !(0.0..=100.0).contains(&body.score) || !body.score.is_finite() {
        return Err(bad("score", "out-of-range", "must be a number from 0 to 100"));
    }
    if !["high", "medium", "low"].contains(&body.confidence.as_str()) {
        return Err(bad("confidence", "invalid-choice", "must be high, medium or low"));
    }
    let comment = urbis_domain::network::required_text("comment", &body.comment, 2000)
        .map_err(|e| bad("comment", e.code, &e.message))?;
    let v =
        state.store.validate(actor, loaded.assessment.id, &capability, body.score, &body.confidence, &comment).await?;
    Ok(Json(v.into()))
}

/// The city's consolidated value for one question: a normalised `value` (0–100) or
/// `not_applicable: true`, always with a `reason`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OverrideIn {
    pub value: Option<f64>,
    pub not_applicable: Option<bool>,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct OverrideOut {
    pub question_id: String,
    pub value: Option<f64>,
    pub reason: String,
}

async fn override_target(
    state: &AppState,
    caller: &ApiCaller,
    id: &str,
    question_id: &str,
) -> Result<ops::Loaded, Problem> {
    let loaded = ops::load(state, id).await?;
    caller.require(Action::SubmitAssessment, &loaded.resource)?;
    let inst = ops::instrument_of(state, &loaded.assessment).await?;
    if inst.question(question_id).is_none() {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "question_id",
            "unknown-question",
            "not a scored question of this instrument",
        ));
    }
    Ok(loaded)
}

/// Set the city's consolidated value for a question, replacing the respondents' lower median (the
/// city's lead or programme staff; drafts only). The respondents' answers and spread stay visible.
#[utoipa::path(put, path = "/assessments/{id}/overrides/{question_id}", tag = "diagnostic", security(("bearer" = [])), request_body = OverrideIn,
    responses((status = 200, body = OverrideOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn put_override(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, question_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<OverrideIn>,
) -> Result<Json<OverrideOut>, Problem> {
    let loaded = override_target(&state, &caller, &id, &question_id).await?;
    let bad = |f: &str, code: &'static str, m: &str| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, f, code, m);
    let value = match (body.value, body.not_applicable) {
        (Some(v), None | Some(false)) if (0.0..=100.0).contains(&v) => Some(v),
        (Some(_), None | Some(false)) => return Err(bad("value", "out-of-range", "must be a number from 0 to 100")),
        (None, Some(true)) => None,
        _ => return Err(bad("value", "one-answer", "send either value or not_applicable: true")),
    };
    let reason = urbis_domain::network::required_text("reason", &body.reason, 1000)
        .map_err(|e| bad("reason", e.code, &e.message))?;
    let actor = caller.0.actor.person.ok_or_else(Problem::unauthorized)?;
    let o = state
        .store
        .set_override(actor, loaded.assessment.id, &question_id, Some((value, reason)))
        .await?
        .ok_or_else(Problem::internal)?;
    Ok(Json(OverrideOut { question_id: o.question_id, value: o.normalised, reason: o.reason }))
}

/// Remove the city's consolidated value for a question: the lower median applies again.
#[utoipa::path(delete, path = "/assessments/{id}/overrides/{question_id}", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn delete_override(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, question_id)): Path<(String, String)>,
) -> Result<StatusCode, Problem> {
    let loaded = override_target(&state, &caller, &id, &question_id).await?;
    let actor = caller.0.actor.person.ok_or_else(Problem::unauthorized)?;
    state.store.set_override(actor, loaded.assessment.id, &question_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
