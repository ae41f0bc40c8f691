//! Organisations (cities, partners, funders, universities) and their profiles.

use crate::audit::{self, commit_change};
use crate::query::{all, fixed_sql, one, update_versioned};
use crate::row::RowExt;
use crate::{Result, Store, WriteTx, check_version, now, ts};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::network::OrganisationKind;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize)]
pub struct Organisation {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: OrganisationKind,
    pub country_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub timezone: String,
    pub description: String,
    pub website: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

pub(super) const ORG_COLS: &str = "o.id, o.slug, o.name, o.kind, o.country_code, o.latitude, o.longitude, o.timezone, \
                        o.description, o.website, o.version, o.updated_at";

/// The `SELECT` of organisations (`o`), then `rest` (its `WHERE` or `ORDER BY`).
fn org_sql(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&["SELECT", ORG_COLS, "FROM organisations o", rest])
}

pub(super) fn organisation(r: &AnyRow) -> Result<Organisation> {
    Ok(Organisation {
        id: r.uuid("id")?,
        slug: r.text("slug")?,
        name: r.text("name")?,
        kind: r.parsed("kind", OrganisationKind::parse)?,
        country_code: r.text("country_code")?,
        latitude: r.opt_float("latitude")?,
        longitude: r.opt_float("longitude")?,
        timezone: r.text("timezone")?,
        description: r.text("description")?,
        website: r.text("website")?,
        version: r.int("version")?,
        updated_at: r.ts("updated_at")?,
    })
}

/// Profile fields of an organisation that its team and programme staff may change.
/// `None` leaves a field as it is. Values are already validated by the domain newtypes.
#[derive(Debug, Clone, Default)]
pub struct OrganisationPatch {
    pub description: Option<String>,
    pub website: Option<String>,
}

/// A new organisation (one outside the reference data, e.g. a city that receives a pulse survey).
/// Its fields are already checked by the domain newtypes.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub country_code: String,
    pub timezone: String,
    pub description: String,
}

impl Store {
    pub async fn organisation(&self, slug: &str) -> Result<Organisation> {
        one(&self.pool, org_sql("WHERE o.slug = $1"), slug, organisation).await
    }

    /// Every organisation, by name then slug.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        all(&self.pool, org_sql("ORDER BY o.name, o.slug"), (), organisation).await
    }

    pub async fn organisation_by_id(&self, id: Uuid) -> Result<Organisation> {
        one(&self.pool, org_sql("WHERE o.id = $1"), id, organisation).await
    }

    /// Change an organisation's profile if it is still at `expected_version`; audited.
    pub async fn update_organisation(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        patch: OrganisationPatch,
    ) -> Result<Organisation> {
        let mut tx = self.begin_write().await?;
        let before = one(&mut *tx, org_sql("WHERE o.id = $1"), id, organisation).await?;
        check_version(expected_version, before.version)?;
        let description = patch.description.unwrap_or_else(|| before.description.clone());
        let website = patch.website.unwrap_or_else(|| before.website.clone());
        let at = now();
        let update = sqlx::query(
            "UPDATE organisations SET description = $1, website = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(&description)
        .bind(&website)
        .bind(ts(at));
        update_versioned(&mut tx, "organisations", id, expected_version, update).await?;
        let after =
            Organisation { description, website, version: before.version + 1, updated_at: at, ..before.clone() };
        commit_change(tx, Some(actor), "organisation.update", "organisation", id, &before, after).await
    }
}

/// A slug made from a name: lower-case ASCII letters and digits, words joined by hyphens.
fn slug_base(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            _ if !out.ends_with('-') && !out.is_empty() => out.push('-'),
            _ => {}
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(56).collect();
    if out.is_empty() { "organisation".into() } else { out.trim_end_matches('-').to_string() }
}

/// Add an organisation inside the caller's transaction, with a slug made from its name (a number is
/// appended when the slug is taken); audited.
pub(crate) async fn insert_organisation(
    tx: &mut WriteTx,
    actor: Option<Uuid>,
    new: &NewOrganisation,
) -> Result<Organisation> {
    let base = slug_base(&new.name);
    let mut slug = base.clone();
    let mut n = 1;
    while sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&mut **tx)
        .await?
        > 0
    {
        n += 1;
        slug = format!("{base}-{n}");
    }
    let id = Uuid::now_v7();
    let at = now();
    sqlx::query(
        "INSERT INTO organisations (id, slug, name, kind, country_code, latitude, longitude, timezone, description, website, \
         version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7, '', 1, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&slug)
    .bind(&new.name)
    .bind(new.kind.as_str())
    .bind(&new.country_code)
    .bind(&new.timezone)
    .bind(&new.description)
    .bind(ts(at))
    .execute(&mut **tx)
    .await?;
    let org = Organisation {
        id,
        slug,
        name: new.name.clone(),
        kind: new.kind,
        country_code: new.country_code.clone(),
        latitude: None,
        longitude: None,
        timezone: new.timezone.clone(),
        description: new.description.clone(),
        website: String::new(),
        version: 1,
        updated_at: at,
    };
    audit::record::<(), _>(tx, actor, "organisation.create", "organisation", &id.to_string(), None, Some(&org)).await?;
    Ok(org)
}
