//! Pages of the `grants` capability: the calls (public), a call's page, an application's task
//! list with a form per section and a budget form, the check-and-submit page, a reviewer's
//! scoring form and the programme manager's ranking. Every form works without JavaScript, keeps
//! what was typed when it is refused and carries the version it was read at.

use super::{Ctx, PageForm, Saved, ShownError, redirect};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::grants::{self as ops, CallView, LineAmount, LoadedApplication, Ranked, RawReview};
use urbis_domain::grants::{Half, Money, Section, points_text, weighted_text};
use urbis_domain::policy::Action;
use urbis_store::grants::Call;
use urbis_store::{Page, Paged};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/grants", get(calls))
        .route("/grants/calls/{id}", get(call).post(start_post))
        .route("/grants/calls/{id}/ranking", get(ranking))
        .route("/grants/applications/{id}", get(application))
        .route("/grants/applications/{id}/sections/{key}", get(section).post(section_post))
        .route("/grants/applications/{id}/budget", get(budget).post(budget_post))
        .route("/grants/applications/{id}/submit", get(submit).post(submit_post))
        .route("/grants/applications/{id}/review", get(review).post(review_post))
}

fn page_param(q: &HashMap<String, String>) -> Page {
    Page::new(q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1), 20)
}

/// A call's state as shown.
fn state_label(ctx: &Ctx, c: &Call) -> String {
    ctx.t.get(&format!("grants-state-{}", c.state.as_str()))
}

#[derive(Template)]
#[template(path = "grants_calls.html")]
struct CallsPage<'a> {
    ctx: &'a Ctx,
    calls: Paged<Call>,
    pages: u32,
}

impl CallsPage<'_> {
    fn closes(&self, c: &Call) -> String {
        let tz = urbis_domain::network::TimeZone::parse(&c.timezone)
            .unwrap_or_else(|_| urbis_domain::network::TimeZone::parse("UTC").expect("UTC"));
        urbis_domain::grants::local_display(c.closes_at, &tz)
    }
    fn budget(&self, c: &Call) -> String {
        urbis_domain::grants::Currency::parse(&c.currency)
            .map(|cur| Money::new(c.total_budget_minor, cur).to_string())
            .unwrap_or_default()
    }
    fn state(&self, c: &Call) -> String {
        state_label(self.ctx, c)
    }
}

pub async fn calls(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let calls = ops::calls(&ctx.state, &ctx.caller, page_param(&q)).await?;
        let pages = u32::try_from(calls.total.div_ceil(u64::from(calls.per_page)).max(1)).unwrap_or(u32::MAX);
        Ok(ctx.render(CallsPage { ctx: &ctx, calls, pages }))
    })
    .await
}

#[derive(Template)]
#[template(path = "grants_call.html")]
struct CallPage<'a> {
    ctx: &'a Ctx,
    v: CallView,
    can_manage: bool,
    /// Organisations the caller may apply for (slug, name), when the call takes submissions.
    apply_for: Vec<(String, String)>,
    title: String,
    organisation: String,
    errors: Vec<ShownError>,
}

form_errors!(CallPage);

impl CallPage<'_> {
    fn weight(&self, h: &u32) -> String {
        urbis_domain::grants::call::weight_text(*h)
    }
    fn overall(&self) -> String {
        Half(self.v.rubric.overall_threshold_halves).to_string()
    }
}

/// The organisations whose city team the caller belongs to (for "apply for").
async fn my_organisations(ctx: &Ctx) -> Result<Vec<(String, String)>, AppError> {
    let Some(p) = &ctx.caller.person else { return Ok(vec![]) };
    let mut out = vec![];
    for m in ctx.state.store.memberships(p.id).await? {
        if matches!(m.scope, urbis_domain::policy::Scope::Organisation(_))
            && !out.iter().any(|(s, _): &(String, String)| *s == m.scope_slug)
        {
            out.push((m.scope_slug, m.scope_name));
        }
    }
    Ok(out)
}

async fn call_page<'a>(
    ctx: &'a Ctx,
    id: &str,
    title: String,
    organisation: String,
    errors: Vec<ShownError>,
) -> Result<CallPage<'a>, AppError> {
    let v = ops::call_for(&ctx.state, &ctx.caller, id, Action::ReadCall).await?;
    let apply_for = if v.accepting() { my_organisations(ctx).await? } else { vec![] };
    Ok(CallPage {
        ctx,
        can_manage: ops::can_manage(&ctx.caller, &v.call),
        v: v.item,
        apply_for,
        title,
        organisation,
        errors,
    })
}

pub async fn call(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async { Ok(ctx.render(call_page(&ctx, &id, String::new(), String::new(), vec![]).await?)) }).await
}

pub async fn start_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let done = async {
            let v = ops::call_for(&ctx.state, &ctx.caller, &id, Action::ReadCall).await?;
            let a = ops::start_application(&ctx.state, &ctx.caller, &v, form.get("organisation"), form.get("title"))
                .await?;
            Ok(redirect(&format!("/grants/applications/{}", a.application.id)))
        };
        ctx.after_form(done.await, async |errors| {
            call_page(&ctx, &id, form.get("title").into(), form.get("organisation").into(), errors).await
        })
        .await
    })
    .await
}

/// One section of the task list.
struct Task {
    section: Section,
    answered: bool,
    answer: String,
}

#[derive(Template)]
#[template(path = "grants_application.html")]
struct ApplicationPage<'a> {
    ctx: &'a Ctx,
    a: LoadedApplication,
    tasks: Vec<Task>,
    budget: Vec<(String, String, String)>,
    total: String,
    coapplicants: Vec<String>,
    decision: Option<(String, String, String)>,
    can_edit: bool,
    can_review: bool,
    saved: bool,
}

async fn application_page<'a>(
    ctx: &'a Ctx,
    a: LoadedApplication,
    saved: bool,
) -> Result<ApplicationPage<'a>, AppError> {
    let d = ops::detail(&ctx.state, &a).await?;
    let cur = a.call.currency;
    let tasks = a
        .call
        .sections
        .iter()
        .map(|s| {
            let answer = d.answers.get(&s.key).map(|x| x.answer.clone()).unwrap_or_default();
            Task { section: s.clone(), answered: !answer.is_empty(), answer }
        })
        .collect();
    let budget = d
        .budget
        .iter()
        .map(|l| (l.category.clone(), l.description.clone(), Money::new(l.amount_minor, cur).to_string()))
        .collect();
    let decision = d.decision.map(|x| {
        let amount = x.amount_minor.map(|m| Money::new(m, cur).to_string()).unwrap_or_default();
        (ctx.t.get(&format!("grants-outcome-{}", x.outcome)), amount, x.feedback)
    });
    let can_edit =
        a.application.status == "draft" && urbis_app::Loaded::check(&a, &ctx.caller, Action::ApplyForGrant).is_ok();
    let can_review = a.assignment.as_ref().is_some_and(|g| !g.reviewed && g.conflict_declared_at.is_none())
        && urbis_app::Loaded::check(&a, &ctx.caller, Action::ReviewApplication).is_ok();
    Ok(ApplicationPage {
        ctx,
        total: Money::new(a.application.requested_minor, cur).to_string(),
        coapplicants: d.coapplicants.into_iter().map(|o| o.name).collect(),
        a,
        tasks,
        budget,
        decision,
        can_edit,
        can_review,
        saved,
    })
}

pub async fn application(ctx: Ctx, Path(id): Path<String>, Saved(saved): Saved) -> Response {
    ctx.respond(async {
        let a = ops::application_for(&ctx.state, &ctx.caller, &id, Action::ReadApplication).await?;
        Ok(ctx.render(application_page(&ctx, a, saved).await?))
    })
    .await
}

#[derive(Template)]
#[template(path = "grants_section.html")]
struct SectionPage<'a> {
    ctx: &'a Ctx,
    a: LoadedApplication,
    section: Section,
    title: String,
    answer: String,
    version: i64,
    errors: Vec<ShownError>,
    conflict: bool,
}

form_errors!(SectionPage);

async fn writable(ctx: &Ctx, id: &str) -> Result<LoadedApplication, AppError> {
    ops::application_for(&ctx.state, &ctx.caller, id, Action::ApplyForGrant).await
}

fn section_of(a: &LoadedApplication, key: &str) -> Result<Section, AppError> {
    a.call.sections.iter().find(|s| s.key == key).cloned().ok_or(AppError::NotFound("section"))
}

pub async fn section(ctx: Ctx, Path((id, key)): Path<(String, String)>) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let section = section_of(&a, &key)?;
        let d = ops::detail(&ctx.state, &a).await?;
        let answer = d.answers.get(&key).map(|x| x.answer.clone()).unwrap_or_default();
        Ok(ctx.render(SectionPage {
            ctx: &ctx,
            title: a.application.title.clone(),
            version: a.application.version,
            a,
            section,
            answer,
            errors: vec![],
            conflict: false,
        }))
    })
    .await
}

pub async fn section_post(ctx: Ctx, Path((id, key)): Path<(String, String)>, form: PageForm) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let section = section_of(&a, &key)?;
        let current = a.application.version;
        let typed = async |errors: Vec<ShownError>, conflict: bool, version: i64| {
            Ok::<_, AppError>(SectionPage {
                ctx: &ctx,
                a: a.clone(),
                section: section.clone(),
                title: form.get("title").into(),
                answer: form.get("answer").into(),
                version,
                errors,
                conflict,
            })
        };
        let Some(version) = form.version() else {
            return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, typed(vec![], true, current).await?));
        };
        let done = async {
            // The answer's errors name the section; the form's field is `answer`.
            ops::save_section(&ctx.state, &ctx.caller, &a, version, Some(form.get("title")), &key, form.get("answer"))
                .await
                .map_err(|e| rename(e, &key, "answer"))?;
            Ok(redirect(&format!("/grants/applications/{id}?saved=1")))
        };
        ctx.after_versioned_form(done.await, (version, current), typed).await
    })
    .await
}

/// An error about field `from` named `to` (a section's answer is the form's `answer`).
fn rename(e: AppError, from: &str, to: &str) -> AppError {
    let fix = |mut errors: Vec<urbis_domain::FieldError>| {
        for f in &mut errors {
            if f.field == from {
                f.field = to.to_string();
            }
        }
        errors
    };
    match e {
        AppError::Invalid(i) => AppError::Invalid(urbis_domain::Invalid(fix(i.0))),
        AppError::Refused { rule, message, errors } => AppError::Refused { rule, message, errors: fix(errors) },
        other => other,
    }
}

/// A row of the budget form.
struct Line {
    n: usize,
    category: String,
    description: String,
    amount: String,
}

#[derive(Template)]
#[template(path = "grants_budget.html")]
struct BudgetPage<'a> {
    ctx: &'a Ctx,
    a: LoadedApplication,
    lines: Vec<Line>,
    coapplicants: String,
    version: i64,
    errors: Vec<ShownError>,
    conflict: bool,
}

form_errors!(BudgetPage);

impl BudgetPage<'_> {
    fn line_error(&self, n: &usize, field: &str) -> Option<&str> {
        super::error_for(&self.errors, &format!("budget[{n}]_{field}"))
    }
}

/// Rows shown: those typed, then blank ones up to at least five.
fn with_blank_rows(mut lines: Vec<Line>) -> Vec<Line> {
    let n = lines.len();
    for i in n..(n + 2).max(5) {
        lines.push(Line { n: i, category: String::new(), description: String::new(), amount: String::new() });
    }
    lines
}

pub async fn budget(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let d = ops::detail(&ctx.state, &a).await?;
        let lines = d
            .budget
            .iter()
            .enumerate()
            .map(|(n, l)| Line {
                n,
                category: l.category.clone(),
                description: l.description.clone(),
                amount: Money::new(l.amount_minor, a.call.currency).amount_text(),
            })
            .collect();
        let coapplicants = d.coapplicants.iter().map(|o| o.slug.clone()).collect::<Vec<_>>().join(", ");
        Ok(ctx.render(BudgetPage {
            ctx: &ctx,
            version: a.application.version,
            a,
            lines: with_blank_rows(lines),
            coapplicants,
            errors: vec![],
            conflict: false,
        }))
    })
    .await
}

pub async fn budget_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let current = a.application.version;
        // Rows with nothing typed are left out; the others keep their row number for errors.
        let typed_lines: Vec<Line> = (0..urbis_domain::grants::application::MAX_LINES + 5)
            .map(|n| Line {
                n,
                category: form.get(&format!("category-{n}")).to_string(),
                description: form.get(&format!("description-{n}")).to_string(),
                amount: form.get(&format!("amount-{n}")).to_string(),
            })
            .filter(|l| !(l.category.is_empty() && l.description.trim().is_empty() && l.amount.trim().is_empty()))
            .collect();
        let typed = async |errors: Vec<ShownError>, conflict: bool, version: i64| {
            let lines = typed_lines
                .iter()
                .enumerate()
                .map(|(i, l)| Line {
                    n: i,
                    category: l.category.clone(),
                    description: l.description.clone(),
                    amount: l.amount.clone(),
                })
                .collect();
            Ok::<_, AppError>(BudgetPage {
                ctx: &ctx,
                a: a.clone(),
                lines: with_blank_rows(lines),
                coapplicants: form.get("coapplicants").into(),
                version,
                errors,
                conflict,
            })
        };
        let Some(version) = form.version() else {
            return Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, typed(vec![], true, current).await?));
        };
        let done = async {
            let lines: Vec<_> = typed_lines
                .iter()
                .map(|l| (l.category.clone(), l.description.clone(), LineAmount::Text(l.amount.clone())))
                .collect();
            let coapplicants: Vec<String> =
                form.get("coapplicants").split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            ops::save_budget(&ctx.state, &ctx.caller, &a, version, &lines, &coapplicants)
                .await
                .map_err(coapplicant_field)?;
            Ok(redirect(&format!("/grants/applications/{id}?saved=1")))
        };
        ctx.after_versioned_form(done.await, (version, current), typed).await
    })
    .await
}

/// Co-applicant errors (`coapplicants[2]`) are about the form's one `coapplicants` field.
fn coapplicant_field(e: AppError) -> AppError {
    match e {
        AppError::Invalid(mut i) => {
            for f in &mut i.0 {
                if f.field.starts_with("coapplicants[") {
                    f.field = "coapplicants".into();
                }
            }
            AppError::Invalid(i)
        }
        other => other,
    }
}

#[derive(Template)]
#[template(path = "grants_submit.html")]
struct SubmitPage<'a> {
    ctx: &'a Ctx,
    page: ApplicationPage<'a>,
    errors: Vec<ShownError>,
    conflict: bool,
}

pub async fn submit(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let page = application_page(&ctx, a, false).await?;
        Ok(ctx.render(SubmitPage { ctx: &ctx, page, errors: vec![], conflict: false }))
    })
    .await
}

pub async fn submit_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let a = writable(&ctx, &id).await?;
        let current = a.application.version;
        let typed = async |errors: Vec<ShownError>, conflict: bool, _version: i64| {
            let a = writable(&ctx, &id).await?;
            Ok::<_, AppError>(SubmitPage { ctx: &ctx, page: application_page(&ctx, a, false).await?, errors, conflict })
        };
        let version = form.version().unwrap_or(-1);
        let done = async {
            ops::submit(&ctx.state, &ctx.caller, &a, version).await?;
            Ok(redirect(&format!("/grants/applications/{id}?saved=1")))
        };
        ctx.after_versioned_form(done.await, (version, current), typed).await
    })
    .await
}

/// One criterion of the scoring form.
struct ScoreRow {
    key: String,
    title: String,
    description: String,
    threshold: String,
    value: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "grants_review.html")]
struct ReviewPage<'a> {
    ctx: &'a Ctx,
    a: LoadedApplication,
    answers: Vec<(Section, String)>,
    rows: Vec<ScoreRow>,
    recommendation: String,
    comment: String,
    marks: Vec<String>,
    errors: Vec<ShownError>,
}

form_errors!(ReviewPage);

impl ReviewPage<'_> {
    fn score_error(&self, key: &str) -> Option<&str> {
        super::error_for(&self.errors, &format!("scores_{key}"))
    }
}

async fn review_page<'a>(
    ctx: &'a Ctx,
    a: LoadedApplication,
    form: Option<&PageForm>,
    errors: Vec<ShownError>,
) -> Result<ReviewPage<'a>, AppError> {
    let d = ops::detail(&ctx.state, &a).await?;
    let answers = a
        .call
        .sections
        .iter()
        .map(|s| (s.clone(), d.answers.get(&s.key).map(|x| x.answer.clone()).unwrap_or_default()))
        .collect();
    let get = |k: &str| form.map(|f| f.get(k).to_string()).unwrap_or_default();
    let rows = a
        .call
        .rubric
        .criteria
        .iter()
        .map(|c| ScoreRow {
            key: c.key.clone(),
            title: c.title.clone(),
            description: c.description.clone(),
            threshold: c.threshold.to_string(),
            value: get(&format!("score-{}", c.key)),
            comment: get(&format!("comment-{}", c.key)),
        })
        .collect();
    let mut marks: Vec<String> = (0..=10).map(|h| Half(h).to_string()).collect();
    marks.push("n/a".into());
    Ok(ReviewPage {
        ctx,
        answers,
        rows,
        recommendation: get("recommendation"),
        comment: get("comment"),
        marks,
        errors,
        a,
    })
}

pub async fn review(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let a = ops::application_for(&ctx.state, &ctx.caller, &id, Action::ReviewApplication).await?;
        Ok(ctx.render(review_page(&ctx, a, None, vec![]).await?))
    })
    .await
}

pub async fn review_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let a = ops::application_for(&ctx.state, &ctx.caller, &id, Action::ReviewApplication).await?;
        let done = async {
            let mut raw = RawReview {
                recommendation: form.get("recommendation").into(),
                comment: form.get("comment").into(),
                ..RawReview::default()
            };
            for c in &a.call.rubric.criteria {
                raw.scores.insert(c.key.clone(), form.get(&format!("score-{}", c.key)).into());
                raw.comments.insert(c.key.clone(), form.get(&format!("comment-{}", c.key)).into());
            }
            ops::submit_review(&ctx.state, &ctx.caller, &a, &raw).await?;
            Ok(redirect(&format!("/grants/applications/{id}?saved=1")))
        };
        ctx.after_form(done.await, async |errors| review_page(&ctx, a.clone(), Some(&form), errors).await).await
    })
    .await
}

/// A ranking row as shown.
struct RankRow {
    r: Ranked,
    criteria: Vec<(String, String, bool, bool)>,
    total: String,
    threshold: String,
    weighted: String,
    why: String,
}

#[derive(Template)]
#[template(path = "grants_ranking.html")]
struct RankingPage<'a> {
    ctx: &'a Ctx,
    v: CallView,
    rows: Vec<RankRow>,
    remaining: String,
}

impl RankingPage<'_> {
    fn requested(&self, r: &Ranked) -> String {
        Money::new(r.application.requested_minor, self.v.currency).to_string()
    }
    fn standing(&self, r: &Ranked) -> String {
        let s = serde_json::to_value(r.evaluation.standing)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        self.ctx.t.get(&format!("grants-standing-{s}"))
    }
}

fn why(ctx: &Ctx, r: &Ranked, v: &CallView) -> String {
    let e = &r.evaluation;
    let mut reasons = vec![];
    for (c, k) in e.criteria.iter().zip(&v.rubric.criteria) {
        if !c.passes {
            reasons.push(ctx.t.with(
                "grants-why-criterion",
                &[
                    ("criterion", k.title.as_str()),
                    ("score", &c.effective.map(points_text).unwrap_or_default()),
                    ("threshold", &k.threshold.to_string()),
                ],
            ));
        }
    }
    if !e.passes_overall {
        reasons.push(ctx.t.with(
            "grants-why-total",
            &[("total", &points_text(e.total)), ("threshold", &points_text(e.overall_threshold))],
        ));
    }
    if reasons.is_empty() {
        ctx.t.with(
            "grants-why-passes",
            &[("total", &points_text(e.total)), ("threshold", &points_text(e.overall_threshold))],
        )
    } else {
        reasons.join(" ")
    }
}

pub async fn ranking(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let v = ops::call_for(&ctx.state, &ctx.caller, &id, Action::ManageCall).await?;
        let ranked = ops::ranking(&ctx.state, &ctx.caller, &v).await?;
        let rows = ranked
            .into_iter()
            .map(|r| {
                let criteria = r
                    .evaluation
                    .criteria
                    .iter()
                    .map(|c| {
                        let mean = c.mean.map(points_text).unwrap_or_else(|| "n/a".into());
                        let consensus = c.consensus.map(|m| m.text()).unwrap_or_default();
                        (mean, consensus, c.passes, c.disagreement)
                    })
                    .collect();
                RankRow {
                    criteria,
                    total: points_text(r.evaluation.total),
                    threshold: points_text(r.evaluation.overall_threshold),
                    weighted: weighted_text(r.evaluation.weighted),
                    why: why(&ctx, &r, &v),
                    r,
                }
            })
            .collect();
        let remaining = v.remaining().to_string();
        Ok(ctx.render(RankingPage { ctx: &ctx, v: v.item, rows, remaining }))
    })
    .await
}
