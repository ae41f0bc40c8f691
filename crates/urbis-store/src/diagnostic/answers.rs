//! Answers of an assessment, per respondent, and the city lead's consolidated overrides.

use super::Assessment;
use super::AssessmentStatus;
use crate::audit::{self, commit_audited};
use crate::query::{all, delete, fixed_sql, grouped, insert, optional, update_guarded};
use crate::row::{RowExt, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Executor};
use std::collections::{BTreeMap, HashMap};
use urbis_domain::diagnostic::{Answer, Instrument};
use uuid::Uuid;

record! {
    /// One respondent's stored answer.
    #[derive(Debug, Clone, Serialize)]
    pub struct StoredAnswer {
        pub respondent_id: Uuid,
        pub question_id: String,
        pub answer: Answer,
        /// The normalised value; `None` for "not applicable".
        pub normalised: Option<f64>,
        pub evidence: String,
        pub comment: String,
        pub updated_at: DateTime<Utc>,
    }
}

/// The `SELECT` of assessments' answers (with the assessment's id).
const ANSWER_SELECT: &str = "SELECT assessment_id, respondent_id, question_id, answer_json AS answer, normalised, \
     evidence, comment, updated_at FROM answers";

/// An answer to save (already checked and normalised against the instrument).
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub question_id: String,
    pub answer: Answer,
    pub normalised: Option<f64>,
    pub evidence: String,
    pub comment: String,
}

record! {
    /// The city lead's consolidated value for a question, replacing the median.
    #[derive(Debug, Clone, Serialize)]
    pub struct Override {
        pub question_id: String,
        pub normalised: Option<f64>,
        pub reason: String,
    }
}

const OVERRIDE_SELECT: &str = "SELECT question_id, normalised, reason FROM answer_overrides";

/// Respondents' normalised values of scored questions: one map per respondent, in a stable order.
pub fn by_respondent(inst: &Instrument, answers: &[StoredAnswer]) -> Vec<HashMap<String, Option<f64>>> {
    let mut map: BTreeMap<Uuid, HashMap<String, Option<f64>>> = BTreeMap::new();
    for a in answers {
        if inst.question(&a.question_id).is_some() {
            map.entry(a.respondent_id).or_default().insert(a.question_id.clone(), a.normalised);
        }
    }
    map.into_values().collect()
}

/// Every answer of an assessment, by question then respondent.
pub(super) async fn answer_rows<'e>(e: impl Executor<'e, Database = Any>, id: Uuid) -> Result<Vec<StoredAnswer>> {
    all(e, fixed_sql(&[ANSWER_SELECT, "WHERE assessment_id = $1 ORDER BY question_id, respondent_id"]), id).await
}

/// Every override of an assessment, by question.
pub(super) async fn override_rows<'e>(e: impl Executor<'e, Database = Any>, id: Uuid) -> Result<Vec<Override>> {
    all(e, fixed_sql(&[OVERRIDE_SELECT, "WHERE assessment_id = $1 ORDER BY question_id"]), id).await
}

/// The refusal of a change to the answers of an assessment that is no longer a draft.
fn not_draft() -> StoreError {
    StoreError::refused("status", "not-draft", "the assessment is submitted; ask programme staff to reopen it")
}

/// Refuse a change to the answers of an assessment that is no longer a draft.
fn require_draft(status: AssessmentStatus) -> Result<()> {
    if status == AssessmentStatus::Draft { Ok(()) } else { Err(not_draft()) }
}

/// Move a draft to its next version for a change to its answers, before anything else is written;
/// refused as [`require_draft`] does when it is no longer a draft. The `status = 'draft'` condition
/// holds even when a submission commits after the caller's check (PostgreSQL, READ COMMITTED): the
/// `UPDATE` then matches no row. Holding the row from here on also makes a submission wait for the
/// change. No version guard: respondents answering different questions at once must all succeed.
async fn touch_draft(tx: &mut WriteTx, assessment_id: Uuid) -> Result<()> {
    update_guarded::<Assessment>(tx, assessment_id, Fields::new(), "status = 'draft'", not_draft).await
}

impl Store {
    /// Every answer of an assessment, all respondents.
    pub async fn answers(&self, assessment_id: Uuid) -> Result<Vec<StoredAnswer>> {
        answer_rows(&self.pool, assessment_id).await
    }

    /// The answers of many assessments at once (for benchmarks): assessment id → answers.
    pub async fn wave_answers(&self, wave_id: Uuid, instrument_slug: &str) -> Result<HashMap<Uuid, Vec<StoredAnswer>>> {
        let sql = fixed_sql(&[
            ANSWER_SELECT,
            "WHERE assessment_id IN (SELECT id FROM assessments WHERE wave_id = $1 AND instrument_slug = $2)",
        ]);
        grouped(&self.pool, sql, (wave_id, instrument_slug), "assessment_id").await
    }

    /// The overrides of every assessment of an instrument in a wave: assessment id → question → value.
    pub async fn wave_overrides(
        &self,
        wave_id: Uuid,
        instrument_slug: &str,
    ) -> Result<HashMap<Uuid, HashMap<String, Option<f64>>>> {
        let rows = sqlx::query(
            "SELECT o.assessment_id, o.question_id, o.normalised FROM answer_overrides o \
             JOIN assessments a ON a.id = o.assessment_id WHERE a.wave_id = $1 AND a.instrument_slug = $2",
        )
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Uuid, HashMap<String, Option<f64>>> = HashMap::new();
        for r in &rows {
            out.entry(r.uuid("assessment_id")?).or_default().insert(r.text("question_id")?, r.opt_float("normalised")?);
        }
        Ok(out)
    }

    pub async fn overrides(&self, assessment_id: Uuid) -> Result<Vec<Override>> {
        override_rows(&self.pool, assessment_id).await
    }

    /// Set (or with `None`, remove) the city's consolidated value for a question, replacing the
    /// respondents' median, with a reason; only while the assessment is a draft. Audited.
    pub async fn set_override(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        question_id: &str,
        value: Option<(Option<f64>, String)>,
    ) -> Result<Option<Override>> {
        let (mut tx, a) = self.begin_on::<Assessment>(assessment_id).await?;
        require_draft(a.status)?;
        touch_draft(&mut tx, assessment_id).await?;
        let sql = fixed_sql(&[OVERRIDE_SELECT, "WHERE assessment_id = $1 AND question_id = $2"]);
        let before: Option<Override> = optional(&mut *tx, sql, (assessment_id, question_id)).await?;
        let key = Fields::new().set("assessment_id", assessment_id).set("question_id", question_id);
        delete(&mut tx, "answer_overrides", key.clone()).await?;
        let after = match value {
            None => None,
            Some((normalised, reason)) => {
                let fields = key.set("normalised", normalised).set("reason", &reason).set("set_by", actor);
                insert(&mut tx, "answer_overrides", fields.set("set_at", now()), "").await?;
                Some(Override { question_id: question_id.to_string(), normalised, reason })
            }
        };
        let action = "assessment.override";
        commit_audited(tx, Some(actor), action, "assessment", assessment_id, before.as_ref(), after.as_ref()).await?;
        Ok(after)
    }

    /// Save one respondent's answer to one question (insert or replace) in a draft assessment.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_answer(
        &self,
        respondent: Uuid,
        assessment_id: Uuid,
        question_id: &str,
        answer: &Answer,
        normalised: Option<f64>,
        evidence: &str,
        comment: &str,
    ) -> Result<StoredAnswer> {
        let new = NewAnswer {
            question_id: question_id.to_string(),
            answer: answer.clone(),
            normalised,
            evidence: evidence.to_string(),
            comment: comment.to_string(),
        };
        let mut saved = self.put_answers(respondent, assessment_id, std::slice::from_ref(&new)).await?;
        saved.pop().ok_or_else(|| StoreError::Corrupt("no answer saved".into()))
    }

    /// Save several answers of one respondent in a draft assessment, all or none, in one
    /// transaction (a questionnaire page saves a whole section at once). Each replaces the
    /// respondent's earlier answer to that question and is audited with the one it replaced.
    pub async fn put_answers(
        &self,
        respondent: Uuid,
        assessment_id: Uuid,
        answers: &[NewAnswer],
    ) -> Result<Vec<StoredAnswer>> {
        let (mut tx, a) = self.begin_on::<Assessment>(assessment_id).await?;
        require_draft(a.status)?;
        let at = now();
        touch_draft(&mut tx, assessment_id).await?;
        let mut saved = Vec::with_capacity(answers.len());
        for n in answers {
            saved.push(replace_answer(&mut tx, respondent, assessment_id, n, at).await?);
        }
        tx.commit().await?;
        Ok(saved)
    }
}

/// Replace one respondent's answer to one question inside the caller's transaction, audited with
/// the answer it replaced.
async fn replace_answer(
    tx: &mut WriteTx,
    respondent: Uuid,
    assessment_id: Uuid,
    n: &NewAnswer,
    at: DateTime<Utc>,
) -> Result<StoredAnswer> {
    let sql = fixed_sql(&[ANSWER_SELECT, "WHERE assessment_id = $1 AND respondent_id = $2 AND question_id = $3"]);
    let before: Option<StoredAnswer> =
        optional(&mut **tx, sql, (assessment_id, respondent, n.question_id.as_str())).await?;
    let key = Fields::new().set("assessment_id", assessment_id).set("respondent_id", respondent);
    delete(tx, "answers", key.set("question_id", &n.question_id)).await?;
    insert_answer(tx, assessment_id, respondent, n, at).await?;
    let after = StoredAnswer {
        respondent_id: respondent,
        question_id: n.question_id.clone(),
        answer: n.answer.clone(),
        normalised: n.normalised,
        evidence: n.evidence.clone(),
        comment: n.comment.clone(),
        updated_at: at,
    };
    let entity = assessment_id.to_string();
    audit::record(tx, Some(respondent), "answer.put", "assessment", &entity, before.as_ref(), Some(&after)).await?;
    Ok(after)
}

/// Add one respondent's answer to one question of an assessment inside the caller's transaction.
pub(super) async fn insert_answer(
    tx: &mut WriteTx,
    assessment_id: Uuid,
    respondent: Uuid,
    n: &NewAnswer,
    at: DateTime<Utc>,
) -> Result<()> {
    let fields = Fields::new().set("assessment_id", assessment_id).set("respondent_id", respondent);
    let fields = fields.with(answer_fields(n, at)?).set("evidence", &n.evidence).set("comment", &n.comment);
    insert(tx, "answers", fields, "").await?;
    Ok(())
}

/// The columns of a respondent's answer that assessments and pulse surveys both store, saved at `at`.
pub(crate) fn answer_fields(n: &NewAnswer, at: DateTime<Utc>) -> Result<Fields> {
    let json = serde_json::to_string(&n.answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(Fields::new()
        .set("question_id", &n.question_id)
        .set("answer_json", json)
        .set("normalised", n.normalised)
        .set("updated_at", at))
}
