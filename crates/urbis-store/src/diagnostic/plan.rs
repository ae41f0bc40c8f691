//! Improvement plans: the items a city commits to after an assessment.

use crate::audit::{commit_change, commit_created};
use crate::query::{all, by_id, insert_versioned, update_versioned};
use crate::row::record;
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use urbis_domain::diagnostic::{PlanItemInput, PlanStatus};
use uuid::Uuid;

record! {
    /// One item of a city's improvement plan.
    #[derive(Debug, Clone, Serialize)]
    pub struct PlanItem in "plan_items" {
        pub id: Uuid,
        pub organisation_id: Uuid,
        pub assessment_id: Option<Uuid>,
        pub capability: String,
        pub title: String,
        pub description: String,
        pub owner: String,
        pub due_on: Option<NaiveDate>,
        pub status: PlanStatus,
        pub version: i64,
        pub updated_at: DateTime<Utc>,
    }
}

stored_fields!(PlanItemInput { capability, title, description, owner, due_on, status });

impl Store {
    /// A city's improvement plan: by capability, then due date (undated last), then creation.
    pub async fn plan_items(&self, organisation_id: Uuid) -> Result<Vec<PlanItem>> {
        let sql = "SELECT * FROM plan_items WHERE organisation_id = $1 \
             ORDER BY capability, CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, created_at, id";
        all(&self.pool, sql, organisation_id).await
    }

    pub async fn plan_item(&self, id: Uuid) -> Result<PlanItem> {
        by_id(&self.pool, id).await
    }

    /// Add an item to a city's plan (optionally tied to the assessment it follows from). Audited.
    pub async fn create_plan_item(
        &self,
        actor: Uuid,
        organisation_id: Uuid,
        assessment_id: Option<Uuid>,
        input: &PlanItemInput,
    ) -> Result<PlanItem> {
        let mut tx = self.begin_write().await?;
        let fields = input.fields().set("organisation_id", organisation_id).set("assessment_id", assessment_id);
        let after: PlanItem = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, Some(actor), "plan.create", "plan_item", after.id, after).await
    }

    /// Change a plan item, refused when someone else changed it since `expected_version`. Audited.
    pub async fn update_plan_item(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        input: &PlanItemInput,
    ) -> Result<PlanItem> {
        let (mut tx, before) = self.begin_change::<PlanItem>(id, expected_version).await?;
        let after = update_versioned(&mut tx, id, expected_version, input.fields()).await?;
        commit_change(tx, Some(actor), "plan.update", "plan_item", id, &before, after).await
    }
}
