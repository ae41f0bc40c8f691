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
