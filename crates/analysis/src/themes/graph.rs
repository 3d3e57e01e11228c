//! Themes as communities of neighbours: each input's nearest neighbours by cosine similarity
//! of character n-grams, and the leading eigenvectors of that graph's normalised adjacency
//! (spectral clustering, Ng, Jordan & Weiss 2001), on which k-means then runs.
//!
//! Why neighbours rather than k-means on the terms: a short answer shares few words with its
//! theme's centre, but it shares n-grams with a handful of answers like it (Danish compounds
//! — "plejehjemsbeboere", "beboerne på plejehjemmet" — share "plejehjem" and "beboer" as
//! character n-grams where they share no word), and a theme is a region where such
//! neighbourhoods overlap.

use super::Vector;
use super::cluster::{Dense, normalise};
use super::text::Analyzer;
use std::collections::HashMap;

/// Character n-gram lengths (of each content word padded by a space at both ends).
const GRAMS: std::ops::RangeInclusive<usize> = 3..=5;
/// Neighbours per input. Stable from 5 to 40 on the sets it was tried on; 15 is the usual
/// choice for spectral clustering on kNN graphs (von Luxburg 2007: of the order of log n).
pub const NEIGHBOURS: usize = 15;

/// TF-IDF of the character n-grams of each input's content words: sublinear term
/// frequency, smoothed idf, unit length. N-grams in a single input link nothing and are
/// left out. N-grams are numbered in the order of their hashes, so nothing depends on input
/// order.
pub fn char_grams(texts: &[String], analyzer: &Analyzer) -> Vec<Vector> {
    // N-grams are told apart by a 64-bit hash of their bytes (no string per n-gram; a
    // collision among a few million n-grams has a chance of about 10⁻⁷) and numbered in
    // the order of their hashes, which does not depend on input order.
    let mut docs: Vec<Vec<u64>> = Vec::with_capacity(texts.len());
    let mut padded = String::new();
    let mut bounds: Vec<usize> = Vec::new();
    for text in texts {
        let mut doc = Vec::new();
        for word in analyzer.words(text) {
            padded.clear();
            padded.push(' ');
            padded.push_str(&word);
            padded.push(' ');
            bounds.clear();
            bounds.extend(padded.char_indices().map(|(i, _)| i).chain([padded.len()]));
            let chars = bounds.len() - 1;
            for n in GRAMS {
                for start in 0..chars.saturating_sub(n - 1) {
                    doc.push(fnv1a(&padded.as_bytes()[bounds[start]..bounds[start + n]]));
                }
            }
        }
        docs.push(doc);
    }
    let mut hashes: Vec<u64> = docs.iter().flatten().copied().collect();
    hashes.sort_unstable();
    hashes.dedup();
    let docs = docs
        .into_iter()
        .map(|d| d.into_iter().map(|h| hashes.binary_search(&h).unwrap_or_default() as u32).collect())
        .collect();
    super::tfidf(docs, hashes.len(), 2)
}

/// FNV-1a, 64 bits.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

/// Each input's `k` nearest others by cosine similarity of their sparse unit vectors,
/// exactly: the products are accumulated through an inverted index (term → inputs).
pub fn sparse_neighbours(docs: &[&Vector], k: usize) -> Vec<Vec<(u32, f32)>> {
    let n = docs.len();
    let k = k.min(n.saturating_sub(1));
    let terms = docs.iter().flat_map(|d| d.iter().map(|(t, _)| *t as usize + 1)).max().unwrap_or(0);
    let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); terms];
    for (i, d) in docs.iter().enumerate() {
        for &(t, w) in d.iter() {
            postings[t as usize].push((i as u32, w as f32));
        }
    }
    let one = |i: usize, scores: &mut Vec<f32>| {
        scores.iter_mut().for_each(|s| *s = 0.0);
        for &(t, w) in docs[i].iter() {
            let w = w as f32;
            for &(j, v) in &postings[t as usize] {
                scores[j as usize] += w * v;
            }
        }
        // The best k so far, worst first; most inputs fall below the worst and cost one
        // comparison. Inputs sharing no n-gram are no neighbours, however few an input has.
        let mut best: Vec<(f32, u32)> = Vec::with_capacity(k + 1);
        for (j, &s) in scores.iter().enumerate() {
            if j == i || s <= 0.0 || (best.len() == k && s <= best[0].0) {
                continue;
            }
            // Equal similarities: the earlier input ranks higher.
            let at = best.partition_point(|&(t, r)| t < s || (t == s && r > j as u32));
            best.insert(at, (s, j as u32));
            if best.len() > k {
                best.remove(0);
            }
        }
        best.iter().rev().map(|&(s, j)| (j, s)).collect()
    };
    let half = n / 2;
    std::thread::scope(|scope| {
        let later = scope.spawn(|| {
            let mut scores = vec![0f32; n];
            (half..n).map(|i| one(i, &mut scores)).collect::<Vec<_>>()
        });
        let mut scores = vec![0f32; n];
        let mut out: Vec<Vec<(u32, f32)>> = (0..half).map(|i| one(i, &mut scores)).collect();
        out.extend(later.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        out
    })
}

/// The spectral embedding of the neighbour graph: the connectivity graph made symmetric
/// (½(A + Aᵀ)), regularised by a weak link between every pair of inputs (τ/n with τ the
/// mean degree; Amini et al. 2013), so small islands of near-duplicates do not each take an
/// eigenvector; the `dims` leading eigenvectors of D^-½ W D^-½. Each row is one input's
/// coordinates.
pub fn spectral(graph: &[Vec<(u32, f32)>], dims: usize) -> Dense {
    let n = graph.len();
    let dims = dims.min(n);
    // W as a symmetric list of (neighbour, weight).
    let mut links: Vec<HashMap<u32, f64>> = vec![HashMap::new(); n];
    for (i, row) in graph.iter().enumerate() {
        for &(j, _) in row {
            *links[i].entry(j).or_default() += 0.5;
            *links[j as usize].entry(i as u32).or_default() += 0.5;
        }
    }
    let adjacency: Vec<Vec<(u32, f64)>> = links
        .into_iter()
        .map(|m| {
            let mut row: Vec<(u32, f64)> = m.into_iter().collect();
            row.sort_unstable_by_key(|&(j, _)| j);
            row
        })
        .collect();
    let degree: Vec<f64> = adjacency.iter().map(|r| r.iter().map(|(_, w)| w).sum()).collect();
    let tau = degree.iter().sum::<f64>() / n.max(1) as f64;
    let teleport = tau / n.max(1) as f64;
    let scale: Vec<f64> = degree.iter().map(|d| 1.0 / (d + tau).sqrt()).collect();
    // (I + D^-½ W' D^-½) / 2 has the same eigenvectors with eigenvalues in [0, 1], as
    // Lanczos wants a positive semi-definite operator.
    let apply = |x: &[f64], out: &mut [f64]| {
        let scaled: Vec<f64> = x.iter().zip(&scale).map(|(a, s)| a * s).collect();
        let total: f64 = scaled.iter().sum();
        for (i, row) in adjacency.iter().enumerate() {
            let linked: f64 = row.iter().map(|&(j, w)| w * scaled[j as usize]).sum();
            out[i] = 0.5 * (x[i] + scale[i] * (linked + teleport * total));
        }
    };
    // The degrees as the start: it depends only on the graph, not on how inputs are ordered.
    let start: Vec<f64> = degree.iter().map(|d| d + 1.0).collect();
    let (_, vectors) = crate::linalg::top_eigen(n, dims, &start, apply);
    let mut embedding = Dense { dims, data: vec![0.0; n * dims] };
    for (c, v) in vectors.iter().enumerate() {
        for (i, x) in v.iter().enumerate() {
            embedding.data[i * dims + c] = *x;
        }
    }
    for i in 0..n {
        normalise(&mut embedding.data[i * dims..(i + 1) * dims]);
    }
    embedding
}

/// Newman's modularity of a partition of the neighbour graph (links made symmetric): the
/// share of links that fall inside themes minus the share expected if links fell at random
/// with the same degrees. Higher is a better partition; it is what an automatic k is
/// chosen by, because it asks of each candidate partition the question a theme answers —
/// do its inputs resemble each other more than chance would have them?
pub fn modularity(graph: &[Vec<(u32, f32)>], labels: &[usize], k: usize) -> f64 {
    let mut inside = vec![0.0f64; k];
    let mut degree = vec![0.0f64; k];
    let mut total = 0.0f64;
    for (i, row) in graph.iter().enumerate() {
        for &(j, _) in row {
            // Each directed link counts half from both ends: ½(A + Aᵀ).
            let (a, b) = (labels[i], labels[j as usize]);
            degree[a] += 0.5;
            degree[b] += 0.5;
            total += 1.0;
            if a == b {
                inside[a] += 1.0;
            }
        }
    }
    if total == 0.0 {
        return 0.0;
    }
    (0..k).map(|c| inside[c] / total - (degree[c] / total).powi(2)).sum()
}
