//! People administration pages (admins): every account with its status, searchable and paged, and
//! deactivating or reactivating a person after a confirmation page.

use super::{Ctx, PageForm, Refusal, ShownError, redirect, urlencode};
use crate::AppState;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query};
use axum::response::Response;
use axum::routing::get;
use std::collections::HashMap;
use urbis_app::people as ops;
use urbis_domain::policy::Action;
use urbis_store::Page;
use urbis_store::network::{AccountEntry, Person};

/// How many accounts a page of the list shows.
const PER_PAGE: u32 = 50;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/people", get(people))
        .route("/admin/people/{id}/deactivate", get(deactivate).post(deactivate_post))
        .route("/admin/people/{id}/reactivate", get(reactivate).post(reactivate_post))
}

#[derive(Template)]
#[template(path = "admin_people.html")]
struct PeoplePage<'a> {
    ctx: &'a Ctx,
    people: Vec<AccountEntry>,
    q: String,
    /// The list's filter as a query string, kept by the pagination links.
    query: String,
    page: u32,
    pages: u32,
    total: u64,
    /// The person just deactivated or reactivated (`?deactivated=` / `?reactivated=`), by name.
    done: Option<(bool, String)>,
}

impl PeoplePage<'_> {
    /// Is this row the signed-in admin (who cannot deactivate themself)?
    fn is_me(&self, p: &Person) -> bool {
        self.ctx.caller.actor.person == Some(p.id)
    }
}

pub async fn people(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let search = q.get("q").map(|s| s.trim().to_string()).unwrap_or_default();
        let list = ops::accounts(&ctx.state, &ctx.caller, Some(&search), Page::new(page, PER_PAGE)).await?;
        let done = match (q.get("deactivated"), q.get("reactivated")) {
            (Some(name), _) => Some((true, name.clone())),
            (None, Some(name)) => Some((false, name.clone())),
            _ => None,
        };
        let query = if search.is_empty() { String::new() } else { format!("q={}", urlencode(&search)) };
        Ok(ctx.render(PeoplePage {
            ctx: &ctx,
            pages: list.total.div_ceil(u64::from(PER_PAGE)).max(1) as u32,
            page: list.page,
            total: list.total,
            people: list.items,
            q: search,
            query,
            done,
        }))
    })
    .await
}

#[derive(Template)]
#[template(path = "person_deactivate.html")]
struct ConfirmPage<'a> {
    ctx: &'a Ctx,
    person: Person,
    /// Deactivating (else reactivating).
    deactivating: bool,
    /// Where the form posts.
    action: String,
    version: i64,
    errors: Vec<ShownError>,
    conflict: bool,
}

/// Asks to confirm deactivating a person: they are signed out everywhere at once.
pub async fn deactivate(ctx: Ctx, Path(id): Path<String>) -> Response {
    confirm(ctx, id, true).await
}

/// Asks to confirm reactivating a person.
pub async fn reactivate(ctx: Ctx, Path(id): Path<String>) -> Response {
    confirm(ctx, id, false).await
}

async fn confirm(ctx: Ctx, id: String, deactivating: bool) -> Response {
    ctx.respond(async {
        let person = ops::person_for(&ctx.state, &ctx.caller, &id, Action::ManagePeople).await?;
        let version = person.version;
        let action = action_of(&person, deactivating);
        let page = ConfirmPage {
            ctx: &ctx,
            person: person.item,
            deactivating,
            action,
            version,
            errors: vec![],
            conflict: false,
        };
        Ok(ctx.render(page))
    })
    .await
}

/// Where a confirmation page's form posts.
fn action_of(person: &Person, deactivating: bool) -> String {
    format!("/admin/people/{}/{}", person.id, if deactivating { "deactivate" } else { "reactivate" })
}

pub async fn deactivate_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    confirmed(ctx, id, form, true).await
}

pub async fn reactivate_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    confirmed(ctx, id, form, false).await
}

async fn confirmed(ctx: Ctx, id: String, form: PageForm, deactivating: bool) -> Response {
    ctx.respond(async {
        let person = ops::person_for(&ctx.state, &ctx.caller, &id, Action::ManagePeople).await?;
        let sent = form.version().unwrap_or(-1);
        let done = if deactivating {
            ops::deactivate_person(&ctx.state, &ctx.caller, &person, sent).await
        } else {
            ops::reactivate_person(&ctx.state, &ctx.caller, &person, sent).await
        };
        let (errors, conflict) = match done.map_err(|e| ctx.refusal(e)) {
            Ok(p) => {
                let key = if deactivating { "deactivated" } else { "reactivated" };
                return Ok(redirect(&format!("/admin/people?{key}={}", urlencode(&p.name))));
            }
            Err(Refusal::Errors(_, errors)) => (errors, false),
            Err(Refusal::Conflict) => (vec![], true),
            Err(Refusal::Fail(e)) => return Err(e),
        };
        let status =
            if conflict || !errors.is_empty() { axum::http::StatusCode::CONFLICT } else { axum::http::StatusCode::OK };
        let version = person.version;
        let action = action_of(&person, deactivating);
        let page = ConfirmPage { ctx: &ctx, person: person.item, deactivating, action, version, errors, conflict };
        Ok(ctx.render_status(status, page))
    })
    .await
}
