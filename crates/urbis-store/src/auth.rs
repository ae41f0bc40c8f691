//! Accounts' credentials, sessions and API tokens. Secrets are stored only as SHA-256 hashes.

use crate::{Result, Store, now, parse_ts, ts};
use chrono::{DateTime, Duration, Utc};
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
    pub async fn credentials(&self, email: &str) -> Result<Option<Credentials>> {
        let row: Option<(String, Option<String>)> =
            sqlx::query_as("SELECT id, password_hash FROM people WHERE email = $1")
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

    pub async fn token_person(&self, token: &str) -> Result<Option<Uuid>> {
        self.live_secret(Secret::ApiToken, token).await
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
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO {table} ({key}, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
        )))
        .bind(hash_token(&token))
        .bind(person.to_string())
        .bind(ts(created))
        .bind(ts(expires))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok((token, expires))
    }

    async fn live_secret(&self, kind: Secret, token: &str) -> Result<Option<Uuid>> {
        let (table, key) = kind.table();
        let row: Option<(String, String)> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT person_id, expires_at FROM {table} WHERE {key} = $1")))
                .bind(hash_token(token))
                .fetch_optional(&self.pool)
                .await?;
        match row {
            Some((person, expires)) if parse_ts(&expires)? > now() => Ok(Some(crate::row::parse_uuid(&person)?)),
            _ => Ok(None),
        }
    }
}
