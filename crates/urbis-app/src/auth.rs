//! Accounts: password hashing (Argon2id, off the async runtime), keyed hashes, sign-in throttling
//! (counted in the database), and the caller behind a session or token.

use crate::{App, AppError, Caller, Result};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
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

/// Sign-in throttling: failures are counted in the database (so that every instance sharing it
/// sees the same counts) under three keys, with separate rules.
///
/// - Per account and client address: the first [`ACCOUNT_FREE_FAILURES`] failures cost nothing;
///   each further failure locks the account *for that address* for a delay that doubles from
///   [`FIRST_DELAY`] up to [`MAX_DELAY`], counted from the last failure. A stranger guessing from
///   one address locks out only that address.
/// - Per account from all addresses: the same, after [`ACCOUNT_BUDGET`] failures, so that guessing
///   from many addresses stays bounded too (and costs a stranger many addresses and requests).
/// - Per client address: [`ADDRESS_BUDGET`] failures in [`ADDRESS_WINDOW`]. Over budget, a wrong
///   password is answered "try again later", but a correct password for an account that is not
///   itself locked still signs in: many people behind one address (a city hall, a proxy that is
///   not configured as trusted) are not locked out by one of them, or by a stranger.
///
/// While an account is locked no password is checked (so guessing stays bounded) and attempts are
/// not counted (so hammering does not make a lock longer). A successful sign-in clears the
/// account's counts; counts older than [`ACCOUNT_WINDOW`] start again. Accounts are named by a
/// keyed hash of the e-mail (made-up e-mails are counted alike, so the answer never tells whether
/// an account exists, and the table holds no addresses of people).
pub mod throttle {
    use chrono::{DateTime, Duration, Utc};
    use urbis_store::auth::FailureCount;

    pub const ACCOUNT_FREE_FAILURES: i64 = 10;
    pub const ACCOUNT_BUDGET: i64 = 100;
    pub const FIRST_DELAY: Duration = Duration::minutes(1);
    pub const MAX_DELAY: Duration = Duration::minutes(15);
    pub const ACCOUNT_WINDOW: Duration = Duration::hours(24);
    pub const ADDRESS_BUDGET: i64 = 30;
    pub const ADDRESS_WINDOW: Duration = Duration::minutes(15);

    /// The lock after `failures` failures of an account when `free` cost nothing: none before
    /// they are used up, then doubling from the first delay, capped.
    pub fn lock_delay(failures: i64, free: i64) -> Option<Duration> {
        let over = failures - free;
        if over < 0 {
            return None;
        }
        let doubled = FIRST_DELAY.num_seconds().saturating_mul(1_i64 << over.min(20));
        Some(Duration::seconds(doubled.min(MAX_DELAY.num_seconds())))
    }

    /// Seconds until an account may try again, if its `count` (with `free` failures) locks it.
    pub fn account_wait(count: Option<FailureCount>, free: i64, now: DateTime<Utc>) -> Option<u64> {
        let c = count?;
        if c.first_at + ACCOUNT_WINDOW <= now {
            return None;
        }
        wait_until(c.last_at + lock_delay(c.failures, free)?, now)
    }

    /// Seconds until an address is within its budget again, if it is over it at `now`.
    pub fn address_wait(count: Option<FailureCount>, now: DateTime<Utc>) -> Option<u64> {
        let c = count?;
        if c.failures < ADDRESS_BUDGET {
            return None;
        }
        wait_until(c.first_at + ADDRESS_WINDOW, now)
    }

    /// Whole seconds from `now` to `until` (at least 1), if `until` is still to come.
    fn wait_until(until: DateTime<Utc>, now: DateTime<Utc>) -> Option<u64> {
        let ms = (until - now).num_milliseconds();
        (ms > 0).then(|| u64::try_from(ms).unwrap_or(0).div_ceil(1000).max(1))
    }

    /// The key an account's failures from all addresses are counted under: a keyed hash of the
    /// normalised e-mail.
    pub fn account_key(secret: &[u8], email: &str) -> String {
        format!("account:{}", super::mac(secret, "sign-in", &email.trim().to_lowercase()))
    }

    /// The key an account's failures from one client address are counted under.
    pub fn account_address_key(secret: &[u8], email: &str, address: &str) -> String {
        format!("{}@{address}", account_key(secret, email))
    }

    /// The key a client address's failures are counted under.
    pub fn address_key(address: &str) -> String {
        format!("address:{address}")
    }
}

/// The caller for a person id from a session or token: their account and grants. A person who no
/// longer exists, or who is deactivated, is an anonymous caller.
pub async fn caller(app: &App, person: Option<Uuid>) -> Result<Caller> {
    let Some(id) = person else {
        return Ok(Caller::default());
    };
    let person = match app.store.person(id).await {
        Ok(p) => p,
        Err(StoreError::NotFound) => return Ok(Caller::default()),
        Err(e) => return Err(e.into()),
    };
    if !person.is_active() {
        return Ok(Caller::default());
    }
    let grants = app.store.grants(id).await?;
    Ok(Caller { actor: Actor::person(id, grants), person: Some(person) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_delay_grows_from_one_minute_and_is_capped() {
        use throttle::*;
        let free = ACCOUNT_FREE_FAILURES;
        assert_eq!(lock_delay(free - 1, free), None);
        let secs = |f| lock_delay(f, free).unwrap().num_seconds();
        assert_eq!(secs(free), 60);
        assert_eq!(secs(free + 1), 120);
        assert_eq!(secs(free + 2), 240);
        assert_eq!(secs(free + 4), 900, "capped at 15 minutes");
        assert_eq!(secs(i64::MAX), 900);
        assert_eq!(lock_delay(ACCOUNT_BUDGET - 1, ACCOUNT_BUDGET), None);
    }

    #[test]
    fn waits_count_from_the_last_failure_and_the_window() {
        use chrono::Duration;
        use throttle::*;
        use urbis_store::auth::FailureCount;
        let t = urbis_store::now();
        let c = |failures, first: Duration, last: Duration| {
            Some(FailureCount { failures, first_at: t - first, last_at: t - last })
        };
        let free = ACCOUNT_FREE_FAILURES;
        let m5 = Duration::minutes(5);
        assert_eq!(account_wait(None, free, t), None);
        assert_eq!(account_wait(c(free - 1, m5, Duration::seconds(1)), free, t), None);
        assert_eq!(account_wait(c(free, m5, Duration::seconds(10)), free, t), Some(50));
        assert_eq!(account_wait(c(free + 1, m5, Duration::seconds(10)), free, t), Some(110));
        assert_eq!(account_wait(c(free, m5, Duration::seconds(61)), free, t), None);
        assert_eq!(account_wait(c(free + 4, Duration::hours(25), Duration::seconds(1)), free, t), None, "lapsed");
        assert_eq!(address_wait(c(ADDRESS_BUDGET - 1, Duration::minutes(1), Duration::zero()), t), None);
        assert_eq!(address_wait(c(ADDRESS_BUDGET, m5, Duration::zero()), t), Some(600));
        assert_eq!(address_wait(c(ADDRESS_BUDGET, Duration::minutes(16), Duration::zero()), t), None);
        assert_ne!(account_key(b"k", " Ada@Example.org"), account_key(b"other", "ada@example.org"));
        assert_eq!(account_key(b"k", " Ada@Example.org"), account_key(b"k", "ada@example.org"));
        assert_ne!(account_address_key(b"k", "a@b.c", "192.0.2.1"), account_address_key(b"k", "a@b.c", "192.0.2.2"));
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
