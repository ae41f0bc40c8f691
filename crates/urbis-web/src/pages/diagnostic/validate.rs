//! The expert's validation page: per capability, the self-assessed score and level beside a form to
//! confirm or adjust the score with a confidence and a comment. Each capability saves on its own.

use super::super::{Ctx, FormRow, PageForm, Saved, ShownError, redirect, refused_row};
use askama::Template;
use axum::extract::Path;
use axum::response::Response;
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_domain::diagnostic::Confidence;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::Assessment;
use urbis_store::network::Organisation;

pub struct ValidationRow {
    pub slug: String,
    pub name: String,
    pub self_score: String,
    pub level: u8,
    pub score: String,
    pub confidence: String,
    pub comment: String,
    pub errors: Vec<ShownError>,
}

impl FormRow for ValidationRow {
    fn key(&self) -> &str {
        &self.slug
    }
    fn errors(&self) -> &[ShownError] {
        &self.errors
    }
    fn refused(&mut self, form: &PageForm, errors: Vec<ShownError>) {
        self.score = form.get("score").into();
        self.confidence = form.get("confidence").into();
        self.comment = form.get("comment").into();
        self.errors = errors;
    }
}

#[derive(Template)]
#[template(path = "validate.html")]
struct ValidatePage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    assessment: Assessment,
    rows: Vec<ValidationRow>,
    confidences: Vec<(&'static str, String)>,
    errors: Vec<ShownError>,
    saved: bool,
}

async fn page<'a>(ctx: &'a Ctx, id: &str) -> Result<ValidatePage<'a>, AppError> {
    let loaded = ops::load_for(&ctx.state, &ctx.caller, id, Action::ValidateAssessment).await?;
    let (inst, _, scores) = ops::scores(&ctx.state, &loaded.assessment).await?;
    let validations = ops::validations_to_review(&ctx.state, &ctx.caller, &loaded).await?;
    let rows = inst
        .capabilities
        .iter()
        .map(|c| {
            let r = scores.capabilities.get(&c.slug);
            let v = validations.iter().find(|v| v.capability == c.slug);
            ValidationRow {
                slug: c.slug.clone(),
                name: super::capability_name(ctx, &inst, &c.slug),
                self_score: super::fmt(r.and_then(|r| r.score)),
                level: r.map(|r| r.level).unwrap_or(1),
                score: v.map(|v| format!("{:.0}", v.score)).unwrap_or_default(),
                confidence: v.map(|v| v.confidence.to_string()).unwrap_or_default(),
                comment: v.map(|v| v.comment.clone()).unwrap_or_default(),
                errors: vec![],
            }
        })
        .collect();
    Ok(ValidatePage {
        ctx,
        city: loaded.city,
        assessment: loaded.assessment,
        rows,
        confidences: Confidence::ALL.iter().map(|c| (c.as_str(), ctx.t.get(&format!("confidence-{c}")))).collect(),
        errors: vec![],
        saved: false,
    })
}

pub async fn validate(ctx: Ctx, Path(id): Path<String>, Saved(saved): Saved) -> Response {
    ctx.respond(async { Ok(ctx.render(ValidatePage { saved, ..page(&ctx, &id).await? })) }).await
}

pub async fn validate_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ValidateAssessment).await?;
        let capability = form.get("capability");
        let score = form.number("score");
        let saved = ops::validate(
            &ctx.state,
            &ctx.caller,
            &loaded,
            capability,
            score,
            form.get("confidence"),
            form.get("comment"),
        )
        .await;
        let done = saved.map(|_| redirect(&format!("/assessments/{id}/validate?saved={capability}")));
        ctx.after_form(done, async |errors| {
            let mut page = page(&ctx, &id).await?;
            let errors = refused_row(&mut page.rows, capability, &form, errors);
            Ok(ValidatePage { errors, ..page })
        })
        .await
    })
    .await
}
