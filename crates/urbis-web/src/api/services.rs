//! API handlers of the `services` capability: services, their plan, indicators and measurements,
//! and their open-standard forms (CPSV-AP Turtle, Smart Data Models KPI).

use super::{ApiJson, List, if_match, page_from, with_etag};
use crate::AppState;
use crate::auth::ApiCaller;
use crate::error::Problem;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use urbis_app::network as net;
use urbis_app::services as ops;
use urbis_domain::opendata::{cpsv, sdm};
use urbis_domain::policy::Action;
use urbis_domain::services::{MeasurementInput, MilestoneInput, PhaseInput, RawIndicator, RawService, ResearchInput};
use urbis_store::services::{Indicator, Measurement, Milestone, Phase, ResearchEntry, Service};
use utoipa::ToSchema;
use uuid::Uuid;

// ---- shapes ---------------------------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct ServiceSummaryOut {
    pub id: Uuid,
    pub city: String,
    pub city_name: String,
    pub programme: String,
    pub title: String,
    /// `housing`, `mobility`, `health`, `education` or `jobs`.
    pub focus_area: String,
    /// `discovery`, `alpha`, `beta` or `live`.
    pub phase: String,
    pub published: bool,
    /// Sample data (`--demo`), not a real city's service.
    pub sample: bool,
}

impl From<&Service> for ServiceSummaryOut {
    fn from(s: &Service) -> Self {
        ServiceSummaryOut {
            id: s.id,
            city: s.organisation_slug.clone(),
            city_name: s.organisation_name.clone(),
            programme: s.programme_slug.clone(),
            title: s.title.clone(),
            focus_area: s.focus_area.as_str().into(),
            phase: s.phase.as_str().into(),
            published: s.published,
            sample: s.is_sample,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct PhaseOut {
    pub id: Uuid,
    pub kind: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub goal: String,
    /// `pending`, `met` or `not_met`.
    pub exit_result: String,
    pub exit_notes: String,
    /// Points of the service standard (1–14) the exit assessment found met.
    pub exit_checklist: Vec<u8>,
    pub version: i64,
}

impl From<Phase> for PhaseOut {
    fn from(p: Phase) -> Self {
        PhaseOut {
            id: p.id,
            kind: p.kind.as_str().into(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            goal: p.goal,
            exit_result: p.exit_result.as_str().into(),
            exit_notes: p.exit_notes,
            exit_checklist: p.exit_checklist,
            version: p.version,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MilestoneOut {
    pub id: Uuid,
    pub title: String,
    pub due_on: NaiveDate,
    /// `planned`, `in_progress`, `done` or `missed`.
    pub state: String,
    pub version: i64,
}

impl From<Milestone> for MilestoneOut {
    fn from(m: Milestone) -> Self {
        MilestoneOut { id: m.id, title: m.title, due_on: m.due_on, state: m.state.as_str().into(), version: m.version }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResearchOut {
    pub id: Uuid,
    pub held_on: NaiveDate,
    pub title: String,
    pub participants: u32,
    pub findings: String,
    pub quotes: String,
    pub tags: Vec<String>,
    /// The decision the findings led to.
    pub decision: String,
}

impl From<ResearchEntry> for ResearchOut {
    fn from(r: ResearchEntry) -> Self {
        ResearchOut {
            id: r.id,
            held_on: r.held_on,
            title: r.title,
            participants: r.participants,
            findings: r.findings,
            quotes: r.quotes,
            tags: r.tags,
            decision: r.decision,
        }
    }
}

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
    pub measurements: Vec<MeasurementOut>,
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
        measurements: ms.iter().map(Into::into).collect(),
        progress: e.progress,
        expected: e.expected,
        status: e.status.as_str().into(),
        version: i.version,
        updated_at: i.updated_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ServiceOut {
    #[serde(flatten)]
    pub summary: ServiceSummaryOut,
    pub description: String,
    pub problem: String,
    /// Who the service is for.
    pub audience: String,
    pub team: String,
    pub channels: Vec<String>,
    /// ISO 639-1 codes.
    pub languages: Vec<String>,
    pub output: String,
    /// The fee, as a decimal, with `currency`; null when not stated.
    pub cost: Option<String>,
    pub currency: String,
    /// Diagnostic capabilities the service builds on.
    pub builds_on: Vec<String>,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub phases: Vec<PhaseOut>,
    pub milestones: Vec<MilestoneOut>,
    pub research: Vec<ResearchOut>,
    pub indicators: Vec<IndicatorOut>,
}

async fn service_out(state: &AppState, s: Service) -> Result<ServiceOut, Problem> {
    let t = ops::timeline(state, &s).await?;
    Ok(ServiceOut {
        summary: (&s).into(),
        phases: t.phases.into_iter().map(Into::into).collect(),
        milestones: t.milestones.into_iter().map(Into::into).collect(),
        research: t.research.into_iter().map(Into::into).collect(),
        indicators: t.indicators.iter().map(|(i, ms)| indicator_out(i, ms)).collect(),
        description: s.description,
        problem: s.problem,
        audience: s.audience,
        team: s.team,
        channels: s.channels.iter().map(|c| c.as_str().to_string()).collect(),
        languages: s.languages,
        output: s.output,
        cost: s.cost_minor.map(urbis_domain::services::format_money),
        currency: s.currency,
        builds_on: s.builds_on,
        version: s.version,
        updated_at: s.updated_at,
    })
}

// ---- services -------------------------------------------------------------------------------------

/// A service the caller may change (401/403 before the body is checked).
async fn writable(state: &AppState, caller: &ApiCaller, id: &str) -> Result<ops::Loaded, Problem> {
    Ok(ops::load_for(state, &caller.0, id, Action::ManageService).await?)
}

/// An indicator the caller may add measurements to.
async fn writable_indicator(state: &AppState, caller: &ApiCaller, id: &str) -> Result<ops::LoadedIndicator, Problem> {
    Ok(ops::indicator_for(state, &caller.0, id, Action::ManageService).await?)
}

/// A new service. Only `title`, `description` and `focus_area` are required.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ServiceIn {
    pub title: String,
    pub description: String,
    /// `housing`, `mobility`, `health`, `education` or `jobs`.
    pub focus_area: String,
    /// `discovery` (default), `alpha`, `beta` or `live`.
    pub phase: Option<String>,
    /// Programme slug; may be left out when the city takes part in one programme only.
    pub programme: Option<String>,
    pub problem: String,
    pub audience: String,
    pub team: String,
    /// Among `online`, `mobile_app`, `phone`, `email`, `in_person`, `post`.
    pub channels: Vec<String>,
    /// ISO 639-1 codes, e.g. `lv`.
    pub languages: Vec<String>,
    pub output: String,
    /// The fee as a decimal text, e.g. `"0"` or `"12.50"`.
    pub cost: Option<String>,
    /// ISO 4217, e.g. `EUR` (required with `cost`).
    pub currency: Option<String>,
    /// Diagnostic capability slugs.
    pub builds_on: Vec<String>,
}

/// A change to a service: every field optional; `published` shows it (and its indicators) to the public.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ServicePatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub focus_area: Option<String>,
    pub phase: Option<String>,
    pub problem: Option<String>,
    pub audience: Option<String>,
    pub team: Option<String>,
    pub channels: Option<Vec<String>>,
    pub languages: Option<Vec<String>>,
    pub output: Option<String>,
    pub cost: Option<String>,
    pub currency: Option<String>,
    pub builds_on: Option<Vec<String>>,
    pub published: Option<bool>,
}

/// Add a city's service (its team or programme staff). One service per city and programme.
#[utoipa::path(post, path = "/cities/{slug}/services", tag = "services", security(("bearer" = [])), request_body = ServiceIn,
    responses((status = 201, body = ServiceOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn create_service(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    ApiJson(b): ApiJson<ServiceIn>,
) -> Result<Response, Problem> {
    let city = net::city(&state, &slug).await?;
    let raw = RawService {
        title: b.title,
        description: b.description,
        focus_area: b.focus_area,
        phase: b.phase.unwrap_or_default(),
        problem: b.problem,
        audience: b.audience,
        team: b.team,
        channels: b.channels,
        languages: b.languages,
        output: b.output,
        cost: b.cost.unwrap_or_default(),
        currency: b.currency.unwrap_or_default(),
        builds_on: b.builds_on,
    };
    let s = ops::create(&state, &caller.0, &city, b.programme.as_deref(), &raw).await?;
    let version = s.version;
    let mut res = with_etag(version, service_out(&state, s).await?);
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// A service with its phases, milestones, research log and indicators (anyone when published;
/// otherwise its city's team and programme staff). The `ETag` is its version.
#[utoipa::path(get, path = "/services/{id}", tag = "services", security(("bearer" = [])),
    responses((status = 200, body = ServiceOut, headers(("ETag" = String))), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_service(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ReadService).await?;
    Ok(with_etag(loaded.service.version, service_out(&state, loaded.service).await?))
}

/// Change a service or publish it. Needs `If-Match` with its `ETag`.
#[utoipa::path(patch, path = "/services/{id}", tag = "services", security(("bearer" = [])), request_body = ServicePatch,
    params(("If-Match" = String, Header, description = "the service's ETag")),
    responses((status = 200, body = ServiceOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn patch_service(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<ServicePatch>,
) -> Result<Response, Problem> {
    let loaded = writable(&state, &caller, &id).await?;
    let version = if_match(&headers)?;
    let mut raw = ops::raw_of(&loaded.service);
    macro_rules! set {
        ($($f:ident),*) => { $(if let Some(v) = b.$f { raw.$f = v; })* };
    }
    set!(
        title,
        description,
        focus_area,
        phase,
        problem,
        audience,
        team,
        channels,
        languages,
        output,
        cost,
        currency,
        builds_on
    );
    let published = b.published.unwrap_or(loaded.service.published);
    let s = ops::update(&state, &caller.0, &loaded, version, &raw, published).await?;
    let version = s.version;
    Ok(with_etag(version, service_out(&state, s).await?))
}

/// Every city's service in a programme, by city name: published ones, and drafts the caller may read.
#[utoipa::path(get, path = "/programmes/{slug}/services", tag = "services",
    params(("page" = Option<u32>, Query), ("per_page" = Option<u32>, Query)),
    responses((status = 200, body = List<ServiceSummaryOut>), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn list_services(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<List<ServiceSummaryOut>>, Problem> {
    let page = page_from(&q)?;
    let p = net::programme(&state, &slug).await?;
    let all = ops::of_programme(&state, &caller.0, &p).await?;
    let total = all.len() as u64;
    let start = ((page.page as usize - 1) * page.per_page as usize).min(all.len());
    let items = all.iter().skip(start).take(page.per_page as usize).map(Into::into).collect();
    Ok(Json(List { items, page: page.page, per_page: page.per_page, total }))
}

/// The base URL for identifiers in open-standard exports.
fn base(state: &AppState) -> String {
    state.config.base_url.trim_end_matches('/').to_string()
}

/// The service as CPSV-AP 3.2 (Turtle): a `cpsv:PublicService` whose competent authority is the city.
#[utoipa::path(get, path = "/services/{id}/cpsv.ttl", tag = "services",
    responses((status = 200, content_type = "text/turtle", body = String), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_service_cpsv(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let loaded = ops::load_for(&state, &caller.0, &id, Action::ReadService).await?;
    Ok(([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], service_turtle(&base(&state), &loaded.service))
        .into_response())
}

/// The CPSV-AP Turtle of a service, with identifiers under `base`.
pub fn service_turtle(base: &str, s: &Service) -> String {
    let iri = format!("{base}/api/v1/services/{}", s.id);
    let authority = format!("{base}/cities/{}", s.organisation_slug);
    let page = format!("{base}/services/{}", s.id);
    let vocabulary = format!("{base}/vocabulary");
    cpsv::turtle(&cpsv::PublicService {
        iri: &iri,
        identifier: &format!("urn:urbis:service:{}", s.id),
        title: &s.title,
        description: &s.description,
        text_language: "en",
        authority_iri: &authority,
        authority_name: &s.organisation_name,
        country_code: &s.country_code,
        vocabulary: &vocabulary,
        focus_area: s.focus_area.as_str(),
        channels: &s.channels,
        languages: &s.languages,
        audience: &s.audience,
        output: &s.output,
        cost: s.cost_minor.map(|c| (c, s.currency.as_str())),
        page: &page,
    })
}

// ---- the plan: phases, milestones, research ---------------------------------------------------------

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhaseIn {
    /// `YYYY-MM-DD`.
    pub starts_on: String,
    pub ends_on: String,
    pub goal: String,
    /// `pending` (default), `met` or `not_met`.
    #[serde(default)]
    pub exit_result: String,
    #[serde(default)]
    pub exit_notes: String,
    /// Points of the service standard (1–14) met at the exit assessment.
    #[serde(default)]
    pub exit_checklist: Vec<u8>,
}

/// Plan a phase (`discovery`, `alpha`, `beta`, `live`) with its dates, goal and exit assessment, or
/// change it: changing a planned phase needs `If-Match` with its version.
#[utoipa::path(put, path = "/services/{id}/phases/{kind}", tag = "services", security(("bearer" = [])), request_body = PhaseIn,
    params(("If-Match" = Option<String>, Header, description = "the phase's version, when it exists")),
    responses((status = 200, body = PhaseOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn put_phase(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, kind)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<PhaseIn>,
) -> Result<Json<PhaseOut>, Problem> {
    let loaded = writable(&state, &caller, &id).await?;
    let checklist: Vec<String> = b.exit_checklist.iter().map(|n| n.to_string()).collect();
    let input = PhaseInput::parse(&kind, &b.starts_on, &b.ends_on, &b.goal, &b.exit_result, &b.exit_notes, &checklist)?;
    // A planned phase changes only with its version (`If-Match`); a new one needs none.
    let version = if ops::phase_planned(&state, &loaded, input.kind).await? { Some(if_match(&headers)?) } else { None };
    Ok(Json(ops::put_phase(&state, &caller.0, &loaded, &input, version).await?.into()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneIn {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub due_on: String,
    /// `planned` (default), `in_progress`, `done` or `missed`.
    #[serde(default)]
    pub state: String,
}

/// Add a milestone to a service's plan.
#[utoipa::path(post, path = "/services/{id}/milestones", tag = "services", security(("bearer" = [])), request_body = MilestoneIn,
    responses((status = 201, body = MilestoneOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_milestone(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MilestoneIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&state, &caller, &id).await?;
    let input = MilestoneInput::parse(&b.title, &b.due_on, &b.state)?;
    let m = ops::add_milestone(&state, &caller.0, &loaded, &input).await?;
    let version = m.version;
    let mut res = with_etag(version, MilestoneOut::from(m));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// Change a milestone (e.g. mark it done). Needs `If-Match` with its version.
#[utoipa::path(patch, path = "/milestones/{id}", tag = "services", security(("bearer" = [])), request_body = MilestoneIn,
    params(("If-Match" = String, Header, description = "the milestone's version")),
    responses((status = 200, body = MilestoneOut), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)))]
pub async fn patch_milestone(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(b): ApiJson<MilestoneIn>,
) -> Result<Response, Problem> {
    let (m, loaded) = ops::milestone_for(&state, &caller.0, &id, Action::ManageService).await?;
    let version = if_match(&headers)?;
    let input = MilestoneInput::parse(&b.title, &b.due_on, &b.state)?;
    let m = ops::update_milestone(&state, &caller.0, &loaded, m.id, version, &input).await?;
    let version = m.version;
    Ok(with_etag(version, MilestoneOut::from(m)))
}

/// A milestone of a readable service. The `ETag` is its version.
#[utoipa::path(get, path = "/milestones/{id}", tag = "services", security(("bearer" = [])),
    responses((status = 200, body = MilestoneOut, headers(("ETag" = String))), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_milestone(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let (m, _) = ops::milestone_for(&state, &caller.0, &id, Action::ReadService).await?;
    let version = m.version;
    Ok(with_etag(version, MilestoneOut::from(m)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResearchIn {
    /// `YYYY-MM-DD`.
    pub held_on: String,
    /// The session, e.g. "Interviews with tenants".
    pub title: String,
    pub participants: u32,
    pub findings: String,
    #[serde(default)]
    pub quotes: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// The decision the findings led to.
    #[serde(default)]
    pub decision: String,
}

/// Add a research session to the service's research log (entries are added, not edited).
#[utoipa::path(post, path = "/services/{id}/research", tag = "services", security(("bearer" = [])), request_body = ResearchIn,
    responses((status = 201, body = ResearchOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_research(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResearchIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&state, &caller, &id).await?;
    let input = ResearchInput::parse(
        &b.held_on,
        &b.title,
        &b.participants.to_string(),
        &b.findings,
        &b.quotes,
        &b.tags.join(","),
        &b.decision,
    )?;
    let r = ops::add_research(&state, &caller.0, &loaded, &input).await?;
    Ok((StatusCode::CREATED, Json(ResearchOut::from(r))).into_response())
}

// ---- indicators and measurements --------------------------------------------------------------------

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
    responses((status = 201, body = IndicatorOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<IndicatorIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&state, &caller, &id).await?;
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
    let i = ops::create_indicator(&state, &caller.0, &loaded, &raw).await?;
    let version = i.version;
    let mut res = with_etag(version, indicator_out(&i, &[]));
    *res.status_mut() = StatusCode::CREATED;
    Ok(res)
}

/// An indicator: its definition, measurements, `progress`, `expected` and `status`.
#[utoipa::path(get, path = "/indicators/{id}", tag = "services", security(("bearer" = [])),
    responses((status = 200, body = IndicatorOut, headers(("ETag" = String))), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let li = ops::indicator_for(&state, &caller.0, &id, Action::ReadService).await?;
    let ms = ops::measurements(&state, &li).await?;
    Ok(with_etag(li.indicator.version, indicator_out(&li.indicator, &ms)))
}

/// The indicator as a Smart Data Models `KeyPerformanceIndicator` (key-values); `kpiValue` is the
/// progress in percent.
#[utoipa::path(get, path = "/indicators/{id}/sdm.json", tag = "services",
    responses((status = 200, body = Object), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn get_indicator_sdm(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> Result<Json<sdm::KeyPerformanceIndicator>, Problem> {
    let li = ops::indicator_for(&state, &caller.0, &id, Action::ReadService).await?;
    let ms = ops::measurements(&state, &li).await?;
    let e = ops::evaluation(&li.indicator, &ms);
    let i = &li.indicator;
    let source = format!("{}/api/v1/indicators/{}", base(&state), i.id);
    Ok(Json(sdm::key_values(&sdm::IndicatorFacts {
        id: i.id,
        name: &i.name,
        description: &i.description,
        unit: &i.unit,
        goal: &i.goal,
        evaluation: &e,
        organization: &li.service.service.organisation_name,
        service: &li.service.service.title,
        created_at: i.created_at,
        updated_at: i.updated_at,
        source: &source,
    })))
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

/// Record a measurement (replacing the one of the same date and breakdown). 201 when new.
#[utoipa::path(post, path = "/indicators/{id}/measurements", tag = "services", security(("bearer" = [])), request_body = MeasurementIn,
    responses((status = 200, body = IndicatorOut), (status = 201, body = IndicatorOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn create_measurement(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MeasurementIn>,
) -> Result<Response, Problem> {
    let li = writable_indicator(&state, &caller, &id).await?;
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
    let outcome = ops::put_measurements(&state, &caller.0, &li, std::slice::from_ref(&m)).await?;
    let (i, ms) = ops::current(&state, &li).await?;
    let status = if outcome.added > 0 { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(indicator_out(&i, &ms))).into_response())
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
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn import_measurements(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<Json<ImportOut>, Problem> {
    let li = writable_indicator(&state, &caller, &id).await?;
    let ct = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if ct.split(';').next().unwrap_or("").trim() != "text/csv" {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the file as text/csv",
        ));
    }
    let body = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload-too-large",
                "Body too large",
                format!("the file must be at most {} bytes; split it and import the parts", crate::BODY_LIMIT),
            )
        } else {
            Problem::new(StatusCode::BAD_REQUEST, "bad-body", "Unreadable body", e.body_text())
        }
    })?;
    let text = std::str::from_utf8(&body).map_err(|_| {
        Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "file", "not-utf8", "the file must be UTF-8 text")
    })?;
    let o = ops::import_csv(&state, &caller.0, &li, text).await?;
    Ok(Json(ImportOut { added: o.added, changed: o.changed, unchanged: o.unchanged }))
}
