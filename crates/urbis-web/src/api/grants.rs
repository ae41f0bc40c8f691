//! API handlers of the `grants` capability: calls (public once published), applications saved
//! per section with their budget, reviewer assignments, independent reviews, the consensus, the
//! ranking and decisions; the public lists of calls and awarded grants as JSON and CSV.

use crate::api::{
    Api, ApiJson, IfMatch, List, PageQuery, PublicApi, created, created_with_etag, page_of, paged, with_etag,
};
use crate::download::csv;
use crate::error::{BodyErrors, Problem, QueryErrors, ReadErrors, RuleErrors, TokenErrors, VersionErrors};
use axum::Json;
use axum::extract::Path;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write;
use urbis_app::csv::field as csv_field;
use urbis_app::grants::{self as ops, CallView, LineAmount, LoadedApplication, RawReview};
use urbis_domain::grants::{
    CallState, Evaluation, Money, MoneyJson, RawCall, RawCriterion, Section, points_text, weighted_text,
};
use urbis_domain::policy::Action;
use urbis_store::grants::{Application, Assignment, Award, Call, Decision};
use utoipa::ToSchema;
use uuid::Uuid;

/// Money: integer minor units (cents) and an ISO 4217 currency. A float amount is refused.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct MoneyOut {
    pub amount_minor: i64,
    /// ISO 4217, e.g. `EUR`.
    pub currency: String,
}

impl From<Money> for MoneyOut {
    fn from(m: Money) -> Self {
        MoneyOut { amount_minor: m.minor, currency: m.currency.code().into() }
    }
}

impl From<&MoneyOut> for MoneyJson {
    fn from(m: &MoneyOut) -> Self {
        MoneyJson { amount_minor: m.amount_minor, currency: m.currency.clone() }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CallSummaryOut {
    pub id: Uuid,
    pub programme: String,
    pub title: String,
    /// `draft`, `open`, `closed` or `decided`.
    pub state: String,
    /// `participating-cities`, `programme-organisations` or `anyone`.
    pub eligibility: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// The call's IANA time zone, in which its times are shown.
    pub timezone: String,
    pub total_budget: MoneyOut,
    pub max_award: MoneyOut,
    /// Sample data (`--demo`).
    pub sample: bool,
}

impl From<&Call> for CallSummaryOut {
    fn from(c: &Call) -> Self {
        let money = |minor| MoneyOut { amount_minor: minor, currency: c.currency.clone() };
        CallSummaryOut {
            id: c.id,
            programme: c.programme_slug.clone(),
            title: c.title.clone(),
            state: c.state.as_str().into(),
            eligibility: c.eligibility.as_str().into(),
            opens_at: c.opens_at,
            closes_at: c.closes_at,
            timezone: c.timezone.clone(),
            total_budget: money(c.total_budget_minor),
            max_award: money(c.max_award_minor),
            sample: c.is_sample,
        }
    }
}

/// A criterion of the rubric: weight for ranking only; threshold on the 0–5 scale.
#[derive(Serialize, Deserialize, ToSchema, Clone, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CriterionIo {
    pub key: String,
    pub title: String,
    pub description: String,
    /// e.g. `"1.5"`.
    pub weight: String,
    /// 0–5 in half points, e.g. `"3"`.
    pub threshold: String,
}

/// A section of the application form.
#[derive(Serialize, Deserialize, ToSchema, Clone)]
#[serde(deny_unknown_fields)]
pub struct SectionIo {
    pub key: String,
    pub title: String,
    pub required: bool,
    pub word_limit: u32,
}

#[derive(Serialize, ToSchema)]
pub struct CallOut {
    #[serde(flatten)]
    pub summary: CallSummaryOut,
    pub description: String,
    /// Local times in the call's zone, `YYYY-MM-DDTHH:MM`.
    pub opens_local: String,
    pub closes_local: String,
    pub awarded: MoneyOut,
    pub cost_categories: Vec<String>,
    pub sections: Vec<SectionIo>,
    pub criteria: Vec<CriterionIo>,
    /// 0–5 × the number of criteria, in half points, e.g. `"10"`.
    pub overall_threshold: String,
    pub stages: u8,
    pub version: i64,
}

fn call_out(v: &CallView) -> CallOut {
    let raw = v.raw();
    CallOut {
        summary: (&v.call).into(),
        description: raw.description,
        opens_local: raw.opens_at,
        closes_local: raw.closes_at,
        awarded: v.awarded.into(),
        cost_categories: raw.cost_categories,
        sections: raw
            .sections
            .into_iter()
            .map(|s| SectionIo { key: s.key, title: s.title, required: s.required, word_limit: s.word_limit })
            .collect(),
        criteria: raw
            .criteria
            .into_iter()
            .map(|c| CriterionIo {
                key: c.key,
                title: c.title,
                description: c.description,
                weight: c.weight,
                threshold: c.threshold,
            })
            .collect(),
        overall_threshold: raw.overall_threshold,
        stages: raw.stages,
        version: v.call.version,
    }
}

/// A call. Times are local times in `timezone` (`YYYY-MM-DDTHH:MM`).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CallIn {
    pub title: String,
    pub description: String,
    pub eligibility: String,
    pub opens_at: String,
    pub closes_at: String,
    pub timezone: String,
    pub total_budget: Option<MoneyOut>,
    pub max_award: Option<MoneyOut>,
    pub cost_categories: Vec<String>,
    pub sections: Vec<SectionIo>,
    pub criteria: Vec<CriterionIo>,
    pub overall_threshold: String,
    /// 1 (default) or 2.
    pub stages: Option<u8>,
}

/// Money from the API as the text the domain parses (the field is named in its errors).
fn money_text(field: &str, m: &Option<MoneyOut>) -> Result<String, Problem> {
    match m {
        None => Ok(String::new()),
        Some(m) => Ok(Money::from_json(field, &m.into(), false).map_err(urbis_domain::Invalid::from_one)?.to_string()),
    }
}

trait FromOne {
    fn from_one(e: urbis_domain::FieldError) -> Self;
}
impl FromOne for urbis_domain::Invalid {
    fn from_one(e: urbis_domain::FieldError) -> Self {
        urbis_domain::Invalid(vec![e])
    }
}

fn sections_of(s: Vec<SectionIo>) -> Vec<Section> {
    s.into_iter()
        .map(|s| Section { key: s.key, title: s.title, required: s.required, word_limit: s.word_limit })
        .collect()
}

fn criteria_of(c: Vec<CriterionIo>) -> Vec<RawCriterion> {
    c.into_iter()
        .map(|c| RawCriterion {
            key: c.key,
            title: c.title,
            description: c.description,
            weight: c.weight,
            threshold: c.threshold,
        })
        .collect()
}

impl CallIn {
    fn raw(self) -> Result<RawCall, Problem> {
        Ok(RawCall {
            total_budget: money_text("total_budget", &self.total_budget)?,
            max_award: money_text("max_award", &self.max_award)?,
            title: self.title,
            description: self.description,
            eligibility: self.eligibility,
            opens_at: self.opens_at,
            closes_at: self.closes_at,
            timezone: self.timezone,
            cost_categories: self.cost_categories,
            sections: sections_of(self.sections),
            criteria: criteria_of(self.criteria),
            overall_threshold: self.overall_threshold,
            stages: self.stages.unwrap_or(1),
        })
    }
}

/// A change to a call: every field optional.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields, default)]
pub struct CallPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub eligibility: Option<String>,
    pub opens_at: Option<String>,
    pub closes_at: Option<String>,
    pub timezone: Option<String>,
    pub total_budget: Option<MoneyOut>,
    pub max_award: Option<MoneyOut>,
    pub cost_categories: Option<Vec<String>>,
    pub sections: Option<Vec<SectionIo>>,
    /// Refused once an application of the call has a review.
    pub criteria: Option<Vec<CriterionIo>>,
    pub overall_threshold: Option<String>,
}

impl CallPatch {
    fn apply(self, raw: &mut RawCall) -> Result<(), Problem> {
        macro_rules! set {
            ($($f:ident),*) => { $(if let Some(v) = self.$f { raw.$f = v; })* };
        }
        if self.total_budget.is_some() {
            raw.total_budget = money_text("total_budget", &self.total_budget)?;
        }
        if self.max_award.is_some() {
            raw.max_award = money_text("max_award", &self.max_award)?;
        }
        if let Some(s) = self.sections {
            raw.sections = sections_of(s);
        }
        if let Some(c) = self.criteria {
            raw.criteria = criteria_of(c);
        }
        set!(title, description, eligibility, opens_at, closes_at, timezone, cost_categories, overall_threshold);
        Ok(())
    }
}

/// Published calls (and, for programme staff, their drafts), newest opening first.
#[utoipa::path(get, path = "/calls", tag = "grants",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<CallSummaryOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors))]
pub async fn list_calls(api: PublicApi, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let p = ops::calls(&api.state, &api.caller, page).await?;
    Ok(paged(
        &q,
        "/api/v1/calls",
        List::<CallSummaryOut> {
            items: p.items.iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        },
    ))
}

/// Published calls as CSV (a page, as the JSON list).
#[utoipa::path(get, path = "/calls.csv", tag = "grants",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, content_type = "text/csv", body = String), TokenErrors, QueryErrors))]
pub async fn list_calls_csv(api: PublicApi, PageQuery { page, .. }: PageQuery) -> Result<Response, Problem> {
    // Published calls only, whoever asks: an export is the public record.
    let p = ops::calls(&api.state, &urbis_app::Caller::default(), page).await?;
    let mut out = String::from(
        "id,programme,title,state,eligibility,opens_at,closes_at,timezone,currency,total_budget_minor,max_award_minor\n",
    );
    for c in &p.items {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{}",
            c.id,
            c.programme_slug,
            csv_field(&c.title),
            c.state,
            c.eligibility,
            urbis_store::ts(c.opens_at),
            urbis_store::ts(c.closes_at),
            c.timezone,
            c.currency,
            c.total_budget_minor,
            c.max_award_minor
        );
    }
    Ok(csv("calls.csv", out))
}

/// Add a draft call to a programme (its staff).
#[utoipa::path(post, path = "/programmes/{slug}/calls", tag = "grants", security(("bearer" = [])), request_body = CallIn,
    params(("slug" = String, Path, description = "the programme's slug")),
    responses((status = 201, body = CallOut, headers(("ETag" = String))), ReadErrors, BodyErrors))]
pub async fn create_call(api: Api, Path(slug): Path<String>, ApiJson(b): ApiJson<CallIn>) -> Result<Response, Problem> {
    let v = ops::create_call(&api.state, &api.caller, &slug, &b.raw()?).await?;
    Ok(created_with_etag(v.call.version, call_out(&v)))
}

/// A call (public once published). The `ETag` is its version.
#[utoipa::path(get, path = "/calls/{id}", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the call's id (a UUID)")),
    responses((status = 200, body = CallOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_call(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let v = ops::call_for(&api.state, &api.caller, &id, Action::ReadCall).await?;
    Ok(with_etag(v.call.version, call_out(&v)))
}

/// Change a call (its staff). Needs `If-Match`. The rubric cannot change after the first review.
#[utoipa::path(patch, path = "/calls/{id}", tag = "grants", security(("bearer" = [])), request_body = CallPatch,
    params(("id" = String, Path, description = "the call's id (a UUID)"), ("If-Match" = String, Header, description = "the call's ETag")),
    responses((status = 200, body = CallOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn patch_call(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<CallPatch>,
) -> Result<Response, Problem> {
    let v = ops::call_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let version = if_match.version_of(v.call.version)?;
    let mut raw = v.raw();
    b.apply(&mut raw)?;
    let after = ops::update_call(&api.state, &api.caller, &v, version, &raw).await?;
    Ok(with_etag(after.call.version, call_out(&after)))
}

/// The next state of a call.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StateIn {
    /// `open`, `closed` or `decided` (one step at a time).
    pub state: String,
}

/// Open, close or mark a call decided (its staff). Needs `If-Match`.
#[utoipa::path(post, path = "/calls/{id}/state", tag = "grants", security(("bearer" = [])), request_body = StateIn,
    params(("id" = String, Path, description = "the call's id (a UUID)"), ("If-Match" = String, Header, description = "the call's ETag")),
    responses((status = 200, body = CallOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn set_call_state(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<StateIn>,
) -> Result<Response, Problem> {
    let v = ops::call_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let to = CallState::parse(&b.state).map_err(urbis_domain::Invalid::from_one)?;
    let version = if_match.version_of(v.call.version)?;
    let after = ops::advance_call(&api.state, &api.caller, &v, version, to).await?;
    Ok(with_etag(after.call.version, call_out(&after)))
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationSummaryOut {
    pub id: Uuid,
    pub call: Uuid,
    pub organisation: String,
    pub organisation_name: String,
    pub title: String,
    /// `draft`, `submitted`, `awarded` or `rejected`.
    pub status: String,
    pub requested: MoneyOut,
    pub submitted_at: Option<DateTime<Utc>>,
    pub version: i64,
}

fn summary(a: &Application, currency: &str) -> ApplicationSummaryOut {
    ApplicationSummaryOut {
        id: a.id,
        call: a.call_id,
        organisation: a.organisation_slug.clone(),
        organisation_name: a.organisation_name.clone(),
        title: a.title.clone(),
        status: a.status.clone(),
        requested: MoneyOut { amount_minor: a.requested_minor, currency: currency.into() },
        submitted_at: a.submitted_at,
        version: a.version,
    }
}

#[derive(Serialize, ToSchema)]
pub struct BudgetLineIo {
    pub category: String,
    pub description: String,
    pub amount: MoneyOut,
}

#[derive(Serialize, ToSchema)]
pub struct DecisionOut {
    /// `award` or `reject`.
    pub outcome: String,
    pub amount: Option<MoneyOut>,
    pub feedback: String,
    pub decided_at: DateTime<Utc>,
}

fn decision_out(d: Decision, currency: &str) -> DecisionOut {
    DecisionOut {
        outcome: d.outcome,
        amount: d.amount_minor.map(|m| MoneyOut { amount_minor: m, currency: currency.into() }),
        feedback: d.feedback,
        decided_at: d.decided_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationOut {
    #[serde(flatten)]
    pub summary: ApplicationSummaryOut,
    /// Answers by section key.
    pub answers: BTreeMap<String, String>,
    pub budget: Vec<BudgetLineIo>,
    /// Co-applicant organisations' slugs.
    pub coapplicants: Vec<String>,
    pub decision: Option<DecisionOut>,
}

async fn application_out(api: &Api, loaded: &LoadedApplication, a: &Application) -> Result<ApplicationOut, Problem> {
    let mut fresh = loaded.clone();
    fresh.application = a.clone();
    let d = ops::detail(&api.state, &fresh).await?;
    let cur = loaded.call.currency.code();
    Ok(ApplicationOut {
        summary: summary(a, cur),
        answers: d.answers.into_iter().map(|(k, v)| (k, v.answer)).collect(),
        budget: d
            .budget
            .into_iter()
            .map(|l| BudgetLineIo {
                category: l.category,
                description: l.description,
                amount: MoneyOut { amount_minor: l.amount_minor, currency: cur.into() },
            })
            .collect(),
        coapplicants: d.coapplicants.into_iter().map(|o| o.slug).collect(),
        decision: d.decision.map(|x| decision_out(x, cur)),
    })
}

/// A new application for an organisation.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationIn {
    /// The applying organisation's slug.
    pub organisation: String,
    pub title: String,
}

/// Start an application to an open call (the organisation's city team).
#[utoipa::path(post, path = "/calls/{id}/applications", tag = "grants", security(("bearer" = [])), request_body = ApplicationIn,
    params(("id" = String, Path, description = "the call's id (a UUID)")),
    responses((status = 201, body = ApplicationOut, headers(("ETag" = String))), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_application(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ApplicationIn>,
) -> Result<Response, Problem> {
    let call = ops::call_for(&api.state, &api.caller, &id, Action::ReadCall).await?;
    let loaded = ops::start_application(&api.state, &api.caller, &call, &b.organisation, &b.title).await?;
    let out = application_out(&api, &loaded, &loaded.application).await?;
    Ok(created_with_etag(loaded.application.version, out))
}

/// A call's applications (its staff), oldest first.
#[utoipa::path(get, path = "/calls/{id}/applications", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the call's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<ApplicationSummaryOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn list_applications(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let call = ops::call_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let p = ops::call_applications(&api.state, &api.caller, &call, page).await?;
    let items = p.items.iter().map(|a| summary(a, &call.call.currency)).collect();
    Ok(paged(
        &q,
        &format!("/api/v1/calls/{id}/applications"),
        List::<ApplicationSummaryOut> { items, page: p.page, per_page: p.per_page, total: p.total },
    ))
}

/// An application (its applicant's team, programme staff, its assigned reviewers). The `ETag` is
/// its version.
#[utoipa::path(get, path = "/applications/{id}", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 200, body = ApplicationOut, headers(("ETag" = String))), ReadErrors))]
pub async fn get_application(api: Api, Path(id): Path<String>) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ReadApplication).await?;
    let out = application_out(&api, &loaded, &loaded.application).await?;
    Ok(with_etag(loaded.application.version, out))
}

/// One section's answer (and optionally the title).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionIn {
    pub answer: String,
    pub title: Option<String>,
}

/// Save one section of a draft application. Needs `If-Match`.
#[utoipa::path(put, path = "/applications/{id}/sections/{key}", tag = "grants", security(("bearer" = [])), request_body = SectionIn,
    params(("id" = String, Path, description = "the application's id (a UUID)"), ("key" = String, Path, description = "the section's key"),
           ("If-Match" = String, Header, description = "the application's ETag")),
    responses((status = 200, body = ApplicationOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn put_section(
    api: Api,
    Path((id, key)): Path<(String, String)>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<SectionIn>,
) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ApplyForGrant).await?;
    let version = if_match.version_of(loaded.application.version)?;
    let a = ops::save_section(&api.state, &api.caller, &loaded, version, b.title.as_deref(), &key, &b.answer).await?;
    let out = application_out(&api, &loaded, &a).await?;
    Ok(with_etag(a.version, out))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineIn {
    /// One of the call's cost categories.
    pub category: String,
    #[serde(default)]
    pub description: String,
    pub amount: MoneyOut,
}

/// A budget and co-applicants.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetIn {
    pub lines: Vec<BudgetLineIn>,
    /// Co-applicant organisations' slugs.
    #[serde(default)]
    pub coapplicants: Vec<String>,
}

/// Replace a draft application's budget and co-applicants. The total (the amount requested) must
/// not exceed the call's maximum award. Needs `If-Match`.
#[utoipa::path(put, path = "/applications/{id}/budget", tag = "grants", security(("bearer" = [])), request_body = BudgetIn,
    params(("id" = String, Path, description = "the application's id (a UUID)"), ("If-Match" = String, Header, description = "the application's ETag")),
    responses((status = 200, body = ApplicationOut, headers(("ETag" = String))), ReadErrors, BodyErrors, VersionErrors, RuleErrors))]
pub async fn put_budget(
    api: Api,
    Path(id): Path<String>,
    if_match: IfMatch,
    ApiJson(b): ApiJson<BudgetIn>,
) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ApplyForGrant).await?;
    let version = if_match.version_of(loaded.application.version)?;
    let lines: Vec<_> = b
        .lines
        .into_iter()
        .map(|l| (l.category, l.description, LineAmount::Minor(l.amount.amount_minor, l.amount.currency)))
        .collect();
    let (a, _) = ops::save_budget(&api.state, &api.caller, &loaded, version, &lines, &b.coapplicants).await?;
    let out = application_out(&api, &loaded, &a).await?;
    Ok(with_etag(a.version, out))
}

/// Submit a draft application before the call's closing time. Needs `If-Match`.
#[utoipa::path(post, path = "/applications/{id}/submit", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the application's id (a UUID)"), ("If-Match" = String, Header, description = "the application's ETag")),
    responses((status = 200, body = ApplicationOut, headers(("ETag" = String))), ReadErrors, VersionErrors, RuleErrors))]
pub async fn submit_application(api: Api, Path(id): Path<String>, if_match: IfMatch) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ApplyForGrant).await?;
    let version = if_match.version_of(loaded.application.version)?;
    let a = ops::submit(&api.state, &api.caller, &loaded, version).await?;
    let out = application_out(&api, &loaded, &a).await?;
    Ok(with_etag(a.version, out))
}

#[derive(Serialize, ToSchema)]
pub struct AssignmentOut {
    pub id: Uuid,
    pub application: Uuid,
    pub reviewer: Uuid,
    pub reviewer_name: String,
    /// Set when the reviewer declared a conflict of interest (which withdraws them).
    pub conflict_reason: Option<String>,
    pub reviewed: bool,
}

impl From<Assignment> for AssignmentOut {
    fn from(a: Assignment) -> Self {
        AssignmentOut {
            id: a.id,
            application: a.application_id,
            reviewer: a.reviewer_id,
            reviewer_name: a.reviewer_name,
            conflict_reason: a.conflict_reason,
            reviewed: a.reviewed,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignmentIn {
    /// The reviewer's e-mail: a person holding `expert` or `reviewer` in the call's programme.
    pub reviewer: String,
}

/// Assign a reviewer to a submitted application (programme staff). A member of the applicant or a
/// co-applicant organisation is refused (`conflict-of-interest`).
#[utoipa::path(post, path = "/applications/{id}/assignments", tag = "grants", security(("bearer" = [])), request_body = AssignmentIn,
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 201, body = AssignmentOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_assignment(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<AssignmentIn>,
) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let a = ops::assign(&api.state, &api.caller, &loaded, &b.reviewer).await?;
    Ok(created(AssignmentOut::from(a)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictIn {
    pub reason: String,
}

/// Declare a conflict of interest with an application assigned to you: it withdraws you.
#[utoipa::path(post, path = "/applications/{id}/conflict", tag = "grants", security(("bearer" = [])), request_body = ConflictIn,
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 200, body = AssignmentOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn declare_conflict(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConflictIn>,
) -> Result<Json<AssignmentOut>, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ReviewApplication).await?;
    Ok(Json(ops::declare_conflict(&api.state, &api.caller, &loaded, &b.reason).await?.into()))
}

/// A review: per criterion a mark (`"0"`–`"5"` in half points, or `"n/a"`) and a comment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    pub scores: BTreeMap<String, String>,
    #[serde(default)]
    pub comments: BTreeMap<String, String>,
    /// `yes`, `maybe` or `no`.
    pub recommendation: String,
    #[serde(default)]
    pub comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct ReviewOut {
    pub id: Uuid,
    pub reviewer: Uuid,
    /// Marks by criterion: `"3.5"` or `"n/a"`.
    pub scores: BTreeMap<String, String>,
    pub comments: BTreeMap<String, String>,
    pub recommendation: String,
    pub comment: String,
    pub submitted_at: DateTime<Utc>,
}

/// Submit your review of an application assigned to you (once).
#[utoipa::path(post, path = "/applications/{id}/reviews", tag = "grants", security(("bearer" = [])), request_body = ReviewIn,
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 201, body = ReviewOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_review(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ReviewIn>,
) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ReviewApplication).await?;
    let raw =
        RawReview { scores: b.scores, comments: b.comments, recommendation: b.recommendation, comment: b.comment };
    let r = ops::submit_review(&api.state, &api.caller, &loaded, &raw).await?;
    let scores = raw.scores.iter().map(|(k, v)| (k.clone(), v.trim().to_lowercase())).collect();
    Ok(created(ReviewOut {
        id: r.id,
        reviewer: r.reviewer_id,
        scores,
        comments: raw.comments,
        recommendation: r.recommendation,
        comment: r.comment,
        submitted_at: r.submitted_at,
    }))
}

/// An application's reviews: programme staff, and an assigned reviewer only after submitting
/// their own (reviews stay independent until then).
#[utoipa::path(get, path = "/applications/{id}/reviews", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the application's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<ReviewOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn list_reviews(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ReadReviews).await?;
    let all = ops::reviews(&api.state, &api.caller, &loaded).await?;
    let items = page_of(page, &all)
        .iter()
        .map(|r| ReviewOut {
            id: r.review.id,
            reviewer: r.review.reviewer_id,
            scores: r
                .scores
                .iter()
                .map(|s| {
                    (
                        s.criterion_key.clone(),
                        s.score_halves.map_or("n/a".into(), |h| urbis_domain::grants::Half(h as u32).to_string()),
                    )
                })
                .collect(),
            comments: r.scores.iter().map(|s| (s.criterion_key.clone(), s.comment.clone())).collect(),
            recommendation: r.review.recommendation.clone(),
            comment: r.review.comment.clone(),
            submitted_at: r.review.submitted_at,
        })
        .collect();
    Ok(paged(
        &q,
        &format!("/api/v1/applications/{id}/reviews"),
        List::<ReviewOut> { items, page: page.page, per_page: page.per_page, total: all.len() as u64 },
    ))
}

/// One criterion's figures; points rounded to two decimals, `null` when not applicable.
#[derive(Serialize, ToSchema)]
pub struct CriterionScoreOut {
    pub key: String,
    pub scored: usize,
    pub mean: Option<String>,
    pub min: Option<String>,
    pub max: Option<String>,
    pub consensus: Option<String>,
    pub effective: Option<String>,
    pub threshold: String,
    pub passes: bool,
    /// Reviewers differ by 1.5 points or more.
    pub disagreement: bool,
}

/// An application's scores (see docs/grants.md).
#[derive(Serialize, ToSchema)]
pub struct EvaluationOut {
    pub reviews: usize,
    pub criteria: Vec<CriterionScoreOut>,
    pub total: String,
    pub overall_threshold: String,
    /// Σ weight × score: for ranking only.
    pub weighted: String,
    pub passes: bool,
    /// `awaiting-reviews`, `awaiting-consensus` or `final`.
    pub standing: String,
}

fn evaluation_out(e: &Evaluation, call: &CallView) -> EvaluationOut {
    EvaluationOut {
        reviews: e.reviews,
        criteria: e
            .criteria
            .iter()
            .zip(&call.rubric.criteria)
            .map(|(c, k)| CriterionScoreOut {
                key: c.key.clone(),
                scored: c.scored,
                mean: c.mean.map(points_text),
                min: c.min.map(|h| h.to_string()),
                max: c.max.map(|h| h.to_string()),
                consensus: c.consensus.map(|m| m.text()),
                effective: c.effective.map(points_text),
                threshold: k.threshold.to_string(),
                passes: c.passes,
                disagreement: c.disagreement,
            })
            .collect(),
        total: points_text(e.total),
        overall_threshold: points_text(e.overall_threshold),
        weighted: weighted_text(e.weighted),
        passes: e.passes(),
        standing: serde_json::to_value(e.standing).ok().and_then(|v| v.as_str().map(String::from)).unwrap_or_default(),
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsensusIn {
    /// Marks by criterion: `"0"`–`"5"` in half points, or `"n/a"`.
    pub scores: BTreeMap<String, String>,
    pub justification: String,
}

/// Record an application's consensus (programme staff), after at least three reviews.
#[utoipa::path(put, path = "/applications/{id}/consensus", tag = "grants", security(("bearer" = [])), request_body = ConsensusIn,
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 200, body = EvaluationOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn put_consensus(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<ConsensusIn>,
) -> Result<Json<EvaluationOut>, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let e = ops::record_consensus(&api.state, &api.caller, &loaded, &b.scores, &b.justification).await?;
    Ok(Json(evaluation_out(&e, &loaded.call)))
}

#[derive(Serialize, ToSchema)]
pub struct RankedOut {
    pub rank: usize,
    pub application: ApplicationSummaryOut,
    pub evaluation: EvaluationOut,
    /// Keys of the criteria below their threshold.
    pub failed_criteria: Vec<String>,
    /// Does the budget reach it, going down the ranking?
    pub within_budget: bool,
    pub decision: Option<DecisionOut>,
}

/// A call's submitted applications ranked by consensus score (programme staff).
#[utoipa::path(get, path = "/calls/{id}/ranking", tag = "grants", security(("bearer" = [])),
    params(("id" = String, Path, description = "the call's id (a UUID)"), ("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<RankedOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), ReadErrors, QueryErrors))]
pub async fn get_ranking(api: Api, Path(id): Path<String>, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let call = ops::call_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let all = ops::ranking(&api.state, &api.caller, &call).await?;
    let total = all.len() as u64;
    let start = ((page.page as usize - 1) * page.per_page as usize).min(all.len());
    let items = all
        .into_iter()
        .skip(start)
        .take(page.per_page as usize)
        .map(|r| RankedOut {
            rank: r.rank,
            failed_criteria: r.evaluation.failed_criteria().into_iter().map(String::from).collect(),
            evaluation: evaluation_out(&r.evaluation, &call),
            application: summary(&r.application, &call.call.currency),
            within_budget: r.within_budget,
            decision: r.decision.map(|d| decision_out(d, &call.call.currency)),
        })
        .collect();
    Ok(paged(
        &q,
        &format!("/api/v1/calls/{id}/ranking"),
        List::<RankedOut> { items, page: page.page, per_page: page.per_page, total },
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionIn {
    /// `award` or `reject`.
    pub outcome: String,
    /// Required for an award: at most the amount requested, the maximum award and what remains.
    pub amount: Option<MoneyOut>,
    /// What the applicant is told.
    pub feedback: String,
}

/// Award or reject a submitted application (programme staff). Two awards at once can never
/// commit more than the call's budget.
#[utoipa::path(post, path = "/applications/{id}/decision", tag = "grants", security(("bearer" = [])), request_body = DecisionIn,
    params(("id" = String, Path, description = "the application's id (a UUID)")),
    responses((status = 201, body = DecisionOut), ReadErrors, BodyErrors, RuleErrors))]
pub async fn create_decision(
    api: Api,
    Path(id): Path<String>,
    ApiJson(b): ApiJson<DecisionIn>,
) -> Result<Response, Problem> {
    let loaded = ops::application_for(&api.state, &api.caller, &id, Action::ManageCall).await?;
    let award = match (b.outcome.as_str(), &b.amount) {
        ("award", Some(m)) => {
            Some(Money::from_json("amount", &m.into(), false).map_err(urbis_domain::Invalid::from_one)?)
        }
        ("award", None) => {
            return Err(urbis_domain::Invalid::one("amount", "required", "an award needs its amount").into());
        }
        ("reject", _) => None,
        _ => return Err(urbis_domain::Invalid::one("outcome", "invalid-choice", "must be award or reject").into()),
    };
    let d = ops::decide(&api.state, &api.caller, &loaded, award, &b.feedback).await?;
    Ok(created(decision_out(d, loaded.call.currency.code())))
}

#[derive(Serialize, ToSchema)]
pub struct AwardOut {
    pub application: Uuid,
    pub call: Uuid,
    pub call_title: String,
    pub programme: String,
    pub organisation: String,
    pub organisation_name: String,
    pub title: String,
    pub amount: MoneyOut,
    pub awarded_at: DateTime<Utc>,
}

impl From<&Award> for AwardOut {
    fn from(a: &Award) -> Self {
        AwardOut {
            application: a.application_id,
            call: a.call_id,
            call_title: a.call_title.clone(),
            programme: a.programme_slug.clone(),
            organisation: a.organisation_slug.clone(),
            organisation_name: a.organisation_name.clone(),
            title: a.title.clone(),
            amount: MoneyOut { amount_minor: a.amount_minor, currency: a.currency.clone() },
            awarded_at: a.decided_at,
        }
    }
}

/// Awarded grants of published calls (public), newest first.
#[utoipa::path(get, path = "/grants", tag = "grants",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, body = List<AwardOut>, headers(("Link" = String, description = "RFC 8288 links to the first, previous, next and last pages"))), TokenErrors, QueryErrors))]
pub async fn list_awards(api: PublicApi, q: PageQuery) -> Result<Response, Problem> {
    let page = q.page;
    let p = ops::awards(&api.state, page).await?;
    Ok(paged(
        &q,
        "/api/v1/grants",
        List::<AwardOut> {
            items: p.items.iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        },
    ))
}

/// Awarded grants as CSV (a page, as the JSON list).
#[utoipa::path(get, path = "/grants.csv", tag = "grants",
    params(("page" = Option<u32>, Query, minimum = 1, maximum = 1000000), ("per_page" = Option<u32>, Query, minimum = 1, maximum = 100)),
    responses((status = 200, content_type = "text/csv", body = String), TokenErrors, QueryErrors))]
pub async fn list_awards_csv(api: PublicApi, PageQuery { page, .. }: PageQuery) -> Result<Response, Problem> {
    let p = ops::awards(&api.state, page).await?;
    let mut out = String::from(
        "application,call,call_title,programme,organisation,organisation_name,title,amount_minor,currency,awarded_at\n",
    );
    for a in &p.items {
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{}",
            a.application_id,
            a.call_id,
            csv_field(&a.call_title),
            a.programme_slug,
            a.organisation_slug,
            csv_field(&a.organisation_name),
            csv_field(&a.title),
            a.amount_minor,
            a.currency,
            urbis_store::ts(a.decided_at)
        );
    }
    Ok(csv("grants.csv", out))
}
