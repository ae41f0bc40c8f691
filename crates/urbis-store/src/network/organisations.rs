//! Organisations (cities, partners, funders, universities) and their profiles.

use crate::audit::{self, commit_change};
use crate::query::{all, by_id, insert_versioned, one, select, update_versioned};
use crate::row::{Record, record};
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Result, Store, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_domain::network::OrganisationKind;
use uuid::Uuid;

record! {
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
}

impl Record for Organisation {
    const TABLE: &'static str = "organisations";
    const COLUMNS: &'static str = "o.id, o.slug, o.name, o.kind, o.country_code, o.latitude, o.longitude, \
         o.timezone, o.description, o.website, o.version, o.updated_at";
    const FROM: &'static str = "organisations o";
    const ID: &'static str = "o.id";
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

stored_fields!(NewOrganisation { name, kind, country_code, timezone, description });

impl Store {
    pub async fn organisation(&self, slug: &str) -> Result<Organisation> {
        one(&self.pool, select::<Organisation>("WHERE o.slug = $1"), slug).await
    }

    /// Every organisation, by name then slug.
    pub async fn organisations(&self) -> Result<Vec<Organisation>> {
        all(&self.pool, select::<Organisation>("ORDER BY o.name, o.slug"), ()).await
    }

    pub async fn organisation_by_id(&self, id: Uuid) -> Result<Organisation> {
        by_id(&self.pool, id).await
    }

    /// Change an organisation's profile if it is still at `expected_version`; audited.
    pub async fn update_organisation(
        &self,
        actor: Uuid,
        id: Uuid,
        expected_version: i64,
        patch: OrganisationPatch,
    ) -> Result<Organisation> {
        let (mut tx, before) = self.begin_change::<Organisation>(id, expected_version).await?;
        let fields = Fields::new()
            .set("description", patch.description.as_ref().unwrap_or(&before.description))
            .set("website", patch.website.as_ref().unwrap_or(&before.website));
        let after = update_versioned(&mut tx, id, expected_version, fields).await?;
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
    let org: Organisation = insert_versioned(tx, new.fields().set("slug", &slug).set("website", "")).await?;
    let id = org.id.to_string();
    audit::record::<(), _>(tx, actor, "organisation.create", "organisation", &id, None, Some(&org)).await?;
    Ok(org)
}
