//! A service's outcome indicators and their measurements (one at a time, or a CSV file).

use super::{writable, writable_indicator};
use crate::api::{Api, ApiJson, List, PageQuery, created_with_etag, csv_body, paged, with_etag};
use crate::error::{BodyErrors, Problem, QueryErrors, ReadErrors};
use axum::Json;
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::{MeasurementInput, RawIndicator};
use urbis_store::services::{Indicator, Measurement};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalPoint {
    pub value: f64,
    /// `YYYY-MM-DD`.
    pub date: String,
}

#[derive(Serialize, ToSchema)]
pub struct MeasurementOut {
    pub date: NaiveDate,
    pub value: f64,
    /// `provisional`, `final` or `estimated`.
    pub quality: String,
    /// Empty for the total series.
    pub breakdown: BTreeMap<String, String>,
    pub note: String,
}

impl From<&Measurement> for MeasurementOut {
    fn from(m: &Measurement) -> Self {
        MeasurementOut {
            date: m.date,
            value: m.value,
            quality: m.quality.as_str().into(),
            breakdown: m.breakdown.0.clone(),
            note: m.note.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct IndicatorOut {
    pub id: Uuid,
    pub service: Uuid,
    pub name: String,
    pub description: String,
    pub unit: String,
    /// `increase` or `decrease` is better.
    pub direction: String,
    pub baseline: GoalPoint,
    pub target: GoalPoint,
    pub data_source: String,
    pub method: String,
    /// Allowed breakdown dimensions and their values.
    pub breakdowns: BTreeMap<String, Vec<String>>,
    /// The latest measurements (at most 20), newest first; all of them page by page at
    /// `measurements_url`.
    pub measurements: Vec<MeasurementOut>,
    /// How many measurements the indicator has.
    pub measurements_total: usize,
    /// The paged list of all its measurements (`GET /indicators/{id}/measurements`).
    pub measurements_url: String,
    /// (latest − baseline) / (target − baseline) × 100 on the latest final or provisional
    /// measurement of the total series; not clipped. Null without data.
    pub progress: Option<f64>,
    /// Share of the baseline-to-target time elapsed at that measurement's date × 100.
    pub expected: Option<f64>,
    /// `achieved`, `on_track`, `at_risk`, `off_track` or `no_data` (see docs/indicators.md).
    pub status: String,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

/// How many measurements an indicator or a service carries (newest first); the rest are paged.
pub const LATEST_MEASUREMENTS: usize = 20;

fn goal_point(value: f64, date: NaiveDate) -> GoalPoint {
    GoalPoint { value, date: date.to_string() }
}

pub(crate) fn indicator_out(i: &Indicator, ms: &[Measurement]) -> IndicatorOut {
    let e = ops::evaluation(i, ms);
    IndicatorOut {
        id: i.id,
        service: i.service_id,
        name: i.name.clone(),
        description: i.description.clone(),
        unit: i.unit.clone(),
        direction: i.goal.direction.as_str().into(),
        baseline: goal_point(i.goal.baseline_value, i.goal.baseline_date),
        target: goal_point(i.goal.target_value, i.goal.target_date),
        data_source: i.data_source.clone(),
        method: i.method.clone(),
        breakdowns: i.breakdowns.0.clone(),
        measurements: ms.iter().rev().take(LATEST_MEASUREMENTS).map(Into::into).collect(),
        measurements_total: ms.len(),
        measurements_url: format!("/api/v1/indicators/{}/measurements", i.id),
        progress: e.progress,
        expected: e.expected,
        status: e.status.as_str().into(),
        version: i.version,
        updated_at: i.updated_at,
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorIn {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub unit: String,
    /// `increase` or `decrease` is better.
    pub direction: String,
    pub baseline: GoalPoint,
    pub target: GoalPoint,
    #[serde(default)]
    pub data_source: String,
    #[serde(default)]
    pub method: String,
    /// Allowed breakdown dimensions and their values, e.g. `{"age_band": ["16-24", "65+"]}`.
    #[serde(default)]
    pub breakdowns: BTreeMap<String, Vec<String>>,
}

/// Add an outcome indicator to a service.
#[utoipa::path(post, path = "/services/{id}/indicators", tag = "services", security(("bearer" = [])), request_body = IndicatorIn,
    params(("id" = String, Path, description = "the service's id (a UUID)")),
    responses((status = 201, body = IndicatorOut, headers(("ETag" = String), ("Location" = String, description = "Where the created record is read"))), ReadErrors, BodyErrors))]
pub async fn create_indicator(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<IndicatorIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&api, &id).await?;
    let raw = RawIndicator {
        name: b.name,
        description: b.description,
        unit: b.unit,
        direction: b.direction,
        baseline_value: b.baseline.value.to_string(),
        baseline_date: b.baseline.date,
        target_value: b.target.value.to_string(),
        target_date: b.target.date,
        data_source: b.data_source,
        method: b.method,
        breakdowns: b.breakdowns.iter().map(|(d, v)| format!("{d}={}", v.join("|"))).collect::<Vec<_>>().join("; "),
    };
    let i = ops::create_indicator(&api.state, &api.caller, &loaded, &raw).await?;
    let location = format!("/api/v1/indicators/{}", i.id);
    Ok(crate::api::with_location(&location, created_with_etag(i.version, indicator_out(&i, &[]))))
}

/// An indicator: its definition, its latest measurements, `progress`, `expected` and `status`.
#[utoipa::path(get, path = "/indicators/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = String, Path, description = "the indicator's id (a UUID)")),
    responses((status = 200, body = IndicatorOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_indicator(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let li = ops::indicator_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    let ms = ops::measurements(&api.state, &li).await?;
    Ok(with_etag(li.indicator.version, indicator_out(&li.indicator, &ms)))
}

/// An indicator's measurements, newest first (by date, then breakdown), page by page; the `Link`
/// field names the first, previous, next and last pages.
#[utoipa::path(get, path = "/indicators/{id}/measurements", tag = "services", security(("bearer" = [])),
    params(("id" = String, Path, description = "the indicator's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<MeasurementOut>, headers(("Link" = String))), ReadErrors, QueryErrors))]
pub async fn list_measurements(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let li = ops::indicator_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    let p = ops::measurements_page(&api.state, &li, q.page).await?;
    let body = List {
        items: p.items.iter().map(MeasurementOut::from).collect::<Vec<_>>(),
        page: p.page,
        per_page: p.per_page,
        total: p.total,
    };
    Ok(paged(&q, &format!("/api/v1/indicators/{}/measurements", li.indicator.id), body))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasurementIn {
    /// `YYYY-MM-DD`, on or after the baseline date.
    pub date: String,
    /// A number.
    #[schema(value_type = f64)]
    pub value: serde_json::Value,
    /// `final` (default), `provisional` or `estimated`.
    #[serde(default)]
    pub quality: String,
    /// Dimension → value, among those the indicator declares; absent for the total series.
    #[serde(default)]
    pub breakdown: BTreeMap<String, String>,
    #[serde(default)]
    pub note: String,
}

/// Record a measurement (replacing the one of the same date and breakdown). 201 when new. Answers
/// with that measurement and the indicator's evaluation and version, never its whole series.
#[utoipa::path(post, path = "/indicators/{id}/measurements", tag = "services", security(("bearer" = [])), request_body = MeasurementIn,
    params(("id" = String, Path, description = "the indicator's id (a UUID)")),
    responses((status = 200, body = MeasurementRecorded, headers(("ETag" = String), ("Location" = String))),
              (status = 201, body = MeasurementRecorded, headers(("ETag" = String), ("Location" = String))), ReadErrors, BodyErrors))]
pub async fn create_measurement(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MeasurementIn>,
) -> Result<Response, Problem> {
    let li = writable_indicator(&api, &id).await?;
    let value = match &b.value {
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::String(s) => s.clone(),
        _ => String::from("-"),
    };
    let breakdown = b.breakdown.iter().map(|(d, v)| format!("{d}={v}")).collect::<Vec<_>>().join(";");
    let m = MeasurementInput::parse(
        &b.date,
        &value,
        &b.quality,
        &breakdown,
        &b.note,
        &li.indicator.breakdowns,
        li.indicator.goal.baseline_date,
    )?;
    let outcome = ops::put_measurements(&api.state, &api.caller, &li, std::slice::from_ref(&m)).await?;
    let (i, ms) = ops::current(&api.state, &li).await?;
    let e = ops::evaluation(&i, &ms);
    let body = MeasurementRecorded {
        indicator: i.id,
        date: m.date,
        value: m.value,
        quality: m.quality.as_str().into(),
        breakdown: m.breakdown.0.clone(),
        note: m.note.clone(),
        progress: e.progress,
        expected: e.expected,
        status: e.status.as_str().into(),
        version: i.version,
    };
    let mut res = with_etag(i.version, body);
    if outcome.added > 0 {
        *res.status_mut() = StatusCode::CREATED;
    }
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/indicators/{}", i.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// What recording a measurement answers: that measurement, and the indicator's evaluation and
/// version after it (the `ETag` and `Location` are the indicator's; its measurements are read page
/// by page, not sent back whole).
#[derive(Serialize, ToSchema)]
pub struct MeasurementRecorded {
    /// The indicator's id.
    pub indicator: Uuid,
    pub date: NaiveDate,
    pub value: f64,
    /// `provisional`, `final` or `estimated`.
    pub quality: String,
    /// Empty for the total series.
    pub breakdown: BTreeMap<String, String>,
    pub note: String,
    /// The indicator's progress after this measurement (see [`IndicatorOut`]).
    pub progress: Option<f64>,
    pub expected: Option<f64>,
    pub status: String,
    /// The indicator's version after this measurement (its `ETag`).
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ImportOut {
    pub added: usize,
    pub changed: usize,
    /// Rows equal to what was stored: not rewritten, not audited.
    pub unchanged: usize,
}

/// Import measurements from CSV (`text/csv`): columns `date,value,quality,breakdown,note`, a header
/// row first, breakdowns as `dimension=value;dimension=value`. Every row is checked first; a wrong
/// file is refused whole (422) with `errors: [{row, field, code, message}]`. Importing the same file
/// again changes nothing.
#[utoipa::path(post, path = "/indicators/{id}/measurements.csv", tag = "services", security(("bearer" = [])),
    params(("id" = String, Path, description = "the indicator's id (a UUID)")),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportOut), ReadErrors, BodyErrors))]
pub async fn import_measurements(
    api: Api,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportOut>, Problem> {
    let li = writable_indicator(&api, &id).await?;
    let text = csv_body(&headers, body)?;
    let o = ops::import_csv(&api.state, &api.caller, &li, &text).await?;
    Ok(Json(ImportOut { added: o.added, changed: o.changed, unchanged: o.unchanged }))
}
