//! Authentication at the edge: sessions in signed cookies, API bearer tokens, CSRF tokens, and the
//! extractors that turn a request into the application's [`Caller`] (password hashing and the
//! sign-in throttle live in the application layer, `urbis_app::auth`).

use crate::AppState;
use crate::error::Problem;
use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, header, request::Parts};
use std::net::IpAddr;
pub use urbis_app::Caller;
pub use urbis_app::auth::{hash_password, mac, verify_password};

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

/// The client's address, for counting failed sign-ins: the peer address of the connection, or,
/// when the peer is one of the configured trusted proxies, the right-most address of
/// `X-Forwarded-For` that is not a trusted proxy (addresses further left can be forged by the
/// client). Without trusted proxies the header is ignored.
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientAddr(client_address(peer, &parts.headers, &state.config.trusted_proxies)))
    }
}

/// See [`ClientAddr`].
pub fn client_address(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpNet]) -> String {
    let Some(peer) = peer else { return String::new() };
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|a| a.trim().parse::<IpAddr>().ok())
        .collect();
    // Right to left: the first address that is not one of our proxies is the client; if every one
    // is a proxy, the left-most is the best we know.
    forwarded.iter().rev().find(|ip| !is_trusted(ip)).or(forwarded.first()).unwrap_or(&peer).to_string()
}

/// A network of trusted proxies: an address with a prefix length (`10.0.0.0/8`, `::1/128`), or one
/// address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl std::str::FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<IpNet, String> {
        let bad = || format!("{s:?} is not an IP address or network (such as 10.0.0.0/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a.parse::<IpAddr>().map_err(|_| bad())?, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim().parse::<IpAddr>().map_err(|_| bad())?, None),
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(IpNet { addr, prefix })
    }
}

impl IpNet {
    /// Is `ip` in this network? (An IPv4-mapped IPv6 address counts as its IPv4 address.)
    pub fn contains(&self, ip: &IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(*ip),
            v4 => *v4,
        };
        let bits = |a: IpAddr| -> (u128, u32) {
            match a {
                IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
                IpAddr::V6(v) => (u128::from(v), 128),
            }
        };
        let ((net, width), (addr, w2)) = (bits(self.addr), bits(ip));
        if width != w2 {
            return false;
        }
        let shift = width - u32::from(self.prefix);
        shift >= width || (net >> shift) == (addr >> shift)
    }
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
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let trusted: Vec<IpNet> = ["10.0.0.0/8", "::1"].iter().map(|s| s.parse().unwrap()).collect();
        let mut h = HeaderMap::new();
        h.insert("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.2.3".parse().unwrap());
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(client_address(ip("198.51.100.1"), &h, &trusted), "198.51.100.1", "untrusted peer");
        assert_eq!(client_address(ip("10.0.0.1"), &h, &trusted), "203.0.113.7", "right-most untrusted");
        assert_eq!(client_address(ip("::1"), &h, &trusted), "203.0.113.7");
        assert_eq!(client_address(ip("10.0.0.1"), &h, &[]), "10.0.0.1", "no trusted proxies");
        assert_eq!(client_address(ip("10.0.0.1"), &HeaderMap::new(), &trusted), "10.0.0.1");
        h.insert("x-forwarded-for", "10.9.9.9".parse().unwrap());
        assert_eq!(client_address(ip("10.0.0.1"), &h, &trusted), "10.9.9.9");
        let net: IpNet = "192.168.0.0/16".parse().unwrap();
        assert!(net.contains(&"192.168.4.5".parse().unwrap()));
        assert!(net.contains(&"::ffff:192.168.4.5".parse().unwrap()));
        assert!(!net.contains(&"192.169.0.1".parse().unwrap()));
        assert!("0.0.0.0/0".parse::<IpNet>().unwrap().contains(&"8.8.8.8".parse().unwrap()));
        assert!("10.0.0.0/33".parse::<IpNet>().is_err());
        assert!("proxy".parse::<IpNet>().is_err());
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
