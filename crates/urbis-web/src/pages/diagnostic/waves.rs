//! The programme staff's waves page: every wave of the diagnostic, a form to add one, and a button
//! to close an open one (which freezes its results as its baseline).

use super::super::{Ctx, PageForm, ShownError};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use urbis_app::diagnostic as ops;
use urbis_app::network as net;
use urbis_app::{Allowed, AppError};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::Wave;
use urbis_store::network::Programme;

#[derive(Template)]
#[template(path = "waves.html")]
struct WavesPage<'a> {
    ctx: &'a Ctx,
    programme: Programme,
    waves: Vec<Wave>,
    slug: String,
    name: String,
    opens_on: String,
    closes_on: String,
    errors: Vec<ShownError>,
}

form_errors!(WavesPage);

async fn staff_programme(ctx: &Ctx, slug: &str) -> Result<Allowed<Programme>, AppError> {
    net::programme_for(&ctx.state, &ctx.caller, slug, Action::ManageWaves).await
}

async fn page<'a>(ctx: &'a Ctx, programme: Allowed<Programme>) -> Result<WavesPage<'a>, AppError> {
    Ok(WavesPage {
        ctx,
        waves: ops::waves_to_manage(&ctx.state, &ctx.caller, &programme).await?,
        programme: programme.item,
        slug: String::new(),
        name: String::new(),
        opens_on: String::new(),
        closes_on: String::new(),
        errors: vec![],
    })
}

pub async fn waves(ctx: Ctx, Path(slug): Path<String>) -> Response {
    ctx.respond(async {
        let p = staff_programme(&ctx, &slug).await?;
        Ok(ctx.render(page(&ctx, p).await?))
    })
    .await
}

pub async fn waves_post(ctx: Ctx, Path(slug): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let p = staff_programme(&ctx, &slug).await?;
        let (s, n, o, c) = (form.get("slug"), form.get("name"), form.get("opens_on"), form.get("closes_on"));
        match ops::create_wave(&ctx.state, &ctx.caller, &p, s, n, o, c).await {
            Ok(_) => Ok(Redirect::to(&format!("/programmes/{slug}/waves")).into_response()),
            Err(e) => {
                // A taken short name is a mistake in the form like any other: 422 for both.
                let (_, errors) = ctx.form_errors(e)?;
                let page = WavesPage {
                    slug: s.into(),
                    name: n.into(),
                    opens_on: o.into(),
                    closes_on: c.into(),
                    errors,
                    ..page(&ctx, p).await?
                };
                Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page))
            }
        }
    })
    .await
}

pub async fn close_post(ctx: Ctx, Path((slug, wave)): Path<(String, String)>, form: PageForm) -> Response {
    ctx.respond(async {
        let p = staff_programme(&ctx, &slug).await?;
        let w = ops::wave(&ctx.state, &p, &wave).await?;
        let version =
            form.version().ok_or_else(|| AppError::invalid("version", "required", "the form lacks its version"))?;
        ops::close_wave(&ctx.state, &ctx.caller, &p, &w, version).await?;
        Ok(Redirect::to(&format!("/programmes/{slug}/waves")).into_response())
    })
    .await
}
