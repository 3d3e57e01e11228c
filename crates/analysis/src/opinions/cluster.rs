//! Pol.is clustering in two levels: up to 100 base clusters of participants' positions,
//! then groups of base clusters (weighted by size) for k = 2..5, the k chosen by the
//! silhouette and smoothed between runs.

use serde::{Deserialize, Serialize};

use crate::rng::SplitMix64 as Rng;

/// Base clusters Pol.is makes.
pub const BASE_K: usize = 100;
const BASE_ITERS: usize = 100;
/// Pol.is passes 100 but its k-means reads another key, so 20 is what runs (and what we run).
const GROUP_ITERS: usize = 20;
/// Extra k-means++ starts per k for the groups, besides Pol.is' own start and the previous
/// run's groups: Pol.is hides a poor cold start behind warm starts; we keep the best.
const GROUP_STARTS: usize = 12;
/// Two clusterings are the same when every (sorted) centre moved less than this.
const SAME: f64 = 0.01;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cluster {
    pub id: usize,
    /// Indices into the points given to k-means.
    pub members: Vec<usize>,
    pub center: [f64; 2],
}

fn dist2(a: [f64; 2], b: [f64; 2]) -> f64 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

/// The first `k` distinct points, in order (Pol.is' cold start).
pub fn first_distinct(points: &[[f64; 2]], k: usize) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = Vec::new();
    for p in points {
        if out.len() == k {
            break;
        }
        if !out.contains(p) {
            out.push(*p);
        }
    }
    out
}

/// Lloyd's k-means as Pol.is runs it: assign to the nearest centre (the first on ties),
/// drop clusters left empty, move centres to the (weighted) mean; stop after `iters + 1`
/// steps or when no centre moved more than 0.01.
pub fn kmeans(points: &[[f64; 2]], weights: &[f64], init: Vec<(usize, [f64; 2])>, iters: usize) -> Vec<Cluster> {
    let mut clusters: Vec<Cluster> =
        init.into_iter().map(|(id, center)| Cluster { id, members: Vec::new(), center }).collect();
    if points.is_empty() || clusters.is_empty() {
        return Vec::new();
    }
    // Centres ordered by x: a point's nearest centre is searched outwards from its own x,
    // stopping where the x distance alone exceeds the best distance found.
    let mut nearest = vec![0usize; points.len()];
    for _ in 0..=iters {
        let by_x = by_x(clusters.iter().map(|c| c.center));
        for (p, nearest) in points.iter().zip(nearest.iter_mut()) {
            *nearest = nearest_center(*p, &by_x);
        }
        // Per centre, its members in point order: (Σ w·x, Σ w·y, Σ w, count).
        let mut sums = vec![([0.0f64; 3], 0usize); clusters.len()];
        for ((p, &w), &j) in points.iter().zip(weights).zip(&nearest) {
            let (s, count) = &mut sums[j];
            s[0] += p[0] * w;
            s[1] += p[1] * w;
            s[2] += w;
            *count += 1;
        }
        // Clusters left empty are dropped; the others move to the weighted mean of their
        // members (or stay where they are when those weigh nothing).
        let mut next = Vec::with_capacity(clusters.len());
        let mut index_in_next = vec![usize::MAX; clusters.len()];
        for (j, (c, &([sx, sy, total], count))) in clusters.iter().zip(&sums).enumerate() {
            if count > 0 {
                index_in_next[j] = next.len();
                let center = if total > 0.0 { [sx / total, sy / total] } else { c.center };
                next.push(Cluster { id: c.id, members: Vec::new(), center });
            }
        }
        if next.len() < clusters.len() {
            nearest.iter_mut().for_each(|j| *j = index_in_next[*j]);
        }
        let same = same_clustering(&clusters, &next);
        clusters = next;
        if same {
            break;
        }
    }
    for (i, &j) in nearest.iter().enumerate() {
        clusters[j].members.push(i);
    }
    clusters
}

/// Centres as (x, y, index), ordered by x (then index), for [`nearest_center`].
fn by_x(centers: impl Iterator<Item = [f64; 2]>) -> Vec<(f64, f64, usize)> {
    let mut by_x: Vec<(f64, f64, usize)> = centers.enumerate().map(|(j, c)| (c[0], c[1], j)).collect();
    by_x.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.2.cmp(&b.2)));
    by_x
}

/// The index of the centre nearest to `p` (the first on ties, as a scan of all of them in
/// index order finds it; 0 when no distance is finite), given the centres as (x, y, index)
/// ordered by x. Exact: a centre whose squared x distance alone exceeds the best squared
/// distance cannot be nearer or tied, and further ones in that direction are further still.
fn nearest_center(p: [f64; 2], by_x: &[(f64, f64, usize)]) -> usize {
    let mut best = (f64::INFINITY, usize::MAX);
    let mut consider = |&(x, y, j): &(f64, f64, usize)| {
        let dx2 = (p[0] - x).powi(2);
        if dx2 > best.0 {
            return false;
        }
        let d = dx2 + (p[1] - y).powi(2);
        if d < best.0 || (d == best.0 && j < best.1) {
            best = (d, j);
        }
        true
    };
    let from = by_x.partition_point(|c| c.0 < p[0]);
    for c in &by_x[from..] {
        if !consider(c) {
            break;
        }
    }
    for c in by_x[..from].iter().rev() {
        if !consider(c) {
            break;
        }
    }
    if best.0 < f64::INFINITY { best.1 } else { 0 }
}

fn same_clustering(a: &[Cluster], b: &[Cluster]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let sorted = |cs: &[Cluster]| {
        let mut v: Vec<[f64; 2]> = cs.iter().map(|c| c.center).collect();
        v.sort_by(|x, y| x[0].total_cmp(&y[0]).then(x[1].total_cmp(&y[1])));
        v
    };
    sorted(a).iter().zip(sorted(b).iter()).all(|(x, y)| dist2(*x, *y).sqrt() < SAME)
}

/// Base clusters of the participants' positions: a cold start from the first 100 distinct
/// points, or a warm start from the previous base clusters (members given as point indices
/// of this run), as Pol.is does between runs.
pub fn base_clusters(points: &[[f64; 2]], previous: Option<&[Cluster]>) -> Vec<Cluster> {
    let weights = vec![1.0; points.len()];
    let init: Vec<(usize, [f64; 2])> = match previous {
        Some(prev) if !prev.is_empty() => warm_start(points, prev),
        _ => first_distinct(points, BASE_K).into_iter().enumerate().collect(),
    };
    kmeans(points, &weights, init, BASE_ITERS)
}

/// Pol.is' `clean-start-clusters`: recentre the old clusters on their remaining members,
/// merge clusters at the same place, then split off the most distant points until there are
/// as many clusters as allowed.
fn warm_start(points: &[[f64; 2]], previous: &[Cluster]) -> Vec<(usize, [f64; 2])> {
    let mut clusters: Vec<Cluster> = previous
        .iter()
        .filter_map(|c| {
            let members: Vec<usize> = c.members.iter().copied().filter(|&i| i < points.len()).collect();
            if members.is_empty() {
                return None;
            }
            Some(Cluster { id: c.id, center: mean(points, &members), members })
        })
        .collect();
    let next_id = previous.iter().map(|c| c.id).max().map_or(0, |m| m + 1);
    if clusters.is_empty() {
        return vec![(next_id, mean(points, &(0..points.len()).collect::<Vec<_>>()))];
    }
    // Merge clusters whose centres coincide; the larger keeps its id.
    let mut merged: Vec<Cluster> = Vec::new();
    for c in clusters.drain(..) {
        match merged.iter_mut().find(|m| m.center == c.center) {
            Some(m) => {
                if c.members.len() > m.members.len() {
                    m.id = c.id;
                }
                m.members.extend(c.members);
            }
            None => merged.push(c),
        }
    }
    let distinct = first_distinct(points, usize::MAX).len();
    let mut next_id = next_id.max(merged.iter().map(|c| c.id + 1).max().unwrap_or(0));
    while merged.len() < BASE_K.min(distinct) {
        // The point farthest from its nearest centre becomes a cluster of its own.
        let mut far: Option<(usize, f64)> = None;
        for (i, p) in points.iter().enumerate() {
            let d = merged.iter().map(|c| dist2(*p, c.center)).fold(f64::INFINITY, f64::min);
            if far.is_none_or(|(_, fd)| d > fd) {
                far = Some((i, d));
            }
        }
        let Some((i, d)) = far.filter(|(_, d)| *d > 0.0) else { break };
        let _ = d;
        for c in &mut merged {
            c.members.retain(|&m| m != i);
        }
        merged.retain(|c| !c.members.is_empty());
        merged.push(Cluster { id: next_id, members: vec![i], center: points[i] });
        next_id += 1;
        for c in &mut merged {
            c.center = mean(points, &c.members);
        }
    }
    merged.into_iter().map(|c| (c.id, c.center)).collect()
}

fn mean(points: &[[f64; 2]], members: &[usize]) -> [f64; 2] {
    let n = members.len().max(1) as f64;
    let s = members.iter().fold([0.0; 2], |s, &i| [s[0] + points[i][0], s[1] + points[i][1]]);
    [s[0] / n, s[1] / n]
}

/// The largest number of groups tried for this many base clusters: min(5, 2 + ⌊n/12⌋).
pub fn max_k(n_base: usize) -> usize {
    5.min(2 + n_base / 12)
}

/// k-means++ seeding with weights.
fn plus_plus(points: &[[f64; 2]], weights: &[f64], k: usize, rng: &mut Rng) -> Vec<[f64; 2]> {
    let total: f64 = weights.iter().sum();
    let pick = |scores: &[f64], rng: &mut Rng| {
        let sum: f64 = scores.iter().sum();
        if sum <= 0.0 {
            return None;
        }
        let mut target = rng.unit() * sum;
        for (i, s) in scores.iter().enumerate() {
            target -= s;
            if target <= 0.0 && *s > 0.0 {
                return Some(i);
            }
        }
        scores.iter().rposition(|s| *s > 0.0)
    };
    let mut centers = Vec::new();
    if let Some(first) = pick(weights, rng).or(if total > 0.0 { Some(0) } else { None }) {
        centers.push(points[first]);
    }
    while centers.len() < k {
        let scores: Vec<f64> = points
            .iter()
            .zip(weights)
            .map(|(p, w)| w * centers.iter().map(|c| dist2(*p, *c)).fold(f64::INFINITY, f64::min))
            .collect();
        match pick(&scores, rng) {
            Some(i) => centers.push(points[i]),
            None => break,
        }
    }
    centers
}

fn inertia(points: &[[f64; 2]], weights: &[f64], clusters: &[Cluster]) -> f64 {
    clusters.iter().flat_map(|c| c.members.iter().map(move |&i| weights[i] * dist2(points[i], c.center))).sum()
}

/// Groups of the base clusters for `k`: the best (lowest weighted within-group distance)
/// of Pol.is' start, the previous run's groups for this k, and several k-means++ starts.
pub fn group_kmeans(
    centers: &[[f64; 2]],
    weights: &[f64],
    k: usize,
    previous: Option<&[[f64; 2]]>,
    seed: u64,
) -> Vec<Cluster> {
    let mut starts: Vec<Vec<[f64; 2]>> = vec![first_distinct(centers, k)];
    if let Some(prev) = previous.filter(|p| !p.is_empty()) {
        starts.push(prev.to_vec());
    }
    let mut rng = Rng(seed ^ (k as u64).wrapping_mul(0x1000_0000_01B3));
    for _ in 0..GROUP_STARTS {
        starts.push(plus_plus(centers, weights, k, &mut rng));
    }
    let mut best: Option<(f64, Vec<Cluster>)> = None;
    for start in starts {
        let init = start.into_iter().enumerate().collect();
        let clusters = kmeans(centers, weights, init, GROUP_ITERS);
        let score = inertia(centers, weights, &clusters);
        // Prefer the clustering with k groups, then the lower inertia (first on ties).
        let better = match &best {
            None => true,
            Some((s, b)) => (clusters.len() == k && b.len() != k) || (clusters.len() == b.len() && score < *s - 1e-12),
        };
        if better {
            best = Some((score, clusters));
        }
    }
    let mut groups = best.map(|(_, c)| c).unwrap_or_default();
    // Ids in order of each group's first base cluster, so they do not depend on the start.
    groups.sort_by_key(|g| g.members.iter().min().copied().unwrap_or(usize::MAX));
    for (i, g) in groups.iter_mut().enumerate() {
        g.id = i;
    }
    groups
}

/// Distances between the base clusters' centres, row by row: computed once and shared by
/// the silhouettes of every k.
pub fn distances(centers: &[[f64; 2]]) -> Vec<f64> {
    centers.iter().flat_map(|a| centers.iter().map(move |b| dist2(*a, *b).sqrt())).collect()
}

/// Mean silhouette over the base clusters (unweighted, as Pol.is), with Euclidean
/// distances between their centres (from [`distances`]); a base cluster alone in its group
/// scores 0.
pub fn silhouette(distances: &[f64], groups: &[Cluster]) -> f64 {
    let n = distances.len().isqrt();
    silhouette_of(n, |i, j| distances[i * n + j], groups)
}

fn silhouette_of(n: usize, dist: impl Fn(usize, usize) -> f64, groups: &[Cluster]) -> f64 {
    if n == 0 {
        return 0.0;
    }
    // Mean distance from i to the members other than itself.
    let mean_to = |i: usize, members: &[usize]| {
        let (mut sum, mut count) = (0.0, 0usize);
        for &j in members.iter().filter(|&&j| j != i) {
            sum += dist(i, j);
            count += 1;
        }
        sum / count.max(1) as f64
    };
    let mut total = 0.0;
    for g in groups.iter().filter(|g| g.members.len() > 1) {
        for &i in &g.members {
            let a = mean_to(i, &g.members);
            let b = groups
                .iter()
                .filter(|o| o.id != g.id && !o.members.is_empty())
                .map(|o| mean_to(i, &o.members))
                .fold(f64::INFINITY, f64::min);
            let denom = a.max(b);
            if b.is_finite() && denom > 0.0 {
                total += (b - a) / denom;
            }
        }
    }
    total / n as f64
}

/// Pol.is' k smoother: a new best k takes over only after winning four runs in a row.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KSmoother {
    pub last_k: Option<usize>,
    pub last_k_count: usize,
    pub smoothed_k: Option<usize>,
}

impl KSmoother {
    pub fn update(&self, this_k: usize, tried: std::ops::RangeInclusive<usize>) -> KSmoother {
        let count = if self.last_k == Some(this_k) { self.last_k_count + 1 } else { 1 };
        let carried = self.smoothed_k.filter(|k| tried.contains(k));
        let smoothed = if count >= 4 { this_k } else { carried.unwrap_or(this_k) };
        KSmoother { last_k: Some(this_k), last_k_count: count, smoothed_k: Some(smoothed) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn silhouette_matches_the_polis_test_vector() {
        // math/test/silhouette_test.clj: groups {a, b} and {c, d}, mean 0.5654.
        let d = [[0.0, 1.0, 3.0, 4.0], [1.0, 0.0, 3.0, 4.0], [3.0, 3.0, 0.0, 2.0], [4.0, 4.0, 2.0, 0.0]];
        let groups = vec![
            Cluster { id: 0, members: vec![0, 1], center: [0.0, 0.0] },
            Cluster { id: 1, members: vec![2, 3], center: [0.0, 0.0] },
        ];
        let s = silhouette_of(4, |i, j| d[i][j], &groups);
        assert!((s - 0.565_476).abs() < 1e-5, "{s}");
    }

    #[test]
    fn base_clusters_keep_each_distinct_point_when_few() {
        let points = [[0.0, 0.0], [1.0, 1.0], [0.0, 0.0], [5.0, 5.0]];
        let base = base_clusters(&points, None);
        assert_eq!(base.len(), 3);
        assert_eq!(base[0].members, vec![0, 2]);
    }

    #[test]
    fn smoother_waits_four_runs() {
        let mut s = KSmoother::default().update(2, 2..=5);
        assert_eq!(s.smoothed_k, Some(2));
        // A new best k takes over on its fourth win in a row.
        for expected in [2, 2, 2, 3] {
            s = s.update(3, 2..=5);
            assert_eq!(s.smoothed_k, Some(expected));
        }
    }

    #[test]
    fn group_kmeans_separates_planted_groups() {
        let mut centers = Vec::new();
        for (cx, cy) in [(-5.0, 0.0), (5.0, 0.0), (0.0, 8.0)] {
            for i in 0..10 {
                centers.push([cx + (i as f64) * 0.05, cy - (i as f64) * 0.03]);
            }
        }
        let weights = vec![1.0; centers.len()];
        let groups = group_kmeans(&centers, &weights, 3, None, 1);
        let mut sets: Vec<Vec<usize>> = groups.iter().map(|g| g.members.clone()).collect();
        sets.sort();
        assert_eq!(sets, vec![(0..10).collect::<Vec<_>>(), (10..20).collect(), (20..30).collect()]);
    }

    #[test]
    fn nearest_center_finds_what_a_full_scan_finds_ties_included() {
        let mut rng = Rng(5);
        for round in 0..200 {
            // Whole-number coordinates on a small grid make ties and shared x values common.
            let grid = if round % 2 == 0 { 5 } else { 1000 };
            let coordinate = |rng: &mut Rng| rng.below(grid) as f64 - (grid / 2) as f64;
            let centers: Vec<[f64; 2]> =
                (0..1 + rng.below(120)).map(|_| [coordinate(&mut rng), coordinate(&mut rng)]).collect();
            let by_x = by_x(centers.iter().copied());
            for _ in 0..50 {
                let p = [coordinate(&mut rng) + 0.5 * rng.below(2) as f64, coordinate(&mut rng)];
                let mut scan = (f64::INFINITY, 0);
                for (j, c) in centers.iter().enumerate() {
                    if dist2(p, *c) < scan.0 {
                        scan = (dist2(p, *c), j);
                    }
                }
                assert_eq!(nearest_center(p, &by_x), scan.1, "point {p:?} among {centers:?}");
            }
        }
    }
}
