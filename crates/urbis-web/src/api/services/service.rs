//! Each city's service: adding, reading, changing and publishing it, and the programme's list.

use super::indicators::{IndicatorOut, indicator_out};
use super::plan::{MilestoneOut, PhaseOut, ResearchOut};
use super::writable;
use crate::AppState;
use crate::api::{Api, ApiJson, IfMatch, List, PageQuery, created_with_etag, page_of, paged, with_etag};
use crate::error::{
    BodyErrors, NotFoundErrors, Problem, QueryErrors, ReadErrors, RuleErrors, TokenErrors, VersionErrors,
};
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use urbis_app::network as net;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::RawService;
use urbis_store::services::Service;
use utoipa::ToSchema;
use uuid::Uuid;

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

/// The one conversion of a new service's body into the description the operations check.
impl From<ServiceIn> for RawService {
    fn from(b: ServiceIn) -> RawService {
        RawService {
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
        }
    }
}

impl ServicePatch {
    /// The service's description (`raw`, as stored) with the fields this patch sends.
    fn apply(self, raw: &mut RawService) {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = self.$f { raw.$f = v; })* };
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
    }
}

/// Add a city's service (its team or programme staff). One service per city and programme.
#[utoipa::path(post, path = "/cities/{slug}/services", tag = "services", security(("bearer" = [])), request_body = ServiceIn,
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 201, body = ServiceOut, headers(("ETag" = String), ("Location" = String, description = "Where the created record is read"))), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_service(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(mut b): ApiJson<ServiceIn>,
) -> Result<Response, Problem> {
    let city = net::city(&api.state, &slug).await?;
    let programme = b.programme.take();
    let s = ops::create(&api.state, &api.caller, &city, programme.as_deref(), &b.into()).await?;
    let location = format!("/api/v1/services/{}", s.id);
    Ok(crate::api::with_location(&location, created_with_etag(s.version, service_out(&api.state, s).await?)))
}

/// A service with its phases, milestones, research log and indicators (anyone when published;
/// otherwise its city's team and programme staff). The `ETag` is its version.
#[utoipa::path(get, path = "/services/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = String, Path, description = "the service's id (a UUID)")),
    responses((status = 200, body = ServiceOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_service(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    Ok(with_etag(loaded.service.version, service_out(&api.state, loaded.service).await?))
}

/// Change a service or publish it. Needs `If-Match` with its `ETag`.
#[utoipa::path(patch, path = "/services/{id}", tag = "services", security(("bearer" = [])), request_body = ServicePatch,
    params(("id" = String, Path, description = "the service's id (a UUID)"), ("If-Match" = String, Header, description = "the service's ETag")),
    responses((status = 200, body = ServiceOut), ReadErrors, BodyErrors, VersionErrors))]
pub async fn patch_service(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<ServicePatch>,
) -> Result<Response, Problem> {
    let loaded = writable(&api, &id).await?;
    let version = if_match.version_of(loaded.service.version)?;
    let published = b.published.unwrap_or(loaded.service.published);
    let mut raw = ops::raw_of(&loaded.service);
    b.apply(&mut raw);
    let s = ops::update(&api.state, &api.caller, &loaded, version, &raw, published).await?;
    Ok(with_etag(s.version, service_out(&api.state, s).await?))
}

/// Every city's service in a programme, by city name: published ones, and drafts the caller may read.
#[utoipa::path(get, path = "/programmes/{slug}/services", tag = "services",
    params(("slug" = String, Path, description = "the programme's slug"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<ServiceSummaryOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors, NotFoundErrors))]
pub async fn list_services(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let p = net::programme(&api.state, &slug).await?;
    let all = ops::of_programme(&api.state, &api.caller, &p).await?;
    let items: Vec<ServiceSummaryOut> = page_of(page, &all).iter().map(Into::into).collect();
    let list = List { items, page: page.page, per_page: page.per_page, total: all.len() as u64 };
    Ok(paged(&q, &format!("/api/v1/programmes/{}/services", p.slug), list))
}
