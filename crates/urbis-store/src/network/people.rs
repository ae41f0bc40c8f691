//! People: accounts, their settings and the public directory.

use super::Membership;
use super::memberships::insert_membership;
use crate::audit::{self, commit_audited, commit_change};
use crate::auth::end_access;
use crate::query::{all, by_id, insert_versioned, optional, select, update_guarded, update_versioned};
use crate::row::{Record, RowExt, record};
use crate::value::{Fields, ToFields, stored_fields};
use crate::{Page, Paged, Result, Store, StoreError, WriteTx};
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
    }
}

impl Record for Person {
    const TABLE: &'static str = "people";
    const COLUMNS: &'static str = "id, email, name, job_title, listed, locale, version";
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

    /// People who agreed to be listed, by name, with their roles (two queries, whatever the page size).
    pub async fn directory(&self, page: Page) -> Result<Paged<DirectoryEntry>> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM people WHERE listed = 1").fetch_one(&self.pool).await?;
        let people =
            sqlx::query("SELECT id, name, job_title FROM people WHERE listed = 1 ORDER BY name, id LIMIT $1 OFFSET $2")
                .bind(page.limit())
                .bind(page.offset())
                .fetch_all(&self.pool)
                .await?;
        let sql = select::<Membership>(
            "WHERE m.person_id IN (SELECT id FROM people WHERE listed = 1 ORDER BY name, id LIMIT $1 OFFSET $2) \
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
