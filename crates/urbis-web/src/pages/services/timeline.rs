//! A service's page: its description, its phases against the service standard, milestones,
//! research log and indicators.

use super::indicators::{IndicatorView, indicator_view};
use crate::pages::Ctx;
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::services as ops;
use urbis_domain::policy::Action;
use urbis_domain::services::{PhaseKind, format_money};
use urbis_store::services::{Milestone, Phase, ResearchEntry, Service};

pub struct PhaseRow {
    pub slug: &'static str,
    pub name: String,
    pub planned: bool,
    pub dates: String,
    pub goal: String,
    pub result: &'static str,
    pub notes: String,
    /// The service-standard points met, in the viewer's language.
    pub met: Vec<String>,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage<'a> {
    ctx: &'a Ctx,
    s: Service,
    can_manage: bool,
    saved: bool,
    imported: Option<(String, String, String)>,
    channels: Vec<String>,
    languages: String,
    cost: String,
    builds_on: Vec<String>,
    phases: Vec<PhaseRow>,
    milestones: Vec<Milestone>,
    research: Vec<ResearchEntry>,
    indicators: Vec<IndicatorView>,
}

/// Every phase of the standard in order, as planned (or not yet), the service's current one marked.
fn phase_rows(ctx: &Ctx, s: &Service, stored: &[Phase]) -> Vec<PhaseRow> {
    PhaseKind::ALL
        .iter()
        .map(|k| {
            let p = stored.iter().find(|p| p.kind == *k);
            PhaseRow {
                slug: k.as_str(),
                name: ctx.t.get(&format!("phase-{}", k.as_str())),
                planned: p.is_some(),
                dates: p.map(|p| format!("{} – {}", p.starts_on, p.ends_on)).unwrap_or_default(),
                goal: p.map(|p| p.goal.clone()).unwrap_or_default(),
                result: p.map(|p| p.exit_result.as_str()).unwrap_or("pending"),
                notes: p.map(|p| p.exit_notes.clone()).unwrap_or_default(),
                met: p
                    .map(|p| p.exit_checklist.iter().map(|n| ctx.t.get(&format!("standard-{n}"))).collect())
                    .unwrap_or_default(),
                current: *k == s.phase,
            }
        })
        .collect()
}

/// The counts of an import just done (`?imported=added-changed-unchanged`), if well formed.
fn imported(q: &HashMap<String, String>) -> Option<(String, String, String)> {
    let parts: Vec<&str> = q.get("imported")?.split('-').collect();
    match parts.as_slice() {
        [a, c, u] if parts.iter().all(|p| p.parse::<u32>().is_ok()) => {
            Some((a.to_string(), c.to_string(), u.to_string()))
        }
        _ => None,
    }
}

/// The page of a service the caller may read, with its timeline.
async fn service_page<'a>(ctx: &'a Ctx, id: &str, q: &HashMap<String, String>) -> Result<ServicePage<'a>, AppError> {
    let loaded = ops::load_for(&ctx.state, &ctx.caller, id, Action::ReadService).await?;
    let timeline = ops::timeline(&ctx.state, &loaded.service).await?;
    let s = loaded.service.clone();
    Ok(ServicePage {
        ctx,
        can_manage: ops::can_manage(&ctx.caller, &loaded),
        saved: q.contains_key("saved"),
        imported: imported(q),
        channels: s.channels.iter().map(|c| ctx.t.get(&format!("channel-{}", c.as_str()))).collect(),
        languages: s.languages.join(", "),
        cost: s.cost_minor.map(|c| format!("{} {}", format_money(c), s.currency)).unwrap_or_else(|| "–".into()),
        builds_on: s.builds_on.iter().map(|c| ctx.t.get(&format!("capability-{c}"))).collect(),
        phases: phase_rows(ctx, &s, &timeline.phases),
        milestones: timeline.milestones,
        research: timeline.research,
        indicators: timeline
            .indicators
            .iter()
            .map(|(i, ms)| indicator_view(ctx, i, ms, &ops::evaluation(i, ms)))
            .collect(),
        s,
    })
}

pub async fn service(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    match service_page(&ctx, &id, &q).await {
        Ok(page) => ctx.render(page),
        Err(e) => ctx.fail(e),
    }
}
