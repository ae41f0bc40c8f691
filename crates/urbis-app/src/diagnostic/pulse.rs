//! Pulse survey operations shared by pages and API: authorise with the policy, check input with the
//! domain, call the store; the report (per-question summaries, capability score distributions,
//! response rates) and the CSV exports, full and anonymised.

use super::{check_answer, instrument};
use crate::auth::mac;
use crate::i18n::Tr;
use crate::{App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use std::collections::HashMap;
use std::fmt::Write;
use urbis_domain::diagnostic::pulse::{
    CampaignStatus, MIN_REPORT_RESPONSES, QuestionSummary, RespondentFact, ResponseRates, Withheld, check_campaign,
    response_rates, summarise,
};
use urbis_domain::diagnostic::{Answer, Distribution, Instrument, required_questions, score};
use urbis_domain::network::{CountryCode, Email, OrganisationKind, Region, optional_name, required_name};
use urbis_domain::policy::{Action, Resource};
use urbis_domain::{FieldError, Invalid};
use urbis_store::diagnostic::InstrumentSummary;
use urbis_store::diagnostic::pulse::{
    Campaign, IssuedLink, LinkMail, NewCampaign, NewRecipient, RecipientOrganisation, Respondent, SurveyAnswer,
};
use urbis_store::diagnostic::{NewAnswer, StoredAnswer};
use urbis_store::network::{NewOrganisation, Organisation, Programme};

/// The policy's view of a campaign.
pub async fn resource(state: &App, c: &Campaign) -> Result<Resource> {
    Ok(Resource::Survey { programme: c.programme_id, organisations: state.store.campaign_organisations(c.id).await? })
}

/// A campaign with the policy's view of it, loaded for an action.
pub struct Loaded {
    pub campaign: Campaign,
    pub resource: Resource,
    granted: Action,
}

crate::loaded!(Loaded);

/// A campaign, if the caller may do `action` on it.
pub async fn load_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<Loaded> {
    let campaign = state.store.campaign(parse_id("survey", id)?).await.map_err(AppError::or_not_found("survey"))?;
    let resource = resource(state, &campaign).await?;
    authorise(caller, action, &resource)?;
    Ok(Loaded { campaign, resource, granted: action })
}

/// A campaign in the caller's list, with whether the caller manages it.
pub struct Listed {
    pub campaign: Campaign,
    pub manage: bool,
}

/// The campaigns the caller may see the report of, newest first (two queries, whatever the number
/// of campaigns).
pub async fn visible(state: &App, caller: &Caller) -> Result<Vec<Listed>> {
    authorise(caller, Action::ReadOwnAccount, &Resource::OwnAccount)?;
    let campaigns = state.store.campaigns().await?;
    let ids: Vec<_> = campaigns.iter().map(|c| c.id).collect();
    let mut organisations = state.store.campaigns_organisations(&ids).await?;
    Ok(campaigns
        .into_iter()
        .filter_map(|c| {
            let resource = Resource::Survey { programme: c.programme_id, organisations: organisations.remove(&c.id)? };
            caller
                .can(Action::ReadSurveyReport, &resource)
                .then(|| Listed { manage: caller.can(Action::ManageSurvey, &resource), campaign: c })
        })
        .collect())
}

/// May the caller manage this campaign (for showing staff-only parts)?
pub fn can_manage(caller: &Caller, loaded: &Loaded) -> bool {
    loaded.check(caller, Action::ManageSurvey).is_ok()
}

/// May the caller start a survey (admins and programme managers)?
pub fn can_create(caller: &Caller) -> bool {
    caller.can(Action::ManageSurvey, &Resource::Survey { programme: None, organisations: vec![] })
}

/// What the new-survey form offers: the instruments and programmes (those who may start one).
pub async fn new_form(state: &App, caller: &Caller) -> Result<(Vec<InstrumentSummary>, Vec<Programme>)> {
    authorise(caller, Action::ManageSurvey, &Resource::Survey { programme: None, organisations: vec![] })?;
    Ok((state.store.instruments().await?, state.store.programmes(urbis_store::Page::all()).await?.items))
}

/// What a new campaign is made from, as typed (a form, or the API's JSON body).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CampaignInput {
    pub title: String,
    /// Instrument slug; any instrument may be sent.
    pub instrument: String,
    /// Defaults to the newest version, pinned when the survey is created.
    pub instrument_version: Option<u32>,
    /// Programme slug; leave out (or empty) for a survey outside any programme.
    pub programme: Option<String>,
    /// `YYYY-MM-DD`.
    pub opens_on: String,
    /// `YYYY-MM-DD`, not before `opens_on`.
    pub closes_on: String,
}

/// Create a draft campaign (programme staff). The instrument version is pinned now. An anonymous
/// caller is asked to sign in before the input is checked.
pub async fn create(state: &App, caller: &Caller, input: &CampaignInput) -> Result<Campaign> {
    caller.person_id()?;
    let programme = match input.programme.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(slug) => Some(
            crate::network::programme(state, slug)
                .await
                .map_err(|_| AppError::invalid("programme", "unknown-programme", "no programme with this slug"))?,
        ),
        None => None,
    };
    let programme_id = programme.map(|p| p.id);
    authorise(caller, Action::ManageSurvey, &Resource::Survey { programme: programme_id, organisations: vec![] })?;
    let fields = check_campaign(&input.title, &input.opens_on, &input.closes_on);
    let known = instrument(state, input.instrument.trim(), input.instrument_version).await.is_ok();
    let mut invalid = fields.clone().err().unwrap_or_default();
    if !known {
        invalid.0.push(FieldError::new("instrument", "unknown-instrument", "no instrument with this slug and version"));
    }
    invalid.into_result()?;
    let fields = fields?;
    Ok(state
        .store
        .create_campaign(
            caller.actor.person,
            NewCampaign {
                title: fields.title,
                instrument_slug: input.instrument.trim().to_string(),
                instrument_version: input.instrument_version,
                programme_id,
                opens_on: fields.opens_on,
                closes_on: fields.closes_on,
                is_sample: false,
            },
        )
        .await?)
}

/// One recipient as typed: an existing organisation (slug) or a new one, and e-mail addresses.
#[derive(Debug, Clone, Default)]
pub struct RecipientInput {
    pub organisation: Option<String>,
    pub new_name: Option<String>,
    pub new_country_code: Option<String>,
    pub new_city: Option<String>,
    /// Addresses separated by commas, semicolons, spaces or line breaks are accepted too.
    pub emails: Vec<String>,
}

/// Check recipients as typed. Errors name the field; with several recipients, `recipients[i].`
/// prefixes it.
pub async fn check_recipients(state: &App, input: &[RecipientInput]) -> Result<Vec<NewRecipient>> {
    let mut errors = Invalid::default();
    let mut out = vec![];
    if input.is_empty() {
        errors.0.push(FieldError::new("recipients", "required", "add at least one organisation"));
    }
    for (i, r) in input.iter().enumerate() {
        let at = |f: &str| if input.len() == 1 { f.to_string() } else { format!("recipients[{i}].{f}") };
        let existing = r.organisation.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let new_name = r.new_name.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let organisation = match (existing, new_name) {
            (Some(slug), None) => match state.store.organisation(slug).await {
                Ok(o) => Some(RecipientOrganisation::Existing(o.id)),
                Err(urbis_store::StoreError::NotFound) => {
                    errors.0.push(FieldError::new(at("organisation"), "unknown-organisation", "no such organisation"));
                    None
                }
                Err(e) => return Err(e.into()),
            },
            (None, Some(name)) => {
                let name = errors.take(&at("new_name"), required_name("new_name", name, 200));
                let country = errors
                    .take(&at("new_country_code"), CountryCode::parse(r.new_country_code.as_deref().unwrap_or("")));
                let city =
                    errors.take(&at("new_city"), optional_name("new_city", r.new_city.as_deref().unwrap_or(""), 200));
                match (name, country, city) {
                    (Some(name), Some(country), Some(city)) => Some(RecipientOrganisation::New(NewOrganisation {
                        name,
                        kind: OrganisationKind::City,
                        country_code: country.as_str().to_string(),
                        timezone: "UTC".into(),
                        description: city,
                    })),
                    _ => None,
                }
            }
            _ => {
                errors.0.push(FieldError::new(
                    at("organisation"),
                    "one-organisation",
                    "choose an existing organisation or name a new one, not both",
                ));
                None
            }
        };
        let mut emails = vec![];
        for raw in r.emails.iter().flat_map(|e| e.split([',', ';', ' ', '\n', '\r', '\t'])).filter(|e| !e.is_empty()) {
            match Email::parse(raw) {
                Ok(e) if !emails.contains(&e.as_str().to_string()) => emails.push(e.as_str().to_string()),
                Ok(_) => {}
                Err(e) => {
                    errors.0.push(FieldError::new(at("emails"), e.code, format!("{raw}: {}", e.message)));
                    break;
                }
            }
        }
        if emails.is_empty() && !errors.0.iter().any(|e| e.field == at("emails")) {
            errors.0.push(FieldError::new(at("emails"), "required", "enter at least one respondent's e-mail address"));
        }
        if let Some(organisation) = organisation {
            out.push(NewRecipient { organisation, emails });
        }
    }
    errors.into_result()?;
    Ok(out)
}

/// The e-mail that carries a respondent's link (English, as invitations are).
fn link_mail(state: &App, c: &Campaign, reminder: bool) -> LinkMail {
    let t = Tr::new("en");
    let (kind, subject, body) = if reminder {
        ("survey-reminder", "mail-survey-reminder-subject", "mail-survey-reminder-body")
    } else {
        ("survey-invitation", "mail-survey-subject", "mail-survey-body")
    };
    LinkMail {
        kind,
        subject: t.with(subject, &[("title", &c.title)]),
        body: t.with(body, &[("title", &c.title), ("closes", &c.closes_on.to_string()), ("link", "{link}")]),
        link_prefix: format!("{}/surveys/", state.base_url.trim_end_matches('/')),
        link_expires_at: link_expiry(c),
    }
}

/// When a campaign's links stop being useful: the end of its closing day (UTC). Undelivered links
/// are purged from the outbox after it.
pub fn link_expiry(c: &Campaign) -> chrono::DateTime<chrono::Utc> {
    (c.closes_on + chrono::Days::new(1)).and_time(chrono::NaiveTime::MIN).and_utc()
}

/// A respondent's link as sent: the public base URL, `/surveys/` and the token.
pub fn link(state: &App, l: &IssuedLink) -> String {
    format!("{}/surveys/{}", state.base_url.trim_end_matches('/'), l.token)
}

/// Add recipients (programme staff); in an open campaign their links go out at once (and are
/// returned once, for staff to hand out when no mail transport is configured).
pub async fn add_recipients(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    input: &[RecipientInput],
) -> Result<(Campaign, Vec<Respondent>, Vec<IssuedLink>)> {
    loaded.check(caller, Action::ManageSurvey)?;
    let recipients = check_recipients(state, input).await?;
    let mail = link_mail(state, &loaded.campaign, false);
    Ok(state.store.add_recipients(caller.actor.person, loaded.campaign.id, &recipients, &mail).await?)
}

/// Open or close a campaign if it is still at `expected_version` (programme staff).
pub async fn set_status(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    expected_version: i64,
    next: CampaignStatus,
) -> Result<(Campaign, Vec<IssuedLink>)> {
    loaded.check(caller, Action::ManageSurvey)?;
    let mail = link_mail(state, &loaded.campaign, false);
    Ok(state.store.set_campaign_status(caller.actor.person, loaded.campaign.id, expected_version, next, &mail).await?)
}

/// Queue reminders for the respondents who have not submitted (programme staff).
pub async fn remind(state: &App, caller: &Caller, loaded: &Loaded) -> Result<Vec<IssuedLink>> {
    loaded.check(caller, Action::ManageSurvey)?;
    let mail = link_mail(state, &loaded.campaign, true);
    Ok(state.store.send_reminders(caller.actor.person, loaded.campaign.id, &mail).await?)
}

/// Response rates and the respondents behind them (programme staff).
pub async fn rates(state: &App, caller: &Caller, loaded: &Loaded) -> Result<(ResponseRates, Vec<Respondent>)> {
    loaded.check(caller, Action::ManageSurvey)?;
    let respondents = state.store.respondents(loaded.campaign.id).await?;
    let regions: Vec<(String, &'static str)> =
        respondents.iter().map(|r| (r.country_code.clone(), region_of(&r.country_code))).collect();
    let facts: Vec<RespondentFact> = respondents
        .iter()
        .zip(&regions)
        .map(|(r, (country, region))| RespondentFact {
            organisation: &r.organisation_slug,
            country,
            region,
            submitted: r.submitted_at.is_some(),
        })
        .collect();
    Ok((response_rates(&facts), respondents))
}

/// A page of a campaign's respondents with their state, by organisation then e-mail (programme
/// staff).
pub async fn respondents(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    page: urbis_store::Page,
) -> Result<urbis_store::Paged<Respondent>> {
    loaded.check(caller, Action::ManageSurvey)?;
    Ok(state.store.respondents_page(loaded.campaign.id, page).await?)
}

/// The organisations recipients can be chosen from (programme staff).
pub async fn recipient_organisations(state: &App, caller: &Caller, loaded: &Loaded) -> Result<Vec<Organisation>> {
    loaded.check(caller, Action::ManageSurvey)?;
    Ok(state.store.organisations().await?)
}

/// The region slug of a stored country code.
pub fn region_of(country: &str) -> &'static str {
    CountryCode::parse(country).map(|c| Region::of(&c)).unwrap_or(Region::Other).slug()
}

// ---- respondents, by link -------------------------------------------------------------------------

/// A respondent's questionnaire: who, which campaign, which instrument version.
pub struct Respondence {
    pub respondent: Respondent,
    pub campaign: Campaign,
    pub instrument: Instrument,
}

/// The respondent behind a link (the link is the authority: no account is needed), or 404.
pub async fn by_token(state: &App, token: &str) -> Result<Respondence> {
    let (respondent, campaign) =
        state.store.respondent_by_token(token).await.map_err(AppError::or_not_found("survey link"))?;
    let instrument =
        instrument(state, &campaign.instrument_slug, Some(campaign.instrument_version)).await?.instrument.clone();
    Ok(Respondence { respondent, campaign, instrument })
}

/// Check an answer against the campaign's instrument (as assessments do; no evidence or comment).
pub fn check(r: &Respondence, question_id: &str, answer: Answer) -> Result<NewAnswer> {
    check_answer(&r.instrument, question_id, answer, "", "")
}

/// The respondent's own answers so far, by question.
pub async fn answers_by_question(state: &App, r: &Respondence) -> Result<HashMap<String, StoredAnswer>> {
    Ok(state
        .store
        .survey_answers(r.respondent.id)
        .await?
        .iter()
        .map(|a| (a.question_id.clone(), a.as_stored()))
        .collect())
}

pub async fn save(state: &App, r: &Respondence, answers: &[NewAnswer]) -> Result<Respondent> {
    Ok(state.store.put_survey_answers(r.respondent.id, answers).await?)
}

/// The answers the respondent behind the link has saved so far.
pub async fn answers(state: &App, r: &Respondence) -> Result<Vec<SurveyAnswer>> {
    Ok(state.store.survey_answers(r.respondent.id).await?)
}

/// Submit: refused (409) with the required questions left unanswered.
pub async fn submit(state: &App, r: &Respondence) -> Result<Respondent> {
    let mut required = required_questions(&r.instrument);
    required.extend(r.instrument.context.iter().filter(|c| c.required).map(|c| c.id.clone()));
    Ok(state.store.submit_survey_response(r.respondent.id, &required).await?)
}

// ---- report -----------------------------------------------------------------------------------------

/// Which responses a report or export covers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub country: Option<CountryCode>,
    pub region: Option<Region>,
}

impl Filter {
    /// From `?country=` and `?region=`; empty values mean no filter; a bad value is a 400 naming it.
    pub fn parse(q: &HashMap<String, String>) -> Result<Filter> {
        let get = |k: &str| q.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let bad = |e: FieldError, field: &str| AppError::bad_parameter(field, e.code, e.message);
        Ok(Filter {
            country: get("country").map(CountryCode::parse).transpose().map_err(|e| bad(e, "country"))?,
            region: get("region").map(Region::parse).transpose().map_err(|e| bad(e, "region"))?,
        })
    }

    fn matches(&self, r: &Respondent) -> bool {
        self.country.as_ref().is_none_or(|c| c.as_str() == r.country_code)
            && self.region.is_none_or(|g| g.slug() == region_of(&r.country_code))
    }
}

/// One submitted response with its answers, in the order of its keyed hash (see `ordered`).
pub struct Response {
    pub respondent: Respondent,
    pub answers: HashMap<String, Answer>,
    pub normalised: HashMap<String, Option<f64>>,
}

/// The submitted responses matching a filter, ordered by a keyed hash of the response id (an
/// HMAC with the installation's secret), so that the order tells nothing about who answered when.
pub async fn responses(state: &App, c: &Campaign, filter: &Filter) -> Result<Vec<Response>> {
    responses_of(state, c, state.store.respondents(c.id).await?, filter).await
}

/// [`responses`] from the campaign's respondents as already read.
async fn responses_of(
    state: &App,
    c: &Campaign,
    respondents: Vec<Respondent>,
    filter: &Filter,
) -> Result<Vec<Response>> {
    let mut answers = state.store.submitted_survey_answers(c.id).await?;
    let mut out: Vec<(String, Response)> = respondents
        .into_iter()
        .filter(|r| r.submitted_at.is_some() && filter.matches(r))
        .map(|r| {
            let list: Vec<SurveyAnswer> = answers.remove(&r.id).unwrap_or_default();
            let key = mac(&state.secret, "survey-response-order", &r.id.to_string());
            let normalised = list.iter().map(|a| (a.question_id.clone(), a.normalised)).collect();
            let answers = list.into_iter().map(|a| (a.question_id, a.answer)).collect();
            (key, Response { respondent: r, answers, normalised })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out.into_iter().map(|(_, r)| r).collect())
}

/// How many of the respondents submitted from each region.
fn submitted_by_region(respondents: &[Respondent]) -> Vec<usize> {
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for r in respondents.iter().filter(|r| r.submitted_at.is_some()) {
        *counts.entry(region_of(&r.country_code)).or_default() += 1;
    }
    counts.into_values().collect()
}

/// The report of a campaign for a filter.
pub struct Report {
    pub instrument: Instrument,
    /// Submitted responses matching the filter.
    pub n: usize,
    /// Whether figures are shown (see [`Withheld`]).
    pub shown: bool,
    /// Why not, if not.
    pub withheld: Option<Withheld>,
    /// May the caller read free-text answers (programme staff)?
    pub text_shown: bool,
    pub questions: Vec<QuestionSummary>,
    /// Per capability (and `overall` last): the distribution of the responses' scores.
    pub capabilities: Vec<(String, Option<Distribution>)>,
    /// The countries the survey was sent to, to filter by (programme staff only: a country names
    /// its few organisations to anyone else).
    pub countries: std::collections::BTreeSet<String>,
}

pub async fn report(state: &App, caller: &Caller, loaded: &Loaded, filter: &Filter) -> Result<Report> {
    loaded.check(caller, Action::ReadSurveyReport)?;
    let c = &loaded.campaign;
    let staff = caller.can(Action::ReadSurveyResponses, &loaded.resource);
    if !staff && filter.country.is_some() {
        // A country names its few organisations: reports by country are for programme staff.
        return Err(AppError::bad_parameter("country", "staff-only", "only programme staff can filter by country"));
    }
    let inst = instrument(state, &c.instrument_slug, Some(c.instrument_version)).await?.instrument.clone();
    let respondents = state.store.respondents(c.id).await?;
    let regions = if filter == &Filter::default() { vec![] } else { submitted_by_region(&respondents) };
    let countries = if loaded.check(caller, Action::ManageSurvey).is_ok() {
        respondents.iter().map(|r| r.country_code.clone()).collect()
    } else {
        Default::default()
    };
    let responses = responses_of(state, c, respondents, filter).await?;
    let n = responses.len();
    let withheld = Withheld::of(c.status, n, &regions, !staff);
    let shown = withheld.is_none();
    let text_shown = shown && staff;
    let maps: Vec<&HashMap<String, Answer>> = responses.iter().map(|r| &r.answers).collect();
    let mut questions = summarise(&inst, &maps);
    if !shown && !staff {
        // Even per-question counts of answers and "not applicable" describe single responses.
        questions.clear();
    }
    if !shown || !text_shown {
        use urbis_domain::diagnostic::pulse::Summary;
        for q in questions.iter_mut() {
            match &mut q.summary {
                Summary::Text { answers } => answers.clear(),
                Summary::Number { summary } if !shown => *summary = None,
                Summary::Counts { options } if !shown => options.iter_mut().for_each(|o| o.1 = 0),
                _ => {}
            }
        }
    }
    let scores: Vec<_> = responses.iter().map(|r| score(&inst, &r.normalised)).collect();
    let mut capabilities: Vec<(String, Option<Distribution>)> = inst
        .capabilities
        .iter()
        .map(|cap| {
            let v: Vec<f64> =
                scores.iter().filter_map(|s| s.capabilities.get(&cap.slug).and_then(|r| r.score)).collect();
            (cap.slug.clone(), Distribution::of(&v).filter(|_| shown))
        })
        .collect();
    let overall: Vec<f64> = scores.iter().filter_map(|s| s.overall).collect();
    capabilities.push(("overall".into(), Distribution::of(&overall).filter(|_| shown)));
    Ok(Report { instrument: inst, n, shown, withheld, text_shown, questions, capabilities, countries })
}

/// The responses as CSV for `?anonymised=` (true or false) and the filter's `?country=` and
/// `?region=` (the API's export and the page's download link).
pub async fn responses_csv_from_query(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    q: &HashMap<String, String>,
) -> Result<(String, String)> {
    let anonymised = match q.get("anonymised").map(String::as_str) {
        None | Some("" | "false") => false,
        Some("true") => true,
        Some(_) => return Err(AppError::bad_parameter("anonymised", "invalid-parameter", "must be true or false")),
    };
    let filter = Filter::parse(q)?;
    responses_csv(state, caller, loaded, &filter, anonymised).await
}

/// One answer as a CSV cell: the level, the choice, the ticked item ids joined by `;`, `n/a`, the
/// number or the text.
fn cell(a: Option<&Answer>) -> String {
    match a {
        None => String::new(),
        Some(Answer::Level(l)) => l.to_string(),
        Some(Answer::Choice(c)) => {
            serde_json::to_value(c).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
        }
        Some(Answer::Ticked(items)) => items.join(";"),
        Some(Answer::NotApplicable) => "n/a".into(),
        Some(Answer::Number(n)) => format!("{n}"),
        Some(Answer::Text(t)) => t.clone(),
    }
}

/// The responses as CSV (programme staff). Full: organisation, country, region, respondent e-mail,
/// submitted date, then one column per question, then the response's capability and overall scores. Anonymised: the region, then one column per
/// question except free-text ones; no organisation, person, e-mail, country or time; refused when
/// fewer than 5 responses match, and a country filter is refused (it would name the country).
pub async fn responses_csv(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    filter: &Filter,
    anonymised: bool,
) -> Result<(String, String)> {
    loaded.check(caller, Action::ReadSurveyResponses)?;
    if anonymised && filter.country.is_some() {
        return Err(AppError::bad_parameter(
            "country",
            "anonymised-country",
            "an anonymised export can be filtered by region only",
        ));
    }
    let c = &loaded.campaign;
    let inst = instrument(state, &c.instrument_slug, Some(c.instrument_version)).await?.instrument.clone();
    let rows = responses(state, c, filter).await?;
    if anonymised && rows.len() < MIN_REPORT_RESPONSES {
        return Err(AppError::refused(
            "anonymised",
            "too-few-responses",
            "fewer than 5 responses match: an anonymised export would let them be recognised",
        ));
    }
    let text = |id: &str| {
        inst.context_question(id).is_some_and(|q| q.kind == urbis_domain::diagnostic::instrument::ContextKind::Text)
    };
    let columns: Vec<&str> = inst
        .questions
        .iter()
        .map(|q| q.id.as_str())
        .chain(inst.context.iter().map(|q| q.id.as_str()))
        .filter(|id| !(anonymised && text(id)))
        .collect();
    let mut out =
        String::from(if anonymised { "region" } else { "organisation,country,region,respondent_email,submitted_on" });
    for col in &columns {
        let _ = write!(out, ",{col}");
    }
    for cap in &inst.capabilities {
        let _ = write!(out, ",score-{}", cap.slug);
    }
    out.push_str(",score-overall\n");
    for r in &rows {
        let p = &r.respondent;
        if anonymised {
            out.push_str(region_of(&p.country_code));
        } else {
            let _ = write!(
                out,
                "{},{},{},{},{}",
                crate::csv::field(&p.organisation_name),
                p.country_code,
                region_of(&p.country_code),
                crate::csv::field(&p.email),
                p.submitted_at.map(|t| t.date_naive().to_string()).unwrap_or_default()
            );
        }
        for col in &columns {
            let _ = write!(out, ",{}", crate::csv::field(&cell(r.answers.get(*col))));
        }
        let scores = score(&inst, &r.normalised);
        let fmt = |v: Option<f64>| v.map(|x| format!("{x:.2}")).unwrap_or_default();
        for cap in &inst.capabilities {
            let _ = write!(out, ",{}", fmt(scores.capabilities.get(&cap.slug).and_then(|c| c.score)));
        }
        let _ = writeln!(out, ",{}", fmt(scores.overall));
    }
    let name = format!("survey-{}-{}{}.csv", c.instrument_slug, c.id, if anonymised { "-anonymised" } else { "" });
    Ok((name, out))
}
