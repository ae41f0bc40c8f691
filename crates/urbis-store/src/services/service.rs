//! A city's service: its description, publication and the one-per-programme rule.

use crate::audit::{commit_change, commit_created};
use crate::query::{all, by_id, insert_versioned, select, update_versioned};
use crate::row::{Record, record};
use crate::value::{ToFields, stored_fields};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_domain::services::service::Channel;
use urbis_domain::services::{FocusArea, PhaseKind, ServiceInput};
use uuid::Uuid;

record! {
    /// A city's service as stored, with its city and programme.
    #[derive(Debug, Clone, Serialize)]
    pub struct Service {
        pub id: Uuid,
        pub organisation_id: Uuid,
        pub organisation_slug: String,
        pub organisation_name: String,
        pub country_code: String,
        pub programme_id: Uuid,
        pub programme_slug: String,
        pub title: String,
        pub description: String,
        pub focus_area: FocusArea,
        pub phase: PhaseKind,
        pub problem: String,
        pub audience: String,
        pub team: String,
        pub channels: Vec<Channel>,
        pub languages: Vec<String>,
        pub output: String,
        pub cost_minor: Option<i64>,
        pub currency: String,
        pub builds_on: Vec<String>,
        pub published: bool,
        pub is_sample: bool,
        pub version: i64,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

/// Services (`s`) with their city (`o`) and programme (`p`).
impl Record for Service {
    const TABLE: &'static str = "services";
    const COLUMNS: &'static str = "s.*, o.slug AS organisation_slug, o.name AS organisation_name, o.country_code, \
         p.slug AS programme_slug";
    const FROM: &'static str = "services s \
         JOIN organisations o ON o.id = s.organisation_id JOIN programmes p ON p.id = s.programme_id";
    const ID: &'static str = "s.id";
}

stored_fields!(ServiceInput {
    title,
    description,
    focus_area,
    phase,
    problem,
    audience,
    team,
    channels,
    languages,
    output,
    cost_minor,
    currency,
    builds_on,
});

impl Store {
    /// Add a city's service in a programme; a city has one service per programme.
    pub async fn create_service(
        &self,
        actor: Option<Uuid>,
        organisation_id: Uuid,
        programme_id: Uuid,
        s: &ServiceInput,
        published: bool,
        is_sample: bool,
    ) -> Result<Service> {
        let mut tx = self.begin_write().await?;
        let exists: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM services WHERE organisation_id = $1 AND programme_id = $2")
                .bind(organisation_id.to_string())
                .bind(programme_id.to_string())
                .fetch_one(&mut *tx)
                .await?;
        if exists > 0 {
            return Err(StoreError::refused(
                "city",
                "service-exists",
                "this city already has its service in this programme",
            ));
        }
        let fields = s
            .fields()
            .set("organisation_id", organisation_id)
            .set("programme_id", programme_id)
            .set("published", published)
            .set("is_sample", is_sample);
        let after: Service = insert_versioned(&mut tx, fields).await?;
        commit_created(tx, actor, "service.create", "service", after.id, after).await
    }

    pub async fn service(&self, id: Uuid) -> Result<Service> {
        by_id(&self.pool, id).await
    }

    /// Every city's service in a programme, by city name.
    pub async fn programme_services(&self, programme_id: Uuid) -> Result<Vec<Service>> {
        all(&self.pool, select::<Service>("WHERE s.programme_id = $1 ORDER BY o.name, o.slug"), programme_id).await
    }

    /// A city's services (one per programme), oldest programme first.
    pub async fn organisation_services(&self, organisation_id: Uuid) -> Result<Vec<Service>> {
        let sql = select::<Service>("WHERE s.organisation_id = $1 ORDER BY p.starts_on, p.slug");
        all(&self.pool, sql, organisation_id).await
    }

    /// Change a service's description and publication if it is still at `expected_version`.
    pub async fn update_service(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        s: &ServiceInput,
        published: bool,
    ) -> Result<Service> {
        let (mut tx, before) = self.begin_change::<Service>(id, expected_version).await?;
        let fields = s.fields().set("published", published);
        let after = update_versioned(&mut tx, id, expected_version, fields).await?;
        commit_change(tx, Some(actor), "service.update", "service", id, &before, after).await
    }
}
