//! The phases of a service, each with its exit assessment.

use super::join;
use super::service::service_in;
use crate::audit::commit_audited;
use crate::query::{AnyQuery, all, one, optional, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx, check_version, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::{ExitResult, PhaseInput, PhaseKind};
use uuid::Uuid;

/// A phase of a service with its exit assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Phase {
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

fn phase(r: &AnyRow) -> Result<Phase> {
    Ok(Phase {
        id: r.uuid("id")?,
        service_id: r.uuid("service_id")?,
        kind: r.parsed("kind", PhaseKind::parse)?,
        starts_on: r.date("starts_on")?,
        ends_on: r.date("ends_on")?,
        goal: r.text("goal")?,
        exit_result: r.parsed("exit_result", ExitResult::parse)?,
        exit_notes: r.text("exit_notes")?,
        exit_checklist: r.list_of("exit_checklist", str::parse::<u8>)?,
        version: r.int("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

impl Store {
    /// The phases of a service, in the order of the service standard.
    pub async fn phases(&self, service_id: Uuid) -> Result<Vec<Phase>> {
        let mut out = all(&self.pool, "SELECT * FROM service_phases WHERE service_id = $1", service_id, phase).await?;
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
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let sql = "SELECT * FROM service_phases WHERE service_id = $1 AND kind = $2";
        let before = optional(&mut *tx, sql, (service_id, p.kind.as_str()), phase).await?;
        let id = match (&before, expected_version) {
            (Some(b), Some(v)) => {
                check_version(v, b.version)?;
                update_phase(&mut tx, b.id, v, p).await?;
                b.id
            }
            (Some(_), None) => {
                return Err(StoreError::refused(
                    "kind",
                    "phase-exists",
                    "this phase is already planned; change it from its own form",
                ));
            }
            (None, _) => insert_phase(&mut tx, service_id, p).await?,
        };
        let after = one(&mut *tx, "SELECT * FROM service_phases WHERE id = $1", id, phase).await?;
        commit_audited(tx, actor, "service.phase", "service", service_id, before.as_ref(), Some(&after)).await?;
        Ok(after)
    }
}

/// Bind a phase's planned dates, goal and exit assessment, in the order the INSERT and UPDATE name them.
fn bind_phase<'q>(q: AnyQuery<'q>, p: &'q PhaseInput) -> AnyQuery<'q> {
    q.bind(p.starts_on.to_string())
        .bind(p.ends_on.to_string())
        .bind(&p.goal)
        .bind(p.exit_result.as_str())
        .bind(&p.exit_notes)
        .bind(join(&p.exit_checklist.iter().map(|n| n.to_string()).collect::<Vec<_>>()))
}

async fn update_phase(tx: &mut WriteTx, id: Uuid, expected_version: i64, p: &PhaseInput) -> Result<()> {
    let update = sqlx::query(
        "UPDATE service_phases SET starts_on = $1, ends_on = $2, goal = $3, exit_result = $4, exit_notes = $5, \
         exit_checklist = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
    );
    let update = bind_phase(update, p).bind(ts(now()));
    update_versioned(tx, "service_phases", id, expected_version, update).await
}

async fn insert_phase(tx: &mut WriteTx, service_id: Uuid, p: &PhaseInput) -> Result<Uuid> {
    let id = Uuid::now_v7();
    let insert = sqlx::query(
        "INSERT INTO service_phases (id, service_id, kind, starts_on, ends_on, goal, exit_result, exit_notes, \
         exit_checklist, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
    )
    .bind(id.to_string())
    .bind(service_id.to_string())
    .bind(p.kind.as_str());
    bind_phase(insert, p).bind(ts(now())).execute(&mut **tx).await?;
    Ok(id)
}
