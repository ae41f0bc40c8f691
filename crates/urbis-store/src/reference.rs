//! Reference data: the reference programme, its cohort, the five diagnostic capabilities and the five
//! focus areas, read from the reviewed data files under `data/reference/` (compiled into the binary).
//!
//! Loading is idempotent: what is missing is added, what exists (and may have been edited) is kept.

use crate::audit::commit_audited;
use crate::query::insert;
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use urbis_domain::Invalid;
use urbis_domain::network::{
    Coordinates, CountryCode, OrganisationKind, ParticipationStatus, Slug, TimeZone, check_programme_dates,
};
use uuid::Uuid;

/// The reference data files shipped with Urbis.
pub const REFERENCE_FILES: &[(&str, &str)] = &[(
    "digital-innovation-initiative.toml",
    include_str!("../../../data/reference/digital-innovation-initiative.toml"),
)];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReferenceFile {
    pub programme: ProgrammeData,
    #[serde(default)]
    pub capabilities: Vec<SlugOnly>,
    #[serde(default)]
    pub focus_areas: Vec<SlugOnly>,
    pub cities: Vec<CityData>,
    #[serde(default)]
    pub waves: Vec<WaveData>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WaveData {
    pub slug: String,
    pub name: String,
    pub opens_on: chrono::NaiveDate,
    pub closes_on: chrono::NaiveDate,
    #[serde(default)]
    pub baseline: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgrammeData {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub announced_on: Option<chrono::NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlugOnly {
    pub slug: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CityData {
    pub slug: String,
    pub name: String,
    pub country_code: String,
    /// Resident population, for population-band peer groups.
    #[serde(default)]
    pub population: Option<u64>,
    pub latitude: f64,
    pub longitude: f64,
    pub timezone: String,
    pub status: String,
    #[serde(default = "yes")]
    pub invited: bool,
    #[serde(default)]
    pub note: String,
}

fn yes() -> bool {
    true
}

/// Parse and check a reference file: every slug, country, zone, coordinate and status must be valid.
pub fn parse_reference(name: &str, text: &str) -> Result<ReferenceFile> {
    let file: ReferenceFile = toml::from_str(text).map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))?;
    let mut errors = Invalid::default();
    errors.take("programme.slug", Slug::parse(&file.programme.slug));
    errors.take("programme.ends_on", check_programme_dates(file.programme.starts_on, file.programme.ends_on));
    for (i, c) in file.cities.iter().enumerate() {
        let at = |f: &str| format!("cities[{i}].{f}");
        errors.take(&at("slug"), Slug::parse(&c.slug));
        errors.take(&at("country_code"), CountryCode::parse(&c.country_code));
        errors.take(&at("timezone"), TimeZone::parse(&c.timezone));
        errors.take(&at("coordinates"), Coordinates::parse(c.latitude, c.longitude));
        errors.take(&at("status"), ParticipationStatus::parse(&c.status));
    }
    for (i, s) in file.capabilities.iter().chain(file.focus_areas.iter()).enumerate() {
        errors.take(&format!("slugs[{i}]"), Slug::parse(&s.slug));
    }
    for (i, w) in file.waves.iter().enumerate() {
        errors.take(&format!("waves[{i}].slug"), Slug::parse(&w.slug));
        errors.take(&format!("waves[{i}].closes_on"), check_programme_dates(w.opens_on, w.closes_on));
    }
    errors.into_result().map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))?;
    Ok(file)
}

impl Store {
    /// Load every shipped reference file (idempotent). Returns how many rows were added.
    pub async fn load_reference(&self) -> Result<u64> {
        let mut added = self.load_instruments().await?;
        for (name, text) in REFERENCE_FILES {
            added += self.load_programme(&parse_reference(name, text)?).await?;
        }
        self.backfill_results().await?;
        Ok(added)
    }

    /// Load one checked programme description (reference data, or a generated cohort): the
    /// programme, its cities and participations, and its waves. Idempotent.
    pub async fn load_programme(&self, file: &ReferenceFile) -> Result<u64> {
        let mut added = self.load_reference_file(file).await?;
        let programme = self.programme(&file.programme.slug).await?;
        for w in &file.waves {
            let new =
                self.ensure_wave(None, programme.id, &w.slug, &w.name, w.opens_on, w.closes_on, w.baseline).await?;
            added += u64::from(new);
        }
        Ok(added)
    }

    async fn load_reference_file(&self, f: &ReferenceFile) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let at = now();
        let mut added = load_slugs(&mut tx, f).await?;
        let (programme_id, new) = ensure_programme(&mut tx, &f.programme, at).await?;
        added += u64::from(new);
        for c in &f.cities {
            added += ensure_city(&mut tx, &programme_id, c, at).await?;
        }
        if added > 0 {
            commit_audited::<(), _>(tx, None, "reference.load", "programme", &programme_id, None, Some(&added)).await?;
        } else {
            tx.commit().await?;
        }
        Ok(added)
    }

    /// The capability slugs of the diagnostic, in order.
    pub async fn capabilities(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT slug FROM reference_capabilities ORDER BY position")
            .fetch_all(&self.pool)
            .await?)
    }

    /// The focus-area slugs, in order.
    pub async fn focus_areas(&self) -> Result<Vec<String>> {
        Ok(sqlx::query_scalar("SELECT slug FROM reference_focus_areas ORDER BY position").fetch_all(&self.pool).await?)
    }
}

/// Add the capability and focus-area slugs that are missing; returns how many were added.
async fn load_slugs(tx: &mut WriteTx, f: &ReferenceFile) -> Result<u64> {
    let mut added = 0;
    for (table, list) in [("reference_capabilities", &f.capabilities), ("reference_focus_areas", &f.focus_areas)] {
        for (pos, s) in list.iter().enumerate() {
            let fields = Fields::new().set("slug", &s.slug).set("position", pos as i64 + 1);
            added += insert(tx, table, fields, "ON CONFLICT (slug) DO NOTHING").await?;
        }
    }
    Ok(added)
}

/// The id of the programme with this slug, added when missing (and whether it was added).
async fn ensure_programme(tx: &mut WriteTx, p: &ProgrammeData, at: DateTime<Utc>) -> Result<(String, bool)> {
    let existing: Option<String> =
        sqlx::query_scalar("SELECT id FROM programmes WHERE slug = $1").bind(&p.slug).fetch_optional(&mut **tx).await?;
    if let Some(id) = existing {
        return Ok((id, false));
    }
    let id = Uuid::now_v7().to_string();
    let fields = Fields::new()
        .set("id", &id)
        .set("slug", &p.slug)
        .set("name", &p.name)
        .set("description", p.description.trim())
        .set("starts_on", p.starts_on)
        .set("ends_on", p.ends_on)
        .set("announced_on", p.announced_on)
        .set("version", 1_i64)
        .set("created_at", at)
        .set("updated_at", at);
    insert(tx, "programmes", fields, "").await?;
    Ok((id, true))
}

/// Add a city (when missing) and its participation in the programme (when missing); returns how
/// many rows were added.
async fn ensure_city(tx: &mut WriteTx, programme_id: &str, c: &CityData, at: DateTime<Utc>) -> Result<u64> {
    let mut added = 0;
    let org_id: Option<String> = sqlx::query_scalar("SELECT id FROM organisations WHERE slug = $1")
        .bind(&c.slug)
        .fetch_optional(&mut **tx)
        .await?;
    let org_id = match org_id {
        Some(id) => id,
        None => {
            let id = Uuid::now_v7().to_string();
            let fields = Fields::new()
                .set("id", &id)
                .set("slug", &c.slug)
                .set("name", &c.name)
                .set("kind", OrganisationKind::City)
                .set("country_code", &c.country_code)
                .set("population", c.population.map(|p| p as i64))
                .set("latitude", c.latitude)
                .set("longitude", c.longitude)
                .set("timezone", &c.timezone)
                .set("description", "")
                .set("website", "")
                .set("version", 1_i64)
                .set("created_at", at)
                .set("updated_at", at);
            insert(tx, "organisations", fields, "").await?;
            added += 1;
            id
        }
    };
    // Installations made before populations were shipped get them once; a figure set since is kept.
    sqlx::query("UPDATE organisations SET population = $1 WHERE id = $2 AND population IS NULL")
        .bind(c.population.map(|p| p as i64))
        .bind(&org_id)
        .execute(&mut **tx)
        .await?;
    let fields = Fields::new()
        .set("programme_id", programme_id)
        .set("organisation_id", &org_id)
        .set("status", &c.status)
        .set("note", &c.note);
    added += insert(tx, "participations", fields, "ON CONFLICT (programme_id, organisation_id) DO NOTHING").await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_reference_data_is_valid_and_matches_the_programme_facts() {
        let (name, text) = REFERENCE_FILES[0];
        let f = parse_reference(name, text).unwrap();
        assert_eq!(f.cities.len(), 29, "28 invited EU capitals plus Reykjavik");
        let participating: Vec<&str> =
            f.cities.iter().filter(|c| c.status == "participating").map(|c| c.slug.as_str()).collect();
        assert_eq!(participating.len(), 21);
        assert_eq!(f.cities.iter().filter(|c| c.status == "invited").count(), 8);
        assert_eq!(f.cities.iter().filter(|c| c.invited).count(), 28);
        let reykjavik = f.cities.iter().find(|c| c.slug == "reykjavik").unwrap();
        assert!(!reykjavik.invited && reykjavik.status == "participating");
        for s in ["bucharest", "lisbon", "luxembourg", "paris", "rome", "valletta", "vienna", "zagreb"] {
            assert!(!participating.contains(&s), "{s} did not take part");
        }
        assert_eq!(f.capabilities.len(), 5);
        assert_eq!(f.focus_areas.len(), 5);
    }
}
