//! Expert validation of a submitted assessment, one capability at a time.

use super::AssessmentStatus;
use super::assessments::assessment_in;
use crate::audit::commit_audited;
use crate::query::all;
use crate::row::RowExt;
use crate::{Result, Store, StoreError, now, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{Any, Executor};
use urbis_domain::diagnostic::Confidence;
use uuid::Uuid;

/// An expert's validation of one capability of a submitted assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub capability: String,
    /// The validated score (0–100): the self-assessed one confirmed, or adjusted.
    pub score: f64,
    pub confidence: Confidence,
    pub comment: String,
    pub validated_by: Uuid,
    pub validated_at: DateTime<Utc>,
}

fn validation(r: &AnyRow) -> Result<Validation> {
    Ok(Validation {
        capability: r.text("capability")?,
        score: r.float("score")?,
        confidence: Confidence::parse(&r.text("confidence")?)
            .map_err(|e| StoreError::Corrupt(format!("column confidence: {}", e.message)))?,
        comment: r.text("comment")?,
        validated_by: r.uuid("validated_by")?,
        validated_at: r.ts("validated_at")?,
    })
}

async fn validation_rows<'e>(e: impl Executor<'e, Database = Any>, assessment_id: Uuid) -> Result<Vec<Validation>> {
    let sql = "SELECT capability, score, confidence, comment, validated_by, validated_at FROM validations \
         WHERE assessment_id = $1 ORDER BY capability";
    all(e, sql, assessment_id, validation).await
}

impl Store {
    /// Record an expert's validation of one capability (replacing an earlier one), audited.
    pub async fn validate(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        capability: &str,
        score: f64,
        confidence: Confidence,
        comment: &str,
    ) -> Result<Validation> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused("status", "not-submitted", "only a submitted assessment can be validated"));
        }
        let before = validation_rows(&mut *tx, assessment_id).await?.into_iter().find(|v| v.capability == capability);
        sqlx::query("DELETE FROM validations WHERE assessment_id = $1 AND capability = $2")
            .bind(assessment_id.to_string())
            .bind(capability)
            .execute(&mut *tx)
            .await?;
        let at = now();
        sqlx::query(
            "INSERT INTO validations (assessment_id, capability, score, confidence, comment, validated_by, validated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(assessment_id.to_string())
        .bind(capability)
        .bind(score)
        .bind(confidence.as_str())
        .bind(comment)
        .bind(actor.to_string())
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        let after = Validation {
            capability: capability.to_string(),
            score,
            confidence,
            comment: comment.to_string(),
            validated_by: actor,
            validated_at: at,
        };
        let action = "assessment.validate";
        commit_audited(tx, Some(actor), action, "assessment", assessment_id, before.as_ref(), Some(&after)).await?;
        Ok(after)
    }

    /// The expert validations of an assessment, by capability.
    pub async fn validations(&self, assessment_id: Uuid) -> Result<Vec<Validation>> {
        validation_rows(&self.pool, assessment_id).await
    }
}
