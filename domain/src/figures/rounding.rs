//! Protecting the published figures as a whole: unbiased random rounding to base 5 of
//! every finest cell, with a keyed draw per cell, and every published count a sum of
//! rounded finest cells.
//!
//! A finest cell is one month, municipality, provider, kind, service, figure and detail.
//! Its count is rounded down or up to a multiple of 5, up with a probability of
//! (count mod 5) / 5, decided by a draw that a keyed hash of the cell's identity fixes
//! (the cell-key idea of the Australian Bureau of Statistics; random rounding to base 5
//! as Statistics Canada publishes its census counts, and base 3 at Statistics New
//! Zealand). So every answer built from the same data is built from the same rounded
//! cells: a cell reads the same in every table, periods add up to the range, groups to
//! the total, and the rounding is unbiased, so totals over many cells stay close.
//!
//! Why no withheld count can be worked out: whatever an attacker combines (two ranges
//! that share a start, two groupings, a total and its parts), each published number is
//! a function of the rounded cells alone, so at best the attacker learns every rounded
//! cell. A rounded value other than 0 is reached from five different true counts (for
//! any draw), so the true count of a cell is never known exactly; a 0 can only hide
//! counts of 0 to 4. The property test in `figures::tests` checks this by attack.

/// Counts are published as multiples of this.
pub const BASE: u64 = 5;

/// A statistic over durations (median, 80th percentile, share within the norm, mean) is
/// shown only when at least this many measurements (rounded) stand behind it. Gated on
/// the rounded count, since a gate on the true count would itself tell whether that
/// count is below it.
pub const STATISTIC_MIN: u64 = 10;

/// The count of a cell rounded to a multiple of [`BASE`]: up with probability
/// `(count mod 5) / 5` over a uniform `draw`.
pub const fn round(count: u64, draw: u32) -> u64 {
    let rest = count % BASE;
    let down = count - rest;
    if (draw as u64) * BASE < rest << 32 {
        down + BASE
    } else {
        down
    }
}

/// The dimensions of a finest cell (empty strings where a fact has none).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FineCell {
    pub municipality: String,
    pub provider: String,
    pub kind: String,
    pub service: String,
}

impl FineCell {
    /// What a cell's draw is keyed on: the same cell, the same text, in every answer.
    pub fn identity(&self, month: i32, figure: &str, detail: &str) -> String {
        format!(
            "{month}|{}|{}|{}|{}|{figure}|{detail}",
            self.municipality, self.provider, self.kind, self.service
        )
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn multiples_of_five_stay_and_the_rest_goes_to_a_neighbour() {
        assert_eq!(round(0, 0), 0);
        assert_eq!(round(10, 0), 10);
        assert_eq!(round(3, 0), 5, "the lowest draw rounds every rest up");
        assert_eq!(round(3, u32::MAX), 0, "the highest draw rounds it down");
        assert_eq!(round(12, u32::MAX / 2), 10, "2/5 < 1/2: down");
        assert_eq!(round(13, u32::MAX / 2), 15, "3/5 > 1/2: up");
    }

    proptest! {
        /// For any draw, a rounded value above 0 comes from five different true counts,
        /// and 0 only from counts below 5.
        #[test]
        fn a_rounded_value_never_pins_its_count(draw: u32, count in 0u64..200) {
            let rounded = round(count, draw);
            prop_assert_eq!(rounded % BASE, 0);
            prop_assert!(rounded.abs_diff(count) < BASE);
            let sources = (0..220).filter(|c| round(*c, draw) == rounded).count();
            if rounded == 0 {
                prop_assert!(count < BASE);
            } else {
                prop_assert_eq!(sources, 5);
            }
        }
    }

    #[test]
    fn rounding_is_unbiased_over_the_draws() {
        for count in 0..10u64 {
            let draws = 10_000u32;
            let step = u32::MAX / draws;
            let sum: u64 = (0..draws).map(|i| round(count, i * step)).sum();
            let mean = sum as f64 / f64::from(draws);
            assert!((mean - count as f64).abs() < 0.01, "{count}: {mean}");
        }
    }
}
