//! A programme's cohort diagnostic: the heat map and table of the cities the caller may see, the
//! cohort's distributions (when the policy lets them be shown), and the cohort's progress, within
//! a peer group.

use super::{ProgressRow, WaveFigures, capability_name, fmt, progress_rows};
use crate::charts::heat_map;
use crate::pages::{Ctx, ShownError};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::diagnostic::{self as ops, INSTRUMENT};
use urbis_domain::diagnostic::{Distribution, Instrument, PeerGroup};
use urbis_domain::network::{PopulationBand, Region};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{Wave, WaveResult};
use urbis_store::network::Programme;

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
    /// How many cities the figures are computed over, and whether those are the published ones
    /// (else every submitted assessment: programme staff).
    n: usize,
    published_basis: bool,
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

pub async fn cohort(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(cohort_page(&ctx, &slug, &q)).await
}

async fn cohort_page(ctx: &Ctx, slug: &str, q: &HashMap<String, String>) -> Result<Response, AppError> {
    // A bad filter value is reported above the form and the whole cohort is shown.
    let (peers, errors) =
        match PeerGroup::parse(q.get("region").map(String::as_str), q.get("population_band").map(String::as_str)) {
            Ok(p) => (p, vec![]),
            Err(e) => (PeerGroup::default(), ctx.invalid(&e.0)),
        };
    let view = ops::cohort(&ctx.state, &ctx.caller, slug, INSTRUMENT, q.get("wave").map(String::as_str), peers).await?;
    let stored = ops::instrument_in(&ctx.state, INSTRUMENT, None, ctx.t.code).await?;
    let inst = &stored.instrument;
    let listed: Vec<_> = view.listed().collect();
    let pages = listed.len().div_ceil(COHORT_PAGE).max(1);
    let page = q.get("page").and_then(|p| p.parse::<usize>().ok()).unwrap_or(1).clamp(1, pages);
    let listed: Vec<_> = listed.into_iter().skip((page - 1) * COHORT_PAGE).take(COHORT_PAGE).collect();
    let (columns, heat, table) = heat_and_table(ctx, inst, &view.wave, &listed);
    let (wave_names, progress) = cohort_progress(ctx, inst, &view).await?;
    let programme = &view.programme;
    Ok(ctx.render(CohortDiagnosticPage {
        ctx,
        n: view.benchmark.n(),
        published_basis: view.benchmark.basis == ops::Basis::Published,
        cohort_shown: view.cohort_shown,
        heat,
        columns,
        table,
        distributions: distributions(ctx, inst, &view),
        wave_names,
        progress,
        filter_query: peer_query(&view.wave, &view.peers),
        region: view.peers.region.map(|r| r.slug().to_string()).unwrap_or_default(),
        population_band: view.peers.population_band.map(|b| b.slug().to_string()).unwrap_or_default(),
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
        wave: view.wave.clone(),
    }))
}

/// A row of the cohort table: the city's slug, its name and its scores (each capability, overall).
type TableRow = (String, String, Vec<String>);

/// The heat map of the listed cities' capability scores, its column names, and the same as a table.
fn heat_and_table(
    ctx: &Ctx,
    inst: &Instrument,
    wave: &Wave,
    listed: &[&WaveResult],
) -> (Vec<String>, String, Vec<TableRow>) {
    let columns: Vec<String> = inst.capabilities.iter().map(|c| capability_name(ctx, inst, &c.slug)).collect();
    let rows: Vec<(String, Vec<Option<f64>>)> = listed
        .iter()
        .map(|c| {
            let scores = inst
                .capabilities
                .iter()
                .map(|cap| c.results.capabilities.get(&cap.slug).and_then(|r| r.score))
                .collect();
            (c.assessment.organisation_name.clone(), scores)
        })
        .collect();
    let heat = heat_map(
        &ctx.t.with("diagnostic-heat-title", &[("wave", &wave.name)]),
        &ctx.t.get("diagnostic-heat-desc"),
        &columns,
        &rows,
    );
    let table = listed
        .iter()
        .zip(&rows)
        .map(|(c, (name, vals))| {
            let mut cells: Vec<String> = vals.iter().map(|v| fmt(*v)).collect();
            cells.push(fmt(c.results.overall));
            (c.assessment.organisation_slug.clone(), name.clone(), cells)
        })
        .collect();
    (columns, heat, table)
}

/// The cohort's distribution per capability and overall, when its figures may be shown.
fn distributions(ctx: &Ctx, inst: &Instrument, view: &ops::Cohort) -> Vec<DistributionRow> {
    let row = |name: String, d: Option<Distribution>| {
        let d = d.filter(|_| view.cohort_shown);
        DistributionRow {
            name,
            n: d.map(|d| d.n).unwrap_or(0),
            cells: match d {
                Some(d) => [d.min, d.q1, d.median, d.q3, d.max].map(|v| format!("{v:.0}")),
                None => std::array::from_fn(|_| "–".to_string()),
            },
        }
    };
    let bench = &view.benchmark;
    let mut rows: Vec<DistributionRow> =
        bench.capabilities.iter().map(|(slug, d)| row(capability_name(ctx, inst, slug), *d)).collect();
    rows.push(row(ctx.t.get("diagnostic-overall"), bench.overall));
    rows
}

/// Progress: the cohort median per capability in every wave (where its figures may be shown).
async fn cohort_progress(
    ctx: &Ctx,
    inst: &Instrument,
    view: &ops::Cohort,
) -> Result<(Vec<String>, Vec<ProgressRow>), AppError> {
    let mut names = vec![];
    let mut medians = vec![];
    for w in &view.waves {
        let other = if w.id == view.wave.id {
            None
        } else {
            Some(ops::benchmark(&ctx.state, w, INSTRUMENT, &view.peers, view.benchmark.basis).await?)
        };
        let b = other.as_ref().unwrap_or(&view.benchmark);
        let shown = ops::figures_shown(&ctx.caller, &view.programme, b);
        let median = |d: &Option<Distribution>| d.filter(|_| shown).map(|d| d.median);
        names.push(w.name.clone());
        medians.push(WaveFigures {
            capabilities: b.capabilities.iter().map(|(k, d)| (k.clone(), median(d))).collect(),
            overall: median(&b.overall),
        });
    }
    Ok((names, progress_rows(ctx, inst, &medians)))
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
