//! The respondent's questionnaire, by link (no account): the overview, one topic per page, check
//! your answers, submit, thank you. The pages are the shared questionnaire's (see
//! [`super::super::questionnaire`]).

use super::super::questionnaire::{
    CheckPage, Frame, Posted, SectionLink, SectionPage, check_sections, missing_errors, post_section, section_links,
    shown_from_answer,
};
use crate::pages::{Ctx, PageForm, ShownError};
use askama::Template;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use urbis_app::AppError;
use urbis_app::diagnostic::pulse as ops;
use urbis_domain::diagnostic::pulse::CampaignStatus;

#[derive(Template)]
#[template(path = "pulse_done.html")]
struct DonePage<'a> {
    ctx: &'a Ctx,
    title: String,
    heading: String,
    body: String,
}

/// The page that stands in for the questionnaire when it takes no answers: thank you after
/// submission, or why it is closed or not open yet.
fn unavailable(ctx: &Ctx, r: &ops::Respondence, status: StatusCode) -> Option<Response> {
    let (heading, body) = if r.respondent.submitted_at.is_some() {
        ("pulse-thanks-title", "pulse-thanks-body")
    } else {
        match r.campaign.status {
            CampaignStatus::Open => return None,
            CampaignStatus::Closed => ("pulse-closed-title", "pulse-closed-body"),
            CampaignStatus::Draft => ("pulse-not-open-title", "pulse-not-open-body"),
        }
    };
    Some(ctx.render_status(
        status,
        DonePage {
            ctx,
            title: r.campaign.title.clone(),
            heading: ctx.t.get(heading),
            body: ctx.t.with(body, &[("organisation", &r.respondent.organisation_name)]),
        },
    ))
}

/// The respondent behind a link, if the questionnaire takes answers; otherwise the page that
/// stands in for it (answered with `status`).
async fn respondence(
    ctx: &Ctx,
    token: &str,
    status: StatusCode,
) -> Result<Result<ops::Respondence, Response>, AppError> {
    let r = ops::by_token(&ctx.state, token).await?;
    Ok(match unavailable(ctx, &r, status) {
        Some(page) => Err(page),
        None => Ok(r),
    })
}

/// Where a survey's questionnaire lives: under its link.
fn frame(ctx: &Ctx, token: &str, r: &ops::Respondence) -> Frame {
    Frame {
        base: format!("/surveys/{token}"),
        caption: r.campaign.title.clone(),
        back: ctx.t.with("back-to", &[("name", &r.campaign.title)]),
        shared: false,
    }
}

#[derive(Template)]
#[template(path = "pulse_survey.html")]
struct SurveyPage<'a> {
    ctx: &'a Ctx,
    token: String,
    title: String,
    description: String,
    organisation: String,
    closes_on: String,
    sections: Vec<SectionLink>,
}

pub async fn survey(ctx: Ctx, Path(token): Path<String>) -> Response {
    ctx.respond(async {
        let r = match respondence(&ctx, &token, StatusCode::OK).await? {
            Ok(r) => r,
            Err(page) => return Ok(page),
        };
        let mine = ops::answers_by_question(&ctx.state, &r).await?;
        let sections = section_links(&ctx, &r.instrument, &format!("/surveys/{token}"), &|id| mine.contains_key(id));
        Ok(ctx.render(SurveyPage {
            ctx: &ctx,
            title: r.campaign.title.clone(),
            description: r.instrument.description.clone(),
            organisation: r.respondent.organisation_name.clone(),
            closes_on: r.campaign.closes_on.to_string(),
            sections,
            token,
        }))
    })
    .await
}

pub async fn section(ctx: Ctx, Path((token, section)): Path<(String, String)>) -> Response {
    ctx.respond(async {
        let r = match respondence(&ctx, &token, StatusCode::OK).await? {
            Ok(r) => r,
            Err(page) => return Ok(page),
        };
        let mine = ops::answers_by_question(&ctx.state, &r).await?;
        let shown = |id: &str| shown_from_answer(mine.get(id));
        let page = SectionPage::new(&ctx, frame(&ctx, &token, &r), &r.instrument, section, &shown, vec![], false)?;
        Ok(ctx.render(page))
    })
    .await
}

pub async fn section_post(ctx: Ctx, Path((token, section)): Path<(String, String)>, form: PageForm) -> Response {
    ctx.respond(async {
        let r = match respondence(&ctx, &token, StatusCode::CONFLICT).await? {
            Ok(r) => r,
            Err(page) => return Ok(page),
        };
        match post_section(&ctx, frame(&ctx, &token, &r), &r.instrument, section, &form)? {
            Posted::Errors(page) => Ok(page),
            Posted::Save(answers, next) => {
                if !answers.is_empty() {
                    ops::save(&ctx.state, &r, &answers).await?;
                }
                Ok(Redirect::to(&next).into_response())
            }
        }
    })
    .await
}

async fn check_page(
    ctx: &Ctx,
    token: &str,
    r: &ops::Respondence,
    errors: Vec<ShownError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mine = ops::answers_by_question(&ctx.state, r).await?;
    let frame = frame(ctx, token, r);
    let sections = check_sections(ctx, &r.instrument, &frame.base, &mine, &|id| usize::from(mine.contains_key(id)));
    Ok(ctx.render_status(status, CheckPage { ctx, frame, sections, errors, overall: None, can_submit: true }))
}

pub async fn check(ctx: Ctx, Path(token): Path<String>) -> Response {
    ctx.respond(async {
        match respondence(&ctx, &token, StatusCode::OK).await? {
            Ok(r) => check_page(&ctx, &token, &r, vec![], StatusCode::OK).await,
            Err(page) => Ok(page),
        }
    })
    .await
}

pub async fn check_post(ctx: Ctx, Path(token): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        let r = match respondence(&ctx, &token, StatusCode::CONFLICT).await? {
            Ok(r) => r,
            Err(page) => return Ok(page),
        };
        match ops::submit(&ctx.state, &r).await {
            Ok(_) => Ok(Redirect::to(&format!("/surveys/{token}")).into_response()),
            Err(AppError::Refused { rule: "incomplete", errors, .. }) => {
                let errors = missing_errors(&ctx, &r.instrument, &errors);
                check_page(&ctx, &token, &r, errors, StatusCode::CONFLICT).await
            }
            Err(e) => Err(e),
        }
    })
    .await
}
