//! API handlers of the `diagnostic` capability.

pub mod pulse;

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::Problem;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::diagnostic::{Answer, CapabilityResult, Choice, Distribution, Scores, Spread};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::{Assessment, PlanItem, StoredAnswer, Wave};
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
    /// A closed wave takes no new assessments; its benchmark is the baseline frozen at closing.
    pub closed: bool,
    /// For `If-Match` when closing the wave.
    pub version: i64,
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
            version: w.version,
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
            confidence: v.confidence.as_str().into(),
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

/// A capability's self-assessed score and level in a benchmark.
#[derive(Serialize, ToSchema)]
pub struct FigureOut {
    pub score: Option<f64>,
    pub level: u8,
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkCityOut {
    pub city: String,
    pub overall: Option<f64>,
    /// Percentile rank of the overall score within the peer group.
    pub percentile_rank: Option<f64>,
    pub capabilities: BTreeMap<String, FigureOut>,
}

/// The peer group a benchmark was computed for; absent filters mean the whole cohort.
#[derive(Serialize, ToSchema)]
pub struct PeerGroupOut {
    pub region: Option<String>,
    pub population_band: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkOut {
    pub instrument: String,
    pub wave: String,
    /// Whether the wave is closed: its figures are then the frozen baseline taken at closing.
    pub frozen: bool,
    pub peer_group: PeerGroupOut,
    /// Submitted assessments in the wave and peer group.
    pub n: usize,
    /// Cohort figures, given only from 5 assessments on (programme staff and experts always see them).
    pub overall: Option<DistributionOut>,
    /// Per capability slug; absent when hidden or without scores.
    pub capabilities: BTreeMap<String, DistributionOut>,
    /// Cities that published their scores (all cities for programme staff and experts), by name, one
    /// page (`?page=`, `?per_page=`) at a time.
    pub cities: Vec<BenchmarkCityOut>,
    pub page: u32,
    pub per_page: u32,
    /// Cities listed over all pages.
    pub cities_total: usize,
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
/// the recommended actions per capability and level. Texts are in the language asked for with
/// `?lang=` (else by `Accept-Language`) when the version has that translation, else in English;
/// `language` (and the `Content-Language` header) says which, `languages` lists those it has.
#[utoipa::path(get, path = "/instruments/{slug}", tag = "diagnostic",
    params(("version" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "en, de or fr"),
        ("Accept-Language" = Option<String>, Header, description = "used when `lang` is not given")),
    responses((status = 200, body = Object), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn get_instrument(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let version = match q.get("version") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            Problem::field(StatusCode::BAD_REQUEST, "version", "invalid-parameter", "must be a whole number")
        })?),
        None => None,
    };
    if let Some(l) = q.get("lang").filter(|l| !crate::i18n::supported(l)) {
        return Err(Problem::field(
            StatusCode::BAD_REQUEST,
            "lang",
            "invalid-parameter",
            &format!("{l:?} is not one of the languages en, de, fr"),
        ));
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let wanted = crate::i18n::negotiate(q.get("lang").map(String::as_str), None, accept);
    let all = ops::instrument(&state, &slug, version).await?;
    let language = all.instrument.language(wanted);
    let languages: Vec<&str> = all.instrument.languages();
    let stored = all.localised(language);
    let mut v = serde_json::to_value(&stored.instrument).map_err(|_| Problem::internal())?;
    v["language"] = language.into();
    v["languages"] = languages.into();
    v["scoring"] = serde_json::json!({
        "normalisation": {"level": "(L − 1) / 4 × 100", "checklist": "100 × ticked / items", "choice": {"yes": 100, "partial": 50, "no": 0}},
        "capability_score": "weighted mean of applicable answered questions",
        "overall": "weighted mean of capability scores",
        "level_threshold": stored.instrument.level_threshold,
        "consolidation": "lower median of respondents, unless the city lead sets the value with a reason",
        "documentation": "docs/diagnostic.md",
    });
    v["recommended_actions"] = serde_json::to_value(&stored.actions).map_err(|_| Problem::internal())?;
    Ok(([(header::CONTENT_LANGUAGE, language), (header::VARY, "accept-language")], Json(v)).into_response())
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
    let a = ops::create(&state, &caller.0, &city, body.programme.as_deref(), &body.wave, &body.instrument).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ReadAssessment).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::AnswerAssessment).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::SubmitAssessment).await?;
    let a = ops::submit(&state, &caller.0, &loaded).await?;
    Ok(Json(full(&state, a).await?))
}

/// The benchmark of an instrument in a wave: distribution per capability and overall, and the
/// cities that published their scores. `?instrument=` defaults to `city-digital-maturity`,
/// `?wave=` to the newest wave; `?region=` (e.g. `northern-europe`) and `?population_band=` (e.g.
/// `500k-1m`) narrow it to a peer group. Closed waves give their frozen baseline.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark", tag = "diagnostic",
    params(("instrument" = Option<String>, Query), ("wave" = Option<String>, Query), ("region" = Option<String>, Query),
           ("population_band" = Option<String>, Query), ("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = BenchmarkOut), (status = 400, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn get_benchmark(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<BenchmarkOut>, Problem> {
    Ok(Json(benchmark_out(&state, &caller, &slug, &q, Some(super::page_from(&q)?)).await?))
}

async fn benchmark_out(
    state: &AppState,
    caller: &ApiCaller,
    slug: &str,
    q: &HashMap<String, String>,
    page: Option<urbis_store::Page>,
) -> Result<BenchmarkOut, Problem> {
    let instrument = q.get("instrument").map(String::as_str).unwrap_or(ops::INSTRUMENT);
    let peers = ops::peer_group(q)?;
    let view = ops::cohort(state, &caller.0, slug, instrument, q.get("wave").map(String::as_str), peers).await?;
    let (b, wave, show_cohort) = (&view.benchmark, &view.wave, view.cohort_shown);
    let ranks = b.overall_ranks();
    let listed: Vec<_> = view.listed().collect();
    let page = page.unwrap_or_else(urbis_store::Page::all);
    let start = ((page.page as usize - 1) * page.per_page as usize).min(listed.len());
    let end = start.saturating_add(page.per_page as usize).min(listed.len());
    let cities = listed[start..end]
        .iter()
        .map(|c| BenchmarkCityOut {
            city: c.assessment.organisation_slug.clone(),
            overall: c.results.overall,
            percentile_rank: c.results.overall.and_then(|x| ranks.rank(x)),
            capabilities: c
                .results
                .capabilities
                .iter()
                .map(|(k, v)| (k.clone(), FigureOut { score: v.score, level: v.level }))
                .collect(),
        })
        .collect();
    Ok(BenchmarkOut {
        instrument: b.instrument.slug.clone(),
        frozen: wave.closed_at.is_some(),
        wave: wave.slug.clone(),
        peer_group: PeerGroupOut {
            region: peers.region.map(|r| r.slug().to_string()),
            population_band: peers.population_band.map(|p| p.slug().to_string()),
        },
        page: page.page,
        per_page: page.per_page,
        cities_total: listed.len(),
        n: b.n(),
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

use crate::download::csv;
use urbis_app::csv::field as csv_field;

fn num(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.2}")).unwrap_or_default()
}

/// The benchmark as CSV: one row per capability and overall (the cohort distribution), then one
/// row per city shown.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark.csv", tag = "diagnostic",
    params(("instrument" = Option<String>, Query), ("wave" = Option<String>, Query), ("region" = Option<String>, Query),
           ("population_band" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn get_benchmark_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let b = benchmark_out(&state, &caller, &slug, &q, None).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ReadAssessment).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::PublishAssessment).await?;
    let version = super::if_match(&headers)?;
    let a = ops::publish(&state, &caller.0, &loaded, version, body.published).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ReopenAssessment).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ValidateAssessment).await?;
    let v = ops::validate(&state, &caller.0, &loaded, &capability, body.score, &body.confidence, &body.comment).await?;
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::SubmitAssessment).await?;
    let value = match (body.value, body.not_applicable) {
        (Some(v), None | Some(false)) => Some(v),
        (None, Some(true)) => None,
        _ => {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "value",
                "one-answer",
                "send either value or not_applicable: true",
            ));
        }
    };
    ops::set_override(&state, &caller.0, &loaded, &question_id, Some((value, &body.reason))).await?;
    let o = state
        .store
        .overrides(loaded.assessment.id)
        .await?
        .into_iter()
        .find(|o| o.question_id == question_id)
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
    let loaded = ops::load_for(&state, &caller.0, &id, Action::SubmitAssessment).await?;
    ops::set_override(&state, &caller.0, &loaded, &question_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveCreate {
    /// Short name used in URLs, e.g. `t2`.
    pub slug: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub opens_on: String,
    #[schema(value_type = String, format = Date)]
    pub closes_on: String,
}

/// Add a diagnostic wave to a programme (programme staff).
#[utoipa::path(post, path = "/programmes/{slug}/waves", tag = "diagnostic", security(("bearer" = [])), request_body = WaveCreate,
    responses((status = 201, body = WaveOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_wave(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<WaveCreate>,
) -> Result<Response, Problem> {
    let p = net::programme_for(&state, &caller.0, &slug, Action::ManageWaves).await?;
    let w = ops::create_wave(&state, &caller.0, &p, &body.slug, &body.name, &body.opens_on, &body.closes_on).await?;
    Ok((StatusCode::CREATED, Json(WaveOut::from(w))).into_response())
}

/// Close a wave (programme staff): its submitted assessments' results are frozen as the wave's
/// baseline and no new assessment can start in it. Needs `If-Match` with the wave's version.
#[utoipa::path(post, path = "/programmes/{slug}/waves/{wave}/close", tag = "diagnostic", security(("bearer" = [])),
    params(("If-Match" = String, Header, description = "the wave's version, as returned in `version`")),
    responses((status = 200, body = WaveOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)))]
pub async fn close_wave(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((slug, wave)): Path<(String, String)>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let p = net::programme_for(&state, &caller.0, &slug, Action::ManageWaves).await?;
    let w = ops::wave(&state, &p, &wave).await?;
    let version = super::if_match(&headers)?;
    let closed = ops::close_wave(&state, &caller.0, &p, &w, version).await?;
    Ok(super::with_etag(closed.version, WaveOut::from(closed)))
}

#[derive(Serialize, ToSchema)]
pub struct PlanItemOut {
    pub id: String,
    /// The capability slug the item improves.
    pub capability: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    /// `planned`, `in-progress`, `done` or `dropped`.
    pub status: String,
    pub version: i64,
}

impl From<PlanItem> for PlanItemOut {
    fn from(p: PlanItem) -> Self {
        PlanItemOut {
            id: p.id.to_string(),
            capability: p.capability,
            title: p.title,
            description: p.description,
            owner: p.owner,
            due_on: p.due_on,
            status: p.status.as_str().into(),
            version: p.version,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemIn {
    pub capability: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Who is responsible (a name or a role).
    pub owner: String,
    /// ISO date; empty or absent for none.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: String,
    /// Defaults to `planned`.
    #[serde(default = "planned")]
    pub status: String,
}

fn planned() -> String {
    "planned".into()
}

impl PlanItemIn {
    fn fields(&self) -> ops::PlanFields<'_> {
        ops::PlanFields {
            capability: &self.capability,
            title: &self.title,
            description: &self.description,
            owner: &self.owner,
            due_on: &self.due_on,
            status: &self.status,
        }
    }
}

/// A city's improvement plan (its team, programme staff, experts and reviewers).
#[utoipa::path(get, path = "/cities/{slug}/plan", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 200, body = Vec<PlanItemOut>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_plan(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
) -> Result<Json<Vec<PlanItemOut>>, Problem> {
    let city = net::city_for(&state, &caller.0, &slug, Action::ReadAssessment).await?;
    Ok(Json(ops::plan(&state, &caller.0, &city).await?.into_iter().map(Into::into).collect()))
}

/// Add an item to a city's improvement plan (its team or programme staff).
#[utoipa::path(post, path = "/cities/{slug}/plan", tag = "diagnostic", security(("bearer" = [])), request_body = PlanItemIn,
    responses((status = 201, body = PlanItemOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_plan_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PlanItemIn>,
) -> Result<Response, Problem> {
    let city = net::city_for(&state, &caller.0, &slug, Action::ManagePlan).await?;
    let item = ops::create_plan_item(&state, &caller.0, &city, &body.fields()).await?;
    let version = item.version;
    let mut r = super::with_etag(version, PlanItemOut::from(item));
    *r.status_mut() = StatusCode::CREATED;
    Ok(r)
}

/// Replace a plan item's fields (its city's team or programme staff). Needs `If-Match`.
#[utoipa::path(put, path = "/plan-items/{id}", tag = "diagnostic", security(("bearer" = [])), request_body = PlanItemIn,
    params(("If-Match" = String, Header, description = "the item's version, as returned in `version`")),
    responses((status = 200, body = PlanItemOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put_plan_item(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: axum::http::HeaderMap,
    ApiJson(body): ApiJson<PlanItemIn>,
) -> Result<Response, Problem> {
    let (item, city) = ops::plan_item_for(&state, &caller.0, &id, Action::ManagePlan).await?;
    let version = super::if_match(&headers)?;
    let item = ops::update_plan_item(&state, &caller.0, &item, &city, version, &body.fields()).await?;
    Ok(super::with_etag(item.version, PlanItemOut::from(item)))
}

/// A city's improvement plan as CSV (same readers as the plan).
#[utoipa::path(get, path = "/cities/{slug}/plan.csv", tag = "diagnostic", security(("bearer" = [])),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_plan_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
) -> Result<Response, Problem> {
    let city = net::city_for(&state, &caller.0, &slug, Action::ReadAssessment).await?;
    let mut out = String::from("capability,title,description,owner,due_on,status\n");
    for p in ops::plan(&state, &caller.0, &city).await? {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            p.capability,
            csv_field(&p.title),
            csv_field(&p.description),
            csv_field(&p.owner),
            p.due_on.map(|d| d.to_string()).unwrap_or_default(),
            p.status.as_str()
        );
    }
    Ok(csv(&format!("plan-{slug}.csv"), out))
}
