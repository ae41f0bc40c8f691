//! The cohort's services by focus area and phase, and its results by status and focus area.

use super::indicators::{num, pct};
use crate::charts::stacked_bars;
use crate::pages::Ctx;
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use urbis_app::AppError;
use urbis_app::network as net;
use urbis_app::services as ops;
use urbis_domain::services::{FocusArea, PhaseKind, Status};
use urbis_store::network::Programme;
use urbis_store::services::Service;

// ---- services by focus area and phase -------------------------------------------------------------

pub struct CohortCell {
    pub id: String,
    pub city: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "cohort_services.html")]
struct CohortServicesPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    phases: Vec<String>,
    /// Per focus area: its name and, per phase, the services in it.
    matrix: Vec<(String, Vec<Vec<CohortCell>>)>,
    services: Vec<Service>,
}

/// The services of each focus area in each phase.
fn service_matrix(ctx: &Ctx, services: &[Service]) -> Vec<(String, Vec<Vec<CohortCell>>)> {
    let cells = |f: FocusArea, k: PhaseKind| {
        services
            .iter()
            .filter(|s| s.focus_area == f && s.phase == k)
            .map(|s| CohortCell { id: s.id.to_string(), city: s.organisation_name.clone(), title: s.title.clone() })
            .collect()
    };
    FocusArea::ALL
        .iter()
        .map(|f| (ctx.t.get(&format!("focus-{}", f.as_str())), PhaseKind::ALL.iter().map(|k| cells(*f, *k)).collect()))
        .collect()
}

pub async fn cohort_services(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let programme = net::programme(&ctx.state, &slug).await?;
        let services = ops::of_programme(&ctx.state, &ctx.caller, &programme).await?;
        Ok::<_, AppError>(ctx.render(CohortServicesPage {
            ctx: &ctx,
            programme,
            phases: PhaseKind::ALL.iter().map(|k| ctx.t.get(&format!("phase-{}", k.as_str()))).collect(),
            matrix: service_matrix(&ctx, &services),
            services,
        }))
    })
    .await
}

// ---- results by status and focus area -------------------------------------------------------------

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
    programme: Programme,
    statuses: Vec<&'static str>,
    chart: String,
    /// Per focus area: its name and the number of indicators in each status.
    matrix: Vec<(String, Vec<usize>)>,
    totals: Vec<usize>,
    rows: Vec<ResultRow>,
}

/// Per focus area, the number of indicators in each status (in the order of `Status::ALL`).
fn status_matrix(results: &[ops::IndicatorResult]) -> Vec<(FocusArea, Vec<usize>)> {
    let mut matrix: Vec<(FocusArea, Vec<usize>)> =
        FocusArea::ALL.iter().map(|f| (*f, vec![0; Status::ALL.len()])).collect();
    for r in results {
        let row = matrix.iter_mut().find(|(f, _)| *f == r.service.focus_area);
        if let (Some(row), Some(col)) = (row, Status::ALL.iter().position(|x| *x == r.evaluation.status)) {
            row.1[col] += 1;
        }
    }
    matrix
}

/// One indicator's row of the results table.
fn result_row(ctx: &Ctx, r: &ops::IndicatorResult) -> ResultRow {
    let (s, i, e) = (&r.service, &r.indicator, &r.evaluation);
    ResultRow {
        service_id: s.id.to_string(),
        indicator_id: i.id.to_string(),
        city: s.organisation_name.clone(),
        focus: ctx.t.get(&format!("focus-{}", s.focus_area.as_str())),
        indicator: i.name.clone(),
        latest: e.latest.map(|p| format!("{} {}", num(p.value), i.unit)).unwrap_or_else(|| "–".into()),
        progress: pct(e.progress),
        expected: pct(e.expected),
        status: e.status.as_str(),
    }
}

/// The results page of a programme: the status matrix with its totals and chart, and every
/// indicator the caller may see by city.
fn results_page<'a>(ctx: &'a Ctx, programme: Programme, results: &[ops::IndicatorResult]) -> CohortResultsPage<'a> {
    let matrix: Vec<(String, Vec<usize>)> =
        status_matrix(results).into_iter().map(|(f, r)| (ctx.t.get(&format!("focus-{}", f.as_str())), r)).collect();
    let totals = (0..Status::ALL.len()).map(|c| matrix.iter().map(|(_, r)| r[c]).sum()).collect();
    let categories: Vec<(&str, String)> =
        Status::ALL.iter().map(|s| (s.as_str(), ctx.t.get(&format!("indicator-status-{}", s.as_str())))).collect();
    let chart = stacked_bars(
        "results-chart",
        &ctx.t.get("services-results-chart-title"),
        &ctx.t.get("services-results-chart-desc"),
        &categories,
        &matrix,
    );
    let mut rows: Vec<ResultRow> = results.iter().map(|r| result_row(ctx, r)).collect();
    rows.sort_by(|a, b| a.city.cmp(&b.city).then(a.indicator.cmp(&b.indicator)));
    CohortResultsPage {
        ctx,
        programme,
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
        chart,
        matrix,
        totals,
        rows,
    }
}

pub async fn cohort_results(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let programme = net::programme(&ctx.state, &slug).await?;
        let results = ops::results(&ctx.state, &ctx.caller, &programme).await?;
        Ok::<_, AppError>(ctx.render(results_page(&ctx, programme, &results)))
    })
    .await
}
