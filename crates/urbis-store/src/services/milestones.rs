//! The milestones of a service.

use super::Service;
use crate::audit::{commit_change, commit_created};
use crate::query::{all, by_id, insert_versioned, update_versioned};
use crate::row::record;
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store};
use chrono::NaiveDate;
use serde::Serialize;
use urbis_domain::services::{MilestoneInput, MilestoneState};
use uuid::Uuid;

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Milestone in "service_milestones" {
        pub id: Uuid,
        pub service_id: Uuid,
        pub title: String,
        pub due_on: NaiveDate,
        pub state: MilestoneState,
        pub version: i64,
    }
}

stored_fields!(MilestoneInput { title, due_on, state });

impl Store {
    pub async fn milestones(&self, service_id: Uuid) -> Result<Vec<Milestone>> {
        let sql = "SELECT * FROM service_milestones WHERE service_id = $1 ORDER BY due_on, title, id";
        all(&self.pool, sql, service_id).await
    }

    pub async fn milestone(&self, id: Uuid) -> Result<Milestone> {
        by_id(&self.pool, id).await
    }

    pub async fn add_milestone(&self, actor: Option<Uuid>, service_id: Uuid, m: &MilestoneInput) -> Result<Milestone> {
        let (mut tx, _) = self.begin_on::<Service>(service_id).await?;
        let after: Milestone = insert_versioned(&mut tx, m.fields().set("service_id", service_id)).await?;
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
        let (mut tx, before) = self.begin_change::<Milestone>(id, expected_version).await?;
        let after = update_versioned(&mut tx, id, expected_version, m.fields()).await?;
        commit_change(tx, Some(actor), "service.milestone", "service", before.service_id, &before, after).await
    }
}
