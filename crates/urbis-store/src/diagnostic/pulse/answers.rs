//! A respondent's answers to a pulse survey, and their submission.

use super::Respondent;
use super::campaigns::require_open;
use crate::audit::{self, commit_change};
use crate::diagnostic::{NewAnswer, StoredAnswer, answer_fields};
use crate::query::{all, by_id, check_answered, delete, fixed_sql, grouped, insert, optional, update_guarded};
use crate::row::record;
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use urbis_domain::diagnostic::Answer;
use uuid::Uuid;

record! {
    /// One stored answer of a respondent.
    #[derive(Debug, Clone, Serialize)]
    pub struct SurveyAnswer {
        pub respondent_id: Uuid,
        pub question_id: String,
        pub answer: Answer,
        pub normalised: Option<f64>,
        pub updated_at: DateTime<Utc>,
    }
}

/// The columns of survey answers (`a`), read with the answer under its own name.
const SURVEY_ANSWER_COLS: &str =
    "SELECT a.respondent_id, a.question_id, a.answer_json AS answer, a.normalised, a.updated_at FROM survey_answers a";

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

/// Replace one answer of a respondent inside the caller's transaction, audited with the answer it
/// replaced.
async fn replace_survey_answer(tx: &mut WriteTx, respondent_id: Uuid, n: &NewAnswer, at: DateTime<Utc>) -> Result<()> {
    let sql = fixed_sql(&[SURVEY_ANSWER_COLS, "WHERE a.respondent_id = $1 AND a.question_id = $2"]);
    let before: Option<SurveyAnswer> = optional(&mut **tx, sql, (respondent_id, n.question_id.as_str())).await?;
    let key = Fields::new().set("respondent_id", respondent_id);
    delete(tx, "survey_answers", key.clone().set("question_id", &n.question_id)).await?;
    insert(tx, "survey_answers", key.with(answer_fields(n, at)?), "").await?;
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
        all(
            &self.pool,
            fixed_sql(&[SURVEY_ANSWER_COLS, "WHERE a.respondent_id = $1 ORDER BY a.question_id"]),
            respondent_id,
        )
        .await
    }

    /// The answers of every submitted response of a campaign: respondent id → answers.
    pub async fn submitted_survey_answers(&self, campaign_id: Uuid) -> Result<HashMap<Uuid, Vec<SurveyAnswer>>> {
        let sql = fixed_sql(&[
            SURVEY_ANSWER_COLS,
            "JOIN survey_respondents r ON r.id = a.respondent_id WHERE r.campaign_id = $1 AND r.submitted_at IS NOT NULL",
        ]);
        grouped(&self.pool, sql, campaign_id, "respondent_id").await
    }

    /// Save a respondent's checked answers (a questionnaire page at once), all or none. Refused once
    /// submitted or unless the campaign is open. Each is audited with the answer it replaced.
    pub async fn put_survey_answers(&self, respondent_id: Uuid, answers: &[NewAnswer]) -> Result<Respondent> {
        let (mut tx, r) = self.begin_on::<Respondent>(respondent_id).await?;
        require_open(&by_id(&mut *tx, r.campaign_id).await?)?;
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
        update_guarded::<Respondent>(&mut tx, respondent_id, Fields::new(), "submitted_at IS NULL", refused).await?;
        let at = now();
        for n in answers {
            replace_survey_answer(&mut tx, respondent_id, n, at).await?;
        }
        let after = by_id(&mut *tx, respondent_id).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submit a respondent's answers: refused with the required questions left unanswered, once
    /// submitted, or unless the campaign is open.
    pub async fn submit_survey_response(&self, respondent_id: Uuid, required: &[String]) -> Result<Respondent> {
        let (mut tx, before) = self.begin_on::<Respondent>(respondent_id).await?;
        require_open(&by_id(&mut *tx, before.campaign_id).await?)?;
        let refused = || StoreError::refused("respondent", "already-submitted", "these answers are already submitted");
        if before.submitted_at.is_some() {
            return Err(refused());
        }
        check_answered(&mut tx, "survey_answers", Fields::new().set("respondent_id", respondent_id), required).await?;
        // Refused when submitted by someone else since the check above (PostgreSQL, READ COMMITTED).
        let fields = Fields::new().set("submitted_at", now());
        update_guarded::<Respondent>(&mut tx, respondent_id, fields, "submitted_at IS NULL", refused).await?;
        let after = by_id(&mut *tx, respondent_id).await?;
        commit_change(tx, None, "survey-response.submit", "survey-respondent", respondent_id, &before, after).await
    }
}
