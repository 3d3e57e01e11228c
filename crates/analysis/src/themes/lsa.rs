//! Latent semantic analysis: each input's coordinates on the leading singular directions of
//! the TF-IDF matrix, so inputs that share no word but share neighbours come close.

use super::Vector;
use super::cluster::{Dense, normalise};
use crate::linalg::dot;
use crate::rng::SplitMix64 as Rng;

/// Power iterations of the range finder.
const POWER_ITERATIONS: usize = 4;
/// Extra columns of the range finder beyond the rank kept.
const OVERSAMPLING: usize = 10;

/// Coordinates scaled by the singular values, unit length. A seeded randomised range finder
/// (Halko, Martinsson & Tropp) with an exact eigen-decomposition of the small projected
/// matrix.
pub fn lsa(docs: &[&Vector], dims: usize, rank: usize) -> Dense {
    let n = docs.len();
    let l = (rank + OVERSAMPLING).min(n).min(dims.max(1));
    let mut rng = Rng(0x15A_5EED);
    // Matrices with l columns are kept column by column (n or dims long each), so the
    // orthonormalisation reads memory in order.
    let omega: Vec<f64> = (0..dims * l).map(|_| rng.unit() - 0.5).collect();
    // Y = X M and M = Xᵀ Y, one column at a time, the columns shared by two threads.
    let times_x = |m: &[f64]| -> Vec<f64> {
        let mut y = vec![0.0; n * l];
        by_columns(&mut y, n, |col, out| {
            let src = &m[col * dims..(col + 1) * dims];
            for (o, d) in out.iter_mut().zip(docs) {
                *o = d.iter().map(|(t, w)| w * src[*t as usize]).sum();
            }
        });
        y
    };
    let times_xt = |y: &[f64]| -> Vec<f64> {
        let mut m = vec![0.0; dims * l];
        by_columns(&mut m, dims, |col, out| {
            let src = &y[col * n..(col + 1) * n];
            for (s, d) in src.iter().zip(docs) {
                for (t, w) in d.iter() {
                    out[*t as usize] += w * s;
                }
            }
        });
        m
    };
    let mut q = orthonormal_columns(times_x(&omega), n, l);
    for _ in 0..POWER_ITERATIONS {
        q = orthonormal_columns(times_x(&times_xt(&q)), n, l);
    }
    // B = Qᵀ X (l × dims, kept column by column of Q); B Bᵀ = W Λ Wᵀ; coordinates = Q W √Λ.
    let b = times_xt(&q);
    let mut bbt = vec![0.0; l * l];
    for a in 0..l {
        for c in a..l {
            let v = dot(&b[a * dims..(a + 1) * dims], &b[c * dims..(c + 1) * dims]);
            bbt[a * l + c] = v;
            bbt[c * l + a] = v;
        }
    }
    let (values, vectors) = crate::linalg::symmetric_eigen(&bbt, l);
    let keep = rank.min(l);
    let mut out = Dense { dims: keep, data: vec![0.0; n * keep] };
    for c in 0..keep {
        let scale = values[c].max(0.0).sqrt();
        for (j, w) in vectors[c].iter().enumerate() {
            let f = w * scale;
            for (i, qi) in q[j * n..(j + 1) * n].iter().enumerate() {
                out.data[i * keep + c] += f * qi;
            }
        }
    }
    for i in 0..n {
        normalise(&mut out.data[i * keep..(i + 1) * keep]);
    }
    out
}

/// Fills a matrix stored column by column (`len` long each): the first half of the
/// columns on this thread, the rest on another.
fn by_columns(matrix: &mut [f64], len: usize, fill: impl Fn(usize, &mut [f64]) + Sync) {
    if len == 0 {
        return;
    }
    let columns = matrix.len() / len;
    let (first, second) = matrix.split_at_mut(columns / 2 * len);
    let fill = &fill;
    std::thread::scope(|scope| {
        scope.spawn(move || {
            for (i, out) in second.chunks_exact_mut(len).enumerate() {
                fill(columns / 2 + i, out);
            }
        });
        for (i, out) in first.chunks_exact_mut(len).enumerate() {
            fill(i, out);
        }
    });
}

/// Gram–Schmidt (twice) on the l columns (each n long, stored one after the other); a
/// column that depends on the earlier ones becomes zero.
fn orthonormal_columns(mut m: Vec<f64>, n: usize, l: usize) -> Vec<f64> {
    for c in 0..l {
        let (done, rest) = m.split_at_mut(c * n);
        let col = &mut rest[..n];
        for _ in 0..2 {
            for p in 0..c {
                let prev = &done[p * n..(p + 1) * n];
                let d = dot(col, prev);
                for (x, y) in col.iter_mut().zip(prev) {
                    *x -= d * y;
                }
            }
        }
        let norm = dot(col, col).sqrt();
        for x in col.iter_mut() {
            *x = if norm > 1e-12 { *x / norm } else { 0.0 };
        }
    }
    m
}
