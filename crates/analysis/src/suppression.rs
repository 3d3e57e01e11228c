//! Which figures of a table may be shown so that nothing about fewer than `k` people can be
//! worked out from them: not by reading a figure, not by subtracting one from another (a
//! parent minus its visible children, one filter minus another, a total minus its waves), and
//! not by someone who knows their own answer and subtracts it.
//!
//! The figures are sums (a count, a sum of scores) over the finest groups of people, the
//! *parts* (the people of one unit in one wave with one filter value). Each figure is a vector
//! over the parts; anything that can be computed from the shown figures by adding and
//! subtracting is a vector in their linear span. A figure or part with from 1 to k − 1 people
//! is *protected*: its vector must stay outside the span of what is shown, and also outside
//! the span of what is shown plus any single part of one person (that person knows their own
//! contribution). A part of no one is known to be empty, and figures of no one are shown.
//!
//! The method is our own version of Gaussian-elimination suppression (Langsrud 2024,
//! Statistics Norway's GaussSuppression): the protected figures are hidden (primary); the
//! others are taken largest first, and each is shown unless showing it would bring a protected
//! vector into reach, in which case it is hidden too (secondary). Reach is decided in the
//! quotient space modulo the shown figures: the canonical residual of every protected vector
//! is kept, and a protected vector comes into reach when its residual becomes zero, or
//! parallel to the residual of a one-person part. Vectors may be given in any coordinates
//! (see [`tree`]), as the span does not depend on them; sparse coordinates keep it fast.

use std::collections::{BTreeMap, HashMap};

/// A sparse vector: (coordinate, value), coordinates ascending and distinct, no zeros.
pub type Sparse = Vec<(usize, f64)>;

/// A figure that could be shown, or a part, with the number of people it covers.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    pub vector: Sparse,
    pub people: u64,
}

/// Why a figure is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hidden {
    /// It covers from 1 to k − 1 people.
    Primary,
    /// Showing it would let a protected figure or part be worked out.
    Secondary,
}

/// Values this close to zero are zero (the vectors hold small rationals).
const EPS: f64 = 1e-9;

/// Decides which figures are shown: `None` for shown, else why hidden. `parts` are the finest
/// groups, which need not be figures themselves (a unit's own staff, where only its subtree is
/// shown); those with 1 to k − 1 people are protected, and one-person parts are the insiders.
pub fn suppress(figures: &[Figure], parts: &[Figure], k: u64) -> Vec<Option<Hidden>> {
    let small = |f: &Figure| f.people > 0 && f.people < k;
    let mut out: Vec<Option<Hidden>> = figures.iter().map(|f| small(f).then_some(Hidden::Primary)).collect();
    let mut span = Span::default();
    // The protected vectors: small figures and small parts; insiders are one-person parts.
    let mut protected: Vec<Sparse> = Vec::new();
    let mut insiders: Vec<usize> = Vec::new();
    for f in figures.iter().filter(|f| small(f)) {
        protected.push(clean(&f.vector));
    }
    for p in parts.iter().filter(|p| small(p)) {
        if p.people == 1 {
            insiders.push(protected.len());
        }
        protected.push(clean(&p.vector));
    }
    protected.retain(|v| !v.is_empty());
    // A part of no one is known to add nothing: it is in the span from the start.
    for p in parts.iter().filter(|p| p.people == 0) {
        let v = span.reduce(&p.vector);
        if let Some(&(pivot, _)) = v.last() {
            eliminate(&mut protected, pivot, &v);
            span.add(pivot, v);
        }
    }
    let mut order: Vec<usize> = (0..figures.len()).filter(|&i| out[i].is_none()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(figures[i].people), i));
    for i in order {
        let v = span.reduce(&figures[i].vector);
        let Some(&(pivot, _)) = v.last() else { continue }; // known already: shown for free
        if reaches(&v, pivot, &protected, &insiders) {
            out[i] = Some(Hidden::Secondary);
            continue;
        }
        eliminate(&mut protected, pivot, &v);
        span.add(pivot, v);
    }
    out
}

/// Takes a new basis vector out of the protected residuals.
fn eliminate(protected: &mut [Sparse], pivot: usize, v: &Sparse) {
    for r in protected.iter_mut() {
        if let Some(x) = get(r, pivot) {
            *r = axpy(r, -x / value_at(v, pivot), v);
        }
    }
}

/// Whether adding the residual `v` (with its largest coordinate `pivot`) to the shown span
/// brings a protected vector into reach, alone or with one insider's part.
fn reaches(v: &Sparse, pivot: usize, protected: &[Sparse], insiders: &[usize]) -> bool {
    let vp = value_at(v, pivot);
    // After adding v, residual r becomes r − (r[pivot]/v[pivot])·v, which is zero exactly
    // when r is parallel to v, and which lies in span(insider) exactly when v lies in
    // span(r, insider residual). Only residuals touching the pivot change.
    let mut after: HashMap<usize, Sparse> = HashMap::new();
    for (p, r) in protected.iter().enumerate() {
        if let Some(x) = get(r, pivot) {
            let moved = axpy(r, -x / vp, v);
            if is_zero(&moved) {
                return true;
            }
            after.insert(p, moved);
        }
    }
    let now = |p: usize| after.get(&p).unwrap_or(&protected[p]);
    // A pair already parallel is one group of people written twice (the same person).
    let pair_reached =
        |p: usize, s: usize| p != s && parallel(now(p), now(s)) && !parallel(&protected[p], &protected[s]);
    // A pair (p, s) comes into reach only if one of them touches the pivot.
    after.keys().any(|&p| insiders.iter().any(|&s| pair_reached(p, s)))
        || insiders.iter().filter(|s| after.contains_key(s)).any(|&s| (0..protected.len()).any(|p| pair_reached(p, s)))
}

/// The shown figures' span, in echelon form: each basis vector keyed by its largest
/// coordinate, which no other basis vector has as its own largest.
#[derive(Default)]
struct Span {
    basis: HashMap<usize, Sparse>,
}

impl Span {
    /// The canonical residual of `x`: `x` minus what the span explains, with no pivot
    /// coordinate left (so equal residuals mean equal modulo the span).
    fn reduce(&self, x: &Sparse) -> Sparse {
        let mut work: BTreeMap<usize, f64> = x.iter().copied().collect();
        let mut out: Sparse = Vec::new();
        while let Some((c, value)) = work.pop_last() {
            if value.abs() < EPS {
                continue;
            }
            match self.basis.get(&c) {
                Some(b) => {
                    let factor = value / value_at(b, c);
                    for &(bc, bv) in b.iter().filter(|(bc, _)| *bc != c) {
                        *work.entry(bc).or_insert(0.0) -= factor * bv;
                    }
                }
                None => out.push((c, value)),
            }
        }
        out.reverse();
        out
    }

    fn add(&mut self, pivot: usize, v: Sparse) {
        self.basis.insert(pivot, v);
    }
}

fn clean(v: &Sparse) -> Sparse {
    let mut m: BTreeMap<usize, f64> = BTreeMap::new();
    for &(c, x) in v {
        *m.entry(c).or_insert(0.0) += x;
    }
    m.into_iter().filter(|(_, x)| x.abs() >= EPS).collect()
}

fn get(v: &Sparse, c: usize) -> Option<f64> {
    v.binary_search_by_key(&c, |&(i, _)| i).ok().map(|i| v[i].1)
}

fn value_at(v: &Sparse, c: usize) -> f64 {
    get(v, c).unwrap_or(0.0)
}

fn is_zero(v: &Sparse) -> bool {
    v.iter().all(|(_, x)| x.abs() < EPS)
}

/// a + factor·b, zeros dropped.
fn axpy(a: &Sparse, factor: f64, b: &Sparse) -> Sparse {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let (c, x) = match (a.get(i), b.get(j)) {
            (Some(&(ca, xa)), Some(&(cb, xb))) if ca == cb => {
                i += 1;
                j += 1;
                (ca, xa + factor * xb)
            }
            (Some(&(ca, xa)), Some(&(cb, _))) if ca < cb => {
                i += 1;
                (ca, xa)
            }
            (Some(&(ca, xa)), None) => {
                i += 1;
                (ca, xa)
            }
            (_, Some(&(cb, xb))) => {
                j += 1;
                (cb, factor * xb)
            }
            (None, None) => break,
        };
        if x.abs() >= EPS {
            out.push((c, x));
        }
    }
    out
}

/// Whether `a` is a multiple of `b` (a zero `a` is: it is known outright).
fn parallel(a: &Sparse, b: &Sparse) -> bool {
    if is_zero(a) {
        return true;
    }
    if a.len() != b.len() || a.iter().zip(b).any(|((ca, _), (cb, _))| ca != cb) {
        return false;
    }
    let ratio = a[0].1 / b[0].1;
    a.iter().zip(b).all(|((_, x), (_, y))| (x - ratio * y).abs() < EPS * (1.0 + x.abs()))
}

/// A unit tree's figures: for each unit its own people (`own`) and its whole subtree. Units
/// are given by their parent's index. Returns the figures in the order [own of unit 0,
/// subtree of unit 0, own of unit 1, …] and the parts, in the coordinates of the subtree sums:
/// a subtree is one coordinate and a unit's own people are its subtree minus its children's
/// subtrees — sparse, so the elimination stays cheap for a tree of thousands of units.
///
/// Besides each unit's own people, the parts hold what one shown figure minus another could
/// leave of under k people, so that it is protected too: a unit's small pieces together (its
/// own people and its children's subtrees), and a subtree minus a subtree or a unit's own
/// people further down.
pub fn tree(parents: &[Option<usize>], own: &[u64], k: u64) -> (Vec<Figure>, Vec<Figure>) {
    let n = parents.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (u, p) in parents.iter().enumerate() {
        if let Some(p) = *p {
            children[p].push(u);
        }
    }
    // Subtree counts, children before parents.
    let mut subtree: Vec<u64> = own.to_vec();
    for u in post_order(&children, parents) {
        if let Some(p) = parents[u] {
            subtree[p] += subtree[u];
        }
    }
    let own_vector = |u: usize| -> Sparse {
        let mut v: Sparse = vec![(u, 1.0)];
        v.extend(children[u].iter().map(|&c| (c, -1.0)));
        v.sort_by_key(|&(c, _)| c);
        v
    };
    let mut figures = Vec::with_capacity(2 * n);
    let mut parts = Vec::with_capacity(n);
    for u in 0..n {
        let own_figure = Figure { vector: own_vector(u), people: own[u] };
        parts.push(own_figure.clone());
        figures.push(own_figure);
        figures.push(Figure { vector: vec![(u, 1.0)], people: subtree[u] });
    }
    for u in 0..n {
        let mut pieces: Vec<Figure> = vec![Figure { vector: own_vector(u), people: own[u] }];
        pieces.extend(children[u].iter().map(|&c| Figure { vector: vec![(c, 1.0)], people: subtree[c] }));
        small_unions(&pieces, k, &mut parts);
        // Only descendants with more than subtree(u) − k people can leave a small remainder.
        let mut stack: Vec<usize> = vec![u];
        while let Some(w) = stack.pop() {
            let minus = |vector: &Sparse| axpy(&vec![(u, 1.0)], -1.0, vector);
            let left = subtree[u] - subtree[w];
            if w != u && left > 0 && left < k {
                parts.push(Figure { vector: minus(&vec![(w, 1.0)]), people: left });
            }
            let left = subtree[u] - own[w];
            if w != u && left > 0 && left < k && own[w] > 0 {
                parts.push(Figure { vector: minus(&own_vector(w)), people: left });
            }
            stack.extend(children[w].iter().copied().filter(|&c| subtree[c] + k > subtree[u]));
        }
    }
    (figures, parts)
}

/// Most unions of small pieces kept for one figure; past it, only the smallest of each size.
const UNIONS_MAX: usize = 4096;

/// Adds every union of two or more `pieces` with together from 1 to k − 1 people.
fn small_unions(pieces: &[Figure], k: u64, out: &mut Vec<Figure>) {
    let mut small: Vec<&Figure> = pieces.iter().filter(|p| p.people > 0 && p.people < k).collect();
    small.sort_by_key(|p| p.people);
    let mut found = 0;
    // Depth-first over subsets in order, pruned once the total reaches k.
    let mut stack: Vec<(usize, Sparse, u64, usize)> = vec![(0, Vec::new(), 0, 0)];
    while let Some((next, union, people, size)) = stack.pop() {
        if size >= 2 {
            out.push(Figure { vector: union.clone(), people });
            found += 1;
            if found >= UNIONS_MAX {
                return;
            }
        }
        for i in (next..small.len()).rev() {
            let total = people + small[i].people;
            if total < k {
                stack.push((i + 1, axpy(&union, 1.0, &small[i].vector), total, size + 1));
            }
        }
    }
}

/// Units children first (every root's tree), without recursion.
fn post_order(children: &[Vec<usize>], parents: &[Option<usize>]) -> Vec<usize> {
    let mut out = Vec::with_capacity(parents.len());
    let mut stack: Vec<(usize, bool)> =
        (0..parents.len()).filter(|&u| parents[u].is_none()).map(|u| (u, false)).collect();
    while let Some((u, done)) = stack.pop() {
        if done {
            out.push(u);
        } else {
            stack.push((u, true));
            stack.extend(children[u].iter().map(|&c| (c, false)));
        }
    }
    out
}

/// Figures over explicit parts (coordinates are part indices): each figure a set of parts.
/// The parts returned hold, besides each part, every union of a figure's small parts with
/// together under k people (what one figure minus another inside it could leave).
pub fn over_parts(sets: &[Vec<usize>], part_people: &[u64], k: u64) -> (Vec<Figure>, Vec<Figure>) {
    let single = |p: usize| Figure { vector: vec![(p, 1.0)], people: part_people[p] };
    let mut parts: Vec<Figure> = (0..part_people.len()).map(single).collect();
    let mut figures = Vec::with_capacity(sets.len());
    for set in sets {
        let mut s: Vec<usize> = set.clone();
        s.sort_unstable();
        s.dedup();
        let pieces: Vec<Figure> = s.iter().map(|&p| single(p)).collect();
        small_unions(&pieces, k, &mut parts);
        figures.push(Figure {
            people: s.iter().map(|&p| part_people[p]).sum(),
            vector: s.into_iter().map(|p| (p, 1.0)).collect(),
        });
    }
    (figures, parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(out: &[Option<Hidden>]) -> Vec<bool> {
        out.iter().map(Option::is_none).collect()
    }

    #[test]
    fn a_parent_with_one_small_child_hides_one_more_figure() {
        // Unit 0 (3 own) with children 1 (9) and 2 (3): figures own/subtree per unit.
        let (figures, parts) = tree(&[None, Some(0), Some(0)], &[6, 9, 3], 5);
        let out = suppress(&figures, &parts, 5);
        // Own of 2 and subtree of 2 are 3 people: primary.
        assert_eq!(out[4], Some(Hidden::Primary));
        assert_eq!(out[5], Some(Hidden::Primary));
        // Subtree 0 (18) minus own 0 (6) minus subtree 1 (9) would give unit 2: one of those hidden.
        let visible = shown(&out);
        assert!(!(visible[0] && visible[1] && visible[3]), "{out:?}");
        assert_eq!(out.iter().filter(|h| **h == Some(Hidden::Secondary)).count(), 1, "{out:?}");
        assert!(visible[1], "the largest figure, the whole tree, is kept");
    }

    #[test]
    fn nothing_is_hidden_when_every_group_is_large() {
        let (figures, parts) = tree(&[None, Some(0), Some(0), Some(1)], &[5, 7, 9, 6], 5);
        assert!(suppress(&figures, &parts, 5).iter().all(Option::is_none));
    }

    #[test]
    fn one_who_knows_their_own_answer_cannot_subtract_it() {
        // Parts: a person alone (1), three people (3), ten people (10). The total minus the
        // ten gives the other two parts together (4 people): the one person would subtract
        // their own answer and learn the three's. Figures: total, the ten, the three, the one.
        let (figures, parts) = over_parts(&[vec![0, 1, 2], vec![2], vec![1], vec![0]], &[1, 3, 10], 5);
        let out = suppress(&figures, &parts, 5);
        assert_eq!((out[2], out[3]), (Some(Hidden::Primary), Some(Hidden::Primary)));
        assert!(out[0].is_some() || out[1].is_some(), "{out:?}");
        // Without the insider rule the two would both be shown: the three are not in the
        // span of the total and the ten alone.
        let (figures, parts) = over_parts(&[vec![0, 1, 2], vec![2], vec![1], vec![0]], &[2, 3, 10], 5);
        let out = suppress(&figures, &parts, 5);
        assert!(out[0].is_none() && out[1].is_none(), "{out:?}");
    }

    #[test]
    fn small_children_together_are_protected_too() {
        // Unit 0 (8 own) with children of 2, 2 and 9: the parent's subtree minus its own
        // people minus the big child would give the two small children together (4 people).
        let (figures, parts) = tree(&[None, Some(0), Some(0), Some(0)], &[8, 2, 2, 9], 5);
        let out = suppress(&figures, &parts, 5);
        let visible = shown(&out);
        assert!(!(visible[1] && visible[0] && visible[7]), "{out:?}");
    }

    #[test]
    fn zero_people_are_shown() {
        let (figures, parts) = tree(&[None, Some(0)], &[0, 7], 5);
        assert!(suppress(&figures, &parts, 5).iter().all(Option::is_none));
    }
}
