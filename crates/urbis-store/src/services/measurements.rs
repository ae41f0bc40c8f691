//! The measurements of outcome indicators: reading series (one indicator or many at once) and
//! importing values.

use super::Indicator;
use crate::query::{all, grouped, grouped_by_ids, insert, optional, update};
use crate::row::{Decode, RowExt};
use crate::value::Fields;
use crate::{Page, Paged, Result, Store, WriteTx, audit, now, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use std::collections::HashMap;
use urbis_domain::services::{Breakdown, MeasurementInput, Point, Quality};
use uuid::Uuid;

/// One stored measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measurement {
    pub date: NaiveDate,
    pub breakdown: Breakdown,
    pub value: f64,
    pub quality: Quality,
    pub note: String,
}

impl Measurement {
    pub fn point(&self) -> Point {
        Point { date: self.date, value: self.value, quality: self.quality }
    }
}

/// A measurement is stored under its indicator, date and breakdown key.
impl Decode for Measurement {
    fn decode(r: &AnyRow) -> Result<Self> {
        Ok(Measurement {
            date: r.date("measured_on")?,
            breakdown: Breakdown::from_key(&r.text("breakdown")?),
            value: r.float("value")?,
            quality: r.read("quality")?,
            note: r.text("note")?,
        })
    }
}

/// What an import of measurements did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ImportOutcome {
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

impl Store {
    /// An indicator's measurements by date, the total series before its breakdowns.
    pub async fn measurements(&self, indicator_id: Uuid) -> Result<Vec<Measurement>> {
        let sql = "SELECT * FROM measurements WHERE indicator_id = $1 ORDER BY measured_on, breakdown";
        all(&self.pool, sql, indicator_id).await
    }

    /// A page of an indicator's measurements, newest first (by date, then breakdown), read in SQL.
    pub async fn measurements_page(&self, indicator_id: Uuid, page: Page) -> Result<Paged<Measurement>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM measurements WHERE indicator_id = $1")
            .bind(indicator_id.to_string())
            .fetch_one(&self.pool)
            .await?;
        let sql = "SELECT * FROM measurements WHERE indicator_id = $1 \
                   ORDER BY measured_on DESC, breakdown DESC LIMIT $2 OFFSET $3";
        let items = all(&self.pool, sql, (indicator_id, page.limit(), page.offset())).await?;
        Ok(page.of(items, total))
    }

    /// The measurements of many indicators at once (one query per 500 indicators), each series in
    /// the order of [`Store::measurements`]: indicator id → measurements. Every requested id is in
    /// the map, with an empty series when it has no measurements.
    pub async fn measurements_of(&self, indicator_ids: &[Uuid]) -> Result<HashMap<Uuid, Vec<Measurement>>> {
        let head = "SELECT * FROM measurements WHERE indicator_id";
        let tail = "ORDER BY indicator_id, measured_on, breakdown";
        grouped_by_ids(&self.pool, head, tail, indicator_ids, "indicator_id").await
    }

    /// The total series (no breakdown) of every indicator in a programme: indicator id → measurements.
    pub async fn programme_totals(&self, programme_id: Uuid) -> Result<HashMap<Uuid, Vec<Measurement>>> {
        let sql = "SELECT m.* FROM measurements m JOIN indicators i ON i.id = m.indicator_id \
             JOIN services s ON s.id = i.service_id WHERE s.programme_id = $1 AND m.breakdown = '' ORDER BY m.measured_on";
        grouped(&self.pool, sql, programme_id, "indicator_id").await
    }

    /// Record measurements of an indicator, all or none, in one transaction. Each replaces the
    /// value of the same date and breakdown; a row equal to the stored one changes nothing and is
    /// not audited, so importing the same file twice leaves no trace the second time.
    pub async fn put_measurements(
        &self,
        actor: Option<Uuid>,
        indicator_id: Uuid,
        rows: &[MeasurementInput],
    ) -> Result<ImportOutcome> {
        let (mut tx, _) = self.begin_on::<Indicator>(indicator_id).await?;
        let mut outcome = ImportOutcome::default();
        let at = now();
        for m in rows {
            let before = stored_measurement(&mut tx, indicator_id, m).await?;
            let after = Measurement {
                date: m.date,
                breakdown: m.breakdown.clone(),
                value: m.value,
                quality: m.quality,
                note: m.note.clone(),
            };
            if before.as_ref() == Some(&after) {
                outcome.unchanged += 1;
                continue;
            }
            if before.is_some() {
                outcome.changed += 1;
            } else {
                outcome.added += 1;
            }
            write_measurement(&mut tx, indicator_id, m, before.is_some(), at).await?;
            audit::record(
                &mut tx,
                actor,
                "indicator.measurement",
                "indicator",
                &indicator_id.to_string(),
                before.as_ref(),
                Some(&after),
            )
            .await?;
        }
        if outcome.added + outcome.changed > 0 {
            let changed = "UPDATE indicators SET version = version + 1, updated_at = $1 WHERE id = $2";
            sqlx::query(changed).bind(ts(at)).bind(indicator_id.to_string()).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(outcome)
    }
}

/// The stored measurement of the same indicator, date and breakdown, if any.
async fn stored_measurement(tx: &mut WriteTx, indicator_id: Uuid, m: &MeasurementInput) -> Result<Option<Measurement>> {
    let sql = "SELECT * FROM measurements WHERE indicator_id = $1 AND measured_on = $2 AND breakdown = $3";
    optional(&mut **tx, sql, (indicator_id, m.date, m.breakdown.key())).await
}

/// Replace (`exists`) or add one measurement.
async fn write_measurement(
    tx: &mut WriteTx,
    indicator_id: Uuid,
    m: &MeasurementInput,
    exists: bool,
    at: DateTime<Utc>,
) -> Result<()> {
    let key =
        Fields::new().set("indicator_id", indicator_id).set("measured_on", m.date).set("breakdown", m.breakdown.key());
    let values =
        Fields::new().set("value", m.value).set("quality", m.quality).set("note", &m.note).set("updated_at", at);
    if exists {
        update(tx, "measurements", values, key).await?;
    } else {
        insert(tx, "measurements", key.with(values), "").await?;
    }
    Ok(())
}
