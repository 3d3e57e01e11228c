//! Mean-imputed PCA with two components, computed exactly at every size, and the
//! projections Pol.is draws: participants with the sparsity scaling, statements with their
//! extremity.
//!
//! Imputing a missing vote with its column mean and then centring makes that cell exactly
//! zero, so the centred matrix X is as sparse as the votes. The components are the top
//! eigenvectors of XᵀX, found by Lanczos iteration (with full reorthogonalisation, run to
//! a residual of 1e-10) from products with the sparse X, or, for few statements, with XᵀX
//! formed once.

use super::matrix::{Row, VoteMatrix};
use crate::linalg;

/// Statements up to which XᵀX is formed once. Forming it costs a multiply-add per rated
/// cell and statement (half of them, by symmetry), a product from the votes two passes
/// over the rated cells through their column indices, about three times as dear per cell;
/// with the 25–30 products a run takes, forming pays up to about 250–300 statements
/// (callgrind on the Pol.is conversations).
const DENSE_LIMIT: usize = 256;

#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Pca {
    /// Column means of the rating matrix (agree = +1), 0 for moderated-out statements.
    pub center: Vec<f64>,
    /// Unit vectors, one per component (two, or fewer for tiny conversations).
    pub components: Vec<Vec<f64>>,
}

pub fn column_means(m: &VoteMatrix) -> Vec<f64> {
    let mut sum = vec![0.0; m.n_cols()];
    let mut count = vec![0usize; m.n_cols()];
    for r in 0..m.n_rows() {
        for (c, v) in m.rated(r) {
            sum[c] += f64::from(v);
            count[c] += 1;
        }
    }
    sum.iter().zip(&count).map(|(s, &n)| if n == 0 { 0.0 } else { s / n as f64 }).collect()
}

/// The PCA of the conversation. With `previous` components (the last run's), each new
/// component takes the sign that agrees with its predecessor, so maps do not flip between
/// runs; otherwise the entry with the largest magnitude is made positive (scikit-learn's
/// rule), which does not depend on how statements are numbered.
pub fn pca(m: &VoteMatrix, previous: Option<&[Vec<f64>]>) -> Pca {
    let n = m.n_cols();
    let center = column_means(m);
    let k = 2.min(n).min(m.n_rows());
    if k == 0 {
        return Pca { center, components: Vec::new() };
    }
    // The centred matrix X is read straight from the vote rows: x = vote − column mean on
    // every rated cell (moderated-out columns are not rated). Lanczos starts from a vector
    // that depends only on the data, not on column order: each column's ratings, plus one.
    let mut start = vec![1.0; n];
    for r in 0..m.n_rows() {
        for (c, _) in m.rated(r) {
            start[c] += 1.0;
        }
    }
    let gram = (n <= DENSE_LIMIT).then(|| {
        // Row by row: each rated cell adds its value times the (dense) rest of the row to
        // its row of the upper triangle; unrated cells add exact zeros.
        let mut gram = vec![0.0; n * n];
        let mut x = vec![0.0; n];
        for r in 0..m.n_rows() {
            for (c, v) in m.rated(r) {
                x[c] = f64::from(v) - center[c];
            }
            for (i, _) in m.rated(r) {
                let xi = x[i];
                for (g, xj) in gram[i * n + i..(i + 1) * n].iter_mut().zip(&x[i..]) {
                    *g += xi * xj;
                }
            }
            for (c, _) in m.rated(r) {
                x[c] = 0.0;
            }
        }
        for i in 0..n {
            for j in i + 1..n {
                gram[j * n + i] = gram[i * n + j];
            }
        }
        gram
    });
    let (_, mut components) = linalg::top_eigen(n, k, &start, |v, out| match &gram {
        Some(gram) => {
            for (o, g) in out.iter_mut().zip(gram.chunks_exact(n)) {
                *o = linalg::dot(g, v);
            }
        }
        None => gram_product(&m.rows, &m.moderated_out, &center, v, out),
    });
    for (i, comp) in components.iter_mut().enumerate() {
        let flip = match previous.and_then(|p| p.get(i)).filter(|p| p.len() == comp.len()) {
            Some(prev) => linalg::dot(prev, comp) < 0.0,
            None => {
                let largest = comp.iter().copied().fold(0.0f64, |best, x| if x.abs() > best.abs() { x } else { best });
                largest < 0.0
            }
        };
        if flip {
            comp.iter_mut().for_each(|x| *x = -*x);
        }
    }
    Pca { center, components }
}

/// out = XᵀX v from the vote rows; large matrices in two halves on two threads, each half
/// summing into its own vector.
fn gram_product(rows: &[Row], moderated_out: &[bool], center: &[f64], v: &[f64], out: &mut [f64]) {
    fn part(rows: &[Row], moderated_out: &[bool], center: &[f64], v: &[f64], out: &mut [f64]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        for row in rows {
            let mut s = 0.0;
            for &(c, vote) in row {
                let c = c as usize;
                if !moderated_out[c] {
                    s += (f64::from(vote) - center[c]) * v[c];
                }
            }
            if s != 0.0 {
                for &(c, vote) in row {
                    let c = c as usize;
                    if !moderated_out[c] {
                        out[c] += s * (f64::from(vote) - center[c]);
                    }
                }
            }
        }
    }
    let cells: usize = rows.iter().map(|r| r.len()).sum();
    if cells < PARALLEL_CELLS {
        part(rows, moderated_out, center, v, out);
        return;
    }
    let (first, second) = rows.split_at(rows.len() / 2);
    let mut other = vec![0.0; out.len()];
    std::thread::scope(|scope| {
        scope.spawn(|| part(second, moderated_out, center, v, &mut other));
        part(first, moderated_out, center, v, out);
    });
    for (o, x) in out.iter_mut().zip(&other) {
        *o += x;
    }
}

/// Votes from which a product is split over two threads.
const PARALLEL_CELLS: usize = 200_000;

/// Every participant's position: the centred row projected on the components, scaled by
/// √(statements / votes) so that people who voted on little are not pulled to the middle.
/// Votes here count every moderated-out statement (Pol.is zeroes those columns for all).
pub fn project_participants(m: &VoteMatrix, pca: &Pca) -> Vec<[f64; 2]> {
    let n_cols = m.n_cols() as f64;
    let moderated = m.n_moderated_out();
    (0..m.n_rows())
        .map(|r| {
            let mut p = [0.0; 2];
            let mut rated = 0usize;
            for (c, v) in m.rated(r) {
                rated += 1;
                let x = f64::from(v) - pca.center[c];
                for (k, comp) in pca.components.iter().enumerate().take(2) {
                    p[k] += x * comp[c];
                }
            }
            let votes = (rated + moderated).max(1) as f64;
            let scale = (n_cols / votes).sqrt();
            [p[0] * scale, p[1] * scale]
        })
        .collect()
}

/// Where a participant who agreed with only statement c would sit, and how far that is
/// from the centre (the statement's extremity).
pub fn project_statements(m: &VoteMatrix, pca: &Pca) -> (Vec<[f64; 2]>, Vec<f64>) {
    let scale = (m.n_cols() as f64).sqrt();
    let projections: Vec<[f64; 2]> = (0..m.n_cols())
        .map(|c| {
            let x = 1.0 - pca.center[c];
            let at = |k: usize| pca.components.get(k).map_or(0.0, |comp| scale * x * comp[c]);
            [at(0), at(1)]
        })
        .collect();
    let extremity = projections.iter().map(|p| (p[0] * p[0] + p[1] * p[1]).sqrt()).collect();
    (projections, extremity)
}
