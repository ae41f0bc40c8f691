//! Materialised results: each submitted assessment's scores, computed in the transaction that
//! changed it, live while its wave is open and frozen when the wave closes.

use super::AssessmentStatus;
use super::answers::{answer_rows, by_respondent, override_rows};
use super::assessments::Assessment;
use super::waves::{Changed, Wave, results_changed};
use crate::query::{all, by_id, fixed_sql, insert, optional};
use crate::row::{Column, Record, RowExt, parse_uuid, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};
use urbis_domain::diagnostic::{Instrument, Scores, score_respondents};
use uuid::Uuid;

/// A capability's figures in an assessment's materialised results.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub score: Option<f64>,
    pub level: u8,
}

record! {
    /// An assessment's self-assessed overall score and capability figures, as materialised.
    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct Results {
        pub overall: Option<f64>,
        pub capabilities: BTreeMap<String, Figure>,
    }
}

impl Results {
    pub fn of(s: &Scores) -> Results {
        Results {
            overall: s.overall,
            capabilities: s
                .capabilities
                .iter()
                .map(|(k, c)| (k.clone(), Figure { score: c.score, level: c.level }))
                .collect(),
        }
    }
}

record! {
    /// One city's line in a wave's benchmark.
    #[derive(Debug, Clone)]
    pub struct WaveResult {
        pub assessment: Assessment,
        pub results: Results,
    }
}

record! {
    /// An assessment whose results changed, with its results now: none when it is no longer
    /// submitted (reopened).
    struct ResultChange {
        assessment: Assessment,
        result_of: Option<Uuid>,
        overall: Option<f64>,
        capabilities: Option<String>,
    }
}

/// What changed in a wave's results since a version a cache holds (see
/// [`Store::wave_results_since`]).
#[derive(Debug)]
pub enum ResultChanges {
    /// The changed assessments, by id: each with its results now, or `None` when it no longer has
    /// any (reopened): the cache replaces, adds or drops each.
    Some(Vec<(Uuid, Option<WaveResult>)>),
    /// All of the wave's results changed at once (it closed) since that version: read them again.
    All,
}

/// Capability figures are stored as one JSON document.
impl Column for BTreeMap<String, Figure> {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        r.json(col)
    }
}

/// Recompute an assessment's live results inside the transaction that changed it: a submitted
/// assessment gets its scores from the answers and overrides; a draft has none.
pub(super) async fn refresh_results(tx: &mut WriteTx, id: Uuid) -> Result<()> {
    let a: Assessment = by_id(&mut **tx, id).await?;
    results_changed(tx, a.wave_id, Changed::One(a.id)).await?;
    sqlx::query("DELETE FROM assessment_results WHERE assessment_id = $1 AND frozen = 0")
        .bind(a.id.to_string())
        .execute(&mut **tx)
        .await?;
    if a.status != AssessmentStatus::Submitted {
        return Ok(());
    }
    let def: String = sqlx::query_scalar("SELECT definition_json FROM instruments WHERE slug = $1 AND version = $2")
        .bind(&a.instrument_slug)
        .bind(i64::from(a.instrument_version))
        .fetch_one(&mut **tx)
        .await?;
    let inst: Instrument = serde_json::from_str(&def).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let answers = answer_rows(&mut **tx, a.id).await?;
    let overrides: HashMap<String, Option<f64>> =
        override_rows(&mut **tx, a.id).await?.into_iter().map(|o| (o.question_id, o.normalised)).collect();
    let results = Results::of(&score_respondents(&inst, &by_respondent(&inst, &answers), &overrides));
    let json = serde_json::to_string(&results.capabilities).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let fields = Fields::new()
        .set("assessment_id", a.id)
        .set("frozen", false)
        .set("overall", results.overall)
        .set("capabilities_json", json)
        .set("computed_at", now());
    insert(tx, "assessment_results", fields, "").await?;
    Ok(())
}

impl Store {
    /// The results of every submitted assessment of an instrument in a wave, by city name: the
    /// figures frozen when the wave closed, or the live ones while it is open.
    pub async fn wave_results(&self, wave: &Wave, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        self.results_where(
            "a.wave_id = $1 AND a.instrument_slug = $2 ORDER BY o.name, o.slug",
            wave.id,
            instrument_slug,
        )
        .await
    }

    /// What changed in a wave's results (one instrument) since version `since` of its
    /// `results_version`: the assessments stamped after it (migration 0011), in one query, so the
    /// answer is one consistent snapshot. Anything committed after the wave was read may be in it as
    /// well; a cache applying it is then ahead, never behind, and reads those again next time.
    pub async fn wave_results_since(&self, wave: &Wave, instrument_slug: &str, since: i64) -> Result<ResultChanges> {
        if since < wave.results_reset {
            return Ok(ResultChanges::All);
        }
        let sql = fixed_sql(&[
            "SELECT",
            Assessment::COLUMNS,
            ", r.assessment_id AS result_of, r.overall, r.capabilities_json AS capabilities FROM",
            Assessment::FROM,
            "LEFT JOIN assessment_results r ON r.assessment_id = a.id \
             AND r.frozen = CASE WHEN w.closed_at IS NULL THEN 0 ELSE 1 END \
             WHERE a.wave_id = $1 AND a.instrument_slug = $2 AND a.results_seq > $3",
        ]);
        let rows: Vec<ResultChange> = all(&self.pool, sql, (wave.id, instrument_slug, since)).await?;
        rows.into_iter()
            .map(|c| {
                let id = c.assessment.id;
                let results = match (c.result_of, c.capabilities) {
                    (Some(_), Some(json)) => Some(WaveResult {
                        assessment: c.assessment,
                        results: Results {
                            overall: c.overall,
                            capabilities: serde_json::from_str(&json)
                                .map_err(|e| StoreError::Corrupt(format!("column capabilities: {e}")))?,
                        },
                    }),
                    _ => None,
                };
                Ok((id, results))
            })
            .collect::<Result<Vec<_>>>()
            .map(ResultChanges::Some)
    }

    /// A city's results with one instrument in every wave, oldest wave first (frozen figures for
    /// closed waves): its progress.
    pub async fn organisation_results(&self, organisation_id: Uuid, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        self.results_where(
            "a.organisation_id = $1 AND a.instrument_slug = $2 ORDER BY w.opens_on, w.slug",
            organisation_id,
            instrument_slug,
        )
        .await
    }

    async fn results_where(&self, filter: &'static str, id: Uuid, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        let sql = fixed_sql(&[
            "SELECT",
            Assessment::COLUMNS,
            ", r.overall, r.capabilities_json AS capabilities FROM",
            Assessment::FROM,
            "JOIN assessment_results r ON r.assessment_id = a.id \
             AND r.frozen = CASE WHEN w.closed_at IS NULL THEN 0 ELSE 1 END WHERE",
            filter,
        ]);
        all(&self.pool, sql, (id, instrument_slug)).await
    }

    /// The live results of one assessment (`None` while it is a draft).
    pub async fn assessment_results(&self, a: &Assessment) -> Result<Option<Results>> {
        let sql = "SELECT overall, capabilities_json AS capabilities FROM assessment_results \
             WHERE assessment_id = $1 AND frozen = 0";
        optional(&self.pool, sql, a.id).await
    }

    /// Compute the results of submitted assessments that have none (installations from before
    /// results were materialised). Returns how many were computed.
    pub async fn backfill_results(&self) -> Result<u64> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT a.id FROM assessments a WHERE a.status = 'submitted' AND NOT EXISTS \
             (SELECT 1 FROM assessment_results r WHERE r.assessment_id = a.id AND r.frozen = 0)",
        )
        .fetch_all(&self.pool)
        .await?;
        for id in &ids {
            let mut tx = self.begin_write().await?;
            refresh_results(&mut tx, parse_uuid(id)?).await?;
            tx.commit().await?;
        }
        Ok(ids.len() as u64)
    }
}
