//! HTTP caching of the public reads: what an anonymous caller gets from the busiest public pages
//! and API reads is kept in memory as sent (status 200, headers, bytes), with the database's commit
//! generation it was made at, and sent again while the generation is unchanged. Each answer gets a
//! strong `ETag` (a hash of its bytes) and `Cache-Control: public, no-cache`, so browsers and
//! proxies may keep it but ask again each time, and `If-None-Match` gets 304.
//!
//! What keeps it correct:
//! - Freshness: the generation changes on every commit by any instance sharing the database (see
//!   `urbis_app::cache`), and is read after the request arrived, so a write acknowledged through one
//!   instance is seen by the next read through any other.
//! - Visibility: only callers with neither a session cookie nor an `Authorization` header are served
//!   from it or fill it, so everything in it is what the policy shows to everyone. The key holds
//!   everything such an answer depends on: the path and query, the negotiated language, the day
//!   (and the minute on pages that show a clock).
//! - Per-browser content: an answer that sets a cookie other than the CSRF cookie, or whose body
//!   carries the caller's CSRF token (a page with a form), is never kept; the CSRF cookie an
//!   anonymous page sets is not repeated from the cache.
//! - Signed-in callers: their answers are kept too, but only for the same signed-in person and the
//!   same browser (the key then holds the person behind the live session or token, checked in the
//!   database on every request, and the browser's CSRF cookie, whose token the page may carry);
//!   they keep their own `Cache-Control` (`no-store` for pages) and get no `ETag` from here. An
//!   answer that sets a cookie is never kept for them.
//! - Size: at most [`MAX_ENTRIES`] answers of at most [`MAX_BODY`] bytes each.

use crate::AppState;
use crate::auth::{CSRF_COOKIE, LANG_COOKIE, SESSION_COOKIE, cookie, csrf_token};
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

/// The routes whose anonymous answers are kept, and whether the page shows a clock (its key then
/// holds the minute).
const ROUTES: &[(&str, bool)] = &[
    ("/api/v1/programmes", false),
    ("/api/v1/programmes/{slug}", false),
    ("/api/v1/programmes/{slug}/cities", false),
    ("/api/v1/programmes/{slug}/benchmark", false),
    ("/api/v1/cities/{slug}", false),
    ("/programmes", false),
    ("/programmes/{slug}", false),
    ("/programmes/{slug}/diagnostic", false),
    ("/programmes/{slug}/services", false),
    ("/programmes/{slug}/results", false),
    ("/cities/{slug}", true),
    ("/cities/{slug}/diagnostic", false),
    ("/cities/{slug}/service", false),
    ("/assessments/{id}", false),
];

/// The most answers kept (the whole cache is dropped when full: a flood of distinct query strings
/// costs misses, not memory).
pub const MAX_ENTRIES: usize = 2048;
/// The largest body kept.
pub const MAX_BODY: usize = 1 << 20;

/// Answers kept, by key.
pub struct Responses {
    entries: Mutex<HashMap<Key, Arc<Entry>>>,
    /// Off with `URBIS_CACHE=off` (to measure without it, or to rule it out).
    enabled: bool,
}

impl Default for Responses {
    fn default() -> Responses {
        Responses { entries: Mutex::default(), enabled: std::env::var("URBIS_CACHE").as_deref() != Ok("off") }
    }
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    /// The signed-in person (with their browser's CSRF cookie), `None` for an anonymous caller.
    private: Option<(uuid::Uuid, Option<String>)>,
    path: String,
    /// The language chosen with the language switch (a cookie), and the one `Accept-Language` asks
    /// for: with the signed-in person's own setting, what the page's language is negotiated from.
    lang: (Option<&'static str>, &'static str),
    /// Days (or minutes, for a page with a clock) since the epoch.
    time: i64,
}

struct Entry {
    generation: Arc<str>,
    headers: HeaderMap,
    body: Bytes,
    /// Our strong validator, when the handler set none of its own (a record's `ETag` is its
    /// version, for `If-Match`: it is kept as it is, and such answers get no 304).
    etag: Option<HeaderValue>,
}

impl Responses {
    fn get(&self, key: &Key, generation: &str) -> Option<Arc<Entry>> {
        let map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key).filter(|e| &*e.generation == generation).cloned()
    }

    fn put(&self, key: Key, entry: Arc<Entry>) {
        let mut map = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(key, entry);
    }

    /// How many answers are kept (for tests and metrics).
    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Middleware: serve a public read from the cache, or run it and keep its answer.
pub async fn public(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(mut key) = key_of(&req).filter(|_| state.responses.enabled) else { return next.run(req).await };
    match caller_of(&state, req.headers()).await {
        Ok(Caller::Anonymous) => {}
        Ok(Caller::Person(id)) => key.private = Some((id, cookie(req.headers(), CSRF_COOKIE).map(str::to_string))),
        Ok(Caller::Unknown) => return next.run(req).await,
        Err(e) => {
            tracing::warn!(error = %e, "caller unavailable: answering without the cache");
            return next.run(req).await;
        }
    }
    let generation = match state.generation.current().await {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!(error = %e, "commit generation unavailable: answering without the cache");
            return next.run(req).await;
        }
    };
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    if let Some(hit) = state.responses.get(&key, &generation) {
        return answer(&hit, if_none_match.as_ref());
    }
    let request_csrf = cookie(req.headers(), CSRF_COOKIE).map(str::to_string);
    let res = next.run(req).await;
    if res.status() != StatusCode::OK {
        return res;
    }
    let (parts, body) = res.into_parts();
    if axum::body::HttpBody::size_hint(&body).exact().is_none_or(|n| n > MAX_BODY as u64) {
        return Response::from_parts(parts, body);
    }
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        tracing::error!("a public answer could not be read or exceeds the cache's limit");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let made = if key.private.is_some() {
        private_entry(&parts.headers, bytes.clone(), generation)
    } else {
        entry_of(&state, &parts.headers, bytes.clone(), request_csrf.as_deref(), generation)
    };
    let Some(entry) = made else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let entry = Arc::new(entry);
    state.responses.put(key, entry.clone());
    answer(&entry, if_none_match.as_ref())
}

enum Caller {
    Anonymous,
    /// Signed in with a live session or token.
    Person(uuid::Uuid),
    /// A session cookie or token that is not (or no longer) valid: the handler answers.
    Unknown,
}

/// Who the caller is, as the handler will see it: the person behind a live session or token (read
/// from the database on every request, so a signed-out or expired session is never served).
async fn caller_of(state: &AppState, h: &HeaderMap) -> Result<Caller, urbis_store::StoreError> {
    if let Some(value) = h.get(header::AUTHORIZATION) {
        let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim) else {
            return Ok(Caller::Unknown);
        };
        return Ok(state.store.token_person(token).await?.map_or(Caller::Unknown, Caller::Person));
    }
    match cookie(h, SESSION_COOKIE) {
        None => Ok(Caller::Anonymous),
        Some(c) => match crate::auth::unsign(&state.secret, c) {
            None => Ok(Caller::Unknown),
            Some(token) => Ok(state.store.session_person(token).await?.map_or(Caller::Unknown, Caller::Person)),
        },
    }
}

/// What to keep of a signed-in caller's answer: all of it, as it is, unless it sets a cookie.
fn private_entry(headers: &HeaderMap, body: Bytes, generation: Arc<str>) -> Option<Entry> {
    if headers.contains_key(header::SET_COOKIE) {
        return None;
    }
    Some(Entry { generation, headers: headers.clone(), body, etag: None })
}

/// The cache key of a request that may be served from the cache: a GET of one of [`ROUTES`] (the
/// caller is added by [`public`]).
fn key_of(req: &Request) -> Option<Key> {
    if req.method() != Method::GET {
        return None;
    }
    let route = req.extensions().get::<MatchedPath>()?.as_str();
    let &(_, clock) = ROUTES.iter().find(|(r, _)| *r == route)?;
    let h = req.headers();
    let accept = h.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let choice = cookie(h, LANG_COOKIE).and_then(|c| urbis_app::i18n::LANGUAGES.iter().find(|(l, _)| *l == c));
    let lang = (choice.map(|(l, _)| *l), urbis_app::i18n::negotiate(None, None, accept));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    let time = if clock { now.div_euclid(60) } else { now.div_euclid(86_400) };
    let path = req.uri().path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
    Some(Key { private: None, path, lang, time })
}

/// What to keep of an answer, unless it is particular to this browser.
fn entry_of(
    state: &AppState,
    headers: &HeaderMap,
    body: Bytes,
    request_csrf: Option<&str>,
    generation: Arc<str>,
) -> Option<Entry> {
    let mut csrf = request_csrf.map(str::to_string);
    for c in headers.get_all(header::SET_COOKIE) {
        let (name, value) = c.to_str().ok()?.split(';').next()?.split_once('=')?;
        if name.trim() != CSRF_COOKIE {
            return None;
        }
        csrf = Some(value.trim().to_string());
    }
    if let Some(c) = csrf {
        let token = csrf_token(&state.secret, &c);
        if memchr_find(&body, token.as_bytes()) {
            return None;
        }
    }
    let mut kept = headers.clone();
    kept.remove(header::SET_COOKIE);
    kept.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, no-cache"));
    kept.insert(header::VARY, HeaderValue::from_static("Authorization, Cookie, Accept-Language"));
    let etag = if kept.contains_key(header::ETAG) {
        None
    } else {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        body.hash(&mut hasher);
        let tag = HeaderValue::from_str(&format!("\"p{:016x}{:x}\"", hasher.finish(), body.len())).ok()?;
        kept.insert(header::ETAG, tag.clone());
        Some(tag)
    };
    Some(Entry { generation, headers: kept, body, etag })
}

fn memchr_find(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// The kept answer, or 304 when the browser has it already.
fn answer(entry: &Entry, if_none_match: Option<&HeaderValue>) -> Response {
    let not_modified = match (&entry.etag, if_none_match.and_then(|v| v.to_str().ok())) {
        (Some(tag), Some(sent)) => {
            let tag = tag.to_str().unwrap_or("");
            sent.split(',').map(str::trim).any(|s| s == "*" || s == tag)
        }
        _ => false,
    };
    let mut res = if not_modified {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(entry.body.clone()))
    };
    let h = res.headers_mut();
    for (name, value) in &entry.headers {
        if not_modified && (*name == header::CONTENT_TYPE || *name == header::CONTENT_LENGTH) {
            continue;
        }
        h.append(name, value.clone());
    }
    res
}
