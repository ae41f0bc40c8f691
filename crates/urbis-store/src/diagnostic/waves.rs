//! Waves: the rounds of assessment in a programme, closed to freeze their results.

use crate::audit::{commit_audited, commit_change};
use crate::query::{all, one, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, StoreError, WriteTx, check_version, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Wave {
    pub id: Uuid,
    pub programme_id: Uuid,
    pub slug: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
    pub is_baseline: bool,
    pub version: i64,
    /// Changes whenever the wave's results or their publication change (a cache key).
    pub results_version: i64,
}

const WAVE_BY_ID: &str = "SELECT * FROM waves WHERE id = $1";

fn wave(r: &AnyRow) -> Result<Wave> {
    Ok(Wave {
        id: r.uuid("id")?,
        programme_id: r.uuid("programme_id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        opens_on: r.date("opens_on")?,
        closes_on: r.date("closes_on")?,
        closed_at: r.opt_ts("closed_at")?,
        is_baseline: r.flag("is_baseline")?,
        version: r.int("version")?,
        results_version: r.int("results_version")?,
    })
}

/// A wave read inside a write transaction; `NotFound` when there is none.
pub(super) async fn wave_in(tx: &mut WriteTx, id: Uuid) -> Result<Wave> {
    one(&mut **tx, WAVE_BY_ID, id, wave).await
}

/// Mark a wave's results as changed (see `waves.results_version`).
pub(super) async fn results_changed(tx: &mut WriteTx, wave_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE waves SET results_version = results_version + 1 WHERE id = $1")
        .bind(wave_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

impl Store {
    pub async fn waves(&self, programme_id: Uuid) -> Result<Vec<Wave>> {
        all(&self.pool, "SELECT * FROM waves WHERE programme_id = $1 ORDER BY opens_on, slug", programme_id, wave).await
    }

    pub async fn wave(&self, programme_id: Uuid, slug: &str) -> Result<Wave> {
        one(&self.pool, "SELECT * FROM waves WHERE programme_id = $1 AND slug = $2", (programme_id, slug), wave).await
    }

    pub async fn wave_by_id(&self, id: Uuid) -> Result<Wave> {
        one(&self.pool, WAVE_BY_ID, id, wave).await
    }

    /// Add a wave if the programme has none with this slug (reference data and staff).
    #[allow(clippy::too_many_arguments)]
    pub async fn ensure_wave(
        &self,
        actor: Option<Uuid>,
        programme_id: Uuid,
        slug: &str,
        name: &str,
        opens_on: NaiveDate,
        closes_on: NaiveDate,
        is_baseline: bool,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "INSERT INTO waves (id, programme_id, slug, name, opens_on, closes_on, is_baseline, version, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) ON CONFLICT (programme_id, slug) DO NOTHING",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(programme_id.to_string())
        .bind(slug)
        .bind(name)
        .bind(opens_on.to_string())
        .bind(closes_on.to_string())
        .bind(i64::from(is_baseline))
        .bind(ts(now()))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n > 0 {
            let entity = format!("{programme_id}/{slug}");
            commit_audited::<(), _>(tx, actor, "wave.create", "wave", entity, None, Some(&name)).await?;
        } else {
            tx.commit().await?;
        }
        Ok(n > 0)
    }

    /// Add a wave to a programme (programme staff), refused when the slug is taken. Audited.
    pub async fn create_wave(
        &self,
        actor: Uuid,
        programme_id: Uuid,
        input: &urbis_domain::diagnostic::WaveInput,
    ) -> Result<Wave> {
        let added = self
            .ensure_wave(
                Some(actor),
                programme_id,
                input.slug.as_str(),
                &input.name,
                input.opens_on,
                input.closes_on,
                false,
            )
            .await?;
        if !added {
            return Err(StoreError::refused("slug", "wave-exists", "the programme already has a wave with this slug"));
        }
        self.wave(programme_id, input.slug.as_str()).await
    }

    /// Close a wave: its submitted assessments' results are frozen as the wave's baseline, and no
    /// new assessment can start in it. Versioned and audited.
    pub async fn close_wave(&self, actor: Uuid, wave_id: Uuid, expected_version: i64) -> Result<Wave> {
        let mut tx = self.begin_write().await?;
        let before = wave_in(&mut tx, wave_id).await?;
        check_version(expected_version, before.version)?;
        if before.closed_at.is_some() {
            return Err(StoreError::refused("wave", "wave-closed", "the wave is already closed"));
        }
        let at = ts(now());
        let frozen = sqlx::query(
            "INSERT INTO assessment_results (assessment_id, frozen, overall, capabilities_json, computed_at) \
             SELECT r.assessment_id, 1, r.overall, r.capabilities_json, $1 FROM assessment_results r \
             JOIN assessments a ON a.id = r.assessment_id WHERE a.wave_id = $2 AND r.frozen = 0",
        )
        .bind(&at)
        .bind(wave_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let update = sqlx::query(
            "UPDATE waves SET closed_at = $1, version = version + 1, results_version = results_version + 1 \
             WHERE id = $2 AND version = $3",
        )
        .bind(&at);
        update_versioned(&mut tx, "waves", wave_id, expected_version, update).await?;
        let after = wave_in(&mut tx, wave_id).await?;
        let action = format!("wave.close: {frozen} results frozen");
        commit_change(tx, Some(actor), &action, "wave", wave_id, &before, after).await
    }
}
