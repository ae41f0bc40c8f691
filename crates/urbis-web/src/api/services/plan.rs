//! A service's plan: its phases with their exit assessments, milestones and research log.

use super::writable;
use crate::api::{Api, ApiJson, IfMatch, created, created_with_etag, with_etag};
use crate::error::{BodyErrors, Problem, ReadErrors, RuleErrors, VersionErrors};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::{MilestoneInput, PhaseInput, ResearchInput};
use urbis_store::services::{Milestone, Phase, ResearchEntry};
use utoipa::ToSchema;
use uuid::Uuid;

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
    params(("id" = String, Path, description = "the service's id (a UUID)"), ("kind" = String, Path, description = "the phase: `discovery`, `alpha`, `beta` or `live`"), ("If-Match" = Option<String>, Header, description = "the phase's version, when it exists")),
    responses((status = 200, body = PhaseOut), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn put_phase(
    api: Api,
    Path((id, kind)): Path<(String, String)>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<PhaseIn>,
) -> Result<Json<PhaseOut>, Problem> {
    let loaded = writable(&api, &id).await?;
    let checklist: Vec<String> = b.exit_checklist.iter().map(|n| n.to_string()).collect();
    let input = PhaseInput::parse(&kind, &b.starts_on, &b.ends_on, &b.goal, &b.exit_result, &b.exit_notes, &checklist)?;
    // A planned phase changes only with its version (`If-Match`); a new one needs none.
    let version = match ops::phase(&api.state, &loaded, input.kind).await? {
        Some(planned) => Some(if_match.version_of(planned.version)?),
        None => None,
    };
    Ok(Json(ops::put_phase(&api.state, &api.caller, &loaded, &input, version).await?.into()))
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
    params(("id" = String, Path, description = "the service's id (a UUID)")),
    responses((status = 201, body = MilestoneOut, headers(("ETag" = String), ("Location" = String, description = "Where the created record is read"))), ReadErrors, BodyErrors))]
pub async fn create_milestone(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<MilestoneIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&api, &id).await?;
    let input = MilestoneInput::parse(&b.title, &b.due_on, &b.state)?;
    let m = ops::add_milestone(&api.state, &api.caller, &loaded, &input).await?;
    let location = format!("/api/v1/milestones/{}", m.id);
    Ok(crate::api::with_location(&location, created_with_etag(m.version, MilestoneOut::from(m))))
}

/// Change a milestone (e.g. mark it done). Needs `If-Match` with its version.
#[utoipa::path(patch, path = "/milestones/{id}", tag = "services", security(("bearer" = [])), request_body = MilestoneIn,
    params(("id" = String, Path, description = "the milestone's id (a UUID)"), ("If-Match" = String, Header, description = "the milestone's version")),
    responses((status = 200, body = MilestoneOut), ReadErrors, BodyErrors, VersionErrors))]
pub async fn patch_milestone(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<MilestoneIn>,
) -> Result<Response, Problem> {
    let (m, loaded) = ops::milestone_for(&api.state, &api.caller, &id, Action::ManageService).await?;
    let version = if_match.version_of(m.version)?;
    let input = MilestoneInput::parse(&b.title, &b.due_on, &b.state)?;
    let m = ops::update_milestone(&api.state, &api.caller, &loaded, m.id, version, &input).await?;
    Ok(with_etag(m.version, MilestoneOut::from(m)))
}

/// A milestone of a readable service. The `ETag` is its version.
#[utoipa::path(get, path = "/milestones/{id}", tag = "services", security(("bearer" = [])),
    params(("id" = String, Path, description = "the milestone's id (a UUID)")),
    responses((status = 200, body = MilestoneOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_milestone(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let (m, _) = ops::milestone_for(&api.state, &api.caller, &id, Action::ReadService).await?;
    Ok(with_etag(m.version, MilestoneOut::from(m)))
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
    params(("id" = String, Path, description = "the service's id (a UUID)")),
    responses((status = 201, body = ResearchOut), ReadErrors, BodyErrors))]
pub async fn create_research(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ResearchIn>,
) -> Result<Response, Problem> {
    let loaded = writable(&api, &id).await?;
    let input = ResearchInput::parse(
        &b.held_on,
        &b.title,
        &b.participants.to_string(),
        &b.findings,
        &b.quotes,
        &b.tags.join(","),
        &b.decision,
    )?;
    let r = ops::add_research(&api.state, &api.caller, &loaded, &input).await?;
    Ok(created(ResearchOut::from(r)))
}
