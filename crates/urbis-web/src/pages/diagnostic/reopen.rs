//! Programme staff reopen a submitted assessment for changes, with a reason kept in the audit log.

use super::super::{Ctx, PageForm, ShownError, redirect};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
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

async fn load(ctx: &Ctx, id: &str) -> Result<ops::Loaded, AppError> {
    ops::load_for(&ctx.state, &ctx.caller, id, Action::ReopenAssessment).await
}

pub async fn reopen(ctx: Ctx, Path(id): Path<String>) -> Response {
    match load(&ctx, &id).await {
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

pub async fn reopen_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let l = load(&ctx, &id).await?;
        let done = ops::reopen(&ctx.state, &ctx.caller, &l, form.get("reason")).await;
        let done = done.map(|a| redirect(&format!("/assessments/{}", a.id)));
        let reason = form.get("reason").into();
        ctx.after_form(done, async |errors| {
            Ok(ReopenPage { ctx: &ctx, city: l.city, assessment: l.assessment, reason, errors })
        })
        .await
    })
    .await
}
