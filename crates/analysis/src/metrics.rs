//! How much two partitions of the same items agree: the adjusted Rand index and the
//! normalised mutual information (arithmetic mean normalisation, as scikit-learn's default).

use std::collections::HashMap;

struct Contingency {
    n: f64,
    cells: HashMap<(usize, usize), f64>,
    rows: HashMap<usize, f64>,
    cols: HashMap<usize, f64>,
}

fn contingency(a: &[usize], b: &[usize]) -> Contingency {
    let mut c = Contingency {
        n: a.len().min(b.len()) as f64,
        cells: HashMap::new(),
        rows: HashMap::new(),
        cols: HashMap::new(),
    };
    for (x, y) in a.iter().zip(b) {
        *c.cells.entry((*x, *y)).or_default() += 1.0;
        *c.rows.entry(*x).or_default() += 1.0;
        *c.cols.entry(*y).or_default() += 1.0;
    }
    c
}

fn pairs(x: f64) -> f64 {
    x * (x - 1.0) / 2.0
}

/// 1 for identical partitions (up to renaming), about 0 for chance agreement.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    let c = contingency(a, b);
    let index: f64 = c.cells.values().map(|&x| pairs(x)).sum();
    let sum_a: f64 = c.rows.values().map(|&x| pairs(x)).sum();
    let sum_b: f64 = c.cols.values().map(|&x| pairs(x)).sum();
    let expected = sum_a * sum_b / pairs(c.n).max(f64::MIN_POSITIVE);
    let max = (sum_a + sum_b) / 2.0;
    if (max - expected).abs() < 1e-12 {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Mutual information divided by the mean of the two entropies; 1 for identical partitions.
pub fn normalized_mutual_information(a: &[usize], b: &[usize]) -> f64 {
    let c = contingency(a, b);
    let entropy = |m: &HashMap<usize, f64>| -m.values().map(|&x| (x / c.n) * (x / c.n).ln()).sum::<f64>();
    let (ha, hb) = (entropy(&c.rows), entropy(&c.cols));
    let mi: f64 =
        c.cells.iter().map(|(&(x, y), &nxy)| (nxy / c.n) * (c.n * nxy / (c.rows[&x] * c.cols[&y])).ln()).sum();
    let denom = (ha + hb) / 2.0;
    if denom <= 0.0 {
        return 1.0;
    }
    (mi / denom).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_partitions_score_one_whatever_the_labels() {
        let a = [0, 0, 1, 1, 2, 2];
        let b = [5, 5, 3, 3, 9, 9];
        assert!((adjusted_rand_index(&a, &b) - 1.0).abs() < 1e-12);
        assert!((normalized_mutual_information(&a, &b) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values() {
        // scikit-learn: adjusted_rand_score([0,0,1,1],[0,0,1,2]) = 0.5714…,
        // normalized_mutual_info_score(same) = 0.8.
        let (a, b) = ([0, 0, 1, 1], [0, 0, 1, 2]);
        assert!((adjusted_rand_index(&a, &b) - 0.571_428_571).abs() < 1e-6);
        assert!((normalized_mutual_information(&a, &b) - 0.8).abs() < 1e-9);
    }
}
