//! Instruments: questionnaire and scoring model, published as immutable versions (with their
//! recommended actions and translations) from the reviewed files under `data/instruments/`.

use crate::audit::commit_audited;
use crate::query::{all, insert};
use crate::row::{Column, RowExt, record};
use crate::value::{Fields, Stored, Value};
use crate::{Result, Store, StoreError, WriteTx, now};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use urbis_domain::diagnostic::{
    Instrument, InstrumentKind, RecommendedAction, SOURCE_LANGUAGE, Translation, check_translation,
};

/// The instrument files shipped with Urbis: (definition, recommended actions).
pub const INSTRUMENT_FILES: &[(&str, &str, &str)] = &[
    (
        "city-digital-maturity/v1.toml",
        include_str!("../../../../data/instruments/city-digital-maturity/v1.toml"),
        include_str!("../../../../data/instruments/city-digital-maturity/actions.toml"),
    ),
    (
        "innovation-capacity-pulse/v1.toml",
        include_str!("../../../../data/instruments/innovation-capacity-pulse/v1.toml"),
        include_str!("../../../../data/instruments/innovation-capacity-pulse/actions.toml"),
    ),
];

/// The translations shipped beside the instruments: (definition file, language, translation file).
/// One file per language holds every text of the version and of its recommended actions.
pub const INSTRUMENT_TRANSLATIONS: &[(&str, &str, &str)] = &[
    (
        "city-digital-maturity/v1.toml",
        "de",
        include_str!("../../../../data/instruments/city-digital-maturity/v1.de.toml"),
    ),
    (
        "city-digital-maturity/v1.toml",
        "fr",
        include_str!("../../../../data/instruments/city-digital-maturity/v1.fr.toml"),
    ),
    (
        "innovation-capacity-pulse/v1.toml",
        "de",
        include_str!("../../../../data/instruments/innovation-capacity-pulse/v1.de.toml"),
    ),
    (
        "innovation-capacity-pulse/v1.toml",
        "fr",
        include_str!("../../../../data/instruments/innovation-capacity-pulse/v1.fr.toml"),
    ),
];

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

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct InstrumentSummary {
        pub slug: String,
        pub version: u32,
        pub kind: InstrumentKind,
        pub title: String,
        pub published_on: NaiveDate,
    }
}

/// An instrument's kind is stored as `diagnostic` or `pulse`.
impl Value for InstrumentKind {
    fn stored(&self) -> Stored {
        Stored::Text(if *self == InstrumentKind::Pulse { "pulse" } else { "diagnostic" }.to_string())
    }
}

impl Column for InstrumentKind {
    fn read(r: &AnyRow, col: &str) -> Result<Self> {
        Ok(if r.text(col)? == "pulse" { InstrumentKind::Pulse } else { InstrumentKind::Diagnostic })
    }
}

fn json_corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
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
    let stored: Instrument = serde_json::from_str(&def).map_err(json_corrupt)?;
    let stored_actions: Vec<RecommendedAction> = serde_json::from_str(&acts).map_err(json_corrupt)?;
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
    let def = serde_json::to_string(inst).map_err(json_corrupt)?;
    let acts = serde_json::to_string(actions).map_err(json_corrupt)?;
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
            if self.load_instrument(&inst, &actions).await? {
                added += 1;
            }
        }
        Ok(added)
    }

    /// Store one shipped instrument version unless it is stored already; returns whether it was added.
    async fn load_instrument(&self, inst: &Instrument, actions: &[RecommendedAction]) -> Result<bool> {
        let (def_json, acts_json, d) = digest(inst, actions)?;
        let entity = format!("{}@{}", inst.slug, inst.version);
        let mut tx = self.begin_write().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT digest FROM instruments WHERE slug = $1 AND version = $2")
                .bind(&inst.slug)
                .bind(i64::from(inst.version))
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(e) if e == d => {
                tx.commit().await?;
                Ok(false)
            }
            Some(e) if adds_languages_only(&mut tx, inst, actions, &e).await? => {
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
                commit_audited(
                    tx,
                    None,
                    "instrument.translate",
                    "instrument",
                    entity,
                    Some(&e),
                    Some(&inst.languages()),
                )
                .await?;
                Ok(false)
            }
            Some(_) => Err(StoreError::Corrupt(format!(
                "instrument {} v{} differs from the published version; publish the change as v{}",
                inst.slug,
                inst.version,
                inst.version + 1
            ))),
            None => {
                insert_instrument(&mut tx, inst, &def_json, &acts_json, &d).await?;
                commit_audited::<(), _>(tx, None, "instrument.publish", "instrument", entity, None, Some(&d)).await?;
                Ok(true)
            }
        }
    }

    /// Every stored instrument version, by slug then version.
    pub async fn instruments(&self) -> Result<Vec<InstrumentSummary>> {
        let sql = "SELECT slug, version, kind, title, published_on FROM instruments ORDER BY slug, version";
        all(&self.pool, sql, ()).await
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
            instrument: serde_json::from_str(&def).map_err(json_corrupt)?,
            actions: serde_json::from_str(&acts).map_err(json_corrupt)?,
        })
    }
}

async fn insert_instrument(
    tx: &mut WriteTx,
    inst: &Instrument,
    def_json: &str,
    acts_json: &str,
    d: &str,
) -> Result<()> {
    let fields = Fields::new()
        .set("slug", &inst.slug)
        .set("version", inst.version)
        .set("kind", inst.kind)
        .set("title", &inst.title)
        .set("definition_json", def_json)
        .set("actions_json", acts_json)
        .set("digest", d)
        .set("published_on", inst.published_on)
        .set("created_at", now());
    insert(tx, "instruments", fields, "").await?;
    Ok(())
}
