//! A pulse survey's report: per-question summaries and capability score distributions, with the
//! country and region filters, and the CSV download for staff.

use super::super::capability_name;
use super::{country_label, region_label};
use crate::charts::bar_chart;
use crate::pages::Ctx;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::diagnostic::pulse as ops;
use urbis_domain::diagnostic::Instrument;
use urbis_domain::diagnostic::pulse::{QuestionSummary, Summary, Withheld};
use urbis_domain::network::Region;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::pulse::Campaign;

// ---- the report ---------------------------------------------------------------------------------

pub struct QuestionBlock {
    pub id: String,
    pub text: String,
    pub section: String,
    pub answered: usize,
    pub not_applicable: usize,
    pub chart: String,
    /// (option, count) for level, choice and checklist questions.
    pub counts: Vec<(String, usize)>,
    /// n, min, q1, median, q3, max, mean of a number question.
    pub number: Option<[String; 7]>,
    pub is_text: bool,
    pub answers: Vec<String>,
}

pub struct DistributionRow {
    pub name: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "pulse_report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    campaign: Campaign,
    country: String,
    region: String,
    countries: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    n: usize,
    shown: bool,
    withheld: Option<Withheld>,
    text_shown: bool,
    staff: bool,
    capability_chart: String,
    capabilities: Vec<DistributionRow>,
    questions: Vec<QuestionBlock>,
}

fn option_label(ctx: &Ctx, inst: &Instrument, qid: &str, option: &str) -> String {
    match inst.question(qid).map(|q| q.kind) {
        Some(urbis_domain::diagnostic::QuestionKind::Level) => ctx.t.with("questionnaire-level", &[("level", option)]),
        Some(urbis_domain::diagnostic::QuestionKind::Choice) => ctx.t.get(&format!("questionnaire-choice-{option}")),
        _ => inst
            .question(qid)
            .and_then(|q| q.items.iter().find(|i| i.id == option))
            .map(|i| i.text.clone())
            .unwrap_or_else(|| option.to_string()),
    }
}

/// The capability score distributions as table rows, and their medians as a chart ("" when none
/// may be shown).
fn capability_rows(ctx: &Ctx, report: &ops::Report) -> (Vec<DistributionRow>, String) {
    let inst = &report.instrument;
    let cap_name =
        |slug: &str| if slug == "overall" { ctx.t.get("diagnostic-overall") } else { capability_name(ctx, inst, slug) };
    let rows = report
        .capabilities
        .iter()
        .map(|(slug, d)| DistributionRow {
            name: cap_name(slug),
            cells: match d {
                Some(d) => [d.n as f64, d.min, d.q1, d.median, d.q3, d.max].iter().map(|v| format!("{v:.0}")).collect(),
                None => vec!["–".into(); 6],
            },
        })
        .collect();
    let medians: Vec<(String, f64)> =
        report.capabilities.iter().filter_map(|(slug, d)| d.map(|d| (cap_name(slug), d.median))).collect();
    let chart = if medians.is_empty() {
        String::new()
    } else {
        bar_chart(
            "capabilities",
            &ctx.t.get("pulse-capability-chart-title"),
            &ctx.t.get("pulse-capability-chart-desc"),
            &medians,
            100.0,
        )
    };
    (rows, chart)
}

/// One question's summary: counts with a chart, a number's distribution, or free-text answers.
fn question_block(ctx: &Ctx, report: &ops::Report, s: &QuestionSummary) -> QuestionBlock {
    let inst = &report.instrument;
    let (text, section) = match inst.question(&s.question_id) {
        Some(q) => (q.text.clone(), capability_name(ctx, inst, &q.capability)),
        None => (
            inst.context_question(&s.question_id).map(|q| q.text.clone()).unwrap_or_default(),
            ctx.t.get("questionnaire-context"),
        ),
    };
    let mut block = QuestionBlock {
        id: s.question_id.clone(),
        text,
        section,
        answered: s.answered,
        not_applicable: s.not_applicable,
        chart: String::new(),
        counts: vec![],
        number: None,
        is_text: false,
        answers: vec![],
    };
    match &s.summary {
        Summary::Counts { options } if report.shown => {
            let bars: Vec<(String, f64)> =
                options.iter().map(|(o, n)| (option_label(ctx, inst, &s.question_id, o), *n as f64)).collect();
            block.chart = bar_chart(
                &format!("chart-{}", s.question_id),
                &ctx.t.with("pulse-question-chart-title", &[("question", &block.text)]),
                &ctx.t.get("pulse-question-chart-desc"),
                &bars,
                report.n as f64,
            );
            block.counts = bars.into_iter().map(|(l, n)| (l, n as usize)).collect();
        }
        Summary::Number { summary: Some(n) } => {
            let d = n.distribution;
            block.number = Some(
                [d.n as f64, d.min, d.q1, d.median, d.q3, d.max, n.mean]
                    .map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }),
            );
        }
        Summary::Text { answers } => {
            block.is_text = true;
            block.answers = answers.clone();
        }
        _ => {}
    }
    block
}

pub async fn report(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ReadSurveyReport).await?;
        let filter = ops::Filter::parse(&q)?;
        let report = ops::report(&ctx.state, &ctx.caller, &loaded, &filter).await?;
        let staff = ops::can_manage(&ctx.caller, &loaded);
        let countries =
            report.countries.iter().cloned().map(|c| (country_label(&ctx, &c), c)).map(|(l, c)| (c, l)).collect();
        let regions = Region::ALL.iter().map(|r| (r.slug().to_string(), region_label(&ctx, r.slug()))).collect();
        let (capabilities, capability_chart) = capability_rows(&ctx, &report);
        let questions = report.questions.iter().map(|s| question_block(&ctx, &report, s)).collect();
        Ok(ctx.render(ReportPage {
            ctx: &ctx,
            country: filter.country.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(),
            region: filter.region.map(|r| r.slug().to_string()).unwrap_or_default(),
            campaign: loaded.campaign,
            countries,
            regions,
            n: report.n,
            shown: report.shown,
            withheld: report.withheld,
            text_shown: report.text_shown,
            staff,
            capability_chart,
            capabilities,
            questions,
        }))
    })
    .await
}

/// The CSV download for signed-in staff (the API's export, with the page's session).
pub async fn responses_csv(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ReadSurveyResponses).await?;
        let (name, body) = ops::responses_csv_from_query(&ctx.state, &ctx.caller, &loaded, &q).await?;
        Ok(crate::download::csv(&name, body))
    })
    .await
}
