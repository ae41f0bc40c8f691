//! The `diagnostic` capability's operations shared by pages and API: authorise with the policy,
//! check answers against the instrument, score with the domain formulas, call the store.

pub mod pulse;

use crate::AppState;
use crate::auth::Caller;
use crate::error::Problem;
use crate::network::{org_resource, require};
use axum::http::StatusCode;
use std::collections::HashMap;
use urbis_domain::diagnostic::{
    Answer, Distribution, Instrument, Ranks, Scores, check_context, normalise, required_questions, score_respondents,
};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{Assessment, AssessmentStatus, NewAnswer, StoredAnswer, StoredInstrument, Wave};
use urbis_store::network::{Organisation, Programme};
use uuid::Uuid;

pub async fn instrument(state: &AppState, slug: &str, version: Option<u32>) -> Result<StoredInstrument, Problem> {
    match state.store.instrument(slug, version).await {
        Err(urbis_store::StoreError::NotFound) => Err(Problem::not_found("instrument")),
        other => Ok(other?),
    }
}

pub async fn wave(state: &AppState, programme: &Programme, slug: &str) -> Result<Wave, Problem> {
    match state.store.wave(programme.id, slug).await {
        Err(urbis_store::StoreError::NotFound) => Err(Problem::not_found("wave")),
        other => Ok(other?),
    }
}

/// The instrument version an assessment was made with (it keeps it, even after newer versions).
pub async fn instrument_of(state: &AppState, a: &Assessment) -> Result<Instrument, Problem> {
    Ok(instrument(state, &a.instrument_slug, Some(a.instrument_version)).await?.instrument)
}

/// An assessment with its city and the policy's view of the city.
pub struct Loaded {
    pub assessment: Assessment,
    pub city: Organisation,
    pub resource: Resource,
}

pub async fn load(state: &AppState, id: &str) -> Result<Loaded, Problem> {
    let id = Uuid::parse_str(id).map_err(|_| Problem::not_found("assessment"))?;
    let assessment = match state.store.assessment(id).await {
        Err(urbis_store::StoreError::NotFound) => return Err(Problem::not_found("assessment")),
        other => other?,
    };
    let city = state.store.organisation_by_id(assessment.organisation_id).await?;
    let resource = org_resource(state, &city).await?;
    Ok(Loaded { assessment, city, resource })
}

/// May the caller see this assessment? Published ones are public.
pub fn require_read(caller: &Caller, loaded: &Loaded) -> Result<(), Problem> {
    if loaded.assessment.published {
        return Ok(());
    }
    require(caller, Action::ReadAssessment, &loaded.resource)
}

/// Start an assessment of a city in a wave of one of its programmes.
pub async fn create(
    state: &AppState,
    caller: &Caller,
    city: &Organisation,
    programme: &Programme,
    wave_slug: &str,
    instrument_slug: &str,
) -> Result<Assessment, Problem> {
    require(caller, Action::CreateAssessment, &org_resource(state, city).await?)?;
    let inst = instrument(state, instrument_slug, None).await.map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "instrument",
            "unknown-instrument",
            "no instrument with this slug",
        )
    })?;
    let w = wave(state, programme, wave_slug).await.map_err(|_| {
        Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "wave",
            "unknown-wave",
            "no wave with this slug in the programme",
        )
    })?;
    if w.closed_at.is_some() {
        return Err(Problem::field(StatusCode::CONFLICT, "wave", "wave-closed", "this wave is closed"));
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
) -> Result<NewAnswer, Problem> {
    let unprocessable =
        |e: urbis_domain::FieldError| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, &e.field, e.code, &e.message);
    let normalised = if let Some(q) = inst.question(question_id) {
        normalise(q, &answer).map_err(unprocessable)?
    } else if let Some(q) = inst.context_question(question_id) {
        check_context(q, &answer).map_err(unprocessable)?;
        None
    } else {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "question_id",
            "unknown-question",
            &format!("{question_id:?} is not a question of {} v{}", inst.slug, inst.version),
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
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    answers: &[NewAnswer],
) -> Result<Vec<StoredAnswer>, Problem> {
    require(caller, Action::AnswerAssessment, &loaded.resource)?;
    let respondent = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    Ok(state.store.put_answers(respondent, loaded.assessment.id, answers).await?)
}

/// Record the caller's answer to one question, checked against the instrument.
pub async fn answer(
    state: &AppState,
    caller: &Caller,
    loaded: &Loaded,
    question_id: &str,
    answer: Answer,
    evidence: &str,
    comment: &str,
) -> Result<StoredAnswer, Problem> {
    let inst = instrument_of(state, &loaded.assessment).await?;
    let checked = check_answer(&inst, question_id, answer, evidence, comment)?;
    let mut saved = save_answers(state, caller, loaded, std::slice::from_ref(&checked)).await?;
    saved.pop().ok_or_else(Problem::internal)
}

/// Submit: refused (409) with every required question nobody has answered.
pub async fn submit(state: &AppState, caller: &Caller, loaded: &Loaded) -> Result<Assessment, Problem> {
    require(caller, Action::SubmitAssessment, &loaded.resource)?;
    let actor = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    let a = &loaded.assessment;
    let inst = instrument_of(state, a).await?;
    let mut required = required_questions(&inst);
    required.extend(inst.context.iter().filter(|c| c.required).map(|c| c.id.clone()));
    Ok(state.store.submit_assessment(actor, a.id, &required).await?)
}

pub async fn reopen(state: &AppState, caller: &Caller, loaded: &Loaded, reason: &str) -> Result<Assessment, Problem> {
    require(caller, Action::ReopenAssessment, &loaded.resource)?;
    let actor = caller.actor.person.ok_or_else(Problem::unauthorized)?;
    let reason = urbis_domain::network::required_text("reason", reason, 500)
        .map_err(|e| Problem::field(StatusCode::UNPROCESSABLE_ENTITY, "reason", e.code, &e.message))?;
    Ok(state.store.reopen_assessment(actor, loaded.assessment.id, &reason).await?)
}

/// Respondents' normalised values of scored questions: one map per respondent.
pub fn by_respondent(inst: &Instrument, answers: &[StoredAnswer]) -> Vec<HashMap<String, Option<f64>>> {
    let mut map: HashMap<Uuid, HashMap<String, Option<f64>>> = HashMap::new();
    for a in answers {
        if inst.question(&a.question_id).is_some() {
            map.entry(a.respondent_id).or_default().insert(a.question_id.clone(), a.normalised);
        }
    }
    let mut v: Vec<_> = map.into_iter().collect();
    v.sort_by_key(|(id, _)| *id);
    v.into_iter().map(|(_, m)| m).collect()
}

/// The scores of an assessment from its answers and the lead's overrides.
pub async fn scores(state: &AppState, a: &Assessment) -> Result<(Instrument, Vec<StoredAnswer>, Scores), Problem> {
    let inst = instrument_of(state, a).await?;
    let answers = state.store.answers(a.id).await?;
    let overrides: HashMap<String, Option<f64>> =
        state.store.overrides(a.id).await?.into_iter().map(|o| (o.question_id, o.normalised)).collect();
    let s = score_respondents(&inst, &by_respondent(&inst, &answers), &overrides);
    Ok((inst, answers, s))
}

/// One city's line in a benchmark.
pub struct CityScores {
    pub assessment: Assessment,
    pub scores: Scores,
}

/// The benchmark of a wave: every submitted assessment scored, and the distribution per capability
/// and overall.
pub struct Benchmark {
    pub instrument: Instrument,
    pub cities: Vec<CityScores>,
    pub overall: Option<Distribution>,
    pub capabilities: Vec<(String, Option<Distribution>)>,
}

/// Cohort figures are shown to cities only from this many assessments on.
pub const MIN_COHORT: usize = 5;

pub async fn benchmark(state: &AppState, wave: &Wave, instrument_slug: &str) -> Result<Benchmark, Problem> {
    let stored = instrument(state, instrument_slug, None).await?;
    let assessments: Vec<Assessment> = state
        .store
        .wave_assessments(wave.id, instrument_slug)
        .await?
        .into_iter()
        .filter(|a| a.status == AssessmentStatus::Submitted)
        .collect();
    let mut answers = state.store.wave_answers(wave.id, instrument_slug).await?;
    let mut overrides = state.store.wave_overrides(wave.id, instrument_slug).await?;
    let mut cities = Vec::with_capacity(assessments.len());
    for a in assessments {
        let inst = if a.instrument_version == stored.instrument.version {
            stored.instrument.clone()
        } else {
            instrument(state, instrument_slug, Some(a.instrument_version)).await?.instrument
        };
        let ans = answers.remove(&a.id).unwrap_or_default();
        let s = score_respondents(&inst, &by_respondent(&inst, &ans), &overrides.remove(&a.id).unwrap_or_default());
        cities.push(CityScores { assessment: a, scores: s });
    }
    let overall_values: Vec<f64> = cities.iter().filter_map(|c| c.scores.overall).collect();
    let capabilities = stored
        .instrument
        .capabilities
        .iter()
        .map(|c| {
            let vals: Vec<f64> =
                cities.iter().filter_map(|x| x.scores.capabilities.get(&c.slug).and_then(|r| r.score)).collect();
            (c.slug.clone(), Distribution::of(&vals))
        })
        .collect();
    Ok(Benchmark { overall: Distribution::of(&overall_values), instrument: stored.instrument, cities, capabilities })
}

impl Benchmark {
    /// Percentile ranks on the overall score, built once for the whole cohort.
    pub fn overall_ranks(&self) -> Ranks {
        Ranks::new(&self.cities.iter().filter_map(|c| c.scores.overall).collect::<Vec<_>>())
    }
}
