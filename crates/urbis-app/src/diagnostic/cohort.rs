//! A wave's benchmark as one caller may see it: the cohort's figures over the cities the policy
//! lets the caller have figures over (`Basis`: the published ones, or every submitted one for
//! those who read every city's assessment), when the policy allows them (`ReadBenchmark`: from
//! `MIN_COHORT` such cities on), and the cities the caller may see listed (published ones, their
//! own, and every city for those who may read them). The API and the cohort page both read it
//! from here.

use super::{Basis, Benchmark, benchmark, wave};
use crate::network::programme;
use crate::{App, AppError, Caller, Result};
use std::sync::Arc;
use urbis_domain::diagnostic::PeerGroup;
use urbis_domain::policy::{Action, Resource};
use urbis_store::diagnostic::{Wave, WaveResult};
use urbis_store::network::Programme;

pub struct Cohort {
    pub programme: Programme,
    /// The programme's waves, oldest first.
    pub waves: Vec<Wave>,
    pub wave: Wave,
    pub peers: PeerGroup,
    pub benchmark: Arc<Benchmark>,
    /// May the cohort's figures (distributions, ranks) be shown to the caller?
    pub cohort_shown: bool,
    /// Which of `benchmark.cities()` the caller may see listed.
    listed: Vec<bool>,
}

impl Cohort {
    /// The cities the caller may see, with their results, by name.
    pub fn listed(&self) -> impl Iterator<Item = &WaveResult> {
        self.benchmark.cities().zip(&self.listed).filter(|(_, shown)| **shown).map(|(c, _)| c)
    }
}

/// May the caller see the cohort figures of this benchmark of `programme`?
pub fn figures_shown(caller: &Caller, programme: &Programme, b: &Benchmark) -> bool {
    let unpublished = b.basis == Basis::Submitted;
    caller.can(Action::ReadBenchmark, &Resource::Benchmark { programme: programme.id, n: b.n(), unpublished })
}

/// The benchmark of `instrument` in a programme's wave (the newest when `wave` is `None`) within a
/// peer group.
pub async fn cohort(
    app: &App,
    caller: &Caller,
    programme_slug: &str,
    instrument: &str,
    wave_slug: Option<&str>,
    peers: PeerGroup,
) -> Result<Cohort> {
    let programme = programme(app, programme_slug).await?;
    let waves = app.store.waves(programme.id).await?;
    let wave = match wave_slug {
        Some(w) => wave(app, &programme, w).await?,
        None => waves.last().cloned().ok_or(AppError::NotFound("wave"))?,
    };
    let benchmark = benchmark(app, &wave, instrument, &peers, Basis::of(caller, programme.id)).await?;
    let cohort_shown = figures_shown(caller, &programme, &benchmark);
    let listed = benchmark
        .cities()
        .map(|c| {
            let record = Resource::CityRecord {
                organisation: c.assessment.organisation_id,
                programmes: vec![programme.id],
                published: c.assessment.published,
            };
            caller.can(Action::ReadAssessment, &record)
        })
        .collect();
    Ok(Cohort { programme, waves, wave, peers, benchmark, cohort_shown, listed })
}
