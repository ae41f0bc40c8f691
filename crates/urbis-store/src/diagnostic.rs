//! The `diagnostic` capability's repository: instruments (immutable published versions), waves,
//! assessments with answers per respondent, overrides, submission and frozen wave results.

pub mod pulse;

use crate::{Result, Store, StoreError, WriteTx, audit, now, parse_ts, ts};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row;
use sqlx::any::AnyRow;
use std::collections::{BTreeMap, HashMap};
use urbis_domain::diagnostic::{
    Answer, Instrument, InstrumentKind, SOURCE_LANGUAGE, Scores, Translation, check_translation, score_respondents,
};
use uuid::Uuid;

/// The instrument files shipped with Urbis: (definition, recommended actions).
pub const INSTRUMENT_FILES: &[(&str, &str, &str)] = &[
    (
        "city-digital-maturity/v1.toml",
        include_str!("../../../data/instruments/city-digital-maturity/v1.toml"),
        include_str!("../../../data/instruments/city-digital-maturity/actions.toml"),
    ),
    (
        "innovation-capacity-pulse/v1.toml",
        include_str!("../../../data/instruments/innovation-capacity-pulse/v1.toml"),
        include_str!("../../../data/instruments/innovation-capacity-pulse/actions.toml"),
    ),
];

/// The translations shipped beside the instruments: (definition file, language, translation file).
/// One file per language holds every text of the version and of its recommended actions.
pub const INSTRUMENT_TRANSLATIONS: &[(&str, &str, &str)] = &[
    ("city-digital-maturity/v1.toml", "de", include_str!("../../../data/instruments/city-digital-maturity/v1.de.toml")),
    ("city-digital-maturity/v1.toml", "fr", include_str!("../../../data/instruments/city-digital-maturity/v1.fr.toml")),
    (
        "innovation-capacity-pulse/v1.toml",
        "de",
        include_str!("../../../data/instruments/innovation-capacity-pulse/v1.de.toml"),
    ),
    (
        "innovation-capacity-pulse/v1.toml",
        "fr",
        include_str!("../../../data/instruments/innovation-capacity-pulse/v1.fr.toml"),
    ),
];

pub use urbis_domain::diagnostic::RecommendedAction;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ActionsFile {
    instrument: String,
    actions: Vec<RecommendedAction>,
}

/// Parse and check an instrument file, its actions file and the translations shipped beside it.
pub fn parse_instrument(name: &str, definition: &str, actions: &str) -> Result<(Instrument, Vec<RecommendedAction>)> {
    let translations: Vec<(&str, &str)> =
        INSTRUMENT_TRANSLATIONS.iter().filter(|(n, _, _)| *n == name).map(|(_, lang, text)| (*lang, *text)).collect();
    parse_instrument_with(name, definition, actions, &translations)
}

/// Parse and check an instrument file, its actions file and its translations (language, file
/// text). A translation must cover exactly the ids and texts of the version; it becomes part of
/// the version (and of its digest).
pub fn parse_instrument_with(
    name: &str,
    definition: &str,
    actions: &str,
    translations: &[(&str, &str)],
) -> Result<(Instrument, Vec<RecommendedAction>)> {
    let mut inst: Instrument = toml::from_str(definition).map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))?;
    inst.validate().map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))?;
    if !inst.translations.is_empty() {
        return Err(StoreError::Corrupt(format!("{name}: translations belong in their own files beside it")));
    }
    let acts: ActionsFile = toml::from_str(actions).map_err(|e| StoreError::Corrupt(format!("{name} actions: {e}")))?;
    if acts.instrument != inst.slug {
        return Err(StoreError::Corrupt(format!("{name}: actions are for {}", acts.instrument)));
    }
    for a in &acts.actions {
        if !inst.capabilities.iter().any(|c| c.slug == a.capability) || !(1..=4).contains(&a.from_level) {
            return Err(StoreError::Corrupt(format!(
                "{name}: action {:?} names an unknown capability or level",
                a.title
            )));
        }
    }
    for (lang, text) in translations {
        let file = name.replace(".toml", &format!(".{lang}.toml"));
        if *lang == SOURCE_LANGUAGE || lang.len() != 2 || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
            return Err(StoreError::Corrupt(format!("{file}: {lang:?} is not a language code for a translation")));
        }
        let t: Translation = toml::from_str(text).map_err(|e| StoreError::Corrupt(format!("{file}: {e}")))?;
        check_translation(&inst, &acts.actions, lang, &t).map_err(|e| StoreError::Corrupt(format!("{file}: {e}")))?;
        inst.translations.insert(lang.to_string(), t);
    }
    Ok((inst, acts.actions))
}

/// An instrument as stored: its definition and actions.
#[derive(Debug, Clone)]
pub struct StoredInstrument {
    pub instrument: Instrument,
    pub actions: Vec<RecommendedAction>,
}

impl StoredInstrument {
    /// The instrument and its actions in `lang`, falling back to English (the copy carries no
    /// translations; `instrument.language(lang)` of the original says which language it is in).
    pub fn localised(&self, lang: &str) -> StoredInstrument {
        let (instrument, actions) = urbis_domain::diagnostic::localise(&self.instrument, &self.actions, lang);
        StoredInstrument { instrument, actions }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InstrumentSummary {
    pub slug: String,
    pub version: u32,
    pub kind: InstrumentKind,
    pub title: String,
    pub published_on: NaiveDate,
}

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

/// The state of an assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AssessmentStatus {
    Draft,
    Submitted,
}

impl AssessmentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssessmentStatus::Draft => "draft",
            AssessmentStatus::Submitted => "submitted",
        }
    }
    fn parse(s: &str) -> Result<Self> {
        match s {
            "draft" => Ok(AssessmentStatus::Draft),
            "submitted" => Ok(AssessmentStatus::Submitted),
            other => Err(StoreError::Corrupt(format!("bad assessment status {other}"))),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub organisation_slug: String,
    pub organisation_name: String,
    pub wave_id: Uuid,
    pub wave_slug: String,
    pub wave_name: String,
    pub instrument_slug: String,
    pub instrument_version: u32,
    pub status: AssessmentStatus,
    pub published: bool,
    pub is_sample: bool,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    /// The city's country and population, for peer groups.
    pub organisation_country: String,
    pub organisation_population: Option<u64>,
}

const ASSESSMENT_COLS: &str = "a.id, a.organisation_id, o.slug AS organisation_slug, o.name AS organisation_name, \
     o.country_code AS organisation_country, o.population AS organisation_population, \
     a.wave_id, w.slug AS wave_slug, w.name AS wave_name, a.instrument_slug, a.instrument_version, a.status, a.published, a.is_sample, \
     a.submitted_at, a.version, a.updated_at";
const ASSESSMENT_FROM: &str =
    "FROM assessments a JOIN organisations o ON o.id = a.organisation_id JOIN waves w ON w.id = a.wave_id";

fn assessment_select() -> String {
    format!("SELECT {ASSESSMENT_COLS} {ASSESSMENT_FROM}")
}

/// A capability's figures in an assessment's materialised results.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub score: Option<f64>,
    pub level: u8,
}

/// An assessment's self-assessed overall score and capability figures, as materialised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Results {
    pub overall: Option<f64>,
    pub capabilities: BTreeMap<String, Figure>,
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

/// One city's line in a wave's benchmark.
#[derive(Debug, Clone)]
pub struct WaveResult {
    pub assessment: Assessment,
    pub results: Results,
}

/// Respondents' normalised values of scored questions: one map per respondent, in a stable order.
pub fn by_respondent(inst: &Instrument, answers: &[StoredAnswer]) -> Vec<HashMap<String, Option<f64>>> {
    let mut map: BTreeMap<Uuid, HashMap<String, Option<f64>>> = BTreeMap::new();
    for a in answers {
        if inst.question(&a.question_id).is_some() {
            map.entry(a.respondent_id).or_default().insert(a.question_id.clone(), a.normalised);
        }
    }
    map.into_values().collect()
}

fn assessment(r: &AnyRow) -> Result<Assessment> {
    Ok(Assessment {
        id: crate::network::uuid(&r.try_get::<String, _>("id")?)?,
        organisation_id: crate::network::uuid(&r.try_get::<String, _>("organisation_id")?)?,
        organisation_slug: r.try_get("organisation_slug")?,
        organisation_name: r.try_get("organisation_name")?,
        wave_id: crate::network::uuid(&r.try_get::<String, _>("wave_id")?)?,
        wave_slug: r.try_get("wave_slug")?,
        wave_name: r.try_get("wave_name")?,
        instrument_slug: r.try_get("instrument_slug")?,
        instrument_version: r.try_get::<i64, _>("instrument_version")? as u32,
        status: AssessmentStatus::parse(&r.try_get::<String, _>("status")?)?,
        published: r.try_get::<i64, _>("published")? != 0,
        is_sample: r.try_get::<i64, _>("is_sample")? != 0,
        organisation_country: r.try_get("organisation_country")?,
        organisation_population: r.try_get::<Option<i64>, _>("organisation_population")?.map(|p| p.max(0) as u64),
        submitted_at: r.try_get::<Option<String>, _>("submitted_at")?.as_deref().map(parse_ts).transpose()?,
        version: r.try_get("version")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

/// One respondent's stored answer.
#[derive(Debug, Clone, Serialize)]
pub struct StoredAnswer {
    pub respondent_id: Uuid,
    pub question_id: String,
    pub answer: Answer,
    /// The normalised value; `None` for "not applicable".
    pub normalised: Option<f64>,
    pub evidence: String,
    pub comment: String,
    pub updated_at: DateTime<Utc>,
}

/// An answer to save (already checked and normalised against the instrument).
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub question_id: String,
    pub answer: Answer,
    pub normalised: Option<f64>,
    pub evidence: String,
    pub comment: String,
}

/// An expert's validation of one capability of a submitted assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Validation {
    pub capability: String,
    /// The validated score (0–100): the self-assessed one confirmed, or adjusted.
    pub score: f64,
    /// `high`, `medium` or `low`.
    pub confidence: String,
    pub comment: String,
    pub validated_by: Uuid,
    pub validated_at: DateTime<Utc>,
}

/// The city lead's consolidated value for a question, replacing the median.
#[derive(Debug, Clone, Serialize)]
pub struct Override {
    pub question_id: String,
    pub normalised: Option<f64>,
    pub reason: String,
}

fn date(s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt(format!("bad date {s:?}: {e}")))
}

fn wave(r: &AnyRow) -> Result<Wave> {
    Ok(Wave {
        id: crate::network::uuid(&r.try_get::<String, _>("id")?)?,
        programme_id: crate::network::uuid(&r.try_get::<String, _>("programme_id")?)?,
        slug: r.try_get("slug")?,
        name: r.try_get("name")?,
        opens_on: date(&r.try_get::<String, _>("opens_on")?)?,
        closes_on: date(&r.try_get::<String, _>("closes_on")?)?,
        closed_at: r.try_get::<Option<String>, _>("closed_at")?.as_deref().map(parse_ts).transpose()?,
        is_baseline: r.try_get::<i64, _>("is_baseline")? != 0,
        version: r.try_get("version")?,
        results_version: r.try_get("results_version")?,
    })
}

/// Does the shipped version differ from the stored one only by languages the stored one lacks?
/// The stored row must be intact (its digest matches its content), every published text the same,
/// and every stored translation unchanged: then the new languages may be added in place.
async fn adds_languages_only(
    tx: &mut WriteTx,
    shipped: &Instrument,
    shipped_actions: &[RecommendedAction],
    stored_digest: &str,
) -> Result<bool> {
    let (def, acts): (String, String) =
        sqlx::query_as("SELECT definition_json, actions_json FROM instruments WHERE slug = $1 AND version = $2")
            .bind(&shipped.slug)
            .bind(i64::from(shipped.version))
            .fetch_one(&mut **tx)
            .await?;
    let stored: Instrument = serde_json::from_str(&def).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let stored_actions: Vec<RecommendedAction> =
        serde_json::from_str(&acts).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    if digest(&stored, &stored_actions)?.2 != stored_digest || stored_actions != shipped_actions {
        return Ok(false);
    }
    let kept = stored.translations.iter().all(|(lang, t)| shipped.translations.get(lang) == Some(t));
    let added = shipped.translations.len() > stored.translations.len();
    let (mut a, mut b) = (stored, shipped.clone());
    a.translations.clear();
    b.translations.clear();
    Ok(kept && added && a == b)
}

/// What identifies a published instrument version's content.
pub(crate) fn digest(inst: &Instrument, actions: &[RecommendedAction]) -> Result<(String, String, String)> {
    let def = serde_json::to_string(inst).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let acts = serde_json::to_string(actions).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let d = hex::encode(Sha256::digest(format!("{def}\n{acts}").as_bytes()));
    Ok((def, acts, d))
}

impl Store {
    /// Load the shipped instruments. A version already stored must be byte-for-byte the same
    /// content: a published instrument never changes (an edit is a new version).
    pub async fn load_instruments(&self) -> Result<u64> {
        let mut added = 0;
        for (name, def, acts) in INSTRUMENT_FILES {
            let (inst, actions) = parse_instrument(name, def, acts)?;
            let (def_json, acts_json, d) = digest(&inst, &actions)?;
            let mut tx = self.begin_write().await?;
            let existing: Option<String> =
                sqlx::query_scalar("SELECT digest FROM instruments WHERE slug = $1 AND version = $2")
                    .bind(&inst.slug)
                    .bind(i64::from(inst.version))
                    .fetch_optional(&mut *tx)
                    .await?;
            match existing {
                Some(e) if e == d => {}
                Some(e) if adds_languages_only(&mut tx, &inst, &actions, &e).await? => {
                    // The same version, with languages it did not have: published texts are untouched.
                    sqlx::query(
                        "UPDATE instruments SET definition_json = $1, digest = $2 WHERE slug = $3 AND version = $4",
                    )
                    .bind(&def_json)
                    .bind(&d)
                    .bind(&inst.slug)
                    .bind(i64::from(inst.version))
                    .execute(&mut *tx)
                    .await?;
                    audit::record(
                        &mut tx,
                        None,
                        "instrument.translate",
                        "instrument",
                        &format!("{}@{}", inst.slug, inst.version),
                        Some(&e),
                        Some(&inst.languages()),
                    )
                    .await?;
                }
                Some(_) => {
                    return Err(StoreError::Corrupt(format!(
                        "instrument {} v{} differs from the published version; publish the change as v{}",
                        inst.slug,
                        inst.version,
                        inst.version + 1
                    )));
                }
                None => {
                    sqlx::query(
                        "INSERT INTO instruments (slug, version, kind, title, definition_json, actions_json, digest, published_on, created_at) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    )
                    .bind(&inst.slug)
                    .bind(i64::from(inst.version))
                    .bind(match inst.kind {
                        InstrumentKind::Diagnostic => "diagnostic",
                        InstrumentKind::Pulse => "pulse",
                    })
                    .bind(&inst.title)
                    .bind(&def_json)
                    .bind(&acts_json)
                    .bind(&d)
                    .bind(inst.published_on.to_string())
                    .bind(ts(now()))
                    .execute(&mut *tx)
                    .await?;
                    audit::record::<(), _>(
                        &mut tx,
                        None,
                        "instrument.publish",
                        "instrument",
                        &format!("{}@{}", inst.slug, inst.version),
                        None,
                        Some(&d),
                    )
                    .await?;
                    added += 1;
                }
            }
            tx.commit().await?;
        }
        Ok(added)
    }

    /// Every stored instrument version, by slug then version.
    pub async fn instruments(&self) -> Result<Vec<InstrumentSummary>> {
        let rows =
            sqlx::query("SELECT slug, version, kind, title, published_on FROM instruments ORDER BY slug, version")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok(InstrumentSummary {
                    slug: r.try_get("slug")?,
                    version: r.try_get::<i64, _>("version")? as u32,
                    kind: if r.try_get::<String, _>("kind")? == "pulse" {
                        InstrumentKind::Pulse
                    } else {
                        InstrumentKind::Diagnostic
                    },
                    title: r.try_get("title")?,
                    published_on: date(&r.try_get::<String, _>("published_on")?)?,
                })
            })
            .collect()
    }

    /// An instrument version (the newest when `version` is `None`).
    pub async fn instrument(&self, slug: &str, version: Option<u32>) -> Result<StoredInstrument> {
        let row: Option<(String, String)> = match version {
            Some(v) => {
                sqlx::query_as("SELECT definition_json, actions_json FROM instruments WHERE slug = $1 AND version = $2")
                    .bind(slug)
                    .bind(i64::from(v))
                    .fetch_optional(&self.pool)
                    .await?
            }
            None => sqlx::query_as(
                "SELECT definition_json, actions_json FROM instruments WHERE slug = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?,
        };
        let (def, acts) = row.ok_or(StoreError::NotFound)?;
        Ok(StoredInstrument {
            instrument: serde_json::from_str(&def).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            actions: serde_json::from_str(&acts).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        })
    }

    // ---- waves --------------------------------------------------------------------------------

    pub async fn waves(&self, programme_id: Uuid) -> Result<Vec<Wave>> {
        let rows = sqlx::query("SELECT * FROM waves WHERE programme_id = $1 ORDER BY opens_on, slug")
            .bind(programme_id.to_string())
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(wave).collect()
    }

    pub async fn wave(&self, programme_id: Uuid, slug: &str) -> Result<Wave> {
        let row = sqlx::query("SELECT * FROM waves WHERE programme_id = $1 AND slug = $2")
            .bind(programme_id.to_string())
            .bind(slug)
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        wave(&row)
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
            audit::record::<(), _>(
                &mut tx,
                actor,
                "wave.create",
                "wave",
                &format!("{programme_id}/{slug}"),
                None,
                Some(&name),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(n > 0)
    }

    // ---- assessments --------------------------------------------------------------------------

    /// Start an assessment of a city in a wave with the newest version of an instrument.
    pub async fn create_assessment(
        &self,
        actor: Option<Uuid>,
        organisation_id: Uuid,
        wave_id: Uuid,
        instrument_slug: &str,
        is_sample: bool,
    ) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let version: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM instruments WHERE slug = $1")
            .bind(instrument_slug)
            .fetch_one(&mut *tx)
            .await?;
        let version =
            version.ok_or_else(|| StoreError::refused("instrument", "unknown-instrument", "no such instrument"))?;
        if wave_in(&mut tx, wave_id).await?.closed_at.is_some() {
            return Err(StoreError::refused(
                "wave",
                "wave-closed",
                "the wave is closed; no new assessment can start in it",
            ));
        }
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assessments WHERE organisation_id = $1 AND wave_id = $2 AND instrument_slug = $3",
        )
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_one(&mut *tx)
        .await?;
        if exists > 0 {
            return Err(StoreError::refused(
                "wave",
                "assessment-exists",
                "this city already has an assessment with this instrument in this wave",
            ));
        }
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO assessments (id, organisation_id, wave_id, instrument_slug, instrument_version, status, published, is_sample, \
             created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'draft', 0, $6, $7, 1, $8, $8)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .bind(version)
        .bind(i64::from(is_sample))
        .bind(actor.map(|a| a.to_string()))
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let a = assessment_in(&mut tx, id).await?;
        audit::record::<(), _>(&mut tx, actor, "assessment.create", "assessment", &id.to_string(), None, Some(&a))
            .await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn assessment(&self, id: Uuid) -> Result<Assessment> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!("{} WHERE a.id = $1", assessment_select())))
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        assessment(&row)
    }

    /// Assessments of one instrument in one wave, by city name.
    pub async fn wave_assessments(&self, wave_id: Uuid, instrument_slug: &str) -> Result<Vec<Assessment>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE a.wave_id = $1 AND a.instrument_slug = $2 ORDER BY o.name, o.slug",
            assessment_select()
        )))
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(assessment).collect()
    }

    /// A city's assessments with one instrument, oldest wave first.
    pub async fn organisation_assessments(
        &self,
        organisation_id: Uuid,
        instrument_slug: &str,
    ) -> Result<Vec<Assessment>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "{} WHERE a.organisation_id = $1 AND a.instrument_slug = $2 ORDER BY w.opens_on, w.slug",
            assessment_select()
        )))
        .bind(organisation_id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(assessment).collect()
    }

    /// Every answer of an assessment, all respondents.
    pub async fn answers(&self, assessment_id: Uuid) -> Result<Vec<StoredAnswer>> {
        answer_rows(&self.pool, assessment_id).await
    }

    /// The answers of many assessments at once (for benchmarks): assessment id → answers.
    pub async fn wave_answers(&self, wave_id: Uuid, instrument_slug: &str) -> Result<HashMap<Uuid, Vec<StoredAnswer>>> {
        let rows = sqlx::query(
            "SELECT an.assessment_id, an.respondent_id, an.question_id, an.answer_json, an.normalised, an.evidence, an.comment, an.updated_at \
             FROM answers an JOIN assessments a ON a.id = an.assessment_id WHERE a.wave_id = $1 AND a.instrument_slug = $2",
        )
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Uuid, Vec<StoredAnswer>> = HashMap::new();
        for r in &rows {
            let id = crate::network::uuid(&r.try_get::<String, _>("assessment_id")?)?;
            out.entry(id).or_default().push(stored_answer(r)?);
        }
        Ok(out)
    }

    /// The overrides of every assessment of an instrument in a wave: assessment id → question → value.
    pub async fn wave_overrides(
        &self,
        wave_id: Uuid,
        instrument_slug: &str,
    ) -> Result<HashMap<Uuid, HashMap<String, Option<f64>>>> {
        let rows = sqlx::query(
            "SELECT o.assessment_id, o.question_id, o.normalised FROM answer_overrides o \
             JOIN assessments a ON a.id = o.assessment_id WHERE a.wave_id = $1 AND a.instrument_slug = $2",
        )
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        let mut out: HashMap<Uuid, HashMap<String, Option<f64>>> = HashMap::new();
        for r in &rows {
            out.entry(crate::network::uuid(&r.try_get::<String, _>("assessment_id")?)?)
                .or_default()
                .insert(r.try_get("question_id")?, r.try_get("normalised")?);
        }
        Ok(out)
    }

    /// Record an expert's validation of one capability (replacing an earlier one), audited.
    pub async fn validate(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        capability: &str,
        score: f64,
        confidence: &str,
        comment: &str,
    ) -> Result<Validation> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused("status", "not-submitted", "only a submitted assessment can be validated"));
        }
        let before = validation_rows(&mut *tx, assessment_id).await?.into_iter().find(|v| v.capability == capability);
        sqlx::query("DELETE FROM validations WHERE assessment_id = $1 AND capability = $2")
            .bind(assessment_id.to_string())
            .bind(capability)
            .execute(&mut *tx)
            .await?;
        let at = now();
        sqlx::query(
            "INSERT INTO validations (assessment_id, capability, score, confidence, comment, validated_by, validated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(assessment_id.to_string())
        .bind(capability)
        .bind(score)
        .bind(confidence)
        .bind(comment)
        .bind(actor.to_string())
        .bind(ts(at))
        .execute(&mut *tx)
        .await?;
        let after = Validation {
            capability: capability.to_string(),
            score,
            confidence: confidence.to_string(),
            comment: comment.to_string(),
            validated_by: actor,
            validated_at: at,
        };
        audit::record(
            &mut tx,
            Some(actor),
            "assessment.validate",
            "assessment",
            &assessment_id.to_string(),
            before.as_ref(),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Set (or with `None`, remove) the city's consolidated value for a question, replacing the
    /// respondents' median, with a reason; only while the assessment is a draft. Audited.
    pub async fn set_override(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        question_id: &str,
        value: Option<(Option<f64>, String)>,
    ) -> Result<Option<Override>> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(StoreError::refused(
                "status",
                "not-draft",
                "the assessment is submitted; ask programme staff to reopen it",
            ));
        }
        let before: Option<Override> = sqlx::query("SELECT question_id, normalised, reason FROM answer_overrides WHERE assessment_id = $1 AND question_id = $2")
            .bind(assessment_id.to_string())
            .bind(question_id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| -> Result<Override> {
                Ok(Override { question_id: r.try_get("question_id")?, normalised: r.try_get("normalised")?, reason: r.try_get("reason")? })
            })
            .transpose()?;
        sqlx::query("DELETE FROM answer_overrides WHERE assessment_id = $1 AND question_id = $2")
            .bind(assessment_id.to_string())
            .bind(question_id)
            .execute(&mut *tx)
            .await?;
        let after = match value {
            None => None,
            Some((normalised, reason)) => {
                sqlx::query(
                    "INSERT INTO answer_overrides (assessment_id, question_id, normalised, reason, set_by, set_at) \
                     VALUES ($1, $2, CASE WHEN $7 = 1 THEN $3 END, $4, $5, $6)",
                )
                .bind(assessment_id.to_string())
                .bind(question_id)
                .bind(normalised.unwrap_or(0.0))
                .bind(&reason)
                .bind(actor.to_string())
                .bind(ts(now()))
                .bind(i64::from(normalised.is_some()))
                .execute(&mut *tx)
                .await?;
                Some(Override { question_id: question_id.to_string(), normalised, reason })
            }
        };
        sqlx::query("UPDATE assessments SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(ts(now()))
            .bind(assessment_id.to_string())
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            Some(actor),
            "assessment.override",
            "assessment",
            &assessment_id.to_string(),
            before.as_ref(),
            after.as_ref(),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The expert validations of an assessment, by capability.
    pub async fn validations(&self, assessment_id: Uuid) -> Result<Vec<Validation>> {
        validation_rows(&self.pool, assessment_id).await
    }

    pub async fn overrides(&self, assessment_id: Uuid) -> Result<Vec<Override>> {
        override_rows(&self.pool, assessment_id).await
    }

    /// Import a complete, submitted assessment in one transaction (sample and synthetic data):
    /// the answers are already checked and normalised by the caller. Skipped when the city already
    /// has an assessment with this instrument in this wave. Returns whether it was added.
    #[allow(clippy::too_many_arguments)]
    pub async fn import_assessment(
        &self,
        organisation_id: Uuid,
        wave_id: Uuid,
        instrument_slug: &str,
        instrument_version: u32,
        respondent: Uuid,
        answers: &[(String, Answer, Option<f64>)],
        published: bool,
        is_sample: bool,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let exists: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM assessments WHERE organisation_id = $1 AND wave_id = $2 AND instrument_slug = $3",
        )
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .fetch_one(&mut *tx)
        .await?;
        if exists > 0 {
            return Ok(false);
        }
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO assessments (id, organisation_id, wave_id, instrument_slug, instrument_version, status, published, is_sample, \
             created_by, submitted_at, submitted_by, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'submitted', $6, $7, $8, $9, $8, 1, $9, $9)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(wave_id.to_string())
        .bind(instrument_slug)
        .bind(i64::from(instrument_version))
        .bind(i64::from(published))
        .bind(i64::from(is_sample))
        .bind(respondent.to_string())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        for (question, answer, normalised) in answers {
            let json = serde_json::to_string(answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO answers (assessment_id, respondent_id, question_id, answer_json, normalised, evidence, comment, updated_at) \
                 VALUES ($1, $2, $3, $4, CASE WHEN $7 = 1 THEN $5 END, '', '', $6)",
            )
            .bind(id.to_string())
            .bind(respondent.to_string())
            .bind(question)
            .bind(&json)
            .bind(normalised.unwrap_or(0.0))
            .bind(&at)
            .bind(i64::from(normalised.is_some()))
            .execute(&mut *tx)
            .await?;
        }
        refresh_results(&mut tx, id).await?;
        audit::record::<(), _>(
            &mut tx,
            None,
            "assessment.import",
            "assessment",
            &id.to_string(),
            None,
            Some(&answers.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Publish or unpublish an assessment's scores (the city's choice); versioned and audited.
    pub async fn set_published(
        &self,
        actor: Uuid,
        assessment_id: Uuid,
        expected_version: i64,
        published: bool,
    ) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let before = assessment_in(&mut tx, assessment_id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        if before.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused(
                "published",
                "not-submitted",
                "only a submitted assessment can be published",
            ));
        }
        sqlx::query("UPDATE assessments SET published = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(i64::from(published))
            .bind(ts(now()))
            .bind(assessment_id.to_string())
            .bind(expected_version)
            .execute(&mut *tx)
            .await?;
        results_changed(&mut tx, before.wave_id).await?;
        finish_change(tx, actor, "assessment.publish", &before).await
    }

    /// Save one respondent's answer to one question (insert or replace) in a draft assessment.
    #[allow(clippy::too_many_arguments)]
    pub async fn put_answer(
        &self,
        respondent: Uuid,
        assessment_id: Uuid,
        question_id: &str,
        answer: &Answer,
        normalised: Option<f64>,
        evidence: &str,
        comment: &str,
    ) -> Result<StoredAnswer> {
        let new = NewAnswer {
            question_id: question_id.to_string(),
            answer: answer.clone(),
            normalised,
            evidence: evidence.to_string(),
            comment: comment.to_string(),
        };
        let mut saved = self.put_answers(respondent, assessment_id, std::slice::from_ref(&new)).await?;
        saved.pop().ok_or_else(|| StoreError::Corrupt("no answer saved".into()))
    }

    /// Save several answers of one respondent in a draft assessment, all or none, in one
    /// transaction (a questionnaire page saves a whole section at once). Each replaces the
    /// respondent's earlier answer to that question and is audited with the one it replaced.
    pub async fn put_answers(
        &self,
        respondent: Uuid,
        assessment_id: Uuid,
        answers: &[NewAnswer],
    ) -> Result<Vec<StoredAnswer>> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(StoreError::refused(
                "status",
                "not-draft",
                "the assessment is submitted; ask programme staff to reopen it",
            ));
        }
        let at = now();
        let mut saved = Vec::with_capacity(answers.len());
        for n in answers {
            let before = sqlx::query(
                "SELECT respondent_id, question_id, answer_json, normalised, evidence, comment, updated_at FROM answers \
                 WHERE assessment_id = $1 AND respondent_id = $2 AND question_id = $3",
            )
            .bind(assessment_id.to_string())
            .bind(respondent.to_string())
            .bind(&n.question_id)
            .fetch_optional(&mut *tx)
            .await?
            .as_ref()
            .map(stored_answer)
            .transpose()?;
            let json = serde_json::to_string(&n.answer).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query("DELETE FROM answers WHERE assessment_id = $1 AND respondent_id = $2 AND question_id = $3")
                .bind(assessment_id.to_string())
                .bind(respondent.to_string())
                .bind(&n.question_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO answers (assessment_id, respondent_id, question_id, answer_json, normalised, evidence, comment, updated_at) \
                 VALUES ($1, $2, $3, $4, CASE WHEN $9 = 1 THEN $5 END, $6, $7, $8)",
            )
            .bind(assessment_id.to_string())
            .bind(respondent.to_string())
            .bind(&n.question_id)
            .bind(&json)
            .bind(n.normalised.unwrap_or(0.0))
            .bind(&n.evidence)
            .bind(&n.comment)
            .bind(ts(at))
            .bind(i64::from(n.normalised.is_some()))
            .execute(&mut *tx)
            .await?;
            let after = StoredAnswer {
                respondent_id: respondent,
                question_id: n.question_id.clone(),
                answer: n.answer.clone(),
                normalised: n.normalised,
                evidence: n.evidence.clone(),
                comment: n.comment.clone(),
                updated_at: at,
            };
            audit::record(
                &mut tx,
                Some(respondent),
                "answer.put",
                "assessment",
                &assessment_id.to_string(),
                before.as_ref(),
                Some(&after),
            )
            .await?;
            saved.push(after);
        }
        sqlx::query("UPDATE assessments SET version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(ts(at))
            .bind(assessment_id.to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(saved)
    }

    /// Submit a draft: refused with the list of required questions nobody has answered.
    pub async fn submit_assessment(&self, actor: Uuid, assessment_id: Uuid, required: &[String]) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Draft {
            return Err(StoreError::refused("status", "not-draft", "the assessment is already submitted"));
        }
        let answered: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT question_id FROM answers WHERE assessment_id = $1")
                .bind(assessment_id.to_string())
                .fetch_all(&mut *tx)
                .await?;
        let missing: Vec<String> = required.iter().filter(|q| !answered.contains(q)).cloned().collect();
        if !missing.is_empty() {
            return Err(StoreError::Incomplete(missing));
        }
        let at = ts(now());
        sqlx::query(
            "UPDATE assessments SET status = 'submitted', submitted_at = $1, submitted_by = $2, version = version + 1, updated_at = $1 WHERE id = $3",
        )
        .bind(&at)
        .bind(actor.to_string())
        .bind(assessment_id.to_string())
        .execute(&mut *tx)
        .await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, "assessment.submit", &a).await
    }

    /// Reopen a submitted assessment for changes, with a reason (audited).
    pub async fn reopen_assessment(&self, actor: Uuid, assessment_id: Uuid, reason: &str) -> Result<Assessment> {
        let mut tx = self.begin_write().await?;
        let a = assessment_in(&mut tx, assessment_id).await?;
        if a.status != AssessmentStatus::Submitted {
            return Err(StoreError::refused("status", "not-submitted", "only a submitted assessment can be reopened"));
        }
        sqlx::query("UPDATE assessments SET status = 'draft', version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(ts(now()))
            .bind(assessment_id.to_string())
            .execute(&mut *tx)
            .await?;
        refresh_results(&mut tx, assessment_id).await?;
        finish_change(tx, actor, &format!("assessment.reopen: {reason}"), &a).await
    }
}

fn stored_answer(r: &AnyRow) -> Result<StoredAnswer> {
    let json: String = r.try_get("answer_json")?;
    Ok(StoredAnswer {
        respondent_id: crate::network::uuid(&r.try_get::<String, _>("respondent_id")?)?,
        question_id: r.try_get("question_id")?,
        answer: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        normalised: r.try_get("normalised")?,
        evidence: r.try_get("evidence")?,
        comment: r.try_get("comment")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

fn validation(r: &AnyRow) -> Result<Validation> {
    Ok(Validation {
        capability: r.try_get("capability")?,
        score: r.try_get("score")?,
        confidence: r.try_get("confidence")?,
        comment: r.try_get("comment")?,
        validated_by: crate::network::uuid(&r.try_get::<String, _>("validated_by")?)?,
        validated_at: parse_ts(&r.try_get::<String, _>("validated_at")?)?,
    })
}

async fn validation_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    e: E,
    assessment_id: Uuid,
) -> Result<Vec<Validation>> {
    let rows = sqlx::query(
        "SELECT capability, score, confidence, comment, validated_by, validated_at FROM validations \
         WHERE assessment_id = $1 ORDER BY capability",
    )
    .bind(assessment_id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter().map(validation).collect()
}

/// Read an assessment back after a change, audit the change with the record before and after, and
/// commit.
async fn finish_change(mut tx: WriteTx, actor: Uuid, action: &str, before: &Assessment) -> Result<Assessment> {
    let after = assessment_in(&mut tx, before.id).await?;
    audit::record(&mut tx, Some(actor), action, "assessment", &before.id.to_string(), Some(before), Some(&after))
        .await?;
    tx.commit().await?;
    Ok(after)
}

async fn assessment_in(tx: &mut WriteTx, id: Uuid) -> Result<Assessment> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!("{} WHERE a.id = $1", assessment_select())))
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    assessment(&row)
}

// ---- materialised results, closing waves ------------------------------------------------------

// A missing number is written as `CASE WHEN $flag = 1 THEN $value END` with a value always bound:
// sqlx 0.9's `Any` driver sends a NULL double to PostgreSQL as a float4 parameter, and a statement
// prepared with it then refuses a float8 on the same connection ("incorrect binary data format").

/// Recompute an assessment's live results inside the transaction that changed it: a submitted
/// assessment gets its scores from the answers and overrides; a draft has none.
async fn refresh_results(tx: &mut WriteTx, id: Uuid) -> Result<()> {
    let a = assessment_in(tx, id).await?;
    results_changed(tx, a.wave_id).await?;
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
    sqlx::query(
        "INSERT INTO assessment_results (assessment_id, frozen, overall, capabilities_json, computed_at) \
         VALUES ($1, 0, CASE WHEN $5 = 1 THEN $2 END, $3, $4)",
    )
    .bind(a.id.to_string())
    .bind(results.overall.unwrap_or(0.0))
    .bind(json)
    .bind(ts(now()))
    .bind(i64::from(results.overall.is_some()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Mark a wave's results as changed (see `waves.results_version`).
async fn results_changed(tx: &mut WriteTx, wave_id: Uuid) -> Result<()> {
    sqlx::query("UPDATE waves SET results_version = results_version + 1 WHERE id = $1")
        .bind(wave_id.to_string())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn answer_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(e: E, id: Uuid) -> Result<Vec<StoredAnswer>> {
    let rows = sqlx::query(
        "SELECT respondent_id, question_id, answer_json, normalised, evidence, comment, updated_at FROM answers \
         WHERE assessment_id = $1 ORDER BY question_id, respondent_id",
    )
    .bind(id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter().map(stored_answer).collect()
}

async fn override_rows<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(e: E, id: Uuid) -> Result<Vec<Override>> {
    let rows = sqlx::query(
        "SELECT question_id, normalised, reason FROM answer_overrides WHERE assessment_id = $1 ORDER BY question_id",
    )
    .bind(id.to_string())
    .fetch_all(e)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Override {
                question_id: r.try_get("question_id")?,
                normalised: r.try_get("normalised")?,
                reason: r.try_get("reason")?,
            })
        })
        .collect()
}

impl Store {
    /// The results of every submitted assessment of an instrument in a wave, by city name: the
    /// figures frozen when the wave closed, or the live ones while it is open.
    pub async fn wave_results(&self, wave: &Wave, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        self.results_where(
            "a.wave_id = $1 AND a.instrument_slug = $2 ORDER BY o.name, o.slug",
            &wave.id,
            instrument_slug,
        )
        .await
    }

    /// A city's results with one instrument in every wave, oldest wave first (frozen figures for
    /// closed waves): its progress.
    pub async fn organisation_results(&self, organisation_id: Uuid, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        self.results_where(
            "a.organisation_id = $1 AND a.instrument_slug = $2 ORDER BY w.opens_on, w.slug",
            &organisation_id,
            instrument_slug,
        )
        .await
    }

    async fn results_where(&self, filter: &str, id: &Uuid, instrument_slug: &str) -> Result<Vec<WaveResult>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {ASSESSMENT_COLS}, r.overall, r.capabilities_json {ASSESSMENT_FROM} \
             JOIN assessment_results r ON r.assessment_id = a.id \
             AND r.frozen = CASE WHEN w.closed_at IS NULL THEN 0 ELSE 1 END WHERE {filter}"
        )))
        .bind(id.to_string())
        .bind(instrument_slug)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let json: String = r.try_get("capabilities_json")?;
                Ok(WaveResult {
                    assessment: assessment(r)?,
                    results: Results {
                        overall: r.try_get("overall")?,
                        capabilities: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    },
                })
            })
            .collect()
    }

    /// The live results of one assessment (`None` while it is a draft).
    pub async fn assessment_results(&self, a: &Assessment) -> Result<Option<Results>> {
        let row: Option<(Option<f64>, String)> = sqlx::query_as(
            "SELECT overall, capabilities_json FROM assessment_results WHERE assessment_id = $1 AND frozen = 0",
        )
        .bind(a.id.to_string())
        .fetch_optional(&self.pool)
        .await?;
        row.map(|(overall, json)| {
            Ok(Results {
                overall,
                capabilities: serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?,
            })
        })
        .transpose()
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
            refresh_results(&mut tx, crate::network::uuid(id)?).await?;
            tx.commit().await?;
        }
        Ok(ids.len() as u64)
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
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
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
        sqlx::query("UPDATE waves SET closed_at = $1, version = version + 1, results_version = results_version + 1 WHERE id = $2")
            .bind(&at)
            .bind(wave_id.to_string())
            .execute(&mut *tx)
            .await?;
        let after = wave_in(&mut tx, wave_id).await?;
        audit::record(
            &mut tx,
            Some(actor),
            &format!("wave.close: {frozen} results frozen"),
            "wave",
            &wave_id.to_string(),
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn wave_by_id(&self, id: Uuid) -> Result<Wave> {
        let row = sqlx::query("SELECT * FROM waves WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        wave(&row)
    }
}

async fn wave_in(tx: &mut WriteTx, id: Uuid) -> Result<Wave> {
    let row = sqlx::query("SELECT * FROM waves WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    wave(&row)
}

// ---- improvement plans ------------------------------------------------------------------------

/// One item of a city's improvement plan.
#[derive(Debug, Clone, Serialize)]
pub struct PlanItem {
    pub id: Uuid,
    pub organisation_id: Uuid,
    pub assessment_id: Option<Uuid>,
    pub capability: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    pub status: urbis_domain::diagnostic::PlanStatus,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

fn plan_item(r: &AnyRow) -> Result<PlanItem> {
    Ok(PlanItem {
        id: crate::network::uuid(&r.try_get::<String, _>("id")?)?,
        organisation_id: crate::network::uuid(&r.try_get::<String, _>("organisation_id")?)?,
        assessment_id: r
            .try_get::<Option<String>, _>("assessment_id")?
            .as_deref()
            .map(crate::network::uuid)
            .transpose()?,
        capability: r.try_get("capability")?,
        title: r.try_get("title")?,
        description: r.try_get("description")?,
        owner: r.try_get("owner")?,
        due_on: r.try_get::<Option<String>, _>("due_on")?.as_deref().map(date).transpose()?,
        status: urbis_domain::diagnostic::PlanStatus::parse(&r.try_get::<String, _>("status")?)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        version: r.try_get("version")?,
        updated_at: parse_ts(&r.try_get::<String, _>("updated_at")?)?,
    })
}

async fn plan_item_in(tx: &mut WriteTx, id: Uuid) -> Result<PlanItem> {
    let row = sqlx::query("SELECT * FROM plan_items WHERE id = $1")
        .bind(id.to_string())
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    plan_item(&row)
}

impl Store {
    /// A city's improvement plan: by capability, then due date (undated last), then creation.
    pub async fn plan_items(&self, organisation_id: Uuid) -> Result<Vec<PlanItem>> {
        let rows = sqlx::query(
            "SELECT * FROM plan_items WHERE organisation_id = $1 \
             ORDER BY capability, CASE WHEN due_on IS NULL THEN 1 ELSE 0 END, due_on, created_at, id",
        )
        .bind(organisation_id.to_string())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(plan_item).collect()
    }

    pub async fn plan_item(&self, id: Uuid) -> Result<PlanItem> {
        let row = sqlx::query("SELECT * FROM plan_items WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?
            .ok_or(StoreError::NotFound)?;
        plan_item(&row)
    }

    /// Add an item to a city's plan (optionally tied to the assessment it follows from). Audited.
    pub async fn create_plan_item(
        &self,
        actor: Uuid,
        organisation_id: Uuid,
        assessment_id: Option<Uuid>,
        input: &urbis_domain::diagnostic::PlanItemInput,
    ) -> Result<PlanItem> {
        let mut tx = self.begin_write().await?;
        let id = Uuid::now_v7();
        let at = ts(now());
        sqlx::query(
            "INSERT INTO plan_items (id, organisation_id, assessment_id, capability, title, description, owner, due_on, status, \
             version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $10)",
        )
        .bind(id.to_string())
        .bind(organisation_id.to_string())
        .bind(assessment_id.map(|a| a.to_string()))
        .bind(&input.capability)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.owner)
        .bind(input.due_on.map(|d| d.to_string()))
        .bind(input.status.as_str())
        .bind(&at)
        .execute(&mut *tx)
        .await?;
        let after = plan_item_in(&mut tx, id).await?;
        audit::record::<(), _>(&mut tx, Some(actor), "plan.create", "plan_item", &id.to_string(), None, Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Change a plan item, refused when someone else changed it since `expected_version`. Audited.
    pub async fn update_plan_item(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        input: &urbis_domain::diagnostic::PlanItemInput,
    ) -> Result<PlanItem> {
        let mut tx = self.begin_write().await?;
        let before = plan_item_in(&mut tx, id).await?;
        if before.version != expected_version {
            return Err(StoreError::Conflict { expected: expected_version, actual: before.version });
        }
        sqlx::query(
            "UPDATE plan_items SET capability = $1, title = $2, description = $3, owner = $4, due_on = $5, status = $6, \
             version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(&input.capability)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.owner)
        .bind(input.due_on.map(|d| d.to_string()))
        .bind(input.status.as_str())
        .bind(ts(now()))
        .bind(id.to_string())
        .bind(expected_version)
        .execute(&mut *tx)
        .await?;
        let after = plan_item_in(&mut tx, id).await?;
        audit::record(&mut tx, Some(actor), "plan.update", "plan_item", &id.to_string(), Some(&before), Some(&after))
            .await?;
        tx.commit().await?;
        Ok(after)
    }
}
