//! The outcome indicators of a service.

use super::Service;
use crate::audit::commit_created;
use crate::query::{all, by_id, insert_versioned};
use crate::row::{Decode, RowExt, record};
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::{BreakdownSpec, Goal, IndicatorInput};
use uuid::Uuid;

record! {
    /// An outcome indicator of a service.
    #[derive(Debug, Clone, Serialize)]
    pub struct Indicator in "indicators" {
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
}

stored_fields!(IndicatorInput { name, description, unit, data_source, method, breakdowns });
stored_fields!(Goal { direction, baseline_value, baseline_date, target_value, target_date });

/// An indicator's goal is stored in the indicator's own columns.
impl Decode for Goal {
    fn decode(r: &AnyRow) -> Result<Self> {
        Ok(Goal {
            direction: r.read("direction")?,
            baseline_value: r.read("baseline_value")?,
            baseline_date: r.read("baseline_date")?,
            target_value: r.read("target_value")?,
            target_date: r.read("target_date")?,
        })
    }
}

impl Store {
    pub async fn create_indicator(
        &self,
        actor: Option<Uuid>,
        service_id: Uuid,
        i: &IndicatorInput,
    ) -> Result<Indicator> {
        let (mut tx, _) = self.begin_on::<Service>(service_id).await?;
        let fields = i.fields().with(i.goal.fields()).set("service_id", service_id);
        let after: Indicator = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, actor, "indicator.create", "indicator", after.id, after).await
    }

    pub async fn indicator(&self, id: Uuid) -> Result<Indicator> {
        by_id(&self.pool, id).await
    }

    /// The indicators of a service, oldest first.
    pub async fn indicators(&self, service_id: Uuid) -> Result<Vec<Indicator>> {
        let sql = "SELECT * FROM indicators WHERE service_id = $1 ORDER BY created_at, id";
        all(&self.pool, sql, service_id).await
    }

    /// Every indicator of every service in a programme.
    pub async fn programme_indicators(&self, programme_id: Uuid) -> Result<Vec<Indicator>> {
        let sql = "SELECT i.* FROM indicators i JOIN services s ON s.id = i.service_id WHERE s.programme_id = $1 \
             ORDER BY i.created_at, i.id";
        all(&self.pool, sql, programme_id).await
    }
}
