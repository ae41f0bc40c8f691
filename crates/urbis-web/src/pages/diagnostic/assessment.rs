//! An assessment's questionnaire: the overview of its sections, one section per page, check your
//! answers and submit. The pages are the shared questionnaire's (see [`super::questionnaire`]).

use super::fmt;
use super::questionnaire::{
    CheckPage, Frame, Posted, SectionLink, SectionPage, check_sections, missing_errors, post_section, section_links,
    shown_from_answer,
};
use crate::pages::{Ctx, PageForm, ShownError};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use urbis_app::AppError;
use urbis_app::diagnostic as ops;
use urbis_domain::diagnostic::Instrument;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::Assessment;
use urbis_store::network::Organisation;

#[derive(Template)]
#[template(path = "assessment.html")]
struct AssessmentPage<'a> {
    ctx: &'a Ctx,
    city: Organisation,
    wave_name: String,
    assessment: Assessment,
    sections: Vec<SectionLink>,
    can_answer: bool,
    can_submit: bool,
}

/// An assessment the caller may do `action` on, with its instrument version in the caller's language.
async fn loaded_with_instrument(ctx: &Ctx, id: &str, action: Action) -> Result<(ops::Loaded, Instrument), AppError> {
    let loaded = ops::load_for(&ctx.state, &ctx.caller, id, action).await?;
    let inst = ops::instrument_of(&ctx.state, &loaded.assessment).await?.localised(ctx.t.code);
    Ok((loaded, inst))
}

/// Where an assessment's questionnaire lives.
fn frame(ctx: &Ctx, loaded: &ops::Loaded) -> Frame {
    Frame {
        base: format!("/assessments/{}", loaded.assessment.id),
        caption: loaded.city.name.clone(),
        back: ctx.t.get("questionnaire-back"),
        shared: true,
    }
}

pub async fn assessment(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(async {
        let (loaded, inst) = loaded_with_instrument(&ctx, &id, Action::ReadAnswers).await?;
        let q = ops::questionnaire(&ctx.state, &ctx.caller, &loaded).await?;
        let sections = section_links(&ctx, &inst, &frame(&ctx, &loaded).base, &|id| q.answered(id));
        Ok(ctx.render(AssessmentPage {
            ctx: &ctx,
            can_answer: q.can_answer,
            can_submit: q.can_submit,
            wave_name: loaded.assessment.wave_name.clone(),
            city: loaded.city,
            assessment: loaded.assessment,
            sections,
        }))
    })
    .await
}

pub async fn section(ctx: Ctx, Path((id, section)): Path<(String, String)>) -> Response {
    ctx.respond(async {
        let (loaded, inst) = loaded_with_instrument(&ctx, &id, Action::ReadAnswers).await?;
        let q = ops::questionnaire(&ctx.state, &ctx.caller, &loaded).await?;
        let shown = |id: &str| shown_from_answer(q.mine.get(id));
        let page = SectionPage::new(&ctx, frame(&ctx, &loaded), &inst, section, &shown, vec![], q.locked())?;
        Ok(ctx.render(page))
    })
    .await
}

pub async fn section_post(ctx: Ctx, Path((id, section)): Path<(String, String)>, form: PageForm) -> Response {
    ctx.respond(async {
        let (loaded, inst) = loaded_with_instrument(&ctx, &id, Action::AnswerAssessment).await?;
        match post_section(&ctx, frame(&ctx, &loaded), &inst, section, &form)? {
            Posted::Errors(page) => Ok(page),
            Posted::Save(answers, next) => {
                if !answers.is_empty() {
                    ops::save_answers(&ctx.state, &ctx.caller, &loaded, &answers).await?;
                }
                Ok(Redirect::to(&next).into_response())
            }
        }
    })
    .await
}

async fn check_page(ctx: &Ctx, id: &str, errors: Vec<ShownError>, status: StatusCode) -> Result<Response, AppError> {
    let (loaded, inst) = loaded_with_instrument(ctx, id, Action::ReadAnswers).await?;
    let q = ops::questionnaire(&ctx.state, &ctx.caller, &loaded).await?;
    let scores = ops::scores_of(&ctx.state, &loaded.assessment, &inst, &q.answers).await?;
    let frame = frame(ctx, &loaded);
    let sections = check_sections(ctx, &inst, &frame.base, &q.mine, &|id| q.respondents(id));
    let page =
        CheckPage { ctx, frame, sections, errors, overall: Some(fmt(scores.overall)), can_submit: q.submittable() };
    Ok(ctx.render_status(status, page))
}

pub async fn check(ctx: Ctx, Path(id): Path<String>) -> Response {
    ctx.respond(check_page(&ctx, &id, vec![], StatusCode::OK)).await
}

pub async fn check_post(ctx: Ctx, Path(id): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = ops::load_for(&ctx.state, &ctx.caller, &id, Action::SubmitAssessment).await?;
        match ops::submit(&ctx.state, &ctx.caller, &loaded).await {
            Ok(_) => Ok(Redirect::to(&format!("/cities/{}/diagnostic", loaded.city.slug)).into_response()),
            Err(AppError::Refused { rule, errors, .. }) => {
                let errors = if rule == "incomplete" {
                    let inst = ops::instrument_of(&ctx.state, &loaded.assessment).await?.localised(ctx.t.code);
                    missing_errors(&ctx, &inst, &errors)
                } else {
                    vec![ShownError { field: "status".into(), message: ctx.t.get("error-not-draft") }]
                };
                check_page(&ctx, &id, errors, StatusCode::CONFLICT).await
            }
            Err(p) => Err(p),
        }
    })
    .await
}
