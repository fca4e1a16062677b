//! Days counted per value, so a median or 80th percentile can be taken from rolled-up
//! counts exactly, without the individual durations.

/// How many clients waited each number of days: dense by day, so merging the histograms
/// of hundreds of groups and months is a run of additions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram(Vec<u64>);

impl Histogram {
    /// Adds `count` durations of `days` (negative days count as 0).
    pub fn add(&mut self, days: i64, count: u64) {
        if count == 0 {
            return;
        }
        let at = usize::try_from(days.max(0))
            .unwrap_or(usize::MAX)
            .min(100_000);
        if self.0.len() <= at {
            self.0.resize(at + 1, 0);
        }
        self.0[at] += count;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if self.0.len() < other.0.len() {
            self.0.resize(other.0.len(), 0);
        }
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            *mine += theirs;
        }
    }

    pub fn count(&self) -> u64 {
        self.0.iter().sum()
    }

    fn entries(&self) -> impl Iterator<Item = (i64, u64)> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(d, c)| (i64::try_from(d).unwrap_or(i64::MAX), *c))
    }

    pub fn mean(&self) -> Option<f64> {
        let n = self.count();
        let sum: f64 = self.entries().map(|(d, c)| d as f64 * c as f64).sum();
        (n > 0).then(|| sum / n as f64)
    }

    /// The value at 0-based rank `rank` of the sorted durations.
    fn at_rank(&self, rank: u64) -> i64 {
        let mut seen = 0;
        let mut last = 0;
        for (days, count) in self.entries() {
            seen += count;
            last = days;
            if rank < seen {
                return days;
            }
        }
        last
    }

    /// The `q`-quantile, interpolated between the closest ranks as the catalog's waiting
    /// times are (type 7, PostgreSQL's `percentile_cont`).
    pub fn quantile(&self, q: f64) -> Option<f64> {
        let n = self.count();
        if n == 0 {
            return None;
        }
        let position = q * (n - 1) as f64;
        let below = position.floor() as u64;
        let above = position.ceil() as u64;
        let low = self.at_rank(below) as f64;
        let high = self.at_rank(above) as f64;
        Some(low + (high - low) * (position - below as f64))
    }

    /// The share of durations at most `norm` days.
    pub fn within(&self, norm: i64) -> Option<f64> {
        let n = self.count();
        let within: u64 = self
            .entries()
            .filter(|(d, _)| *d <= norm)
            .map(|(_, c)| c)
            .sum();
        (n > 0).then(|| within as f64 / n as f64)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn type7(sorted: &[i64], q: f64) -> f64 {
        let position = q * (sorted.len() - 1) as f64;
        let (below, above) = (position.floor() as usize, position.ceil() as usize);
        sorted[below] as f64 + (sorted[above] - sorted[below]) as f64 * (position - below as f64)
    }

    #[test]
    fn median_and_p80_of_five_waits() {
        let mut h = Histogram::default();
        for d in [3, 4, 5, 6, 10] {
            h.add(d, 1);
        }
        assert_eq!(h.quantile(0.5), Some(5.0));
        let p80 = h.quantile(0.8).expect("p80");
        assert!((p80 - 6.8).abs() < 1e-9);
        assert_eq!(h.mean(), Some(5.6));
        assert_eq!(h.within(5), Some(0.6));
    }

    proptest! {
        #[test]
        fn quantiles_equal_those_of_the_expanded_list(
            days in prop::collection::vec(0i64..200, 1..60),
            q in 0.0f64..=1.0
        ) {
            let mut h = Histogram::default();
            for d in &days {
                h.add(*d, 1);
            }
            let mut sorted = days.clone();
            sorted.sort_unstable();
            let got = h.quantile(q).expect("non-empty");
            prop_assert!((got - type7(&sorted, q)).abs() < 1e-9);
        }
    }
}
