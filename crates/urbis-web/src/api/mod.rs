//! The JSON API under `/api/v1`. The router and the OpenAPI 3.1 document are built from the same
//! declarations (utoipa-axum `routes!`), so the spec cannot drift from the code.
//!
//! Conventions: lists are paginated with `?page=` (from 1) and `?per_page=` (1–100, default 50) and
//! return `{items, page, per_page, total}` in a stable order with RFC 8288 `Link` fields naming the
//! `first`, `prev`, `next` and `last` pages (all through [`paged`]); writes to versioned records
//! need `If-Match` with the record's `ETag`; errors are RFC 9457 problem details.

mod convenings;
mod diagnostic;
pub mod grants;
mod network;
mod people;
pub mod services;

use crate::AppState;
use crate::auth::{ApiCaller, Caller};
use crate::error::Problem;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use urbis_store::Page;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use network::*;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Urbis API",
        description = "Programmes, cities, people and invitations of city digital-innovation programmes. \
                       Errors are RFC 9457 problem details (`application/problem+json`).",
        license(name = "AGPL-3.0-or-later")
    ),
    modifiers(&BearerAuth),
    components(schemas(Problem, crate::error::ProblemField)),
    tags((name = "network", description = "Programmes, cities, people, invitations"),
         (name = "auth", description = "Tokens and the current account"),
         (name = "diagnostic", description = "Instruments, waves, assessments, scores and benchmarks"),
         (name = "services", description = "Each city's service, its phases, research and outcome indicators"),
         (name = "convenings", description = "Events, agendas, registration with a waiting list, calendars"),
         (name = "grants", description = "Calls, applications, independent reviews, consensus, ranking and awards"))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The API router with its OpenAPI document.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(network::create_token))
        .routes(routes!(network::me))
        .routes(routes!(network::list_tokens))
        .routes(routes!(network::revoke_token))
        .routes(routes!(network::list_programmes))
        .routes(routes!(network::get_programme))
        .routes(routes!(network::list_cities))
        .routes(routes!(network::get_city, network::patch_city))
        .routes(routes!(network::city_team))
        .routes(routes!(network::list_people))
        .routes(routes!(network::list_invitations, network::create_invitation))
        .routes(routes!(network::revoke_invitation))
        .routes(routes!(network::get_invitation))
        .routes(routes!(network::accept_invitation))
        .routes(routes!(people::list_accounts))
        .routes(routes!(people::get_person))
        .routes(routes!(people::deactivate_person))
        .routes(routes!(people::reactivate_person))
        .routes(routes!(diagnostic::instruments::list_instruments))
        .routes(routes!(diagnostic::instruments::get_instrument))
        .routes(routes!(diagnostic::waves::list_waves, diagnostic::waves::create_wave))
        .routes(routes!(diagnostic::assessments::create_assessment))
        .routes(routes!(diagnostic::assessments::get_assessment, diagnostic::assessments::patch_assessment))
        .routes(routes!(diagnostic::assessments::reopen_assessment))
        .routes(routes!(diagnostic::review::put_validation))
        .routes(routes!(diagnostic::review::put_override, diagnostic::review::delete_override))
        .routes(routes!(diagnostic::answers::put_answer))
        .routes(routes!(diagnostic::assessments::submit_assessment))
        .routes(routes!(diagnostic::benchmark::get_benchmark))
        .routes(routes!(diagnostic::benchmark::get_benchmark_csv))
        .routes(routes!(diagnostic::assessments::get_assessment_csv))
        .routes(routes!(diagnostic::waves::close_wave))
        .routes(routes!(diagnostic::plan::get_plan, diagnostic::plan::create_plan_item))
        .routes(routes!(diagnostic::plan::put_plan_item))
        .routes(routes!(diagnostic::plan::get_plan_csv))
        .routes(routes!(services::service::create_service))
        .routes(routes!(services::service::get_service, services::service::patch_service))
        .routes(routes!(services::service::list_services))
        .routes(routes!(services::exports::get_service_cpsv))
        .routes(routes!(services::plan::put_phase))
        .routes(routes!(services::plan::create_milestone))
        .routes(routes!(services::plan::get_milestone, services::plan::patch_milestone))
        .routes(routes!(services::plan::create_research))
        .routes(routes!(services::indicators::create_indicator))
        .routes(routes!(services::indicators::get_indicator))
        .routes(routes!(services::exports::get_indicator_sdm))
        .routes(routes!(services::indicators::list_measurements, services::indicators::create_measurement))
        .routes(routes!(services::indicators::import_measurements))
        .routes(routes!(diagnostic::pulse::list_campaigns, diagnostic::pulse::create_campaign))
        .routes(routes!(diagnostic::pulse::get_campaign, diagnostic::pulse::patch_campaign))
        .routes(routes!(diagnostic::pulse::add_recipients))
        .routes(routes!(diagnostic::pulse::send_reminders))
        .routes(routes!(diagnostic::pulse::response_rates))
        .routes(routes!(diagnostic::pulse::list_respondents))
        .routes(routes!(diagnostic::pulse::get_report))
        .routes(routes!(diagnostic::pulse::get_responses_csv))
        .routes(routes!(diagnostic::survey::get_survey))
        .routes(routes!(diagnostic::survey::put_survey_answer))
        .routes(routes!(diagnostic::survey::submit_survey))
        .routes(routes!(convenings::list_events, convenings::create_event))
        .routes(routes!(convenings::events_csv))
        .routes(routes!(convenings::events_ics))
        .routes(routes!(convenings::get_event, convenings::patch_event))
        .routes(routes!(convenings::set_status))
        .routes(routes!(convenings::event_ics))
        .routes(routes!(convenings::list_sessions, convenings::create_session))
        .routes(routes!(convenings::register, convenings::list_registrations))
        .routes(routes!(convenings::cancel_registration))
        .routes(routes!(convenings::my_registrations))
        .routes(routes!(convenings::get_offer))
        .routes(routes!(convenings::accept_offer))
        .routes(routes!(grants::list_calls))
        .routes(routes!(grants::list_calls_csv))
        .routes(routes!(grants::create_call))
        .routes(routes!(grants::get_call, grants::patch_call))
        .routes(routes!(grants::set_call_state))
        .routes(routes!(grants::list_applications, grants::create_application))
        .routes(routes!(grants::get_application))
        .routes(routes!(grants::put_section))
        .routes(routes!(grants::put_budget))
        .routes(routes!(grants::submit_application))
        .routes(routes!(grants::create_assignment))
        .routes(routes!(grants::declare_conflict))
        .routes(routes!(grants::list_reviews, grants::create_review))
        .routes(routes!(grants::put_consensus))
        .routes(routes!(grants::get_ranking))
        .routes(routes!(grants::create_decision))
        .routes(routes!(grants::list_awards))
        .routes(routes!(grants::list_awards_csv))
        .route("/openapi.json", axum::routing::get(openapi_json))
        .fallback(|| async { Problem::not_found("API route") })
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut doc) = router().split_for_parts();
    doc.servers = Some(vec![utoipa::openapi::Server::new("/api/v1")]);
    describe_responses(&mut doc);
    doc
}

/// OpenAPI requires a description on every response: one a route leaves out is its status's
/// reason phrase (`OK`, `Created`, `No Content`).
fn describe_responses(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::RefOr;
    for item in doc.paths.paths.values_mut() {
        let ops = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch];
        for op in ops.into_iter().flatten() {
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(r) = response
                    && r.description.is_empty()
                {
                    let reason = status.parse::<u16>().ok().and_then(|s| StatusCode::from_u16(s).ok());
                    r.description = reason.and_then(|s| s.canonical_reason()).unwrap_or("Success").to_string();
                }
            }
        }
    }
}

/// The document serialised once, on first request.
static OPENAPI_JSON: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| serde_json::to_string(&openapi()).expect("the OpenAPI document serialises"));

async fn openapi_json() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI_JSON.as_str()).into_response()
}

/// A JSON body that, when wrong, becomes a problem naming the field: 415 without a JSON content
/// type, 413 over the size limit, 400 for malformed JSON, 422 for a wrong or unknown field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = Problem;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let ct = media_type(req.headers());
        if !(ct == "application/json" || (ct.starts_with("application/") && ct.ends_with("+json"))) {
            return Err(unsupported("send the body as application/json"));
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| unreadable(e, format!("the body must be at most {} bytes", crate::BODY_LIMIT)))?;
        let de = &mut serde_json::Deserializer::from_slice(&bytes);
        match serde_path_to_error::deserialize::<_, T>(de) {
            Ok(v) => Ok(ApiJson(v)),
            Err(e) => {
                let path = e.path().to_string();
                let inner = e.into_inner();
                if inner.is_syntax() || inner.is_eof() {
                    return Err(Problem::new(
                        StatusCode::BAD_REQUEST,
                        "malformed-json",
                        "Malformed JSON",
                        inner.to_string(),
                    ));
                }
                let msg = inner.to_string();
                // Unknown and missing fields are named by serde in the message, not in the path.
                let field = if let Some(rest) = msg.strip_prefix("unknown field `") {
                    rest.split('`').next().unwrap_or("").to_string()
                } else if let Some(rest) = msg.strip_prefix("missing field `") {
                    rest.split('`').next().unwrap_or("").to_string()
                } else if path == "." {
                    String::new()
                } else {
                    path
                };
                let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
                Err(Problem::field(StatusCode::UNPROCESSABLE_ENTITY, &field, "invalid-field", &msg))
            }
        }
    }
}

/// A CSV file sent as the body (`text/csv`, UTF-8), read once the caller was authorised: 415 for
/// another media type, 413 over the size limit, 422 when it is not UTF-8 text.
pub(crate) fn csv_body(headers: &HeaderMap, body: Result<Bytes, BytesRejection>) -> Result<String, Problem> {
    if media_type(headers) != "text/csv" {
        return Err(unsupported("send the file as text/csv"));
    }
    let too_large = format!("the file must be at most {} bytes; split it and import the parts", crate::BODY_LIMIT);
    let body = body.map_err(|e| unreadable(e, too_large))?;
    String::from_utf8(body.to_vec()).map_err(|_| {
        Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "file", "not-utf8", "the file must be UTF-8 text")
    })
}

/// A body's media type without its parameters (`text/csv; charset=utf-8` is `text/csv`).
fn media_type(headers: &HeaderMap) -> &str {
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    ct.split(';').next().unwrap_or("").trim()
}

/// 415: the body is not of the media type the route takes (`detail` names it).
fn unsupported(detail: &str) -> Problem {
    Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", "Unsupported media type", detail)
}

/// A body that could not be read: 413 over the size limit (`too_large` says what to do), 408 when it
/// did not arrive within the body timeout (see [`crate::server`]), else 400.
fn unreadable(e: BytesRejection, too_large: String) -> Problem {
    if body_timed_out(&e) {
        Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            "the body did not arrive in time; send it again",
        )
    } else if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        Problem::new(StatusCode::PAYLOAD_TOO_LARGE, "payload-too-large", "Body too large", too_large)
    } else {
        Problem::new(StatusCode::BAD_REQUEST, "bad-body", "Unreadable body", e.body_text())
    }
}

/// Whether reading a body failed because it did not arrive before the body deadline.
pub(crate) fn body_timed_out(e: &BytesRejection) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// What an API handler works with: the application and the caller (anonymous without a bearer
/// token; a malformed or unknown token is a 401, see [`ApiCaller`]).
///
/// A write (any method but GET, HEAD and OPTIONS) needs a signed-in caller: an anonymous one gets
/// 401 here, before the path's ids are looked up or the body is read, so that a stranger learns
/// nothing about which records exist. The few writes that are public by design (each reached with
/// a secret of its own) take [`PublicApi`] instead.
pub struct Api {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for Api {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let PublicApi { state, caller } = PublicApi::from_request_parts(parts, state).await?;
        if !parts.method.is_safe() {
            caller.person_id()?;
        }
        Ok(Api { state, caller })
    }
}

/// [`Api`] for the writes that an anonymous caller may make: accepting an invitation as a new
/// account (the link's token is the secret).
pub struct PublicApi {
    pub state: AppState,
    pub caller: Caller,
}

impl FromRequestParts<AppState> for PublicApi {
    type Rejection = Problem;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let ApiCaller(caller) = ApiCaller::from_request_parts(parts, state).await?;
        Ok(PublicApi { state: state.clone(), caller })
    }
}

/// The query of a paginated list: `?page=` and `?per_page=` (a 400 naming the parameter when out of
/// range), and the list's other parameters (its filters).
pub struct PageQuery {
    pub page: Page,
    pub query: HashMap<String, String>,
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let Query(query) = Query::from_request_parts(parts, state).await.map_err(IntoResponse::into_response)?;
        let page = page_from(&query).map_err(IntoResponse::into_response)?;
        Ok(PageQuery { page, query })
    }
}

impl PageQuery {
    /// A filter's value, when given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.query.get(name).map(String::as_str)
    }

    /// `path` with this query's filters (every parameter but `page` and `per_page`, in name order),
    /// for the links to the list's other pages.
    fn filtered(&self, path: &str) -> String {
        let mut filters: Vec<(&String, &String)> =
            self.query.iter().filter(|(k, _)| k.as_str() != "page" && k.as_str() != "per_page").collect();
        filters.sort();
        match serde_urlencoded::to_string(&filters) {
            Ok(q) if !q.is_empty() => format!("{path}?{q}"),
            _ => path.to_string(),
        }
    }
}

/// A page of the list at `path` (an absolute path without a query) as JSON, with the RFC 8288
/// `Link` field naming its `first`, `prev`, `next` and `last` pages (keeping the query's filters):
/// the one way every paged list of the API answers.
pub(crate) fn paged<T: utoipa::ToSchema + Serialize>(q: &PageQuery, path: &str, list: List<T>) -> Response {
    let links = page_links(&q.filtered(path), list.page, list.per_page, list.total);
    with_links(&links, axum::Json(list))
}

/// The `page` of a list the operation gave whole (the items the policy let through).
pub(crate) fn page_of<T>(page: Page, all: &[T]) -> &[T] {
    let per_page = page.per_page as usize;
    let start = ((page.page as usize - 1) * per_page).min(all.len());
    &all[start..start.saturating_add(per_page).min(all.len())]
}

/// The RFC 8288 `Link` field of a page of the list at `path` (an absolute path, with the list's
/// filters as its query if any): `first` and `last`, and `prev` and `next` where they exist.
pub(crate) fn page_links(path: &str, page: u32, per_page: u32, total: u64) -> String {
    let (page, per_page) = (u64::from(page), u64::from(per_page.max(1)));
    let last = total.div_ceil(per_page).max(1);
    let sep = if path.contains('?') { '&' } else { '?' };
    let link = |p: u64, rel: &str| format!("<{path}{sep}page={p}&per_page={per_page}>; rel=\"{rel}\"");
    let mut links = vec![link(1, "first")];
    if page > 1 {
        links.push(link((page - 1).min(last), "prev"));
    }
    if page < last {
        links.push(link(page + 1, "next"));
    }
    links.push(link(last, "last"));
    links.join(", ")
}

/// `res` with a `Link` field (see [`page_links`]).
pub(crate) fn with_links(links: &str, res: impl IntoResponse) -> Response {
    let mut res = res.into_response();
    if let Ok(v) = HeaderValue::from_str(links) {
        res.headers_mut().insert(header::LINK, v);
    }
    res
}

/// Parse `?page=` and `?per_page=`; values out of range are a 400 naming the parameter.
fn page_from(q: &HashMap<String, String>) -> Result<Page, Problem> {
    let num = |name: &str, default: u32, max: u32| -> Result<u32, Problem> {
        match q.get(name) {
            None => Ok(default),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if n >= 1 && n <= max => Ok(n),
                _ => Err(Problem::field(
                    StatusCode::BAD_REQUEST,
                    name,
                    "invalid-parameter",
                    &format!("must be a whole number from 1 to {max}"),
                )),
            },
        }
    };
    Ok(Page::new(num("page", 1, 1_000_000)?, num("per_page", 50, Page::MAX_PER_PAGE)?))
}

/// A JSON response with the record's version as `ETag`.
pub(crate) fn with_etag(version: i64, body: impl Serialize) -> Response {
    let mut res = axum::Json(body).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag(version)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// A new record (201) with its version as `ETag`.
pub(crate) fn created_with_etag(version: i64, body: impl Serialize) -> Response {
    let mut res = with_etag(version, body);
    *res.status_mut() = StatusCode::CREATED;
    res
}

/// A new record (201) as JSON.
pub(crate) fn created(body: impl Serialize) -> Response {
    (StatusCode::CREATED, axum::Json(body)).into_response()
}

/// `res` (a 201) with the `Location` of what it created.
pub(crate) fn with_location(location: &str, res: Response) -> Response {
    let mut res = res;
    if let Ok(v) = HeaderValue::from_str(location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// The `ETag` of a versioned record.
pub fn etag(version: i64) -> String {
    format!("\"{version}\"")
}

/// The `If-Match` header, read when the handler asks for the version it names: after the record is
/// loaded and the caller authorised, so that who may not change a record is told so first.
///
/// As RFC 9110 §13.1.1 says: `*` matches any current version; a list of entity tags matches when
/// any of them does; comparison is strong, so a weak validator (`W/"3"`) never matches.
pub struct IfMatch(Option<HeaderValue>);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(IfMatch(parts.headers.get(header::IF_MATCH).cloned()))
    }
}

/// What an `If-Match` field value asks for.
#[derive(Debug, PartialEq)]
enum Precondition {
    /// `*`: any current version.
    Any,
    /// The versions named by strong entity tags (weak ones and tags not ours are left out).
    Versions(Vec<i64>),
}

impl Precondition {
    fn parse(value: &str) -> Precondition {
        if value.trim() == "*" {
            return Precondition::Any;
        }
        Precondition::Versions(
            value
                .split(',')
                .map(str::trim)
                .filter(|tag| !tag.starts_with("W/"))
                .filter_map(|tag| {
                    // Strong comparison is character for character: `"03"` or `"+3"` is not `"3"`.
                    let v = tag.strip_prefix('"')?.strip_suffix('"')?;
                    v.parse::<i64>().ok().filter(|n| etag(*n) == tag)
                })
                .collect(),
        )
    }
}

fn stale_tag() -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_FAILED,
        "version-mismatch",
        "The record changed",
        "If-Match does not match the record's current ETag (a weak ETag never matches)",
    )
}

impl IfMatch {
    /// The version to write against, given the record's current version: 428 when `If-Match` is
    /// missing; the current version when it matches (`*`, or one of the strong tags names it); a
    /// version that does not match otherwise, which the operation refuses with 412 after it has
    /// authorised the caller; 412 at once when no strong tag of ours is named.
    pub fn version_of(&self, current: i64) -> Result<i64, Problem> {
        let v = self.0.as_ref().ok_or_else(|| {
            Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "If-Match required",
                "send the record's ETag in If-Match so that concurrent changes are not lost",
            )
        })?;
        match Precondition::parse(v.to_str().map_err(|_| stale_tag())?) {
            Precondition::Any => Ok(current),
            Precondition::Versions(vs) if vs.contains(&current) => Ok(current),
            Precondition::Versions(vs) => vs.first().copied().ok_or_else(stale_tag),
        }
    }

    /// Was `If-Match` sent at all?
    pub fn is_sent(&self) -> bool {
        self.0.is_some()
    }

    /// The same where `If-Match` is optional: none when it is not sent.
    pub fn sent_of(&self, current: i64) -> Result<Option<i64>, Problem> {
        if self.0.is_some() { self.version_of(current).map(Some) } else { Ok(None) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn if_match(v: Option<&str>) -> IfMatch {
        IfMatch(v.map(|v| HeaderValue::from_str(v).unwrap()))
    }

    #[test]
    fn if_match_follows_rfc_9110() {
        let status = |r: Result<i64, Problem>| r.map_err(|p| p.status);
        assert_eq!(status(if_match(Some("\"3\"")).version_of(3)), Ok(3));
        assert_eq!(status(if_match(Some("*")).version_of(7)), Ok(7), "* matches any current version");
        assert_eq!(status(if_match(Some(" * ")).version_of(7)), Ok(7));
        assert_eq!(status(if_match(Some("W/\"3\"")).version_of(3)), Err(412), "a weak tag never matches");
        assert_eq!(status(if_match(Some("\"1\", \"3\"")).version_of(3)), Ok(3), "any tag of a list");
        assert_eq!(status(if_match(Some("\"1\",\"2\"")).version_of(3)), Ok(1), "none: the operation says 412");
        assert_eq!(status(if_match(Some("W/\"3\", \"2\"")).version_of(3)), Ok(2), "the weak 3 does not count");
        assert_eq!(status(if_match(Some("3")).version_of(3)), Err(412), "an entity tag is quoted");
        assert_eq!(status(if_match(Some("\"x\"")).version_of(3)), Err(412));
        assert_eq!(status(if_match(None).version_of(3)), Err(428));
        assert_eq!(if_match(None).sent_of(3).unwrap(), None);
        assert_eq!(if_match(Some("*")).sent_of(3).unwrap(), Some(3));
    }

    /// Found by `proptests::if_match_matches_exactly_the_current_etag`: `"03"` and `"+3"` were read
    /// as version 3, although a strong comparison of entity tags is character for character.
    #[test]
    fn if_match_compares_entity_tags_character_for_character() {
        let status = |r: Result<i64, Problem>| r.map_err(|p| p.status);
        for tag in ["\"03\"", "\"+3\"", "\" 3\"", "\"3 \""] {
            assert_ne!(status(if_match(Some(tag)).version_of(3)), Ok(3), "{tag} is not \"3\"");
        }
        assert_eq!(status(if_match(Some("\"03\", \"3\"")).version_of(3)), Ok(3));
    }
}

/// Property tests of the request parsers here: `If-Match`, the paging parameters, the media type,
/// the language of a request, and the values of a posted form.
#[cfg(test)]
mod proptests {
    use super::*;
    use proptest::prelude::*;

    fn header_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[ \\t\",*W/0-9+-]{0,24}",
            proptest::collection::vec(
                prop_oneof![
                    (0i64..20).prop_map(|v| format!("\"{v}\"")),
                    (0i64..20).prop_map(|v| format!("W/\"{v}\"")),
                    "\"[+0-]?[0-9]{1,3}\"",
                    Just("*".to_string()),
                    "[ -~]{0,6}",
                ],
                0..4
            )
            .prop_map(|tags| tags.join(", ")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

        /// `If-Match` matches the current version exactly when it is `*` or one of its entity tags is
        /// character for character the record's strong ETag (RFC 9110 §8.8.3.2, §13.1.1); it never
        /// panics on any header value.
        #[test]
        fn if_match_matches_exactly_the_current_etag(value in header_text(), current in 1i64..20) {
            let Ok(header) = HeaderValue::from_str(&value) else { return Ok(()) };
            let r = IfMatch(Some(header)).version_of(current).map_err(|p| p.status);
            let matches = value.trim() == "*" || value.split(',').any(|t| t.trim() == etag(current));
            if matches {
                prop_assert_eq!(r, Ok(current), "{:?}", value);
            } else {
                prop_assert_ne!(r, Ok(current), "{:?} must not match {}", value, etag(current));
            }
            if let Ok(v) = r {
                prop_assert!(value.contains(&etag(v)) || value.trim() == "*", "{:?} names {}", value, v);
            }
        }

        /// What the server sends as `ETag` it accepts back in `If-Match`.
        #[test]
        fn an_etag_round_trips(current in 1i64..i64::MAX) {
            let header = HeaderValue::from_str(&etag(current)).unwrap();
            prop_assert_eq!(IfMatch(Some(header)).version_of(current).ok(), Some(current));
        }

        /// `?page=` and `?per_page=`: a page in range, or a 400 naming the parameter.
        #[test]
        fn paging_parameters_are_in_range_or_named(page in prop::option::of(any::<String>()),
                                                   per_page in prop::option::of("[+-]?[0-9]{0,12}|[ -~]{0,5}")) {
            let mut q = HashMap::new();
            if let Some(p) = &page { q.insert("page".to_string(), p.clone()); }
            if let Some(p) = &per_page { q.insert("per_page".to_string(), p.clone()); }
            match page_from(&q) {
                Ok(p) => prop_assert!(p.page >= 1 && (1..=Page::MAX_PER_PAGE).contains(&p.per_page)),
                Err(problem) => {
                    prop_assert_eq!(problem.status, 400);
                    let body = serde_json::to_value(&problem).unwrap().to_string();
                    prop_assert!(body.contains("\"page\"") || body.contains("\"per_page\""), "{}", body);
                }
            }
        }

        /// The language of a request is always one Urbis has; a header naming one supported language
        /// (with a positive quality) among unsupported ones picks it.
        #[test]
        fn accept_language_picks_a_supported_language(header in any::<String>(), cookie in prop::option::of(any::<String>()),
                                                      other in "[a-z]{2,3}(-[A-Z]{2})?", lang in prop::sample::select(vec!["de", "fr"]),
                                                      q in 1u32..=1000) {
            let chosen = urbis_app::i18n::negotiate(cookie.as_deref(), None, Some(&header));
            prop_assert!(urbis_app::i18n::supported(chosen));
            let other = if ["en", "de", "fr"].contains(&&other[..2]) { "xx".to_string() } else { other };
            let h = format!("{other}, {lang}-CH;q=0.{q:03}");
            let q = q as f32 / 1000.0;
            let want = if q > 0.0 { lang } else { "en" };
            prop_assert_eq!(urbis_app::i18n::negotiate(None, None, Some(&h)), want, "{}", h);
        }

        /// The media type of a body ignores parameters (visible ASCII, as HTTP fields are) and never panics.
        #[test]
        fn media_type_ignores_parameters(ct in "[ -~]{0,40}") {
            let mut headers = HeaderMap::new();
            if let Ok(v) = HeaderValue::from_str(&format!("text/csv;{ct}")) {
                headers.insert(header::CONTENT_TYPE, v);
                prop_assert_eq!(media_type(&headers), "text/csv");
            }
        }

        /// A posted form's decimal (a decimal comma allowed) is the number typed, or not a number.
        #[test]
        fn form_numbers_read_back(v in -1e9f64..1e9, comma in any::<bool>(), junk in any::<String>()) {
            let typed = if comma { v.to_string().replace('.', ",") } else { v.to_string() };
            let form = crate::pages::PageForm([("x".to_string(), typed.clone()), ("y".to_string(), junk.clone())].into(), vec![]);
            prop_assert_eq!(form.number("x"), v, "{}", typed);
            let n = form.number("y");
            prop_assert!(n.is_nan() || junk.trim().replace(',', ".").parse::<f64>().ok() == Some(n) || n.is_infinite());
            let _ = (form.version(), form.checked("y"), form.get_all("y"));
        }
    }
}
