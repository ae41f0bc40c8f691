//! Review of an assessment: experts' validation per capability, and the city's consolidated values
//! (overrides of the respondents' lower median).

use crate::api::{Api, ApiJson};
use crate::error::{BodyErrors, InvalidErrors, Problem, ReadErrors, RuleErrors};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use urbis_app::diagnostic as ops;
use urbis_domain::policy::Action;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct ValidationOut {
    pub capability: String,
    pub score: f64,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    /// The expert's comment and who they are: only for those who may read the assessment's
    /// answers (left out for the public reader of a published assessment).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub validated_by: Option<Uuid>,
    pub validated_at: DateTime<Utc>,
}

impl ValidationOut {
    /// A validation with its comment and expert when `detail` (the caller may read the answers).
    pub fn shown(v: urbis_store::diagnostic::Validation, detail: bool) -> Self {
        let mut out = ValidationOut::from(v);
        if !detail {
            out.comment = None;
            out.validated_by = None;
        }
        out
    }
}

impl From<urbis_store::diagnostic::Validation> for ValidationOut {
    fn from(v: urbis_store::diagnostic::Validation) -> Self {
        ValidationOut {
            capability: v.capability,
            score: v.score,
            confidence: v.confidence.as_str().into(),
            comment: Some(v.comment),
            validated_by: Some(v.validated_by),
            validated_at: v.validated_at,
        }
    }
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
    params(("id" = String, Path, description = "the assessment's id (a UUID)"), ("capability" = String, Path, description = "the capability's id in the instrument")),
    responses((status = 200, body = ValidationOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn put_validation(
    api: Api,
    Path((id, capability)): Path<(String, String)>,
    ApiJson(body): ApiJson<ValidationIn>,
) -> Result<Json<ValidationOut>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ValidateAssessment).await?;
    let v = ops::validate(&api.state, &api.caller, &loaded, &capability, body.score, &body.confidence, &body.comment)
        .await?;
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
    params(("id" = String, Path, description = "the assessment's id (a UUID)"), ("question_id" = String, Path, description = "the question's id in the instrument")),
    responses((status = 200, body = OverrideOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn put_override(
    api: Api,
    Path((id, question_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<OverrideIn>,
) -> Result<Json<OverrideOut>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::SubmitAssessment).await?;
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
    let o = ops::set_override(&api.state, &api.caller, &loaded, &question_id, Some((value, &body.reason)))
        .await?
        .ok_or_else(Problem::internal)?;
    Ok(Json(OverrideOut { question_id: o.question_id, value: o.normalised, reason: o.reason }))
}

/// Remove the city's consolidated value for a question: the lower median applies again.
#[utoipa::path(delete, path = "/assessments/{id}/overrides/{question_id}", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the assessment's id (a UUID)"), ("question_id" = String, Path, description = "the question's id in the instrument")),
    responses((status = 204), ReadErrors, InvalidErrors, RuleErrors))]
pub async fn delete_override(api: Api, Path((id, question_id)): Path<(String, String)>) -> Result<StatusCode, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::SubmitAssessment).await?;
    ops::set_override(&api.state, &api.caller, &loaded, &question_id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
