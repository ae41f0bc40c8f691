//! The staff's pulse survey campaigns: the list, a new campaign, and a campaign's page
//! (recipients, opening and closing, reminders, response rates).

use super::{country_label, percent, region_label, status_label};
use crate::pages::{Ctx, PageForm, Refusal, ShownError, redirect};
use askama::Template;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::diagnostic::pulse as ops;
use urbis_domain::diagnostic::pulse::CampaignStatus;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::InstrumentSummary;
use urbis_store::diagnostic::pulse::{Campaign, Respondent};
use urbis_store::network::{Organisation, Programme};

// ---- the list and a new campaign ------------------------------------------------------------------

pub struct CampaignRow {
    pub campaign: Campaign,
    pub status: String,
    pub manage: bool,
}

#[derive(Template)]
#[template(path = "pulse_list.html")]
struct ListPage<'a> {
    ctx: &'a Ctx,
    campaigns: Vec<CampaignRow>,
    can_create: bool,
}

pub async fn list(ctx: Ctx) -> Response {
    ctx.respond(async {
        let campaigns = ops::visible(&ctx.state, &ctx.caller)
            .await?
            .into_iter()
            .map(|l| CampaignRow {
                status: status_label(&ctx, l.campaign.status),
                campaign: l.campaign,
                manage: l.manage,
            })
            .collect();
        Ok(ctx.render(ListPage { ctx: &ctx, campaigns, can_create: ops::can_create(&ctx.caller) }))
    })
    .await
}

#[derive(Template)]
#[template(path = "pulse_new.html")]
struct NewPage<'a> {
    ctx: &'a Ctx,
    errors: Vec<ShownError>,
    instruments: Vec<InstrumentSummary>,
    programmes: Vec<Programme>,
    form: HashMap<String, String>,
}
form_errors!(NewPage, typed);

async fn new_page<'a>(
    ctx: &'a Ctx,
    form: HashMap<String, String>,
    errors: Vec<ShownError>,
) -> Result<NewPage<'a>, AppError> {
    let (instruments, programmes) = ops::new_form(&ctx.state, &ctx.caller).await?;
    Ok(NewPage { ctx, errors, instruments, programmes, form })
}

pub async fn new(ctx: Ctx) -> Response {
    ctx.respond(async {
        let mut form = HashMap::new();
        form.insert("instrument".to_string(), "innovation-capacity-pulse".to_string());
        Ok(ctx.render(new_page(&ctx, form, vec![]).await?))
    })
    .await
}

pub async fn new_post(ctx: Ctx, form: PageForm) -> Response {
    ctx.respond(async {
        let (slug, version) = match form.get("instrument").split_once('@') {
            Some((s, v)) => (s.to_string(), v.parse().ok()),
            None => (form.get("instrument").to_string(), None),
        };
        let input = ops::CampaignInput {
            title: form.get("title").into(),
            instrument: slug,
            instrument_version: version,
            programme: Some(form.get("programme").to_string()),
            opens_on: form.get("opens_on").into(),
            closes_on: form.get("closes_on").into(),
        };
        let done = ops::create(&ctx.state, &ctx.caller, &input).await.map(|c| redirect(&format!("/pulse/{}", c.id)));
        ctx.after_form(done, async |errors| new_page(&ctx, form.0, errors).await).await
    })
    .await
}

// ---- a campaign: recipients, state, reminders, response rates ------------------------------------

pub struct RateRow {
    pub name: String,
    pub invited: usize,
    pub responded: usize,
    pub percent: String,
}

pub struct RespondentRow {
    pub respondent: Respondent,
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "pulse_campaign.html")]
struct CampaignPage<'a> {
    ctx: &'a Ctx,
    campaign: Campaign,
    status: String,
    instrument_title: String,
    errors: Vec<ShownError>,
    notice: Option<String>,
    /// Links just sent, shown this once: (e-mail, link).
    links: Vec<(String, String)>,
    overall: Vec<RateRow>,
    by_region: Vec<RateRow>,
    by_country: Vec<RateRow>,
    by_organisation: Vec<RateRow>,
    /// A page of the respondents (by organisation then e-mail), of how many.
    respondents: Vec<RespondentRow>,
    page: u32,
    pages: u32,
    /// This page's path, for the links to the other pages of respondents.
    list_path: String,
    organisations: Vec<Organisation>,
    form: HashMap<String, String>,
}

/// How many respondents a page of a campaign's page lists.
const RESPONDENTS_PER_PAGE: u32 = 50;
form_errors!(CampaignPage, typed);

/// What a campaign page shows besides the campaign: the form as typed, errors, a notice and the
/// links just sent.
#[derive(Default)]
struct Shown {
    form: HashMap<String, String>,
    errors: Vec<ShownError>,
    notice: Option<String>,
    links: Vec<(String, String)>,
    /// The page of respondents to show (from 1; 0 is the first).
    page: u32,
}

async fn campaign_page(ctx: &Ctx, loaded: ops::Loaded, shown: Shown, status: StatusCode) -> Result<Response, AppError> {
    let Shown { form, errors, notice, links, page } = shown;
    let (rates, respondents) = ops::rates(&ctx.state, &ctx.caller, &loaded).await?;
    let organisations = ops::recipient_organisations(&ctx.state, &ctx.caller, &loaded).await?;
    let c = loaded.campaign;
    let instrument_title =
        urbis_app::diagnostic::instrument(&ctx.state, &c.instrument_slug, Some(c.instrument_version))
            .await?
            .instrument
            .title
            .clone();
    let overall = vec![
        rate_row(ctx.t.get("pulse-rate-respondents"), &rates.respondents),
        rate_row(ctx.t.get("pulse-rate-organisations"), &rates.organisations),
    ];
    let by_region = rates.by_region.iter().map(|(k, r)| rate_row(region_label(ctx, k), r)).collect();
    let by_country = rates.by_country.iter().map(|(k, r)| rate_row(country_label(ctx, k), r)).collect();
    let by_organisation = organisation_rows(ctx, &respondents);
    let page = urbis_store::Page::new(page, RESPONDENTS_PER_PAGE);
    let pages = (respondents.len() as u64).div_ceil(u64::from(RESPONDENTS_PER_PAGE)).max(1) as u32;
    let list_path = format!("/pulse/{}", c.id);
    let respondents = crate::api::page_of(page, &respondents).iter().cloned().map(RespondentRow::of).collect();
    Ok(ctx.render_status(
        status,
        CampaignPage {
            ctx,
            status: status_label(ctx, c.status),
            campaign: c,
            instrument_title,
            errors,
            notice,
            links,
            overall,
            by_region,
            by_country,
            by_organisation,
            respondents,
            page: page.page,
            pages,
            list_path,
            organisations,
            form,
        },
    ))
}

fn rate_row(name: String, r: &urbis_domain::diagnostic::pulse::Rate) -> RateRow {
    RateRow { name, invited: r.invited, responded: r.responded, percent: percent(r.percent) }
}

/// Each organisation (respondents come by organisation): invited, responded, and whether any
/// response came.
fn organisation_rows(ctx: &Ctx, respondents: &[Respondent]) -> Vec<RateRow> {
    let mut orgs: Vec<(String, usize, usize)> = vec![];
    for r in respondents {
        match orgs.last_mut() {
            Some(o) if o.0 == r.organisation_name => {
                o.1 += 1;
                o.2 += usize::from(r.submitted_at.is_some());
            }
            _ => orgs.push((r.organisation_name.clone(), 1, usize::from(r.submitted_at.is_some()))),
        }
    }
    orgs.into_iter()
        .map(|(name, invited, responded)| RateRow {
            name,
            invited,
            responded,
            percent: ctx.t.get(if responded > 0 {
                "pulse-organisation-responded"
            } else {
                "pulse-organisation-waiting"
            }),
        })
        .collect()
}

impl RespondentRow {
    fn of(r: Respondent) -> RespondentRow {
        let state = if r.submitted_at.is_some() {
            "submitted"
        } else if r.invited_at.is_some() {
            "invited"
        } else {
            "not-invited"
        };
        RespondentRow { respondent: r, state }
    }
}

async fn manageable(ctx: &Ctx, id: &str) -> Result<ops::Loaded, AppError> {
    ops::load_for(&ctx.state, &ctx.caller, id, Action::ManageSurvey).await
}

pub async fn campaign(ctx: Ctx, Path(id): Path<String>, Query(q): Query<HashMap<String, String>>) -> Response {
    ctx.respond(async {
        let loaded = manageable(&ctx, &id).await?;
        let notice = if let Some(n) = q.get("reminded") {
            Some(ctx.t.with("pulse-reminders-queued", &[("n", n)]))
        } else {
            q.get("added").map(|n| ctx.t.with("pulse-recipients-added", &[("n", n)]))
        };
        let page = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        campaign_page(&ctx, loaded, Shown { notice, page, ..Shown::default() }, StatusCode::OK).await
    })
    .await
}

/// The campaign page after links were sent: they are shown this once (mail delivery may not be
/// configured), so the page is rendered in answer to the form rather than after a redirect.
async fn sent(
    ctx: &Ctx,
    id: &str,
    notice: Option<String>,
    links: &[urbis_store::diagnostic::pulse::IssuedLink],
) -> Result<Response, AppError> {
    let loaded = manageable(ctx, id).await?;
    let links = links.iter().map(|l| (l.email.clone(), ops::link(&ctx.state, l))).collect();
    campaign_page(ctx, loaded, Shown { notice, links, ..Shown::default() }, StatusCode::OK).await
}

/// Show a refused or conflicting change on the campaign page (409), keeping what was typed.
async fn refused(ctx: &Ctx, id: &str, form: HashMap<String, String>, e: AppError) -> Result<Response, AppError> {
    let errors = match ctx.refusal(e) {
        Refusal::Conflict => vec![ShownError { field: "status".into(), message: ctx.t.get("pulse-conflict") }],
        Refusal::Errors(_, errors) => errors,
        Refusal::Fail(e) => return Err(e),
    };
    let loaded = manageable(ctx, id).await?;
    campaign_page(ctx, loaded, Shown { form, errors, ..Shown::default() }, StatusCode::CONFLICT).await
}

pub async fn recipients_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = manageable(&ctx, &id).await?;
        let new = form.get("mode") == "new";
        let input = if new {
            ops::RecipientInput {
                new_name: Some(form.get("new_name").into()),
                new_country_code: Some(form.get("new_country_code").into()),
                new_city: Some(form.get("new_city").into()),
                emails: vec![form.get("new_emails").into()],
                ..Default::default()
            }
        } else {
            ops::RecipientInput {
                organisation: Some(form.get("organisation").into()),
                emails: vec![form.get("emails").into()],
                ..Default::default()
            }
        };
        match ops::add_recipients(&ctx.state, &ctx.caller, &loaded, &[input]).await {
            Ok((c, added, links)) if links.is_empty() => {
                Ok(Redirect::to(&format!("/pulse/{}?added={}", c.id, added.len())).into_response())
            }
            Ok((_, added, links)) => {
                let notice = Some(ctx.t.with("pulse-recipients-added", &[("n", &added.len().to_string())]));
                sent(&ctx, &id, notice, &links).await
            }
            Err(e @ AppError::Invalid(_)) => {
                // The new-organisation form names its own e-mail field.
                let errors = ctx
                    .field_errors(&e)
                    .into_iter()
                    .map(
                        |e| if new && e.field == "emails" { ShownError { field: "new_emails".into(), ..e } } else { e },
                    )
                    .collect();
                let shown = Shown { form: form.0, errors, ..Shown::default() };
                campaign_page(&ctx, loaded, shown, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => refused(&ctx, &id, form.0, e).await,
        }
    })
    .await
}

pub async fn status_post(ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = manageable(&ctx, &id).await?;
        let next =
            CampaignStatus::parse(form.get("status")).map_err(|e| AppError::invalid("status", e.code, &e.message))?;
        let version = form
            .version()
            .ok_or_else(|| AppError::invalid("version", "invalid-field", "the form's version is missing"))?;
        match ops::set_status(&ctx.state, &ctx.caller, &loaded, version, next).await {
            Ok((c, links)) if links.is_empty() => Ok(Redirect::to(&format!("/pulse/{}", c.id)).into_response()),
            Ok((_, links)) => sent(&ctx, &id, Some(ctx.t.get("pulse-opened")), &links).await,
            Err(e) => refused(&ctx, &id, HashMap::new(), e).await,
        }
    })
    .await
}

pub async fn reminders_post(ctx: Ctx, Path(id): Path<String>, _form: PageForm) -> Response {
    ctx.respond(async {
        let loaded = manageable(&ctx, &id).await?;
        match ops::remind(&ctx.state, &ctx.caller, &loaded).await {
            Ok(links) if links.is_empty() => Ok(Redirect::to(&format!("/pulse/{id}?reminded=0")).into_response()),
            Ok(links) => {
                let notice = Some(ctx.t.with("pulse-reminders-queued", &[("n", &links.len().to_string())]));
                sent(&ctx, &id, notice, &links).await
            }
            Err(e) => refused(&ctx, &id, HashMap::new(), e).await,
        }
    })
    .await
}
