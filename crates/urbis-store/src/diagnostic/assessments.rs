//! Assessments: one city, one wave, one instrument version; drafted, submitted, published,
//! reopened.

use super::answers::{NewAnswer, insert_answer};
use super::results::refresh_results;
use super::waves::{Changed, Wave, results_changed};
use crate::audit::{commit_audited, commit_change, commit_created};
use crate::query::check_answered;
use crate::query::{all, by_id, count, insert_versioned, select, update_guarded, update_versioned};
use crate::row::{Record, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
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
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        match s {
            "draft" => Ok(AssessmentStatus::Draft),
            "submitted" => Ok(AssessmentStatus::Submitted),
            other => Err(format!("bad assessment status {other}")),
        }
    }
}

record! {
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
}

/// Assessments (`a`) with their city (`o`) and wave (`w`).
impl Record for Assessment {
    const TABLE: &'static str = "assessments";
    const COLUMNS: &'static str = "a.id, a.organisation_id, o.slug AS organisation_slug, \
         o.name AS organisation_name, o.country_code AS organisation_country, \
         o.population AS organisation_population, a.wave_id, w.slug AS wave_slug, w.name AS wave_name, \
         a.instrument_slug, a.instrument_version, a.status, a.published, a.is_sample, a.submitted_at, a.version, \
         a.updated_at";
    const FROM: &'static str =
        "assessments a JOIN organisations o ON o.id = a.organisation_id JOIN waves w ON w.id = a.wave_id";
    const ID: &'static str = "a.id";
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
    let after = by_id(&mut *tx, before.id).await?;
    commit_change(tx, Some(actor), action, "assessment", before.id, before, after).await
}

/// What identifies an assessment: a city, a wave and an instrument (one each).
fn assessment_key(organisation_id: Uuid, wave_id: Uuid, instrument_slug: &str) -> Fields {
    Fields::new()
        .set("organisation_id", organisation_id)
        .set("wave_id", wave_id)
        .set("instrument_slug", instrument_slug)
}

/// Does the city already have an assessment with this instrument in this wave?
async fn assessment_exists(
    tx: &mut WriteTx,
    organisation_id: Uuid,
    wave_id: Uuid,
    instrument_slug: &str,
) -> Result<bool> {
    Ok(count(&mut **tx, "assessments", assessment_key(organisation_id, wave_id, instrument_slug)).await? > 0)
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
        if by_id::<Wave>(&mut *tx, wave_id).await?.closed_at.is_some() {
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
        let fields = assessment_key(organisation_id, wave_id, instrument_slug)
            .set("instrument_version", version)
            .set("status", AssessmentStatus::Draft)
            .set("published", false)
            .set("is_sample", is_sample)
            .set("created_by", actor);
        let a: Assessment = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, actor, "assessment.create", "assessment", a.id, a).await
    }

    pub async fn assessment(&self, id: Uuid) -> Result<Assessment> {
        by_id(&self.pool, id).await
    }

    /// Assessments of one instrument in one wave, by city name.
    pub async fn wave_assessments(&self, wave_id: Uuid, instrument_slug: &str) -> Result<Vec<Assessment>> {
        let sql = select::<Assessment>("WHERE a.wave_id = $1 AND a.instrument_slug = $2 ORDER BY o.name, o.slug");
        all(&self.pool, sql, (wave_id, instrument_slug)).await
    }

    /// A city's assessments with one instrument, oldest wave first.
    pub async fn organisation_assessments(
        &self,
        organisation_id: Uuid,
        instrument_slug: &str,
    ) -> Result<Vec<Assessment>> {
        let sql =
            select::<Assessment>("WHERE a.organisation_id = $1 AND a.instrument_slug = $2 ORDER BY w.opens_on, w.slug");
        all(&self.pool, sql, (organisation_id, instrument_slug)).await
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
        let at = now();
        let fields = assessment_key(organisation_id, wave_id, instrument_slug)
            .set("instrument_version", instrument_version)
            .set("status", AssessmentStatus::Submitted)
            .set("published", published)
            .set("is_sample", is_sample)
            .set("created_by", respondent)
            .set("submitted_at", at)
            .set("submitted_by", respondent);
        let id = insert_versioned::<Assessment>(&mut tx, fields).await?.id;
        for (question_id, answer, normalised) in answers {
            let (question_id, answer, normalised) = (question_id.clone(), answer.clone(), *normalised);
            let answer = NewAnswer { question_id, answer, normalised, evidence: String::new(), comment: String::new() };
            insert_answer(&mut tx, id, respondent, &answer, at).await?;
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
        let (mut tx, before) = self.begin_change::<Assessment>(assessment_id, expected_version).await?;
        if before.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused(
                "published",
                "not-submitted",
                "only a submitted assessment can be published",
            ));
        }
        let fields = Fields::new().set("published", published);
        update_versioned::<Assessment>(&mut tx, assessment_id, expected_version, fields).await?;
        results_changed(&mut tx, before.wave_id, Changed::One(assessment_id)).await?;
        finish_change(tx, actor, "assessment.publish", &before).await
    }

    /// Submit a draft: refused with the list of required questions nobody has answered.
    pub async fn submit_assessment(&self, actor: Uuid, assessment_id: Uuid, required: &[String]) -> Result<Assessment> {
        let (mut tx, a) = self.begin_on::<Assessment>(assessment_id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(already_submitted());
        }
        check_answered(&mut tx, "answers", Fields::new().set("assessment_id", assessment_id), required).await?;
        let at = now();
        let fields = Fields::new().set("status", AssessmentStatus::Submitted).set("submitted_at", at);
        // Refused when submitted by someone else since the check above (PostgreSQL, READ COMMITTED).
        let draft = "status = 'draft'";
        update_guarded::<Assessment>(
            &mut tx,
            assessment_id,
            fields.set("submitted_by", actor),
            draft,
            already_submitted,
        )
        .await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, "assessment.submit", &a).await
    }

    /// Reopen a submitted assessment for changes, with a reason (audited).
    pub async fn reopen_assessment(&self, actor: Uuid, assessment_id: Uuid, reason: &str) -> Result<Assessment> {
        let (mut tx, a) = self.begin_on::<Assessment>(assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(not_submitted());
        }
        // Refused when reopened by someone else since the check above (PostgreSQL, READ COMMITTED).
        let fields = Fields::new().set("status", AssessmentStatus::Draft);
        update_guarded::<Assessment>(&mut tx, assessment_id, fields, "status = 'submitted'", not_submitted).await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, &format!("assessment.reopen: {reason}"), &a).await
    }
}
