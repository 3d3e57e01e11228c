//! Themes in what people wrote: Danish terms (stems), TF-IDF vectors, spherical k-means
//! (cosine) with k chosen by the silhouette or given, a label per theme from its top terms
//! in the words people used, the most representative inputs, and near-duplicate groups.
//!
//! Pins let a person correct the result and keep the correction: a pin is a set of inputs
//! that must be one theme (assigning inputs, or merging two themes by pinning an input of
//! each), optionally with a name. A recomputation keeps every pin.

pub mod cluster;
pub mod lsa;
pub mod text;

use std::collections::HashMap;

use serde::Serialize;

use cluster::{Dense, cluster, normalise, silhouette};
use text::{Analyzer, SurfaceForms};

/// Inputs that must form (part of) one theme, optionally with the theme's name.
#[derive(Clone, Debug, Default)]
pub struct Pin {
    pub rows: Vec<usize>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Request {
    pub texts: Vec<String>,
    /// The number of themes; None chooses it (2..=12) by the silhouette.
    pub k: Option<usize>,
    pub pins: Vec<Pin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Theme {
    pub id: usize,
    pub label: String,
    /// Top terms, each in its most frequent surface form.
    pub terms: Vec<String>,
    pub size: usize,
    /// The inputs nearest the theme's centre (row indices).
    pub examples: Vec<usize>,
    /// Groups of (near-)identical inputs in the theme (row indices).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Vec<usize>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub themes: Vec<Theme>,
    /// Theme id per input, −1 for an input without content words.
    pub assignments: Vec<i64>,
}

/// A unit-length sparse vector: (term, weight), by term.
type Vector = Vec<(u32, f64)>;

const TERMS_PER_THEME: usize = 8;
const LABEL_TERMS: usize = 3;
const EXAMPLES: usize = 3;
const RESTARTS: usize = 8;
const MAX_AUTO_K: usize = 12;
/// Cosine above which two inputs count as near-duplicates.
const DUPLICATE: f64 = 0.9;

/// TF-IDF of the inputs: sublinear term frequency, smoothed idf, unit length. Every term
/// is kept, so every input with a content word gets a theme. Terms are numbered in
/// alphabetical order of their stems, so the result does not depend on input order.
pub fn vectorise(texts: &[String]) -> (Vec<Vector>, Vec<String>, SurfaceForms) {
    let analyzer = Analyzer::default();
    // Each distinct word is stemmed once: (its stem's provisional number, how often seen).
    let mut known: HashMap<String, (u32, usize)> = HashMap::new();
    let mut stems: HashMap<String, u32> = HashMap::new();
    let docs: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| {
            analyzer
                .words(t)
                .map(|w| {
                    if let Some(entry) = known.get_mut(&w) {
                        entry.1 += 1;
                        return entry.0;
                    }
                    let stem = analyzer.stem(&w);
                    let next = stems.len() as u32;
                    let id = *stems.entry(stem).or_insert(next);
                    known.insert(w, (id, 1));
                    id
                })
                .collect()
        })
        .collect();
    let mut vocabulary: Vec<(String, u32)> = stems.into_iter().collect();
    vocabulary.sort_unstable();
    let mut renumber = vec![0u32; vocabulary.len()];
    for (i, (_, provisional)) in vocabulary.iter().enumerate() {
        renumber[*provisional as usize] = i as u32;
    }
    let vocabulary: Vec<String> = vocabulary.into_iter().map(|(stem, _)| stem).collect();
    let mut forms = SurfaceForms::default();
    for (word, (id, count)) in &known {
        forms.add(&vocabulary[renumber[*id as usize] as usize], word, *count);
    }
    let docs: Vec<Vec<u32>> = docs
        .into_iter()
        .map(|d| {
            let mut d: Vec<u32> = d.into_iter().map(|t| renumber[t as usize]).collect();
            d.sort_unstable();
            d
        })
        .collect();
    let mut df = vec![0usize; vocabulary.len()];
    for d in &docs {
        for (i, &t) in d.iter().enumerate() {
            if i == 0 || d[i - 1] != t {
                df[t as usize] += 1;
            }
        }
    }
    let n = texts.len() as f64;
    let vectors = docs
        .iter()
        .map(|d| {
            // Runs of equal terms in the sorted document are its term counts.
            let mut v: Vector = Vec::new();
            for (i, &t) in d.iter().enumerate() {
                if i > 0 && d[i - 1] == t {
                    continue;
                }
                let count = d[i..].iter().take_while(|&&x| x == t).count() as f64;
                let idf = ((1.0 + n) / (1.0 + df[t as usize] as f64)).ln() + 1.0;
                v.push((t, (1.0 + count.ln()) * idf));
            }
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect();
    (vectors, vocabulary, forms)
}

fn dot_dense(v: &Vector, c: &[f64]) -> f64 {
    v.iter().map(|(i, w)| w * c[*i as usize]).sum()
}

fn dot_sparse(a: &Vector, b: &Vector) -> f64 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                s += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// Pins as disjoint row sets (pins sharing a row are one), each with its name.
fn merge_pins(pins: &[Pin], n: usize) -> Vec<(Vec<usize>, Option<String>)> {
    let mut parent: Vec<usize> = (0..pins.len()).collect();
    fn find(p: &mut [usize], x: usize) -> usize {
        let mut r = x;
        while p[r] != r {
            r = p[r];
        }
        p[x] = r;
        r
    }
    let mut owner: HashMap<usize, usize> = HashMap::new();
    for (pi, pin) in pins.iter().enumerate() {
        for &r in pin.rows.iter().filter(|&&r| r < n) {
            if let Some(&other) = owner.get(&r) {
                let (a, b) = (find(&mut parent, pi), find(&mut parent, other));
                parent[a] = b;
            } else {
                owner.insert(r, pi);
            }
        }
    }
    let mut groups: Vec<(usize, Vec<usize>, Option<String>)> = Vec::new();
    for (pi, pin) in pins.iter().enumerate() {
        let root = find(&mut parent, pi);
        let pos = match groups.iter().position(|g| g.0 == root) {
            Some(p) => p,
            None => {
                groups.push((root, Vec::new(), None));
                groups.len() - 1
            }
        };
        groups[pos].1.extend(pin.rows.iter().copied().filter(|&r| r < n));
        if pin.name.is_some() {
            groups[pos].2 = pin.name.clone();
        }
    }
    groups
        .into_iter()
        .map(|(_, mut rows, name)| {
            rows.sort_unstable();
            rows.dedup();
            (rows, name)
        })
        .collect()
}

/// Dimensions of the reduced (LSA) space the inputs are clustered in (at least twice the
/// themes asked for). On SIB-200, 20 to 50 dimensions found the topics better than 100
/// (docs/benchmark.md).
const LSA_DIMS: usize = 30;
/// Inputs from which the reduced space is used; fewer are clustered on the terms directly.
const LSA_FROM: usize = 50;

/// Finds the themes.
pub fn themes(req: &Request) -> Outcome {
    let (vectors, vocabulary, forms) = vectorise(&req.texts);
    let rows: Vec<usize> = (0..vectors.len()).filter(|&i| !vectors[i].is_empty()).collect();
    let docs: Vec<&Vector> = rows.iter().map(|&i| &vectors[i]).collect();
    let position: HashMap<usize, usize> = rows.iter().enumerate().map(|(p, &r)| (r, p)).collect();
    let pins: Vec<(Vec<usize>, Option<String>)> = merge_pins(&req.pins, req.texts.len())
        .into_iter()
        .map(|(r, name)| (r.into_iter().filter_map(|x| position.get(&x).copied()).collect::<Vec<_>>(), name))
        .filter(|(r, _)| !r.is_empty())
        .collect();
    let mut fixed = vec![None; docs.len()];
    for (c, (members, _)) in pins.iter().enumerate() {
        for &p in members {
            fixed[p] = Some(c);
        }
    }
    let dims = vocabulary.len();
    let n = docs.len();
    let mut assignments = vec![-1i64; req.texts.len()];
    if n == 0 {
        return Outcome { themes: Vec::new(), assignments };
    }
    // Clustered in the reduced space when there are enough inputs, else on the terms.
    let space = if n >= LSA_FROM {
        lsa::lsa(&docs, dims, LSA_DIMS.max(2 * req.k.unwrap_or(0)).min(n / 2))
    } else {
        let mut dense = Dense { dims, data: vec![0.0; n * dims] };
        for (i, d) in docs.iter().enumerate() {
            for (t, w) in d.iter() {
                dense.data[i * dims + *t as usize] = *w;
            }
        }
        dense
    };
    let k = match req.k {
        Some(k) => k.max(pins.len()).min(n.max(1)),
        None => {
            let upper = MAX_AUTO_K.min(n / 2).max(pins.len()).max(2).min(n.max(1));
            let lower = 2.max(pins.len()).min(upper);
            let mut best = (lower, f64::NEG_INFINITY);
            for k in lower..=upper {
                let labels = cluster(&space, k, &fixed, 3).labels;
                let s = silhouette(&space, &labels, k);
                if s > best.1 + 1e-9 {
                    best = (k, s);
                }
            }
            best.0
        }
    };
    let labels = cluster(&space, k, &fixed, RESTARTS).labels;
    // Labels and examples come from the terms: each theme's centre in TF-IDF space.
    let mut centres = vec![vec![0.0; dims]; k];
    for (p, d) in docs.iter().enumerate() {
        for (t, w) in d.iter() {
            centres[labels[p]][*t as usize] += w;
        }
    }
    for c in &mut centres {
        normalise(c);
    }

    // Themes in order of size (largest first), pinned ones keep their names.
    let mut order: Vec<usize> = (0..k).collect();
    let sizes: Vec<usize> = (0..k).map(|c| labels.iter().filter(|&&l| l == c).count()).collect();
    order.sort_by(|&a, &b| sizes[b].cmp(&sizes[a]).then(a.cmp(&b)));
    order.retain(|&c| sizes[c] > 0);
    let mut themes = Vec::new();
    for (id, &c) in order.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&p| labels[p] == c).collect();
        for &p in &members {
            assignments[rows[p]] = id as i64;
        }
        let mut top: Vec<(usize, f64)> = centres[c].iter().copied().enumerate().filter(|(_, w)| *w > 0.0).collect();
        top.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let terms: Vec<String> = top.iter().take(TERMS_PER_THEME).map(|(t, _)| forms.best(&vocabulary[*t])).collect();
        let mut nearest: Vec<(usize, f64)> = members.iter().map(|&p| (p, dot_dense(docs[p], &centres[c]))).collect();
        nearest.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let name = pins.get(c).and_then(|(_, name)| name.clone());
        themes.push(Theme {
            id,
            label: name.unwrap_or_else(|| terms.iter().take(LABEL_TERMS).cloned().collect::<Vec<_>>().join(", ")),
            terms,
            size: members.len(),
            examples: nearest.iter().take(EXAMPLES).map(|(p, _)| rows[*p]).collect(),
            duplicates: duplicates(&docs, &members)
                .into_iter()
                .map(|g| g.into_iter().map(|p| rows[p]).collect())
                .collect(),
        });
    }
    Outcome { themes, assignments }
}

/// Near-duplicate groups among `members`: inputs are compared only with those sharing
/// their strongest term, which near-duplicates always do.
fn duplicates(docs: &[&Vector], members: &[usize]) -> Vec<Vec<usize>> {
    let mut buckets: HashMap<u32, Vec<usize>> = HashMap::new();
    for &p in members {
        if let Some((t, _)) = docs[p].iter().max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0))) {
            buckets.entry(*t).or_default().push(p);
        }
    }
    let mut parent: HashMap<usize, usize> = HashMap::new();
    fn root(parent: &HashMap<usize, usize>, mut x: usize) -> usize {
        while let Some(&p) = parent.get(&x) {
            if p == x {
                break;
            }
            x = p;
        }
        x
    }
    let mut bucket_list: Vec<&Vec<usize>> = buckets.values().collect();
    bucket_list.sort();
    for bucket in bucket_list {
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                if dot_sparse(docs[a], docs[b]) >= DUPLICATE {
                    let (ra, rb) = (root(&parent, a), root(&parent, b));
                    if ra != rb {
                        parent.insert(ra.max(rb), ra.min(rb));
                        parent.entry(ra.min(rb)).or_insert(ra.min(rb));
                    }
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for &p in parent.keys() {
        groups.entry(root(&parent, p)).or_default().push(p);
    }
    let mut out: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_unstable();
            g
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn corpus() -> Vec<String> {
        let mut t = Vec::new();
        for i in 0..12 {
            t.push(format!("Møderne er for lange og møder starter for sent, mødekulturen {i}"));
            t.push(format!("Vi mangler parkering ved rådhuset, parkeringspladser er fyldt {i}"));
            t.push(format!("Kantinen serverer god mad, maden i kantinen er billig {i}"));
        }
        t
    }

    #[test]
    fn clear_themes_are_found_and_labelled_in_surface_forms() {
        let out = themes(&Request { texts: corpus(), k: None, pins: Vec::new() });
        assert_eq!(out.themes.len(), 3, "{:?}", out.themes.iter().map(|t| &t.label).collect::<Vec<_>>());
        for (i, a) in out.assignments.iter().enumerate() {
            assert_eq!(*a, out.assignments[i % 3], "input {i} with its kind");
        }
        let labels: Vec<&str> = out.themes.iter().map(|t| t.label.as_str()).collect();
        assert!(labels.iter().any(|l| l.contains("kantinen") || l.contains("maden")), "{labels:?}");
        assert!(labels.iter().all(|l| !l.contains("kantin,")), "labels use words, not stems: {labels:?}");
    }

    #[test]
    fn pins_are_kept_and_named() {
        // Pin a parking input together with a canteen input: they must share a theme.
        let pins = vec![Pin { rows: vec![1, 2], name: Some("Hverdagen".into()) }];
        let out = themes(&Request { texts: corpus(), k: Some(3), pins });
        assert_eq!(out.assignments[1], out.assignments[2]);
        let theme = &out.themes[out.assignments[1] as usize];
        assert_eq!(theme.label, "Hverdagen");
    }

    #[test]
    fn duplicates_and_empty_inputs() {
        let t = texts(&[
            "Bedre kaffe i kantinen",
            "bedre kaffe i kantinen!",
            "og det er",
            "",
            "Længere åbningstid i kantinen",
        ]);
        let out = themes(&Request { texts: t, k: Some(1), pins: Vec::new() });
        assert_eq!(out.assignments[2], -1, "only stop words");
        assert_eq!(out.assignments[3], -1, "empty");
        assert!(out.themes[0].duplicates.contains(&vec![0, 1]));
    }

    #[test]
    fn nothing_to_cluster() {
        let out = themes(&Request { texts: Vec::new(), k: None, pins: Vec::new() });
        assert!(out.themes.is_empty());
        let out = themes(&Request { texts: texts(&["kantine"]), k: Some(5), pins: Vec::new() });
        assert_eq!(out.themes.len(), 1);
    }
}
