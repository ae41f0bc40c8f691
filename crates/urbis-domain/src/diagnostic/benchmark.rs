//! Benchmarks: the distribution of a score across a cohort, and a city's percentile rank in it.
//! See `docs/diagnostic.md`.

use crate::error::Invalid;
use crate::network::{CountryCode, PopulationBand, Region};
use serde::Serialize;

const EPS: f64 = 1e-9;

/// n, minimum, quartiles (linear interpolation between closest ranks), median and maximum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Distribution {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// The p-quantile (0 ≤ p ≤ 1) of sorted values by linear interpolation between closest ranks:
/// h = (n − 1) p; the value is x⌊h⌋ + (h − ⌊h⌋)(x⌊h⌋+1 − x⌊h⌋), ranks counted from 0.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

impl Distribution {
    pub fn of(values: &[f64]) -> Option<Distribution> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Some(Distribution {
            n: v.len(),
            min: v[0],
            q1: quantile(&v, 0.25),
            median: quantile(&v, 0.5),
            q3: quantile(&v, 0.75),
            max: v[v.len() - 1],
        })
    }
}

/// Percentile rank of `x` among `values` (which include x itself):
/// 100 × (number below x + half the number equal to x) / n.
pub fn percentile_rank(values: &[f64], x: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let below = values.iter().filter(|v| **v < x - EPS).count() as f64;
    let equal = values.iter().filter(|v| (**v - x).abs() <= EPS).count() as f64;
    Some(100.0 * (below + equal / 2.0) / values.len() as f64)
}

/// Percentile ranks against one set of values, answered in O(log n) each (for whole cohorts).
#[derive(Debug, Clone)]
pub struct Ranks {
    sorted: Vec<f64>,
}

impl Ranks {
    pub fn new(values: &[f64]) -> Ranks {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Ranks { sorted }
    }

    /// The same figure as [`percentile_rank`], by binary search.
    pub fn rank(&self, x: f64) -> Option<f64> {
        if self.sorted.is_empty() {
            return None;
        }
        let below = self.sorted.partition_point(|v| *v < x - EPS);
        let up_to = self.sorted.partition_point(|v| *v <= x + EPS);
        Some(100.0 * (below as f64 + (up_to - below) as f64 / 2.0) / self.sorted.len() as f64)
    }

    /// The percentile rank of `x` among the values with `x` added to them: the rank of a city that
    /// the values leave out (a city that has not published, seen by its own team against the
    /// published ones).
    pub fn rank_joining(&self, x: f64) -> f64 {
        let below = self.sorted.partition_point(|v| *v < x - EPS);
        let up_to = self.sorted.partition_point(|v| *v <= x + EPS);
        100.0 * (below as f64 + (up_to - below + 1) as f64 / 2.0) / (self.sorted.len() + 1) as f64
    }
}

/// A peer group: the cities a benchmark compares, filtered by region and by population band.
/// No filter means the whole cohort.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
pub struct PeerGroup {
    pub region: Option<Region>,
    pub population_band: Option<PopulationBand>,
}

impl PeerGroup {
    /// From query or form values; empty values mean "any".
    pub fn parse(region: Option<&str>, population_band: Option<&str>) -> Result<PeerGroup, Invalid> {
        let mut errors = Invalid::default();
        let region = region.filter(|r| !r.trim().is_empty()).and_then(|r| errors.take("region", Region::parse(r)));
        let population_band = population_band
            .filter(|b| !b.trim().is_empty())
            .and_then(|b| errors.take("population_band", PopulationBand::parse(b)));
        errors.into_result()?;
        Ok(PeerGroup { region, population_band })
    }

    pub fn is_everyone(&self) -> bool {
        self.region.is_none() && self.population_band.is_none()
    }

    /// Does a city with this country and population belong to the group? A city without a known
    /// population belongs to no population band.
    pub fn admits(&self, country: &CountryCode, population: Option<u64>) -> bool {
        self.region.is_none_or(|r| Region::of(country) == r)
            && self.population_band.is_none_or(|b| population.map(PopulationBand::of) == Some(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_groups_filter_by_region_and_population() {
        let lv = CountryCode::parse("LV").unwrap();
        let de = CountryCode::parse("DE").unwrap();
        let all = PeerGroup::parse(Some(""), None).unwrap();
        assert!(all.is_everyone() && all.admits(&lv, None));
        let north_small = PeerGroup::parse(Some("northern-europe"), Some("500k-1m")).unwrap();
        assert!(north_small.admits(&lv, Some(606_000)));
        assert!(!north_small.admits(&lv, Some(1_606_000)));
        assert!(!north_small.admits(&lv, None));
        assert!(!north_small.admits(&de, Some(606_000)));
        let e = PeerGroup::parse(Some("mars"), Some("tiny")).unwrap_err();
        assert_eq!(e.0.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(), ["region", "population_band"]);
    }

    #[test]
    fn ranks_agree_with_the_definition() {
        let values = [10.0, 20.0, 30.0, 30.0, 50.0, 50.0, 50.0, 75.5, 0.0];
        let r = Ranks::new(&values);
        for x in values.iter().chain([5.0, 30.0000000001, 100.0].iter()) {
            assert_eq!(r.rank(*x), percentile_rank(&values, *x), "{x}");
        }
        assert_eq!(Ranks::new(&[]).rank(1.0), None);
        for x in [0.0, 30.0, 49.0, 100.0] {
            let mut with_x = values.to_vec();
            with_x.push(x);
            assert_eq!(Some(r.rank_joining(x)), percentile_rank(&with_x, x), "{x}");
        }
        assert_eq!(Ranks::new(&[]).rank_joining(7.0), 50.0);
    }
}
