//! Pages of the `diagnostic` capability: a city's diagnostic (radar against the cohort, levels,
//! spread, progress across waves, the way to the next level) and the cohort's (heat map,
//! distributions, progress).

use super::Ctx;
use crate::AppState;
use crate::charts::{RadarSeries, heat_map, radar};
use crate::diagnostic as ops;
use crate::error::Problem;
use crate::network as net;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use std::collections::HashMap;
use urbis_domain::diagnostic::{Distribution, Instrument};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{AssessmentStatus, RecommendedAction, Wave};
use urbis_store::network::{Organisation, Programme};
use uuid::Uuid;

const INSTRUMENT: &str = "city-digital-maturity";

/// A capability's name in the viewer's language when the interface has it, else the instrument's.
fn capability_name(ctx: &Ctx, inst: &Instrument, slug: &str) -> String {
    let id = format!("capability-{slug}");
    if ctx.t.has(&id) {
        ctx.t.get(&id)
    } else {
        inst.capabilities.iter().find(|c| c.slug == slug).map(|c| c.title.clone()).unwrap_or_else(|| slug.to_string())
    }
}

fn fmt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0}")).unwrap_or_else(|| "–".into())
}

/// May the caller see every city's results in this programme (staff, experts, reviewers)?
fn privileged(ctx: &Ctx, programme: &Programme) -> bool {
    ctx.caller.can(Action::ReadAssessment, &Resource::Organisation { id: Uuid::nil(), programmes: vec![programme.id] })
}

pub struct CapabilityRow {
    pub name: String,
    pub score: String,
    pub level: u8,
    pub median: String,
    pub spread: String,
    pub next: Vec<RecommendedAction>,
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
}

pub async fn city(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> Response {
    let r: Result<Response, Problem> = async {
        let city = net::city(&state, &slug).await?;
        let resource = net::org_resource(&state, &city).await?;
        let participation = state
            .store
            .participations(city.id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| Problem::not_found("programme"))?;
        let programme = net::programme(&state, &participation.programme_slug).await?;
        let stored = ops::instrument(&state, INSTRUMENT, None).await?;
        let inst = &stored.instrument;
        let can_read = ctx.caller.can(Action::ReadAssessment, &resource);
        let waves = state.store.waves(programme.id).await?;
        let visible: Vec<_> = state
            .store
            .organisation_assessments(city.id, INSTRUMENT)
            .await?
            .into_iter()
            .filter(|a| a.published || can_read)
            .collect();
        let empty = CityDiagnosticPage {
            ctx: &ctx,
            city: city.clone(),
            programme: programme.clone(),
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
        };
        let Some(latest) =
            visible.iter().rev().find(|a| a.status == AssessmentStatus::Submitted).or(visible.last()).cloned()
        else {
            return Ok(ctx.render(empty));
        };
        let (_, _, scores) = ops::scores(&state, &latest).await?;
        let wave: &Wave = waves.iter().find(|w| w.id == latest.wave_id).ok_or_else(|| Problem::not_found("wave"))?;
        let bench = ops::benchmark(&state, wave, INSTRUMENT).await?;
        let cohort_shown = privileged(&ctx, &programme) || bench.cities.len() >= ops::MIN_COHORT;
        let medians: HashMap<&str, Option<Distribution>> =
            bench.capabilities.iter().map(|(k, d)| (k.as_str(), *d)).collect();
        let axes: Vec<String> = inst.capabilities.iter().map(|c| capability_name(&ctx, inst, &c.slug)).collect();
        let city_values: Vec<Option<f64>> =
            inst.capabilities.iter().map(|c| scores.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
        let mut series = vec![RadarSeries { name: &city.name, class: "city", values: city_values }];
        let cohort_name = ctx.t.get("diagnostic-cohort-median");
        if cohort_shown {
            series.push(RadarSeries {
                name: &cohort_name,
                class: "cohort",
                values: inst
                    .capabilities
                    .iter()
                    .map(|c| medians.get(c.slug.as_str()).copied().flatten().map(|d| d.median))
                    .collect(),
            });
        }
        let radar_svg = radar(
            &ctx.t.with("diagnostic-radar-title", &[("city", &city.name), ("wave", &wave.name)]),
            &ctx.t.get(if cohort_shown { "diagnostic-radar-desc-cohort" } else { "diagnostic-radar-desc" }),
            &axes,
            &series,
        );
        let rows = inst
            .capabilities
            .iter()
            .map(|c| {
                let r = scores.capabilities.get(&c.slug);
                let level = r.map(|r| r.level).unwrap_or(1);
                CapabilityRow {
                    name: capability_name(&ctx, inst, &c.slug),
                    score: fmt(r.and_then(|r| r.score)),
                    level,
                    median: if cohort_shown {
                        fmt(medians.get(c.slug.as_str()).copied().flatten().map(|d| d.median))
                    } else {
                        "–".into()
                    },
                    spread: r
                        .and_then(|r| r.spread)
                        .filter(|s| s.n > 1)
                        .map(|s| format!("{:.0}–{:.0} (σ {:.1})", s.min, s.max, s.sd))
                        .unwrap_or_else(|| "–".into()),
                    next: stored
                        .actions
                        .iter()
                        .filter(|a| a.capability == c.slug && a.from_level == level && level < 5)
                        .cloned()
                        .collect(),
                }
            })
            .collect();
        // Progress: each capability's score in every wave with a visible submitted assessment.
        let mut per_wave = vec![];
        for a in visible.iter().filter(|a| a.status == AssessmentStatus::Submitted) {
            let (_, _, s) = ops::scores(&state, a).await?;
            let name = waves.iter().find(|w| w.id == a.wave_id).map(|w| w.name.clone()).unwrap_or_default();
            per_wave.push((name, s));
        }
        let mut progress: Vec<ProgressRow> = inst
            .capabilities
            .iter()
            .map(|c| {
                let vals: Vec<Option<f64>> =
                    per_wave.iter().map(|(_, s)| s.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
                ProgressRow {
                    name: capability_name(&ctx, inst, &c.slug),
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
        Ok(ctx.render(CityDiagnosticPage {
            wave_name: wave.name.clone(),
            status: latest.status.as_str().into(),
            sample: latest.is_sample,
            overall: fmt(scores.overall),
            radar: radar_svg,
            rows,
            cohort_shown,
            wave_names: per_wave.into_iter().map(|(n, _)| n).collect(),
            progress,
            visible: true,
            ..empty
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
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
}

pub async fn cohort(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, Problem> = async {
        let programme = net::programme(&state, &slug).await?;
        let waves = state.store.waves(programme.id).await?;
        let wave = match q.get("wave") {
            Some(w) => waves.iter().find(|x| &x.slug == w).cloned().ok_or_else(|| Problem::not_found("wave"))?,
            None => waves.last().cloned().ok_or_else(|| Problem::not_found("wave"))?,
        };
        let stored = ops::instrument(&state, INSTRUMENT, None).await?;
        let inst = &stored.instrument;
        let privileged = privileged(&ctx, &programme);
        let bench = ops::benchmark(&state, &wave, INSTRUMENT).await?;
        let cohort_shown = privileged || bench.cities.len() >= ops::MIN_COHORT;
        let columns: Vec<String> = inst.capabilities.iter().map(|c| capability_name(&ctx, inst, &c.slug)).collect();
        let shown: Vec<_> = bench.cities.iter().filter(|c| privileged || c.assessment.published).collect();
        let rows: Vec<(String, Vec<Option<f64>>)> = shown
            .iter()
            .map(|c| {
                (
                    c.assessment.organisation_name.clone(),
                    inst.capabilities
                        .iter()
                        .map(|cap| c.scores.capabilities.get(&cap.slug).and_then(|r| r.score))
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
                cells.push(fmt(c.scores.overall));
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
        for w in &waves {
            let b = if w.id == wave.id { None } else { Some(ops::benchmark(&state, w, INSTRUMENT).await?) };
            let b = b.as_ref().unwrap_or(&bench);
            let shown = privileged || b.cities.len() >= ops::MIN_COHORT;
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
            n: bench.cities.len(),
            cohort_shown,
            heat,
            columns,
            table,
            distributions,
            wave_names: medians.into_iter().map(|(n, _, _)| n).collect(),
            progress,
            programme,
            waves,
            wave,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}
