//! Small-cell suppression. A count built from 1 to [`MIN_CLIENTS`]` - 1` clients is never
//! shown (primary suppression); a zero is, since it describes no one (the practice of
//! CBS and the NZa). Counts that add up to a shown total form a line; a line
//! with exactly one hidden cell would give it away (total minus the others), so a second
//! cell of that line is hidden too, the smallest non-zero one, until no line has exactly one hidden
//! cell (complementary suppression).

/// Below this many clients a figure is withheld.
pub const MIN_CLIENTS: u64 = 5;

/// Counts and the lines (sets of cells where one is the sum of the others) between them.
#[derive(Debug, Clone, Default)]
pub struct CountTable {
    values: Vec<u64>,
    lines: Vec<Vec<usize>>,
}

impl CountTable {
    /// Adds a count; returns its index.
    pub fn cell(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.values.len() - 1
    }

    /// Declares that these cells add up (one of them is the total of the others).
    pub fn line(&mut self, members: Vec<usize>) {
        if members.len() > 1 {
            self.lines.push(members);
        }
    }

    pub fn value(&self, index: usize) -> u64 {
        self.values[index]
    }

    /// Which cells are hidden: every cell from 1 to below `min`, and as few more as the
    /// lines need.
    pub fn suppress(&self, min: u64) -> Vec<bool> {
        let mut hidden: Vec<bool> = self.values.iter().map(|v| (1..min).contains(v)).collect();
        loop {
            let mut changed = false;
            for line in &self.lines {
                let hidden_here = line.iter().filter(|i| hidden[**i]).count();
                if hidden_here != 1 {
                    continue;
                }
                // A hidden zero would protect little (counts are never negative, so the
                // hidden cells' sum would still tell): prefer the smallest non-zero cell.
                let smallest = line
                    .iter()
                    .copied()
                    .filter(|i| !hidden[*i])
                    .min_by_key(|i| (self.values[*i] == 0, self.values[*i], *i));
                if let Some(i) = smallest {
                    hidden[i] = true;
                    changed = true;
                }
            }
            if !changed {
                return hidden;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A grid of counts with its row totals, column totals and grand total, as figures
    /// per group and period are laid out.
    fn grid(values: &[Vec<u64>]) -> (CountTable, Vec<Vec<usize>>) {
        let mut table = CountTable::default();
        let columns = values[0].len();
        let mut ids: Vec<Vec<usize>> = Vec::new();
        for row in values {
            let mut row_ids: Vec<usize> = row.iter().map(|v| table.cell(*v)).collect();
            row_ids.push(table.cell(row.iter().sum()));
            ids.push(row_ids);
        }
        let mut total_ids = Vec::new();
        for c in 0..=columns {
            total_ids.push(table.cell(ids.iter().map(|r| table.value(r[c])).sum()));
        }
        ids.push(total_ids);
        for row in &ids {
            table.line(row.clone());
        }
        for c in 0..=columns {
            table.line(ids.iter().map(|r| r[c]).collect());
        }
        (table, ids)
    }

    #[test]
    fn one_small_group_hides_a_second_one() {
        let (table, ids) = grid(&[vec![3], vec![40], vec![12]]);
        let hidden = table.suppress(MIN_CLIENTS);
        // 3 is primary; 12 (the smaller of the rest) goes with it, so 55 - 40 = 15 is all
        // one can learn.
        assert!(hidden[ids[0][0]]);
        assert!(hidden[ids[2][0]]);
        assert!(!hidden[ids[1][0]]);
        assert!(!hidden[ids[3][0]]);
    }

    proptest! {
        #[test]
        fn no_line_gives_a_hidden_count_away(
            values in prop::collection::vec(prop::collection::vec(0u64..30, 1..5), 1..6)
        ) {
            let width = values[0].len();
            let values: Vec<Vec<u64>> = values
                .into_iter()
                .map(|mut r| { r.resize(width, 7); r })
                .collect();
            let (table, _) = grid(&values);
            let hidden = table.suppress(MIN_CLIENTS);
            for (i, h) in hidden.iter().enumerate() {
                // Every small count is hidden.
                if (1..MIN_CLIENTS).contains(&table.value(i)) {
                    prop_assert!(*h);
                }
            }
            for line in &table.lines {
                let n = line.iter().filter(|i| hidden[**i]).count();
                // Exactly one hidden cell in a line would be the total minus the rest.
                prop_assert!(n != 1, "line {:?} has one hidden cell", line);
                // So no single hidden cell is recoverable from the shown ones of its line.
            }
        }

        #[test]
        fn nothing_is_hidden_when_every_count_is_large(
            values in prop::collection::vec(prop::collection::vec(5u64..100, 2..4), 1..5)
        ) {
            let width = values[0].len();
            let values: Vec<Vec<u64>> = values
                .into_iter()
                .map(|mut r| { r.resize(width, 50); r })
                .collect();
            let (table, _) = grid(&values);
            prop_assert!(table.suppress(MIN_CLIENTS).iter().all(|h| !h));
        }
    }
}
