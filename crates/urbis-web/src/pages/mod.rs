//! Server-rendered pages (askama templates, Fluent messages). They work without JavaScript: every
//! action is a link or a form, and every form carries a CSRF token and, for versioned records, the
//! version it was read at.

/// Give a page struct with an `errors: Vec<ShownError>` field the `error(field)` lookup its
/// template uses beside each form field; `form_errors!(Page, typed)` also gives one whose form, as
/// typed, is kept in a `form: HashMap<String, String>` field the `value(field)` lookup.
macro_rules! form_errors {
    ($t:ident) => {
        impl $t<'_> {
            fn error(&self, field: &str) -> Option<&str> {
                $crate::pages::error_for(&self.errors, field)
            }
        }
    };
    ($t:ident, typed) => {
        form_errors!($t);
        impl $t<'_> {
            fn value(&self, field: &str) -> &str {
                self.form.get(field).map(String::as_str).unwrap_or("")
            }
        }
    };
}

mod auth;
mod convenings;
mod diagnostic;
mod grants;
mod network;
mod people;
mod services;

use crate::AppState;
use crate::auth::{CSRF_COOKIE, Caller, LANG_COOKIE, cookie, csrf_token, csrf_valid, page_caller, set_cookie};
use crate::error::Problem;
use crate::i18n::{LANGUAGES, Tr, negotiate};
use askama::Template;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_domain::FieldError;

/// The site: each capability's pages, the language switch and the static assets.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(network::router())
        .merge(diagnostic::router())
        .merge(services::router())
        .merge(convenings::router())
        .merge(grants::router())
        .merge(auth::router())
        .merge(people::router())
        .route("/language/{code}", get(language))
        .route("/static/urbis.css", get(css))
        .route("/static/favicon.svg", get(favicon))
        .route("/static/map/europe.svg", get(map_outline))
}

/// Everything a page needs: the application, and what it knows about the request: language,
/// caller, CSRF token, own path.
pub struct Ctx {
    pub state: AppState,
    pub t: Tr,
    pub caller: Caller,
    pub csrf: String,
    pub path: String,
    new_csrf_cookie: Option<String>,
    secure: bool,
}

pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let caller = match page_caller(state, &parts.headers).await {
            Ok(c) => c,
            Err(p) => return Err(plain_error(p.status())),
        };
        let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let lang =
            negotiate(cookie(&parts.headers, LANG_COOKIE), caller.person.as_ref().map(|p| p.locale.as_str()), accept);
        let (csrf_cookie, new_csrf_cookie) = match cookie(&parts.headers, CSRF_COOKIE) {
            Some(c) if c.len() == 64 => (c.to_string(), None),
            _ => {
                let c = urbis_store::auth::new_token();
                (c.clone(), Some(c))
            }
        };
        let path = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
        Ok(Ctx {
            state: state.clone(),
            t: Tr::new(lang),
            caller,
            csrf: csrf_token(&state.secret, &csrf_cookie),
            path,
            new_csrf_cookie,
            secure: state.config.behind_tls,
        })
    }
}

fn plain_error(status: StatusCode) -> Response {
    let t = Tr::new("en");
    (
        status,
        Html(format!(
            "<!doctype html><html lang=\"en\"><title>{0}</title><main><h1>{0}</h1></main></html>",
            t.get("error-internal-title")
        )),
    )
        .into_response()
}

impl Ctx {
    pub fn lang(&self) -> &'static str {
        self.t.code
    }

    pub fn signed_in(&self) -> bool {
        self.caller.person.is_some()
    }

    /// May the caller manage people (for the link to the list of accounts)?
    pub fn manages_people(&self) -> bool {
        let installation = urbis_domain::policy::Resource::Installation;
        self.caller.can(urbis_domain::policy::Action::ManagePeople, &installation)
    }

    pub fn user_name(&self) -> &str {
        self.caller.person.as_ref().map(|p| p.name.as_str()).unwrap_or("")
    }

    pub fn languages(&self) -> Vec<LangLink> {
        LANGUAGES
            .iter()
            .map(|(code, name)| LangLink {
                code,
                name,
                href: format!("/language/{code}?next={}", urlencode(&self.path)),
                current: *code == self.t.code,
            })
            .collect()
    }

    /// Is this the page at `prefix` (for `aria-current` in the navigation)?
    pub fn at(&self, prefix: &str) -> bool {
        let p = self.path.split('?').next().unwrap_or("");
        if prefix == "/" { p == "/" } else { p.starts_with(prefix) }
    }

    /// Render a page with status 200.
    pub fn render(&self, page: impl Template) -> Response {
        self.render_status(StatusCode::OK, page)
    }

    pub fn render_status(&self, status: StatusCode, page: impl Template) -> Response {
        match page.render() {
            Ok(html) => {
                let mut res = (status, Html(html)).into_response();
                self.finish(res.headers_mut());
                res
            }
            Err(e) => {
                tracing::error!(error = %e, "template error");
                plain_error(StatusCode::INTERNAL_SERVER_ERROR)
            }
        }
    }

    fn finish(&self, h: &mut HeaderMap) {
        if let Some(c) = &self.new_csrf_cookie {
            let mut v = format!("{CSRF_COOKIE}={c}; Path=/; HttpOnly; SameSite=Lax");
            if self.secure {
                v.push_str("; Secure");
            }
            if let Ok(v) = HeaderValue::from_str(&v) {
                h.append(header::SET_COOKIE, v);
            }
        }
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(header::VARY, HeaderValue::from_static("Cookie, Accept-Language"));
    }

    /// The error page for a failed operation; an anonymous caller asked to sign in goes to the
    /// login page. The status is the one the API would answer.
    pub fn fail(&self, e: AppError) -> Response {
        let (title, body) = match &e {
            AppError::Unauthenticated => {
                return Redirect::to(&format!("/login?next={}", urlencode(&self.path))).into_response();
            }
            AppError::Denied => ("error-forbidden-title", "error-forbidden-body"),
            AppError::NotFound(_) => ("error-not-found-title", "error-not-found-body"),
            AppError::Stale { .. } | AppError::Refused { .. } => ("error-conflict-title", "error-conflict-body"),
            AppError::Invalid(_) | AppError::BadParameter(_) | AppError::InvalidFile(_) => {
                ("error-bad-request-title", "error-bad-request-body")
            }
            AppError::Store(_) | AppError::Internal(_) => ("error-internal-title", "error-internal-body"),
        };
        let status = Problem::from(e).status();
        self.render_status(status, ErrorPage { ctx: self, title: self.t.get(title), body: self.t.get(body) })
    }

    /// The page a handler's work gives, or the error page for its failure.
    pub async fn respond(&self, work: impl Future<Output = Result<Response, AppError>>) -> Response {
        work.await.unwrap_or_else(|e| self.fail(e))
    }

    /// How a form shows a failed operation: bad input and a rule's refusal beside the fields (with
    /// what was typed), a record changed by someone else as the conflict notice, anything else as
    /// the error page. The one place a page decides by the kind of error.
    pub fn refusal(&self, e: AppError) -> Refusal {
        match e {
            AppError::Invalid(_) | AppError::BadParameter(_) => {
                Refusal::Errors(StatusCode::UNPROCESSABLE_ENTITY, self.field_errors(&e))
            }
            AppError::Refused { .. } => Refusal::Errors(StatusCode::CONFLICT, self.field_errors(&e)),
            AppError::InvalidFile(rows) => Refusal::Errors(
                StatusCode::UNPROCESSABLE_ENTITY,
                rows.iter()
                    .map(|r| {
                        let message = self.error_message(&r.field.replace('.', "_"), r.code);
                        ShownError {
                            field: r.field.clone(),
                            message: self
                                .t
                                .with("services-csv-error", &[("row", &r.row.to_string()), ("message", &message)]),
                        }
                    })
                    .collect(),
            ),
            AppError::Stale { .. } => Refusal::Conflict,
            other => Refusal::Fail(other),
        }
    }

    /// The errors to show beside a form's fields with the status to answer, or (for anything a
    /// form cannot show: a changed record, a denial, a failure) the error for the error page.
    pub fn form_errors(&self, e: AppError) -> Result<(StatusCode, Vec<ShownError>), AppError> {
        if matches!(e, AppError::Stale { .. }) {
            return Err(e);
        }
        match self.refusal(e) {
            Refusal::Errors(status, errors) => Ok((status, errors)),
            Refusal::Conflict => unreachable!("a changed record is returned above"),
            Refusal::Fail(e) => Err(e),
        }
    }

    /// A posted form's answer: `done` when its operation succeeded (a redirect, usually); when the
    /// operation was refused, the form again with the errors to show (built by `again`), answering
    /// the refusal's status. A changed record and anything else a form cannot show are the error
    /// page's.
    pub async fn after_form<P: Template>(
        &self,
        done: Result<Response, AppError>,
        again: impl AsyncFnOnce(Vec<ShownError>) -> Result<P, AppError>,
    ) -> Result<Response, AppError> {
        let e = match done {
            Ok(answer) => return Ok(answer),
            Err(e) => e,
        };
        let (status, errors) = self.form_errors(e)?;
        Ok(self.render_status(status, again(errors).await?))
    }

    /// The same for a versioned record's form, sent at version `sent` while the record is at
    /// `current`: `again` gets the errors, whether someone else saved first (then it shows the
    /// conflict notice and answers 409) and the version the form carries: the record's current one
    /// after a conflict, so that saving again is deliberate, else the one it was sent with.
    pub async fn after_versioned_form<P: Template>(
        &self,
        done: Result<Response, AppError>,
        (sent, current): (i64, i64),
        again: impl AsyncFnOnce(Vec<ShownError>, bool, i64) -> Result<P, AppError>,
    ) -> Result<Response, AppError> {
        let e = match done {
            Ok(answer) => return Ok(answer),
            Err(e) => e,
        };
        let (status, errors, conflict, version) = match self.refusal(e) {
            Refusal::Errors(status, errors) => (status, errors, false, sent),
            Refusal::Conflict => (StatusCode::CONFLICT, vec![], true, current),
            Refusal::Fail(e) => return Err(e),
        };
        Ok(self.render_status(status, again(errors, conflict, version).await?))
    }

    /// Field errors of a failed operation as shown on a form (translated, linked to their fields;
    /// a domain field path `baseline.value` is the form's `baseline_value`).
    pub fn field_errors(&self, e: &AppError) -> Vec<ShownError> {
        self.invalid(e.field_errors())
    }

    pub fn error_message(&self, field: &str, code: &str) -> String {
        let label = self.t.get(&format!("field-{field}"));
        self.t.with(&format!("error-{code}"), &[("field", &label)])
    }

    pub fn invalid(&self, errors: &[FieldError]) -> Vec<ShownError> {
        errors
            .iter()
            .map(|e| {
                let field = e.field.replace('.', "_");
                ShownError { message: self.error_message(&field, e.code), field }
            })
            .collect()
    }
}

/// What a form does after a failed operation (see [`Ctx::refusal`]).
pub enum Refusal {
    /// Show the form again with these errors, answering with this status.
    Errors(StatusCode, Vec<ShownError>),
    /// Someone else saved first: show the form again with the conflict notice.
    Conflict,
    /// Show the error page.
    Fail(AppError),
}

/// An error shown in a form's error summary and beside its field.
#[derive(Clone, Debug)]
pub struct ShownError {
    pub field: String,
    pub message: String,
}

/// A row of a page whose rows each have a small form of their own, saved on its own (the
/// consolidation and validation pages): its key prefixes its fields' ids (`<key>-<field>`).
pub trait FormRow {
    fn key(&self) -> &str;
    /// The errors beside the row's fields.
    fn errors(&self) -> &[ShownError];
    /// The row after its form was refused: what was typed into it, and the errors beside its fields.
    fn refused(&mut self, form: &PageForm, errors: Vec<ShownError>);
    /// The message beside `field`, if any (used by templates).
    fn error(&self, field: &str) -> Option<&str> {
        error_for(self.errors(), field)
    }
}

/// After row `key`'s form was refused with `errors`: that row shows what was typed and the errors
/// beside its fields; the page's summary gets the same errors, linked to the row's fields.
pub fn refused_row<R: FormRow>(rows: &mut [R], key: &str, form: &PageForm, errors: Vec<ShownError>) -> Vec<ShownError> {
    let summary = errors.iter().map(|e| ShownError { field: format!("{key}-{}", e.field), ..e.clone() }).collect();
    if let Some(row) = rows.iter_mut().find(|r| r.key() == key) {
        row.refused(form, errors);
    }
    summary
}

/// Whether a page is shown after a save (`?saved`), to confirm it.
pub struct Saved(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for Saved {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query).unwrap_or_default();
        Ok(Saved(pairs.iter().any(|(k, _)| k == "saved")))
    }
}

/// The message for `field` among `errors`, if any (used by templates).
pub fn error_for<'a>(errors: &'a [ShownError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    ctx: &'a Ctx,
    title: String,
    body: String,
}

/// A submitted form (URL-encoded), accepted only with a valid CSRF token. Field values are kept
/// as typed so that a form with errors is shown again with everything the person entered.
pub struct PageForm(pub HashMap<String, String>, pub Vec<(String, String)>);

impl PageForm {
    pub fn get(&self, k: &str) -> &str {
        self.0.get(k).map(String::as_str).unwrap_or("")
    }
    pub fn checked(&self, k: &str) -> bool {
        matches!(self.get(k), "on" | "true" | "yes" | "1")
    }
    /// A decimal as typed (a decimal comma allowed); not a number (which operations refuse) when
    /// it is none.
    pub fn number(&self, k: &str) -> f64 {
        self.get(k).trim().replace(',', ".").parse().unwrap_or(f64::NAN)
    }
    pub fn version(&self) -> Option<i64> {
        self.get("version").parse().ok()
    }
    /// Every value sent under `k` (checkboxes), in order.
    pub fn get_all(&self, k: &str) -> Vec<&str> {
        self.1.iter().filter(|(key, _)| key == k).map(|(_, v)| v.as_str()).collect()
    }
}

/// Decode a URL-encoded form body strictly: every name and value must be UTF-8 once its percent
/// escapes are decoded (`%FF` is refused, not replaced by U+FFFD as browsers' and most decoders'
/// lossy decoding does). `Err` names every field (as far as its name can be read) that is not.
pub fn decode_form(body: &[u8]) -> Result<Vec<(String, String)>, Vec<String>> {
    let decode = |s: &[u8]| {
        let plus: Vec<u8> = s.iter().map(|&b| if b == b'+' { b' ' } else { b }).collect();
        String::from_utf8(percent_encoding::percent_decode(&plus).collect::<Vec<u8>>())
    };
    let (mut pairs, mut bad) = (vec![], vec![]);
    for pair in body.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &pair[..0]),
        };
        match (decode(k), decode(v)) {
            (Ok(k), Ok(v)) => pairs.push((k, v)),
            (Ok(k), Err(_)) => bad.push(k),
            (Err(e), _) => bad.push(String::from_utf8_lossy(e.as_bytes()).into_owned()),
        }
    }
    if bad.is_empty() { Ok(pairs) } else { Err(bad) }
}

impl FromRequest<AppState> for PageForm {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let csrf_cookie = cookie(req.headers(), CSRF_COOKIE).map(str::to_string);
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state).await.map_err(|e| {
            let status = if crate::api::body_timed_out(&e) { StatusCode::REQUEST_TIMEOUT } else { e.status() };
            (
                status,
                Html(format!(
                    "<!doctype html><html lang=\"en\"><title>{status}</title><main><h1>{status}</h1></main></html>"
                )),
            )
                .into_response()
        })?;
        let (pairs, not_utf8) = match decode_form(&bytes) {
            Ok(pairs) => (pairs, vec![]),
            // Of a form that is not all text only the CSRF token is read, to check it first.
            Err(fields) => {
                let csrf =
                    bytes.split(|&b| b == b'&').filter(|p| p.starts_with(b"csrf=")).find_map(|p| decode_form(p).ok());
                (csrf.unwrap_or_default(), fields)
            }
        };
        let fields: HashMap<String, String> = pairs.iter().cloned().collect();
        let ok = fields.get("csrf").is_some_and(|t| csrf_valid(&state.secret, csrf_cookie.as_deref(), t));
        if !ok {
            let t = Tr::new("en");
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><title>{0}</title><link rel=\"stylesheet\" href=\"/static/urbis.css\"></head><body><main class=\"container\"><h1>{0}</h1><p>{1}</p><p><a href=\"/\">{2}</a></p></main></body></html>",
                t.get("error-csrf-title"),
                t.get("error-csrf-body"),
                t.get("nav-home")
            );
            return Err((StatusCode::FORBIDDEN, Html(body)).into_response());
        }
        if !not_utf8.is_empty() {
            // Nothing of a form that is not all text is used: the page says which fields were not.
            let mut parts = parts;
            let ctx = Ctx::from_request_parts(&mut parts, state).await?;
            let label = |f: &str| {
                let id = format!("field-{f}");
                if ctx.t.has(&id) { ctx.t.get(&id) } else { f.to_string() }
            };
            let messages: Vec<String> =
                not_utf8.iter().map(|f| ctx.t.with("error-invalid-utf8", &[("field", &label(f))])).collect();
            let body = messages.join(" ");
            let page = ErrorPage { ctx: &ctx, title: ctx.t.get("error-bad-request-title"), body };
            return Err(ctx.render_status(StatusCode::BAD_REQUEST, page));
        }
        Ok(PageForm(fields, pairs))
    }
}

/// Where a page goes after a post (303 See Other).
pub fn redirect(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// Percent-encode a string for a query parameter.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)]).map(|q| q[2..].to_string()).unwrap_or_default()
}

/// A safe local redirect target: a path on this site, never another host.
pub fn local_next(next: Option<&String>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\") => n.clone(),
        _ => "/".into(),
    }
}

async fn language(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let next = local_next(q.get("next"));
    let mut res = Redirect::to(&next).into_response();
    if crate::i18n::supported(&code)
        && let Ok(v) = HeaderValue::from_str(&set_cookie(&state, LANG_COOKIE, &code, Some(365 * 24 * 3600)))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

async fn css() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8"), (header::CACHE_CONTROL, "public, max-age=3600")],
        include_str!("../../../../static/urbis.css"),
    )
        .into_response()
}

async fn map_outline() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        crate::charts::OUTLINE_DOCUMENT.as_str(),
    )
        .into_response()
}

async fn favicon() -> Response {
    (
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")],
        include_str!("../../../../static/favicon.svg"),
    )
        .into_response()
}

/// Anything else: a 404 page (or a problem for API paths).
pub async fn not_found(ctx: Ctx) -> Response {
    if ctx.path.starts_with("/api/") {
        return Problem::not_found("API route").into_response();
    }
    ctx.fail(AppError::NotFound("page"))
}
