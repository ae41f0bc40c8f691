//! Programme staff reopen a submitted assessment for changes, with a reason kept in the audit log.

use super::super::{Ctx, PageForm, ShownError};
use crate::AppState;
use crate::diagnostic as ops;
use crate::error::Problem;
use crate::network as net;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::Assessment;
use urbis_store::network::Organisation;

#[derive(Template)]
#[template(path = "reopen.html")]
struct ReopenPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    assessment: Assessment,
    reason: String,
    errors: Vec<ShownError>,
}

form_errors!(ReopenPage);

async fn load(state: &AppState, ctx: &Ctx, id: &str) -> Result<ops::Loaded, Problem> {
    let loaded = ops::load(state, id).await?;
    net::require(&ctx.caller, Action::ReopenAssessment, &loaded.resource)?;
    Ok(loaded)
}

pub async fn reopen(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Response {
    match load(&state, &ctx, &id).await {
        Ok(l) => ctx.render(ReopenPage {
            ctx: &ctx,
            city: l.city,
            assessment: l.assessment,
            reason: String::new(),
            errors: vec![],
        }),
        Err(p) => ctx.fail(p),
    }
}

pub async fn reopen_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let r: Result<Response, Problem> = async {
        let l = load(&state, &ctx, &id).await?;
        match ops::reopen(&state, &ctx.caller, &l, form.get("reason")).await {
            Ok(a) => Ok(Redirect::to(&format!("/assessments/{}", a.id)).into_response()),
            Err(p) if p.status == 422 => {
                let errors = ctx.field_errors(&p);
                let page = ReopenPage {
                    ctx: &ctx,
                    city: l.city,
                    assessment: l.assessment,
                    reason: form.get("reason").into(),
                    errors,
                };
                Ok(ctx.render_status(StatusCode::UNPROCESSABLE_ENTITY, page))
            }
            Err(p) => Err(p),
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}
