//! The outcome indicators of a service.

use super::service::service_in;
use crate::audit::commit_created;
use crate::query::{all, one};
use crate::row::RowExt;
use crate::{Result, Store, WriteTx, now, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::{BreakdownSpec, Direction, Goal, IndicatorInput};
use uuid::Uuid;

/// An outcome indicator of a service.
#[derive(Debug, Clone, Serialize)]
pub struct Indicator {
    pub id: Uuid,
    pub service_id: Uuid,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub goal: Goal,
    pub data_source: String,
    pub method: String,
    pub breakdowns: BreakdownSpec,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const INDICATOR_BY_ID: &str = "SELECT * FROM indicators WHERE id = $1";

fn indicator(r: &AnyRow) -> Result<Indicator> {
    Ok(Indicator {
        id: r.uuid("id")?,
        service_id: r.uuid("service_id")?,
        name: r.text("name")?,
        description: r.text("description")?,
        unit: r.text("unit")?,
        goal: Goal {
            direction: r.parsed("direction", Direction::parse)?,
            baseline_value: r.float("baseline_value")?,
            baseline_date: r.date("baseline_date")?,
            target_value: r.float("target_value")?,
            target_date: r.date("target_date")?,
        },
        data_source: r.text("data_source")?,
        method: r.text("method")?,
        breakdowns: r.parsed("breakdowns", BreakdownSpec::parse)?,
        version: r.int("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// An indicator read inside a write transaction; `NotFound` when there is none.
pub(super) async fn indicator_in(tx: &mut WriteTx, id: Uuid) -> Result<Indicator> {
    one(&mut **tx, INDICATOR_BY_ID, id, indicator).await
}

impl Store {
    pub async fn create_indicator(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        i: &IndicatorInput,
    ) -> Result<Indicator> {
        let mut tx = self.begin_write().await?;
        service_in(&mut tx, service_id).await?;
        let id = Uuid::now_v7();
        let at = ts(now());
        let g = &i.goal;
        sqlx::query(
            "INSERT INTO indicators (id, service_id, name, description, unit, direction, baseline_value, baseline_date, \
             target_value, target_date, data_source, method, breakdowns, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, $14, $14)",
        )
        .bind(id.to_string())
        .bind(service_id.to_string())
        .bind(&i.name)
        .bind(&i.description)
        .bind(&i.unit)
        .bind(g.direction.as_str())
        .bind(g.baseline_value)
        .bind(g.baseline_date.to_string())
        .bind(g.target_value)
        .bind(g.target_date.to_string())
        .bind(&i.data_source)
        .bind(&i.method)
        .bind(i.breakdowns.to_text())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = indicator_in(&mut tx, id).await?;
        commit_created(tx, actor, "indicator.create", "indicator", id, after).await
    }

    pub async fn indicator(&self, id: Uuid) -> Result<Indicator> {
        one(&self.pool, INDICATOR_BY_ID, id, indicator).await
    }

    /// The indicators of a service, oldest first.
    pub async fn indicators(&self, service_id: Uuid) -> Result<Vec<Indicator>> {
        let sql = "SELECT * FROM indicators WHERE service_id = $1 ORDER BY created_at, id";
        all(&self.pool, sql, service_id, indicator).await
    }

    /// Every indicator of every service in a programme.
    pub async fn programme_indicators(&self, programme_id: Uuid) -> Result<Vec<Indicator>> {
        let sql = "SELECT i.* FROM indicators i JOIN services s ON s.id = i.service_id WHERE s.programme_id = $1 \
             ORDER BY i.created_at, i.id";
        all(&self.pool, sql, programme_id, indicator).await
    }
}
