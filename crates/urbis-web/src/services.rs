//! The `services` capability's operations shared by pages and API: authorise with the policy,
//! check input with the domain's parse constructors, call the store, evaluate indicators.

use crate::AppState;
use crate::auth::Caller;
use crate::error::{Problem, ProblemField};
use crate::network::{org_id_resource, require};
use axum::http::StatusCode;
use urbis_domain::policy::{Action, Resource};
use urbis_domain::services::{
    Evaluation, IndicatorInput, MeasurementInput, MilestoneInput, PhaseInput, RawIndicator, RawService, ResearchInput,
    RowError, ServiceInput, evaluate, parse_measurements_csv,
};
use urbis_store::StoreError;
use urbis_store::network::Organisation;
use urbis_store::services::{ImportOutcome, Indicator, Measurement, Milestone, Phase, ResearchEntry, Service};
use uuid::Uuid;

/// A service with the policy's view of its city.
#[derive(Clone)]
pub struct Loaded {
    pub service: Service,
    pub resource: Resource,
}

fn not_found(what: &'static str) -> impl Fn(StoreError) -> Problem {
    move |e| match e {
        StoreError::NotFound => Problem::not_found(what),
        other => other.into(),
    }
}

pub async fn load(state: &AppState, id: &str) -> Result<Loaded, Problem> {
    let id = Uuid::parse_str(id).map_err(|_| Problem::not_found("service"))?;
    let service = state.store.service(id).await.map_err(not_found("service"))?;
    let resource = org_id_resource(state, service.organisation_id).await?;
    Ok(Loaded { service, resource })
}

/// May the caller see this service and its indicators? Published ones are public.
pub fn can_read(caller: &Caller, loaded: &Loaded) -> bool {
    loaded.service.published || caller.can(Action::ReadService, &loaded.resource)
}

pub fn require_read(caller: &Caller, loaded: &Loaded) -> Result<(), Problem> {
    if loaded.service.published {
        return Ok(());
    }
    require(caller, Action::ReadService, &loaded.resource)
}

/// The services of a programme the caller may see: published ones, and drafts of cities whose
/// services the caller may read.
pub fn visible(caller: &Caller, services: Vec<Service>) -> Vec<Service> {
    services
        .into_iter()
        .filter(|s| {
            s.published
                || caller.can(
                    Action::ReadService,
                    &Resource::Organisation { id: s.organisation_id, programmes: vec![s.programme_id] },
                )
        })
        .collect()
}

fn unprocessable(field: &str, code: &'static str, message: &str) -> Problem {
    Problem::field(StatusCode::UNPROCESSABLE_ENTITY, field, code, message)
}

fn actor(caller: &Caller) -> Result<Uuid, Problem> {
    caller.actor.person.ok_or_else(Problem::unauthorized)
}

/// Check a service description against the diagnostic's capabilities.
pub async fn check_service(state: &AppState, raw: &RawService) -> Result<ServiceInput, Problem> {
    let capabilities = state.store.capabilities().await?;
    Ok(ServiceInput::parse(raw, &capabilities)?)
}

/// Add a city's service in one of its programmes (the only one when `programme` is `None`).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    city: &Organisation,
    programme: Option<&str>,
    raw: &RawService,
) -> Result<Service, Problem> {
    require(caller, Action::ManageService, &org_id_resource(state, city.id).await?)?;
    let participations = state.store.participations(city.id).await?;
    let p = match (programme, participations.as_slice()) {
        (Some(slug), _) => participations
            .iter()
            .find(|p| p.programme_slug == slug)
            .ok_or_else(|| unprocessable("programme", "not-in-programme", "the city is not part of this programme"))?,
        (None, [only]) => only,
        (None, _) => {
            return Err(unprocessable("programme", "required", "name the programme: the city takes part in several"));
        }
    };
    let input = check_service(state, raw).await?;
    Ok(state.store.create_service(caller.actor.person, city.id, p.programme_id, &input, false, false).await?)
}

/// Change a service if it is still at `version`.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    version: i64,
    raw: &RawService,
    published: bool,
) -> Result<Service, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    let input = check_service(state, raw).await?;
    Ok(state.store.update_service(actor(caller)?, loaded.service.id, version, &input, published).await?)
}

/// The service as raw text, to be changed field by field (API PATCH, edit form).
pub fn raw_of(s: &Service) -> RawService {
    RawService {
        title: s.title.clone(),
        description: s.description.clone(),
        focus_area: s.focus_area.as_str().into(),
        phase: s.phase.as_str().into(),
        problem: s.problem.clone(),
        audience: s.audience.clone(),
        team: s.team.clone(),
        channels: s.channels.iter().map(|c| c.as_str().to_string()).collect(),
        languages: s.languages.clone(),
        output: s.output.clone(),
        cost: s.cost_minor.map(urbis_domain::services::format_money).unwrap_or_default(),
        currency: s.currency.clone(),
        builds_on: s.builds_on.clone(),
    }
}

/// Plan a phase or change a planned one (`version` required for an existing one).
pub async fn put_phase(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    input: &PhaseInput,
    version: Option<i64>,
) -> Result<Phase, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    Ok(state.store.put_phase(Some(actor(caller)?), loaded.service.id, input, version).await?)
}

pub async fn add_milestone(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    input: &MilestoneInput,
) -> Result<Milestone, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    Ok(state.store.add_milestone(Some(actor(caller)?), loaded.service.id, input).await?)
}

/// A milestone with its service.
pub async fn load_milestone(state: &AppState, id: &str) -> Result<(Milestone, Loaded), Problem> {
    let id = Uuid::parse_str(id).map_err(|_| Problem::not_found("milestone"))?;
    let m = state.store.milestone(id).await.map_err(not_found("milestone"))?;
    let loaded = load(state, &m.service_id.to_string()).await?;
    Ok((m, loaded))
}

pub async fn update_milestone(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    id: Uuid,
    version: i64,
    input: &MilestoneInput,
) -> Result<Milestone, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    Ok(state.store.update_milestone(actor(caller)?, id, version, input).await?)
}

pub async fn add_research(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    input: &ResearchInput,
) -> Result<ResearchEntry, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    Ok(state.store.add_research(Some(actor(caller)?), loaded.service.id, input).await?)
}

pub async fn create_indicator(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    raw: &RawIndicator,
) -> Result<Indicator, Problem> {
    require(caller, Action::ManageService, &loaded.resource)?;
    let input = IndicatorInput::parse(raw)?;
    Ok(state.store.create_indicator(Some(actor(caller)?), loaded.service.id, &input).await?)
}

/// An indicator with its service.
pub struct LoadedIndicator {
    pub indicator: Indicator,
    pub service: Loaded,
}

pub async fn load_indicator(state: &AppState, id: &str) -> Result<LoadedIndicator, Problem> {
    let id = Uuid::parse_str(id).map_err(|_| Problem::not_found("indicator"))?;
    let indicator = state.store.indicator(id).await.map_err(not_found("indicator"))?;
    let service = load(state, &indicator.service_id.to_string()).await?;
    Ok(LoadedIndicator { indicator, service })
}

/// Progress, expected progress and status on the total series.
pub fn evaluation(i: &Indicator, measurements: &[Measurement]) -> Evaluation {
    let total: Vec<_> = measurements.iter().filter(|m| m.breakdown.is_total()).map(Measurement::point).collect();
    evaluate(&i.goal, &total)
}

/// Record measurements (one transaction; unchanged rows are not rewritten).
pub async fn put_measurements(
    state: &AppState,
    caller: &Caller,
    li: &LoadedIndicator,
    rows: &[MeasurementInput],
) -> Result<ImportOutcome, Problem> {
    require(caller, Action::ManageService, &li.service.resource)?;
    Ok(state.store.put_measurements(Some(actor(caller)?), li.indicator.id, rows).await?)
}

/// The problem for a refused CSV file: 422 with one entry per row and column.
pub fn csv_problem(errors: &[RowError]) -> Problem {
    let mut p = Problem::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid-csv",
        "Invalid CSV file",
        format!("{} problem(s) in the file; nothing was imported", errors.len()),
    );
    p.errors = errors
        .iter()
        .map(|e| ProblemField {
            field: e.field.clone(),
            code: e.code.into(),
            message: e.message.clone(),
            row: Some(e.row),
        })
        .collect();
    p
}

/// Import a CSV file of measurements: every row checked first; a wrong file is refused whole.
pub async fn import_csv(
    state: &AppState,
    caller: &Caller,
    li: &LoadedIndicator,
    text: &str,
) -> Result<ImportOutcome, Problem> {
    require(caller, Action::ManageService, &li.service.resource)?;
    let rows = parse_measurements_csv(text, &li.indicator.breakdowns, li.indicator.goal.baseline_date)
        .map_err(|e| csv_problem(&e))?;
    put_measurements(state, caller, li, &rows).await
}
