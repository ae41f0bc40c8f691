//! A programme's diagnostic waves: listing, adding and closing them.

use crate::AppState;
use crate::api::{Api, ApiJson, IfMatch, created, with_etag};
use crate::error::{BodyErrors, NotFoundErrors, Problem, ReadErrors, RuleErrors, VersionErrors};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::Wave;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct WaveOut {
    pub slug: String,
    pub name: String,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// The first wave, whose results are the baseline for progress.
    pub baseline: bool,
    /// A closed wave takes no new assessments; its benchmark is the baseline frozen at closing.
    pub closed: bool,
    /// For `If-Match` when closing the wave.
    pub version: i64,
}

impl From<Wave> for WaveOut {
    fn from(w: Wave) -> Self {
        WaveOut {
            slug: w.slug,
            name: w.name,
            opens_on: w.opens_on,
            closes_on: w.closes_on,
            baseline: w.is_baseline,
            closed: w.closed_at.is_some(),
            version: w.version,
        }
    }
}

/// A programme's diagnostic waves.
#[utoipa::path(get, path = "/programmes/{slug}/waves", tag = "diagnostic",
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 200, body = Vec<WaveOut>), NotFoundErrors))]
pub async fn list_waves(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<Vec<WaveOut>>, Problem> {
    let p = net::programme(&state, &slug).await?;
    Ok(Json(ops::waves(&state, &p).await?.into_iter().map(Into::into).collect()))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaveCreate {
    /// Short name used in URLs, e.g. `t2`.
    pub slug: String,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub opens_on: String,
    #[schema(value_type = String, format = Date)]
    pub closes_on: String,
}

/// Add a diagnostic wave to a programme (programme staff).
#[utoipa::path(post, path = "/programmes/{slug}/waves", tag = "diagnostic", security(("bearer" = [])), request_body = WaveCreate,
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 201, body = WaveOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_wave(
    api: Api,
    Path(slug): Path<String>,
    ApiJson(body): ApiJson<WaveCreate>,
) -> Result<Response, Problem> {
    let p = net::programme_for(&api.state, &api.caller, &slug, Action::ManageWaves).await?;
    let w =
        ops::create_wave(&api.state, &api.caller, &p, &body.slug, &body.name, &body.opens_on, &body.closes_on).await?;
    Ok(created(WaveOut::from(w)))
}

/// Close a wave (programme staff): its submitted assessments' results are frozen as the wave's
/// baseline and no new assessment can start in it. Needs `If-Match` with the wave's version.
#[utoipa::path(post, path = "/programmes/{slug}/waves/{wave}/close", tag = "diagnostic", security(("bearer" = [])),
    params(("slug" = String, Path, description = "the programme's slug"), ("wave" = String, Path, description = "the wave's slug"), ("If-Match" = String, Header, description = "the wave's version, as returned in `version`")),
    responses((status = 200, body = WaveOut), ReadErrors, VersionErrors, RuleErrors))]
pub async fn close_wave(
    api: Api,
    Path((slug, wave)): Path<(String, String)>,
    if_match: IfMatch,
) -> Result<Response, Problem> {
    let p = net::programme_for(&api.state, &api.caller, &slug, Action::ManageWaves).await?;
    let w = ops::wave(&api.state, &p, &wave).await?;
    let version = if_match.version_of(w.version)?;
    let closed = ops::close_wave(&api.state, &api.caller, &p, &w, version).await?;
    Ok(with_etag(closed.version, WaveOut::from(closed)))
}
