//! The `diagnostic` capability's operations shared by pages and API: authorise with the policy,
//! check answers against the instrument, score with the domain formulas, call the store.

pub mod city;
pub mod cohort;
pub mod pulse;
pub mod questionnaire;

pub use city::{CityDiagnostic, Shown, city_diagnostic};
pub use cohort::{Cohort, cohort, figures_shown};
pub use questionnaire::{Questionnaire, questionnaire};

use crate::network::org_resource;
use crate::{Allowed, App, AppError, Caller, Loaded as _, Result, authorise, parse_id};
use std::collections::HashMap;
use std::sync::Arc;
use urbis_domain::diagnostic::{
    Answer, Confidence, Distribution, Instrument, PeerGroup, PlanItemInput, Ranks, Scores, WaveInput, check_context,
    normalise, required_questions, score_respondents,
};
use urbis_domain::error::{FieldError, Invalid};
use urbis_domain::network::CountryCode;
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{
    Assessment, InstrumentSummary, NewAnswer, Override, PlanItem, ResultChanges, StoredAnswer, StoredInstrument,
    Validation, Wave, WaveResult, by_respondent,
};
use urbis_store::network::{Organisation, Programme};
use uuid::Uuid;

/// Every published instrument version (public).
pub async fn instruments(state: &App) -> Result<Vec<InstrumentSummary>> {
    Ok(state.store.instruments().await?)
}

/// An instrument version (the newest when `version` is `None`) with all its translations.
pub async fn instrument(state: &App, slug: &str, version: Option<u32>) -> Result<Arc<StoredInstrument>> {
    state.instruments.get(state, slug, version, None).await
}

/// An instrument version in `lang` (English where it has no translation).
pub async fn instrument_in(
    state: &App,
    slug: &str,
    version: Option<u32>,
    lang: &'static str,
) -> Result<Arc<StoredInstrument>> {
    state.instruments.get(state, slug, version, Some(lang)).await
}

/// Instruments as read and localised, kept for the life of the process: a published version never
/// changes. Versions are added when an instance starts (from its shipped files), so "the newest
/// version" (`version: None`) is kept only while the commit generation is unchanged: an instance of
/// a newer release starting on the same database is seen by the others at once.
#[derive(Default)]
pub struct InstrumentCache(std::sync::Mutex<HashMap<InstrumentKey, KeptInstrument>>);

/// An instrument as kept, with the commit generation it was read at when it was asked for as "the newest".
type KeptInstrument = (Option<Arc<str>>, Arc<StoredInstrument>);

type InstrumentKey = (String, Option<u32>, Option<&'static str>);

impl InstrumentCache {
    async fn get(
        &self,
        state: &App,
        slug: &str,
        version: Option<u32>,
        lang: Option<&'static str>,
    ) -> Result<Arc<StoredInstrument>> {
        let key = (slug.to_string(), version, lang);
        let generation = match version {
            Some(_) => None,
            None => Some(state.generation.current().await?),
        };
        if let Some((at, hit)) = self.0.lock().unwrap_or_else(|e| e.into_inner()).get(&key)
            && *at == generation
        {
            return Ok(hit.clone());
        }
        let stored = state.store.instrument(slug, version).await.map_err(AppError::or_not_found("instrument"))?;
        let value = Arc::new(match lang {
            Some(l) => stored.localised(l),
            None => stored,
        });
        self.0.lock().unwrap_or_else(|e| e.into_inner()).insert(key, (generation, value.clone()));
        Ok(value)
    }
}

pub async fn wave(state: &App, programme: &Programme, slug: &str) -> Result<Wave> {
    state.store.wave(programme.id, slug).await.map_err(AppError::or_not_found("wave"))
}

/// A programme's diagnostic waves, oldest first (public).
pub async fn waves(state: &App, programme: &Programme) -> Result<Vec<Wave>> {
    Ok(state.store.waves(programme.id).await?)
}

/// The instrument version an assessment was made with (it keeps it, even after newer versions).
pub async fn instrument_of(state: &App, a: &Assessment) -> Result<Instrument> {
    Ok(instrument(state, &a.instrument_slug, Some(a.instrument_version)).await?.instrument.clone())
}

/// An assessment with its city and the policy's view of it (a city record, public once
/// published), loaded for an action.
pub struct Loaded {
    pub assessment: Assessment,
    pub city: Organisation,
    pub resource: Resource,
    granted: Action,
}

crate::loaded!(Loaded);

/// An assessment, if the caller may do `action` on it (`ReadAssessment` for reading: published
/// ones are public).
pub async fn load_for(state: &App, caller: &Caller, id: &str, action: Action) -> Result<Loaded> {
    let id = parse_id("assessment", id)?;
    let assessment = state.store.assessment(id).await.map_err(AppError::or_not_found("assessment"))?;
    let city = state.store.organisation_by_id(assessment.organisation_id).await?;
    let programmes = state.store.participations(city.id).await?.into_iter().map(|p| p.programme_id).collect();
    let resource = Resource::CityRecord { organisation: city.id, programmes, published: assessment.published };
    authorise(caller, action, &resource)?;
    Ok(Loaded { assessment, city, resource, granted: action })
}

/// Start an assessment of a city in a wave of one of its programmes.
pub async fn create(
    state: &App,
    caller: &Caller,
    city: &Organisation,
    programme: Option<&str>,
    wave_slug: &str,
    instrument_slug: &str,
) -> Result<Assessment> {
    authorise(caller, Action::CreateAssessment, &org_resource(state, city).await?)?;
    let programme = &crate::network::programme_of(state, city.id, programme).await?;
    let inst = instrument(state, instrument_slug, None)
        .await
        .map_err(|_| AppError::invalid("instrument", "unknown-instrument", "no instrument with this slug"))?;
    let w = wave(state, programme, wave_slug)
        .await
        .map_err(|_| AppError::invalid("wave", "unknown-wave", "no wave with this slug in the programme"))?;
    if w.closed_at.is_some() {
        return Err(AppError::refused("wave", "wave-closed", "this wave is closed"));
    }
    Ok(state.store.create_assessment(caller.actor.person, city.id, w.id, &inst.instrument.slug, false).await?)
}

/// Check one answer against the instrument: the question must exist and the answer fit it.
pub fn check_answer(
    inst: &Instrument,
    question_id: &str,
    answer: Answer,
    evidence: &str,
    comment: &str,
) -> Result<NewAnswer> {
    let unprocessable = AppError::from;
    let normalised = if let Some(q) = inst.question(question_id) {
        normalise(q, &answer).map_err(unprocessable)?
    } else if let Some(q) = inst.context_question(question_id) {
        check_context(q, &answer).map_err(unprocessable)?;
        None
    } else {
        return Err(AppError::invalid(
            "question_id",
            "unknown-question",
            format!("{question_id:?} is not a question of {} v{}", inst.slug, inst.version),
        ));
    };
    Ok(NewAnswer {
        question_id: question_id.to_string(),
        answer,
        normalised,
        evidence: urbis_domain::network::optional_text("evidence", evidence, 2000).map_err(unprocessable)?,
        comment: urbis_domain::network::optional_text("comment", comment, 2000).map_err(unprocessable)?,
    })
}

/// Save the caller's checked answers (one transaction).
pub async fn save_answers(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    answers: &[NewAnswer],
) -> Result<Vec<StoredAnswer>> {
    loaded.check(caller, Action::AnswerAssessment)?;
    let respondent = caller.person_id()?;
    Ok(state.store.put_answers(respondent, loaded.assessment.id, answers).await?)
}

/// Record the caller's answer to one question, checked against the instrument.
pub async fn answer(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    question_id: &str,
    answer: Answer,
    evidence: &str,
    comment: &str,
) -> Result<StoredAnswer> {
    let inst = instrument_of(state, &loaded.assessment).await?;
    let checked = check_answer(&inst, question_id, answer, evidence, comment)?;
    let mut saved = save_answers(state, caller, loaded, std::slice::from_ref(&checked)).await?;
    saved.pop().ok_or_else(|| AppError::Internal("no answer saved".into()))
}

/// Submit: refused (409) with every required question nobody has answered.
pub async fn submit(state: &App, caller: &Caller, loaded: &Loaded) -> Result<Assessment> {
    loaded.check(caller, Action::SubmitAssessment)?;
    let actor = caller.person_id()?;
    let a = &loaded.assessment;
    let inst = instrument_of(state, a).await?;
    let mut required = required_questions(&inst);
    required.extend(inst.context.iter().filter(|c| c.required).map(|c| c.id.clone()));
    Ok(state.store.submit_assessment(actor, a.id, &required).await?)
}

pub async fn reopen(state: &App, caller: &Caller, loaded: &Loaded, reason: &str) -> Result<Assessment> {
    loaded.check(caller, Action::ReopenAssessment)?;
    let actor = caller.person_id()?;
    let reason = urbis_domain::network::required_text("reason", reason, 500)
        .map_err(|e| AppError::invalid("reason", e.code, &e.message))?;
    Ok(state.store.reopen_assessment(actor, loaded.assessment.id, &reason).await?)
}

/// The scores of an assessment from its answers and the lead's overrides.
pub async fn scores(state: &App, a: &Assessment) -> Result<(Instrument, Vec<StoredAnswer>, Scores)> {
    let inst = instrument_of(state, a).await?;
    let answers = state.store.answers(a.id).await?;
    let s = scores_of(state, a, &inst, &answers).await?;
    Ok((inst, answers, s))
}

/// The scores of an assessment from answers already read and the lead's overrides.
pub async fn scores_of(state: &App, a: &Assessment, inst: &Instrument, answers: &[StoredAnswer]) -> Result<Scores> {
    let overrides: HashMap<String, Option<f64>> =
        state.store.overrides(a.id).await?.into_iter().map(|o| (o.question_id, o.normalised)).collect();
    Ok(score_respondents(inst, &by_respondent(inst, answers), &overrides))
}

/// An assessment as one reader sees it. Publication shows scores, not who answered what (see
/// "What publication shows" in `docs/diagnostic.md`): everyone who may read the assessment gets
/// its scores and levels per capability, overall, and the experts' validated scores; only those
/// who may read its answers ([`Action::ReadAnswers`]: the city's team, the programme's staff,
/// experts and reviewers) also get the answers (respondents, evidence, comments), the spread
/// between respondents and the experts' comments.
pub struct AssessmentView {
    pub assessment: Assessment,
    /// Every respondent's answers, for readers of answers only.
    pub answers: Option<Vec<StoredAnswer>>,
    /// The scores; without the spread between respondents unless `answers_shown`.
    pub scores: Scores,
    pub validations: Vec<Validation>,
    /// May the caller see the answers, the spread and the experts' comments and names?
    pub answers_shown: bool,
}

/// An assessment (as it is now: `assessment`, perhaps changed since `loaded` was read) as the
/// caller may see it.
pub async fn view(state: &App, caller: &Caller, loaded: &Loaded, assessment: Assessment) -> Result<AssessmentView> {
    let answers_shown = caller.can(Action::ReadAnswers, &loaded.resource);
    let (_, answers, mut scores) = scores(state, &assessment).await?;
    if !answers_shown {
        without_spread(&mut scores);
    }
    let validations = state.store.validations(assessment.id).await?;
    Ok(AssessmentView { assessment, answers: answers_shown.then_some(answers), scores, validations, answers_shown })
}

/// Scores without the spread between respondents: its minimum and maximum are single respondents'
/// own scores, which stay with those who may read the answers.
pub fn without_spread(scores: &mut Scores) {
    for c in scores.capabilities.values_mut() {
        c.spread = None;
    }
}

/// An assessment's answers and scores, for its answers export (those who may read its answers).
pub async fn answers_export(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
) -> Result<(Instrument, Vec<StoredAnswer>, Scores)> {
    loaded.check(caller, Action::ReadAnswers)?;
    scores(state, &loaded.assessment).await
}

/// The experts' validations of an assessment the caller was given (by `load_for` or an operation
/// on it): whoever may read the assessment may read them.
pub async fn validations(state: &App, a: &Assessment) -> Result<Vec<Validation>> {
    Ok(state.store.validations(a.id).await?)
}

/// The benchmark of a wave within a peer group: each submitted assessment's materialised results
/// (frozen once the wave is closed), and the distribution per capability and overall and the
/// overall percentile ranks, computed over the cities of its [`Basis`].
pub struct Benchmark {
    pub instrument: Instrument,
    pub basis: Basis,
    all: Arc<Results>,
    /// Indices into `all` of the peer group's cities; `None` for the whole cohort.
    members: Option<Vec<usize>>,
    /// How many of the peer group's cities are in the basis.
    n: usize,
    pub overall: Option<Distribution>,
    pub capabilities: Vec<(String, Option<Distribution>)>,
    ranks: Ranks,
}

/// The cities a benchmark's figures are computed over. Quartiles, minimum and maximum are order
/// statistics, each somebody's score, and a rank counts the scores below it: any figure computed
/// over an unpublished score can give that score away. So figures over every submitted assessment
/// are only for those who may read every assessment of the programme; everyone else gets figures
/// over the published ones, which reveal nothing that is not public (see "Who sees which
/// figures" in `docs/diagnostic.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Basis {
    /// The cities that published their scores.
    Published,
    /// Every city with a submitted assessment.
    Submitted,
}

impl Basis {
    /// The basis the policy lets `caller` have figures over in a programme.
    pub fn of(caller: &Caller, programme: Uuid) -> Basis {
        let everything = Resource::Benchmark { programme, n: 0, unpublished: true };
        if caller.can(Action::ReadBenchmark, &everything) { Basis::Submitted } else { Basis::Published }
    }

    /// Does the basis take in this city?
    pub fn takes(self, city: &WaveResult) -> bool {
        self == Basis::Submitted || city.assessment.published
    }
}

/// Each wave's results and benchmarks as last computed, kept while the wave's `results_version`
/// (read with the wave on every request) is unchanged: a benchmark of 10,000 cities then costs no
/// database work and no sorting. Any submission, reopening, publication or closing changes the
/// version, in every instance of Urbis. After a change to one assessment, the results are brought
/// up to date by reading only the assessments that changed (`Store::wave_results_since`), not all
/// of them; only closing a wave makes it read them all again.
#[derive(Default)]
pub struct ResultsCache {
    results: Shelf<(Uuid, String), Results>,
    benchmarks: Shelf<(Uuid, String, PeerGroup, Basis), Benchmark>,
    /// One computation at a time, so that a burst of requests after a change does the work once.
    loading: tokio::sync::Mutex<()>,
}

/// A wave's results (one instrument), by city name; each city's shared by every version that did
/// not change it.
type Results = Vec<Arc<WaveResult>>;
/// A value as computed at a wave's `results_version`.
type Versioned<T> = (i64, Arc<T>);
/// Values by key, each with the version it was computed at.
type Shelf<K, T> = std::sync::Mutex<HashMap<K, Versioned<T>>>;

fn fresh<K: Eq + std::hash::Hash, T>(
    map: &std::sync::Mutex<HashMap<K, Versioned<T>>>,
    key: &K,
    version: i64,
) -> Option<Arc<T>> {
    match map.lock().unwrap_or_else(|e| e.into_inner()).get(key) {
        Some((v, value)) if *v == version => Some(value.clone()),
        _ => None,
    }
}

fn keep<K: Eq + std::hash::Hash, T>(
    map: &std::sync::Mutex<HashMap<K, Versioned<T>>>,
    key: K,
    version: i64,
    value: Arc<T>,
) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= ResultsCache::MAX_ENTRIES {
        map.clear();
    }
    map.insert(key, (version, value));
}

impl ResultsCache {
    const MAX_ENTRIES: usize = 64;
}

/// The benchmark of an instrument in a wave within a peer group, over the cities of `basis`
/// (take it from [`Basis::of`] for the caller).
pub async fn benchmark(
    state: &App,
    wave: &Wave,
    instrument_slug: &str,
    peers: &PeerGroup,
    basis: Basis,
) -> Result<Arc<Benchmark>> {
    let cache = &state.results;
    let key = (wave.id, instrument_slug.to_string(), *peers, basis);
    if let Some(hit) = fresh(&cache.benchmarks, &key, wave.results_version) {
        return Ok(hit);
    }
    let _one = cache.loading.lock().await;
    if let Some(hit) = fresh(&cache.benchmarks, &key, wave.results_version) {
        return Ok(hit);
    }
    let results_key = (wave.id, instrument_slug.to_string());
    let all = match fresh(&cache.results, &results_key, wave.results_version) {
        Some(all) => all,
        None => {
            let all = Arc::new(current_results(state, wave, instrument_slug, &results_key).await?);
            keep(&cache.results, results_key, wave.results_version, all.clone());
            all
        }
    };
    let members: Option<Vec<usize>> = (!peers.is_everyone()).then(|| {
        all.iter()
            .enumerate()
            .filter(|(_, c)| {
                CountryCode::parse(&c.assessment.organisation_country)
                    .is_ok_and(|cc| peers.admits(&cc, c.assessment.organisation_population))
            })
            .map(|(i, _)| i)
            .collect()
    });
    let instrument = instrument(state, instrument_slug, None).await?.instrument.clone();
    let mut b = Benchmark {
        instrument,
        basis,
        all,
        members,
        n: 0,
        overall: None,
        capabilities: vec![],
        ranks: Ranks::new(&[]),
    };
    let basis_cities: Vec<&WaveResult> = b.cities().filter(|c| basis.takes(c)).collect();
    let overall: Vec<f64> = basis_cities.iter().filter_map(|c| c.results.overall).collect();
    let capabilities = b
        .instrument
        .capabilities
        .iter()
        .map(|c| {
            let vals: Vec<f64> =
                basis_cities.iter().filter_map(|x| x.results.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
            (c.slug.clone(), Distribution::of(&vals))
        })
        .collect();
    b.n = basis_cities.len();
    b.overall = Distribution::of(&overall);
    b.ranks = Ranks::new(&overall);
    b.capabilities = capabilities;
    let b = Arc::new(b);
    keep(&cache.benchmarks, key, wave.results_version, b.clone());
    Ok(b)
}

/// A wave's results (one instrument) as of `wave.results_version`: what the cache holds from an
/// earlier version with the assessments changed since applied, or all of them read again when the
/// cache has none or the wave changed as a whole (it closed).
async fn current_results(state: &App, wave: &Wave, instrument_slug: &str, key: &(Uuid, String)) -> Result<Results> {
    let held = state.results.results.lock().unwrap_or_else(|e| e.into_inner()).get(key).cloned();
    if let Some((since, held)) = held.filter(|(v, _)| *v < wave.results_version)
        && let ResultChanges::Some(changes) = state.store.wave_results_since(wave, instrument_slug, since).await?
    {
        return Ok(apply_changes(&held, changes));
    }
    let mut all: Results = state.store.wave_results(wave, instrument_slug).await?.into_iter().map(Arc::new).collect();
    by_city(&mut all);
    Ok(all)
}

/// By city name (then slug), the same on every database whatever its collation, so results brought
/// up to date piecemeal are in the order of results read whole.
fn by_city(all: &mut Results) {
    all.sort_by(|a, b| {
        (&a.assessment.organisation_name, &a.assessment.organisation_slug)
            .cmp(&(&b.assessment.organisation_name, &b.assessment.organisation_slug))
    });
}

/// `held` with each changed assessment replaced, added or (with no results now) dropped, by city.
fn apply_changes(held: &[Arc<WaveResult>], changes: Vec<(Uuid, Option<WaveResult>)>) -> Results {
    let changed: std::collections::HashSet<Uuid> = changes.iter().map(|(id, _)| *id).collect();
    let mut all: Results = held.iter().filter(|c| !changed.contains(&c.assessment.id)).cloned().collect();
    all.extend(changes.into_iter().filter_map(|(_, now)| now.map(Arc::new)));
    by_city(&mut all);
    all
}

/// The peer group named by `region` and `population_band` query or form values; 422 names a bad one.
pub fn peer_group(q: &HashMap<String, String>) -> Result<PeerGroup> {
    PeerGroup::parse(q.get("region").map(String::as_str), q.get("population_band").map(String::as_str))
        .map_err(AppError::Invalid)
}

impl Benchmark {
    /// The peer group's cities with submitted assessments, by name: in the basis or not (which of
    /// them a caller may see listed is the policy's `ReadAssessment` on each).
    pub fn cities(&self) -> Box<dyn Iterator<Item = &WaveResult> + '_> {
        match &self.members {
            None => Box::new(self.all.iter().map(|c| &**c)),
            Some(m) => Box::new(m.iter().map(|i| &*self.all[*i])),
        }
    }

    /// How many cities the figures are computed over (the peer group's cities in the basis).
    pub fn n(&self) -> usize {
        self.n
    }

    /// A city's percentile rank on the overall score among the basis's cities (a city outside the
    /// basis, such as one's own unpublished city, is ranked as if it joined them).
    pub fn rank(&self, city: &WaveResult) -> Option<f64> {
        let x = city.results.overall?;
        if self.basis.takes(city) { self.ranks.rank(x) } else { Some(self.ranks.rank_joining(x)) }
    }
}

// ---- waves and improvement plans --------------------------------------------------------------

/// Add a wave to a programme (programme staff).
pub async fn create_wave(
    state: &App,
    caller: &Caller,
    programme: &Allowed<Programme>,
    slug: &str,
    name: &str,
    opens_on: &str,
    closes_on: &str,
) -> Result<Wave> {
    programme.check(caller, Action::ManageWaves)?;
    let input = WaveInput::parse(slug, name, opens_on, closes_on)?;
    let actor = caller.person_id()?;
    Ok(state.store.create_wave(actor, programme.id, &input).await?)
}

/// Close a wave, freezing its results as the baseline (programme staff), if it is still at `version`.
pub async fn close_wave(
    state: &App,
    caller: &Caller,
    programme: &Allowed<Programme>,
    wave: &Wave,
    version: i64,
) -> Result<Wave> {
    programme.check(caller, Action::ManageWaves)?;
    if wave.programme_id != programme.id {
        return Err(AppError::NotFound("wave"));
    }
    let actor = caller.person_id()?;
    Ok(state.store.close_wave(actor, wave.id, version).await?)
}

/// A programme's waves, oldest first, for its staff to manage.
pub async fn waves_to_manage(state: &App, caller: &Caller, programme: &Allowed<Programme>) -> Result<Vec<Wave>> {
    programme.check(caller, Action::ManageWaves)?;
    Ok(state.store.waves(programme.id).await?)
}

/// The fields of a plan item as given by a form or a JSON body (all text, checked here).
pub struct PlanFields<'a> {
    pub capability: &'a str,
    pub title: &'a str,
    pub description: &'a str,
    pub owner: &'a str,
    pub due_on: &'a str,
    pub status: &'a str,
}

async fn plan_input(state: &App, f: &PlanFields<'_>) -> Result<PlanItemInput> {
    let inst = &instrument(state, PLAN_INSTRUMENT, None).await?.instrument;
    let caps: Vec<&str> = inst.capabilities.iter().map(|c| c.slug.as_str()).collect();
    Ok(PlanItemInput::parse(&caps, f.capability, f.title, f.description, f.owner, f.due_on, f.status)?)
}

/// The instrument of the programme's diagnostic (city pages, cohort views).
pub const INSTRUMENT: &str = "city-digital-maturity";

/// The instrument whose capabilities a city's improvement plan follows.
pub const PLAN_INSTRUMENT: &str = INSTRUMENT;

/// A city's improvement plan (its team, programme staff, experts and reviewers).
pub async fn plan(state: &App, caller: &Caller, city: &Allowed<Organisation>) -> Result<Vec<PlanItem>> {
    city.check(caller, Action::ReadAssessment)?;
    Ok(state.store.plan_items(city.id).await?)
}

pub async fn create_plan_item(
    state: &App,
    caller: &Caller,
    city: &Allowed<Organisation>,
    fields: &PlanFields<'_>,
) -> Result<PlanItem> {
    city.check(caller, Action::ManagePlan)?;
    let input = plan_input(state, fields).await?;
    let actor = caller.person_id()?;
    Ok(state.store.create_plan_item(actor, city.id, None, &input).await?)
}

/// A plan item with its city, if the caller may do `action` on the city.
pub async fn plan_item_for(
    state: &App,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<(PlanItem, Allowed<Organisation>)> {
    let item = state.store.plan_item(parse_id("plan item", id)?).await.map_err(AppError::or_not_found("plan item"))?;
    let city = state.store.organisation_by_id(item.organisation_id).await?;
    let resource = org_resource(state, &city).await?;
    Ok((item, Allowed::new(caller, action, city, resource)?))
}

pub async fn update_plan_item(
    state: &App,
    caller: &Caller,
    item: &PlanItem,
    city: &Allowed<Organisation>,
    version: i64,
    fields: &PlanFields<'_>,
) -> Result<PlanItem> {
    city.check(caller, Action::ManagePlan)?;
    if item.organisation_id != city.id {
        return Err(AppError::NotFound("plan item"));
    }
    let input = plan_input(state, fields).await?;
    let actor = caller.person_id()?;
    Ok(state.store.update_plan_item(actor, item.id, version, &input).await?)
}

/// Publish or withdraw an assessment's scores (its city's lead or programme staff), if it is still at
/// `version`.
pub async fn publish(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    version: i64,
    published: bool,
) -> Result<Assessment> {
    loaded.check(caller, Action::PublishAssessment)?;
    let actor = caller.person_id()?;
    Ok(state.store.set_published(actor, loaded.assessment.id, version, published).await?)
}

/// Validate one capability of a submitted assessment (the programme's experts and staff): a score
/// from 0 to 100, a confidence (high, medium, low) and a comment.
pub async fn validate(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    capability: &str,
    score: f64,
    confidence: &str,
    comment: &str,
) -> Result<Validation> {
    loaded.check(caller, Action::ValidateAssessment)?;
    let actor = caller.person_id()?;
    let inst = instrument_of(state, &loaded.assessment).await?;
    let mut errors = Invalid::default();
    if !inst.capabilities.iter().any(|c| c.slug == capability) {
        errors.0.push(FieldError::new("capability", "unknown-capability", "not a capability of this instrument"));
    }
    if !(0.0..=100.0).contains(&score) || !score.is_finite() {
        errors.0.push(FieldError::new("score", "out-of-range", "must be a number from 0 to 100"));
    }
    let confidence = errors.take("confidence", Confidence::parse(confidence));
    let comment = errors.take("comment", urbis_domain::network::required_text("comment", comment, 2000));
    errors.into_result()?;
    let (Some(confidence), Some(comment)) = (confidence, comment) else {
        return Err(AppError::Internal("validation checked without errors but incomplete".into()));
    };
    Ok(state.store.validate(actor, loaded.assessment.id, capability, score, confidence, &comment).await?)
}

/// The validations of an assessment's capabilities so far, to review them (the programme's experts
/// and staff).
pub async fn validations_to_review(state: &App, caller: &Caller, loaded: &Loaded) -> Result<Vec<Validation>> {
    loaded.check(caller, Action::ValidateAssessment)?;
    Ok(state.store.validations(loaded.assessment.id).await?)
}

/// What the city's lead consolidates: every respondent's answers and the values set so far.
pub async fn consolidation(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
) -> Result<(Vec<StoredAnswer>, Vec<Override>)> {
    loaded.check(caller, Action::SubmitAssessment)?;
    let id = loaded.assessment.id;
    Ok((state.store.answers(id).await?, state.store.overrides(id).await?))
}

/// Set (or with `None`, remove) the city's consolidated value of a scored question in a draft (its
/// lead or programme staff): `Some((Some(v), reason))` a value from 0 to 100, `Some((None, reason))`
/// "not applicable". The respondents' answers and their spread stay as they are. Returns the value
/// now set (`None` once removed).
pub async fn set_override(
    state: &App,
    caller: &Caller,
    loaded: &Loaded,
    question_id: &str,
    change: Option<(Option<f64>, &str)>,
) -> Result<Option<Override>> {
    loaded.check(caller, Action::SubmitAssessment)?;
    let inst = instrument_of(state, &loaded.assessment).await?;
    let mut errors = Invalid::default();
    if inst.question(question_id).is_none() {
        errors.0.push(FieldError::new("question_id", "unknown-question", "not a scored question of this instrument"));
    }
    let change = match change {
        None => None,
        Some((value, reason)) => {
            if value.is_some_and(|v| !(0.0..=100.0).contains(&v) || !v.is_finite()) {
                errors.0.push(FieldError::new("value", "out-of-range", "must be a number from 0 to 100"));
            }
            errors.take("reason", urbis_domain::network::required_text("reason", reason, 1000)).map(|r| (value, r))
        }
    };
    errors.into_result()?;
    let actor = caller.person_id()?;
    Ok(state.store.set_override(actor, loaded.assessment.id, question_id, change).await?)
}
