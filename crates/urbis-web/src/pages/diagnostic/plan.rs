//! Improvement-plan pages: add an item (from a recommended action or blank) and change one. The
//! plan itself is listed on the city's diagnostic page.

use super::super::{Ctx, PageForm, ShownError, redirect};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::Response;
use std::collections::HashMap;
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_app::{Allowed, AppError};
use urbis_domain::diagnostic::PlanStatus;
use urbis_domain::policy::Action;
use urbis_store::network::Organisation;

#[derive(Template)]
#[template(path = "plan_item.html")]
struct PlanItemPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    /// Where the form posts: the new-item or the edit address.
    action: String,
    /// Set when editing (the hidden version field).
    version: Option<i64>,
    capabilities: Vec<(String, String)>,
    statuses: Vec<(&'static str, String)>,
    capability: String,
    title: String,
    description: String,
    owner: String,
    due_on: String,
    status: String,
    errors: Vec<ShownError>,
    conflict: bool,
}

form_errors!(PlanItemPage);

impl<'a> PlanItemPage<'a> {
    async fn new(ctx: &'a Ctx, city: Organisation, action: String) -> Result<Self, AppError> {
        let inst = &ops::instrument(&ctx.state, ops::PLAN_INSTRUMENT, None).await?.instrument;
        Ok(PlanItemPage {
            capabilities: inst
                .capabilities
                .iter()
                .map(|c| (c.slug.clone(), super::capability_name(ctx, inst, &c.slug)))
                .collect(),
            statuses: PlanStatus::ALL
                .iter()
                .map(|s| (s.as_str(), ctx.t.get(&format!("plan-status-{}", s.as_str()))))
                .collect(),
            ctx,
            city,
            action,
            version: None,
            capability: String::new(),
            title: String::new(),
            description: String::new(),
            owner: String::new(),
            due_on: String::new(),
            status: PlanStatus::Planned.as_str().into(),
            errors: vec![],
            conflict: false,
        })
    }

    /// Keep what the person typed.
    fn typed(self, form: &PageForm) -> Self {
        PlanItemPage {
            capability: form.get("capability").into(),
            title: form.get("title").into(),
            description: form.get("description").into(),
            owner: form.get("owner").into(),
            due_on: form.get("due_on").into(),
            status: form.get("status").into(),
            ..self
        }
    }
}

fn fields(form: &PageForm) -> ops::PlanFields<'_> {
    ops::PlanFields {
        capability: form.get("capability"),
        title: form.get("title"),
        description: form.get("description"),
        owner: form.get("owner"),
        due_on: form.get("due_on"),
        status: form.get("status"),
    }
}

async fn plan_city(ctx: &Ctx, slug: &str) -> Result<Allowed<Organisation>, AppError> {
    net::city_for(&ctx.state, &ctx.caller, slug, Action::ManagePlan).await
}

/// The new-item form, filled from a recommended action when `?action=` names one.
pub async fn new_item(ctx: Ctx, Path(slug): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let city = plan_city(&ctx, &slug).await?;
        let mut page = PlanItemPage::new(&ctx, city.item, format!("/cities/{slug}/plan/new")).await?;
        let stored = ops::instrument(&ctx.state, ops::PLAN_INSTRUMENT, None).await?;
        if let Some(a) = q.get("action").and_then(|i| i.parse::<usize>().ok()).and_then(|i| stored.actions.get(i)) {
            page.capability = a.capability.clone();
            page.title = a.title.clone();
            page.description = a.description.clone();
        } else if let Some(c) = q.get("capability") {
            page.capability = c.clone();
        }
        Ok(ctx.render(page))
    })
    .await
}

pub async fn new_item_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let city = plan_city(&ctx, &slug).await?;
        let done = ops::create_plan_item(&ctx.state, &ctx.caller, &city, &fields(&form)).await;
        ctx.after_form(done.map(|_| redirect(&format!("/cities/{slug}/diagnostic#plan"))), async |errors| {
            let page = PlanItemPage::new(&ctx, city.item, format!("/cities/{slug}/plan/new")).await?.typed(&form);
            Ok(PlanItemPage { errors, ..page })
        })
        .await
    })
    .await
}

pub async fn edit_item(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let (item, city) = ops::plan_item_for(&ctx.state, &ctx.caller, &id, Action::ManagePlan).await?;
        let page = PlanItemPage::new(&ctx, city.item, format!("/plan-items/{id}/edit")).await?;
        Ok(ctx.render(PlanItemPage {
            version: Some(item.version),
            capability: item.capability,
            title: item.title,
            description: item.description,
            owner: item.owner,
            due_on: item.due_on.map(|d| d.to_string()).unwrap_or_default(),
            status: item.status.as_str().into(),
            ..page
        }))
    })
    .await
}

pub async fn edit_item_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let (item, city) = ops::plan_item_for(&ctx.state, &ctx.caller, &id, Action::ManagePlan).await?;
        let Some(version) = form.version() else {
            return Err(AppError::invalid("version", "required", "the form lacks its version"));
        };
        let done = ops::update_plan_item(&ctx.state, &ctx.caller, &item, &city, version, &fields(&form)).await;
        let done = done.map(|_| redirect(&format!("/cities/{}/diagnostic#plan", city.slug)));
        ctx.after_versioned_form(done, (version, item.version), async |errors, conflict, version| {
            let page = PlanItemPage::new(&ctx, city.item, format!("/plan-items/{id}/edit")).await?.typed(&form);
            Ok(PlanItemPage { version: Some(version), conflict, errors, ..page })
        })
        .await
    })
    .await
}
