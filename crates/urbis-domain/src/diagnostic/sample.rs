//! Plausible synthetic answers for sample and scale data (`--demo`, `urbis demo generate`).
//! Deterministic: the same seed gives the same answers, so sample data is stable across runs.

use super::instrument::{Instrument, QuestionKind};
use super::scoring::{Answer, Choice};

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// Seed from a text, e.g. a city slug and a wave.
    pub fn from_text(text: &str) -> Rng {
        // FNV-1a, then mixed by the first draw.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
        Rng(h)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e3779b97f4a7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58476d1ce4e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d049bb133111eb);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }
}

/// A city's maturity per capability on the 1–5 scale, for one wave.
pub fn maturity(inst: &Instrument, city_seed: &str, wave_index: usize) -> Vec<f64> {
    let mut base = Rng::from_text(city_seed);
    let overall = base.range(1.4, 3.4);
    inst.capabilities
        .iter()
        .map(|_| {
            let own = (overall + base.range(-0.7, 0.7)).clamp(1.0, 4.6);
            let mut gain = 0.0;
            for _ in 0..wave_index {
                gain += base.range(0.2, 1.1);
            }
            (own + gain).clamp(1.0, 5.0)
        })
        .collect()
}

/// Answers for every scored question given per-capability maturity (same order as the instrument's
/// capabilities), with answer-level noise from `rng`.
pub fn answers(inst: &Instrument, maturity: &[f64], rng: &mut Rng) -> Vec<(String, Answer)> {
    inst.questions
        .iter()
        .map(|q| {
            let ci = inst.capabilities.iter().position(|c| c.slug == q.capability).unwrap_or(0);
            let m = maturity.get(ci).copied().unwrap_or(2.5) + rng.range(-0.9, 0.9);
            let a = match q.kind {
                QuestionKind::Level => Answer::Level(m.round().clamp(1.0, 5.0) as u8),
                QuestionKind::Choice => Answer::Choice(if m >= 3.6 {
                    Choice::Yes
                } else if m >= 2.3 {
                    Choice::Partial
                } else {
                    Choice::No
                }),
                QuestionKind::Checklist => {
                    let n = ((m - 1.0) / 4.0 * q.items.len() as f64).round().clamp(0.0, q.items.len() as f64) as usize;
                    Answer::Ticked(q.items.iter().take(n).map(|i| i.id.clone()).collect())
                }
            };
            (q.id.clone(), a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_in_range() {
        let mut a = Rng::from_text("riga/t0");
        let mut b = Rng::from_text("riga/t0");
        for _ in 0..100 {
            let x = a.unit();
            assert_eq!(x, b.unit());
            assert!((0.0..1.0).contains(&x));
        }
        assert_ne!(Rng::from_text("riga").next_u64(), Rng::from_text("rome").next_u64());
    }
}
