//! A city's diagnostic as one caller may see it: which assessments are visible (published ones to
//! everyone, all to those who may read the city's assessments), the one shown, its scores against
//! the cohort (when the policy lets the cohort figures be shown), its progress over waves, its
//! plan, and what the caller may do next. The pages only lay this out.

use super::{Basis, Benchmark, INSTRUMENT, benchmark, instrument_in, scores};
use crate::diagnostic::cohort::figures_shown;
use crate::network::{city_for, first_programme};
use crate::{App, AppError, Caller, Result};
use std::sync::Arc;
use urbis_domain::diagnostic::{PeerGroup, Scores};
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{Assessment, AssessmentStatus, PlanItem, Results, StoredInstrument, Validation, Wave};
use urbis_store::network::{Organisation, Programme};

/// The assessment shown on a city's page, with everything about it.
pub struct Shown {
    pub assessment: Assessment,
    pub wave: Wave,
    pub scores: Scores,
    pub validations: Vec<Validation>,
    /// The wave's benchmark over the whole cohort, on the caller's basis.
    pub benchmark: Arc<Benchmark>,
    /// May the cohort's figures be shown beside the city's (the policy's small-cohort rule)?
    pub cohort_shown: bool,
    pub can_publish: bool,
    pub can_validate: bool,
    pub can_reopen: bool,
}

/// A city's diagnostic page.
pub struct CityDiagnostic {
    pub city: Organisation,
    pub programme: Programme,
    /// The instrument in the caller's language.
    pub instrument: Arc<StoredInstrument>,
    /// Assessments the caller can open in the questionnaire: (wave name, assessment).
    pub open: Vec<(String, Assessment)>,
    /// Waves in which the caller may start an assessment.
    pub startable: Vec<Wave>,
    /// The improvement plan, for those who may read the city's assessments.
    pub plan: Option<Vec<PlanItem>>,
    pub can_plan: bool,
    /// The latest submitted visible assessment (else the latest visible one), if any.
    pub shown: Option<Shown>,
    /// Each wave with a visible submitted assessment: its name and results (frozen once closed).
    pub progress: Vec<(String, Results)>,
}

/// A city's diagnostic in its (first) programme, as `caller` may see it, in `lang`.
pub async fn city_diagnostic(app: &App, caller: &Caller, slug: &str, lang: &'static str) -> Result<CityDiagnostic> {
    let city = city_for(app, caller, slug, Action::Read).await?;
    let programme = first_programme(app, city.id).await?;
    let instrument = instrument_in(app, INSTRUMENT, None, lang).await?;
    let can_read = caller.can(Action::ReadAssessment, &city.resource);
    let waves = app.store.waves(programme.id).await?;
    let all = app.store.organisation_assessments(city.id, INSTRUMENT).await?;
    let wave_name = |a: &Assessment| waves.iter().find(|w| w.id == a.wave_id).map(|w| w.name.clone());
    let open =
        if can_read { all.iter().map(|a| (wave_name(a).unwrap_or_default(), a.clone())).collect() } else { vec![] };
    let startable = if caller.can(Action::CreateAssessment, &city.resource) {
        waves.iter().filter(|w| w.closed_at.is_none() && !all.iter().any(|a| a.wave_id == w.id)).cloned().collect()
    } else {
        vec![]
    };
    let plan = if can_read { Some(app.store.plan_items(city.id).await?) } else { None };
    let visible = |a: &Assessment| caller.can(Action::ReadAssessment, &record(&city.resource, a.published));
    let latest = {
        let v: Vec<&Assessment> = all.iter().filter(|a| visible(a)).collect();
        v.iter().rev().find(|a| a.status == AssessmentStatus::Submitted).or(v.last()).map(|a| (*a).clone())
    };
    let progress = app
        .store
        .organisation_results(city.id, INSTRUMENT)
        .await?
        .into_iter()
        .filter(|r| visible(&r.assessment))
        .map(|r| (r.assessment.wave_name, r.results))
        .collect();
    let shown = match latest {
        Some(a) => Some(shown(app, caller, &city.resource, &programme, &waves, a).await?),
        None => None,
    };
    let can_plan = caller.can(Action::ManagePlan, &city.resource);
    Ok(CityDiagnostic { city: city.item, programme, instrument, open, startable, plan, can_plan, shown, progress })
}

/// The policy's view of one of the city's assessments.
fn record(city: &Resource, published: bool) -> Resource {
    match city {
        Resource::Organisation { id, programmes } => {
            Resource::CityRecord { organisation: *id, programmes: programmes.clone(), published }
        }
        other => other.clone(),
    }
}

async fn shown(
    app: &App,
    caller: &Caller,
    city: &Resource,
    programme: &Programme,
    waves: &[Wave],
    assessment: Assessment,
) -> Result<Shown> {
    let (_, _, mut scores) = scores(app, &assessment).await?;
    if !caller.can(Action::ReadAnswers, city) {
        super::without_spread(&mut scores);
    }
    let validations = app.store.validations(assessment.id).await?;
    let wave = waves.iter().find(|w| w.id == assessment.wave_id).cloned().ok_or(AppError::NotFound("wave"))?;
    let benchmark = benchmark(app, &wave, INSTRUMENT, &PeerGroup::default(), Basis::of(caller, programme.id)).await?;
    let cohort_shown = figures_shown(caller, programme, &benchmark);
    let submitted = assessment.status == AssessmentStatus::Submitted;
    let may = |action| submitted && caller.can(action, city);
    Ok(Shown {
        can_publish: may(Action::PublishAssessment),
        can_validate: may(Action::ValidateAssessment),
        can_reopen: may(Action::ReopenAssessment),
        assessment,
        wave,
        scores,
        validations,
        benchmark,
        cohort_shown,
    })
}
