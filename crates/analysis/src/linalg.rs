//! The small amount of linear algebra the engines need, written for their shapes:
//! a Jacobi eigensolver for small symmetric matrices and a Lanczos solver for the top
//! eigenpairs of a large symmetric operator given only as a product `v ↦ A v`.

/// Eigenvalues (descending) and eigenvectors (`vectors[i]` belongs to `values[i]`) of a
/// symmetric matrix in row-major order, by cyclic Jacobi rotations. Exact to rounding; for
/// matrices up to a few hundred rows.
pub fn symmetric_eigen(matrix: &[f64], n: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut a = matrix.to_vec();
    let mut v = vec![0.0; n * n];
    for i in 0..n {
        v[i * n + i] = 1.0;
    }
    let scale: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        if off.sqrt() <= 1e-15 * scale.max(f64::MIN_POSITIVE) {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq.abs() <= f64::MIN_POSITIVE {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for k in 0..n {
                    let vkp = v[k * n + p];
                    let vkq = v[k * n + q];
                    v[k * n + p] = c * vkp - s * vkq;
                    v[k * n + q] = s * vkp + c * vkq;
                }
            }
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| a[j * n + j].total_cmp(&a[i * n + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * n + i]).collect();
    let vectors = order.iter().map(|&i| (0..n).map(|k| v[k * n + i]).collect()).collect();
    (values, vectors)
}

/// Σ aᵢbᵢ with four running sums, which lets the compiler use vector instructions (one sum
/// in order could not be reordered).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let mut s = [0.0; 4];
    let (ac, bc) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ac.remainder().iter().zip(bc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ac.zip(bc) {
        for i in 0..4 {
            s[i] += x[i] * y[i];
        }
    }
    (s[0] + s[1]) + (s[2] + s[3]) + tail
}

pub fn norm(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

/// The `k` largest eigenpairs of a symmetric positive semi-definite operator of size `n`,
/// by Lanczos with full reorthogonalisation, run until the Ritz residuals are below
/// `1e-10` of the largest eigenvalue (or the Krylov space is the whole space, which is
/// exact). `start` should not depend on how rows and columns are labelled.
pub fn top_eigen(
    n: usize,
    k: usize,
    start: &[f64],
    mut apply: impl FnMut(&[f64], &mut [f64]),
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = k.min(n);
    if n == 0 || k == 0 {
        return (Vec::new(), Vec::new());
    }
    let mut basis: Vec<Vec<f64>> = Vec::new();
    let mut alpha: Vec<f64> = Vec::new();
    let mut beta: Vec<f64> = Vec::new(); // beta[j] couples basis[j] and basis[j + 1]
    let mut q = start.to_vec();
    let mut fresh = 0usize; // next unit vector to try after a breakdown
    if !normalise(&mut q) {
        q = vec![1.0 / (n as f64).sqrt(); n];
    }
    let mut w = vec![0.0; n];
    let mut best: Option<(Vec<f64>, Vec<Vec<f64>>)> = None;
    loop {
        apply(&q, &mut w);
        let a = dot(&q, &w);
        for (wi, qi) in w.iter_mut().zip(&q) {
            *wi -= a * qi;
        }
        if let (Some(prev), Some(b)) = (basis.last(), beta.last()) {
            for (wi, pi) in w.iter_mut().zip(prev) {
                *wi -= b * pi;
            }
        }
        basis.push(q.clone());
        alpha.push(a);
        // Full reorthogonalisation, twice, keeps the basis orthogonal to rounding.
        for _ in 0..2 {
            for b in &basis {
                let c = dot(&w, b);
                for (wi, bi) in w.iter_mut().zip(b) {
                    *wi -= c * bi;
                }
            }
        }
        let mut b = norm(&w);
        let m = basis.len();
        let scale = alpha.iter().fold(0.0f64, |s, x| s.max(x.abs())).max(f64::MIN_POSITIVE);
        let breakdown = b <= 1e-12 * scale;
        let check = m == n || breakdown || m.is_multiple_of(8) || (m >= k + 2 && m < 16);
        if check && m >= k {
            let (values, vectors) = ritz(&alpha, &beta, m);
            let converged =
                (0..k).all(|i| (b * vectors[i][m - 1]).abs() <= 1e-10 * values[0].abs().max(f64::MIN_POSITIVE));
            let pairs = (0..k)
                .map(|i| {
                    let mut x = vec![0.0; n];
                    for (j, bj) in basis.iter().enumerate() {
                        let s = vectors[i][j];
                        for (xi, bji) in x.iter_mut().zip(bj) {
                            *xi += s * bji;
                        }
                    }
                    normalise(&mut x);
                    x
                })
                .collect();
            best = Some((values[..k].to_vec(), pairs));
            if m == n || (converged && !breakdown) {
                break;
            }
        }
        if breakdown {
            // An invariant subspace: continue from a new direction orthogonal to it, so an
            // eigenvector the start vector missed is still found.
            b = 0.0;
            let mut found = false;
            while fresh < n {
                let mut e = vec![0.0; n];
                e[fresh] = 1.0;
                fresh += 1;
                for _ in 0..2 {
                    for v in &basis {
                        let c = dot(&e, v);
                        for (ei, vi) in e.iter_mut().zip(v) {
                            *ei -= c * vi;
                        }
                    }
                }
                if norm(&e) > 1e-6 {
                    normalise(&mut e);
                    w = e;
                    found = true;
                    break;
                }
            }
            if !found {
                break;
            }
        }
        beta.push(b);
        q = w.clone();
        if b > 0.0 {
            for x in q.iter_mut() {
                *x /= b;
            }
        }
        w.iter_mut().for_each(|x| *x = 0.0);
    }
    best.unwrap_or_else(|| (vec![0.0; k], (0..k).map(|i| unit(n, i)).collect()))
}

fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

/// Eigenpairs of the tridiagonal matrix of the Lanczos coefficients.
fn ritz(alpha: &[f64], beta: &[f64], m: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    tridiagonal_eigen(&alpha[..m], &beta[..m.saturating_sub(1)])
}

/// All eigenpairs of the symmetric tridiagonal matrix with diagonal `diagonal` and
/// off-diagonal `off` (off[i] couples i and i + 1), by the implicit QL method with Wilkinson
/// shifts; values from largest to smallest, each vector of unit length. Far cheaper than
/// Jacobi on the full matrix, which matters because Lanczos asks after every few steps.
pub fn tridiagonal_eigen(diagonal: &[f64], off: &[f64]) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = diagonal.len();
    let mut d = diagonal.to_vec();
    let mut e: Vec<f64> = (0..n).map(|i| off.get(i).copied().unwrap_or(0.0)).collect();
    // z is row-major; column j ends up as the eigenvector of d[j].
    let mut z = vec![0.0; n * n];
    for i in 0..n {
        z[i * n + i] = 1.0;
    }
    for l in 0..n {
        for _ in 0..64 {
            let mut m = l;
            while m + 1 < n {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = g.hypot(1.0);
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut underflow = false;
            for i in (l..m).rev() {
                let f = s * e[i];
                let b = c * e[i];
                r = f.hypot(g);
                e[i + 1] = r;
                if r == 0.0 {
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    underflow = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                for k in 0..n {
                    let row = &mut z[k * n..(k + 1) * n];
                    let f = row[i + 1];
                    row[i + 1] = s * row[i] + c * f;
                    row[i] = c * row[i] - s * f;
                }
            }
            if underflow {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&i, &j| d[j].total_cmp(&d[i]).then(i.cmp(&j)));
    let values = order.iter().map(|&j| d[j]).collect();
    let vectors = order.iter().map(|&j| (0..n).map(|k| z[k * n + j]).collect()).collect();
    (values, vectors)
}

fn normalise(v: &mut [f64]) -> bool {
    let n = norm(v);
    if n <= f64::MIN_POSITIVE || !n.is_finite() {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= n);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tridiagonal_ql_agrees_with_jacobi() {
        let mut rng = crate::rng::SplitMix64(42);
        for n in [1usize, 2, 3, 7, 30] {
            let diagonal: Vec<f64> = (0..n).map(|_| rng.unit() * 4.0 - 2.0).collect();
            // Some couplings exactly zero: the matrix splits into blocks.
            let off: Vec<f64> =
                (0..n.saturating_sub(1)).map(|i| if i % 5 == 4 { 0.0 } else { rng.unit() - 0.5 }).collect();
            let mut full = vec![0.0; n * n];
            for i in 0..n {
                full[i * n + i] = diagonal[i];
                if i + 1 < n {
                    full[i * n + i + 1] = off[i];
                    full[(i + 1) * n + i] = off[i];
                }
            }
            let (values, vectors) = tridiagonal_eigen(&diagonal, &off);
            let (exact, _) = symmetric_eigen(&full, n);
            for (a, b) in values.iter().zip(&exact) {
                assert!((a - b).abs() < 1e-10, "n={n}: {a} vs {b}");
            }
            for (value, v) in values.iter().zip(&vectors) {
                let mut tv = vec![0.0; n];
                matvec(&full, n, v, &mut tv);
                let residual: f64 = tv.iter().zip(v).map(|(x, y)| (x - value * y).powi(2)).sum::<f64>().sqrt();
                assert!(residual < 1e-10 && (norm(v) - 1.0).abs() < 1e-10, "n={n}: residual {residual}");
            }
        }
    }

    fn matvec(a: &[f64], n: usize, v: &[f64], out: &mut [f64]) {
        for i in 0..n {
            out[i] = (0..n).map(|j| a[i * n + j] * v[j]).sum();
        }
    }

    #[test]
    fn jacobi_finds_known_eigenpairs() {
        // [[2,1],[1,2]] has eigenvalues 3 and 1 with vectors (1,1)/√2 and (1,-1)/√2.
        let (values, vectors) = symmetric_eigen(&[2.0, 1.0, 1.0, 2.0], 2);
        assert!((values[0] - 3.0).abs() < 1e-12 && (values[1] - 1.0).abs() < 1e-12);
        assert!((vectors[0][0].abs() - 0.5f64.sqrt()).abs() < 1e-12);
        assert!((vectors[0][0] - vectors[0][1]).abs() < 1e-12);
    }

    #[test]
    fn lanczos_agrees_with_jacobi() {
        // A random-looking Gram matrix XᵀX of a 40 × 30 matrix.
        let (rows, n) = (40, 30);
        let x: Vec<f64> = (0..rows * n).map(|i| ((i * 7919 % 101) as f64 / 50.0) - 1.0).collect();
        let mut a = vec![0.0; n * n];
        for r in 0..rows {
            for i in 0..n {
                for j in 0..n {
                    a[i * n + j] += x[r * n + i] * x[r * n + j];
                }
            }
        }
        let (exact_values, exact_vectors) = symmetric_eigen(&a, n);
        let start = vec![1.0; n];
        let (values, vectors) = top_eigen(n, 2, &start, |v, out| matvec(&a, n, v, out));
        for i in 0..2 {
            assert!((values[i] - exact_values[i]).abs() < 1e-8 * exact_values[0], "eigenvalue {i}");
            assert!((dot(&vectors[i], &exact_vectors[i]).abs() - 1.0).abs() < 1e-8, "eigenvector {i}");
        }
    }

    #[test]
    fn lanczos_recovers_from_a_start_orthogonal_to_the_top_vector() {
        // diag(5, 1, 0.5): the start (0, 1, 1) misses the top eigenvector e0.
        let a = [5.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.5];
        let (values, _) = top_eigen(3, 2, &[0.0, 1.0, 1.0], |v, out| matvec(&a, 3, v, out));
        assert!((values[0] - 5.0).abs() < 1e-10 && (values[1] - 1.0).abs() < 1e-10, "{values:?}");
    }
}
