//! Anonymity in tables of counts: a promise, not a filter. A count of fewer than
//! [`MIN_GROUP`] people is never shown, and neither is one that could be worked out from
//! what is shown: where a row, a column or a group of columns has a shown total and exactly
//! one hidden count, its smallest shown count is hidden too (complementary suppression),
//! repeated until nothing changes.

/// The fewest people a shown figure may stand for.
pub const MIN_GROUP: i64 = 5;

/// A table of counts with its totals shown: `cells[row][column]`; `groups` are runs of
/// columns whose sum is shown elsewhere (a parent unit's total in another view), besides
/// each whole row and column. Returns the counts that may be shown.
pub fn suppress(cells: &[Vec<i64>], groups: &[std::ops::Range<usize>]) -> Vec<Vec<Option<i64>>> {
    let mut shown: Vec<Vec<Option<i64>>> =
        cells.iter().map(|row| row.iter().map(|&c| (c >= MIN_GROUP).then_some(c)).collect()).collect();
    let columns = cells.first().map_or(0, Vec::len);
    // Every set of cells whose sum is known: each row, each column, each row's column group.
    let mut sets: Vec<Vec<(usize, usize)>> = Vec::new();
    for r in 0..cells.len() {
        sets.push((0..columns).map(|c| (r, c)).collect());
        for g in groups {
            sets.push(g.clone().filter(|&c| c < columns).map(|c| (r, c)).collect());
        }
    }
    for c in 0..columns {
        sets.push((0..cells.len()).map(|r| (r, c)).collect());
    }
    loop {
        let mut changed = false;
        for set in &sets {
            let hidden = set.iter().filter(|&&(r, c)| shown[r][c].is_none()).count();
            if hidden != 1 {
                continue;
            }
            let smallest =
                set.iter().filter(|&&(r, c)| shown[r][c].is_some()).min_by_key(|&&(r, c)| (cells[r][c], r, c));
            if let Some(&(r, c)) = smallest {
                shown[r][c] = None;
                changed = true;
            }
        }
        if !changed {
            return shown;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_are_hidden_and_cannot_be_worked_out() {
        let shown = suppress(&[vec![12, 3, 9], vec![7, 8, 20]], &[]);
        // 3 is hidden; row 0 would give it away (total 24 − 12 − 9), so 9 goes too; column 1
        // would give it away (11 − 8), so 8 goes; column 2 would then give 9 away, so 20 goes.
        assert_eq!(shown[0], vec![Some(12), None, None]);
        assert_eq!(shown[1], vec![Some(7), None, None]);
        for (r, row) in shown.iter().enumerate() {
            assert!(row.iter().filter(|c| c.is_none()).count() != 1, "row {r}: {row:?}");
        }
        for c in 0..3 {
            assert!(shown.iter().filter(|row| row[c].is_none()).count() != 1, "column {c}");
        }
    }

    #[test]
    fn a_group_of_columns_with_a_known_total_keeps_its_secret() {
        // Columns 0–1 are the children of one parent whose total is shown in another view.
        let children = std::ops::Range { start: 0, end: 2 };
        let shown = suppress(&[vec![2, 30, 40, 50]], std::slice::from_ref(&children));
        assert_eq!(shown[0][0], None);
        assert_eq!(shown[0][1], None, "30 would give the 2 away from the parent's total");
        assert_eq!(shown[0][2..], [Some(40), Some(50)]);
    }

    #[test]
    fn nothing_small_is_nothing_hidden() {
        assert_eq!(suppress(&[vec![5, 6]], &[]), vec![vec![Some(5), Some(6)]]);
        assert!(suppress(&[], &[]).is_empty());
    }
}
