//! Pages of pulse surveys: the staff's campaigns (create, recipients, open and close, reminders,
//! response rates), the report with filters, and the respondent's questionnaire by link (one topic
//! per page, check your answers, submit, thank you). Everything works without JavaScript.

use super::super::{Ctx, PageForm, Refusal, ShownError};
use super::{
    CheckItem, CheckSection, QuestionView, SectionLink, capability_name, checked_section, describe, section_order,
    section_title, section_views, shown_from_answer, shown_from_form,
};
use crate::AppState;
use crate::charts::bar_chart;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use std::collections::HashMap;
use urbis_app::AppError;
use urbis_app::diagnostic::pulse as ops;
use urbis_domain::diagnostic::Instrument;
use urbis_domain::diagnostic::pulse::{CampaignStatus, Summary};
use urbis_domain::network::Region;
use urbis_domain::policy::Action;
use urbis_store::diagnostic::pulse::{Campaign, Respondent};
use urbis_store::diagnostic::{InstrumentSummary, StoredAnswer};
use urbis_store::network::{Organisation, Programme};

fn status_label(ctx: &Ctx, s: CampaignStatus) -> String {
    ctx.t.get(&format!("pulse-status-{}", s.as_str()))
}

fn region_label(ctx: &Ctx, slug: &str) -> String {
    ctx.t.get(&format!("region-{slug}"))
}

fn country_label(ctx: &Ctx, code: &str) -> String {
    let id = format!("country-{code}");
    if ctx.t.has(&id) { ctx.t.get(&id) } else { code.to_string() }
}

fn percent(p: Option<f64>) -> String {
    p.map(|x| format!("{x:.0} %")).unwrap_or_else(|| "–".into())
}

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

pub async fn list(State(state): State<AppState>, ctx: Ctx) -> Response {
    let r: Result<Response, AppError> = async {
        let campaigns = ops::visible(&state, &ctx.caller)
            .await?
            .into_iter()
            .map(|l| CampaignRow {
                status: status_label(&ctx, l.campaign.status),
                campaign: l.campaign,
                manage: l.manage,
            })
            .collect();
        Ok(ctx.render(ListPage { ctx: &ctx, campaigns, can_create: ops::can_create(&ctx.caller) }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
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
form_errors!(NewPage);

impl NewPage<'_> {
    fn value(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

async fn new_page(
    state: &AppState,
    ctx: &Ctx,
    form: HashMap<String, String>,
    errors: Vec<ShownError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (instruments, programmes) = ops::new_form(state, &ctx.caller).await?;
    Ok(ctx.render_status(status, NewPage { ctx, errors, instruments, programmes, form }))
}

pub async fn new(State(state): State<AppState>, ctx: Ctx) -> Response {
    let r: Result<Response, AppError> = async {
        let mut form = HashMap::new();
        form.insert("instrument".to_string(), "innovation-capacity-pulse".to_string());
        new_page(&state, &ctx, form, vec![], StatusCode::OK).await
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn new_post(State(state): State<AppState>, ctx: Ctx, form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
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
        match ops::create(&state, &ctx.caller, &input).await {
            Ok(c) => Ok(Redirect::to(&format!("/pulse/{}", c.id)).into_response()),
            Err(e) => {
                let (status, errors) = ctx.form_errors(e)?;
                new_page(&state, &ctx, form.0, errors, status).await
            }
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
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
    respondents: Vec<RespondentRow>,
    organisations: Vec<Organisation>,
    form: HashMap<String, String>,
}
form_errors!(CampaignPage);

impl CampaignPage<'_> {
    fn value(&self, k: &str) -> &str {
        self.form.get(k).map(String::as_str).unwrap_or("")
    }
}

/// What a campaign page shows besides the campaign: the form as typed, errors, a notice and the
/// links just sent.
#[derive(Default)]
struct Shown {
    form: HashMap<String, String>,
    errors: Vec<ShownError>,
    notice: Option<String>,
    links: Vec<(String, String)>,
}

async fn campaign_page(
    state: &AppState,
    ctx: &Ctx,
    loaded: ops::Loaded,
    shown: Shown,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Shown { form, errors, notice, links } = shown;
    let (rates, respondents) = ops::rates(state, &ctx.caller, &loaded).await?;
    let c = loaded.campaign;
    let instrument_title = urbis_app::diagnostic::instrument(state, &c.instrument_slug, Some(c.instrument_version))
        .await?
        .instrument
        .title
        .clone();
    let row = |name: String, r: &urbis_domain::diagnostic::pulse::Rate| RateRow {
        name,
        invited: r.invited,
        responded: r.responded,
        percent: percent(r.percent),
    };
    let overall = vec![
        row(ctx.t.get("pulse-rate-respondents"), &rates.respondents),
        row(ctx.t.get("pulse-rate-organisations"), &rates.organisations),
    ];
    let by_region = rates.by_region.iter().map(|(k, r)| row(region_label(ctx, k), r)).collect();
    let by_country = rates.by_country.iter().map(|(k, r)| row(country_label(ctx, k), r)).collect();
    let mut orgs: Vec<(String, usize, usize)> = vec![];
    for r in &respondents {
        match orgs.last_mut() {
            Some(o) if o.0 == r.organisation_name => {
                o.1 += 1;
                o.2 += usize::from(r.submitted_at.is_some());
            }
            _ => orgs.push((r.organisation_name.clone(), 1, usize::from(r.submitted_at.is_some()))),
        }
    }
    let by_organisation = orgs
        .into_iter()
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
        .collect();
    let respondents = respondents
        .into_iter()
        .map(|r| RespondentRow {
            state: if r.submitted_at.is_some() {
                "submitted"
            } else if r.invited_at.is_some() {
                "invited"
            } else {
                "not-invited"
            },
            respondent: r,
        })
        .collect();
    let organisations = state.store.organisations().await?;
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
            organisations,
            form,
        },
    ))
}

async fn manageable(state: &AppState, ctx: &Ctx, id: &str) -> Result<ops::Loaded, AppError> {
    ops::load_for(state, &ctx.caller, id, Action::ManageSurvey).await
}

pub async fn campaign(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = manageable(&state, &ctx, &id).await?;
        let notice = if let Some(n) = q.get("reminded") {
            Some(ctx.t.with("pulse-reminders-queued", &[("n", n)]))
        } else {
            q.get("added").map(|n| ctx.t.with("pulse-recipients-added", &[("n", n)]))
        };
        campaign_page(&state, &ctx, loaded, Shown { notice, ..Shown::default() }, StatusCode::OK).await
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// The campaign page after links were sent: they are shown this once (mail delivery may not be
/// configured), so the page is rendered in answer to the form rather than after a redirect.
async fn sent(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    notice: Option<String>,
    links: &[urbis_store::diagnostic::pulse::IssuedLink],
) -> Result<Response, AppError> {
    let loaded = manageable(state, ctx, id).await?;
    let links = links.iter().map(|l| (l.email.clone(), ops::link(state, l))).collect();
    campaign_page(state, ctx, loaded, Shown { notice, links, ..Shown::default() }, StatusCode::OK).await
}

/// Show a refused or conflicting change on the campaign page (409), keeping what was typed.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    form: HashMap<String, String>,
    e: AppError,
) -> Result<Response, AppError> {
    let errors = match ctx.refusal(e) {
        Refusal::Conflict => vec![ShownError { field: "status".into(), message: ctx.t.get("pulse-conflict") }],
        Refusal::Errors(_, errors) => errors,
        Refusal::Fail(e) => return Err(e),
    };
    let loaded = manageable(state, ctx, id).await?;
    campaign_page(state, ctx, loaded, Shown { form, errors, ..Shown::default() }, StatusCode::CONFLICT).await
}

pub async fn recipients_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = manageable(&state, &ctx, &id).await?;
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
        match ops::add_recipients(&state, &ctx.caller, &loaded, &[input]).await {
            Ok((c, added, links)) if links.is_empty() => {
                Ok(Redirect::to(&format!("/pulse/{}?added={}", c.id, added.len())).into_response())
            }
            Ok((_, added, links)) => {
                let notice = Some(ctx.t.with("pulse-recipients-added", &[("n", &added.len().to_string())]));
                sent(&state, &ctx, &id, notice, &links).await
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
                campaign_page(&state, &ctx, loaded, shown, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(e) => refused(&state, &ctx, &id, form.0, e).await,
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn status_post(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>, form: PageForm) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = manageable(&state, &ctx, &id).await?;
        let next =
            CampaignStatus::parse(form.get("status")).map_err(|e| AppError::invalid("status", e.code, &e.message))?;
        let version = form
            .version()
            .ok_or_else(|| AppError::invalid("version", "invalid-field", "the form's version is missing"))?;
        match ops::set_status(&state, &ctx.caller, &loaded, version, next).await {
            Ok((c, links)) if links.is_empty() => Ok(Redirect::to(&format!("/pulse/{}", c.id)).into_response()),
            Ok((_, links)) => sent(&state, &ctx, &id, Some(ctx.t.get("pulse-opened")), &links).await,
            Err(e) => refused(&state, &ctx, &id, HashMap::new(), e).await,
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn reminders_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    _form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = manageable(&state, &ctx, &id).await?;
        match ops::remind(&state, &ctx.caller, &loaded).await {
            Ok(links) if links.is_empty() => Ok(Redirect::to(&format!("/pulse/{id}?reminded=0")).into_response()),
            Ok(links) => {
                let notice = Some(ctx.t.with("pulse-reminders-queued", &[("n", &links.len().to_string())]));
                sent(&state, &ctx, &id, notice, &links).await
            }
            Err(e) => refused(&state, &ctx, &id, HashMap::new(), e).await,
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

// ---- the report ---------------------------------------------------------------------------------

pub struct QuestionBlock {
    pub id: String,
    pub text: String,
    pub section: String,
    pub answered: usize,
    pub not_applicable: usize,
    pub chart: String,
    /// (option, count) for level, choice and checklist questions.
    pub counts: Vec<(String, usize)>,
    /// n, min, q1, median, q3, max, mean of a number question.
    pub number: Option<[String; 7]>,
    pub is_text: bool,
    pub answers: Vec<String>,
}

pub struct DistributionRow {
    pub name: String,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "pulse_report.html")]
struct ReportPage<'a> {
    ctx: &'a Ctx,
    campaign: Campaign,
    country: String,
    region: String,
    countries: Vec<(String, String)>,
    regions: Vec<(String, String)>,
    n: usize,
    shown: bool,
    text_shown: bool,
    staff: bool,
    capability_chart: String,
    capabilities: Vec<DistributionRow>,
    questions: Vec<QuestionBlock>,
}

fn option_label(ctx: &Ctx, inst: &Instrument, qid: &str, option: &str) -> String {
    match inst.question(qid).map(|q| q.kind) {
        Some(urbis_domain::diagnostic::QuestionKind::Level) => ctx.t.with("questionnaire-level", &[("level", option)]),
        Some(urbis_domain::diagnostic::QuestionKind::Choice) => ctx.t.get(&format!("questionnaire-choice-{option}")),
        _ => inst
            .question(qid)
            .and_then(|q| q.items.iter().find(|i| i.id == option))
            .map(|i| i.text.clone())
            .unwrap_or_else(|| option.to_string()),
    }
}

pub async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = ops::load_for(&state, &ctx.caller, &id, Action::ReadSurveyReport).await?;
        let filter = ops::Filter::parse(&q)?;
        let report = ops::report(&state, &ctx.caller, &loaded, &filter).await?;
        let inst = &report.instrument;
        let staff = ops::can_manage(&ctx.caller, &loaded);
        let countries =
            report.countries.iter().cloned().map(|c| (country_label(&ctx, &c), c)).map(|(l, c)| (c, l)).collect();
        let regions = Region::ALL.iter().map(|r| (r.slug().to_string(), region_label(&ctx, r.slug()))).collect();
        let cap_name = |slug: &str| {
            if slug == "overall" { ctx.t.get("diagnostic-overall") } else { capability_name(&ctx, inst, slug) }
        };
        let capabilities: Vec<DistributionRow> = report
            .capabilities
            .iter()
            .map(|(slug, d)| DistributionRow {
                name: cap_name(slug),
                cells: match d {
                    Some(d) => {
                        [d.n as f64, d.min, d.q1, d.median, d.q3, d.max].iter().map(|v| format!("{v:.0}")).collect()
                    }
                    None => vec!["–".into(); 6],
                },
            })
            .collect();
        let medians: Vec<(String, f64)> =
            report.capabilities.iter().filter_map(|(slug, d)| d.map(|d| (cap_name(slug), d.median))).collect();
        let capability_chart = if medians.is_empty() {
            String::new()
        } else {
            bar_chart(
                "capabilities",
                &ctx.t.get("pulse-capability-chart-title"),
                &ctx.t.get("pulse-capability-chart-desc"),
                &medians,
                100.0,
            )
        };
        let questions = report
            .questions
            .iter()
            .map(|s| {
                let (text, section) = match inst.question(&s.question_id) {
                    Some(q) => (q.text.clone(), capability_name(&ctx, inst, &q.capability)),
                    None => (
                        inst.context_question(&s.question_id).map(|q| q.text.clone()).unwrap_or_default(),
                        ctx.t.get("questionnaire-context"),
                    ),
                };
                let mut block = QuestionBlock {
                    id: s.question_id.clone(),
                    text,
                    section,
                    answered: s.answered,
                    not_applicable: s.not_applicable,
                    chart: String::new(),
                    counts: vec![],
                    number: None,
                    is_text: false,
                    answers: vec![],
                };
                match &s.summary {
                    Summary::Counts { options } if report.shown => {
                        let bars: Vec<(String, f64)> = options
                            .iter()
                            .map(|(o, n)| (option_label(&ctx, inst, &s.question_id, o), *n as f64))
                            .collect();
                        block.chart = bar_chart(
                            &format!("chart-{}", s.question_id),
                            &ctx.t.with("pulse-question-chart-title", &[("question", &block.text)]),
                            &ctx.t.get("pulse-question-chart-desc"),
                            &bars,
                            report.n as f64,
                        );
                        block.counts = bars.into_iter().map(|(l, n)| (l, n as usize)).collect();
                    }
                    Summary::Number { summary: Some(n) } => {
                        let d = n.distribution;
                        block.number = Some(
                            [d.n as f64, d.min, d.q1, d.median, d.q3, d.max, n.mean]
                                .map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.1}") }),
                        );
                    }
                    Summary::Text { answers } => {
                        block.is_text = true;
                        block.answers = answers.clone();
                    }
                    _ => {}
                }
                block
            })
            .collect();
        Ok(ctx.render(ReportPage {
            ctx: &ctx,
            country: filter.country.as_ref().map(|c| c.as_str().to_string()).unwrap_or_default(),
            region: filter.region.map(|r| r.slug().to_string()).unwrap_or_default(),
            campaign: loaded.campaign,
            countries,
            regions,
            n: report.n,
            shown: report.shown,
            text_shown: report.text_shown,
            staff,
            capability_chart,
            capabilities,
            questions,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

/// The CSV download for signed-in staff (the API's export, with the page's session).
pub async fn responses_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let r: Result<Response, AppError> = async {
        let loaded = ops::load_for(&state, &ctx.caller, &id, Action::ReadSurveyResponses).await?;
        let (name, body) = ops::responses_csv_from_query(&state, &ctx.caller, &loaded, &q).await?;
        Ok(crate::download::csv(&name, body))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

// ---- the respondent's questionnaire -------------------------------------------------------------

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

async fn mine(state: &AppState, r: &ops::Respondence) -> Result<HashMap<String, StoredAnswer>, AppError> {
    Ok(state
        .store
        .survey_answers(r.respondent.id)
        .await?
        .iter()
        .map(|a| (a.question_id.clone(), a.as_stored()))
        .collect())
}

pub async fn survey(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    let r: Result<Response, AppError> = async {
        let r = ops::by_token(&state, &token).await?;
        if let Some(page) = unavailable(&ctx, &r, StatusCode::OK) {
            return Ok(page);
        }
        let mine = mine(&state, &r).await?;
        let inst = &r.instrument;
        let sections = section_order(inst)
            .into_iter()
            .map(|s| {
                let ids: Vec<&str> = if inst.capabilities.iter().any(|c| c.slug == s) {
                    inst.questions.iter().filter(|q| q.capability == s).map(|q| q.id.as_str()).collect()
                } else {
                    inst.context.iter().map(|q| q.id.as_str()).collect()
                };
                SectionLink {
                    name: section_title(&ctx, inst, &s).map(|t| t.0).unwrap_or_default(),
                    href: format!("/surveys/{token}/sections/{s}"),
                    answered: ids.iter().filter(|id| mine.contains_key(**id)).count(),
                    total: ids.len(),
                }
            })
            .collect();
        Ok(ctx.render(SurveyPage {
            ctx: &ctx,
            title: r.campaign.title.clone(),
            description: inst.description.clone(),
            organisation: r.respondent.organisation_name.clone(),
            closes_on: r.campaign.closes_on.to_string(),
            sections,
            token,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "pulse_section.html")]
struct SectionPage<'a> {
    ctx: &'a Ctx,
    token: String,
    survey_title: String,
    title: String,
    description: String,
    questions: Vec<QuestionView>,
    errors: Vec<ShownError>,
    section: String,
}

pub async fn section(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, section)): Path<(String, String)>,
) -> Response {
    let r: Result<Response, AppError> = async {
        let r = ops::by_token(&state, &token).await?;
        if let Some(page) = unavailable(&ctx, &r, StatusCode::OK) {
            return Ok(page);
        }
        let (title, description) =
            section_title(&ctx, &r.instrument, &section).ok_or_else(|| AppError::NotFound("section"))?;
        let mine = mine(&state, &r).await?;
        let questions = section_views(&ctx, &r.instrument, &section, &|q| shown_from_answer(mine.get(q)), &[]);
        Ok(ctx.render(SectionPage {
            ctx: &ctx,
            token,
            survey_title: r.campaign.title.clone(),
            title,
            description,
            questions,
            errors: vec![],
            section,
        }))
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn section_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((token, section)): Path<(String, String)>,
    form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let r = ops::by_token(&state, &token).await?;
        if let Some(page) = unavailable(&ctx, &r, StatusCode::CONFLICT) {
            return Ok(page);
        }
        let (title, description) =
            section_title(&ctx, &r.instrument, &section).ok_or_else(|| AppError::NotFound("section"))?;
        let (checked, errors) = checked_section(&ctx, &r.instrument, &section, &form);
        if !errors.is_empty() {
            let questions = section_views(&ctx, &r.instrument, &section, &|q| shown_from_form(&form, q), &errors);
            return Ok(ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                SectionPage {
                    ctx: &ctx,
                    token,
                    survey_title: r.campaign.title.clone(),
                    title,
                    description,
                    questions,
                    errors,
                    section,
                },
            ));
        }
        if !checked.is_empty() {
            ops::save(&state, &r, &checked).await?;
        }
        let order = section_order(&r.instrument);
        let to = match order.iter().skip_while(|s| **s != section).nth(1) {
            Some(n) => format!("/surveys/{token}/sections/{n}"),
            None => format!("/surveys/{token}/check"),
        };
        Ok(Redirect::to(&to).into_response())
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[derive(Template)]
#[template(path = "pulse_check.html")]
struct CheckPage<'a> {
    ctx: &'a Ctx,
    token: String,
    survey_title: String,
    sections: Vec<CheckSection>,
    errors: Vec<ShownError>,
}

async fn check_page(
    state: &AppState,
    ctx: &Ctx,
    token: String,
    r: &ops::Respondence,
    errors: Vec<ShownError>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mine = mine(state, r).await?;
    let inst = &r.instrument;
    let item = |qid: &str, text: &str, required: bool| CheckItem {
        text: text.to_string(),
        anchor: format!("q-{qid}"),
        mine: mine.get(qid).map(|a| describe(ctx, inst, a)).unwrap_or_default(),
        respondents: usize::from(mine.contains_key(qid)),
        missing: required && !mine.contains_key(qid),
    };
    let sections = section_order(inst)
        .into_iter()
        .map(|s| CheckSection {
            name: section_title(ctx, inst, &s).map(|t| t.0).unwrap_or_default(),
            href: format!("/surveys/{token}/sections/{s}"),
            items: if inst.capabilities.iter().any(|c| c.slug == s) {
                inst.questions.iter().filter(|q| q.capability == s).map(|q| item(&q.id, &q.text, q.required)).collect()
            } else {
                inst.context.iter().map(|q| item(&q.id, &q.text, q.required)).collect()
            },
        })
        .collect();
    Ok(ctx.render_status(status, CheckPage { ctx, survey_title: r.campaign.title.clone(), sections, errors, token }))
}

pub async fn check(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Response {
    let r: Result<Response, AppError> = async {
        let r = ops::by_token(&state, &token).await?;
        if let Some(page) = unavailable(&ctx, &r, StatusCode::OK) {
            return Ok(page);
        }
        check_page(&state, &ctx, token, &r, vec![], StatusCode::OK).await
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

pub async fn check_post(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    _form: PageForm,
) -> Response {
    let r: Result<Response, AppError> = async {
        let r = ops::by_token(&state, &token).await?;
        if let Some(page) = unavailable(&ctx, &r, StatusCode::CONFLICT) {
            return Ok(page);
        }
        match ops::submit(&state, &r).await {
            Ok(_) => Ok(Redirect::to(&format!("/surveys/{token}")).into_response()),
            Err(AppError::Refused { rule: "incomplete", errors, .. }) => {
                let text = |qid: &str| {
                    r.instrument
                        .question(qid)
                        .map(|q| q.text.clone())
                        .or_else(|| r.instrument.context_question(qid).map(|q| q.text.clone()))
                        .unwrap_or_default()
                };
                let errors = errors
                    .iter()
                    .map(|e| ShownError {
                        field: format!("q-{}", e.field),
                        message: ctx.t.with("questionnaire-missing", &[("question", &text(&e.field))]),
                    })
                    .collect();
                check_page(&state, &ctx, token, &r, errors, StatusCode::CONFLICT).await
            }
            Err(e) => Err(e),
        }
    }
    .await;
    r.unwrap_or_else(|p| ctx.fail(p))
}

#[cfg(test)]
mod tests {
    use crate::i18n::{LANGUAGES, Tr};
    use urbis_domain::diagnostic::pulse::CampaignStatus;
    use urbis_domain::network::Region;

    /// Message ids these pages build at run time exist in every language.
    #[test]
    fn dynamic_message_ids_exist() {
        let mut ids: Vec<String> = CampaignStatus::ALL.iter().map(|s| format!("pulse-status-{}", s.as_str())).collect();
        ids.extend(["submitted", "invited", "not-invited"].iter().map(|s| format!("pulse-respondent-{s}")));
        ids.extend(Region::ALL.iter().map(|r| format!("region-{}", r.slug())));
        for (code, _) in LANGUAGES {
            let t = Tr::new(code);
            let missing: Vec<&String> = ids.iter().filter(|id| !t.has(id)).collect();
            assert!(missing.is_empty(), "{code} lacks {missing:?}");
        }
    }
}
