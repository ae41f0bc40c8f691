//! Expert validation of a submitted assessment, one capability at a time.

use super::Assessment;
use super::AssessmentStatus;
use crate::audit::commit_audited;
use crate::query::{all, delete, insert};
use crate::row::record;
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Result, Store, StoreError, now};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{Any, Executor};
use urbis_domain::diagnostic::Confidence;
use uuid::Uuid;

record! {
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
}

stored_fields!(Validation { score, confidence, comment, validated_by, validated_at });

async fn validation_rows<'e>(e: impl Executor<'e, Database = Any>, assessment_id: Uuid) -> Result<Vec<Validation>> {
    let sql = "SELECT capability, score, confidence, comment, validated_by, validated_at FROM validations \
         WHERE assessment_id = $1 ORDER BY capability";
    all(e, sql, assessment_id).await
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
        let (mut tx, a) = self.begin_on::<Assessment>(assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused("status", "not-submitted", "only a submitted assessment can be validated"));
        }
        let before = validation_rows(&mut *tx, assessment_id).await?.into_iter().find(|v| v.capability == capability);
        let key = Fields::new().set("assessment_id", assessment_id).set("capability", capability);
        delete(&mut tx, "validations", key.clone()).await?;
        let after = Validation {
            capability: capability.to_string(),
            score,
            confidence,
            comment: comment.to_string(),
            validated_by: actor,
            validated_at: now(),
        };
        insert(&mut tx, "validations", key.with(after.fields()), "").await?;
        let action = "assessment.validate";
        commit_audited(tx, Some(actor), action, "assessment", assessment_id, before.as_ref(), Some(&after)).await?;
        Ok(after)
    }

    /// The expert validations of an assessment, by capability.
    pub async fn validations(&self, assessment_id: Uuid) -> Result<Vec<Validation>> {
        validation_rows(&self.pool, assessment_id).await
    }
}
