//! The phases of a service, each with its exit assessment.

use super::Service;
use crate::audit::commit_audited;
use crate::query::{all, insert_versioned, optional, update_versioned};
use crate::row::record;
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store, StoreError, check_version};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use urbis_domain::services::{ExitResult, PhaseInput, PhaseKind};
use uuid::Uuid;

record! {
    /// A phase of a service with its exit assessment.
    #[derive(Debug, Clone, Serialize)]
    pub struct Phase in "service_phases" {
        pub id: Uuid,
        pub service_id: Uuid,
        pub kind: PhaseKind,
        pub starts_on: NaiveDate,
        pub ends_on: NaiveDate,
        pub goal: String,
        pub exit_result: ExitResult,
        pub exit_notes: String,
        pub exit_checklist: Vec<u8>,
        pub version: i64,
        pub updated_at: DateTime<Utc>,
    }
}

// A phase's planned dates, goal and exit assessment (its kind is set once, when it is planned).
stored_fields!(PhaseInput { starts_on, ends_on, goal, exit_result, exit_notes, exit_checklist });

impl Store {
    /// The phases of a service, in the order of the service standard.
    pub async fn phases(&self, service_id: Uuid) -> Result<Vec<Phase>> {
        let mut out: Vec<Phase> =
            all(&self.pool, "SELECT * FROM service_phases WHERE service_id = $1", service_id).await?;
        out.sort_by_key(|p| p.kind);
        Ok(out)
    }

    /// Plan a phase, or change a planned one if it is still at `expected_version` (which must be
    /// given for a phase that exists).
    pub async fn put_phase(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        p: &PhaseInput,
        expected_version: Option<i64>,
    ) -> Result<Phase> {
        let (mut tx, _) = self.begin_on::<Service>(service_id).await?;
        let sql = "SELECT * FROM service_phases WHERE service_id = $1 AND kind = $2";
        let before: Option<Phase> = optional(&mut *tx, sql, (service_id, p.kind)).await?;
        let after = match (&before, expected_version) {
            (Some(b), Some(v)) => {
                check_version(v, b.version)?;
                update_versioned(&mut tx, b.id, v, p.fields()).await?
            }
            (Some(_), None) => {
                return Err(StoreError::refused(
                    "kind",
                    "phase-exists",
                    "this phase is already planned; change it from its own form",
                ));
            }
            (None, _) => {
                insert_versioned(&mut tx, p.fields().set("service_id", service_id).set("kind", p.kind)).await?
            }
        };
        commit_audited(tx, actor, "service.phase", "service", service_id, before.as_ref(), Some(&after)).await?;
        Ok(after)
    }
}
