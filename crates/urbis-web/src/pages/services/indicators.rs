//! Outcome indicators: the forms that define one, record a measurement and import a CSV file of
//! them, and the view of one indicator on the service's page (chart, legend and table).

use super::form::{
    FieldDef, FormPage, Values, field, fields, ids, one, pick, plain, saved_at, show, submit, values, values_of,
    writable_indicator, writable_service,
};
use crate::charts::{GoalLines, LineSeries, line_chart};
use crate::pages::{Ctx, PageForm, Refusal, ShownError};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::{Direction, Evaluation, MeasurementInput, Quality, RawIndicator};
use urbis_store::Page;
use urbis_store::services::{Indicator, Measurement, Service};

// ---- defining an indicator -----------------------------------------------------------------------

const INDICATOR_FIELDS: &[FieldDef] = &[
    plain("name", "text"),
    plain("description", "textarea"),
    plain("unit", "text"),
    pick("direction", "select", |_| ids(Direction::ALL, Direction::as_str, "direction")),
    plain("baseline_value", "number"),
    plain("baseline_date", "date"),
    plain("target_value", "number"),
    plain("target_date", "date"),
    plain("data_source", "text"),
    plain("method", "textarea"),
    plain("breakdowns", "text"),
];

fn indicator_page<'a>(ctx: &'a Ctx, s: &Service, v: &Values) -> FormPage<'a> {
    let text = (ctx.t.get("services-indicator-title"), ctx.t.get("services-indicator-lead"));
    FormPage::adding(ctx, s, "indicators", text, fields(ctx, INDICATOR_FIELDS, v, &[]))
}

fn raw_indicator(v: &Values) -> RawIndicator {
    RawIndicator {
        name: one(v, "name"),
        description: one(v, "description"),
        unit: one(v, "unit"),
        direction: one(v, "direction"),
        baseline_value: one(v, "baseline_value"),
        baseline_date: one(v, "baseline_date"),
        target_value: one(v, "target_value"),
        target_date: one(v, "target_date"),
        data_source: one(v, "data_source"),
        method: one(v, "method"),
        breakdowns: one(v, "breakdowns"),
    }
}

pub async fn new_indicator(ctx: Ctx, Path(id): Path<String>) -> Response {
    show(&ctx, writable_service(&ctx, &id), |l| indicator_page(&ctx, &l.service, &Values::new())).await
}

pub async fn new_indicator_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let save = async |l: &ops::Loaded| {
        let i = ops::create_indicator(&ctx.state, &ctx.caller, l, &raw_indicator(&v)).await?;
        Ok(saved_at(l.service.id, &format!("indicator-{}", i.id)))
    };
    submit(&ctx, writable_service(&ctx, &id), |l| indicator_page(&ctx, &l.service, &v), save).await
}

// ---- measurements and their import ---------------------------------------------------------------

/// The hint naming an indicator's breakdowns ("Allowed: …").
fn allowed_breakdowns(ctx: &Ctx, i: &Indicator) -> String {
    ctx.t.with("services-allowed-breakdowns", &[("breakdowns", &i.breakdowns.to_text())])
}

const MEASUREMENT_FIELDS: &[FieldDef] = &[
    plain("date", "date"),
    plain("value", "number"),
    pick("quality", "select", |_| ids(Quality::ALL, Quality::as_str, "quality")),
    plain("breakdown", "text"),
    plain("note", "text"),
];

fn measurement_page<'a>(ctx: &'a Ctx, li: &ops::LoadedIndicator, v: &Values) -> FormPage<'a> {
    let i = &li.indicator;
    let allowed =
        if i.breakdowns.0.is_empty() { ctx.t.get("services-no-breakdowns") } else { allowed_breakdowns(ctx, i) };
    let mut fields = fields(ctx, MEASUREMENT_FIELDS, v, &[]);
    for breakdown in fields.iter_mut().filter(|f| f.name == "breakdown") {
        breakdown.hint = format!("{} {allowed}", breakdown.hint);
    }
    let baseline = i.goal.baseline_date.to_string();
    FormPage {
        lead: ctx.t.with("services-measurement-lead", &[("date", &baseline), ("unit", &i.unit)]),
        ..FormPage::about(
            ctx,
            &li.service.service,
            ctx.t.with("services-measurement-title", &[("indicator", &i.name)]),
            format!("/indicators/{}/measurements/new", i.id),
            fields,
        )
    }
}

pub async fn new_measurement(ctx: Ctx, Path(id): Path<String>) -> Response {
    let v = values([("quality", "final".into())]);
    show(&ctx, writable_indicator(&ctx, &id), |li| measurement_page(&ctx, li, &v)).await
}

fn measurement_input(li: &ops::LoadedIndicator, v: &Values) -> Result<MeasurementInput, AppError> {
    let (date, value, quality) = (one(v, "date"), one(v, "value"), one(v, "quality"));
    let (breakdown, note) = (one(v, "breakdown"), one(v, "note"));
    let i = &li.indicator;
    Ok(MeasurementInput::parse(&date, &value, &quality, &breakdown, &note, &i.breakdowns, i.goal.baseline_date)?)
}

pub async fn new_measurement_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let save = async |li: &ops::LoadedIndicator| {
        let input = measurement_input(li, &v)?;
        ops::put_measurements(&ctx.state, &ctx.caller, li, std::slice::from_ref(&input)).await?;
        Ok(saved_at(li.service.service.id, &format!("indicator-{}", li.indicator.id)))
    };
    submit(&ctx, writable_indicator(&ctx, &id), |li| measurement_page(&ctx, li, &v), save).await
}

fn import_page<'a>(ctx: &'a Ctx, li: &ops::LoadedIndicator, v: &Values) -> FormPage<'a> {
    let i = &li.indicator;
    let mut csv = field(ctx, "csv", "textarea", v);
    if !i.breakdowns.0.is_empty() {
        csv.hint = format!("{} {}", csv.hint, allowed_breakdowns(ctx, i));
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

pub async fn import(ctx: Ctx, Path(id): Path<String>) -> Response {
    let header = values([("csv", "date,value,quality,breakdown,note\n".into())]);
    show(&ctx, writable_indicator(&ctx, &id), |li| import_page(&ctx, li, &header)).await
}

pub async fn import_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let v = values_of(&form);
    let li = match writable_indicator(&ctx, &id).await {
        Ok(li) => li,
        Err(p) => return ctx.fail(p),
    };
    let page = import_page(&ctx, &li, &v);
    match ops::import_csv(&ctx.state, &ctx.caller, &li, &one(&v, "csv")).await {
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

// ---- an indicator on the service's page ----------------------------------------------------------

/// A number as shown: up to two decimals, no trailing zeros.
pub(super) fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A percentage as shown, or a dash.
pub(super) fn pct(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.0} %")).unwrap_or_else(|| "–".into())
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
    /// The latest measurements, newest first (at most [`MEASUREMENTS_SHOWN`]); every one is on the
    /// indicator's paged measurements page.
    pub rows: Vec<MeasurementRow>,
    /// How many measurements the indicator has.
    pub total: usize,
    /// The table's caption: all its measurements, or the latest of them.
    pub caption: String,
}

/// How many of an indicator's latest measurements its service's page shows.
pub const MEASUREMENTS_SHOWN: usize = 10;

/// How many measurements a page of an indicator's measurements shows.
const MEASUREMENTS_PER_PAGE: u32 = 50;

/// A measurement as a table shows it.
fn measurement_row(ctx: &Ctx, m: &Measurement) -> MeasurementRow {
    MeasurementRow {
        date: m.date.to_string(),
        series: series_label(ctx, &m.breakdown.key()),
        value: num(m.value),
        quality: m.quality.as_str(),
        note: m.note.clone(),
    }
}

/// The measurements by series: the total first (key ""), then each breakdown in order of
/// appearance.
fn series_of(ms: &[Measurement]) -> Vec<(String, Vec<(NaiveDate, f64)>)> {
    let mut series: Vec<(String, Vec<(NaiveDate, f64)>)> = vec![(String::new(), vec![])];
    for m in ms {
        let key = m.breakdown.key();
        match series.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pts)) => pts.push((m.date, m.value)),
            None => series.push((key, vec![(m.date, m.value)])),
        }
    }
    series
}

/// A series' name as shown: "Total", or its breakdown.
fn series_label(ctx: &Ctx, key: &str) -> String {
    if key.is_empty() { ctx.t.get("services-series-total") } else { key.replace(';', ", ") }
}

/// The chart of an indicator's series (`names` and CSS `classes` one per series) against its goal,
/// and the labels of the goal's lines.
fn chart(
    ctx: &Ctx,
    i: &Indicator,
    series: &[(String, Vec<(NaiveDate, f64)>)],
    names: &[String],
    classes: &[String],
) -> (String, [String; 3]) {
    let lines: Vec<LineSeries> = series
        .iter()
        .enumerate()
        .map(|(n, (_, pts))| LineSeries { name: &names[n], class: &classes[n], points: pts.clone() })
        .collect();
    let g = &i.goal;
    let labels = ["baseline", "target", "trajectory"].map(|l| ctx.t.get(&format!("services-line-{l}")));
    let desc = ctx.t.with(
        "services-chart-desc",
        &[
            ("baseline", &num(g.baseline_value)),
            ("baseline_date", &g.baseline_date.to_string()),
            ("target", &num(g.target_value)),
            ("target_date", &g.target_date.to_string()),
            ("unit", &i.unit),
        ],
    );
    let svg = line_chart(
        &format!("chart-{}", i.id),
        &ctx.t.with("services-chart-title", &[("indicator", &i.name), ("unit", &i.unit)]),
        &desc,
        &lines,
        &GoalLines {
            baseline: (g.baseline_date, g.baseline_value),
            target: (g.target_date, g.target_value),
            labels: [&labels[0], &labels[1], &labels[2]],
        },
    );
    (svg, labels)
}

/// The chart, legend and table of one indicator.
pub fn indicator_view(ctx: &Ctx, i: &Indicator, ms: &[Measurement], e: &Evaluation) -> IndicatorView {
    let series = series_of(ms);
    let names: Vec<String> = series.iter().map(|(k, _)| series_label(ctx, k)).collect();
    let classes: Vec<String> = (0..series.len()).map(|n| format!("series-{}", n.min(5))).collect();
    let (chart, [lb, lt, lj]) = chart(ctx, i, &series, &names, &classes);
    let mut legend: Vec<(String, String)> = classes.into_iter().zip(names).collect();
    if ms.iter().all(|m| !m.breakdown.is_total()) {
        legend.remove(0);
    }
    legend.extend([("line-baseline".to_string(), lb), ("line-target".into(), lt), ("line-trajectory".into(), lj)]);
    let g = &i.goal;
    let (name, unit) = (i.name.as_str(), i.unit.as_str());
    let caption = if ms.len() > MEASUREMENTS_SHOWN {
        let shown = MEASUREMENTS_SHOWN.to_string();
        let args = [("indicator", name), ("unit", unit), ("shown", shown.as_str())];
        ctx.t.with("services-measurements-latest-caption", &args)
    } else {
        ctx.t.with("services-measurements-caption", &[("indicator", name), ("unit", unit)])
    };
    IndicatorView {
        caption,
        id: i.id.to_string(),
        name: i.name.clone(),
        description: i.description.clone(),
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
        // The series come in date order: the latest are at the end.
        rows: ms.iter().rev().take(MEASUREMENTS_SHOWN).map(|m| measurement_row(ctx, m)).collect(),
        total: ms.len(),
    }
}

// ---- every measurement of an indicator, paged ------------------------------------------------------

#[derive(Template)]
#[template(path = "indicator_measurements.html")]
struct MeasurementsPage<'a> {
    ctx: &'a Ctx,
    service: Service,
    indicator: Indicator,
    rows: Vec<MeasurementRow>,
    caption: String,
    /// This page's path, for the links to the others.
    list_path: String,
    page: u32,
    pages: u32,
    total: u64,
    can_manage: bool,
}

/// Every measurement of an indicator, newest first, a page at a time (`?page=`; whoever may read
/// its service).
pub async fn measurements(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let li = ops::indicator_for(&ctx.state, &ctx.caller, &id, Action::ReadService).await?;
        let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let list = ops::measurements_page(&ctx.state, &li, Page::new(page, MEASUREMENTS_PER_PAGE)).await?;
        let (name, unit) = (li.indicator.name.as_str(), li.indicator.unit.as_str());
        let caption = ctx.t.with("services-measurements-caption", &[("indicator", name), ("unit", unit)]);
        Ok(ctx.render(MeasurementsPage {
            ctx: &ctx,
            caption,
            list_path: format!("/indicators/{}/measurements", li.indicator.id),
            rows: list.items.iter().map(|m| measurement_row(&ctx, m)).collect(),
            page: list.page,
            pages: list.total.div_ceil(u64::from(MEASUREMENTS_PER_PAGE)).max(1) as u32,
            total: list.total,
            can_manage: ops::can_manage(&ctx.caller, &li.service),
            service: li.service.service,
            indicator: li.indicator,
        }))
    })
    .await
}
