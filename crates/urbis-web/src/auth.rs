//! Authentication: password hashing, sessions in signed cookies, API bearer tokens, CSRF tokens,
//! login rate limiting, and the extractor that turns a request into the policy's [`Actor`].

use crate::AppState;
use crate::error::Problem;
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, header, request::Parts};
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use urbis_domain::policy::{Action, Actor, Resource, can};
use urbis_store::network::Person;

pub const SESSION_COOKIE: &str = "urbis_session";
pub const CSRF_COOKIE: &str = "urbis_csrf";
pub const LANG_COOKIE: &str = "urbis_lang";

/// Hash a password with Argon2id (default parameters), off the async runtime.
pub async fn hash_password(password: String) -> Result<String, Problem> {
    tokio::task::spawn_blocking(move || {
        Argon2::default().hash_password(password.as_bytes()).map(|h| h.to_string()).map_err(|_| Problem::internal())
    })
    .await
    .map_err(|_| Problem::internal())?
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

pub(crate) fn mac(secret: &[u8], purpose: &str, value: &str) -> String {
    let mut m = <Hmac<Sha256> as KeyInit>::new_from_slice(secret).expect("any key length");
    m.update(purpose.as_bytes());
    m.update(b"\0");
    m.update(value.as_bytes());
    hex::encode(m.finalize().into_bytes())
}

/// A cookie value with its signature: `value.signature`.
pub fn sign(secret: &[u8], value: &str) -> String {
    format!("{value}.{}", mac(secret, "cookie", value))
}

/// The value of a signed cookie, if the signature holds (compared in constant time).
pub fn unsign<'a>(secret: &[u8], signed: &'a str) -> Option<&'a str> {
    let (value, sig) = signed.rsplit_once('.')?;
    constant_time_eq(mac(secret, "cookie", value).as_bytes(), sig.as_bytes()).then_some(value)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The CSRF token for forms, bound to the browser's CSRF cookie.
pub fn csrf_token(secret: &[u8], csrf_cookie: &str) -> String {
    mac(secret, "csrf", csrf_cookie)
}

pub fn csrf_valid(secret: &[u8], csrf_cookie: Option<&str>, submitted: &str) -> bool {
    match csrf_cookie {
        Some(c) if !c.is_empty() => constant_time_eq(csrf_token(secret, c).as_bytes(), submitted.as_bytes()),
        _ => false,
    }
}

/// Read one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure behind TLS.
pub fn set_cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if let Some(a) = max_age {
        c.push_str(&format!("; Max-Age={a}"));
    }
    if state.config.behind_tls {
        c.push_str("; Secure");
    }
    c
}

/// Who is making the request, with their account when signed in.
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub actor: Actor,
    pub person: Option<Person>,
}

impl Caller {
    pub fn can(&self, action: Action, resource: &Resource) -> bool {
        can(&self.actor, action, resource)
    }
}

async fn caller_for(state: &AppState, person: Option<uuid::Uuid>) -> Result<Caller, Problem> {
    let Some(id) = person else {
        return Ok(Caller::default());
    };
    let person = match state.store.person(id).await {
        Ok(p) => p,
        Err(urbis_store::StoreError::NotFound) => return Ok(Caller::default()),
        Err(e) => return Err(e.into()),
    };
    let grants = state.store.grants(id).await?;
    Ok(Caller { actor: Actor::person(id, grants), person: Some(person) })
}

/// The caller of a page: from the signed session cookie. Anonymous when absent or expired.
pub async fn page_caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Problem> {
    let person = match cookie(headers, SESSION_COOKIE).and_then(|c| unsign(&state.secret, c)) {
        Some(token) => state.store.session_person(token).await?,
        None => None,
    };
    caller_for(state, person).await
}

/// The caller of the API: from `Authorization: Bearer <token>`. A malformed or unknown token is 401
/// (it is a client mistake worth telling), a missing one makes an anonymous caller.
pub struct ApiCaller(pub Caller);

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Ok(ApiCaller(Caller::default()));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(Problem::unauthorized)?;
        let person = state.store.token_person(token).await?.ok_or_else(Problem::unauthorized)?;
        Ok(ApiCaller(caller_for(state, Some(person)).await?))
    }
}

impl ApiCaller {
    /// Require the policy's yes: 401 for anonymous callers, 403 for signed-in ones.
    pub fn require(&self, action: Action, resource: &Resource) -> Result<(), Problem> {
        if self.0.can(action, resource) {
            Ok(())
        } else if self.0.actor.is_authenticated() {
            Err(Problem::forbidden())
        } else {
            Err(Problem::unauthorized())
        }
    }
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

/// The peer address of the connection, when the server was started with connect info.
pub struct ClientAddr(pub Option<std::net::SocketAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0)))
    }
}

/// The client's address for rate limiting: the peer address (a proxy's `X-Forwarded-For` is not
/// trusted, as it can be forged).
pub fn client_key(peer: Option<std::net::SocketAddr>) -> String {
    format!("ip:{}", peer.map(|p| p.ip().to_string()).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_cookies() {
        let s = b"secret";
        let signed = sign(s, "abc");
        assert_eq!(unsign(s, &signed), Some("abc"));
        assert_eq!(unsign(b"other", &signed), None);
        assert_eq!(unsign(s, "abc.deadbeef"), None);
        assert_eq!(unsign(s, "abc"), None);
    }

    #[test]
    fn csrf_binds_to_cookie() {
        let t = csrf_token(b"k", "c1");
        assert!(csrf_valid(b"k", Some("c1"), &t));
        assert!(!csrf_valid(b"k", Some("c2"), &t));
        assert!(!csrf_valid(b"k", None, &t));
        assert!(!csrf_valid(b"k", Some(""), &csrf_token(b"k", "")));
    }

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
