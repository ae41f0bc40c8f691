//! Instruments: the published questionnaires with their scoring models, in every language they have.

use crate::AppState;
use crate::api::{List, PageQuery, page_of, paged};
use crate::error::{NotFoundErrors, Problem, QueryErrors};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use urbis_app::diagnostic as ops;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct InstrumentSummaryOut {
    pub slug: String,
    pub version: u32,
    /// `diagnostic` or `pulse`.
    pub kind: String,
    pub title: String,
    pub published_on: NaiveDate,
}

/// Instruments: every published version, paged.
#[utoipa::path(get, path = "/instruments", tag = "diagnostic",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000, description = "Page, from 1"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 1 to 100")),
    responses((status = 200, body = List<InstrumentSummaryOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), QueryErrors))]
pub async fn list_instruments(State(state): State<AppState>, q: PageQuery) -> Result<Response, Problem> {
    let all = ops::instruments(&state).await?;
    let items = page_of(q.page, &all)
        .iter()
        .cloned()
        .map(|i| InstrumentSummaryOut {
            slug: i.slug,
            version: i.version,
            kind: match i.kind {
                urbis_domain::diagnostic::InstrumentKind::Diagnostic => "diagnostic".into(),
                urbis_domain::diagnostic::InstrumentKind::Pulse => "pulse".into(),
            },
            title: i.title,
            published_on: i.published_on,
        })
        .collect();
    let list = List { items, page: q.page.page, per_page: q.page.per_page, total: all.len() as u64 };
    Ok(paged(&q, "/api/v1/instruments", list))
}

/// An instrument's full definition (newest version, or `?version=`): capabilities with weights,
/// questions with ids, types, levels or items, weights, the scoring settings, context questions and
/// the recommended actions per capability and level. Texts are in the language asked for with
/// `?lang=` (else by `Accept-Language`) when the version has that translation, else in English;
/// `language` (and the `Content-Language` header) says which, `languages` lists those it has.
#[utoipa::path(get, path = "/instruments/{slug}", tag = "diagnostic",
    params(("slug" = String, Path, description = "the instrument's slug"), ("version" = Option<u32>, Query), ("lang" = Option<String>, Query, description = "en, de or fr"),
        ("Accept-Language" = Option<String>, Header, description = "used when `lang` is not given")),
    responses((status = 200, body = Object), QueryErrors, NotFoundErrors))]
pub async fn get_instrument(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: axum::http::HeaderMap,
) -> Result<Response, Problem> {
    let version = match q.get("version") {
        Some(v) => Some(v.parse::<u32>().map_err(|_| {
            Problem::field(StatusCode::BAD_REQUEST, "version", "invalid-parameter", "must be a whole number")
        })?),
        None => None,
    };
    if let Some(l) = q.get("lang").filter(|l| !crate::i18n::supported(l)) {
        return Err(Problem::field(
            StatusCode::BAD_REQUEST,
            "lang",
            "invalid-parameter",
            &format!("{l:?} is not one of the languages en, de, fr"),
        ));
    }
    let accept = headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
    let wanted = crate::i18n::negotiate(q.get("lang").map(String::as_str), None, accept);
    let all = ops::instrument(&state, &slug, version).await?;
    let language = all.instrument.language(wanted);
    let languages: Vec<&str> = all.instrument.languages();
    let stored = all.localised(language);
    let mut v = serde_json::to_value(&stored.instrument).map_err(|_| Problem::internal())?;
    v["language"] = language.into();
    v["languages"] = languages.into();
    v["scoring"] = serde_json::json!({
        "normalisation": {"level": "(L − 1) / 4 × 100", "checklist": "100 × ticked / items", "choice": {"yes": 100, "partial": 50, "no": 0}},
        "capability_score": "weighted mean of applicable answered questions",
        "overall": "weighted mean of capability scores",
        "level_threshold": stored.instrument.level_threshold,
        "consolidation": "lower median of respondents, unless the city lead sets the value with a reason",
        "documentation": "docs/diagnostic.md",
    });
    v["recommended_actions"] = serde_json::to_value(&stored.actions).map_err(|_| Problem::internal())?;
    Ok(([(header::CONTENT_LANGUAGE, language), (header::VARY, "accept-language")], Json(v)).into_response())
}
