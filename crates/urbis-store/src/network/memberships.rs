//! Memberships: the roles people hold globally, in programmes and in organisations.

use crate::audit::{self, commit_audited};
use crate::query::{all, count, insert, one, select};
use crate::row::{Decode, Record, RowExt, record};
use crate::value::Fields;
use crate::{Result, Store, StoreError, WriteTx, now};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::policy::{Grant, Role, Scope};
use uuid::Uuid;

record! {
    /// A role held by a person, with the name of where it is held.
    #[derive(Debug, Clone, Serialize)]
    pub struct Membership {
        pub id: Uuid,
        pub person_id: Uuid,
        pub role: Role,
        pub scope: Scope,
        /// Slug and name of the organisation or programme; empty for global roles.
        pub scope_slug: String,
        pub scope_name: String,
    }
}

impl Record for Membership {
    const TABLE: &'static str = "memberships";
    const COLUMNS: &'static str = "m.id, m.person_id, m.role, m.scope_kind, m.scope_id, \
         COALESCE(o.slug, p.slug, '') AS scope_slug, COALESCE(o.name, p.name, '') AS scope_name";
    const FROM: &'static str = "memberships m \
         LEFT JOIN organisations o ON m.scope_kind = 'organisation' AND o.id = m.scope_id \
         LEFT JOIN programmes p ON m.scope_kind = 'programme' AND p.id = m.scope_id";
    const ID: &'static str = "m.id";
}

impl Membership {
    /// Is this role held in an organisation (rather than a programme or globally)?
    pub fn is_organisation(&self) -> bool {
        matches!(self.scope, Scope::Organisation(_))
    }
}

/// A scope is stored as its kind and its id (see [`grant_fields`]).
impl Decode for Scope {
    fn decode(r: &AnyRow) -> Result<Self> {
        match r.text("scope_kind")?.as_str() {
            "global" => Ok(Scope::Global),
            "programme" => Ok(Scope::Programme(r.uuid("scope_id")?)),
            "organisation" => Ok(Scope::Organisation(r.uuid("scope_id")?)),
            other => Err(StoreError::Corrupt(format!("bad scope kind {other}"))),
        }
    }
}

/// How a role held in a scope is stored: the role, the scope's kind and its id (empty for global).
pub(super) fn grant_fields(grant: &Grant) -> Fields {
    let (kind, id) = match grant.scope {
        Scope::Global => ("global", String::new()),
        Scope::Programme(id) => ("programme", id.to_string()),
        Scope::Organisation(id) => ("organisation", id.to_string()),
    };
    Fields::new().set("role", grant.role).set("scope_kind", kind).set("scope_id", id)
}

record! {
    /// A member of an organisation's team as shown on its page.
    #[derive(Debug, Clone, Serialize)]
    pub struct TeamMember {
        pub membership_id: Uuid,
        pub person_id: Uuid,
        pub name: String,
        pub job_title: String,
        pub listed: bool,
        pub role: Role,
    }
}

impl Store {
    /// Every role a person holds.
    pub async fn memberships(&self, person_id: Uuid) -> Result<Vec<Membership>> {
        all(&self.pool, select::<Membership>("WHERE m.person_id = $1 ORDER BY m.role, scope_name"), person_id).await
    }

    /// The grants the policy needs for a person.
    pub async fn grants(&self, person_id: Uuid) -> Result<Vec<Grant>> {
        Ok(self.memberships(person_id).await?.into_iter().map(|m| Grant { role: m.role, scope: m.scope }).collect())
    }

    /// An organisation's team (every member; callers filter by `listed` for the public, which a
    /// deactivated person never is).
    pub async fn team(&self, organisation_id: Uuid) -> Result<Vec<TeamMember>> {
        let sql = "SELECT m.id AS membership_id, pe.id AS person_id, pe.name, pe.job_title, \
             CASE WHEN pe.deactivated_at IS NULL THEN pe.listed ELSE 0 END AS listed, m.role \
             FROM memberships m JOIN people pe ON pe.id = m.person_id \
             WHERE m.scope_kind = 'organisation' AND m.scope_id = $1 ORDER BY m.role, pe.name, pe.id";
        all(&self.pool, sql, organisation_id).await
    }

    /// Remove a membership from an organisation's team; audited.
    pub async fn remove_membership(&self, actor: Uuid, organisation_id: Uuid, membership_id: Uuid) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let sql = select::<Membership>("WHERE m.id = $1 AND m.scope_kind = 'organisation' AND m.scope_id = $2");
        let before: Membership = one(&mut *tx, sql, (membership_id, organisation_id)).await?;
        sqlx::query("DELETE FROM memberships WHERE id = $1").bind(membership_id.to_string()).execute(&mut *tx).await?;
        commit_audited::<_, ()>(tx, Some(actor), "membership.delete", "membership", membership_id, Some(&before), None)
            .await
    }
}

/// Give a person a role inside the caller's transaction (nothing when they already hold it); audited.
pub(super) async fn insert_membership(tx: &mut WriteTx, actor: Option<Uuid>, person: Uuid, grant: Grant) -> Result<()> {
    if grant.role.scope_kind() != grant.scope.kind() {
        return Err(StoreError::refused(
            "role",
            "scope-mismatch",
            format!("{} is not held in that kind of scope", grant.role.as_str()),
        ));
    }
    let held = Fields::new().set("person_id", person).with(grant_fields(&grant));
    if count(&mut **tx, Membership::TABLE, held.clone()).await? > 0 {
        return Ok(());
    }
    let id = Uuid::now_v7();
    insert(tx, Membership::TABLE, held.set("id", id).set("created_at", now()), "").await?;
    audit::record::<(), _>(tx, actor, "membership.create", "membership", &id.to_string(), None, Some(&grant)).await?;
    Ok(())
}
