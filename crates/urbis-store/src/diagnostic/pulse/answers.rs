//! A respondent's answers to a pulse survey, and their submission.

use super::Respondent;
use super::campaigns::{campaign_in, require_open};
use super::respondents::respondent_in;
use crate::audit::{self, commit_change};
use crate::diagnostic::{NewAnswer, StoredAnswer};
use crate::query::{all, grouped, optional, update_guarded};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx, check_answered, now, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use urbis_domain::diagnostic::Answer;
use uuid::Uuid;

/// One stored answer of a respondent.
#[derive(Debug, Clone, Serialize)]
pub struct SurveyAnswer {
    pub respondent_id: Uuid,
    pub question_id: String,
    pub answer: Answer,
    pub normalised: Option<f64>,
    pub updated_at: DateTime<Utc>,
}

impl SurveyAnswer {
    /// The answer in the shape of an assessment's (no evidence or comment), so that the questionnaire
    /// views and the API's answer type serve both.
    pub fn as_stored(&self) -> StoredAnswer {
        StoredAnswer {
            respondent_id: self.respondent_id,
            question_id: self.question_id.clone(),
            answer: self.answer.clone(),
            normalised: self.normalised,
            evidence: String::new(),
            comment: String::new(),
            updated_at: self.updated_at,
        }
    }
}

fn survey_answer(r: &AnyRow) -> Result<SurveyAnswer> {
    Ok(SurveyAnswer {
        respondent_id: r.uuid("respondent_id")?,
        question_id: r.text("question_id")?,
        answer: r.json("answer_json")?,
        normalised: r.opt_float("normalised")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Replace one answer of a respondent inside the caller's transaction, audited with the answer it
/// replaced.
async fn replace_survey_answer(tx: &mut WriteTx, respondent_id: Uuid, n: &NewAnswer, at: DateTime<Utc>) -> Result<()> {
    let sql = "SELECT respondent_id, question_id, answer_json, normalised, updated_at FROM survey_answers \
         WHERE respondent_id = $1 AND question_id = $2";
    let before = optional(&mut **tx, sql, (respondent_id, n.question_id.as_str()), survey_answer).await?;
    sqlx::query("DELETE FROM survey_answers WHERE respondent_id = $1 AND question_id = $2")
        .bind(respondent_id.to_string())
        .bind(&n.question_id)
        .execute(&mut **tx)
        .await?;
    let json = serde_json::to_string(&n.answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    // sqlx 0.9's Any driver sends a NULL double as a float4 parameter, and PostgreSQL keeps
    // that type in the connection's cached statement, so a later value would be refused
    // ("incorrect binary data format"). A missing value is therefore written as a literal.
    let sql = if n.normalised.is_some() {
        "INSERT INTO survey_answers (respondent_id, question_id, answer_json, normalised, updated_at) \
         VALUES ($1, $2, $3, $5, $4)"
    } else {
        "INSERT INTO survey_answers (respondent_id, question_id, answer_json, normalised, updated_at) \
         VALUES ($1, $2, $3, NULL, $4)"
    };
    let q = sqlx::query(sql).bind(respondent_id.to_string()).bind(&n.question_id).bind(&json).bind(ts(at));
    let q = match n.normalised {
        Some(v) => q.bind(v),
        None => q,
    };
    q.execute(&mut **tx).await?;
    let after = SurveyAnswer {
        respondent_id,
        question_id: n.question_id.clone(),
        answer: n.answer.clone(),
        normalised: n.normalised,
        updated_at: at,
    };
    let entity = respondent_id.to_string();
    audit::record(tx, None, "survey-answer.put", "survey-respondent", &entity, before.as_ref(), Some(&after)).await
}

impl Store {
    /// A respondent's answers, by question.
    pub async fn survey_answers(&self, respondent_id: Uuid) -> Result<Vec<SurveyAnswer>> {
        let sql = "SELECT respondent_id, question_id, answer_json, normalised, updated_at FROM survey_answers \
             WHERE respondent_id = $1 ORDER BY question_id";
        all(&self.pool, sql, respondent_id, survey_answer).await
    }

    /// The answers of every submitted response of a campaign: respondent id → answers.
    pub async fn submitted_survey_answers(&self, campaign_id: Uuid) -> Result<HashMap<Uuid, Vec<SurveyAnswer>>> {
        let sql = "SELECT a.respondent_id, a.question_id, a.answer_json, a.normalised, a.updated_at FROM survey_answers a \
             JOIN survey_respondents r ON r.id = a.respondent_id \
             WHERE r.campaign_id = $1 AND r.submitted_at IS NOT NULL";
        grouped(&self.pool, sql, campaign_id, "respondent_id", survey_answer).await
    }

    /// Save a respondent's checked answers (a questionnaire page at once), all or none. Refused once
    /// submitted or unless the campaign is open. Each is audited with the answer it replaced.
    pub async fn put_survey_answers(&self, respondent_id: Uuid, answers: &[NewAnswer]) -> Result<Respondent> {
        let mut tx = self.begin_write().await?;
        let r = respondent_in(&mut tx, respondent_id).await?;
        require_open(&campaign_in(&mut tx, r.campaign_id).await?)?;
        let refused = || {
            StoreError::refused(
                "respondent",
                "already-submitted",
                "these answers are submitted and can no longer be changed",
            )
        };
        if r.submitted_at.is_some() {
            return Err(refused());
        }
        // Claim the response before writing: the condition refuses it when a submission committed
        // since the check (PostgreSQL, READ COMMITTED), and holding the row makes one wait for us.
        let claim =
            sqlx::query("UPDATE survey_respondents SET version = version + 1 WHERE id = $1 AND submitted_at IS NULL")
                .bind(respondent_id.to_string());
        update_guarded(&mut tx, claim, refused).await?;
        let at = now();
        for n in answers {
            replace_survey_answer(&mut tx, respondent_id, n, at).await?;
        }
        let after = respondent_in(&mut tx, respondent_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submit a respondent's answers: refused with the required questions left unanswered, once
    /// submitted, or unless the campaign is open.
    pub async fn submit_survey_response(&self, respondent_id: Uuid, required: &[String]) -> Result<Respondent> {
        let mut tx = self.begin_write().await?;
        let before = respondent_in(&mut tx, respondent_id).await?;
        require_open(&campaign_in(&mut tx, before.campaign_id).await?)?;
        let refused = || StoreError::refused("respondent", "already-submitted", "these answers are already submitted");
        if before.submitted_at.is_some() {
            return Err(refused());
        }
        let answered: Vec<String> =
            sqlx::query_scalar("SELECT question_id FROM survey_answers WHERE respondent_id = $1")
                .bind(respondent_id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        check_answered(required, &answered)?;
        // Refused when submitted by someone else since the check above (PostgreSQL, READ COMMITTED).
        let update = sqlx::query(
            "UPDATE survey_respondents SET submitted_at = $1, version = version + 1 WHERE id = $2 AND submitted_at IS NULL",
        )
        .bind(ts(now()))
        .bind(respondent_id.to_string());
        update_guarded(&mut tx, update, refused).await?;
        let after = respondent_in(&mut tx, respondent_id).await?;
        commit_change(tx, None, "survey-response.submit", "survey-respondent", respondent_id, &before, after).await
    }
}
