//! Programmes (cohorts) and the organisations taking part in them.

use super::Organisation;
use crate::query::{all, fixed_sql, one, select};
use crate::row::{Record, record};
use crate::{Page, Paged, Result, Store};
use chrono::NaiveDate;
use serde::Serialize;
use urbis_domain::network::ParticipationStatus;
use uuid::Uuid;

record! {
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
}

impl Record for Programme {
    const TABLE: &'static str = "programmes";
    const COLUMNS: &'static str = "id, slug, name, description, starts_on, ends_on, announced_on, version";
}

record! {
    /// An organisation as a member of a programme's cohort.
    #[derive(Debug, Clone, Serialize)]
    pub struct CohortMember {
        #[serde(flatten)]
        pub organisation: Organisation,
        pub status: ParticipationStatus,
        pub note: String,
    }
}

record! {
    /// A programme an organisation takes part in.
    #[derive(Debug, Clone, Serialize)]
    pub struct Participation {
        pub programme_id: Uuid,
        pub programme_slug: String,
        pub programme_name: String,
        pub status: ParticipationStatus,
        pub note: String,
    }
}

impl Store {
    pub async fn programmes(&self, page: Page) -> Result<Paged<Programme>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programmes").fetch_one(&self.pool).await?;
        let sql = select::<Programme>("ORDER BY starts_on DESC, slug LIMIT $1 OFFSET $2");
        Ok(page.of(all(&self.pool, sql, (page.limit(), page.offset())).await?, total))
    }

    pub async fn programme(&self, slug: &str) -> Result<Programme> {
        one(&self.pool, select::<Programme>("WHERE slug = $1"), slug).await
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
            Organisation::COLUMNS,
            ", pa.status, pa.note FROM participations pa JOIN organisations o ON o.id = pa.organisation_id \
             WHERE pa.programme_id = $1 AND ($2 = '' OR pa.status = $2) ORDER BY o.name, o.slug LIMIT $3 OFFSET $4",
        ]);
        let params = (programme_id, status, page.limit(), page.offset());
        Ok(page.of(all(&self.pool, sql, params).await?, total))
    }

    /// The programmes an organisation takes part in (any status).
    pub async fn participations(&self, organisation_id: Uuid) -> Result<Vec<Participation>> {
        let sql = "SELECT p.id AS programme_id, p.slug AS programme_slug, p.name AS programme_name, pa.status, \
             pa.note FROM participations pa JOIN programmes p ON p.id = pa.programme_id \
             WHERE pa.organisation_id = $1 ORDER BY p.starts_on, p.slug";
        all(&self.pool, sql, organisation_id).await
    }
}
