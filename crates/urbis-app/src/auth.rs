//! Accounts: password hashing (Argon2id, off the async runtime), keyed hashes, the sign-in rate
//! limiter, and the caller behind a session or token.

use crate::{App, AppError, Caller, Result};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use urbis_domain::policy::Actor;
use urbis_store::StoreError;
use uuid::Uuid;

/// Hash a password with Argon2id (default parameters), off the async runtime.
pub async fn hash_password(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|_| AppError::Internal("password hashing failed".into()))
    })
    .await
    .map_err(|_| AppError::Internal("password hashing failed".into()))?
}

/// A well-formed Argon2id hash of no real password, verified when an account does not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Yd5H8bOqJ2ZAVwN3Uxc3n2Tq4mY1Yq2m0bq7cX3cP0k";

/// Check a password against a stored hash, off the async runtime. A missing hash never matches,
/// but costs the same time as a real check so that timing does not tell which accounts exist.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let (h, real) = match &hash {
            Some(h) => (h.as_str(), true),
            None => (DUMMY_HASH, false),
        };
        let ok = Argon2::default().verify_password(password.as_bytes(), h).is_ok();
        ok && real
    })
    .await
    .unwrap_or(false)
}

/// A keyed hash (HMAC-SHA-256) of `value` for one `purpose`, hex-encoded.
pub fn mac(secret: &[u8], purpose: &str, value: &str) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("any key length");
    m.update(purpose.as_bytes());
    m.update(b"\0");
    m.update(value.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// Failed sign-in attempts per key (e-mail or client address) in a sliding window.
#[derive(Default)]
pub struct RateLimiter {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
}

impl RateLimiter {
    pub const MAX_FAILURES: usize = 10;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    /// Seconds to wait before trying again, if any of the keys is over the limit.
    pub fn blocked(&self, keys: &[&str]) -> Option<u64> {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .filter_map(|k| {
                let v = map.get_mut(*k)?;
                v.retain(|t| now.duration_since(*t) < Self::WINDOW);
                (v.len() >= Self::MAX_FAILURES).then(|| (Self::WINDOW - now.duration_since(v[0])).as_secs().max(1))
            })
            .max()
    }

    pub fn fail(&self, keys: &[&str]) {
        let now = Instant::now();
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, v| v.last().is_some_and(|t| now.duration_since(*t) < Self::WINDOW));
        }
        for k in keys {
            map.entry(k.to_string()).or_default().push(now);
        }
    }

    pub fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// The caller for a person id from a session or token: their account and grants. A person who no
/// longer exists is an anonymous caller.
pub async fn caller(app: &App, person: Option<Uuid>) -> Result<Caller> {
    let Some(id) = person else {
        return Ok(Caller::default());
    };
    let person = match app.store.person(id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Ok(Caller::default()),
        Err(e) => return Err(e.into()),
    };
    let grants = app.store.grants(id).await?;
    Ok(Caller { actor: Actor::person(id, grants), person: Some(person) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limiter_blocks_after_max_failures() {
        let r = RateLimiter::default();
        for _ in 0..RateLimiter::MAX_FAILURES - 1 {
            r.fail(&["a"]);
        }
        assert_eq!(r.blocked(&["a"]), None);
        r.fail(&["a"]);
        assert!(r.blocked(&["a", "b"]).is_some());
        assert_eq!(r.blocked(&["b"]), None);
        r.clear("a");
        assert_eq!(r.blocked(&["a"]), None);
    }

    /// The dummy must be a real Argon2id hash with the default parameters, or a missing account
    /// would answer faster (a parse error) than a wrong password.
    #[test]
    fn dummy_hash_is_a_full_cost_argon2id_hash() {
        let parsed = argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).expect("well-formed PHC string");
        assert_eq!(parsed.algorithm.as_str(), "argon2id");
        let real = Argon2::default().hash_password(b"x").unwrap().to_string();
        let params = |h: &str| h.split('$').nth(3).unwrap().to_string();
        assert_eq!(params(DUMMY_HASH), params(&real), "same cost parameters as real hashes");
        assert!(Argon2::default().verify_password(b"anything", DUMMY_HASH).is_err());
    }

    #[tokio::test]
    async fn passwords_hash_and_verify() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong horse battery".into(), Some(h)).await);
        assert!(!verify_password("anything".into(), None).await);
    }
}
