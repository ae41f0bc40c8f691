//! A city's diagnostic page (radar against the cohort, levels, spread, progress across waves, the
//! way to the next level, the improvement plan), and its actions: start an assessment, publish or
//! withdraw one.

use super::{ProgressRow, WaveFigures, capability_name, fmt, progress_rows};
use crate::charts::{RadarSeries, radar};
use crate::pages::{Ctx, PageForm, Saved};
use askama::Template;
use axum::extract::Path;
use axum::response::{IntoResponse, Redirect, Response};
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::{RecommendedAction, Results, Wave};
use urbis_store::network::{Organisation, Programme};
use uuid::Uuid;

pub struct CapabilityRow {
    pub name: String,
    pub score: String,
    pub level: u8,
    pub median: String,
    pub spread: String,
    /// The expert's validated score and confidence, when validated.
    pub validated: String,
    /// The recommended actions for the next level, with their index among the instrument's actions.
    pub next: Vec<(usize, RecommendedAction)>,
}

#[derive(Template)]
#[template(path = "city_diagnostic.html")]
struct CityDiagnosticPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    programme: Programme,
    wave_name: String,
    status: String,
    sample: bool,
    overall: String,
    radar: String,
    rows: Vec<CapabilityRow>,
    cohort_shown: bool,
    wave_names: Vec<String>,
    progress: Vec<ProgressRow>,
    visible: bool,
    /// Assessments the viewer can open in the questionnaire: (wave name, assessment id, status).
    open: Vec<(String, Uuid, String)>,
    /// Waves in which the viewer may start an assessment.
    startable: Vec<Wave>,
    /// The improvement plan, for those who may read it.
    plan: Option<Vec<PlanRow>>,
    /// May the viewer add to and change the plan?
    can_plan: bool,
    /// The shown assessment, when the viewer may publish or withdraw it: (id, version, published).
    publish: Option<(Uuid, i64, bool)>,
    /// The shown assessment, when the viewer may validate it.
    validate: Option<Uuid>,
    /// The shown assessment, when the viewer may reopen it.
    reopen: Option<Uuid>,
    /// Did the viewer just publish or withdraw?
    saved: bool,
}

pub struct PlanRow {
    pub id: Uuid,
    pub capability: String,
    pub title: String,
    pub owner: String,
    pub due_on: String,
    pub status: String,
}

pub async fn city_with_notice(ctx: Ctx, Path(slug): Path<String>, Saved(saved): Saved) -> Response {
    match ops::city_diagnostic(&ctx.state, &ctx.caller, &slug, ctx.t.code).await {
        Ok(view) => ctx.render(city_diagnostic_page(&ctx, &view, saved)),
        Err(e) => ctx.fail(e),
    }
}

fn city_diagnostic_page<'a>(ctx: &'a Ctx, view: &ops::CityDiagnostic, saved: bool) -> CityDiagnosticPage<'a> {
    let inst = &view.instrument.instrument;
    let plan = view.plan.as_ref().map(|items| {
        items
            .iter()
            .map(|p| PlanRow {
                id: p.id,
                capability: capability_name(ctx, inst, &p.capability),
                title: p.title.clone(),
                owner: p.owner.clone(),
                due_on: p.due_on.map(|d| d.to_string()).unwrap_or_else(|| "–".into()),
                status: ctx.t.get(&format!("plan-status-{}", p.status.as_str())),
            })
            .collect()
    });
    let empty = CityDiagnosticPage {
        ctx,
        city: view.city.clone(),
        programme: view.programme.clone(),
        wave_name: String::new(),
        status: String::new(),
        sample: false,
        overall: String::new(),
        radar: String::new(),
        rows: vec![],
        cohort_shown: false,
        wave_names: vec![],
        progress: vec![],
        visible: false,
        open: view.open.iter().map(|(w, a)| (w.clone(), a.id, a.status.as_str().to_string())).collect(),
        startable: view.startable.clone(),
        plan,
        can_plan: view.can_plan,
        publish: None,
        validate: None,
        reopen: None,
        saved,
    };
    let Some(shown) = &view.shown else { return empty };
    let latest = &shown.assessment;
    CityDiagnosticPage {
        wave_name: shown.wave.name.clone(),
        status: latest.status.as_str().into(),
        sample: latest.is_sample,
        overall: fmt(shown.scores.overall),
        radar: city_radar(ctx, view, shown),
        rows: capability_rows(ctx, view, shown),
        cohort_shown: shown.cohort_shown,
        wave_names: view.progress.iter().map(|(n, _)| n.clone()).collect(),
        progress: city_progress(ctx, view),
        visible: true,
        publish: shown.can_publish.then_some((latest.id, latest.version, latest.published)),
        validate: shown.can_validate.then_some(latest.id),
        reopen: shown.can_reopen.then_some(latest.id),
        ..empty
    }
}

/// The cohort's median of a capability, when the cohort's figures may be shown.
fn cohort_median(shown: &ops::Shown, capability: &str) -> Option<f64> {
    if !shown.cohort_shown {
        return None;
    }
    shown.benchmark.capabilities.iter().find(|(k, _)| k == capability).and_then(|(_, d)| d.map(|d| d.median))
}

fn city_radar(ctx: &Ctx, view: &ops::CityDiagnostic, shown: &ops::Shown) -> String {
    let inst = &view.instrument.instrument;
    let axes: Vec<String> = inst.capabilities.iter().map(|c| capability_name(ctx, inst, &c.slug)).collect();
    let city_values: Vec<Option<f64>> =
        inst.capabilities.iter().map(|c| shown.scores.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
    let mut series = vec![RadarSeries { name: &view.city.name, class: "city", values: city_values }];
    let cohort_name = ctx.t.get("diagnostic-cohort-median");
    if shown.cohort_shown {
        series.push(RadarSeries {
            name: &cohort_name,
            class: "cohort",
            values: inst.capabilities.iter().map(|c| cohort_median(shown, &c.slug)).collect(),
        });
    }
    radar(
        &ctx.t.with("diagnostic-radar-title", &[("city", &view.city.name), ("wave", &shown.wave.name)]),
        &ctx.t.get(if shown.cohort_shown { "diagnostic-radar-desc-cohort" } else { "diagnostic-radar-desc" }),
        &axes,
        &series,
    )
}

fn capability_rows(ctx: &Ctx, view: &ops::CityDiagnostic, shown: &ops::Shown) -> Vec<CapabilityRow> {
    let inst = &view.instrument.instrument;
    inst.capabilities
        .iter()
        .map(|c| {
            let r = shown.scores.capabilities.get(&c.slug);
            let level = r.map(|r| r.level).unwrap_or(1);
            CapabilityRow {
                name: capability_name(ctx, inst, &c.slug),
                score: fmt(r.and_then(|r| r.score)),
                level,
                median: fmt(cohort_median(shown, &c.slug)),
                spread: r
                    .and_then(|r| r.spread)
                    .filter(|s| s.n > 1)
                    .map(|s| format!("{:.0}–{:.0} (σ {:.1})", s.min, s.max, s.sd))
                    .unwrap_or_else(|| "–".into()),
                validated: shown
                    .validations
                    .iter()
                    .find(|v| v.capability == c.slug)
                    .map(|v| format!("{:.0} ({})", v.score, ctx.t.get(&format!("confidence-{}", v.confidence))))
                    .unwrap_or_else(|| "–".into()),
                next: view
                    .instrument
                    .actions
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.capability == c.slug && a.from_level == level && level < 5)
                    .map(|(i, a)| (i, a.clone()))
                    .collect(),
            }
        })
        .collect()
}

/// Progress: each capability's score in every wave with a visible submitted assessment; a closed
/// wave gives the figures frozen when it closed (its baseline).
/// Progress: each capability's score in every wave with a visible submitted assessment; a closed
/// wave gives the figures frozen when it closed (its baseline).
fn city_progress(ctx: &Ctx, view: &ops::CityDiagnostic) -> Vec<ProgressRow> {
    let waves: Vec<WaveFigures> = view.progress.iter().map(|(_, r)| figures(r)).collect();
    progress_rows(ctx, &view.instrument.instrument, &waves)
}

fn figures(r: &Results) -> WaveFigures {
    WaveFigures { capabilities: r.capabilities.iter().map(|(k, c)| (k.clone(), c.score)).collect(), overall: r.overall }
}

/// Start an assessment from the city's diagnostic page.
pub async fn start_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let city = net::city(&ctx.state, &slug).await?;
        let a =
            ops::create(&ctx.state, &ctx.caller, &city, Some(form.get("programme")), form.get("wave"), ops::INSTRUMENT)
                .await?;
        Ok(Redirect::to(&format!("/assessments/{}", a.id)).into_response())
    })
    .await
}

/// Publish or withdraw the shown assessment's scores from the city's diagnostic page.
pub async fn publish_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::PublishAssessment).await?;
        let version =
            form.version().ok_or_else(|| AppError::invalid("version", "required", "the form lacks its version"))?;
        ops::publish(&ctx.state, &ctx.caller, &loaded, version, form.checked("published")).await?;
        Ok(Redirect::to(&format!("/cities/{}/diagnostic?saved=1", loaded.city.slug)).into_response())
    })
    .await
}
