//! A wave's benchmark within a peer group, as JSON and CSV.

use super::{csv, csv_field, num};
use crate::api::{Api, PageQuery, page_of};
use crate::error::{InvalidErrors, NotFoundErrors, Problem, QueryErrors, TokenErrors};
use axum::Json;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use urbis_app::diagnostic as ops;
use urbis_domain::diagnostic::Distribution;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct DistributionOut {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl From<Distribution> for DistributionOut {
    fn from(d: Distribution) -> Self {
        DistributionOut { n: d.n, min: d.min, q1: d.q1, median: d.median, q3: d.q3, max: d.max }
    }
}

/// A capability's self-assessed score and level in a benchmark.
#[derive(Serialize, ToSchema)]
pub struct FigureOut {
    pub score: Option<f64>,
    pub level: u8,
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkCityOut {
    pub city: String,
    pub overall: Option<f64>,
    /// Percentile rank of the overall score within the peer group.
    pub percentile_rank: Option<f64>,
    pub capabilities: BTreeMap<String, FigureOut>,
}

/// The peer group a benchmark was computed for; absent filters mean the whole cohort.
#[derive(Serialize, ToSchema)]
pub struct PeerGroupOut {
    pub region: Option<String>,
    pub population_band: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct BenchmarkOut {
    pub instrument: String,
    pub wave: String,
    /// Whether the wave is closed: its figures are then the frozen baseline taken at closing.
    pub frozen: bool,
    pub peer_group: PeerGroupOut,
    /// Which cities the figures and ranks are computed over: `published` (the cities of the wave
    /// and peer group that published their scores: what everyone gets) or `submitted` (every
    /// submitted assessment, unpublished ones included: programme staff, experts and reviewers).
    pub basis: String,
    /// How many cities the figures are computed over.
    pub n: usize,
    /// Cohort figures, given only from 5 cities on (programme staff and experts always see them).
    pub overall: Option<DistributionOut>,
    /// Per capability slug; absent when hidden or without scores.
    pub capabilities: BTreeMap<String, DistributionOut>,
    /// Cities that published their scores, and the caller's own city (all cities for programme
    /// staff and experts), by name, one page (`?page=`, `?per_page=`) at a time. Percentile ranks
    /// are among the basis's cities (a city outside it is ranked as if it joined them).
    pub cities: Vec<BenchmarkCityOut>,
    pub page: u32,
    pub per_page: u32,
    /// Cities listed over all pages.
    pub cities_total: usize,
}

/// The benchmark of an instrument in a wave: distribution per capability and overall, and the
/// cities that published their scores. Figures are computed over published cities only, unless
/// the caller may read every assessment of the programme. `?instrument=` defaults to `city-digital-maturity`,
/// `?wave=` to the newest wave; `?region=` (e.g. `northern-europe`) and `?population_band=` (e.g.
/// `500k-1m`) narrow it to a peer group. Closed waves give their frozen baseline.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark", tag = "diagnostic",
    params(("slug" = String, Path, description = "the programme's slug"), ("instrument" = Option<String>, Query), ("wave" = Option<String>, Query), ("region" = Option<String>, Query),
           ("population_band" = Option<String>, Query), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = BenchmarkOut), TokenErrors, QueryErrors, NotFoundErrors, InvalidErrors))]
pub async fn get_benchmark(api: Api, Path(slug): Path<String>, q: PageQuery) -> Result<Json<BenchmarkOut>, Problem> {
    Ok(Json(benchmark_out(&api, &slug, &q.query, Some(q.page)).await?))
}

async fn benchmark_out(
    api: &Api,
    slug: &str,
    q: &HashMap<String, String>,
    page: Option<urbis_store::Page>,
) -> Result<BenchmarkOut, Problem> {
    let instrument = q.get("instrument").map(String::as_str).unwrap_or(ops::INSTRUMENT);
    let peers = ops::peer_group(q)?;
    let view = ops::cohort(&api.state, &api.caller, slug, instrument, q.get("wave").map(String::as_str), peers).await?;
    let (b, wave, show_cohort) = (&view.benchmark, &view.wave, view.cohort_shown);
    let listed: Vec<_> = view.listed().collect();
    let page = page.unwrap_or_else(urbis_store::Page::all);
    let cities = page_of(page, &listed)
        .iter()
        .map(|c| BenchmarkCityOut {
            city: c.assessment.organisation_slug.clone(),
            overall: c.results.overall,
            percentile_rank: b.rank(c),
            capabilities: c
                .results
                .capabilities
                .iter()
                .map(|(k, v)| (k.clone(), FigureOut { score: v.score, level: v.level }))
                .collect(),
        })
        .collect();
    Ok(BenchmarkOut {
        instrument: b.instrument.slug.clone(),
        frozen: wave.closed_at.is_some(),
        wave: wave.slug.clone(),
        peer_group: PeerGroupOut {
            region: peers.region.map(|r| r.slug().to_string()),
            population_band: peers.population_band.map(|p| p.slug().to_string()),
        },
        page: page.page,
        per_page: page.per_page,
        cities_total: listed.len(),
        basis: match b.basis {
            ops::Basis::Published => "published",
            ops::Basis::Submitted => "submitted",
        }
        .into(),
        n: b.n(),
        overall: if show_cohort { b.overall.map(Into::into) } else { None },
        capabilities: b
            .capabilities
            .iter()
            .filter(|_| show_cohort)
            .filter_map(|(k, d)| d.map(|d| (k.clone(), d.into())))
            .collect(),
        cities,
    })
}

/// The benchmark as CSV: one row per capability and overall (the cohort distribution), then one
/// row per city shown.
#[utoipa::path(get, path = "/programmes/{slug}/benchmark.csv", tag = "diagnostic",
    params(("slug" = String, Path, description = "the programme's slug"), ("instrument" = Option<String>, Query), ("wave" = Option<String>, Query), ("region" = Option<String>, Query),
           ("population_band" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), TokenErrors, NotFoundErrors, InvalidErrors))]
pub async fn get_benchmark_csv(
    api: Api,
    Path(slug): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let b = benchmark_out(&api, &slug, &q, None).await?;
    let mut out = String::from("row,capability,n,min,q1,median,q3,max,city,score,level,percentile_rank\n");
    let mut dist = |cap: &str, d: &DistributionOut| {
        let _ =
            writeln!(out, "cohort,{cap},{},{:.2},{:.2},{:.2},{:.2},{:.2},,,,", d.n, d.min, d.q1, d.median, d.q3, d.max);
    };
    if let Some(d) = &b.overall {
        dist("overall", d);
    }
    for (cap, d) in &b.capabilities {
        dist(cap, d);
    }
    for c in &b.cities {
        let _ =
            writeln!(out, "city,overall,,,,,,,{},{},,{}", csv_field(&c.city), num(c.overall), num(c.percentile_rank));
        for (cap, s) in &c.capabilities {
            let _ = writeln!(out, "city,{cap},,,,,,,{},{},{},", csv_field(&c.city), num(s.score), s.level);
        }
    }
    Ok(csv(&format!("benchmark-{}-{}-{}.csv", slug, b.instrument, b.wave), out))
}
