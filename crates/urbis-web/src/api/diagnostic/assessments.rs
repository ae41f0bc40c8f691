//! Assessments: starting, reading, submitting, publishing and reopening them, with their scores, and
//! an assessment as CSV.

use super::answers::AnswerOut;
use super::review::ValidationOut;
use super::{csv, csv_field, num};
use crate::AppState;
use crate::api::{Api, ApiJson, IfMatch, created, with_etag};
use crate::error::{BodyErrors, Problem, ReadErrors, RuleErrors, VersionErrors};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use urbis_app::Caller;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::diagnostic::{CapabilityResult, Scores, Spread};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::{Assessment, StoredAnswer};
use utoipa::ToSchema;
use uuid::Uuid;

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
    /// Every respondent's answers, with their evidence and comments: only for those who may read
    /// them (the city's team, the programme's staff, experts and reviewers); left out for everyone
    /// else, who reads a published assessment's scores only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answers: Option<Vec<AnswerOut>>,
    /// Self-assessed scores, computed from the answers (the spread between respondents only for
    /// those who may read the answers).
    pub scores: ScoresOut,
    /// Expert validation per capability (kept beside the self-assessed scores).
    pub validations: Vec<ValidationOut>,
}

async fn full(
    state: &AppState,
    caller: &Caller,
    loaded: &ops::Loaded,
    a: Assessment,
) -> Result<AssessmentOut, Problem> {
    let v = ops::view(state, caller, loaded, a).await?;
    let shown = v.answers_shown;
    let validations = v.validations.into_iter().map(|x| ValidationOut::shown(x, shown)).collect();
    Ok(assessment_out(v.assessment, v.answers, &v.scores, validations))
}

fn assessment_out(
    a: Assessment,
    answers: Option<Vec<StoredAnswer>>,
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
        answers: answers.map(|list| list.into_iter().map(Into::into).collect()),
        scores: scores.into(),
        validations,
    }
}

/// Start an assessment of a city (its lead or programme staff).
#[utoipa::path(post, path = "/cities/{slug}/assessments", tag = "diagnostic", security(("bearer" = [])), request_body = AssessmentCreate,
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 201, body = AssessmentOut, headers(("Location" = String, description = "Where the created record is read"))), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_assessment(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<AssessmentCreate>,
) -> Result<Response, Problem> {
    let city = net::city(&api.state, &slug).await?;
    let a =
        ops::create(&api.state, &api.caller, &city, body.programme.as_deref(), &body.wave, &body.instrument).await?;
    let loaded = ops::load_for(&api.state, &api.caller, &a.id.to_string(), Action::ReadAssessment).await?;
    let location = format!("/api/v1/assessments/{}", a.id);
    Ok(crate::api::with_location(&location, created(full(&api.state, &api.caller, &loaded, a).await?)))
}

/// An assessment with its answers and scores (its city's team, programme staff, experts and
/// reviewers; anyone when published).
#[utoipa::path(get, path = "/assessments/{id}", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the assessment's id (a UUID)")),
    responses((status = 200, body = AssessmentOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_assessment(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReadAssessment).await?;
    let a = loaded.assessment.clone();
    Ok(with_etag(a.version, full(&api.state, &api.caller, &loaded, a).await?))
}

/// Submit (locks the answers). 409 lists the required questions nobody has answered.
#[utoipa::path(post, path = "/assessments/{id}/submit", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the assessment's id (a UUID)")),
    responses((status = 200, body = AssessmentOut), ReadErrors, RuleErrors))]
pub async fn submit_assessment(api: Api, Path(id): Path<String>) -> Result<Json<AssessmentOut>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::SubmitAssessment).await?;
    let a = ops::submit(&api.state, &api.caller, &loaded).await?;
    Ok(Json(full(&api.state, &api.caller, &loaded, a).await?))
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
    params(("id" = String, Path, description = "the assessment's id (a UUID)"), ("If-Match" = String, Header, description = "the assessment's version, as returned in `version`")),
    responses((status = 200, body = AssessmentOut), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn patch_assessment(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<AssessmentPatch>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::PublishAssessment).await?;
    let version = if_match.version_of(loaded.assessment.version)?;
    let a = ops::publish(&api.state, &api.caller, &loaded, version, body.published).await?;
    Ok(with_etag(a.version, full(&api.state, &api.caller, &loaded, a).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReopenIn {
    /// Why the submitted assessment is opened again (kept in the audit log).
    pub reason: String,
}

/// Reopen a submitted assessment for changes (programme staff), with a reason.
#[utoipa::path(post, path = "/assessments/{id}/reopen", tag = "diagnostic", security(("bearer" = [])), request_body = ReopenIn,
    params(("id" = String, Path, description = "the assessment's id (a UUID)")),
    responses((status = 200, body = AssessmentOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn reopen_assessment(
    api: Api,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ReopenIn>,
) -> Result<Json<AssessmentOut>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReopenAssessment).await?;
    let a = ops::reopen(&api.state, &api.caller, &loaded, &body.reason).await?;
    Ok(Json(full(&api.state, &api.caller, &loaded, a).await?))
}

/// An assessment's answers as CSV: every answer (question, respondent, answer, normalised value,
/// evidence, comment), then the scores. Only for those who may read its answers (the city's team,
/// the programme's staff, experts and reviewers), published or not: publication shows scores.
#[utoipa::path(get, path = "/assessments/{id}/answers.csv", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the assessment's id (a UUID)")),
    responses((status = 200, content_type = "text/csv", body = String), ReadErrors))]
pub async fn get_assessment_csv(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReadAnswers).await?;
    let (inst, answers, scores) = ops::answers_export(&api.state, &api.caller, &loaded).await?;
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
