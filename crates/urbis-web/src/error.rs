//! Errors of the web layer: RFC 9457 problem details on the API, error pages on the site.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use urbis_app::AppError;
use urbis_domain::{FieldError, Invalid};
use urbis_store::StoreError;

/// An RFC 9457 problem (`application/problem+json`). `errors` names each bad field and its reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detail: String,
    /// One entry per field that was wrong.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field (a JSON pointer-like path such as `website` or `baseline.value`).
    pub field: String,
    /// A stable machine-readable reason.
    pub code: String,
    /// The reason in English.
    pub message: String,
    /// For an uploaded file (CSV): the row the error is in, the header being row 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
}

impl From<&FieldError> for ProblemField {
    fn from(e: &FieldError) -> Self {
        ProblemField { field: e.field.clone(), code: e.code.to_string(), message: e.message.clone(), row: None }
    }
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("https://urbis.dev/problems/{slug}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
        }
    }
    pub fn invalid(invalid: &Invalid) -> Problem {
        let mut p =
            Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", invalid.to_string());
        p.errors = invalid.0.iter().map(ProblemField::from).collect();
        p
    }
    pub fn field(status: StatusCode, field: &str, code: &'static str, message: &str) -> Problem {
        let mut p = Problem::new(status, code, "Invalid input", format!("{field}: {message}"));
        p.errors = vec![ProblemField { field: field.into(), code: code.into(), message: message.into(), row: None }];
        p
    }
    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            "send a token from POST /api/v1/auth/token as `Authorization: Bearer <token>`",
        )
    }
    pub fn forbidden() -> Problem {
        Problem::new(StatusCode::FORBIDDEN, "forbidden", "Forbidden", "your roles do not allow this")
    }
    pub fn not_found(what: &str) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "not-found", "Not found", format!("no such {what}"))
    }
    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "something went wrong on our side; nothing was changed",
        )
    }
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut res = (status, axum::Json(&self)).into_response();
        res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        res
    }
}

/// The one place an application error becomes an HTTP answer.
impl From<AppError> for Problem {
    fn from(e: AppError) -> Problem {
        match e {
            AppError::NotFound(what) => Problem::not_found(what),
            AppError::Unauthenticated => Problem::unauthorized(),
            AppError::Denied => Problem::forbidden(),
            AppError::Invalid(i) => Problem::invalid(&i),
            AppError::BadParameter(i) => {
                let mut p =
                    Problem::new(StatusCode::BAD_REQUEST, "invalid-parameter", "Invalid parameter", i.to_string());
                p.errors = i.0.iter().map(ProblemField::from).collect();
                p
            }
            AppError::InvalidFile(rows) => {
                let mut p = Problem::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid-csv",
                    "Invalid CSV file",
                    format!("{} problem(s) in the file; nothing was imported", rows.len()),
                );
                p.errors = rows
                    .into_iter()
                    .map(|e| ProblemField { field: e.field, code: e.code.into(), message: e.message, row: Some(e.row) })
                    .collect();
                p
            }
            AppError::Stale { sent, current } => Problem::new(
                StatusCode::PRECONDITION_FAILED,
                "version-mismatch",
                "The record changed",
                format!(
                    "you sent version {sent} but the record is now at version {current}; fetch it again, reapply your change and retry"
                ),
            ),
            AppError::Refused { rule, message, errors } => {
                let mut p = Problem::new(StatusCode::CONFLICT, rule, "Refused", message);
                p.errors = errors.iter().map(ProblemField::from).collect();
                p
            }
            e @ (AppError::Store(_) | AppError::Internal(_)) => {
                tracing::error!(error = %e, "operation failed");
                Problem::internal()
            }
        }
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        AppError::from(e).into()
    }
}

impl From<Invalid> for Problem {
    fn from(i: Invalid) -> Problem {
        Problem::invalid(&i)
    }
}

// ---- the API's documented error answers -----------------------------------------------------------
//
// Named sets of problem responses for `#[utoipa::path(responses(...))]`, one per source of failure,
// so that a route lists where it can fail rather than every status. The sets one route names never
// share a status.

/// The media type of every problem.
pub const PROBLEM_JSON: &str = "application/problem+json";
const UNAUTHORIZED: &str =
    "No valid bearer token: the one sent is malformed or unknown, or the route needs one and none was sent";
const FORBIDDEN: &str = "The caller's roles do not allow this";
const NOT_FOUND: &str = "No such record (or the caller may not know it exists)";
const BAD_PARAMETER: &str = "A query parameter is out of range or not understood; `errors` names it";
const UNPROCESSABLE: &str = "A value is missing, unknown, of the wrong type or not valid; `errors` names each";
const STALE: &str = "`If-Match` does not name the record's current version: nothing was changed";

/// A record the policy guards, named in the path: 401, 403, 404.
#[derive(utoipa::IntoResponses)]
pub enum ReadErrors {
    #[response(status = 401, description = UNAUTHORIZED, content_type = PROBLEM_JSON)]
    Unauthorized(Problem),
    #[response(status = 403, description = FORBIDDEN, content_type = PROBLEM_JSON)]
    Forbidden(Problem),
    #[response(status = 404, description = NOT_FOUND, content_type = PROBLEM_JSON)]
    NotFound(Problem),
}

/// An action the policy guards that names no record: 401, 403.
#[derive(utoipa::IntoResponses)]
pub enum AuthErrors {
    #[response(status = 401, description = UNAUTHORIZED, content_type = PROBLEM_JSON)]
    Unauthorized(Problem),
    #[response(status = 403, description = FORBIDDEN, content_type = PROBLEM_JSON)]
    Forbidden(Problem),
}

/// A bearer token that is not valid (also on public routes, where none is needed), or none where
/// the route needs a signed-in caller: 401.
#[derive(utoipa::IntoResponses)]
#[response(status = 401, description = UNAUTHORIZED, content_type = PROBLEM_JSON)]
pub struct TokenErrors(pub Problem);

/// A public record named in the path that does not exist: 404.
#[derive(utoipa::IntoResponses)]
#[response(status = 404, description = NOT_FOUND, content_type = PROBLEM_JSON)]
pub struct NotFoundErrors(pub Problem);

/// A query parameter (`page`, `per_page`, a filter) out of range or not understood: 400.
#[derive(utoipa::IntoResponses)]
#[response(status = 400, description = BAD_PARAMETER, content_type = PROBLEM_JSON)]
pub struct QueryErrors(pub Problem);

/// A request body (JSON unless the route says otherwise): 400, 413, 415, 422.
#[derive(utoipa::IntoResponses)]
pub enum BodyErrors {
    #[response(status = 400, description = "The body is malformed JSON or could not be read", content_type = PROBLEM_JSON)]
    Malformed(Problem),
    #[response(status = 413, description = "The body is larger than the server takes", content_type = PROBLEM_JSON)]
    TooLarge(Problem),
    #[response(status = 415, description = "The body is not of the media type the route takes", content_type = PROBLEM_JSON)]
    MediaType(Problem),
    #[response(status = 422, description = UNPROCESSABLE, content_type = PROBLEM_JSON)]
    Invalid(Problem),
}

/// A value that is not valid, on a route without a body: 422.
#[derive(utoipa::IntoResponses)]
#[response(status = 422, description = UNPROCESSABLE, content_type = PROBLEM_JSON)]
pub struct InvalidErrors(pub Problem);

/// Optimistic concurrency with a required `If-Match`: 412, 428.
#[derive(utoipa::IntoResponses)]
pub enum VersionErrors {
    #[response(status = 412, description = STALE, content_type = PROBLEM_JSON)]
    Stale(Problem),
    #[response(status = 428, description = "`If-Match` is required", content_type = PROBLEM_JSON)]
    Required(Problem),
}

/// Optimistic concurrency with an optional `If-Match`, checked when sent: 412.
#[derive(utoipa::IntoResponses)]
#[response(status = 412, description = STALE, content_type = PROBLEM_JSON)]
pub struct StaleErrors(pub Problem);

/// A rule of the domain refused the change (the record's state, a uniqueness rule, missing
/// answers): 409.
#[derive(utoipa::IntoResponses)]
#[response(status = 409, description = "A rule refused the change (the record's state, a uniqueness rule); the \
    problem's `type` names the rule and `errors` the fields", content_type = PROBLEM_JSON)]
pub struct RuleErrors(pub Problem);
