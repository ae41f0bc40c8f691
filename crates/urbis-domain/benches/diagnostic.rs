//! Scoring and benchmark at scale: 10,000 cities × 3 waves with the shipped instrument.
//! Run: `cargo bench -p urbis-domain --bench diagnostic`. Reports figures; never fails on timing.

use criterion::{Criterion, criterion_group, criterion_main};
use std::collections::HashMap;
use std::hint::black_box;
use urbis_domain::diagnostic::{Distribution, Instrument, Ranks, normalise, sample, score_respondents};

const CITIES: usize = 10_000;
const WAVES: usize = 3;

fn instrument() -> Instrument {
    toml::from_str(include_str!("../../../data/instruments/city-digital-maturity/v1.toml")).expect("instrument")
}

/// Normalised answers of one respondent per city and wave.
fn cohort(inst: &Instrument) -> Vec<Vec<HashMap<String, Option<f64>>>> {
    (0..WAVES)
        .map(|w| {
            (0..CITIES)
                .map(|c| {
                    let m = sample::maturity(inst, &format!("city-{c}"), w);
                    let mut rng = sample::Rng::from_text(&format!("city-{c}/{w}"));
                    sample::answers(inst, &m, &mut rng)
                        .into_iter()
                        .map(|(q, a)| {
                            let v = normalise(inst.question(&q).unwrap(), &a).unwrap();
                            (q, v)
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let inst = instrument();
    let data = cohort(&inst);
    let none = HashMap::new();
    let mut g = c.benchmark_group("diagnostic");
    g.sample_size(10);
    g.bench_function("score 10,000 cities × 3 waves", |b| {
        b.iter(|| {
            for wave in &data {
                for city in wave {
                    black_box(score_respondents(&inst, std::slice::from_ref(city), &none));
                }
            }
        })
    });
    let scores: Vec<Vec<_>> = data
        .iter()
        .map(|w| w.iter().map(|c| score_respondents(&inst, std::slice::from_ref(c), &none)).collect())
        .collect();
    g.bench_function("benchmark 10,000 cities × 3 waves (distributions + every rank)", |b| {
        b.iter(|| {
            for wave in &scores {
                for cap in &inst.capabilities {
                    let vals: Vec<f64> = wave.iter().filter_map(|s| s.capabilities[&cap.slug].score).collect();
                    black_box(Distribution::of(&vals));
                }
                let overall: Vec<f64> = wave.iter().filter_map(|s| s.overall).collect();
                black_box(Distribution::of(&overall));
                let ranks = Ranks::new(&overall);
                for x in &overall {
                    black_box(ranks.rank(*x));
                }
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
