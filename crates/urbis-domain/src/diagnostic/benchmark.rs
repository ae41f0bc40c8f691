//! Benchmarks: the distribution of a score across a cohort, and a city's percentile rank in it.
//! See `docs/diagnostic.md`.

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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_agree_with_the_definition() {
        let values = [10.0, 20.0, 30.0, 30.0, 50.0, 50.0, 50.0, 75.5, 0.0];
        let r = Ranks::new(&values);
        for x in values.iter().chain([5.0, 30.0000000001, 100.0].iter()) {
            assert_eq!(r.rank(*x), percentile_rank(&values, *x), "{x}");
        }
        assert_eq!(Ranks::new(&[]).rank(1.0), None);
    }
}
