//! A city's improvement plan, as JSON and CSV.

use super::{csv, csv_field};
use crate::api::{Api, ApiJson, IfMatch, created_with_etag, with_etag};
use crate::error::{BodyErrors, Problem, ReadErrors, VersionErrors};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt::Write;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::PlanItem;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct PlanItemOut {
    pub id: String,
    /// The capability slug the item improves.
    pub capability: String,
    pub title: String,
    pub description: String,
    pub owner: String,
    pub due_on: Option<NaiveDate>,
    /// `planned`, `in-progress`, `done` or `dropped`.
    pub status: String,
    pub version: i64,
}

impl From<PlanItem> for PlanItemOut {
    fn from(p: PlanItem) -> Self {
        PlanItemOut {
            id: p.id.to_string(),
            capability: p.capability,
            title: p.title,
            description: p.description,
            owner: p.owner,
            due_on: p.due_on,
            status: p.status.as_str().into(),
            version: p.version,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemIn {
    pub capability: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// Who is responsible (a name or a role).
    pub owner: String,
    /// ISO date; empty or absent for none.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: String,
    /// Defaults to `planned`.
    #[serde(default = "planned")]
    pub status: String,
}

fn planned() -> String {
    "planned".into()
}

impl PlanItemIn {
    fn fields(&self) -> ops::PlanFields<'_> {
        ops::PlanFields {
            capability: &self.capability,
            title: &self.title,
            description: &self.description,
            owner: &self.owner,
            due_on: &self.due_on,
            status: &self.status,
        }
    }
}

/// A city's improvement plan (its team, programme staff, experts and reviewers).
#[utoipa::path(get, path = "/cities/{slug}/plan", tag = "diagnostic", security(("bearer" = [])),
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 200, body = Vec<PlanItemOut>), ReadErrors))]
pub async fn get_plan(api: Api, Path(slug): Path<String>) -> Result<Json<Vec<PlanItemOut>>, Problem> {
    let city = net::city_for(&api.state, &api.caller, &slug, Action::ReadAssessment).await?;
    Ok(Json(ops::plan(&api.state, &api.caller, &city).await?.into_iter().map(Into::into).collect()))
}

/// Add an item to a city's improvement plan (its team or programme staff).
#[utoipa::path(post, path = "/cities/{slug}/plan", tag = "diagnostic", security(("bearer" = [])), request_body = PlanItemIn,
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 201, body = PlanItemOut), ReadErrors, BodyErrors))]
pub async fn create_plan_item(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<PlanItemIn>,
) -> Result<Response, Problem> {
    let city = net::city_for(&api.state, &api.caller, &slug, Action::ManagePlan).await?;
    let item = ops::create_plan_item(&api.state, &api.caller, &city, &body.fields()).await?;
    Ok(created_with_etag(item.version, PlanItemOut::from(item)))
}

/// Replace a plan item's fields (its city's team or programme staff). Needs `If-Match`.
#[utoipa::path(put, path = "/plan-items/{id}", tag = "diagnostic", security(("bearer" = [])), request_body = PlanItemIn,
    params(("id" = String, Path, description = "the plan item's id (a UUID)"), ("If-Match" = String, Header, description = "the item's version, as returned in `version`")),
    responses((status = 200, body = PlanItemOut), ReadErrors, BodyErrors, VersionErrors))]
pub async fn put_plan_item(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<PlanItemIn>,
) -> Result<Response, Problem> {
    let (item, city) = ops::plan_item_for(&api.state, &api.caller, &id, Action::ManagePlan).await?;
    let version = if_match.version_of(item.version)?;
    let item = ops::update_plan_item(&api.state, &api.caller, &item, &city, version, &body.fields()).await?;
    Ok(with_etag(item.version, PlanItemOut::from(item)))
}

/// A city's improvement plan as CSV (same readers as the plan).
#[utoipa::path(get, path = "/cities/{slug}/plan.csv", tag = "diagnostic", security(("bearer" = [])),
    params(("slug" = String, Path, description = "the city's slug")),
    responses((status = 200, content_type = "text/csv", body = String), ReadErrors))]
pub async fn get_plan_csv(api: Api, Path(slug): Path<String>) -> Result<Response, Problem> {
    let city = net::city_for(&api.state, &api.caller, &slug, Action::ReadAssessment).await?;
    let mut out = String::from("capability,title,description,owner,due_on,status\n");
    for p in ops::plan(&api.state, &api.caller, &city).await? {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            p.capability,
            csv_field(&p.title),
            csv_field(&p.description),
            csv_field(&p.owner),
            p.due_on.map(|d| d.to_string()).unwrap_or_default(),
            p.status.as_str()
        );
    }
    Ok(csv(&format!("plan-{slug}.csv"), out))
}
