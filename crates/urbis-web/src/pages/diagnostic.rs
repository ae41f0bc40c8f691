//! Pages of the `diagnostic` capability: a city's diagnostic (radar against the cohort, levels,
//! spread, progress across waves, the way to the next level) and the cohort's (heat map,
//! distributions, progress).

pub mod consolidate;
pub mod plan;
pub mod pulse;
pub mod reopen;
pub mod validate;
pub mod waves;

use super::{Ctx, ShownError};
use crate::AppState;
use crate::charts::{RadarSeries, heat_map, radar};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_domain::diagnostic::{Distribution, Instrument, PeerGroup};
use urbis_domain::network::{PopulationBand, Region};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{AssessmentStatus, RecommendedAction, Results, Wave};
use urbis_store::network::{Organisation, Programme};
use uuid::Uuid;

const INSTRUMENT: &str = "city-digital-maturity";

/// A capability's name in the viewer's language, from the instrument's translation (English when
/// the instrument has none in that language).
fn capability_name(ctx: &Ctx, inst: &Instrument, slug: &str) -> String {
    inst.capability_title(ctx.t.code, slug)
}

fn fmt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "–".into())
}

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

pub struct ProgressRow {
    pub name: String,
    pub values: Vec<String>,
    pub change: String,
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

pub async fn city_with_notice(
    state: State<AppState>,
    ctx: Ctx,
    path: Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    city_page(state, ctx, path, q.contains_key("saved")).await
}

async fn city_page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, saved: bool) -> Response {
    match ops::city_diagnostic(&state, &ctx.caller, &slug, ctx.t.code).await {
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
        progress: progress_rows(ctx, inst, &view.progress),
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
fn progress_rows(ctx: &Ctx, inst: &Instrument, per_wave: &[(String, Results)]) -> Vec<ProgressRow> {
    let mut progress: Vec<ProgressRow> = inst
        .capabilities
        .iter()
        .map(|c| {
            let vals: Vec<Option<f64>> =
                per_wave.iter().map(|(_, s)| s.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
            ProgressRow {
                name: capability_name(ctx, inst, &c.slug),
                values: vals.iter().map(|v| fmt(*v)).collect(),
                change: change(&vals),
            }
        })
        .collect();
    let overall_vals: Vec<Option<f64>> = per_wave.iter().map(|(_, s)| s.overall).collect();
    progress.push(ProgressRow {
        name: ctx.t.get("diagnostic-overall"),
        values: overall_vals.iter().map(|v| fmt(*v)).collect(),
        change: change(&overall_vals),
    });
    progress
}

/// Change from the first to the last value, signed, e.g. "+12".
fn change(values: &[Option<f64>]) -> String {
    match (values.first().copied().flatten(), values.last().copied().flatten()) {
        (Some(a), Some(b)) if values.len() > 1 => format!("{:+.0}", b - a),
        _ => "–".into(),
    }
}

pub struct DistributionRow {
    pub name: String,
    pub n: usize,
    pub cells: [String; 5],
}

#[derive(Template)]
#[template(path = "cohort_diagnostic.html")]
struct CohortDiagnosticPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    waves: Vec<Wave>,
    wave: Wave,
    n: usize,
    cohort_shown: bool,
    heat: String,
    columns: Vec<String>,
    table: Vec<(String, String, Vec<String>)>,
    distributions: Vec<DistributionRow>,
    wave_names: Vec<String>,
    progress: Vec<ProgressRow>,
    /// The peer-group filter as chosen ("" for any) and the choices, as (slug, label).
    region: String,
    population_band: String,
    regions: Vec<(String, String)>,
    bands: Vec<(String, String)>,
    /// Query string of the current filter, for the page links.
    filter_query: String,
    page: usize,
    pages: usize,
    errors: Vec<ShownError>,
    can_manage_waves: bool,
}

/// Cities per page in the cohort heat map and table.
const COHORT_PAGE: usize = 50;

pub async fn cohort(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, AppError> = async {
        // A bad filter value is reported above the form and the whole cohort is shown.
        let (peers, errors) =
            match PeerGroup::parse(q.get("region").map(String::as_str), q.get("population_band").map(String::as_str)) {
                Ok(p) => (p, vec![]),
                Err(e) => (PeerGroup::default(), ctx.invalid(&e.0)),
            };
        let view =
            ops::cohort(&state, &ctx.caller, &slug, INSTRUMENT, q.get("wave").map(String::as_str), peers).await?;
        let (programme, wave, bench, cohort_shown) = (&view.programme, &view.wave, &view.benchmark, view.cohort_shown);
        let stored = ops::instrument_in(&state, INSTRUMENT, None, ctx.t.code).await?;
        let inst = &stored.instrument;
        let columns: Vec<String> = inst.capabilities.iter().map(|c| capability_name(&ctx, inst, &c.slug)).collect();
        let shown: Vec<_> = view.listed().collect();
        let pages = shown.len().div_ceil(COHORT_PAGE).max(1);
        let page = q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
        let shown: Vec<_> = shown.into_iter().skip((page - 1) * COHORT_PAGE).take(COHORT_PAGE).collect();
        let rows: Vec<(String, Vec<Option<f64>>)> = shown
            .iter()
            .map(|c| {
                (
                    c.assessment.organisation_name.clone(),
                    inst.capabilities
                        .iter()
                        .map(|cap| c.results.capabilities.get(&cap.slug).and_then(|r| r.score))
                        .collect(),
                )
            })
            .collect();
        let heat = heat_map(
            &ctx.t.with("diagnostic-heat-title", &[("wave", &wave.name)]),
            &ctx.t.get("diagnostic-heat-desc"),
            &columns,
            &rows,
        );
        let table = shown
            .iter()
            .zip(&rows)
            .map(|(c, (name, vals))| {
                let mut cells: Vec<String> = vals.iter().map(|v| fmt(*v)).collect();
                cells.push(fmt(c.results.overall));
                (c.assessment.organisation_slug.clone(), name.clone(), cells)
            })
            .collect();
        let dist_row = |name: String, d: Option<Distribution>| {
            let d = d.filter(|_| cohort_shown);
            DistributionRow {
                name,
                n: d.map(|d| d.n).unwrap_or(0),
                cells: match d {
                    Some(d) => [d.min, d.q1, d.median, d.q3, d.max].map(|v| format!("{v:.0}")),
                    None => std::array::from_fn(|_| "–".to_string()),
                },
            }
        };
        let mut distributions: Vec<DistributionRow> =
            bench.capabilities.iter().map(|(slug, d)| dist_row(capability_name(&ctx, inst, slug), *d)).collect();
        distributions.push(dist_row(ctx.t.get("diagnostic-overall"), bench.overall));
        // Progress: the cohort median per capability in every wave.
        let mut medians = vec![];
        for w in &view.waves {
            let b = if w.id == wave.id { None } else { Some(ops::benchmark(&state, w, INSTRUMENT, &peers).await?) };
            let b = b.as_ref().unwrap_or(bench);
            let shown = ops::figures_shown(&ctx.caller, programme, b);
            let caps: HashMap<String, Option<f64>> =
                b.capabilities.iter().map(|(k, d)| (k.clone(), d.filter(|_| shown).map(|d| d.median))).collect();
            medians.push((w.name.clone(), caps, b.overall.filter(|_| shown).map(|d| d.median)));
        }
        let mut progress: Vec<ProgressRow> = inst
            .capabilities
            .iter()
            .map(|c| {
                let vals: Vec<Option<f64>> =
                    medians.iter().map(|(_, m, _)| m.get(&c.slug).copied().flatten()).collect();
                ProgressRow {
                    name: capability_name(&ctx, inst, &c.slug),
                    values: vals.iter().map(|v| fmt(*v)).collect(),
                    change: change(&vals),
                }
            })
            .collect();
        let overall: Vec<Option<f64>> = medians.iter().map(|(_, _, o)| *o).collect();
        progress.push(ProgressRow {
            name: ctx.t.get("diagnostic-overall"),
            values: overall.iter().map(|v| fmt(*v)).collect(),
            change: change(&overall),
        });
        Ok(ctx.render(CohortDiagnosticPage {
            ctx: &ctx,
            n: bench.n(),
            cohort_shown,
            heat,
            columns,
            table,
            distributions,
            wave_names: medians.into_iter().map(|(n, _, _)| n).collect(),
            progress,
            filter_query: peer_query(wave, &peers),
            region: peers.region.map(|r| r.slug().to_string()).unwrap_or_default(),
            population_band: peers.population_band.map(|b| b.slug().to_string()).unwrap_or_default(),
            regions: Region::ALL
                .iter()
                .map(|r| (r.slug().to_string(), ctx.t.get(&format!("region-{}", r.slug()))))
                .collect(),
            bands: PopulationBand::ALL
                .iter()
                .map(|b| (b.slug().to_string(), ctx.t.get(&format!("population-{}", b.slug()))))
                .collect(),
            page,
            pages,
            errors,
            can_manage_waves: ctx.caller.can(Action::ManageWaves, &Resource::Programme { id: programme.id }),
            programme: programme.clone(),
            waves: view.waves.clone(),
            wave: wave.clone(),
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// `wave=…&region=…&population_band=…` for links that keep the cohort page's filter.
fn peer_query(wave: &Wave, peers: &PeerGroup) -> String {
    let mut q = format!("wave={}", wave.slug);
    if let Some(r) = peers.region {
        q.push_str(&format!("&region={}", r.slug()));
    }
    if let Some(b) = peers.population_band {
        q.push_str(&format!("&population_band={}", b.slug()));
    }
    q
}

// ---- The questionnaire: one topic per page, check your answers, submit ------------------------

use super::PageForm;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use urbis_domain::diagnostic::Answer;
use urbis_domain::diagnostic::instrument::ContextKind;
use urbis_store::diagnostic::{Assessment, StoredAnswer};

pub struct SectionLink {
    pub name: String,
    pub href: String,
    pub answered: usize,
    pub total: usize,
}

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    wave_name: String,
    assessment: Assessment,
    sections: Vec<SectionLink>,
    can_answer: bool,
    can_submit: bool,
}

const CONTEXT: &str = "context";

/// An assessment the caller may do `action` on, with its instrument version in the caller's language.
async fn loaded_with_instrument(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    action: Action,
) -> Result<(ops::Loaded, Instrument), AppError> {
    let loaded = ops::load_for(state, &ctx.caller, id, action).await?;
    let a = &loaded.assessment;
    let inst = ops::instrument_of(state, a).await?.localised(ctx.t.code);
    Ok((loaded, inst))
}

fn mine(answers: &[StoredAnswer], me: Option<Uuid>) -> HashMap<String, StoredAnswer> {
    answers.iter().filter(|a| Some(a.respondent_id) == me).map(|a| (a.question_id.clone(), a.clone())).collect()
}

pub async fn assessment(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    let r: Result<Response, AppError> = async {
        let (loaded, inst) = loaded_with_instrument(&state, &ctx, &id, Action::ReadAssessment).await?;
        let wave_name = loaded.assessment.wave_name.clone();
        let answers = state.store.answers(loaded.assessment.id).await?;
        let answered: std::collections::HashSet<&str> = answers.iter().map(|a| a.question_id.as_str()).collect();
        let mut sections: Vec<SectionLink> = inst
            .capabilities
            .iter()
            .map(|c| {
                let qs: Vec<_> = inst.questions.iter().filter(|q| q.capability == c.slug).collect();
                SectionLink {
                    name: capability_name(&ctx, &inst, &c.slug),
                    href: format!("/assessments/{}/sections/{}", loaded.assessment.id, c.slug),
                    answered: qs.iter().filter(|q| answered.contains(q.id.as_str())).count(),
                    total: qs.len(),
                }
            })
            .collect();
        if !inst.context.is_empty() {
            sections.push(SectionLink {
                name: ctx.t.get("questionnaire-context"),
                href: format!("/assessments/{}/sections/{CONTEXT}", loaded.assessment.id),
                answered: inst.context.iter().filter(|q| answered.contains(q.id.as_str())).count(),
                total: inst.context.len(),
            });
        }
        Ok(ctx.render(AssessmentPage {
            ctx: &ctx,
            can_answer: ctx.caller.can(Action::AnswerAssessment, &loaded.resource),
            can_submit: ctx.caller.can(Action::SubmitAssessment, &loaded.resource),
            city: loaded.city,
            wave_name,
            assessment: loaded.assessment,
            sections,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub struct OptionView {
    pub value: String,
    pub label: String,
    pub hint: String,
    pub checked: bool,
}

pub struct QuestionView {
    pub id: String,
    /// `level`, `checklist`, `choice`, `number` or `text`.
    pub kind: &'static str,
    pub text: String,
    pub help: String,
    pub evidence_prompt: String,
    pub options: Vec<OptionView>,
    pub value: String,
    pub unit: String,
    pub evidence: String,
    pub comment: String,
    pub required: bool,
    pub error: Option<String>,
}

#[derive(Template)]
#[template(path = "assessment_section.html")]
struct SectionPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    assessment: Assessment,
    title: String,
    description: String,
    questions: Vec<QuestionView>,
    errors: Vec<ShownError>,
    locked: bool,
    section: String,
}

/// What a form shows for a question: the selected values, the evidence and the comment.
struct Shown {
    selected: Vec<String>,
    evidence: String,
    comment: String,
}

fn shown_from_answer(a: Option<&StoredAnswer>) -> Shown {
    let Some(a) = a else { return Shown { selected: vec![], evidence: String::new(), comment: String::new() } };
    let selected = match &a.answer {
        Answer::Level(l) => vec![l.to_string()],
        Answer::Ticked(items) if items.is_empty() => vec!["none".into()],
        Answer::Ticked(items) => items.clone(),
        Answer::Choice(c) => {
            vec![serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()]
        }
        Answer::NotApplicable => vec!["na".into()],
        Answer::Number(n) => vec![format!("{n}")],
        Answer::Text(t) => vec![t.clone()],
    };
    Shown { selected, evidence: a.evidence.clone(), comment: a.comment.clone() }
}

fn shown_from_form(form: &PageForm, id: &str) -> Shown {
    Shown {
        selected: form.get_all(&format!("q-{id}")).into_iter().filter(|v| !v.is_empty()).map(str::to_string).collect(),
        evidence: form.get(&format!("e-{id}")).to_string(),
        comment: form.get(&format!("c-{id}")).to_string(),
    }
}

fn section_views(
    ctx: &Ctx,
    inst: &Instrument,
    section: &str,
    shown: &dyn Fn(&str) -> Shown,
    errors: &[ShownError],
) -> Vec<QuestionView> {
    let error = |id: &str| errors.iter().find(|e| e.field == format!("q-{id}")).map(|e| e.message.clone());
    if section == CONTEXT {
        return inst
            .context
            .iter()
            .map(|q| {
                let s = shown(&q.id);
                QuestionView {
                    id: q.id.clone(),
                    kind: if q.kind == ContextKind::Number { "number" } else { "text" },
                    text: q.text.clone(),
                    help: q.help.clone(),
                    evidence_prompt: String::new(),
                    options: vec![],
                    value: s.selected.first().cloned().unwrap_or_default(),
                    unit: q.unit.clone().unwrap_or_default(),
                    evidence: s.evidence,
                    comment: s.comment,
                    required: q.required,
                    error: error(&q.id),
                }
            })
            .collect();
    }
    inst.questions
        .iter()
        .filter(|q| q.capability == section)
        .map(|q| {
            let s = shown(&q.id);
            let opt = |value: String, label: String, hint: String| OptionView {
                checked: s.selected.contains(&value),
                value,
                label,
                hint,
            };
            let mut options: Vec<OptionView> = match q.kind {
                urbis_domain::diagnostic::QuestionKind::Level => q
                    .levels
                    .iter()
                    .enumerate()
                    .map(|(i, d)| {
                        opt(
                            (i + 1).to_string(),
                            ctx.t.with("questionnaire-level", &[("level", &(i + 1).to_string())]),
                            d.clone(),
                        )
                    })
                    .collect(),
                urbis_domain::diagnostic::QuestionKind::Choice => ["yes", "partial", "no"]
                    .iter()
                    .map(|c| opt(c.to_string(), ctx.t.get(&format!("questionnaire-choice-{c}")), String::new()))
                    .collect(),
                urbis_domain::diagnostic::QuestionKind::Checklist => {
                    let mut v: Vec<OptionView> =
                        q.items.iter().map(|i| opt(i.id.clone(), i.text.clone(), String::new())).collect();
                    v.push(opt("none".into(), ctx.t.get("questionnaire-none-of-these"), String::new()));
                    v
                }
            };
            if q.allow_not_applicable {
                options.push(opt("na".into(), ctx.t.get("questionnaire-not-applicable"), String::new()));
            }
            QuestionView {
                id: q.id.clone(),
                kind: q.kind.as_str(),
                text: q.text.clone(),
                help: q.help.clone(),
                evidence_prompt: q.evidence.clone(),
                options,
                value: String::new(),
                unit: String::new(),
                evidence: s.evidence,
                comment: s.comment,
                required: q.required,
                error: error(&q.id),
            }
        })
        .collect()
}

fn section_title(ctx: &Ctx, inst: &Instrument, section: &str) -> Option<(String, String)> {
    if section == CONTEXT {
        return Some((ctx.t.get("questionnaire-context"), ctx.t.get("questionnaire-context-hint")));
    }
    inst.capabilities
        .iter()
        .find(|c| c.slug == section)
        .map(|c| (capability_name(ctx, inst, &c.slug), c.description.clone()))
}

pub async fn section(State(state): State<AppState>, ctx: Ctx, Path((id, section)): Path<(String, String)>) -> Response {
    let r: Result<Response, AppError> = async {
        let (loaded, inst) = loaded_with_instrument(&state, &ctx, &id, Action::ReadAssessment).await?;
        let (title, description) = section_title(&ctx, &inst, &section).ok_or_else(|| AppError::NotFound("section"))?;
        let answers = state.store.answers(loaded.assessment.id).await?;
        let mine = mine(&answers, ctx.caller.actor.person);
        let questions = section_views(&ctx, &inst, &section, &|q| shown_from_answer(mine.get(q)), &[]);
        let locked = loaded.assessment.status != AssessmentStatus::Draft
            || !ctx.caller.can(Action::AnswerAssessment, &loaded.resource);
        Ok(ctx.render(SectionPage {
            ctx: &ctx,
            city: loaded.city,
            assessment: loaded.assessment,
            title,
            description,
            questions,
            errors: vec![],
            locked,
            section,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// The answer a form sent for a question, if any.
fn answer_from_form(inst: &Instrument, id: &str, values: &[&str]) -> Result<Option<Answer>, &'static str> {
    let Some(first) = values.first() else { return Ok(None) };
    if *first == "na" {
        return Ok(Some(Answer::NotApplicable));
    }
    if let Some(q) = inst.question(id) {
        return Ok(Some(match q.kind {
            urbis_domain::diagnostic::QuestionKind::Level => Answer::Level(first.parse().map_err(|_| "out-of-range")?),
            urbis_domain::diagnostic::QuestionKind::Choice => Answer::Choice(match *first {
                "yes" => urbis_domain::diagnostic::Choice::Yes,
                "partial" => urbis_domain::diagnostic::Choice::Partial,
                "no" => urbis_domain::diagnostic::Choice::No,
                _ => return Err("invalid-choice"),
            }),
            urbis_domain::diagnostic::QuestionKind::Checklist => {
                if values.contains(&"none") {
                    if values.len() > 1 {
                        return Err("none-and-items");
                    }
                    Answer::Ticked(vec![])
                } else {
                    Answer::Ticked(values.iter().map(|v| v.to_string()).collect())
                }
            }
        }));
    }
    match inst.context_question(id).map(|q| q.kind) {
        Some(ContextKind::Number) => {
            let n: f64 = first.trim().replace(' ', "").replace(',', ".").parse().map_err(|_| "not-a-number")?;
            Ok(Some(Answer::Number(n)))
        }
        Some(ContextKind::Text) => Ok(Some(Answer::Text(first.to_string()))),
        None => Err("unknown-question"),
    }
}

/// The sections of a questionnaire in order: one per capability, then the context questions.
fn section_order(inst: &Instrument) -> Vec<String> {
    let mut order: Vec<String> = inst.capabilities.iter().map(|c| c.slug.clone()).collect();
    if !inst.context.is_empty() {
        order.push(CONTEXT.into());
    }
    order
}

/// Check the answers a section's form sent: the checked answers, or the errors to show beside the
/// questions (named by the question's text).
fn checked_section(
    ctx: &Ctx,
    inst: &Instrument,
    section: &str,
    form: &PageForm,
) -> (Vec<urbis_store::diagnostic::NewAnswer>, Vec<ShownError>) {
    let ids: Vec<(String, String)> = if section == CONTEXT {
        inst.context.iter().map(|q| (q.id.clone(), q.text.clone())).collect()
    } else {
        inst.questions.iter().filter(|q| q.capability == section).map(|q| (q.id.clone(), q.text.clone())).collect()
    };
    let mut errors = vec![];
    let mut checked = vec![];
    for (qid, text) in &ids {
        let values = form.get_all(&format!("q-{qid}"));
        let values: Vec<&str> = values.into_iter().filter(|v| !v.is_empty()).collect();
        let evidence = form.get(&format!("e-{qid}"));
        let comment = form.get(&format!("c-{qid}"));
        let reason = match answer_from_form(inst, qid, &values) {
            Ok(None) => continue,
            Ok(Some(a)) => match ops::check_answer(inst, qid, a, evidence, comment) {
                Ok(n) => {
                    checked.push(n);
                    continue;
                }
                Err(e) => {
                    e.field_errors().first().map(|e| e.code.to_string()).unwrap_or_else(|| "invalid-field".into())
                }
            },
            Err(code) => code.to_string(),
        };
        errors.push(ShownError {
            field: format!("q-{qid}"),
            message: ctx.t.with(&format!("error-{reason}"), &[("field", text)]),
        });
    }
    (checked, errors)
}

pub async fn section_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, section)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let (loaded, inst) = loaded_with_instrument(&state, &ctx, &id, Action::AnswerAssessment).await?;
        let (title, description) = section_title(&ctx, &inst, &section).ok_or_else(|| AppError::NotFound("section"))?;
        let (checked, errors) = checked_section(&ctx, &inst, &section, &form);
        if !errors.is_empty() {
            let questions = section_views(&ctx, &inst, &section, &|q| shown_from_form(&form, q), &errors);
            return Ok(ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                SectionPage {
                    ctx: &ctx,
                    city: loaded.city,
                    assessment: loaded.assessment,
                    title,
                    description,
                    questions,
                    errors,
                    locked: false,
                    section: section.clone(),
                },
            ));
        }
        if !checked.is_empty() {
            ops::save_answers(&state, &ctx.caller, &loaded, &checked).await?;
        }
        // Continue with the next section, or back to the overview after the last one.
        let order = section_order(&inst);
        let next = order.iter().skip_while(|s| **s != section).nth(1);
        let to = match next {
            Some(n) => format!("/assessments/{}/sections/{n}", loaded.assessment.id),
            None => format!("/assessments/{}/check", loaded.assessment.id),
        };
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub struct CheckItem {
    pub text: String,
    pub anchor: String,
    pub mine: String,
    pub respondents: usize,
    pub missing: bool,
}

pub struct CheckSection {
    pub name: String,
    pub href: String,
    pub items: Vec<CheckItem>,
}

#[derive(Template)]
#[template(path = "assessment_check.html")]
struct CheckPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    assessment: Assessment,
    sections: Vec<CheckSection>,
    errors: Vec<ShownError>,
    can_submit: bool,
    overall: String,
}

fn describe(ctx: &Ctx, inst: &Instrument, a: &StoredAnswer) -> String {
    match &a.answer {
        Answer::Level(l) => ctx.t.with("questionnaire-level", &[("level", &l.to_string())]),
        Answer::Choice(c) => ctx.t.get(&format!(
            "questionnaire-choice-{}",
            serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        )),
        Answer::Ticked(items) if items.is_empty() => ctx.t.get("questionnaire-none-of-these"),
        Answer::Ticked(items) => {
            let q = inst.question(&a.question_id);
            items
                .iter()
                .map(|i| {
                    q.and_then(|q| q.items.iter().find(|x| &x.id == i))
                        .map(|x| x.text.clone())
                        .unwrap_or_else(|| i.clone())
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        Answer::NotApplicable => ctx.t.get("questionnaire-not-applicable"),
        Answer::Number(n) => format!("{n}"),
        Answer::Text(t) => t.clone(),
    }
}

async fn check_page(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    errors: Vec<ShownError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (loaded, inst) = loaded_with_instrument(state, ctx, id, Action::ReadAssessment).await?;
    let (_, answers, scores) = ops::scores(state, &loaded.assessment).await?;
    let mine = mine(&answers, ctx.caller.actor.person);
    let count = |qid: &str| answers.iter().filter(|a| a.question_id == qid).count();
    let item = |qid: &str, text: &str, required: bool| CheckItem {
        text: text.to_string(),
        anchor: format!("q-{qid}"),
        mine: mine.get(qid).map(|a| describe(ctx, &inst, a)).unwrap_or_default(),
        respondents: count(qid),
        missing: required && count(qid) == 0,
    };
    let mut sections: Vec<CheckSection> = inst
        .capabilities
        .iter()
        .map(|c| CheckSection {
            name: capability_name(ctx, &inst, &c.slug),
            href: format!("/assessments/{}/sections/{}", loaded.assessment.id, c.slug),
            items: inst
                .questions
                .iter()
                .filter(|q| q.capability == c.slug)
                .map(|q| item(&q.id, &q.text, q.required))
                .collect(),
        })
        .collect();
    if !inst.context.is_empty() {
        sections.push(CheckSection {
            name: ctx.t.get("questionnaire-context"),
            href: format!("/assessments/{}/sections/{CONTEXT}", loaded.assessment.id),
            items: inst.context.iter().map(|q| item(&q.id, &q.text, q.required)).collect(),
        });
    }
    Ok(ctx.render_status(
        status,
        CheckPage {
            ctx,
            can_submit: ctx.caller.can(Action::SubmitAssessment, &loaded.resource)
                && loaded.assessment.status == AssessmentStatus::Draft,
            city: loaded.city,
            assessment: loaded.assessment,
            sections,
            errors,
            overall: fmt(scores.overall),
        },
    ))
}

pub async fn check(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    check_page(&state, &ctx, &id, vec![], StatusCode::OK).await.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn check_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, _form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = ops::load_for(&state, &ctx.caller, &id, Action::SubmitAssessment).await?;
        match ops::submit(&state, &ctx.caller, &loaded).await {
            Ok(_) => Ok(Redirect::to(&format!("/cities/{}/diagnostic", loaded.city.slug)).into_response()),
            Err(AppError::Refused { rule, errors, .. }) => {
                let inst = ops::instrument(
                    &state,
                    &loaded.assessment.instrument_slug,
                    Some(loaded.assessment.instrument_version),
                )
                .await?
                .instrument
                .localised(ctx.t.code);
                let text = |qid: &str| {
                    inst.question(qid)
                        .map(|q| q.text.clone())
                        .or_else(|| inst.context_question(qid).map(|q| q.text.clone()))
                        .unwrap_or_default()
                };
                let errors = if rule == "incomplete" {
                    errors
                        .iter()
                        .map(|e| ShownError {
                            field: format!("q-{}", e.field),
                            message: ctx.t.with("questionnaire-missing", &[("question", &text(&e.field))]),
                        })
                        .collect()
                } else {
                    vec![ShownError { field: "status".into(), message: ctx.t.get("error-not-draft") }]
                };
                check_page(&state, &ctx, &id, errors, StatusCode::CONFLICT).await
            }
            Err(p) => Err(p),
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// Start an assessment from the city's diagnostic page.
pub async fn start_post(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
        let city = net::city(&state, &slug).await?;
        let a =
            ops::create(&state, &ctx.caller, &city, Some(form.get("programme")), form.get("wave"), INSTRUMENT).await?;
        Ok(Redirect::to(&format!("/assessments/{}", a.id)).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// Publish or withdraw the shown assessment's scores from the city's diagnostic page.
pub async fn publish_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = ops::load_for(&state, &ctx.caller, &id, Action::PublishAssessment).await?;
        let version =
            form.version().ok_or_else(|| AppError::invalid("version", "required", "the form lacks its version"))?;
        ops::publish(&state, &ctx.caller, &loaded, version, form.checked("published")).await?;
        Ok(Redirect::to(&format!("/cities/{}/diagnostic?saved=1", loaded.city.slug)).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}
