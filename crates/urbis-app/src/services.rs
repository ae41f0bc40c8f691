//! The `services` capability's operations shared by pages and API: authorise with the policy,
//! check input with the domain's parse constructors, call the store, evaluate indicators.

use crate::network::org_id_resource;
use crate::{App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use urbis_domain::policy::{Action, Resource};
use urbis_domain::services::{
    Evaluation, IndicatorInput, MeasurementInput, MilestoneInput, PhaseInput, PhaseKind, RawIndicator, RawService,
    ResearchInput, ServiceInput, evaluate, parse_measurements_csv,
};
use urbis_store::network::{Organisation, Programme};
use urbis_store::services::{ImportOutcome, Indicator, Measurement, Milestone, Phase, ResearchEntry, Service};
use uuid::Uuid;

/// A service with the policy's view of it (its city, published or not), loaded for an action.
#[derive(Clone)]
pub struct Loaded {
    pub service: Service,
    pub resource: Resource,
    granted: Action,
}

crate::loaded!(Loaded);

/// The policy's view of a service: a city record, public once published.
fn record(s: &Service, programmes: Vec<Uuid>) -> Resource {
    Resource::CityRecord { organisation: s.organisation_id, programmes, published: s.published }
}

/// A service, if the caller may do `action` on it (`ReadService` for reading: published ones are
/// public).
pub async fn load_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<Loaded> {
    let service = state.store.service(parse_id("service", id)?).await.map_err(AppError::or_not_found("service"))?;
    load_service(state, caller, service, action).await
}

async fn load_service(state: &App, caller: &Caller, service: Service, action: Action) -> Result<Loaded> {
    let programmes = state.store.participations(service.organisation_id).await?;
    let resource = record(&service, programmes.into_iter().map(|p| p.programme_id).collect());
    authorise(caller, action, &resource)?;
    Ok(Loaded { service, resource, granted: action })
}

/// The services of a programme the caller may see, by city: published ones, and drafts of cities
/// whose services the caller may read.
pub async fn of_programme(state: &App, caller: &Caller, programme: &Programme) -> Result<Vec<Service>> {
    let all = state.store.programme_services(programme.id).await?;
    Ok(all.into_iter().filter(|s| caller.can(Action::ReadService, &record(s, vec![s.programme_id]))).collect())
}

/// A city's service page: the service the caller may see (if any), and whether the caller may add
/// one.
pub struct CityService {
    pub city: Organisation,
    pub service: Option<Service>,
    pub can_add: bool,
}

pub async fn city_service(state: &App, caller: &Caller, slug: &str) -> Result<CityService> {
    let city = crate::network::city_for(state, caller, slug, Action::Read).await?;
    let all = state.store.organisation_services(city.id).await?;
    let programmes = match &city.resource {
        Resource::Organisation { programmes, .. } => programmes.clone(),
        _ => vec![],
    };
    let service = all.into_iter().find(|s| caller.can(Action::ReadService, &record(s, programmes.clone())));
    let can_add = caller.can(Action::ManageService, &city.resource);
    Ok(CityService { city: city.item, service, can_add })
}

/// One indicator of the cohort's results, with its service and evaluation.
pub struct IndicatorResult {
    pub service: Service,
    pub indicator: Indicator,
    pub evaluation: Evaluation,
}

/// Every indicator of the services the caller may see in a programme, evaluated on its total
/// series (three queries, whatever the size of the cohort).
pub async fn results(state: &App, caller: &Caller, programme: &Programme) -> Result<Vec<IndicatorResult>> {
    let services = of_programme(state, caller, programme).await?;
    let by_id: std::collections::HashMap<Uuid, &Service> = services.iter().map(|s| (s.id, s)).collect();
    let mut totals = state.store.programme_totals(programme.id).await?;
    let mut out = vec![];
    for i in state.store.programme_indicators(programme.id).await? {
        let Some(s) = by_id.get(&i.service_id) else { continue };
        let ms = totals.remove(&i.id).unwrap_or_default();
        out.push(IndicatorResult { service: (*s).clone(), evaluation: evaluation(&i, &ms), indicator: i });
    }
    Ok(out)
}

/// May the caller manage this service (for showing the links to its forms)?
pub fn can_manage(caller: &Caller, loaded: &Loaded) -> bool {
    use crate::Loaded as _;
    loaded.check(caller, Action::ManageService).is_ok()
}

/// The diagnostic's capabilities a service can build on.
pub async fn capabilities(state: &App) -> Result<Vec<String>> {
    Ok(state.store.capabilities().await?)
}

/// Check a service description against the diagnostic's capabilities.
pub async fn check_service(state: &App, raw: &RawService) -> Result<ServiceInput> {
    let capabilities = state.store.capabilities().await?;
    Ok(ServiceInput::parse(raw, &capabilities)?)
}

/// Add a city's service in one of its programmes (the only one when `programme` is `None`).
pub async fn create(
    state: &App,
    caller: &Caller,
    city: &Organisation,
    programme: Option<&str>,
    raw: &RawService,
) -> Result<Service> {
    authorise(caller, Action::ManageService, &org_id_resource(state, city.id).await?)?;
    let p = crate::network::programme_of(state, city.id, programme).await?;
    let input = check_service(state, raw).await?;
    Ok(state.store.create_service(caller.actor.person, city.id, p.id, &input, false, false).await?)
}

/// Change a service if it is still at `version`.
pub async fn update(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    version: i64,
    raw: &RawService,
    published: bool,
) -> Result<Service> {
    loaded.check(caller, Action::ManageService)?;
    let input = check_service(state, raw).await?;
    Ok(state.store.update_service(caller.person_id()?, loaded.service.id, version, &input, published).await?)
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
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    input: &PhaseInput,
    version: Option<i64>,
) -> Result<Phase> {
    loaded.check(caller, Action::ManageService)?;
    Ok(state.store.put_phase(Some(caller.person_id()?), loaded.service.id, input, version).await?)
}

pub async fn add_milestone(state: &App, caller: &Caller, loaded: &Loaded, input: &MilestoneInput) -> Result<Milestone> {
    loaded.check(caller, Action::ManageService)?;
    Ok(state.store.add_milestone(Some(caller.person_id()?), loaded.service.id, input).await?)
}

/// A milestone with its service, if the caller may do `action` on the service.
pub async fn milestone_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<(Milestone, Loaded)> {
    let m = state.store.milestone(parse_id("milestone", id)?).await.map_err(AppError::or_not_found("milestone"))?;
    let loaded = load_for(state, caller, &m.service_id.to_string(), action).await?;
    Ok((m, loaded))
}

pub async fn update_milestone(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    id: Uuid,
    version: i64,
    input: &MilestoneInput,
) -> Result<Milestone> {
    loaded.check(caller, Action::ManageService)?;
    Ok(state.store.update_milestone(caller.person_id()?, id, version, input).await?)
}

pub async fn add_research(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    input: &ResearchInput,
) -> Result<ResearchEntry> {
    loaded.check(caller, Action::ManageService)?;
    Ok(state.store.add_research(Some(caller.person_id()?), loaded.service.id, input).await?)
}

pub async fn create_indicator(state: &App, caller: &Caller, loaded: &Loaded, raw: &RawIndicator) -> Result<Indicator> {
    loaded.check(caller, Action::ManageService)?;
    let input = IndicatorInput::parse(raw)?;
    Ok(state.store.create_indicator(Some(caller.person_id()?), loaded.service.id, &input).await?)
}

/// An indicator with its service.
pub struct LoadedIndicator {
    pub indicator: Indicator,
    pub service: Loaded,
}

/// An indicator with its service, if the caller may do `action` on the service.
pub async fn indicator_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<LoadedIndicator> {
    let indicator =
        state.store.indicator(parse_id("indicator", id)?).await.map_err(AppError::or_not_found("indicator"))?;
    let service = load_for(state, caller, &indicator.service_id.to_string(), action).await?;
    Ok(LoadedIndicator { indicator, service })
}

/// Everything recorded about a service: its phases, milestones, research log and indicators with
/// their measurements (read in one query for all indicators).
pub struct Timeline {
    pub phases: Vec<Phase>,
    pub milestones: Vec<Milestone>,
    pub research: Vec<ResearchEntry>,
    pub indicators: Vec<(Indicator, Vec<Measurement>)>,
}

/// The timeline of a service the caller was given (by `load_for`, `create` or `update`).
pub async fn timeline(state: &App, service: &Service) -> Result<Timeline> {
    let id = service.id;
    let indicators = state.store.indicators(id).await?;
    let ids: Vec<Uuid> = indicators.iter().map(|i| i.id).collect();
    let mut measurements = state.store.measurements_of(&ids).await?;
    Ok(Timeline {
        phases: state.store.phases(id).await?,
        milestones: state.store.milestones(id).await?,
        research: state.store.research(id).await?,
        indicators: indicators
            .into_iter()
            .map(|i| {
                let ms = measurements.remove(&i.id).unwrap_or_default();
                (i, ms)
            })
            .collect(),
    })
}

/// An indicator's measurements, in date order.
pub async fn measurements(state: &App, li: &LoadedIndicator) -> Result<Vec<Measurement>> {
    Ok(state.store.measurements(li.indicator.id).await?)
}

/// A page of an indicator's measurements, newest first.
pub async fn measurements_page(
    state: &App,
    li: &LoadedIndicator,
    page: urbis_store::Page,
) -> Result<urbis_store::Paged<Measurement>> {
    Ok(state.store.measurements_page(li.indicator.id, page).await?)
}

/// An indicator as stored now, with its measurements (after a change).
pub async fn current(state: &App, li: &LoadedIndicator) -> Result<(Indicator, Vec<Measurement>)> {
    let i = state.store.indicator(li.indicator.id).await?;
    let ms = state.store.measurements(i.id).await?;
    Ok((i, ms))
}

/// A phase of the service as planned, if it is (one query: what a phase's form needs).
pub async fn phase(state: &App, loaded: &Loaded, kind: PhaseKind) -> Result<Option<Phase>> {
    Ok(state.store.phases(loaded.service.id).await?.into_iter().find(|p| p.kind == kind))
}

/// Is this phase of the service planned already (so that changing it needs its version)?
pub async fn phase_planned(state: &App, loaded: &Loaded, kind: PhaseKind) -> Result<bool> {
    Ok(phase(state, loaded, kind).await?.is_some())
}

/// Progress, expected progress and status on the total series.
pub fn evaluation(i: &Indicator, measurements: &[Measurement]) -> Evaluation {
    let total: Vec<_> = measurements.iter().filter(|m| m.breakdown.is_total()).map(Measurement::point).collect();
    evaluate(&i.goal, &total)
}

/// Record measurements (one transaction; unchanged rows are not rewritten).
pub async fn put_measurements(
    state: &App,
    caller: &Caller,
    li: &LoadedIndicator,
    rows: &[MeasurementInput],
) -> Result<ImportOutcome> {
    li.service.check(caller, Action::ManageService)?;
    Ok(state.store.put_measurements(Some(caller.person_id()?), li.indicator.id, rows).await?)
}

/// Import a CSV file of measurements: every row checked first; a wrong file is refused whole.
pub async fn import_csv(state: &App, caller: &Caller, li: &LoadedIndicator, text: &str) -> Result<ImportOutcome> {
    li.service.check(caller, Action::ManageService)?;
    let rows = parse_measurements_csv(text, &li.indicator.breakdowns, li.indicator.goal.baseline_date)
        .map_err(AppError::InvalidFile)?;
    put_measurements(state, caller, li, &rows).await
}
