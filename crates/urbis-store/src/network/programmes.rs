//! Programmes (cohorts) and the organisations taking part in them.

use super::Organisation;
use super::organisations::{ORG_COLS, organisation};
use crate::query::{all, fixed_sql, one};
use crate::row::RowExt;
use crate::{Page, Paged, Result, Store};
use chrono::NaiveDate;
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::network::ParticipationStatus;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Programme {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub announced_on: Option<NaiveDate>,
    pub version: i64,
}

/// The `SELECT` of programmes, then `rest` (its `WHERE` or `ORDER BY`).
fn programme_sql(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&["SELECT id, slug, name, description, starts_on, ends_on, announced_on, version FROM programmes", rest])
}

fn programme(r: &AnyRow) -> Result<Programme> {
    Ok(Programme {
        id: r.uuid("id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        description: r.text("description")?,
        starts_on: r.date("starts_on")?,
        ends_on: r.date("ends_on")?,
        announced_on: r.opt_date("announced_on")?,
        version: r.int("version")?,
    })
}

/// An organisation as a member of a programme's cohort.
#[derive(Debug, Clone, Serialize)]
pub struct CohortMember {
    #[serde(flatten)]
    pub organisation: Organisation,
    pub status: ParticipationStatus,
    pub note: String,
}

fn cohort_member(r: &AnyRow) -> Result<CohortMember> {
    Ok(CohortMember {
        organisation: organisation(r)?,
        status: r.parsed("status", ParticipationStatus::parse)?,
        note: r.text("note")?,
    })
}

/// A programme an organisation takes part in.
#[derive(Debug, Clone, Serialize)]
pub struct Participation {
    pub programme_id: Uuid,
    pub programme_slug: String,
    pub programme_name: String,
    pub status: ParticipationStatus,
    pub note: String,
}

fn participation(r: &AnyRow) -> Result<Participation> {
    Ok(Participation {
        programme_id: r.uuid("id")?,
        programme_slug: r.text("slug")?,
        programme_name: r.text("name")?,
        status: r.parsed("status", ParticipationStatus::parse)?,
        note: r.text("note")?,
    })
}

impl Store {
    pub async fn programmes(&self, page: Page) -> Result<Paged<Programme>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programmes").fetch_one(&self.pool).await?;
        let sql = programme_sql("ORDER BY starts_on DESC, slug LIMIT $1 OFFSET $2");
        Ok(page.of(all(&self.pool, sql, (page.limit(), page.offset()), programme).await?, total))
    }

    pub async fn programme(&self, slug: &str) -> Result<Programme> {
        one(&self.pool, programme_sql("WHERE slug = $1"), slug, programme).await
    }

    /// The organisations of a programme's cohort in a stable order (name, then slug), optionally only
    /// those of one status.
    pub async fn cohort(
        &self,
        programme_id: Uuid,
        status: Option<ParticipationStatus>,
        page: Page,
    ) -> Result<Paged<CohortMember>> {
        let status = status.map(|s| s.as_str()).unwrap_or("");
        let total: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM participations WHERE programme_id = $1 AND ($2 = '' OR status = $2)",
        )
        .bind(programme_id.to_string())
        .bind(status)
        .fetch_one(&self.pool)
        .await?;
        let sql = fixed_sql(&[
            "SELECT",
            ORG_COLS,
            ", pa.status, pa.note FROM participations pa JOIN organisations o ON o.id = pa.organisation_id \
             WHERE pa.programme_id = $1 AND ($2 = '' OR pa.status = $2) ORDER BY o.name, o.slug LIMIT $3 OFFSET $4",
        ]);
        let params = (programme_id, status, page.limit(), page.offset());
        Ok(page.of(all(&self.pool, sql, params, cohort_member).await?, total))
    }

    /// The programmes an organisation takes part in (any status).
    pub async fn participations(&self, organisation_id: Uuid) -> Result<Vec<Participation>> {
        let sql = "SELECT p.id, p.slug, p.name, pa.status, pa.note FROM participations pa \
             JOIN programmes p ON p.id = pa.programme_id WHERE pa.organisation_id = $1 ORDER BY p.starts_on, p.slug";
        all(&self.pool, sql, organisation_id, participation).await
    }
}
