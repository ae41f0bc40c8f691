//! People: accounts, their settings and the public directory.

use super::Membership;
use super::memberships::insert_membership;
use crate::audit::{self, commit_audited, commit_change};
use crate::auth::end_access;
use crate::query::{all, by_id, insert_versioned, optional, select, update_guarded, update_versioned};
use crate::row::{Decode, Record, RowExt, record};
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Page, Paged, Result, Store, StoreError, WriteTx};
use chrono::{DateTime, Utc};
use serde::Serialize;
use urbis_domain::policy::Grant;
use uuid::Uuid;

record! {
    #[derive(Debug, Clone, Serialize)]
    pub struct Person {
        pub id: Uuid,
        pub email: String,
        pub name: String,
        pub job_title: String,
        pub listed: bool,
        pub locale: String,
        pub version: i64,
        /// When the person was deactivated (they cannot sign in and hold no session or token);
        /// `None` while active.
        pub deactivated_at: Option<DateTime<Utc>>,
        /// The admin who deactivated them; `None` while active or when an operator did it on the
        /// server (`urbis person deactivate`).
        pub deactivated_by: Option<Uuid>,
    }
}

impl Record for Person {
    const TABLE: &'static str = "people";
    const COLUMNS: &'static str = "id, email, name, job_title, listed, locale, version, deactivated_at, deactivated_by";
}

impl Person {
    /// Whether the person may sign in (not deactivated).
    pub fn is_active(&self) -> bool {
        self.deactivated_at.is_none()
    }
}

/// A person as an admin sees them in the list of accounts.
#[derive(Debug, Clone, Serialize)]
pub struct AccountEntry {
    pub person: Person,
    pub created_at: DateTime<Utc>,
}

/// A person in the public directory, with their roles.
#[derive(Debug, Clone, Serialize)]
pub struct DirectoryEntry {
    pub person_id: Uuid,
    pub name: String,
    pub job_title: String,
    pub memberships: Vec<Membership>,
}

/// A person's own account settings.
#[derive(Debug, Clone)]
pub struct AccountUpdate {
    pub name: String,
    pub job_title: String,
    pub listed: bool,
    pub locale: String,
}

stored_fields!(AccountUpdate { name, job_title, listed, locale });

/// A new account.
#[derive(Debug, Clone)]
pub struct NewPerson {
    pub email: String,
    pub name: String,
    pub job_title: String,
    pub password_hash: Option<String>,
    pub listed: bool,
    pub locale: String,
}

stored_fields!(NewPerson { email, name, job_title, password_hash, listed, locale });

impl Store {
    pub async fn person(&self, id: Uuid) -> Result<Person> {
        by_id(&self.pool, id).await
    }

    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        optional(&self.pool, select::<Person>("WHERE email = $1"), email).await
    }

    /// Create an account with roles (used by `urbis user create`); audited as done by `actor`.
    pub async fn create_person(&self, actor: Option<Uuid>, new: NewPerson, grants: &[Grant]) -> Result<Person> {
        let mut tx = self.begin_write().await?;
        let p = insert_person(&mut tx, actor, &new).await?;
        for g in grants {
            insert_membership(&mut tx, actor, p.id, *g).await?;
        }
        tx.commit().await?;
        Ok(p)
    }

    pub async fn update_account(&self, id: Uuid, expected_version: i64, u: AccountUpdate) -> Result<Person> {
        let (mut tx, before) = self.begin_change::<Person>(id, expected_version).await?;
        let after = update_versioned(&mut tx, id, expected_version, u.fields()).await?;
        commit_change(tx, Some(id), "person.update", "person", id, &before, after).await
    }

    /// Set a person's password hash; ends their sessions and revokes their API tokens in the same
    /// transaction; audited without the hash.
    pub async fn set_password_hash(&self, actor: Option<Uuid>, person_id: Uuid, hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let fields = Fields::new().set("password_hash", hash);
        update_guarded::<Person>(&mut tx, person_id, fields, "", || StoreError::NotFound).await?;
        end_access(&mut tx, person_id).await?;
        commit_audited::<(), _>(tx, actor, "person.password", "person", person_id, None, Some(&"changed")).await
    }

    /// Deactivate a person if still at `expected_version`: in one transaction the person is marked
    /// deactivated (by `actor`, or by an operator on the server when `None`), every session and API
    /// token of theirs ends, and the change is audited (`person.deactivate`). Refused
    /// (`already-deactivated`) when they already are.
    pub async fn deactivate_person(&self, actor: Option<Uuid>, id: Uuid, expected_version: i64) -> Result<Person> {
        let (mut tx, before) = self.begin_change::<Person>(id, expected_version).await?;
        if !before.is_active() {
            return Err(StoreError::refused("person", "already-deactivated", "this person is already deactivated"));
        }
        let fields = Fields::new().set("deactivated_at", crate::now()).set("deactivated_by", actor);
        let after = update_versioned(&mut tx, id, expected_version, fields).await?;
        end_access(&mut tx, id).await?;
        commit_change(tx, actor, "person.deactivate", "person", id, &before, after).await
    }

    /// Reactivate a deactivated person if still at `expected_version`; audited
    /// (`person.reactivate`). They sign in afresh: no session or token of before comes back.
    /// Refused (`already-active`) when they are active.
    pub async fn reactivate_person(&self, actor: Option<Uuid>, id: Uuid, expected_version: i64) -> Result<Person> {
        let (mut tx, before) = self.begin_change::<Person>(id, expected_version).await?;
        if before.is_active() {
            return Err(StoreError::refused("person", "already-active", "this person is active"));
        }
        let fields = Fields::new().set("deactivated_at", None::<DateTime<Utc>>).set("deactivated_by", None::<Uuid>);
        let after = update_versioned(&mut tx, id, expected_version, fields).await?;
        commit_change(tx, actor, "person.reactivate", "person", id, &before, after).await
    }

    /// Every account (active or not), by name then e-mail; `search` keeps those whose name or
    /// e-mail contains it (ignoring ASCII case).
    pub async fn accounts(&self, search: Option<&str>, page: Page) -> Result<Paged<AccountEntry>> {
        let pattern = search.map(str::trim).filter(|s| !s.is_empty()).map(|s| {
            let escaped = s.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            format!("%{escaped}%")
        });
        let filter = "WHERE ($1 = '' OR LOWER(name) LIKE $1 ESCAPE '\\' OR LOWER(email) LIKE $1 ESCAPE '\\')";
        let pattern = pattern.unwrap_or_default();
        let total: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM people {filter}")))
            .bind(&pattern)
            .fetch_one(&self.pool)
            .await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {}, created_at FROM people {filter} ORDER BY name, email, id LIMIT $2 OFFSET $3",
            Person::COLUMNS
        )))
        .bind(&pattern)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .iter()
            .map(|r| Ok(AccountEntry { person: Person::decode(r)?, created_at: r.ts("created_at")? }))
            .collect::<Result<_>>()?;
        Ok(page.of(items, total))
    }

    /// People who agreed to be listed and whose account is active, by name, with their roles (two
    /// queries, whatever the page size).
    pub async fn directory(&self, page: Page) -> Result<Paged<DirectoryEntry>> {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE listed = 1 AND deactivated_at IS NULL")
            .fetch_one(&self.pool)
            .await?;
        let people =
            sqlx::query("SELECT id, name, job_title FROM people WHERE listed = 1 AND deactivated_at IS NULL ORDER BY name, id LIMIT $1 OFFSET $2")
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
        let sql = select::<Membership>(
            "WHERE m.person_id IN (SELECT id FROM people WHERE listed = 1 AND deactivated_at IS NULL ORDER BY name, id LIMIT $1 OFFSET $2) \
             ORDER BY m.role, scope_name",
        );
        let memberships: Vec<Membership> = all(&self.pool, sql, (page.limit(), page.offset())).await?;
        let items = people
            .iter()
            .map(|r| {
                let id = r.uuid("id")?;
                Ok(DirectoryEntry {
                    person_id: id,
                    name: r.text("name")?,
                    job_title: r.text("job_title")?,
                    memberships: memberships.iter().filter(|m| m.person_id == id).cloned().collect(),
                })
            })
            .collect::<Result<_>>()?;
        Ok(page.of(items, total))
    }
}

/// Add an account inside the caller's transaction; refused when the e-mail address is taken. Audited
/// as done by `actor`, or by the new person when nobody else made it.
pub(super) async fn insert_person(tx: &mut WriteTx, actor: Option<Uuid>, new: &NewPerson) -> Result<Person> {
    let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE email = $1")
        .bind(&new.email)
        .fetch_one(&mut **tx)
        .await?;
    if taken > 0 {
        return Err(StoreError::refused("email", "email-taken", "an account with this e-mail address already exists"));
    }
    let p: Person = insert_versioned(tx, new.fields()).await?;
    let id = p.id;
    audit::record::<(), _>(tx, actor.or(Some(id)), "person.create", "person", &id.to_string(), None, Some(&p)).await?;
    Ok(p)
}
