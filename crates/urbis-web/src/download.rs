//! Files to download (CSV exports), for pages and API alike.

use axum::http::header;
use axum::response::{IntoResponse, Response};

/// A CSV file as an attachment named `name`.
pub fn csv(name: &str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}
