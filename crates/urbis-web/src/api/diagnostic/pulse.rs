//! API handlers of pulse surveys: campaigns (programme staff), their recipients, state, reminders,
//! response rates, report and CSV (the respondents' own endpoints are in `survey`).

use super::DistributionOut;
use crate::AppState;
use crate::api::{Api, ApiJson, IfMatch, List, PageQuery, created, created_with_etag, page_of, paged, with_etag};
use crate::error::{AuthErrors, BodyErrors, Problem, QueryErrors, ReadErrors, RuleErrors, TokenErrors, VersionErrors};
use axum::Json;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use urbis_app::diagnostic::pulse as ops;
use urbis_domain::diagnostic::pulse::{CampaignStatus, Rate, Summary};
use urbis_domain::policy::Action;
use urbis_store::diagnostic::pulse::{Campaign, Respondent};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Serialize, ToSchema)]
pub struct CampaignOut {
    pub id: Uuid,
    pub title: String,
    pub instrument: String,
    /// The instrument version, pinned when the campaign was created.
    pub instrument_version: u32,
    /// Programme slug; absent for a survey outside any programme.
    pub programme: Option<String>,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    /// `draft`, `open` or `closed`.
    pub status: String,
    pub sample: bool,
    pub version: i64,
    /// The links this request sent (opening the survey), each shown only this once.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<LinkOut>,
}

/// A respondent's personal link, returned once when it is sent (also queued by e-mail).
#[derive(Serialize, ToSchema)]
pub struct LinkOut {
    pub email: String,
    pub link: String,
}

fn links_out(state: &AppState, links: &[urbis_store::diagnostic::pulse::IssuedLink]) -> Vec<LinkOut> {
    links.iter().map(|l| LinkOut { email: l.email.clone(), link: ops::link(state, l) }).collect()
}

impl From<Campaign> for CampaignOut {
    fn from(c: Campaign) -> Self {
        CampaignOut {
            id: c.id,
            title: c.title,
            instrument: c.instrument_slug,
            instrument_version: c.instrument_version,
            programme: c.programme_slug,
            opens_on: c.opens_on,
            closes_on: c.closes_on,
            status: c.status.as_str().into(),
            sample: c.is_sample,
            version: c.version,
            links: vec![],
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CampaignPatch {
    /// `open` (sends every respondent their link) or `closed` (refuses further answers).
    pub status: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrganisationIn {
    pub name: String,
    /// ISO 3166-1 alpha-2.
    pub country_code: String,
    /// The city the organisation is in, if it is not obvious from its name.
    pub city: Option<String>,
}

/// An organisation (an existing one by slug, or a new one) and its respondents.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientIn {
    pub organisation: Option<String>,
    pub new_organisation: Option<NewOrganisationIn>,
    pub emails: Vec<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientsIn {
    pub recipients: Vec<RecipientIn>,
}

#[derive(Serialize, ToSchema)]
pub struct RespondentOut {
    pub id: Uuid,
    pub organisation: String,
    pub organisation_name: String,
    pub country: String,
    pub region: String,
    pub email: String,
    pub invited_at: Option<DateTime<Utc>>,
    pub last_reminded_at: Option<DateTime<Utc>>,
    pub reminders: i64,
    pub submitted_at: Option<DateTime<Utc>>,
}

impl From<Respondent> for RespondentOut {
    fn from(r: Respondent) -> Self {
        RespondentOut {
            region: ops::region_of(&r.country_code).into(),
            id: r.id,
            organisation: r.organisation_slug,
            organisation_name: r.organisation_name,
            country: r.country_code,
            email: r.email,
            invited_at: r.invited_at,
            last_reminded_at: r.last_reminded_at,
            reminders: r.reminders,
            submitted_at: r.submitted_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecipientsOut {
    pub campaign: CampaignOut,
    pub added: Vec<RespondentOut>,
    /// In an open survey, the links just sent, each shown only this once.
    pub links: Vec<LinkOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RemindersOut {
    /// Respondents reminded now (those who have not submitted and were not reminded in 24 hours).
    pub reminded: usize,
    /// The fresh links sent with the reminders, each shown only this once.
    pub links: Vec<LinkOut>,
}

#[derive(Serialize, ToSchema)]
pub struct RateOut {
    pub invited: usize,
    pub responded: usize,
    /// 100 × responded / invited; null when nobody was invited.
    pub percent: Option<f64>,
}

impl From<Rate> for RateOut {
    fn from(r: Rate) -> Self {
        RateOut { invited: r.invited, responded: r.responded, percent: r.percent }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ResponseRatesOut {
    /// People who submitted, of people invited.
    pub respondents: RateOut,
    /// Organisations with at least one submitted response, of organisations sent the survey.
    pub organisations: RateOut,
    /// Organisations by country code.
    pub by_country: BTreeMap<String, RateOut>,
    /// Organisations by region slug.
    pub by_region: BTreeMap<String, RateOut>,
    /// The first respondents with their state (at most 20, by organisation then e-mail); every
    /// one is in the paged list at `respondents_url`.
    pub respondent_list: Vec<RespondentOut>,
    /// How many respondents the campaign has.
    pub respondents_total: usize,
    /// The paged list of every respondent.
    pub respondents_url: String,
}

/// How many respondents the response rates carry (the rest are in the paged list).
const RESPONDENTS_SHOWN: usize = 20;

#[derive(Serialize, ToSchema)]
pub struct OptionCountOut {
    /// The level (1–5), the choice (`yes`, `partial`, `no`) or the checklist item id.
    pub option: String,
    pub count: usize,
}

#[derive(Serialize, ToSchema)]
pub struct NumberSummaryOut {
    /// n, minimum, quartiles, median and maximum (as benchmarks compute them).
    #[serde(flatten)]
    pub distribution: DistributionOut,
    pub mean: f64,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionReportOut {
    pub question_id: String,
    /// Null for context (unscored) questions.
    pub capability: Option<String>,
    /// `level`, `choice`, `checklist`, `number` or `text`.
    pub kind: String,
    pub answered: usize,
    pub not_applicable: usize,
    /// Counts per option (level, choice and checklist questions; null while figures are hidden).
    pub options: Option<Vec<OptionCountOut>>,
    /// Number questions (null while hidden).
    pub number: Option<NumberSummaryOut>,
    /// Text questions: the answers (programme staff only, and only while figures are shown).
    pub answers: Option<Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct CapabilityDistributionOut {
    /// Capability slug, or `overall`.
    pub capability: String,
    pub distribution: Option<DistributionOut>,
}

#[derive(Serialize, ToSchema)]
pub struct ReportOut {
    pub campaign: Uuid,
    pub instrument: String,
    pub instrument_version: u32,
    pub country: Option<String>,
    pub region: Option<String>,
    /// Submitted responses matching the filter.
    pub n: usize,
    /// Figures are given only from 5 matching responses on (below that, programme staff get
    /// counts only); the teams of the organisations surveyed get them once the campaign is closed,
    /// and by region only when every region has no response or at least 5 (else no questions).
    pub figures_shown: bool,
    /// Why figures are withheld: `too-few-responses`, `campaign-open` or `small-region`.
    pub withheld: Option<String>,
    pub questions: Vec<QuestionReportOut>,
    /// Distribution of the responses' capability scores (and `overall`), 0–100.
    pub capabilities: Vec<CapabilityDistributionOut>,
}

async fn loaded(api: &Api, id: &str, action: Action) -> Result<ops::Loaded, Problem> {
    Ok(ops::load_for(&api.state, &api.caller, id, action).await?)
}

/// Create a draft pulse survey campaign (programme staff; admins or any programme manager for a
/// survey outside a programme).
#[utoipa::path(post, path = "/pulse/campaigns", tag = "diagnostic", security(("bearer" = [])), request_body = ops::CampaignInput,
    responses((status = 201, body = CampaignOut, headers(("ETag" = String), ("Location" = String, description = "Where the created record is read"))), AuthErrors, BodyErrors))]
pub async fn create_campaign(api: Api, ApiJson(input): ApiJson<ops::CampaignInput>) -> Result<Response, Problem> {
    let c = ops::create(&api.state, &api.caller, &input).await?;
    let location = format!("/api/v1/pulse/campaigns/{}", c.id);
    Ok(crate::api::with_location(&location, created_with_etag(c.version, CampaignOut::from(c))))
}

/// The campaigns whose report the caller may read, newest first (staff: theirs; city teams: those
/// sent to their organisation), paged.
#[utoipa::path(get, path = "/pulse/campaigns", tag = "diagnostic", security(("bearer" = [])),
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000, description = "Page, from 1"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 1 to 100")),
    responses((status = 200, body = List<CampaignOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors))]
pub async fn list_campaigns(api: Api, q: PageQuery) -> Result<Response, Problem> {
    let all = ops::visible(&api.state, &api.caller).await?;
    let items = page_of(q.page, &all).iter().map(|l| CampaignOut::from(l.campaign.clone())).collect();
    let list = List { items, page: q.page.page, per_page: q.page.per_page, total: all.len() as u64 };
    Ok(paged(&q, "/api/v1/pulse/campaigns", list))
}

/// A campaign (whoever may read its report).
#[utoipa::path(get, path = "/pulse/campaigns/{id}", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)")),
    responses((status = 200, body = CampaignOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_campaign(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let l = loaded(&api, &id, Action::ReadSurveyReport).await?;
    Ok(with_etag(l.campaign.version, CampaignOut::from(l.campaign)))
}

/// Open (sends every respondent their link through the outbox) or close a campaign (programme
/// staff). Needs `If-Match` with the campaign's ETag; a state cannot go back.
#[utoipa::path(patch, path = "/pulse/campaigns/{id}", tag = "diagnostic", security(("bearer" = [])), request_body = CampaignPatch,
    params(("id" = String, Path, description = "the campaign's id (a UUID)"), ("If-Match" = String, Header, description = "the campaign's ETag")),
    responses((status = 200, body = CampaignOut), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn patch_campaign(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<CampaignPatch>,
) -> Result<Response, Problem> {
    let l = loaded(&api, &id, Action::ManageSurvey).await?;
    let version = if_match.version_of(l.campaign.version)?;
    let next = CampaignStatus::parse(&body.status)
        .map_err(|e| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "status", e.code, "must be open or closed"))?;
    let (c, links) = ops::set_status(&api.state, &api.caller, &l, version, next).await?;
    Ok(with_etag(c.version, CampaignOut { links: links_out(&api.state, &links), ..c.into() }))
}

/// Add organisations (existing ones by slug, or new ones such as cities outside the cohort) and
/// their respondents' e-mail addresses (programme staff). In an open campaign the links go out at
/// once; in a draft, when it opens.
#[utoipa::path(post, path = "/pulse/campaigns/{id}/recipients", tag = "diagnostic", security(("bearer" = [])), request_body = RecipientsIn,
    params(("id" = String, Path, description = "the campaign's id (a UUID)")),
    responses((status = 201, body = RecipientsOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn add_recipients(
    api: Api,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RecipientsIn>,
) -> Result<Response, Problem> {
    let l = loaded(&api, &id, Action::ManageSurvey).await?;
    let input: Vec<ops::RecipientInput> = body
        .recipients
        .into_iter()
        .map(|r| ops::RecipientInput {
            organisation: r.organisation,
            new_name: r.new_organisation.as_ref().map(|n| n.name.clone()),
            new_country_code: r.new_organisation.as_ref().map(|n| n.country_code.clone()),
            new_city: r.new_organisation.and_then(|n| n.city),
            emails: r.emails,
        })
        .collect();
    let (c, added, links) = ops::add_recipients(&api.state, &api.caller, &l, &input).await?;
    let out = RecipientsOut {
        campaign: c.into(),
        added: added.into_iter().map(Into::into).collect(),
        links: links_out(&api.state, &links),
    };
    Ok(created(out))
}

/// Queue one reminder per respondent who has not submitted (programme staff, open campaigns); a
/// respondent reminded in the last 24 hours is skipped.
#[utoipa::path(post, path = "/pulse/campaigns/{id}/reminders", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)")),
    responses((status = 200, body = RemindersOut), ReadErrors, RuleErrors))]
pub async fn send_reminders(api: Api, Path(id): Path<String>) -> Result<Json<RemindersOut>, Problem> {
    let l = loaded(&api, &id, Action::ManageSurvey).await?;
    let links = ops::remind(&api.state, &api.caller, &l).await?;
    Ok(Json(RemindersOut { reminded: links.len(), links: links_out(&api.state, &links) }))
}

/// Response rates: per respondent, per organisation (any respondent submitted), by country and by
/// region (programme staff).
#[utoipa::path(get, path = "/pulse/campaigns/{id}/response-rates", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)")),
    responses((status = 200, body = ResponseRatesOut), ReadErrors))]
pub async fn response_rates(api: Api, Path(id): Path<String>) -> Result<Json<ResponseRatesOut>, Problem> {
    let l = loaded(&api, &id, Action::ManageSurvey).await?;
    let (rates, respondents) = ops::rates(&api.state, &api.caller, &l).await?;
    let respondents_total = respondents.len();
    Ok(Json(ResponseRatesOut {
        respondents_total,
        respondents_url: format!("/api/v1/pulse/campaigns/{}/respondents", l.campaign.id),
        respondents: rates.respondents.into(),
        organisations: rates.organisations.into(),
        by_country: rates.by_country.into_iter().map(|(k, v)| (k, v.into())).collect(),
        by_region: rates.by_region.into_iter().map(|(k, v)| (k, v.into())).collect(),
        respondent_list: respondents.into_iter().take(RESPONDENTS_SHOWN).map(Into::into).collect(),
    }))
}

/// Every respondent of a campaign with their state, by organisation then e-mail, paged (programme
/// staff).
#[utoipa::path(get, path = "/pulse/campaigns/{id}/respondents", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000, description = "Page, from 1"), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100, description = "Items per page, 1 to 100")),
    responses((status = 200, body = List<RespondentOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn list_respondents(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let l = loaded(&api, &id, Action::ManageSurvey).await?;
    let page = ops::respondents(&api.state, &api.caller, &l, q.page).await?;
    let list = List {
        items: page.items.into_iter().map(RespondentOut::from).collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
    };
    Ok(paged(&q, &format!("/api/v1/pulse/campaigns/{}/respondents", l.campaign.id), list))
}

/// The report: per question the number answered and not applicable, counts per option, number
/// summaries, free text (staff only), and the distribution of capability scores. `?country=` and
/// `?region=` filter; with fewer than 5 matching responses only counts are given.
#[utoipa::path(get, path = "/pulse/campaigns/{id}/report", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)"), ("country" = Option<String>, Query), ("region" = Option<String>, Query)),
    responses((status = 200, body = ReportOut), ReadErrors, QueryErrors))]
pub async fn get_report(
    api: Api,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<ReportOut>, Problem> {
    let l = loaded(&api, &id, Action::ReadSurveyReport).await?;
    let filter = ops::Filter::parse(&q)?;
    let r = ops::report(&api.state, &api.caller, &l, &filter).await?;
    let kind = |id: &str| -> String {
        r.instrument.question(id).map(|q| q.kind.as_str().to_string()).unwrap_or_else(|| {
            match r.instrument.context_question(id).map(|q| q.kind) {
                Some(urbis_domain::diagnostic::instrument::ContextKind::Number) => "number".into(),
                _ => "text".into(),
            }
        })
    };
    let questions = r
        .questions
        .iter()
        .map(|q| {
            let (options, number, answers) = match &q.summary {
                Summary::Counts { options } => (
                    r.shown.then(|| {
                        options.iter().map(|(o, n)| OptionCountOut { option: o.clone(), count: *n }).collect()
                    }),
                    None,
                    None,
                ),
                Summary::Number { summary } => (
                    None,
                    summary.map(|s| NumberSummaryOut { distribution: s.distribution.into(), mean: s.mean }),
                    None,
                ),
                Summary::Text { answers } => (None, None, r.text_shown.then(|| answers.clone())),
            };
            QuestionReportOut {
                kind: kind(&q.question_id),
                question_id: q.question_id.clone(),
                capability: q.capability.clone(),
                answered: q.answered,
                not_applicable: q.not_applicable,
                options,
                number,
                answers,
            }
        })
        .collect();
    Ok(Json(ReportOut {
        campaign: l.campaign.id,
        instrument: r.instrument.slug.clone(),
        instrument_version: r.instrument.version,
        country: filter.country.map(|c| c.as_str().to_string()),
        region: filter.region.map(|g| g.slug().to_string()),
        n: r.n,
        figures_shown: r.shown,
        withheld: r.withheld.map(|w| w.as_str().to_string()),
        capabilities: r
            .capabilities
            .iter()
            .map(|(c, d)| CapabilityDistributionOut { capability: c.clone(), distribution: d.map(Into::into) })
            .collect(),
        questions,
    }))
}

/// The submitted responses as CSV (programme staff). `?anonymised=true` leaves out organisation,
/// person, e-mail, time and free text, gives the region instead of the country, and orders rows by a
/// keyed hash; it needs at least 5 matching responses. `?region=` (and for full exports
/// `?country=`) filter.
#[utoipa::path(get, path = "/pulse/campaigns/{id}/responses.csv", tag = "diagnostic", security(("bearer" = [])),
    params(("id" = String, Path, description = "the campaign's id (a UUID)"), ("anonymised" = Option<bool>, Query), ("country" = Option<String>, Query), ("region" = Option<String>, Query)),
    responses((status = 200, content_type = "text/csv", body = String), ReadErrors, QueryErrors, RuleErrors))]
pub async fn get_responses_csv(
    api: Api,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response, Problem> {
    let l = loaded(&api, &id, Action::ReadSurveyResponses).await?;
    let (name, body) = ops::responses_csv_from_query(&api.state, &api.caller, &l, &q).await?;
    Ok(super::csv(&name, body))
}
