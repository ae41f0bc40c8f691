//! The `grants` capability's operations shared by pages and API: calls, applications, reviewer
//! assignments, independent reviews, the consensus, the ranking and decisions. Each authorises
//! once through the policy, checks input with the domain's constructors and calls the store.

use crate::{Allowed, App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use chrono::Utc;
use std::collections::{BTreeMap, HashMap};
use urbis_domain::grants::application::check_answer;
use urbis_domain::grants::{
    Budget, CallInput, CallState, Criterion, Currency, Eligibility, Evaluation, Half, Mark, Marks, Money, RawCall,
    Rubric, Section, check_award, check_budget, check_marks, evaluate, local_display, local_text, rank_order,
};
use urbis_domain::network::{OrganisationKind, ParticipationStatus, TimeZone};
use urbis_domain::policy::{Action, Resource, Role, Scope};
use urbis_domain::{FieldError, Invalid};
use urbis_store::grants::{
    Answer, Application, Assignment, Award, BudgetRow, Call, Consensus, CriterionRow, Decision, Drafts, Review,
    ScoreInput, ScoreRow,
};
use urbis_store::network::Organisation;
use urbis_store::{Page, Paged};
use uuid::Uuid;

/// A call with everything its rules need, decoded: the rubric, form sections, cost categories,
/// zone and money.
#[derive(Debug, Clone)]
pub struct CallView {
    pub call: Call,
    pub rubric: Rubric,
    pub sections: Vec<Section>,
    pub categories: Vec<String>,
    pub timezone: TimeZone,
    pub currency: Currency,
    pub total_budget: Money,
    pub max_award: Money,
    pub awarded: Money,
}

impl CallView {
    fn new(call: Call, criteria: Vec<CriterionRow>) -> Result<CallView> {
        let bad = |e: String| AppError::Internal(format!("call {}: {e}", call.id));
        let currency = Currency::parse(&call.currency).map_err(|e| bad(e.message))?;
        let timezone = TimeZone::parse(&call.timezone).map_err(|e| bad(e.message))?;
        let sections: Vec<Section> = serde_json::from_str(&call.sections_json).map_err(|e| bad(e.to_string()))?;
        let categories: Vec<String> =
            serde_json::from_str(&call.cost_categories_json).map_err(|e| bad(e.to_string()))?;
        let rubric = Rubric {
            criteria: criteria
                .into_iter()
                .map(|c| Criterion {
                    key: c.key,
                    title: c.title,
                    description: c.description,
                    weight_hundredths: c.weight_hundredths as u32,
                    threshold: Half(c.threshold_halves as u32),
                })
                .collect(),
            overall_threshold_halves: call.overall_threshold_halves as u32,
        };
        Ok(CallView {
            total_budget: Money::new(call.total_budget_minor, currency),
            max_award: Money::new(call.max_award_minor, currency),
            awarded: Money::new(call.awarded_minor, currency),
            rubric,
            sections,
            categories,
            timezone,
            currency,
            call,
        })
    }

    /// The closing time in the call's zone, for people: `2026-03-31 17:00 (Europe/Riga)`.
    pub fn closes(&self) -> String {
        local_display(self.call.closes_at, &self.timezone)
    }
    pub fn opens(&self) -> String {
        local_display(self.call.opens_at, &self.timezone)
    }
    /// Is it accepting submissions now?
    pub fn accepting(&self) -> bool {
        let now = Utc::now();
        self.call.state == CallState::Open && now >= self.call.opens_at && now < self.call.closes_at
    }
    pub fn remaining(&self) -> Money {
        self.total_budget.checked_sub(self.awarded).unwrap_or(Money::zero(self.currency))
    }

    /// The call as raw text, to be changed field by field (API PATCH, edit form).
    pub fn raw(&self) -> RawCall {
        RawCall {
            title: self.call.title.clone(),
            description: self.call.description.clone(),
            eligibility: self.call.eligibility.as_str().into(),
            opens_at: local_text(self.call.opens_at, &self.timezone),
            closes_at: local_text(self.call.closes_at, &self.timezone),
            timezone: self.timezone.to_string(),
            total_budget: self.total_budget.to_string(),
            max_award: self.max_award.to_string(),
            cost_categories: self.categories.clone(),
            sections: self.sections.clone(),
            criteria: self
                .rubric
                .criteria
                .iter()
                .map(|c| urbis_domain::grants::RawCriterion {
                    key: c.key.clone(),
                    title: c.title.clone(),
                    description: c.description.clone(),
                    weight: urbis_domain::grants::call::weight_text(c.weight_hundredths),
                    threshold: c.threshold.to_string(),
                })
                .collect(),
            overall_threshold: Half(self.rubric.overall_threshold_halves).to_string(),
            stages: self.call.stages as u8,
        }
    }
}

fn call_resource(c: &Call) -> Resource {
    Resource::Call { programme: c.programme_id, published: c.state.is_published() }
}

/// A call, if the caller may do `action` on it (`ReadCall`: published calls are public).
pub async fn call_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<Allowed<CallView>> {
    let call = state.store.call(parse_id("call", id)?).await.map_err(AppError::or_not_found("call"))?;
    let resource = call_resource(&call);
    authorise(caller, action, &resource)?;
    let criteria = state.store.call_criteria(call.id).await?;
    Allowed::new(caller, action, CallView::new(call, criteria)?, resource)
}

/// May the caller manage this call (for links and buttons)?
pub fn can_manage(caller: &Caller, call: &Call) -> bool {
    caller.can(Action::ManageCall, &call_resource(call))
}

/// A page of calls: the published ones, and the drafts of the programmes the caller runs.
pub async fn calls(state: &App, caller: &Caller, page: Page) -> Result<Paged<Call>> {
    let is_admin = caller.actor.grants.iter().any(|g| g.role == Role::Admin && g.scope == Scope::Global);
    let drafts = if is_admin {
        Drafts::All
    } else {
        Drafts::Of(
            caller
                .actor
                .grants
                .iter()
                .filter_map(|g| match g.scope {
                    Scope::Programme(p)
                        if caller.can(Action::ReadCall, &Resource::Call { programme: p, published: false }) =>
                    {
                        Some(p)
                    }
                    _ => None,
                })
                .collect(),
        )
    };
    Ok(state.store.calls_page(&drafts, page).await?)
}

/// Add a draft call in a programme (its staff).
pub async fn create_call(state: &App, caller: &Caller, programme_slug: &str, raw: &RawCall) -> Result<CallView> {
    let p = crate::network::programme_for(state, caller, programme_slug, Action::ManageCall).await?;
    let input = CallInput::parse(raw)?;
    let call = state.store.create_call(caller.actor.person, p.id, &input, false).await?;
    view(state, call).await
}

async fn view(state: &App, call: Call) -> Result<CallView> {
    let criteria = state.store.call_criteria(call.id).await?;
    CallView::new(call, criteria)
}

/// Change a call if it is still at `version`; its rubric is fixed from the first review on.
pub async fn update_call(
    state: &App,
    caller: &Caller,
    loaded: &Allowed<CallView>,
    version: i64,
    raw: &RawCall,
) -> Result<CallView> {
    loaded.check(caller, Action::ManageCall)?;
    if loaded.call.state == CallState::Decided {
        return Err(AppError::refused("state", "call-decided", "a decided call cannot change"));
    }
    let input = CallInput::parse(raw)?;
    let changed = input.rubric != loaded.rubric;
    let call = state.store.update_call(caller.person_id()?, loaded.call.id, version, &input, changed).await?;
    view(state, call).await
}

/// Move a call to its next state (open, close, mark decided) if it is still at `version`.
pub async fn advance_call(
    state: &App,
    caller: &Caller,
    loaded: &Allowed<CallView>,
    version: i64,
    to: CallState,
) -> Result<CallView> {
    loaded.check(caller, Action::ManageCall)?;
    if loaded.call.state.next() != Some(to) {
        return Err(AppError::refused(
            "state",
            "invalid-transition",
            format!("a {} call cannot become {to}", loaded.call.state),
        ));
    }
    let call = state.store.set_call_state(caller.person_id()?, loaded.call.id, version, to).await?;
    view(state, call).await
}

/// An application with its call, loaded for an action: the caller's assignment to it (if any)
/// is part of the policy's view.
#[derive(Debug, Clone)]
pub struct LoadedApplication {
    pub application: Application,
    pub call: CallView,
    pub assignment: Option<Assignment>,
    pub resource: Resource,
    granted: Action,
}

crate::loaded!(LoadedApplication);

fn application_resource(a: &Application, assignment: Option<&Assignment>) -> Resource {
    Resource::GrantApplication {
        programme: a.programme_id,
        organisation: a.organisation_id,
        assigned: assignment.is_some_and(|g| g.conflict_declared_at.is_none()),
        reviewed: assignment.is_some_and(|g| g.reviewed),
    }
}

/// An application, if the caller may do `action` on it.
pub async fn application_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<LoadedApplication> {
    let application =
        state.store.application(parse_id("application", id)?).await.map_err(AppError::or_not_found("application"))?;
    let assignment = match caller.actor.person {
        Some(p) => state.store.assignment_of(application.id, p).await?,
        None => None,
    };
    let resource = application_resource(&application, assignment.as_ref());
    authorise(caller, action, &resource)?;
    let call = view(state, state.store.call(application.call_id).await?).await?;
    Ok(LoadedApplication { application, call, assignment, resource, granted: action })
}

/// Is `org` eligible for the call?
async fn eligible(state: &App, call: &CallView, org: &Organisation) -> Result<bool> {
    let parts = state.store.participations(org.id).await?;
    let here = parts.iter().find(|p| p.programme_id == call.call.programme_id);
    Ok(match call.call.eligibility {
        Eligibility::ParticipatingCities => {
            org.kind == OrganisationKind::City && here.is_some_and(|p| p.status == ParticipationStatus::Participating)
        }
        Eligibility::ProgrammeOrganisations => here.is_some(),
        Eligibility::Anyone => true,
    })
}

/// Refuse a write to an application of a call that no longer takes submissions, naming the
/// closing time in the call's zone.
fn check_open(call: &CallView) -> Result<()> {
    let now = Utc::now();
    if call.call.state != CallState::Open || now < call.call.opens_at {
        return Err(AppError::refused(
            "call",
            "call-not-open",
            format!("the call is not open; it opens {}", call.opens()),
        ));
    }
    if now >= call.call.closes_at {
        return Err(AppError::refused(
            "call",
            "deadline-passed",
            format!("the call closed at {}; submissions are no longer accepted", call.closes()),
        ));
    }
    Ok(())
}

/// Start an organisation's application to an open call (the organisation's city team).
pub async fn start_application(
    state: &App,
    caller: &Caller,
    call: &Allowed<CallView>,
    organisation_slug: &str,
    title: &str,
) -> Result<LoadedApplication> {
    caller.person_id()?;
    let org = crate::network::city(state, organisation_slug)
        .await
        .map_err(|_| AppError::invalid("organisation", "unknown-organisation", "no such organisation"))?;
    authorise(caller, Action::ApplyForGrant, &crate::network::org_resource(state, &org).await?)?;
    let title = urbis_domain::network::required_name("title", title, 200)?;
    check_open(call)?;
    if !eligible(state, call, &org).await? {
        return Err(AppError::refused(
            "organisation",
            "not-eligible",
            format!("{} may not apply: the call is open to {}", org.name, call.call.eligibility),
        ));
    }
    let a = state.store.create_application(caller.person_id()?, call.call.id, org.id, &title).await?;
    application_for(state, caller, &a.id.to_string(), Action::ApplyForGrant).await
}

/// Everything an application holds: answers by section, budget lines, co-applicants.
pub struct Detail {
    pub answers: BTreeMap<String, Answer>,
    pub budget: Vec<BudgetRow>,
    pub coapplicants: Vec<Organisation>,
    pub decision: Option<Decision>,
}

pub async fn detail(state: &App, loaded: &LoadedApplication) -> Result<Detail> {
    let id = loaded.application.id;
    let answers = state.store.application_answers(id).await?.into_iter().map(|a| (a.section_key.clone(), a)).collect();
    let mut coapplicants = vec![];
    for o in state.store.coapplicants(id).await? {
        coapplicants.push(state.store.organisation_by_id(o).await?);
    }
    Ok(Detail {
        answers,
        budget: state.store.budget_lines(id).await?,
        coapplicants,
        decision: state.store.decision(id).await?,
    })
}

/// Save one section of a draft application (and its title) if it is still at `version`.
pub async fn save_section(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    version: i64,
    title: Option<&str>,
    section: &str,
    text: &str,
) -> Result<Application> {
    loaded.check(caller, Action::ApplyForGrant)?;
    let s = loaded
        .call
        .sections
        .iter()
        .find(|s| s.key == section)
        .ok_or_else(|| AppError::invalid("section", "unknown-section", "is not a section of this call's form"))?;
    let title = match title {
        Some(t) => urbis_domain::network::required_name("title", t, 200)?,
        None => loaded.application.title.clone(),
    };
    let text = check_answer(s, text)?;
    check_open(&loaded.call)?;
    Ok(state.store.save_section(caller.person_id()?, loaded.application.id, version, &title, section, &text).await?)
}

/// A budget line as typed: amount as decimal text in the call's currency (forms), or minor
/// units (API).
pub enum LineAmount {
    Text(String),
    Minor(i64, String),
}

/// Save a draft application's budget (totalled; above the maximum award refused naming `budget`)
/// and co-applicants (organisation slugs) if it is still at `version`.
pub async fn save_budget(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    version: i64,
    lines: &[(String, String, LineAmount)],
    coapplicants: &[String],
) -> Result<(Application, Budget)> {
    loaded.check(caller, Action::ApplyForGrant)?;
    let call = &loaded.call;
    let parsed: Vec<_> = lines
        .iter()
        .map(|(c, d, a)| {
            let m = match a {
                LineAmount::Text(t) => Money::parse_amount("amount", t, call.currency, false),
                LineAmount::Minor(m, cur) => Money::from_json(
                    "amount",
                    &urbis_domain::grants::MoneyJson { amount_minor: *m, currency: cur.clone() },
                    false,
                ),
            };
            (c.clone(), d.clone(), m)
        })
        .collect();
    let budget = check_budget(&parsed, &call.categories, call.max_award)?;
    let mut orgs = vec![];
    let mut e = Invalid::default();
    for (i, slug) in coapplicants.iter().enumerate() {
        match state.store.organisation(slug.trim()).await {
            Ok(o) if o.id == loaded.application.organisation_id => e.0.push(FieldError::new(
                format!("coapplicants[{i}]"),
                "is-applicant",
                "the applicant cannot be its own co-applicant",
            )),
            Ok(o) if !orgs.contains(&o.id) => orgs.push(o.id),
            Ok(_) => {}
            Err(_) => {
                e.0.push(FieldError::new(format!("coapplicants[{i}]"), "unknown-organisation", "no such organisation"))
            }
        }
    }
    e.into_result()?;
    check_open(call)?;
    let a = state
        .store
        .save_budget(caller.person_id()?, loaded.application.id, version, &budget.lines, budget.total.minor, &orgs)
        .await?;
    Ok((a, budget))
}

/// Submit a draft application before the call's closing time, if it is still at `version`.
pub async fn submit(state: &App, caller: &Caller, loaded: &LoadedApplication, version: i64) -> Result<Application> {
    loaded.check(caller, Action::ApplyForGrant)?;
    check_open(&loaded.call)?;
    let required: Vec<String> = loaded.call.sections.iter().filter(|s| s.required).map(|s| s.key.clone()).collect();
    if loaded.application.requested_minor <= 0 {
        return Err(AppError::refused("budget", "empty-budget", "fill in the budget before submitting"));
    }
    Ok(state.store.submit_application(caller.person_id()?, loaded.application.id, version, &required).await?)
}

/// A page of a call's applications (its staff).
pub async fn call_applications(
    state: &App,
    caller: &Caller,
    call: &Allowed<CallView>,
    page: Page,
) -> Result<Paged<Application>> {
    call.check(caller, Action::ManageCall)?;
    Ok(state.store.call_applications(call.call.id, page).await?)
}

/// A page of the caller's assignments as a reviewer.
pub async fn my_assignments(state: &App, caller: &Caller, page: Page) -> Result<Paged<Assignment>> {
    Ok(state.store.reviewer_assignments(caller.person_id()?, page).await?)
}

/// Assign a reviewer (a person holding `expert` or `reviewer` in the call's programme, by e-mail)
/// to a submitted application. A member of the applicant or a co-applicant organisation is refused
/// (automatic conflict of interest).
pub async fn assign(state: &App, caller: &Caller, loaded: &LoadedApplication, email: &str) -> Result<Assignment> {
    loaded.check(caller, Action::ManageCall)?;
    let unknown =
        || AppError::invalid("reviewer", "unknown-reviewer", "no reviewer or expert of this programme has this e-mail");
    let person = state.store.person_by_email(email.trim()).await?.ok_or_else(unknown)?;
    let grants = state.store.grants(person.id).await?;
    let programme = Scope::Programme(loaded.application.programme_id);
    if !grants.iter().any(|g| g.scope == programme && matches!(g.role, Role::Expert | Role::Reviewer)) {
        return Err(unknown());
    }
    if loaded.application.status == "draft" {
        return Err(AppError::refused("application", "not-submitted", "only submitted applications are reviewed"));
    }
    let mut orgs = vec![loaded.application.organisation_id];
    orgs.extend(state.store.coapplicants(loaded.application.id).await?);
    if state.store.member_of_any(person.id, &orgs).await? {
        return Err(AppError::refused(
            "reviewer",
            "conflict-of-interest",
            "this reviewer belongs to the applicant or a co-applicant organisation",
        ));
    }
    Ok(state.store.assign_reviewer(caller.person_id()?, loaded.application.id, person.id).await?)
}

/// The caller declares a conflict of interest with an application assigned to them: it
/// withdraws them from its review.
pub async fn declare_conflict(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    reason: &str,
) -> Result<Assignment> {
    loaded.check(caller, Action::ReviewApplication)?;
    let a = loaded.assignment.as_ref().ok_or(AppError::Denied)?;
    let reason = urbis_domain::network::required_text("reason", reason, 2000)?;
    Ok(state.store.declare_conflict(caller.person_id()?, a.id, a.version, &reason).await?)
}

/// A review as typed: a mark per criterion (`0`–`5` in half points or `n/a`), comments per
/// criterion, a recommendation (`yes`, `maybe`, `no`) and an overall comment.
#[derive(Debug, Clone, Default)]
pub struct RawReview {
    pub scores: BTreeMap<String, String>,
    pub comments: BTreeMap<String, String>,
    pub recommendation: String,
    pub comment: String,
}

/// Submit the caller's review of an application assigned to them (once).
pub async fn submit_review(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    raw: &RawReview,
) -> Result<Review> {
    loaded.check(caller, Action::ReviewApplication)?;
    let a = loaded.assignment.as_ref().ok_or(AppError::Denied)?;
    let mut e = Invalid::default();
    let marks = match check_marks(&loaded.call.rubric, &raw.scores) {
        Ok(m) => Some(m),
        Err(i) => {
            e.0.extend(i.0);
            None
        }
    };
    let recommendation = raw.recommendation.trim();
    if !["yes", "maybe", "no"].contains(&recommendation) {
        e.0.push(FieldError::new("recommendation", "invalid-choice", "must be yes, maybe or no"));
    }
    for (k, c) in &raw.comments {
        if c.chars().count() > 4000 {
            e.0.push(FieldError::new(format!("comments.{k}"), "too-long", "must be at most 4000 characters"));
        }
    }
    let comment = e.take("comment", urbis_domain::network::optional_text("comment", &raw.comment, 8000));
    e.into_result()?;
    let scores: Vec<ScoreInput> = marks
        .unwrap_or_default()
        .into_iter()
        .map(|(k, m)| {
            let halves = match m {
                Mark::Score(h) => Some(i64::from(h.0)),
                Mark::NotApplicable => None,
            };
            let c = raw.comments.get(&k).cloned().unwrap_or_default();
            (k, halves, c.trim().to_string())
        })
        .collect();
    Ok(state.store.submit_review(caller.person_id()?, a, &scores, recommendation, &comment.unwrap_or_default()).await?)
}

/// A submitted review with its scores.
pub struct ReviewWithScores {
    pub review: Review,
    pub scores: Vec<ScoreRow>,
}

/// An application's reviews: its staff, or a reviewer once their own review is submitted.
pub async fn reviews(state: &App, caller: &Caller, loaded: &LoadedApplication) -> Result<Vec<ReviewWithScores>> {
    loaded.check(caller, Action::ReadReviews)?;
    let mut scores: HashMap<Uuid, Vec<ScoreRow>> = HashMap::new();
    for s in state.store.review_scores(loaded.application.id).await? {
        scores.entry(s.review_id).or_default().push(s);
    }
    Ok(state
        .store
        .reviews(loaded.application.id)
        .await?
        .into_iter()
        .map(|r| ReviewWithScores { scores: scores.remove(&r.id).unwrap_or_default(), review: r })
        .collect())
}

fn marks_of(rows: &[ScoreRow]) -> Marks {
    rows.iter()
        .map(|s| {
            let m = s.score_halves.map_or(Mark::NotApplicable, |h| Mark::Score(Half(h as u32)));
            (s.criterion_key.clone(), m)
        })
        .collect()
}

fn consensus_marks(c: &Consensus) -> Result<Marks> {
    let raw: BTreeMap<String, Option<u32>> =
        serde_json::from_str(&c.scores_json).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(raw.into_iter().map(|(k, v)| (k, v.map_or(Mark::NotApplicable, |h| Mark::Score(Half(h))))).collect())
}

/// Record an application's consensus (its staff): a mark per criterion and a justification,
/// after at least three independent reviews. The consensus replaces the means.
pub async fn record_consensus(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    scores: &BTreeMap<String, String>,
    justification: &str,
) -> Result<Evaluation> {
    loaded.check(caller, Action::ManageCall)?;
    let mut e = Invalid::default();
    let marks = match check_marks(&loaded.call.rubric, scores) {
        Ok(m) => Some(m),
        Err(i) => {
            e.0.extend(i.0);
            None
        }
    };
    let justification =
        e.take("justification", urbis_domain::network::required_text("justification", justification, 8000));
    e.into_result()?;
    let marks = marks.unwrap_or_default();
    let json: BTreeMap<&String, Option<u32>> = marks
        .iter()
        .map(|(k, m)| {
            (
                k,
                match m {
                    Mark::Score(h) => Some(h.0),
                    Mark::NotApplicable => None,
                },
            )
        })
        .collect();
    let json = serde_json::to_string(&json).map_err(|e| AppError::Internal(e.to_string()))?;
    state
        .store
        .record_consensus(
            caller.person_id()?,
            loaded.application.id,
            &json,
            &justification.unwrap_or_default(),
            urbis_domain::grants::MIN_REVIEWS as i64,
        )
        .await?;
    evaluation(state, loaded).await
}

/// An application's scores as they stand.
pub async fn evaluation(state: &App, loaded: &LoadedApplication) -> Result<Evaluation> {
    let rows = state.store.review_scores(loaded.application.id).await?;
    let mut by_review: BTreeMap<Uuid, Vec<ScoreRow>> = BTreeMap::new();
    for r in rows {
        by_review.entry(r.review_id).or_default().push(r);
    }
    let reviews: Vec<Marks> = by_review.values().map(|r| marks_of(r)).collect();
    let consensus = state.store.consensus(loaded.application.id).await?.map(|c| consensus_marks(&c)).transpose()?;
    Ok(evaluate(&loaded.call.rubric, &reviews, consensus.as_ref()))
}

/// One row of a call's ranking.
pub struct Ranked {
    pub rank: usize,
    pub application: Application,
    pub evaluation: Evaluation,
    pub decision: Option<Decision>,
    /// Would the remaining budget (in ranking order, awards made counted) reach its request?
    pub within_budget: bool,
}

/// A call's submitted applications ranked (its staff): final (consensus) scores first by
/// weighted total, ties by the criteria in order, then by submission time.
pub async fn ranking(state: &App, caller: &Caller, call: &Allowed<CallView>) -> Result<Vec<Ranked>> {
    call.check(caller, Action::ManageCall)?;
    let apps = state.store.submitted_applications(call.call.id).await?;
    let mut per_review: HashMap<Uuid, HashMap<Uuid, Marks>> = HashMap::new();
    for (app, s) in state.store.call_review_scores(call.call.id).await? {
        let m = s.score_halves.map_or(Mark::NotApplicable, |h| Mark::Score(Half(h as u32)));
        per_review.entry(app).or_default().entry(s.review_id).or_default().insert(s.criterion_key, m);
    }
    let mut consensus: HashMap<Uuid, Marks> = HashMap::new();
    for c in state.store.call_consensus(call.call.id).await? {
        consensus.insert(c.application_id, consensus_marks(&c)?);
    }
    let mut rows: Vec<(Application, Evaluation, String)> = apps
        .into_iter()
        .map(|a| {
            let marks: Vec<Marks> = per_review.remove(&a.id).map(|m| m.into_values().collect()).unwrap_or_default();
            let e = evaluate(&call.rubric, &marks, consensus.get(&a.id));
            let at = a.submitted_at.map(urbis_store::ts).unwrap_or_default();
            (a, e, at)
        })
        .collect();
    rows.sort_by(|a, b| rank_order((&a.1, &a.2), (&b.1, &b.2)));
    let mut left = call.total_budget.minor;
    let mut out = vec![];
    for (i, (a, e, _)) in rows.into_iter().enumerate() {
        let decision = state.store.decision(a.id).await?;
        let counted = match &decision {
            Some(d) => d.amount_minor.unwrap_or(0),
            None if e.passes() => a.requested_minor,
            None => 0,
        };
        let within_budget = e.passes() && counted <= left;
        if within_budget {
            left -= counted;
        }
        out.push(Ranked { rank: i + 1, application: a, evaluation: e, decision, within_budget });
    }
    Ok(out)
}

/// Award an application (amount at most its request, the maximum award and what remains of the
/// call's budget, checked again inside the transaction) or reject it, with feedback (its staff).
pub async fn decide(
    state: &App,
    caller: &Caller,
    loaded: &LoadedApplication,
    award: Option<Money>,
    feedback: &str,
) -> Result<Decision> {
    loaded.check(caller, Action::ManageCall)?;
    let feedback = urbis_domain::network::required_text("feedback", feedback, 8000)?;
    if loaded.application.status != "submitted" {
        return Err(AppError::refused(
            "application",
            "already-decided",
            "the application is decided already or not submitted",
        ));
    }
    if let Some(amount) = award {
        let call = view(state, state.store.call(loaded.call.call.id).await?).await?;
        let e = evaluation(state, loaded).await?;
        let requested = Money::new(loaded.application.requested_minor, call.currency);
        check_award(amount, requested, call.max_award, call.total_budget, call.awarded, &e)
            .map_err(|f| AppError::Refused { rule: f.code, message: f.message.clone(), errors: vec![f] })?;
    }
    Ok(state.store.decide(caller.person_id()?, &loaded.application, award.map(|m| m.minor), &feedback).await?)
}

/// A page of awarded grants of published calls (public).
pub async fn awards(state: &App, page: Page) -> Result<Paged<Award>> {
    Ok(state.store.awards_page(page).await?)
}
