//! Authentication at the edge: sessions in signed cookies, API bearer tokens, CSRF tokens, and the
//! extractors that turn a request into the application's [`Caller`] (password hashing and the
//! sign-in rate limiter live in the application layer, `urbis_app::auth`).

use crate::AppState;
use crate::error::Problem;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, header, request::Parts};
pub use urbis_app::Caller;
pub use urbis_app::auth::{RateLimiter, hash_password, mac, verify_password};

pub const SESSION_COOKIE: &str = "urbis_session";
pub const CSRF_COOKIE: &str = "urbis_csrf";
pub const LANG_COOKIE: &str = "urbis_lang";

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

/// The caller of a page: from the signed session cookie. Anonymous when absent or expired.
pub async fn page_caller(state: &AppState, headers: &HeaderMap) -> Result<Caller, Problem> {
    let person = match cookie(headers, SESSION_COOKIE).and_then(|c| unsign(&state.secret, c)) {
        Some(token) => state.store.session_person(token).await?,
        None => None,
    };
    Ok(urbis_app::auth::caller(state, person).await?)
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
        Ok(ApiCaller(urbis_app::auth::caller(state, Some(person)).await?))
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
}
