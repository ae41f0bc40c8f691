//! The expert's validation page: per capability, the self-assessed score and level beside a form to
//! confirm or adjust the score with a confidence and a comment. Each capability saves on its own.

use super::super::{Ctx, PageForm, ShownError};
use askama::Template;
use axum::extract::{Path, Query};
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
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

impl ValidationRow {
    fn error(&self, field: &str) -> Option<&str> {
        crate::pages::error_for(&self.errors, field)
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

pub async fn validate(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    match page(&ctx, &id).await {
        Ok(p) => ctx.render(ValidatePage { saved: q.contains_key("saved"), ..p }),
        Err(p) => ctx.fail(p),
    }
}

pub async fn validate_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::ValidateAssessment).await?;
        let capability = form.get("capability");
        let score = form.get("score").trim().replace(',', ".").parse::<f64>().unwrap_or(f64::NAN);
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
        match saved {
            Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}/validate?saved={capability}")).into_response()),
            Err(e) => {
                let (status, shown) = ctx.form_errors(e)?;
                let mut page = page(&ctx, &id).await?;
                // The error summary links to the fields of the capability that was saved.
                let errors: Vec<ShownError> = shown
                    .clone()
                    .into_iter()
                    .map(|e| ShownError { field: format!("{capability}-{}", e.field), ..e })
                    .collect();
                if let Some(row) = page.rows.iter_mut().find(|r| r.slug == capability) {
                    row.score = form.get("score").into();
                    row.confidence = form.get("confidence").into();
                    row.comment = form.get("comment").into();
                    row.errors = shown;
                }
                Ok(ctx.render_status(status, ValidatePage { errors, ..page }))
            }
        }
    })
    .await
}
