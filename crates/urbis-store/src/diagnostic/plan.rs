//! Improvement plans: the items a city commits to after an assessment.

use crate::audit::{commit_change, commit_created};
use crate::query::{AnyQuery, all, one, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, check_version, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::diagnostic::{PlanItemInput, PlanStatus};
use uuid::Uuid;

/// One item of a city's improvement plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
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

fn plan_item(r: &AnyRow) -> Result<PlanItem> {
    Ok(PlanItem {
        id: r.uuid("id")?,
        organisation_id: r.uuid("organisation_id")?,
        assessment_id: r.opt_uuid("assessment_id")?,
        capability: r.text("capability")?,
        title: r.text("title")?,
        description: r.text("description")?,
        owner: r.text("owner")?,
        due_on: r.opt_date("due_on")?,
        status: r.parsed("status", PlanStatus::parse)?,
        version: r.int("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Bind a plan item's fields, in the order the INSERT and UPDATE name them.
fn bind_plan_item<'q>(q: AnyQuery<'q>, input: &'q PlanItemInput) -> AnyQuery<'q> {
    q.bind(&input.capability)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.owner)
        .bind(input.due_on.map(|d| d.to_string()))
        .bind(input.status.as_str())
}

const PLAN_ITEM_BY_ID: &str = "SELECT * FROM plan_items WHERE id = $1";

impl Store {
    /// A city's improvement plan: by capability, then due date (undated last), then creation.
    pub async fn plan_items(&self, organisation_id: Uuid) -> Result<Vec<PlanItem>> {
        let sql = "SELECT * FROM plan_items WHERE organisation_id = $1 \
             ORDER BY capability, CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, created_at, id";
        all(&self.pool, sql, organisation_id, plan_item).await
    }

    pub async fn plan_item(&self, id: Uuid) -> Result<PlanItem> {
        one(&self.pool, PLAN_ITEM_BY_ID, id, plan_item).await
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
        let id = Uuid::now_v7();
        let at = ts(now());
        let insert = sqlx::query(
            "INSERT INTO plan_items (id, organisation_id, assessment_id, capability, title, description, owner, due_on, status, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(assessment_id.map(|a| a.to_string()));
        bind_plan_item(insert, input).bind(&at).execute(&mut *tx).await?;
        let after = one(&mut *tx, PLAN_ITEM_BY_ID, id, plan_item).await?;
        commit_created(tx, Some(actor), "plan.create", "plan_item", id, after).await
    }

    /// Change a plan item, refused when someone else changed it since `expected_version`. Audited.
    pub async fn update_plan_item(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        input: &PlanItemInput,
    ) -> Result<PlanItem> {
        let mut tx = self.begin_write().await?;
        let before = one(&mut *tx, PLAN_ITEM_BY_ID, id, plan_item).await?;
        check_version(expected_version, before.version)?;
        let update = sqlx::query(
            "UPDATE plan_items SET capability = $1, title = $2, description = $3, owner = $4, due_on = $5, status = $6, \
             version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        );
        let update = bind_plan_item(update, input).bind(ts(now()));
        update_versioned(&mut tx, "plan_items", id, expected_version, update).await?;
        let after = one(&mut *tx, PLAN_ITEM_BY_ID, id, plan_item).await?;
        commit_change(tx, Some(actor), "plan.update", "plan_item", id, &before, after).await
    }
}
