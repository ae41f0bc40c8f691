//! Assessments: one city, one wave, one instrument version; drafted, submitted, published,
//! reopened.

use super::results::refresh_results;
use super::waves::{results_changed, wave_in};
use crate::audit::{commit_audited, commit_change, commit_created};
use crate::query::{all, fixed_sql, one, update_guarded, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx, check_answered, check_version, now, ts};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use urbis_domain::diagnostic::Answer;
use uuid::Uuid;

/// The state of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentStatus {
    Draft,
    Submitted,
}

impl AssessmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Submitted => "submitted",
        }
    }
    fn parse(s: &str) -> Result<Self, String> {
        match s {
            "draft" => Ok(AssessmentStatus::Draft),
            "submitted" => Ok(AssessmentStatus::Submitted),
            other => Err(format!("bad assessment status {other}")),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub wave_id: Uuid,
    pub wave_slug: String,
    pub wave_name: String,
    pub instrument_slug: String,
    pub instrument_version: u32,
    pub status: AssessmentStatus,
    pub published: bool,
    pub is_sample: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The city's country and population, for peer groups.
    pub organisation_country: String,
    pub organisation_population: Option<u64>,
}

pub(super) const ASSESSMENT_COLS: &str = "a.id, a.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name, \
     o.country_code AS organisation_country, o.population AS organisation_population, \
     a.wave_id, w.slug AS wave_slug, w.name AS wave_name, a.instrument_slug, a.instrument_version, a.status, a.published, a.is_sample, \
     a.submitted_at, a.version, a.updated_at";
pub(super) const ASSESSMENT_FROM: &str =
    "FROM assessments a JOIN organisations o ON o.id = a.organisation_id JOIN waves w ON w.id = a.wave_id";

/// The `SELECT` of assessments (`a`) with their city (`o`) and wave (`w`), then `rest`.
fn assessment_sql(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&["SELECT", ASSESSMENT_COLS, ASSESSMENT_FROM, rest])
}

pub(super) fn assessment(r: &AnyRow) -> Result<Assessment> {
    Ok(Assessment {
        id: r.uuid("id")?,
        organisation_id: r.uuid("organisation_id")?,
        organisation_slug: r.text("organisation_slug")?,
        organisation_name: r.text("organisation_name")?,
        wave_id: r.uuid("wave_id")?,
        wave_slug: r.text("wave_slug")?,
        wave_name: r.text("wave_name")?,
        instrument_slug: r.text("instrument_slug")?,
        instrument_version: r.int("instrument_version")? as u32,
        status: r.parsed("status", AssessmentStatus::parse)?,
        published: r.flag("published")?,
        is_sample: r.flag("is_sample")?,
        organisation_country: r.text("organisation_country")?,
        organisation_population: r.opt_int("organisation_population")?.map(|p| p.max(0) as u64),
        submitted_at: r.opt_ts("submitted_at")?,
        version: r.int("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// An assessment read inside a write transaction; `NotFound` when there is none.
pub(super) async fn assessment_in(tx: &mut WriteTx, id: Uuid) -> Result<Assessment> {
    one(&mut **tx, assessment_sql("WHERE a.id = $1"), id, assessment).await
}

/// The refusal to submit an assessment that is no longer a draft.
fn already_submitted() -> StoreError {
    StoreError::refused("status", "not-draft", "the assessment is already submitted")
}

/// The refusal to reopen an assessment that is not submitted.
fn not_submitted() -> StoreError {
    StoreError::refused("status", "not-submitted", "only a submitted assessment can be reopened")
}

/// Read an assessment back after a change, audit the change with the record before and after, and
/// commit.
async fn finish_change(mut tx: WriteTx, actor: Uuid, action: &str, before: &Assessment) -> Result<Assessment> {
    let after = assessment_in(&mut tx, before.id).await?;
    commit_change(tx, Some(actor), action, "assessment", before.id, before, after).await
}

/// Does the city already have an assessment with this instrument in this wave?
async fn assessment_exists(
    tx: &mut WriteTx,
    organisation_id: Uuid,
    wave_id: Uuid,
    instrument_slug: &str,
) -> Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM assessments WHERE organisation_id = $1 AND wave_id = $2 AND instrument_slug = $3",
    )
    .bind(organisation_id.to_string())
    .bind(wave_id.to_string())
    .bind(instrument_slug)
    .fetch_one(&mut **tx)
    .await?;
    Ok(n > 0)
}

impl Store {
    /// Start an assessment of a city in a wave with the newest version of an instrument.
    pub async fn create_assessment(
        &self,
        actor: Option<Uuid>,
        organisation_id: Uuid,
        wave_id: Uuid,
        instrument_slug: &str,
        is_sample: bool,
    ) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM instruments WHERE slug = $1")
            .bind(instrument_slug)
            .fetch_one(&mut *tx)
            .await?;
        let version =
            version.ok_or_else(|| StoreError::refused("instrument", "unknown-instrument", "no such instrument"))?;
        if wave_in(&mut tx, wave_id).await?.closed_at.is_some() {
            return Err(StoreError::refused(
                "wave",
                "wave-closed",
                "the wave is closed; no new assessment can start in it",
            ));
        }
        if assessment_exists(&mut tx, organisation_id, wave_id, instrument_slug).await? {
            return Err(StoreError::refused(
                "wave",
                "assessment-exists",
                "this city already has an assessment with this instrument in this wave",
            ));
        }
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO assessments (id, organisation_id, wave_id, instrument_slug, instrument_version, status, published, is_sample, \
             created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', 0, $6, $7, 1, $8, $8)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .bind(version)
        .bind(i64::from(is_sample))
        .bind(actor.map(|a| a.to_string()))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let a = assessment_in(&mut tx, id).await?;
        commit_created(tx, actor, "assessment.create", "assessment", id, a).await
    }

    pub async fn assessment(&self, id: Uuid) -> Result<Assessment> {
        one(&self.pool, assessment_sql("WHERE a.id = $1"), id, assessment).await
    }

    /// Assessments of one instrument in one wave, by city name.
    pub async fn wave_assessments(&self, wave_id: Uuid, instrument_slug: &str) -> Result<Vec<Assessment>> {
        let sql = assessment_sql("WHERE a.wave_id = $1 AND a.instrument_slug = $2 ORDER BY o.name, o.slug");
        all(&self.pool, sql, (wave_id, instrument_slug), assessment).await
    }

    /// A city's assessments with one instrument, oldest wave first.
    pub async fn organisation_assessments(
        &self,
        organisation_id: Uuid,
        instrument_slug: &str,
    ) -> Result<Vec<Assessment>> {
        let sql = assessment_sql("WHERE a.organisation_id = $1 AND a.instrument_slug = $2 ORDER BY w.opens_on, w.slug");
        all(&self.pool, sql, (organisation_id, instrument_slug), assessment).await
    }

    /// Import a complete, submitted assessment in one transaction (sample and synthetic data):
    /// the answers are already checked and normalised by the caller. Skipped when the city already
    /// has an assessment with this instrument in this wave. Returns whether it was added.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_assessment(
        &self,
        organisation_id: Uuid,
        wave_id: Uuid,
        instrument_slug: &str,
        instrument_version: u32,
        respondent: Uuid,
        answers: &[(String, Answer, Option<f64>)],
        published: bool,
        is_sample: bool,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        if assessment_exists(&mut tx, organisation_id, wave_id, instrument_slug).await? {
            return Ok(false);
        }
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO assessments (id, organisation_id, wave_id, instrument_slug, instrument_version, status, published, is_sample, \
             created_by, submitted_at, submitted_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $8, 1, $9, $9)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .bind(i64::from(instrument_version))
        .bind(i64::from(published))
        .bind(i64::from(is_sample))
        .bind(respondent.to_string())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        for (question, answer, normalised) in answers {
            let json = serde_json::to_string(answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO answers (assessment_id, respondent_id, question_id, answer_json, normalised, evidence, comment, updated_at) \
                 VALUES ($1, $2, $3, $4, CASE WHEN $7 = 1 THEN $5 END, '', '', $6)",
            )
            .bind(id.to_string())
            .bind(respondent.to_string())
            .bind(question)
            .bind(&json)
            .bind(normalised.unwrap_or(0.0))
            .bind(&at)
            .bind(i64::from(normalised.is_some()))
            .execute(&mut *tx)
            .await?;
        }
        refresh_results(&mut tx, id).await?;
        commit_audited::<(), _>(tx, None, "assessment.import", "assessment", id, None, Some(&answers.len())).await?;
        Ok(true)
    }

    /// Publish or unpublish an assessment's scores (the city's choice); versioned and audited.
    pub async fn set_published(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        expected_version: i64,
        published: bool,
    ) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let before = assessment_in(&mut tx, assessment_id).await?;
        check_version(expected_version, before.version)?;
        if before.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused(
                "published",
                "not-submitted",
                "only a submitted assessment can be published",
            ));
        }
        let update = sqlx::query(
            "UPDATE assessments SET published = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4",
        )
        .bind(i64::from(published))
        .bind(ts(now()));
        update_versioned(&mut tx, "assessments", assessment_id, expected_version, update).await?;
        results_changed(&mut tx, before.wave_id).await?;
        finish_change(tx, actor, "assessment.publish", &before).await
    }

    /// Submit a draft: refused with the list of required questions nobody has answered.
    pub async fn submit_assessment(&self, actor: Uuid, assessment_id: Uuid, required: &[String]) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(already_submitted());
        }
        let answered: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT question_id FROM answers WHERE assessment_id = $1")
                .bind(assessment_id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        check_answered(required, &answered)?;
        let at = ts(now());
        // Refused when submitted by someone else since the check above (PostgreSQL, READ COMMITTED).
        let update = sqlx::query(
            "UPDATE assessments SET status = 'submitted', submitted_at = $1, submitted_by = $2, version = version + 1, updated_at = $1 \
             WHERE id = $3 AND status = 'draft'",
        )
        .bind(&at)
        .bind(actor.to_string())
        .bind(assessment_id.to_string());
        update_guarded(&mut tx, update, already_submitted).await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, "assessment.submit", &a).await
    }

    /// Reopen a submitted assessment for changes, with a reason (audited).
    pub async fn reopen_assessment(&self, actor: Uuid, assessment_id: Uuid, reason: &str) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(not_submitted());
        }
        // Refused when reopened by someone else since the check above (PostgreSQL, READ COMMITTED).
        let update = sqlx::query(
            "UPDATE assessments SET status = 'draft', version = version + 1, updated_at = $1 WHERE id = $2 AND status = 'submitted'",
        )
        .bind(ts(now()))
        .bind(assessment_id.to_string());
        update_guarded(&mut tx, update, not_submitted).await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, &format!("assessment.reopen: {reason}"), &a).await
    }
}
