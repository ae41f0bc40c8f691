//! Accounts' credentials, sessions and API tokens. Secrets are stored only as SHA-256 hashes.

use crate::audit::commit_audited;
use crate::{Page, Paged, Result, Store, WriteTx, now, parse_ts, ts};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// Fresh random bytes from the operating system's generator.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    rand::fill(&mut b);
    b
}

/// A random secret token, URL-safe (hex), 256 bits.
pub fn new_token() -> String {
    hex::encode(random_bytes::<32>())
}

/// How a secret token is stored.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// What login needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub person_id: Uuid,
    pub password_hash: Option<String>,
}

/// An API token as its holder sees it: never the secret.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// Failed sign-ins counted under one key since `first_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCount {
    pub failures: i64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// A token's last use is written at most this often, so that reading the API does not write on
/// every request.
pub const LAST_USED_EVERY: Duration = Duration::minutes(1);

/// The two kinds of bearer secret, each in its own table.
#[derive(Clone, Copy)]
enum Secret {
    Session,
    ApiToken,
}

impl Secret {
    fn table(self) -> (&'static str, &'static str) {
        match self {
            Secret::Session => ("sessions", "id_hash"),
            Secret::ApiToken => ("api_tokens", "token_hash"),
        }
    }
}

/// Sessions last this long after login.
pub const SESSION_HOURS: i64 = 12;
/// API tokens last this long.
pub const TOKEN_DAYS: i64 = 30;

impl Store {
    /// What signing in needs to know about the account with this e-mail; none for a deactivated
    /// person (who cannot sign in, and is told no more than for a wrong password).
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT id, password_hash FROM people WHERE email = $1 AND deactivated_at IS NULL")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(id, password_hash)| Ok(Credentials { person_id: crate::row::parse_uuid(&id)?, password_hash }))
            .transpose()
    }

    /// Start a session; returns the secret session id for the cookie and its expiry.
    pub async fn create_session(&self, person: Uuid) -> Result<(String, DateTime<Utc>)> {
        self.issue_secret(Secret::Session, person, Duration::hours(SESSION_HOURS)).await
    }

    /// The person behind a live session.
    pub async fn session_person(&self, token: &str) -> Result<Option<Uuid>> {
        self.live_secret(Secret::Session, token).await
    }

    pub async fn delete_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(hash_token(token)).execute(&self.pool).await?;
        Ok(())
    }

    /// Issue an API token for a person.
    pub async fn create_api_token(&self, person: Uuid) -> Result<(String, DateTime<Utc>)> {
        self.issue_secret(Secret::ApiToken, person, Duration::days(TOKEN_DAYS)).await
    }

    /// The person behind a live API token; notes when the token was used (at most once a
    /// [`LAST_USED_EVERY`]).
    pub async fn token_person(&self, token: &str) -> Result<Option<Uuid>> {
        let person = self.live_secret(Secret::ApiToken, token).await?;
        if person.is_some() {
            let at = now();
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2 \
                 AND (last_used_at IS NULL OR last_used_at < $3)",
            )
            .bind(ts(at))
            .bind(hash_token(token))
            .bind(ts(at - LAST_USED_EVERY))
            .execute(&self.pool)
            .await?;
        }
        Ok(person)
    }

    /// A page of a person's live API tokens, newest first.
    pub async fn api_tokens(&self, person: Uuid, page: Page) -> Result<Paged<ApiToken>> {
        let at = ts(now());
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens WHERE person_id = $1 AND expires_at > $2")
            .bind(person.to_string())
            .bind(&at)
            .fetch_one(&self.pool)
            .await?;
        let rows: Vec<(String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE person_id = $1 AND expires_at > $2 ORDER BY created_at DESC, id LIMIT $3 OFFSET $4",
        )
        .bind(person.to_string())
        .bind(&at)
        .bind(page.limit())
        .bind(page.offset())
        .fetch_all(&self.pool)
        .await?;
        let items = rows
            .into_iter()
            .map(|(id, created, expires, used)| {
                Ok(ApiToken {
                    id,
                    created_at: parse_ts(&created)?,
                    expires_at: parse_ts(&expires)?,
                    last_used_at: used.as_deref().map(parse_ts).transpose()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(page.of(items, total))
    }

    /// Revoke one of a person's API tokens (it stops working at once); audited. `NotFound` when the
    /// person holds no such token.
    pub async fn revoke_api_token(&self, person: Uuid, id: &str) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("DELETE FROM api_tokens WHERE id = $1 AND person_id = $2")
            .bind(id)
            .bind(person.to_string())
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(crate::StoreError::NotFound);
        }
        commit_audited::<(), _>(tx, Some(person), "api-token.revoke", "api-token", id, None, Some(&"revoked")).await
    }

    /// End every session and revoke every API token of a person at once ("sign out everywhere");
    /// audited as done by `actor`.
    pub async fn end_all_access(&self, actor: Option<Uuid>, person: Uuid) -> Result<()> {
        let mut tx = self.begin_write().await?;
        end_access(&mut tx, person).await?;
        commit_audited::<(), _>(tx, actor, "person.sign-out-everywhere", "person", person, None, Some(&"signed out"))
            .await
    }

    /// Failed sign-ins counted under `key`, if any.
    pub async fn sign_in_failures(&self, key: &str) -> Result<Option<FailureCount>> {
        let row: Option<(i64, String, String)> =
            sqlx::query_as("SELECT failures, first_at, last_at FROM sign_in_failures WHERE key = $1")
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|(failures, first, last)| {
            Ok(FailureCount { failures, first_at: parse_ts(&first)?, last_at: parse_ts(&last)? })
        })
        .transpose()
    }

    /// Count one failed sign-in under `key` at `at`, in one statement (so that instances sharing
    /// the database never lose a count). A count that began before `restart_before` starts again.
    pub async fn count_sign_in_failure(
        &self,
        key: &str,
        at: DateTime<Utc>,
        restart_before: DateTime<Utc>,
    ) -> Result<FailureCount> {
        let mut tx = self.begin_write().await?;
        let (failures, first, last): (i64, String, String) = sqlx::query_as(
            "INSERT INTO sign_in_failures (key, failures, first_at, last_at) VALUES ($1, 1, $2, $2) \
             ON CONFLICT (key) DO UPDATE SET \
             failures = CASE WHEN sign_in_failures.first_at < $3 THEN 1 ELSE sign_in_failures.failures + 1 END, \
             first_at = CASE WHEN sign_in_failures.first_at < $3 THEN $2 ELSE sign_in_failures.first_at END, \
             last_at = $2 \
             RETURNING failures, first_at, last_at",
        )
        .bind(key)
        .bind(ts(at))
        .bind(ts(restart_before))
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(FailureCount { failures, first_at: parse_ts(&first)?, last_at: parse_ts(&last)? })
    }

    /// Forget the failures under `keys` (after a successful sign-in), and counts older than
    /// `stale_before` under any key.
    pub async fn clear_sign_in_failures(&self, keys: &[&str], stale_before: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for key in keys {
            sqlx::query("DELETE FROM sign_in_failures WHERE key = $1").bind(*key).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM sign_in_failures WHERE last_at < $1").bind(ts(stale_before)).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Store the hash of a new secret (dropping expired ones of its kind) and return the secret.
    async fn issue_secret(&self, kind: Secret, person: Uuid, lifetime: Duration) -> Result<(String, DateTime<Utc>)> {
        let token = new_token();
        let created = now();
        let expires = created + lifetime;
        let (table, key) = kind.table();
        let mut tx = self.begin_write().await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE expires_at <= $1")))
            .bind(ts(created))
            .execute(&mut *tx)
            .await?;
        // API tokens also get a public id, to list and revoke them by.
        let (id_col, id_val) = match kind {
            Secret::Session => ("", ""),
            Secret::ApiToken => (", id", ", $5"),
        };
        let mut insert = sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({key}, person_id, created_at, expires_at{id_col}) VALUES ($1, $2, $3, $4{id_val})"
        )))
        .bind(hash_token(&token))
        .bind(person.to_string())
        .bind(ts(created))
        .bind(ts(expires));
        if let Secret::ApiToken = kind {
            insert = insert.bind(Uuid::now_v7().to_string());
        }
        insert.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((token, expires))
    }

    /// The person behind a live secret of `kind`: unexpired, and of a person who is not deactivated
    /// (deactivating ends every secret anyway; this also refuses one issued by a sign-in that
    /// raced the deactivation).
    async fn live_secret(&self, kind: Secret, token: &str) -> Result<Option<Uuid>> {
        let (table, key) = kind.table();
        let row: Option<(String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT s.person_id, s.expires_at FROM {table} s JOIN people p ON p.id = s.person_id \
             WHERE s.{key} = $1 AND p.deactivated_at IS NULL"
        )))
        .bind(hash_token(token))
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some((person, expires)) if parse_ts(&expires)? > now() => Ok(Some(crate::row::parse_uuid(&person)?)),
            _ => Ok(None),
        }
    }
}

/// End every session and revoke every API token of a person, inside the caller's transaction
/// (a new password, signing out everywhere, deactivation).
pub(crate) async fn end_access(tx: &mut WriteTx, person: Uuid) -> Result<()> {
    for table in ["sessions", "api_tokens"] {
        sqlx::query(sqlx::AssertSqlSafe(format!("DELETE FROM {table} WHERE person_id = $1")))
            .bind(person.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
