//! The service's plan: a phase with its exit assessment, milestones, and the research log.

use super::form::{
    FieldDef, FormPage, Values, fields, ids, many, one, pick, plain, saved, saved_at, show, submit, values, values_of,
    writable_service,
};
use crate::pages::{Ctx, PageForm, Refusal};
use axum::extract::Path;
use axum::response::Response;
use urbis_app::AppError;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::{
    ExitResult, MilestoneInput, MilestoneState, PhaseInput, PhaseKind, ResearchInput, SERVICE_STANDARD,
};
use urbis_store::services::{Milestone, Phase, Service};

// ---- a phase and its exit assessment -------------------------------------------------------------

fn standard_choices() -> Vec<(String, String)> {
    (1..=SERVICE_STANDARD.len()).map(|n| (n.to_string(), format!("standard-{n}"))).collect()
}

/// The form's values of a planned phase.
fn phase_values(p: &Phase) -> Values {
    let mut v = values([
        ("starts_on", p.starts_on.to_string()),
        ("ends_on", p.ends_on.to_string()),
        ("goal", p.goal.clone()),
        ("exit_result", p.exit_result.as_str().to_string()),
        ("exit_notes", p.exit_notes.clone()),
    ]);
    v.insert("exit_checklist".into(), p.exit_checklist.iter().map(|n| n.to_string()).collect());
    v
}

const PHASE_FIELDS: &[FieldDef] = &[
    plain("starts_on", "date"),
    plain("ends_on", "date"),
    plain("goal", "textarea"),
    pick("exit_result", "select", |_| ids(ExitResult::ALL, ExitResult::as_str, "exit")),
    pick("exit_checklist", "checkboxes", |_| standard_choices()),
    plain("exit_notes", "textarea"),
];

/// The phase's form: as planned (`v` is `None`) or as typed. Its version is the planned phase's.
async fn phase_page<'a>(
    ctx: &'a Ctx,
    loaded: &ops::Loaded,
    kind: PhaseKind,
    v: Option<&Values>,
) -> Result<FormPage<'a>, AppError> {
    let s = &loaded.service;
    let existing = ops::phase(&ctx.state, loaded, kind).await?;
    let stored = existing.as_ref().map(phase_values).unwrap_or_default();
    let phase_name = ctx.t.get(&format!("phase-{}", kind.as_str()));
    Ok(FormPage {
        lead: ctx.t.get("services-phase-lead"),
        version: existing.map(|p| p.version),
        ..FormPage::about(
            ctx,
            s,
            ctx.t.with("services-phase-title", &[("phase", &phase_name)]),
            format!("/services/{}/phases/{}", s.id, kind.as_str()),
            fields(ctx, PHASE_FIELDS, v.unwrap_or(&stored), &[]),
        )
    })
}

fn phase_kind(kind: &str) -> Result<PhaseKind, AppError> {
    PhaseKind::parse(kind).map_err(|_| AppError::NotFound("phase"))
}

pub async fn phase(ctx: Ctx, Path((id, kind)): Path<(String, String)>) -> Response {
    ctx.respond(async {
        let loaded = writable_service(&ctx, &id).await?;
        Ok::<_, AppError>(ctx.render(phase_page(&ctx, &loaded, phase_kind(&kind)?, None).await?))
    })
    .await
}

fn phase_input(kind: PhaseKind, v: &Values) -> Result<PhaseInput, AppError> {
    let (starts, ends, goal) = (one(v, "starts_on"), one(v, "ends_on"), one(v, "goal"));
    let (result, notes) = (one(v, "exit_result"), one(v, "exit_notes"));
    Ok(PhaseInput::parse(kind.as_str(), &starts, &ends, &goal, &result, &notes, &many(v, "exit_checklist"))?)
}

pub async fn phase_post(ctx: Ctx, Path((id, kind)): Path<(String, String)>, form: PageForm) -> Response {
    let v = values_of(&form);
    let r = async {
        let loaded = writable_service(&ctx, &id).await?;
        let kind = phase_kind(&kind)?;
        let page = phase_page(&ctx, &loaded, kind, Some(&v)).await?;
        Ok::<_, AppError>((loaded, kind, page))
    }
    .await;
    let (loaded, kind, page) = match r {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    let current = page.version;
    let typed = FormPage { version: form.version().or(current), ..page };
    let input = match phase_input(kind, &v) {
        Ok(i) => i,
        Err(e) => return typed.again(ctx.refusal(e)),
    };
    let expected = if current.is_some() { form.version().or(Some(0)) } else { None };
    match ops::put_phase(&ctx.state, &ctx.caller, &loaded, &input, expected).await {
        Ok(_) => saved(loaded.service.id, "phases"),
        Err(e) => typed.again_versioned(&ctx, e, current),
    }
}

// ---- milestones ----------------------------------------------------------------------------------

const MILESTONE_FIELDS: &[FieldDef] = &[
    plain("title", "text"),
    plain("due_on", "date"),
    pick("state", "select", |_| ids(MilestoneState::ALL, MilestoneState::as_str, "milestone")),
];

fn milestone_page<'a>(ctx: &'a Ctx, s: &Service, m: Option<&Milestone>, v: &Values) -> FormPage<'a> {
    let fields = fields(ctx, MILESTONE_FIELDS, v, &[]);
    match m {
        Some(m) => FormPage {
            version: Some(m.version),
            ..FormPage::about(
                ctx,
                s,
                ctx.t.get("services-milestone-edit-title"),
                format!("/milestones/{}/edit", m.id),
                fields,
            )
        },
        None => FormPage::adding(ctx, s, "milestones", (ctx.t.get("services-milestone-title"), String::new()), fields),
    }
}

fn milestone_input(v: &Values) -> Result<MilestoneInput, AppError> {
    Ok(MilestoneInput::parse(&one(v, "title"), &one(v, "due_on"), &one(v, "state"))?)
}

pub async fn new_milestone(ctx: Ctx, Path(id): Path<String>) -> Response {
    let page = |l: &ops::Loaded| milestone_page(&ctx, &l.service, None, &Values::new());
    show(&ctx, writable_service(&ctx, &id), page).await
}

pub async fn new_milestone_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let save = async |l: &ops::Loaded| {
        ops::add_milestone(&ctx.state, &ctx.caller, l, &milestone_input(&v)?).await?;
        Ok(saved_at(l.service.id, "milestones"))
    };
    submit(&ctx, writable_service(&ctx, &id), |l| milestone_page(&ctx, &l.service, None, &v), save).await
}

pub async fn edit_milestone(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let (m, loaded) = ops::milestone_for(&ctx.state, &ctx.caller, &id, Action::ManageService).await?;
        let v =
            values([("title", m.title.clone()), ("due_on", m.due_on.to_string()), ("state", m.state.as_str().into())]);
        Ok::<_, AppError>(ctx.render(milestone_page(&ctx, &loaded.service, Some(&m), &v)))
    })
    .await
}

pub async fn edit_milestone_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let (m, loaded) = match ops::milestone_for(&ctx.state, &ctx.caller, &id, Action::ManageService).await {
        Ok(x) => x,
        Err(p) => return ctx.fail(p),
    };
    let page = milestone_page(&ctx, &loaded.service, Some(&m), &v);
    let Some(version) = form.version() else { return page.again(Refusal::Conflict) };
    let typed = FormPage { version: Some(version), ..page };
    let input = match milestone_input(&v) {
        Ok(i) => i,
        Err(e) => return typed.again(ctx.refusal(e)),
    };
    match ops::update_milestone(&ctx.state, &ctx.caller, &loaded, m.id, version, &input).await {
        Ok(_) => saved(loaded.service.id, "milestones"),
        Err(e) => typed.again_versioned(&ctx, e, Some(m.version)),
    }
}

// ---- the research log ----------------------------------------------------------------------------

const RESEARCH_FIELDS: &[FieldDef] = &[
    plain("held_on", "date"),
    plain("title", "text"),
    plain("participants", "number"),
    plain("findings", "textarea"),
    plain("quotes", "textarea"),
    plain("tags", "text"),
    plain("decision", "textarea"),
];

fn research_page<'a>(ctx: &'a Ctx, s: &Service, v: &Values) -> FormPage<'a> {
    let text = (ctx.t.get("services-research-title"), ctx.t.get("services-research-lead"));
    FormPage::adding(ctx, s, "research", text, fields(ctx, RESEARCH_FIELDS, v, &[]))
}

fn research_input(v: &Values) -> Result<ResearchInput, AppError> {
    let (held_on, title, participants) = (one(v, "held_on"), one(v, "title"), one(v, "participants"));
    let (findings, quotes, tags, decision) = (one(v, "findings"), one(v, "quotes"), one(v, "tags"), one(v, "decision"));
    Ok(ResearchInput::parse(&held_on, &title, &participants, &findings, &quotes, &tags, &decision)?)
}

pub async fn new_research(ctx: Ctx, Path(id): Path<String>) -> Response {
    show(&ctx, writable_service(&ctx, &id), |l| research_page(&ctx, &l.service, &Values::new())).await
}

pub async fn new_research_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let save = async |l: &ops::Loaded| {
        ops::add_research(&ctx.state, &ctx.caller, l, &research_input(&v)?).await?;
        Ok(saved_at(l.service.id, "research"))
    };
    submit(&ctx, writable_service(&ctx, &id), |l| research_page(&ctx, &l.service, &v), save).await
}
