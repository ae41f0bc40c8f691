//! Pulse surveys as their respondents see them: the questionnaire, answers and submission,
//! authorised by the personal link alone (no account is needed).

use super::{AnswerIn, AnswerOut};
use crate::AppState;
use crate::api::ApiJson;
use crate::error::{BodyErrors, NotFoundErrors, Problem, RuleErrors};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use urbis_app::diagnostic::pulse as ops;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct SurveyOut {
    pub title: String,
    /// `open` takes answers; `draft` and `closed` do not.
    pub status: String,
    pub closes_on: NaiveDate,
    pub organisation: String,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The instrument version the survey was sent with (its questions, types, levels, items).
    #[schema(value_type = Object)]
    pub instrument: serde_json::Value,
    /// The answers saved so far.
    pub answers: Vec<AnswerOut>,
}

async fn survey_out(state: &AppState, r: &ops::Respondence) -> Result<SurveyOut, Problem> {
    Ok(SurveyOut {
        title: r.campaign.title.clone(),
        status: r.campaign.status.as_str().into(),
        closes_on: r.campaign.closes_on,
        organisation: r.respondent.organisation_name.clone(),
        submitted_at: r.respondent.submitted_at,
        instrument: serde_json::to_value(&r.instrument).map_err(|_| Problem::internal())?,
        answers: ops::answers(state, r).await?.iter().map(|a| a.as_stored().into()).collect(),
    })
}

/// A respondent's questionnaire and saved answers. The link from the invitation e-mail is the only
/// credential; no account is needed.
#[utoipa::path(get, path = "/surveys/{token}", tag = "diagnostic",
    params(("token" = String, Path, description = "the secret token of the respondent's link")),
    responses((status = 200, body = SurveyOut), NotFoundErrors))]
pub async fn get_survey(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<SurveyOut>, Problem> {
    let r = ops::by_token(&state, &token).await?;
    Ok(Json(survey_out(&state, &r).await?))
}

/// Answer one question (replaces the earlier answer). Send exactly one of `level`, `ticked`,
/// `choice`, `value` or `not_applicable: true`. 409 once submitted or when the survey is not open.
#[utoipa::path(put, path = "/surveys/{token}/answers/{question_id}", tag = "diagnostic", request_body = AnswerIn,
    params(("token" = String, Path, description = "the secret token of the respondent's link"), ("question_id" = String, Path, description = "the question's id in the instrument")),
    responses((status = 200, body = AnswerOut), NotFoundErrors, BodyErrors, RuleErrors))]
pub async fn put_survey_answer(
    State(state): State<AppState>,
    Path((token, question_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<AnswerOut>, Problem> {
    let r = ops::by_token(&state, &token).await?;
    if !body.evidence.is_empty() || !body.comment.is_empty() {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "evidence",
            "not-allowed",
            "pulse surveys take no evidence or comment",
        ));
    }
    let checked = ops::check(&r, &question_id, body.answer()?)?;
    ops::save(&state, &r, std::slice::from_ref(&checked)).await?;
    let saved = ops::answers(&state, &r).await?;
    let a = saved.into_iter().find(|a| a.question_id == question_id).ok_or_else(Problem::internal)?;
    Ok(Json(a.as_stored().into()))
}

/// Submit the answers (they are then locked). 409 lists the required questions left unanswered.
#[utoipa::path(post, path = "/surveys/{token}/submit", tag = "diagnostic",
    params(("token" = String, Path, description = "the secret token of the respondent's link")),
    responses((status = 200, body = SurveyOut), NotFoundErrors, RuleErrors))]
pub async fn submit_survey(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<SurveyOut>, Problem> {
    let r = ops::by_token(&state, &token).await?;
    let respondent = ops::submit(&state, &r).await?;
    let r = ops::Respondence { respondent, ..r };
    Ok(Json(survey_out(&state, &r).await?))
}
