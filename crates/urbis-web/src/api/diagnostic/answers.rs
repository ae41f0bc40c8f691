//! Answers to a question, as sent and as stored; shared by assessments and pulse surveys.

use crate::api::{Api, ApiJson};
use crate::error::{BodyErrors, Problem, ReadErrors, RuleErrors};
use axum::Json;
use axum::extract::Path;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use urbis_app::diagnostic as ops;
use urbis_domain::diagnostic::{Answer, Choice};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::StoredAnswer;
use utoipa::ToSchema;
use uuid::Uuid;

/// One answer. Send exactly one of `level`, `ticked`, `choice`, `value` (context questions) or
/// `not_applicable: true`, with optional `evidence` and `comment`.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct AnswerIn {
    pub level: Option<i64>,
    pub ticked: Option<Vec<String>>,
    /// `yes`, `partial` or `no`.
    pub choice: Option<String>,
    /// A context question's answer: a number or a text.
    #[schema(value_type = Option<AnswerValue>)]
    pub value: Option<serde_json::Value>,
    pub not_applicable: Option<bool>,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub comment: String,
}

/// What `AnswerIn.value` takes (documentation only: the value is checked when the answer is read,
/// so that a wrong one is a 422 naming `value`).
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub enum AnswerValue {
    Number(f64),
    Text(String),
}

impl AnswerIn {
    pub(crate) fn answer(&self) -> Result<Answer, Problem> {
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

/// Answer one question as the calling respondent (replaces that respondent's previous answer).
#[utoipa::path(put, path = "/assessments/{id}/answers/{question_id}", tag = "diagnostic", security(("bearer" = [])), request_body = AnswerIn,
    params(("id" = String, Path, description = "the assessment's id (a UUID)"), ("question_id" = String, Path, description = "the question's id in the instrument")),
    responses((status = 200, body = AnswerOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn put_answer(
    api: Api,
    Path((id, question_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<AnswerIn>,
) -> Result<Json<AnswerOut>, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::AnswerAssessment).await?;
    let answer = body.answer()?;
    Ok(Json(
        ops::answer(&api.state, &api.caller, &loaded, &question_id, answer, &body.evidence, &body.comment)
            .await?
            .into(),
    ))
}
