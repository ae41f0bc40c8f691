//! The milestones of a service.

use super::service::service_in;
use crate::audit::{commit_change, commit_created};
use crate::query::{all, one, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, check_version, now, ts};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::{MilestoneInput, MilestoneState};
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Milestone {
    pub id: Uuid,
    pub service_id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    pub state: MilestoneState,
    pub version: i64,
}

const MILESTONE_BY_ID: &str = "SELECT * FROM service_milestones WHERE id = $1";

fn milestone(r: &AnyRow) -> Result<Milestone> {
    Ok(Milestone {
        id: r.uuid("id")?,
        service_id: r.uuid("service_id")?,
        title: r.text("title")?,
        due_on: r.date("due_on")?,
        state: r.parsed("state", MilestoneState::parse)?,
        version: r.int("version")?,
    })
}

impl Store {
    pub async fn milestones(&self, service_id: Uuid) -> Result<Vec<Milestone>> {
        let sql = "SELECT * FROM service_milestones WHERE service_id = $1 ORDER BY due_on, title, id";
        all(&self.pool, sql, service_id, milestone).await
    }

    pub async fn milestone(&self, id: Uuid) -> Result<Milestone> {
        one(&self.pool, MILESTONE_BY_ID, id, milestone).await
    }

    pub async fn add_milestone(&self, actor: Option<Uuid>, service_id: Uuid, m: &MilestoneInput) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO service_milestones (id, service_id, title, due_on, state, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6, $6)",
        )
        .bind(id.to_string())
        .bind(service_id.to_string())
        .bind(&m.title)
        .bind(m.due_on.to_string())
        .bind(m.state.as_str())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = Milestone { id, service_id, title: m.title.clone(), due_on: m.due_on, state: m.state, version: 1 };
        commit_created(tx, actor, "service.milestone", "service", service_id, after).await
    }

    /// Change a milestone if it is still at `expected_version`.
    pub async fn update_milestone(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        m: &MilestoneInput,
    ) -> Result<Milestone> {
        let mut tx = self.begin_write().await?;
        let before = one(&mut *tx, MILESTONE_BY_ID, id, milestone).await?;
        check_version(expected_version, before.version)?;
        let update = sqlx::query(
            "UPDATE service_milestones SET title = $1, due_on = $2, state = $3, version = version + 1, updated_at = $4 \
             WHERE id = $5 AND version = $6",
        )
        .bind(&m.title)
        .bind(m.due_on.to_string())
        .bind(m.state.as_str())
        .bind(ts(now()));
        update_versioned(&mut tx, "service_milestones", id, expected_version, update).await?;
        let after = Milestone {
            title: m.title.clone(),
            due_on: m.due_on,
            state: m.state,
            version: before.version + 1,
            ..before.clone()
        };
        commit_change(tx, Some(actor), "service.milestone", "service", before.service_id, &before, after).await
    }
}
