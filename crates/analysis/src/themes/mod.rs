//! Themes in what people wrote: the inputs' nearest neighbours by character n-grams, the
//! neighbour graph's spectral embedding clustered by spherical k-means (graph.rs), k given
//! or chosen by modularity; labels from the terms that set a theme apart (labels.rs) in
//! the words people used; the most representative inputs; and near-duplicate groups.
//!
//! Pins let a person correct the result and keep the correction: a pin is a set of inputs
//! that must be one theme (assigning inputs, or merging two themes by pinning an input of
//! each), optionally with a name. A recomputation keeps every pin.

pub mod cluster;
pub mod graph;
pub mod labels;
pub mod lsa;
pub mod text;

use std::collections::HashMap;

use serde::Serialize;

use cluster::{Dense, cluster, cluster_from, normalise, silhouette};
use text::Analyzer;

/// Inputs that must form (part of) one theme, optionally with the theme's name.
#[derive(Clone, Debug, Default)]
pub struct Pin {
    pub rows: Vec<usize>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Request {
    pub texts: Vec<String>,
    /// The number of themes; None chooses it (from 2 to √(n/2), at most 30) by the
    /// modularity of the themes on the neighbour graph.
    pub k: Option<usize>,
    pub pins: Vec<Pin>,
    /// The theme of each input in an earlier run (its `assignments`; −1 or beyond the end
    /// for an input that is new). When given, the rerun starts from the earlier themes and
    /// keeps their number unless `k` says otherwise, so inputs stay where they were unless
    /// the new ones move them, and a theme keeps its id.
    pub previous: Vec<i64>,
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
/// Cosine above which two inputs count as near-duplicates.
const DUPLICATE: f64 = 0.9;

/// TF-IDF of the inputs: sublinear term frequency, smoothed idf, unit length. Every term
/// is kept, so every input with a content word gets a theme. Terms are numbered in
/// alphabetical order of their stems, so the result does not depend on input order.
pub fn vectorise(texts: &[String]) -> (Vec<Vector>, Vec<String>) {
    let analyzer = Analyzer::default();
    // Each distinct word is stemmed once, to its stem's provisional number.
    let mut known: HashMap<String, u32> = HashMap::new();
    let mut stems: HashMap<String, u32> = HashMap::new();
    let docs: Vec<Vec<u32>> = texts
        .iter()
        .map(|t| {
            analyzer
                .words(t)
                .map(|w| {
                    if let Some(&id) = known.get(&w) {
                        return id;
                    }
                    let next = stems.len() as u32;
                    let id = *stems.entry(analyzer.stem(&w)).or_insert(next);
                    known.insert(w, id);
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
    let docs = docs.into_iter().map(|d| d.into_iter().map(|t| renumber[t as usize]).collect()).collect();
    (tfidf(docs, vocabulary.len(), 1), vocabulary)
}

/// Sublinear TF-IDF with smoothed idf, unit length, of documents given as term numbers
/// below `terms`; terms in fewer than `min_df` documents are left out.
fn tfidf(mut docs: Vec<Vec<u32>>, terms: usize, min_df: u32) -> Vec<Vector> {
    let mut df = vec![0u32; terms];
    for d in &mut docs {
        d.sort_unstable();
        for (i, &t) in d.iter().enumerate() {
            if i == 0 || d[i - 1] != t {
                df[t as usize] += 1;
            }
        }
    }
    let n = docs.len() as f64;
    docs.iter()
        .map(|d| {
            // Runs of equal terms in the sorted document are its term counts.
            let mut v: Vector = Vec::new();
            for run in d.chunk_by(|a, b| a == b) {
                let t = run[0];
                if df[t as usize] < min_df {
                    continue;
                }
                let idf = ((1.0 + n) / (1.0 + f64::from(df[t as usize]))).ln() + 1.0;
                v.push((t, (1.0 + (run.len() as f64).ln()) * idf));
            }
            let norm = v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, w)| *w /= norm);
            }
            v
        })
        .collect()
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

/// The most themes an automatic choice considers: √(n/2), at least 2 and at most 30 — a
/// theme should hold a few inputs on average, and a facilitator cannot read more than
/// a few dozen themes.
fn auto_k_upper(n: usize) -> usize {
    ((n as f64 / 2.0).sqrt() as usize).clamp(2, 30).min(n.max(1))
}

/// The first `k` coordinates of each row, unit length again.
fn leading(embedding: &Dense, k: usize) -> Dense {
    let k = k.min(embedding.dims).max(1);
    let mut out = Dense { dims: k, data: Vec::with_capacity(embedding.len() * k) };
    for i in 0..embedding.len() {
        let start = out.data.len();
        out.data.extend_from_slice(&embedding.row(i)[..k]);
        normalise(&mut out.data[start..]);
    }
    out
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

/// Inputs from which themes are found through the neighbour graph; fewer are clustered on
/// their terms directly (a graph of 15 neighbours needs several times that many inputs).
const GRAPH_FROM: usize = 50;
/// Inputs up to which themes are found through the neighbour graph. Its neighbours are
/// exact (every pair's similarity, through an inverted index), which grows with the square
/// of the inputs; above this, inputs are clustered in a 30-dimensional LSA space of their
/// words, as before the graph, until neighbours are found approximately.
const GRAPH_UP_TO: usize = 12_000;
/// Dimensions of the LSA space for more than [`GRAPH_UP_TO`] inputs (at least twice the
/// themes asked for).
const LSA_DIMS: usize = 30;

/// How the inputs were placed for clustering, and how k is chosen when it is not given.
enum Placement {
    /// Coordinates on the neighbour graph's leading eigenvectors; k by modularity.
    Graph { embedding: Dense, neighbours: Vec<Vec<(u32, f32)>> },
    /// Term or LSA coordinates; k by the silhouette.
    Space(Dense),
}

/// Finds the themes.
pub fn themes(req: &Request) -> Outcome {
    let (vectors, vocabulary) = vectorise(&req.texts);
    let rows: Vec<usize> = (0..vectors.len()).filter(|&i| !vectors[i].is_empty()).collect();
    let docs: Vec<&Vector> = rows.iter().map(|&i| &vectors[i]).collect();
    // The texts of the inputs with content, in the order of `docs`.
    let texts: Vec<String> = rows.iter().map(|&r| req.texts[r].clone()).collect();
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
    // The earlier themes, each as a starting cluster after the pinned ones (a theme whose
    // inputs are mostly in one pin starts as that pin), in the order of their ids.
    let earlier = earlier_starts(&req.previous, &rows, &fixed, pins.len());
    let upper = auto_k_upper(n).max(pins.len()).min(n);
    let lower = 2.max(pins.len()).min(upper);
    let given = req.k.or(earlier.as_ref().map(|e| e.clusters)).map(|k| k.max(pins.len()).min(n));
    let placement = if (GRAPH_FROM..=GRAPH_UP_TO).contains(&n) {
        let grams = graph::char_grams(&texts, &Analyzer::default());
        let gram_refs: Vec<&Vector> = grams.iter().collect();
        let neighbours = graph::sparse_neighbours(&gram_refs, graph::NEIGHBOURS);
        let embedding = graph::spectral(&neighbours, given.unwrap_or(upper).max(2));
        Placement::Graph { embedding, neighbours }
    } else if n > GRAPH_UP_TO {
        Placement::Space(lsa::lsa(&docs, dims, LSA_DIMS.max(2 * given.unwrap_or(0)).min(n / 2)))
    } else {
        let mut dense = Dense { dims, data: vec![0.0; n * dims] };
        for (i, d) in docs.iter().enumerate() {
            for (t, w) in d.iter() {
                dense.data[i * dims + *t as usize] = *w;
            }
        }
        Placement::Space(dense)
    };
    // k given, or the best from lower to upper: each candidate quickly clustered and
    // judged by the modularity of its partition on the neighbour graph (see graph.rs), or
    // without a graph by the silhouette.
    let k = given.unwrap_or_else(|| {
        let mut best = (lower, f64::NEG_INFINITY);
        for k in lower..=upper {
            let quality = match &placement {
                Placement::Graph { embedding, neighbours } => {
                    let labels = cluster(&leading(embedding, k), k, &fixed, 3).labels;
                    graph::modularity(neighbours, &labels, k)
                }
                Placement::Space(space) => silhouette(space, &cluster(space, k, &fixed, 3).labels, k),
            };
            if quality > best.1 + 1e-9 {
                best = (k, quality);
            }
        }
        best.0
    });
    let space = match placement {
        Placement::Graph { embedding, .. } => leading(&embedding, k),
        Placement::Space(space) => space,
    };
    let labels = match &earlier {
        Some(e) => cluster_from(&space, k, &fixed, &e.start, RESTARTS).labels,
        None => cluster(&space, k, &fixed, RESTARTS).labels,
    };
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

    // Themes in order of size (largest first), pinned ones keep their names; in a rerun the
    // earlier themes come first in the order of their earlier ids, so each keeps its id.
    let mut order: Vec<usize> = (0..k).collect();
    let sizes: Vec<usize> = (0..k).map(|c| labels.iter().filter(|&&l| l == c).count()).collect();
    let rank = |c: usize| earlier.as_ref().and_then(|e| e.earlier_id.get(&c).copied()).unwrap_or(i64::MAX);
    order.sort_by(|&a, &b| rank(a).cmp(&rank(b)).then(sizes[b].cmp(&sizes[a])).then(a.cmp(&b)));
    order.retain(|&c| sizes[c] > 0);
    let mut themes = Vec::new();
    // Terms: what sets each theme apart from the others (see labels.rs).
    let theme_of: Vec<Option<usize>> = labels.iter().map(|&l| Some(l)).collect();
    let ranked = labels::Terms::read(&texts, &text::Analyzer::for_labels()).rank(&theme_of, k, TERMS_PER_THEME);
    for (id, &c) in order.iter().enumerate() {
        let members: Vec<usize> = (0..n).filter(|&p| labels[p] == c).collect();
        for &p in &members {
            assignments[rows[p]] = id as i64;
        }
        let terms = ranked[c].clone();
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

/// Where a rerun starts: a cluster per earlier theme, and each input's starting cluster.
struct Earlier {
    /// Starting cluster per input with content (in the order of `rows`).
    start: Vec<Option<usize>>,
    /// How many clusters the earlier themes and the pins make.
    clusters: usize,
    /// The earlier theme id of each cluster that continues one.
    earlier_id: HashMap<usize, i64>,
}

/// The earlier run's themes as starting clusters, or None when there was none. `rows` are
/// the inputs with content, `fixed` their pins; clusters 0..pins are the pins.
fn earlier_starts(previous: &[i64], rows: &[usize], fixed: &[Option<usize>], pins: usize) -> Option<Earlier> {
    let mut members: std::collections::BTreeMap<i64, Vec<usize>> = std::collections::BTreeMap::new();
    for (p, &r) in rows.iter().enumerate() {
        if let Some(&id) = previous.get(r).filter(|&&id| id >= 0) {
            members.entry(id).or_default().push(p);
        }
    }
    if members.is_empty() {
        return None;
    }
    let mut start: Vec<Option<usize>> = fixed.to_vec();
    let mut earlier_id = HashMap::new();
    let mut clusters = pins;
    for (id, inputs) in members {
        // A theme most of whose inputs are pinned to one pin continues as that pin.
        let mut in_pin: HashMap<usize, usize> = HashMap::new();
        for &p in &inputs {
            if let Some(c) = fixed[p] {
                *in_pin.entry(c).or_default() += 1;
            }
        }
        let cluster = match in_pin.into_iter().max_by_key(|&(c, count)| (count, std::cmp::Reverse(c))) {
            Some((c, count)) if 2 * count > inputs.len() => c,
            _ => {
                clusters += 1;
                clusters - 1
            }
        };
        earlier_id.entry(cluster).or_insert(id);
        for p in inputs {
            if fixed[p].is_none() {
                start[p] = Some(cluster);
            }
        }
    }
    Some(Earlier { start, clusters, earlier_id })
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
    // Union-find over the inputs (path halving); a pair already in one group is not
    // compared again, so a large group of near-identical inputs costs little more than
    // its size, not its size squared in similarity computations.
    let mut parent: Vec<usize> = (0..docs.len()).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut bucket_list: Vec<&Vec<usize>> = buckets.values().collect();
    bucket_list.sort();
    for bucket in bucket_list {
        for (i, &a) in bucket.iter().enumerate() {
            for &b in &bucket[i + 1..] {
                let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
                if ra != rb && dot_sparse(docs[a], docs[b]) >= DUPLICATE {
                    parent[ra.max(rb)] = ra.min(rb);
                }
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for &p in members {
        groups.entry(root(&mut parent, p)).or_default().push(p);
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
        let out = themes(&Request { texts: corpus(), k: None, pins: Vec::new(), ..Default::default() });
        assert_eq!(out.themes.len(), 3, "{:?}", out.themes.iter().map(|t| &t.label).collect::<Vec<_>>());
        for (i, a) in out.assignments.iter().enumerate() {
            assert_eq!(*a, out.assignments[i % 3], "input {i} with its kind");
        }
        let labels: Vec<&str> = out.themes.iter().map(|t| t.label.as_str()).collect();
        assert!(labels.iter().any(|l| l.contains("kantinen") || l.contains("maden")), "{labels:?}");
        assert!(labels.iter().all(|l| !l.contains("kantin,")), "labels use words, not stems: {labels:?}");
    }

    /// 60 inputs in three kinds, worded differently each time (compounds and inflections
    /// of a few words per kind): enough for the neighbour graph.
    fn varied_corpus() -> (Vec<String>, Vec<usize>) {
        let kinds: [&[&str]; 3] = [
            &[
                "plejehjemmet",
                "plejehjemsbeboerne",
                "beboerne",
                "ældreplejen",
                "hjemmeplejen",
                "besøg",
                "plejepersonale",
            ],
            &["parkeringspladser", "parkering", "trafikken", "cykelstier", "vejene", "busserne", "trafiksikkerhed"],
            &["skolen", "folkeskolen", "lærerne", "eleverne", "skolebørn", "undervisningen", "klasserne"],
        ];
        let openings =
            ["Vi ønsker bedre", "Der mangler", "Det er vigtigt med", "Kommunen bør se på", "Borgerne savner"];
        let (mut texts, mut truth) = (Vec::new(), Vec::new());
        for i in 0..20 {
            for (kind, words) in kinds.iter().enumerate() {
                let pick = |j: usize| words[(i * 3 + j * 2 + kind) % words.len()];
                texts.push(format!(
                    "{} {} og {}, især {}",
                    openings[(i + kind) % openings.len()],
                    pick(0),
                    pick(1),
                    pick(2)
                ));
                truth.push(kind);
            }
        }
        (texts, truth)
    }

    #[test]
    fn the_neighbour_graph_finds_the_kinds_and_their_number() {
        let (texts, truth) = varied_corpus();
        let out = themes(&Request { texts, k: None, pins: Vec::new(), ..Default::default() });
        assert_eq!(out.themes.len(), 3, "{:?}", out.themes.iter().map(|t| &t.label).collect::<Vec<_>>());
        for (i, a) in out.assignments.iter().enumerate() {
            let first_of_kind = truth.iter().position(|&k| k == truth[i]).unwrap_or(0);
            assert_eq!(*a, out.assignments[first_of_kind], "input {i} with its kind");
        }
        let analyzer = Analyzer::for_labels();
        for theme in &out.themes {
            assert!(theme.terms.iter().flat_map(|t| t.split(' ')).all(|w| !analyzer.is_stop(w)), "{:?}", theme.terms);
        }
    }

    #[test]
    fn pins_hold_on_the_neighbour_graph_too() {
        let (texts, _) = varied_corpus();
        let pins = vec![Pin { rows: vec![0, 1], name: Some("Hverdagen".into()) }];
        let out = themes(&Request { texts, k: Some(3), pins, ..Default::default() });
        assert_eq!(out.assignments[0], out.assignments[1], "a care input pinned to a traffic input");
        assert_eq!(out.themes[out.assignments[0] as usize].label, "Hverdagen");
    }

    #[test]
    fn a_rerun_keeps_the_earlier_themes_and_their_ids_and_places_the_new_inputs() {
        let (texts, truth) = varied_corpus();
        let earlier = 54;
        // The earlier run's ids, numbered differently from what a fresh run would choose,
        // one kind split in two by parity (a split a facilitator may have accepted), and
        // one input put with the wrong kind.
        let mut previous: Vec<i64> = truth[..earlier].iter().map(|&k| [2, 0, 1][k]).collect();
        for (p, id) in previous.iter_mut().enumerate() {
            if truth[p] == 0 && p % 2 == 1 {
                *id = 3;
            }
        }
        let misplaced = truth.iter().position(|&k| k == 1).unwrap_or(0);
        previous[misplaced] = 2;
        let fresh = themes(&Request { texts: texts.clone(), ..Default::default() });
        assert_eq!(fresh.themes.len(), 3, "without an earlier run the kinds are three themes");

        let out = themes(&Request { texts, previous: previous.clone(), ..Default::default() });
        assert_eq!(out.themes.len(), 4, "the rerun keeps the earlier number of themes");
        for (p, &id) in previous.iter().enumerate().filter(|&(p, _)| p != misplaced) {
            assert_eq!(out.assignments[p], id, "earlier input {p} keeps its theme id");
        }
        assert_eq!(out.assignments[misplaced], 0, "an input clearly of another theme moves to it");
        for p in earlier..truth.len() {
            let with = (0..earlier).find(|&q| q != misplaced && truth[q] == truth[p]).map(|q| previous[q]);
            if truth[p] != 0 {
                assert_eq!(Some(out.assignments[p]), with, "new input {p} joins its kind");
            } else {
                assert!([2, 3].contains(&out.assignments[p]), "new input {p} joins one half of its kind");
            }
        }
    }

    #[test]
    fn pins_are_kept_and_named() {
        // Pin a parking input together with a canteen input: they must share a theme.
        let pins = vec![Pin { rows: vec![1, 2], name: Some("Hverdagen".into()) }];
        let out = themes(&Request { texts: corpus(), k: Some(3), pins, ..Default::default() });
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
        let out = themes(&Request { texts: t, k: Some(1), pins: Vec::new(), ..Default::default() });
        assert_eq!(out.assignments[2], -1, "only stop words");
        assert_eq!(out.assignments[3], -1, "empty");
        assert!(out.themes[0].duplicates.contains(&vec![0, 1]));
    }

    #[test]
    fn nothing_to_cluster() {
        let out = themes(&Request { texts: Vec::new(), k: None, pins: Vec::new(), ..Default::default() });
        assert!(out.themes.is_empty());
        let out = themes(&Request { texts: texts(&["kantine"]), k: Some(5), pins: Vec::new(), ..Default::default() });
        assert_eq!(out.themes.len(), 1);
    }
}
