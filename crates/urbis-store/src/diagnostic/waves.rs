//! Waves: the rounds of assessment in a programme, closed to freeze their results.

use crate::audit::{commit_audited, commit_change};
use crate::query::{all, by_id, insert, one, update_versioned};
use crate::row::{Record, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

record! {
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
        /// The `results_version` at which all of the wave's results last changed at once (see
        /// migration 0011): results cached before it cannot be brought up to date piecemeal.
        pub results_reset: i64,
    }
}

impl Record for Wave {
    const TABLE: &'static str = "waves";
    const UPDATED_AT: bool = false;
}

/// Whose results changed in a wave (see migration 0011).
#[derive(Debug, Clone, Copy)]
pub(super) enum Changed {
    /// One assessment's: a cache updates that one.
    One(Uuid),
    /// All of them at once (the wave closed): a cache reads them all again.
    All,
}

/// Mark a wave's results as changed (see `waves.results_version`), and record whose.
pub(super) async fn results_changed(tx: &mut WriteTx, wave_id: Uuid, changed: Changed) -> Result<()> {
    sqlx::query("UPDATE waves SET results_version = results_version + 1 WHERE id = $1")
        .bind(wave_id.to_string())
        .execute(&mut **tx)
        .await?;
    let (sql, id) = match changed {
        Changed::One(assessment) => (
            "UPDATE assessments SET results_seq = (SELECT results_version FROM waves WHERE id = $1) WHERE id = $2",
            Some(assessment),
        ),
        Changed::All => ("UPDATE waves SET results_reset = results_version WHERE id = $1", None),
    };
    let mut q = sqlx::query(sql).bind(wave_id.to_string());
    if let Some(id) = id {
        q = q.bind(id.to_string());
    }
    q.execute(&mut **tx).await?;
    Ok(())
}

impl Store {
    pub async fn waves(&self, programme_id: Uuid) -> Result<Vec<Wave>> {
        all(&self.pool, "SELECT * FROM waves WHERE programme_id = $1 ORDER BY opens_on, slug", programme_id).await
    }

    pub async fn wave(&self, programme_id: Uuid, slug: &str) -> Result<Wave> {
        one(&self.pool, "SELECT * FROM waves WHERE programme_id = $1 AND slug = $2", (programme_id, slug)).await
    }

    pub async fn wave_by_id(&self, id: Uuid) -> Result<Wave> {
        by_id(&self.pool, id).await
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
        let fields = Fields::new()
            .set("id", Uuid::now_v7())
            .set("programme_id", programme_id)
            .set("slug", slug)
            .set("name", name)
            .set("opens_on", opens_on)
            .set("closes_on", closes_on)
            .set("is_baseline", is_baseline)
            .set("version", 1_i64)
            .set("created_at", now());
        let n = insert(&mut tx, Wave::TABLE, fields, "ON CONFLICT (programme_id, slug) DO NOTHING").await?;
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
        let (mut tx, before) = self.begin_change::<Wave>(wave_id, expected_version).await?;
        if before.closed_at.is_some() {
            return Err(StoreError::refused("wave", "wave-closed", "the wave is already closed"));
        }
        let at = now();
        let frozen = sqlx::query(
            "INSERT INTO assessment_results (assessment_id, frozen, overall, capabilities_json, computed_at) \
             SELECT r.assessment_id, 1, r.overall, r.capabilities_json, $1 FROM assessment_results r \
             JOIN assessments a ON a.id = r.assessment_id WHERE a.wave_id = $2 AND r.frozen = 0",
        )
        .bind(ts(at))
        .bind(wave_id.to_string())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        update_versioned::<Wave>(&mut tx, wave_id, expected_version, Fields::new().set("closed_at", at)).await?;
        results_changed(&mut tx, wave_id, Changed::All).await?;
        let after = by_id(&mut *tx, wave_id).await?;
        let action = format!("wave.close: {frozen} results frozen");
        commit_change(tx, Some(actor), &action, "wave", wave_id, &before, after).await
    }
}
