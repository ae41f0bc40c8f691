//! People: accounts, their settings and the public directory.

use super::Membership;
use super::memberships::{MEMBERSHIP_SELECT, insert_membership, membership};
use crate::audit::{self, commit_audited, commit_change};
use crate::query::{all, fixed_sql, one, optional, update_guarded, update_versioned};
use crate::row::RowExt;
use crate::{Page, Paged, Result, Store, StoreError, WriteTx, check_version, now, ts};
use serde::Serialize;
use sqlx::any::AnyRow;
use urbis_domain::policy::Grant;
use uuid::Uuid;

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

/// The `SELECT` of people, then `rest` (its `WHERE`).
pub(super) fn person_sql(rest: &'static str) -> sqlx::AssertSqlSafe<String> {
    fixed_sql(&["SELECT id, email, name, job_title, listed, locale, version FROM people", rest])
}

pub(super) fn person(r: &AnyRow) -> Result<Person> {
    Ok(Person {
        id: r.uuid("id")?,
        email: r.text("email")?,
        name: r.text("name")?,
        job_title: r.text("job_title")?,
        listed: r.flag("listed")?,
        locale: r.text("locale")?,
        version: r.int("version")?,
    })
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

impl Store {
    pub async fn person(&self, id: Uuid) -> Result<Person> {
        one(&self.pool, person_sql("WHERE id = $1"), id, person).await
    }

    pub async fn person_by_email(&self, email: &str) -> Result<Option<Person>> {
        optional(&self.pool, person_sql("WHERE email = $1"), email, person).await
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
        let mut tx = self.begin_write().await?;
        let before = one(&mut *tx, person_sql("WHERE id = $1"), id, person).await?;
        check_version(expected_version, before.version)?;
        let update = sqlx::query(
            "UPDATE people SET name = $1, job_title = $2, listed = $3, locale = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7",
        )
        .bind(&u.name)
        .bind(&u.job_title)
        .bind(i64::from(u.listed))
        .bind(&u.locale)
        .bind(ts(now()));
        update_versioned(&mut tx, "people", id, expected_version, update).await?;
        let after = Person {
            name: u.name,
            job_title: u.job_title,
            listed: u.listed,
            locale: u.locale,
            version: before.version + 1,
            ..before.clone()
        };
        commit_change(tx, Some(id), "person.update", "person", id, &before, after).await
    }

    /// Set a person's password hash; ends their sessions and revokes their API tokens in the same
    /// transaction; audited without the hash.
    pub async fn set_password_hash(&self, actor: Option<Uuid>, person_id: Uuid, hash: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let update =
            sqlx::query("UPDATE people SET password_hash = $1, version = version + 1, updated_at = $2 WHERE id = $3")
                .bind(hash)
                .bind(ts(now()))
                .bind(person_id.to_string());
        update_guarded(&mut tx, update, || StoreError::NotFound).await?;
        // A new password ends every session and revokes every API token of the person.
        for table in ["sessions", "api_tokens"] {
            sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE person_id = $1")))
                .bind(person_id.to_string())
                .execute(&mut *tx)
                .await?;
        }
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
        let sql = fixed_sql(&[
            MEMBERSHIP_SELECT,
            "WHERE m.person_id IN (SELECT id FROM people WHERE listed = 1 ORDER BY name, id LIMIT $1 OFFSET $2) \
             ORDER BY m.role, scope_name",
        ]);
        let memberships = all(&self.pool, sql, (page.limit(), page.offset()), membership).await?;
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
    let id = Uuid::now_v7();
    let at = ts(now());
    sqlx::query(
        "INSERT INTO people (id, email, name, job_title, password_hash, listed, locale, version, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $8)",
    )
    .bind(id.to_string())
    .bind(&new.email)
    .bind(&new.name)
    .bind(&new.job_title)
    .bind(new.password_hash.clone())
    .bind(i64::from(new.listed))
    .bind(&new.locale)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    let p = Person {
        id,
        email: new.email.clone(),
        name: new.name.clone(),
        job_title: new.job_title.clone(),
        listed: new.listed,
        locale: new.locale.clone(),
        version: 1,
    };
    audit::record::<(), _>(tx, actor.or(Some(id)), "person.create", "person", &id.to_string(), None, Some(&p)).await?;
    Ok(p)
}
