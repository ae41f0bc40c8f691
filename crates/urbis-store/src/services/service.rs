//! A city's service: its description, publication and the one-per-programme rule.

use super::join;
use crate::audit::{commit_change, commit_created};
use crate::query::{AnyQuery, all, fixed_sql, one, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx, check_version, now, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::services::service::Channel;
use urbis_domain::services::{FocusArea, PhaseKind, ServiceInput};
use uuid::Uuid;

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

/// The `SELECT` of services (`s`) with their city (`o`) and programme (`p`), then `rest`.
fn service_sql(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&[
        "SELECT s.*, o.slug AS organisation_slug, o.name AS organisation_name, o.country_code, \
         p.slug AS programme_slug FROM services s \
         JOIN organisations o ON o.id = s.organisation_id JOIN programmes p ON p.id = s.programme_id",
        rest,
    ])
}

fn service(r: &AnyRow) -> Result<Service> {
    Ok(Service {
        id: r.uuid("id")?,
        organisation_id: r.uuid("organisation_id")?,
        organisation_slug: r.text("organisation_slug")?,
        organisation_name: r.text("organisation_name")?,
        country_code: r.text("country_code")?,
        programme_id: r.uuid("programme_id")?,
        programme_slug: r.text("programme_slug")?,
        title: r.text("title")?,
        description: r.text("description")?,
        focus_area: r.parsed("focus_area", FocusArea::parse)?,
        phase: r.parsed("phase", PhaseKind::parse)?,
        problem: r.text("problem")?,
        audience: r.text("audience")?,
        team: r.text("team")?,
        channels: r.list_of("channels", Channel::parse)?,
        languages: r.list("languages")?,
        output: r.text("output")?,
        cost_minor: r.opt_int("cost_minor")?,
        currency: r.text("currency")?,
        builds_on: r.list("builds_on")?,
        published: r.flag("published")?,
        is_sample: r.flag("is_sample")?,
        version: r.int("version")?,
        created_at: r.ts("created_at")?,
        updated_at: r.ts("updated_at")?,
    })
}

fn channels_text(c: &[Channel]) -> String {
    join(&c.iter().map(|c| c.as_str()).collect::<Vec<_>>())
}

/// Bind a service's described fields, in the order the INSERT and UPDATE name them.
fn bind_service<'q>(q: AnyQuery<'q>, s: &'q ServiceInput) -> AnyQuery<'q> {
    q.bind(&s.title)
        .bind(&s.description)
        .bind(s.focus_area.as_str())
        .bind(s.phase.as_str())
        .bind(&s.problem)
        .bind(&s.audience)
        .bind(&s.team)
        .bind(channels_text(&s.channels))
        .bind(join(&s.languages))
        .bind(&s.output)
        .bind(s.cost_minor)
        .bind(&s.currency)
        .bind(join(&s.builds_on))
}

/// A service read inside a write transaction; `NotFound` when there is none.
pub(super) async fn service_in(tx: &mut WriteTx, id: Uuid) -> Result<Service> {
    one(&mut **tx, service_sql("WHERE s.id = $1"), id, service).await
}

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
        let id = Uuid::now_v7();
        let at = ts(now());
        let insert = sqlx::query(
            "INSERT INTO services (id, organisation_id, programme_id, title, description, focus_area, phase, problem, \
             audience, team, channels, languages, output, cost_minor, currency, builds_on, published, is_sample, version, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 1, $19, $19)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(programme_id.to_string());
        bind_service(insert, s)
            .bind(i64::from(published))
            .bind(i64::from(is_sample))
            .bind(&at)
            .execute(&mut *tx)
            .await?;
        let after = service_in(&mut tx, id).await?;
        commit_created(tx, actor, "service.create", "service", id, after).await
    }

    pub async fn service(&self, id: Uuid) -> Result<Service> {
        one(&self.pool, service_sql("WHERE s.id = $1"), id, service).await
    }

    /// Every city's service in a programme, by city name.
    pub async fn programme_services(&self, programme_id: Uuid) -> Result<Vec<Service>> {
        all(&self.pool, service_sql("WHERE s.programme_id = $1 ORDER BY o.name, o.slug"), programme_id, service).await
    }

    /// A city's services (one per programme), oldest programme first.
    pub async fn organisation_services(&self, organisation_id: Uuid) -> Result<Vec<Service>> {
        let sql = service_sql("WHERE s.organisation_id = $1 ORDER BY p.starts_on, p.slug");
        all(&self.pool, sql, organisation_id, service).await
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
        let mut tx = self.begin_write().await?;
        let before = service_in(&mut tx, id).await?;
        check_version(expected_version, before.version)?;
        let update = sqlx::query(
            "UPDATE services SET title = $1, description = $2, focus_area = $3, phase = $4, problem = $5, audience = $6, \
             team = $7, channels = $8, languages = $9, output = $10, cost_minor = $11, currency = $12, builds_on = $13, \
             published = $14, version = version + 1, updated_at = $15 WHERE id = $16 AND version = $17",
        );
        let update = bind_service(update, s).bind(i64::from(published)).bind(ts(now()));
        update_versioned(&mut tx, "services", id, expected_version, update).await?;
        let after = service_in(&mut tx, id).await?;
        commit_change(tx, Some(actor), "service.update", "service", id, &before, after).await
    }
}
