//! Pages of the `services` capability: a service's timeline (phases, milestones, research log,
//! indicators with charts and tables), the forms that build it, and the cohort's services and
//! results. Every form works without JavaScript and keeps what was typed when it is refused.

use super::{Ctx, PageForm, Refusal, ShownError};
use crate::AppState;
use crate::charts::{GoalLines, LineSeries, line_chart, stacked_bars};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::network as net;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::service::Channel;
use urbis_domain::services::{
    Evaluation, ExitResult, FocusArea, MeasurementInput, MilestoneInput, MilestoneState, PhaseInput, PhaseKind,
    Quality, RawIndicator, RawService, ResearchInput, SERVICE_STANDARD, Status, split_list,
};
use urbis_store::services::{Indicator, Measurement, Milestone, ResearchEntry, Service};

// ---- the generic form page ------------------------------------------------------------------------

/// One choice of a select or a checkbox group.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

/// One field of a form: `kind` is text, number, date, textarea, select, checkboxes or checkbox.
pub struct Field {
    pub name: &'static str,
    pub kind: &'static str,
    pub label: String,
    pub hint: String,
    pub value: String,
    pub options: Vec<Opt>,
}

#[derive(Template)]
#[template(path = "service_form.html")]
struct FormPage<'a> {
    ctx: &'a Ctx,
    title: String,
    caption: String,
    lead: String,
    back_href: String,
    back_label: String,
    action: String,
    fields: Vec<Field>,
    version: Option<i64>,
    submit: String,
    errors: Vec<ShownError>,
    conflict: bool,
}

form_errors!(FormPage);

impl<'a> FormPage<'a> {
    /// A form about service `s`: captioned with it, leading back to it, saved with "Save changes".
    fn about(ctx: &'a Ctx, s: &Service, title: String, action: String, fields: Vec<Field>) -> Self {
        FormPage {
            ctx,
            title,
            caption: s.title.clone(),
            lead: String::new(),
            back_href: format!("/services/{}", s.id),
            back_label: s.title.clone(),
            action,
            fields,
            version: None,
            submit: ctx.t.get("save"),
            errors: vec![],
            conflict: false,
        }
    }
}

/// Field values by name (several for checkbox groups).
type Values = HashMap<String, Vec<String>>;

fn values_of(form: &PageForm) -> Values {
    let mut v: Values = HashMap::new();
    for (k, x) in &form.1 {
        v.entry(k.clone()).or_default().push(x.clone());
    }
    v
}

fn one(v: &Values, name: &str) -> String {
    v.get(name).and_then(|x| x.first()).cloned().unwrap_or_default()
}

fn many(v: &Values, name: &str) -> Vec<String> {
    v.get(name).cloned().unwrap_or_default()
}

/// The field's label (`field-<name>`) and hint (`hint-<name>`, when there is one).
fn field(ctx: &Ctx, name: &'static str, kind: &'static str, v: &Values) -> Field {
    let hint_id = format!("hint-{name}");
    Field {
        name,
        kind,
        label: ctx.t.get(&format!("field-{name}")),
        hint: if ctx.t.has(&hint_id) { ctx.t.get(&hint_id) } else { String::new() },
        value: one(v, name),
        options: vec![],
    }
}

/// A select or checkbox group over `choices` (value, message id of the label).
fn choices(ctx: &Ctx, name: &'static str, kind: &'static str, v: &Values, choices: &[(String, String)]) -> Field {
    let chosen = many(v, name);
    let mut f = field(ctx, name, kind, v);
    f.options = choices
        .iter()
        .map(|(value, label_id)| Opt {
            value: value.clone(),
            label: ctx.t.get(label_id),
            checked: chosen.contains(value),
        })
        .collect();
    f
}

fn ids<T: Copy>(all: &[T], slug: impl Fn(T) -> &'static str, prefix: &str) -> Vec<(String, String)> {
    all.iter().map(|x| (slug(*x).to_string(), format!("{prefix}-{}", slug(*x)))).collect()
}

impl<'a> FormPage<'a> {
    /// Show the form again after a refused operation (keeping what was typed), or the error page.
    fn again(mut self, r: Refusal) -> Response {
        let ctx = self.ctx;
        match r {
            Refusal::Errors(status, errors) => {
                self.errors = errors;
                ctx.render_status(status, self)
            }
            Refusal::Conflict => {
                self.conflict = true;
                ctx.render_status(StatusCode::CONFLICT, self)
            }
            Refusal::Fail(e) => ctx.fail(e),
        }
    }
}

fn saved(service: uuid::Uuid, anchor: &str) -> Response {
    Redirect::to(&format!("/services/{service}?saved=1#{anchor}")).into_response()
}

/// A service the caller may work on (its city's team or programme staff).
async fn writable_service(state: &AppState, ctx: &Ctx, id: &str) -> Result<ops::Loaded, AppError> {
    ops::load_for(state, &ctx.caller, id, Action::ManageService).await
}

/// Builds an empty or re-filled form page for a service.
type ServiceForm = for<'a> fn(&'a Ctx, &Service, &Values) -> FormPage<'a>;

/// Show an empty form about a service to those who may work on it.
async fn blank_form(state: &AppState, ctx: &Ctx, id: &str, page: ServiceForm) -> Response {
    match writable_service(state, ctx, id).await {
        Ok(loaded) => ctx.render(page(ctx, &loaded.service, &Values::new())),
        Err(p) => ctx.fail(p),
    }
}

/// The service a posted form is about and the form as typed, or the error page.
async fn posted<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    id: &str,
    v: &Values,
    page: ServiceForm,
) -> Result<(ops::Loaded, FormPage<'a>), Response> {
    match writable_service(state, ctx, id).await {
        Ok(loaded) => {
            let p = page(ctx, &loaded.service, v);
            Ok((loaded, p))
        }
        Err(p) => Err(ctx.fail(p)),
    }
}

// ---- service forms --------------------------------------------------------------------------------

fn service_values(s: &Service) -> Values {
    let raw = ops::raw_of(s);
    let mut v: Values = HashMap::new();
    for (k, x) in [
        ("title", raw.title),
        ("description", raw.description),
        ("focus_area", raw.focus_area),
        ("phase", raw.phase),
        ("problem", raw.problem),
        ("audience", raw.audience),
        ("team", raw.team),
        ("output", raw.output),
        ("cost", raw.cost),
        ("currency", raw.currency),
        ("languages", raw.languages.join(", ")),
    ] {
        v.insert(k.into(), vec![x]);
    }
    v.insert("channels".into(), raw.channels);
    v.insert("builds_on".into(), raw.builds_on);
    if s.published {
        v.insert("published".into(), vec!["on".into()]);
    }
    v
}

fn raw_service(v: &Values) -> RawService {
    RawService {
        title: one(v, "title"),
        description: one(v, "description"),
        focus_area: one(v, "focus_area"),
        phase: one(v, "phase"),
        problem: one(v, "problem"),
        audience: one(v, "audience"),
        team: one(v, "team"),
        channels: many(v, "channels"),
        languages: split_list(&one(v, "languages")),
        output: one(v, "output"),
        cost: one(v, "cost"),
        currency: one(v, "currency"),
        builds_on: many(v, "builds_on"),
    }
}

async fn service_fields(state: &AppState, ctx: &Ctx, v: &Values, edit: bool) -> Result<Vec<Field>, AppError> {
    let capabilities: Vec<(String, String)> =
        ops::capabilities(state).await?.into_iter().map(|c| (c.clone(), format!("capability-{c}"))).collect();
    let mut fields = vec![
        field(ctx, "title", "text", v),
        field(ctx, "description", "textarea", v),
        choices(ctx, "focus_area", "select", v, &ids(FocusArea::ALL, FocusArea::as_str, "focus")),
        choices(ctx, "phase", "select", v, &ids(PhaseKind::ALL, PhaseKind::as_str, "phase")),
        field(ctx, "problem", "textarea", v),
        field(ctx, "audience", "textarea", v),
        field(ctx, "team", "textarea", v),
        choices(ctx, "channels", "checkboxes", v, &ids(Channel::ALL, Channel::as_str, "channel")),
        field(ctx, "languages", "text", v),
        field(ctx, "output", "text", v),
        field(ctx, "cost", "number", v),
        field(ctx, "currency", "text", v),
        choices(ctx, "builds_on", "checkboxes", v, &capabilities),
    ];
    if edit {
        fields.push(field(ctx, "published", "checkbox", v));
    }
    Ok(fields)
}

async fn new_service_page<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    city: &urbis_store::network::Organisation,
    v: &Values,
) -> Result<FormPage<'a>, AppError> {
    Ok(FormPage {
        ctx,
        title: ctx.t.with("services-new-title", &[("city", &city.name)]),
        caption: city.name.clone(),
        lead: ctx.t.get("services-new-lead"),
        back_href: format!("/cities/{}", city.slug),
        back_label: city.name.clone(),
        action: format!("/cities/{}/services/new", city.slug),
        fields: service_fields(state, ctx, v, false).await?,
        version: None,
        submit: ctx.t.get("services-create"),
        errors: vec![],
        conflict: false,
    })
}

pub async fn new_service(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r = async {
        let city = net::city_for(&state, &ctx.caller, &slug, Action::ManageService).await?.item;
        let mut v = Values::new();
        v.insert("currency".into(), vec!["EUR".into()]);
        Ok::<_, AppError>(ctx.render(new_service_page(&state, &ctx, &city, &v).await?))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn new_service_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let city = match net::city(&state, &slug).await {
        Ok(c) => c,
        Err(p) => return ctx.fail(p),
    };
    let page = match new_service_page(&state, &ctx, &city, &v).await {
        Ok(p) => p,
        Err(p) => return ctx.fail(p),
    };
    match ops::create(&state, &ctx.caller, &city, None, &raw_service(&v)).await {
        Ok(s) => saved(s.id, "service"),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

async fn edit_service_page<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    loaded: &ops::Loaded,
    v: &Values,
    version: i64,
) -> Result<FormPage<'a>, AppError> {
    let s = &loaded.service;
    let fields = service_fields(state, ctx, v, true).await?;
    Ok(FormPage {
        caption: s.organisation_name.clone(),
        version: Some(version),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.with("services-edit-title", &[("service", &s.title)]),
            format!("/services/{}/edit", s.id),
            fields,
        )
    })
}

pub async fn edit_service(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let loaded = writable_service(&state, &ctx, &id).await?;
        let v = service_values(&loaded.service);
        Ok::<_, AppError>(ctx.render(edit_service_page(&state, &ctx, &loaded, &v, loaded.service.version).await?))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn edit_service_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let loaded = match writable_service(&state, &ctx, &id).await {
        Ok(l) => l,
        Err(p) => return ctx.fail(p),
    };
    // After a conflict the form carries the current version, so that a second save is deliberate.
    let page = match edit_service_page(&state, &ctx, &loaded, &v, loaded.service.version).await {
        Ok(p) => p,
        Err(p) => return ctx.fail(p),
    };
    let Some(version) = form.version() else { return page.again(Refusal::Conflict) };
    let page = FormPage { version: Some(version), ..page };
    match ops::update(&state, &ctx.caller, &loaded, version, &raw_service(&v), form.checked("published")).await {
        Ok(s) => saved(s.id, "service"),
        Err(e) => match ctx.refusal(e) {
            Refusal::Conflict => FormPage { version: Some(loaded.service.version), ..page }.again(Refusal::Conflict),
            r => page.again(r),
        },
    }
}

// ---- phase, milestone, research forms -------------------------------------------------------------

fn standard_choices() -> Vec<(String, String)> {
    (1..=SERVICE_STANDARD.len()).map(|n| (n.to_string(), format!("standard-{n}"))).collect()
}

async fn phase_page<'a>(
    state: &AppState,
    ctx: &'a Ctx,
    loaded: &ops::Loaded,
    kind: PhaseKind,
    v: Option<Values>,
) -> Result<FormPage<'a>, AppError> {
    let s = &loaded.service;
    let existing = ops::timeline(state, s).await?.phases.into_iter().find(|p| p.kind == kind);
    let v = v.unwrap_or_else(|| {
        let mut v = Values::new();
        if let Some(p) = &existing {
            for (k, x) in [
                ("starts_on", p.starts_on.to_string()),
                ("ends_on", p.ends_on.to_string()),
                ("goal", p.goal.clone()),
                ("exit_result", p.exit_result.as_str().to_string()),
                ("exit_notes", p.exit_notes.clone()),
            ] {
                v.insert(k.into(), vec![x]);
            }
            v.insert("exit_checklist".into(), p.exit_checklist.iter().map(|n| n.to_string()).collect());
        }
        v
    });
    let phase_name = ctx.t.get(&format!("phase-{}", kind.as_str()));
    Ok(FormPage {
        lead: ctx.t.get("services-phase-lead"),
        version: existing.map(|p| p.version),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.with("services-phase-title", &[("phase", &phase_name)]),
            format!("/services/{}/phases/{}", s.id, kind.as_str()),
            vec![
                field(ctx, "starts_on", "date", &v),
                field(ctx, "ends_on", "date", &v),
                field(ctx, "goal", "textarea", &v),
                choices(ctx, "exit_result", "select", &v, &ids(ExitResult::ALL, ExitResult::as_str, "exit")),
                choices(ctx, "exit_checklist", "checkboxes", &v, &standard_choices()),
                field(ctx, "exit_notes", "textarea", &v),
            ],
        )
    })
}

fn phase_kind(kind: &str) -> Result<PhaseKind, AppError> {
    PhaseKind::parse(kind).map_err(|_| AppError::NotFound("phase"))
}

pub async fn phase(State(state): State<AppState>, ctx: Ctx, Path((id, kind)): Path<(String, String)>) -> Response {
    let r = async {
        let loaded = writable_service(&state, &ctx, &id).await?;
        Ok::<_, AppError>(ctx.render(phase_page(&state, &ctx, &loaded, phase_kind(&kind)?, None).await?))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn phase_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, kind)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let r = async {
        let loaded = writable_service(&state, &ctx, &id).await?;
        let kind = phase_kind(&kind)?;
        let page = phase_page(&state, &ctx, &loaded, kind, Some(v.clone())).await?;
        Ok::<_, AppError>((loaded, kind, page))
    }
    .await;
    let (loaded, kind, page) = match r {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    let current = page.version;
    let typed = FormPage { version: form.version().or(current), ..page };
    let input = match PhaseInput::parse(
        kind.as_str(),
        &one(&v, "starts_on"),
        &one(&v, "ends_on"),
        &one(&v, "goal"),
        &one(&v, "exit_result"),
        &one(&v, "exit_notes"),
        &many(&v, "exit_checklist"),
    ) {
        Ok(i) => i,
        Err(i) => return typed.again(ctx.refusal(i.into())),
    };
    let expected = if current.is_some() { form.version().or(Some(0)) } else { None };
    match ops::put_phase(&state, &ctx.caller, &loaded, &input, expected).await {
        Ok(_) => saved(loaded.service.id, "phases"),
        Err(e) => match ctx.refusal(e) {
            Refusal::Conflict => FormPage { version: current, ..typed }.again(Refusal::Conflict),
            r => typed.again(r),
        },
    }
}

fn milestone_fields(ctx: &Ctx, v: &Values) -> Vec<Field> {
    vec![
        field(ctx, "title", "text", v),
        field(ctx, "due_on", "date", v),
        choices(ctx, "state", "select", v, &ids(MilestoneState::ALL, MilestoneState::as_str, "milestone")),
    ]
}

fn milestone_page<'a>(ctx: &'a Ctx, s: &Service, m: Option<&Milestone>, v: &Values) -> FormPage<'a> {
    FormPage {
        version: m.map(|m| m.version),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.get(if m.is_some() { "services-milestone-edit-title" } else { "services-milestone-title" }),
            match m {
                Some(m) => format!("/milestones/{}/edit", m.id),
                None => format!("/services/{}/milestones/new", s.id),
            },
            milestone_fields(ctx, v),
        )
    }
}

fn new_milestone_page<'a>(ctx: &'a Ctx, s: &Service, v: &Values) -> FormPage<'a> {
    milestone_page(ctx, s, None, v)
}

pub async fn new_milestone(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    blank_form(&state, &ctx, &id, new_milestone_page).await
}

pub async fn new_milestone_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let (loaded, page) = match posted(&state, &ctx, &id, &v, new_milestone_page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = match MilestoneInput::parse(&one(&v, "title"), &one(&v, "due_on"), &one(&v, "state")) {
        Ok(i) => i,
        Err(i) => return page.again(ctx.refusal(i.into())),
    };
    match ops::add_milestone(&state, &ctx.caller, &loaded, &input).await {
        Ok(_) => saved(loaded.service.id, "milestones"),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

pub async fn edit_milestone(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let (m, loaded) = ops::milestone_for(&state, &ctx.caller, &id, Action::ManageService).await?;
        let mut v = Values::new();
        v.insert("title".into(), vec![m.title.clone()]);
        v.insert("due_on".into(), vec![m.due_on.to_string()]);
        v.insert("state".into(), vec![m.state.as_str().into()]);
        Ok::<_, AppError>(ctx.render(milestone_page(&ctx, &loaded.service, Some(&m), &v)))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn edit_milestone_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let (m, loaded) = match ops::milestone_for(&state, &ctx.caller, &id, Action::ManageService).await {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    let page = milestone_page(&ctx, &loaded.service, Some(&m), &v);
    let Some(version) = form.version() else { return page.again(Refusal::Conflict) };
    let typed = FormPage { version: Some(version), ..page };
    let input = match MilestoneInput::parse(&one(&v, "title"), &one(&v, "due_on"), &one(&v, "state")) {
        Ok(i) => i,
        Err(i) => return typed.again(ctx.refusal(i.into())),
    };
    match ops::update_milestone(&state, &ctx.caller, &loaded, m.id, version, &input).await {
        Ok(_) => saved(loaded.service.id, "milestones"),
        Err(e) => match ctx.refusal(e) {
            Refusal::Conflict => FormPage { version: Some(m.version), ..typed }.again(Refusal::Conflict),
            r => typed.again(r),
        },
    }
}

fn research_page<'a>(ctx: &'a Ctx, s: &Service, v: &Values) -> FormPage<'a> {
    FormPage {
        lead: ctx.t.get("services-research-lead"),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.get("services-research-title"),
            format!("/services/{}/research/new", s.id),
            vec![
                field(ctx, "held_on", "date", v),
                field(ctx, "title", "text", v),
                field(ctx, "participants", "number", v),
                field(ctx, "findings", "textarea", v),
                field(ctx, "quotes", "textarea", v),
                field(ctx, "tags", "text", v),
                field(ctx, "decision", "textarea", v),
            ],
        )
    }
}

pub async fn new_research(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    blank_form(&state, &ctx, &id, research_page).await
}

pub async fn new_research_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let (loaded, page) = match posted(&state, &ctx, &id, &v, research_page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let input = match ResearchInput::parse(
        &one(&v, "held_on"),
        &one(&v, "title"),
        &one(&v, "participants"),
        &one(&v, "findings"),
        &one(&v, "quotes"),
        &one(&v, "tags"),
        &one(&v, "decision"),
    ) {
        Ok(i) => i,
        Err(i) => return page.again(ctx.refusal(i.into())),
    };
    match ops::add_research(&state, &ctx.caller, &loaded, &input).await {
        Ok(_) => saved(loaded.service.id, "research"),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

// ---- indicator, measurement and import forms ------------------------------------------------------

fn indicator_page<'a>(ctx: &'a Ctx, s: &Service, v: &Values) -> FormPage<'a> {
    FormPage {
        lead: ctx.t.get("services-indicator-lead"),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.get("services-indicator-title"),
            format!("/services/{}/indicators/new", s.id),
            vec![
                field(ctx, "name", "text", v),
                field(ctx, "description", "textarea", v),
                field(ctx, "unit", "text", v),
                choices(
                    ctx,
                    "direction",
                    "select",
                    v,
                    &[
                        ("increase".into(), "direction-increase".into()),
                        ("decrease".into(), "direction-decrease".into()),
                    ],
                ),
                field(ctx, "baseline_value", "number", v),
                field(ctx, "baseline_date", "date", v),
                field(ctx, "target_value", "number", v),
                field(ctx, "target_date", "date", v),
                field(ctx, "data_source", "text", v),
                field(ctx, "method", "textarea", v),
                field(ctx, "breakdowns", "text", v),
            ],
        )
    }
}

pub async fn new_indicator(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    blank_form(&state, &ctx, &id, indicator_page).await
}

pub async fn new_indicator_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let (loaded, page) = match posted(&state, &ctx, &id, &v, indicator_page).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let raw = RawIndicator {
        name: one(&v, "name"),
        description: one(&v, "description"),
        unit: one(&v, "unit"),
        direction: one(&v, "direction"),
        baseline_value: one(&v, "baseline_value"),
        baseline_date: one(&v, "baseline_date"),
        target_value: one(&v, "target_value"),
        target_date: one(&v, "target_date"),
        data_source: one(&v, "data_source"),
        method: one(&v, "method"),
        breakdowns: one(&v, "breakdowns"),
    };
    match ops::create_indicator(&state, &ctx.caller, &loaded, &raw).await {
        Ok(i) => saved(loaded.service.id, &format!("indicator-{}", i.id)),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

fn measurement_page<'a>(ctx: &'a Ctx, li: &ops::LoadedIndicator, v: &Values) -> FormPage<'a> {
    let i = &li.indicator;
    let allowed = if i.breakdowns.0.is_empty() {
        ctx.t.get("services-no-breakdowns")
    } else {
        ctx.t.with("services-allowed-breakdowns", &[("breakdowns", &i.breakdowns.to_text())])
    };
    let mut breakdown = field(ctx, "breakdown", "text", v);
    breakdown.hint = format!("{} {allowed}", breakdown.hint);
    FormPage {
        lead: ctx
            .t
            .with("services-measurement-lead", &[("date", &i.goal.baseline_date.to_string()), ("unit", &i.unit)]),
        ..FormPage::about(
            ctx,
            &li.service.service,
            ctx.t.with("services-measurement-title", &[("indicator", &i.name)]),
            format!("/indicators/{}/measurements/new", i.id),
            vec![
                field(ctx, "date", "date", v),
                field(ctx, "value", "number", v),
                choices(ctx, "quality", "select", v, &ids(Quality::ALL, Quality::as_str, "quality")),
                breakdown,
                field(ctx, "note", "text", v),
            ],
        )
    }
}

async fn writable_indicator(state: &AppState, ctx: &Ctx, id: &str) -> Result<ops::LoadedIndicator, AppError> {
    ops::indicator_for(state, &ctx.caller, id, Action::ManageService).await
}

pub async fn new_measurement(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    match writable_indicator(&state, &ctx, &id).await {
        Ok(li) => {
            let mut v = Values::new();
            v.insert("quality".into(), vec!["final".into()]);
            ctx.render(measurement_page(&ctx, &li, &v))
        }
        Err(p) => ctx.fail(p),
    }
}

pub async fn new_measurement_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let v = values_of(&form);
    let li = match writable_indicator(&state, &ctx, &id).await {
        Ok(li) => li,
        Err(p) => return ctx.fail(p),
    };
    let page = measurement_page(&ctx, &li, &v);
    let input = match MeasurementInput::parse(
        &one(&v, "date"),
        &one(&v, "value"),
        &one(&v, "quality"),
        &one(&v, "breakdown"),
        &one(&v, "note"),
        &li.indicator.breakdowns,
        li.indicator.goal.baseline_date,
    ) {
        Ok(i) => i,
        Err(i) => return page.again(ctx.refusal(i.into())),
    };
    match ops::put_measurements(&state, &ctx.caller, &li, std::slice::from_ref(&input)).await {
        Ok(_) => saved(li.service.service.id, &format!("indicator-{}", li.indicator.id)),
        Err(p) => page.again(ctx.refusal(p)),
    }
}

fn import_page<'a>(ctx: &'a Ctx, li: &ops::LoadedIndicator, v: &Values) -> FormPage<'a> {
    let i = &li.indicator;
    let mut csv = field(ctx, "csv", "textarea", v);
    if !i.breakdowns.0.is_empty() {
        csv.hint = format!(
            "{} {}",
            csv.hint,
            ctx.t.with("services-allowed-breakdowns", &[("breakdowns", &i.breakdowns.to_text())])
        );
    }
    FormPage {
        lead: ctx.t.get("services-import-lead"),
        submit: ctx.t.get("services-import"),
        ..FormPage::about(
            ctx,
            &li.service.service,
            ctx.t.with("services-import-title", &[("indicator", &i.name)]),
            format!("/indicators/{}/import", i.id),
            vec![csv],
        )
    }
}

pub async fn import(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    match writable_indicator(&state, &ctx, &id).await {
        Ok(li) => {
            let mut v = Values::new();
            v.insert("csv".into(), vec!["date,value,quality,breakdown,note\n".into()]);
            ctx.render(import_page(&ctx, &li, &v))
        }
        Err(p) => ctx.fail(p),
    }
}

pub async fn import_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let li = match writable_indicator(&state, &ctx, &id).await {
        Ok(li) => li,
        Err(p) => return ctx.fail(p),
    };
    let page = import_page(&ctx, &li, &v);
    match ops::import_csv(&state, &ctx.caller, &li, &one(&v, "csv")).await {
        Ok(o) => Redirect::to(&format!(
            "/services/{}?imported={}-{}-{}#indicator-{}",
            li.service.service.id, o.added, o.changed, o.unchanged, li.indicator.id
        ))
        .into_response(),
        Err(e) => page.again(match ctx.refusal(e) {
            // Each row's errors link to the text area the file was pasted into.
            Refusal::Errors(status, errors) => {
                Refusal::Errors(status, errors.into_iter().map(|e| ShownError { field: "csv".into(), ..e }).collect())
            }
            other => other,
        }),
    }
}

// ---- the service's timeline -----------------------------------------------------------------------

/// A number as shown: up to two decimals, no trailing zeros.
fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0} %")).unwrap_or_else(|| "–".into())
}

pub struct PhaseRow {
    pub slug: &'static str,
    pub name: String,
    pub planned: bool,
    pub dates: String,
    pub goal: String,
    pub result: &'static str,
    pub notes: String,
    /// The service-standard points met, in the viewer's language.
    pub met: Vec<String>,
    pub current: bool,
}

pub struct MeasurementRow {
    pub date: String,
    pub series: String,
    pub value: String,
    pub quality: &'static str,
    pub note: String,
}

pub struct IndicatorView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub unit: String,
    pub direction: &'static str,
    pub baseline: String,
    pub target: String,
    pub latest: String,
    pub progress: String,
    pub expected: String,
    pub status: &'static str,
    pub data_source: String,
    pub method: String,
    pub chart: String,
    /// Legend: CSS class and label of each line.
    pub legend: Vec<(String, String)>,
    pub rows: Vec<MeasurementRow>,
}

/// The chart, legend and table of one indicator.
pub fn indicator_view(ctx: &Ctx, i: &Indicator, ms: &[Measurement], e: &Evaluation) -> IndicatorView {
    let total_label = ctx.t.get("services-series-total");
    let mut series: Vec<(String, Vec<(chrono::NaiveDate, f64)>)> = vec![(String::new(), vec![])];
    for m in ms {
        let key = m.breakdown.key();
        match series.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pts)) => pts.push((m.date, m.value)),
            None => series.push((key, vec![(m.date, m.value)])),
        }
    }
    let label = |key: &str| if key.is_empty() { total_label.clone() } else { key.replace(';', ", ") };
    let names: Vec<String> = series.iter().map(|(k, _)| label(k)).collect();
    let classes: Vec<String> = (0..series.len()).map(|n| format!("series-{}", n.min(5))).collect();
    let lines: Vec<LineSeries> = series
        .iter()
        .enumerate()
        .map(|(n, (_, pts))| LineSeries { name: &names[n], class: &classes[n], points: pts.clone() })
        .collect();
    let g = &i.goal;
    let (lb, lt, lj) =
        (ctx.t.get("services-line-baseline"), ctx.t.get("services-line-target"), ctx.t.get("services-line-trajectory"));
    let chart = line_chart(
        &format!("chart-{}", i.id),
        &ctx.t.with("services-chart-title", &[("indicator", &i.name), ("unit", &i.unit)]),
        &ctx.t.with(
            "services-chart-desc",
            &[
                ("baseline", &num(g.baseline_value)),
                ("baseline_date", &g.baseline_date.to_string()),
                ("target", &num(g.target_value)),
                ("target_date", &g.target_date.to_string()),
                ("unit", &i.unit),
            ],
        ),
        &lines,
        &GoalLines {
            baseline: (g.baseline_date, g.baseline_value),
            target: (g.target_date, g.target_value),
            labels: [&lb, &lt, &lj],
        },
    );
    let mut legend: Vec<(String, String)> = classes.iter().cloned().zip(names.iter().cloned()).collect();
    if ms.iter().all(|m| !m.breakdown.is_total()) {
        legend.remove(0);
    }
    legend.extend([("line-baseline".to_string(), lb), ("line-target".into(), lt), ("line-trajectory".into(), lj)]);
    IndicatorView {
        id: i.id.to_string(),
        name: i.name.clone(),
        description: i.description.clone(),
        unit: i.unit.clone(),
        direction: g.direction.as_str(),
        baseline: format!("{} {} ({})", num(g.baseline_value), i.unit, g.baseline_date),
        target: format!("{} {} ({})", num(g.target_value), i.unit, g.target_date),
        latest: e.latest.map(|p| format!("{} {} ({})", num(p.value), i.unit, p.date)).unwrap_or_else(|| "–".into()),
        progress: pct(e.progress),
        expected: pct(e.expected),
        status: e.status.as_str(),
        data_source: i.data_source.clone(),
        method: i.method.clone(),
        chart,
        legend,
        rows: ms
            .iter()
            .map(|m| MeasurementRow {
                date: m.date.to_string(),
                series: label(&m.breakdown.key()),
                value: num(m.value),
                quality: m.quality.as_str(),
                note: m.note.clone(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage<'a> {
    ctx: &'a Ctx,
    s: Service,
    can_manage: bool,
    saved: bool,
    imported: Option<(String, String, String)>,
    channels: Vec<String>,
    languages: String,
    cost: String,
    builds_on: Vec<String>,
    phases: Vec<PhaseRow>,
    milestones: Vec<Milestone>,
    research: Vec<ResearchEntry>,
    indicators: Vec<IndicatorView>,
}

pub async fn service(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r = async {
        let loaded = ops::load_for(&state, &ctx.caller, &id, Action::ReadService).await?;
        let s = loaded.service.clone();
        let timeline = ops::timeline(&state, &s).await?;
        let stored = &timeline.phases;
        let phases = PhaseKind::ALL
            .iter()
            .map(|k| {
                let p = stored.iter().find(|p| p.kind == *k);
                PhaseRow {
                    slug: k.as_str(),
                    name: ctx.t.get(&format!("phase-{}", k.as_str())),
                    planned: p.is_some(),
                    dates: p.map(|p| format!("{} – {}", p.starts_on, p.ends_on)).unwrap_or_default(),
                    goal: p.map(|p| p.goal.clone()).unwrap_or_default(),
                    result: p.map(|p| p.exit_result.as_str()).unwrap_or("pending"),
                    notes: p.map(|p| p.exit_notes.clone()).unwrap_or_default(),
                    met: p
                        .map(|p| p.exit_checklist.iter().map(|n| ctx.t.get(&format!("standard-{n}"))).collect())
                        .unwrap_or_default(),
                    current: *k == s.phase,
                }
            })
            .collect();
        let indicators =
            timeline.indicators.iter().map(|(i, ms)| indicator_view(&ctx, i, ms, &ops::evaluation(i, ms))).collect();
        let imported = q.get("imported").and_then(|v| {
            let parts: Vec<&str> = v.split('-').collect();
            match parts.as_slice() {
                [a, c, u] if parts.iter().all(|p| p.parse::<u32>().is_ok()) => {
                    Some((a.to_string(), c.to_string(), u.to_string()))
                }
                _ => None,
            }
        });
        Ok::<_, AppError>(
            ctx.render(ServicePage {
                ctx: &ctx,
                can_manage: ops::can_manage(&ctx.caller, &loaded),
                saved: q.contains_key("saved"),
                imported,
                channels: s.channels.iter().map(|c| ctx.t.get(&format!("channel-{}", c.as_str()))).collect(),
                languages: s.languages.join(", "),
                cost: s
                    .cost_minor
                    .map(|c| format!("{} {}", urbis_domain::services::format_money(c), s.currency))
                    .unwrap_or_else(|| "–".into()),
                builds_on: s.builds_on.iter().map(|c| ctx.t.get(&format!("capability-{c}"))).collect(),
                phases,
                milestones: timeline.milestones,
                research: timeline.research,
                indicators,
                s,
            }),
        )
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "service_none.html")]
struct NoServicePage<'a> {
    ctx: &'a Ctx,
    city: urbis_store::network::Organisation,
}

/// A city's service: its page when there is one the caller may see, the form to add it for its
/// team, else a page saying that none is published.
pub async fn city_service(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r = async {
        let ops::CityService { city, service, can_add } = ops::city_service(&state, &ctx.caller, &slug).await?;
        if let Some(s) = service {
            return Ok(Redirect::to(&format!("/services/{}", s.id)).into_response());
        }
        if can_add {
            return Ok(Redirect::to(&format!("/cities/{}/services/new", city.slug)).into_response());
        }
        Ok::<_, AppError>(ctx.render(NoServicePage { ctx: &ctx, city }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

// ---- the cohort: services by focus area and phase; results by status and focus area ------------

pub struct CohortCell {
    pub id: String,
    pub city: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "cohort_services.html")]
struct CohortServicesPage<'a> {
    ctx: &'a Ctx,
    programme: urbis_store::network::Programme,
    phases: Vec<String>,
    /// Per focus area: its name and, per phase, the services in it.
    matrix: Vec<(String, Vec<Vec<CohortCell>>)>,
    services: Vec<Service>,
}

pub async fn cohort_services(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r = async {
        let programme = net::programme(&state, &slug).await?;
        let services = ops::of_programme(&state, &ctx.caller, &programme).await?;
        let matrix = FocusArea::ALL
            .iter()
            .map(|f| {
                let cells = PhaseKind::ALL
                    .iter()
                    .map(|k| {
                        services
                            .iter()
                            .filter(|s| s.focus_area == *f && s.phase == *k)
                            .map(|s| CohortCell {
                                id: s.id.to_string(),
                                city: s.organisation_name.clone(),
                                title: s.title.clone(),
                            })
                            .collect()
                    })
                    .collect();
                (ctx.t.get(&format!("focus-{}", f.as_str())), cells)
            })
            .collect();
        Ok::<_, AppError>(ctx.render(CohortServicesPage {
            ctx: &ctx,
            programme,
            phases: PhaseKind::ALL.iter().map(|k| ctx.t.get(&format!("phase-{}", k.as_str()))).collect(),
            matrix,
            services,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub struct ResultRow {
    pub service_id: String,
    pub indicator_id: String,
    pub city: String,
    pub focus: String,
    pub indicator: String,
    pub latest: String,
    pub progress: String,
    pub expected: String,
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "cohort_results.html")]
struct CohortResultsPage<'a> {
    ctx: &'a Ctx,
    programme: urbis_store::network::Programme,
    statuses: Vec<&'static str>,
    chart: String,
    /// Per focus area: its name and the number of indicators in each status.
    matrix: Vec<(String, Vec<usize>)>,
    totals: Vec<usize>,
    rows: Vec<ResultRow>,
}

pub async fn cohort_results(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r = async {
        let programme = net::programme(&state, &slug).await?;
        let statuses: Vec<Status> = Status::ALL.to_vec();
        let mut matrix: Vec<(FocusArea, Vec<usize>)> =
            FocusArea::ALL.iter().map(|f| (*f, vec![0; statuses.len()])).collect();
        let mut rows = vec![];
        for ops::IndicatorResult { service: s, indicator: i, evaluation: e } in
            ops::results(&state, &ctx.caller, &programme).await?
        {
            if let (Some(row), Some(col)) =
                (matrix.iter_mut().find(|(f, _)| *f == s.focus_area), statuses.iter().position(|x| *x == e.status))
            {
                row.1[col] += 1;
            }
            rows.push(ResultRow {
                service_id: s.id.to_string(),
                indicator_id: i.id.to_string(),
                city: s.organisation_name.clone(),
                focus: ctx.t.get(&format!("focus-{}", s.focus_area.as_str())),
                indicator: i.name.clone(),
                latest: e.latest.map(|p| format!("{} {}", num(p.value), i.unit)).unwrap_or_else(|| "–".into()),
                progress: pct(e.progress),
                expected: pct(e.expected),
                status: e.status.as_str(),
            });
        }
        rows.sort_by(|a, b| a.city.cmp(&b.city).then(a.indicator.cmp(&b.indicator)));
        let totals: Vec<usize> = (0..statuses.len()).map(|c| matrix.iter().map(|(_, r)| r[c]).sum()).collect();
        let matrix: Vec<(String, Vec<usize>)> =
            matrix.into_iter().map(|(f, r)| (ctx.t.get(&format!("focus-{}", f.as_str())), r)).collect();
        let categories: Vec<(&str, String)> =
            statuses.iter().map(|s| (s.as_str(), ctx.t.get(&format!("indicator-status-{}", s.as_str())))).collect();
        let chart = stacked_bars(
            "results-chart",
            &ctx.t.get("services-results-chart-title"),
            &ctx.t.get("services-results-chart-desc"),
            &categories,
            &matrix,
        );
        Ok::<_, AppError>(ctx.render(CohortResultsPage {
            ctx: &ctx,
            programme,
            statuses: statuses.iter().map(|s| s.as_str()).collect(),
            chart,
            matrix,
            totals,
            rows,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}
