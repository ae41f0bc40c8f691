//! Services and indicators in open standards: CPSV-AP 3.2 (Turtle) and Smart Data Models KPI.

use crate::AppState;
use crate::api::Api;
use crate::error::{Problem, ReadErrors};
use axum::Json;
use axum::extract::Path;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use urbis_app::services as ops;
use urbis_domain::opendata::{cpsv, sdm};
use urbis_domain::policy::Action;
use urbis_store::services::Service;

/// The base URL for identifiers in open-standard exports.
fn base(state: &AppState) -> String {
    state.config.base_url.trim_end_matches('/').to_string()
}

/// The service as CPSV-AP 3.2 (Turtle): a `cpsv:PublicService` whose competent authority is the city.
#[utoipa::path(get, path = "/services/{id}/cpsv.ttl", tag = "services",
    params(("id" = String, Path, description = "the service's id (a UUID)")),
    responses((status = 200, content_type = "text/turtle", body = String), ReadErrors))]
pub async fn get_service_cpsv(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::load_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    Ok(([(header::CONTENT_TYPE, "text/turtle; charset=utf-8")], service_turtle(&base(&api.state), &loaded.service))
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

/// The indicator as a Smart Data Models `KeyPerformanceIndicator` (key-values); `kpiValue` is the
/// progress in percent.
#[utoipa::path(get, path = "/indicators/{id}/sdm.json", tag = "services",
    params(("id" = String, Path, description = "the indicator's id (a UUID)")),
    responses((status = 200, body = Object), ReadErrors))]
pub async fn get_indicator_sdm(
    api: Api,
    Path(id): Path<String>,
) -> Result<Json<sdm::KeyPerformanceIndicator>, Problem> {
    let li = ops::indicator_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    let ms = ops::measurements(&api.state, &li).await?;
    let e = ops::evaluation(&li.indicator, &ms);
    let i = &li.indicator;
    let source = format!("{}/api/v1/indicators/{}", base(&api.state), i.id);
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
