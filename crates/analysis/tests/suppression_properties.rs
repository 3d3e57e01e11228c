//! Suppression tried the attacker's way: for random unit trees and two-way tables, every
//! hidden figure of fewer than k people is checked against everything that can be computed
//! from the shown figures by adding and subtracting (exact rank, in integers), also by
//! someone who knows their own answer; and every difference of two shown figures, one
//! inside the other, is checked to cover no one or at least k people.

#![allow(clippy::expect_used, clippy::panic)]

use analysis::rng::SplitMix64 as Rng;
use analysis::suppression::{Figure, over_parts, suppress, tree};

const K: u64 = 5;

/// Rank of integer rows, exactly (fraction-free elimination with gcd-reduced rows).
fn rank(rows: &[Vec<i128>]) -> usize {
    let mut m: Vec<Vec<i128>> = rows.iter().filter(|r| r.iter().any(|x| *x != 0)).cloned().collect();
    let columns = m.first().map_or(0, Vec::len);
    let mut rank = 0;
    for c in 0..columns {
        let Some(p) = (rank..m.len()).find(|&r| m[r][c] != 0) else { continue };
        m.swap(rank, p);
        for r in 0..m.len() {
            if r != rank && m[r][c] != 0 {
                let (a, b) = (m[rank][c], m[r][c]);
                let pivot = m[rank].clone();
                for (x, y) in m[r].iter_mut().zip(&pivot) {
                    *x = *x * a - *y * b;
                }
                let g = m[r].iter().fold(0i128, |g, x| gcd(g, x.abs()));
                if g > 1 {
                    m[r].iter_mut().for_each(|x| *x /= g);
                }
            }
        }
        rank += 1;
    }
    rank
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a } else { gcd(b, a % b) }
}

fn in_span(rows: &[Vec<i128>], v: &[i128]) -> bool {
    let mut with = rows.to_vec();
    with.push(v.to_vec());
    rank(&with) == rank(rows)
}

/// Checks a suppression given each figure and protected set as a 0/1 vector over the atoms.
fn check(figures: &[Vec<i128>], people: &[u64], atoms: &[u64], shown: &[bool], case: &str) {
    let atom_count = atoms.len();
    let unit = |i: usize| -> Vec<i128> { (0..atom_count).map(|j| i128::from(i == j)).collect() };
    // What is shown, and that an atom of no one adds nothing.
    let mut visible: Vec<Vec<i128>> = figures.iter().zip(shown).filter(|(_, s)| **s).map(|(f, _)| f.clone()).collect();
    visible.extend((0..atom_count).filter(|&a| atoms[a] == 0).map(unit));
    let people_in = |v: &[i128]| -> Vec<usize> { (0..atom_count).filter(|&a| v[a] != 0 && atoms[a] > 0).collect() };
    let mut protected: Vec<Vec<i128>> =
        figures.iter().zip(people).filter(|(_, n)| **n > 0 && **n < K).map(|(f, _)| f.clone()).collect();
    protected.extend((0..atom_count).filter(|&a| atoms[a] > 0 && atoms[a] < K).map(unit));
    for f in figures.iter().zip(people).filter(|(_, n)| **n > 0 && **n < K).map(|(f, _)| f) {
        assert!(!shown[figures.iter().position(|g| g == f).expect("figure")] || people.is_empty(), "{case}");
    }
    for p in &protected {
        assert!(!in_span(&visible, p), "{case}: a small group can be computed: {p:?}");
        for s in (0..atom_count).filter(|&a| atoms[a] == 1) {
            if people_in(p) == [s] {
                continue; // their own answer
            }
            let mut with = visible.clone();
            with.push(unit(s));
            assert!(!in_span(&with, p), "{case}: the one in atom {s} can compute {p:?}");
        }
    }
    // Every subtraction of one shown figure from another that contains it.
    for (a, fa) in figures.iter().enumerate().filter(|(i, _)| shown[*i]) {
        for (b, fb) in figures.iter().enumerate().filter(|(i, _)| shown[*i] && *i != a) {
            if fb.iter().zip(fa).all(|(y, x)| *y <= *x) {
                let left: u64 = (0..atom_count).filter(|&i| fa[i] == 1 && fb[i] == 0).map(|i| atoms[i]).sum();
                assert!(left == 0 || left >= K, "{case}: figure {a} minus figure {b} covers {left}");
            }
        }
    }
}

fn random_tree(rng: &mut Rng, units: usize) -> Vec<Option<usize>> {
    (0..units).map(|u| if u == 0 { None } else { Some(rng.below(u)) }).collect()
}

fn small_or_large(rng: &mut Rng) -> u64 {
    [0, 1, 1, 2, 3, 4, 5, 6, 8, 12][rng.below(10)]
}

#[test]
fn no_small_group_of_a_unit_tree_can_be_computed() {
    let mut rng = Rng(11);
    for case in 0..2000 {
        let units = rng.range(2, 9);
        let parents = random_tree(&mut rng, units);
        let own: Vec<u64> = (0..units).map(|_| small_or_large(&mut rng)).collect();
        let (figures, parts) = tree(&parents, &own, K);
        let out = suppress(&figures, &parts, K);
        // The same figures over the atoms (each unit's own people).
        let within = |u: usize, mut v: usize| loop {
            if v == u {
                return true;
            }
            match parents[v] {
                Some(p) => v = p,
                None => return false,
            }
        };
        let mut atom_figures = Vec::new();
        for u in 0..units {
            atom_figures.push((0..units).map(|v| i128::from(v == u)).collect::<Vec<_>>());
            atom_figures.push((0..units).map(|v| i128::from(within(u, v))).collect());
        }
        let people: Vec<u64> = figures.iter().map(|f: &Figure| f.people).collect();
        let shown: Vec<bool> = out.iter().map(Option::is_none).collect();
        check(&atom_figures, &people, &own, &shown, &format!("tree {case}: {parents:?} {own:?} {shown:?}"));
        // Nothing more is hidden than needed: the whole tree is shown when it has more than k
        // people (with exactly k, one of them could subtract their own answer from it).
        if people[1] > K {
            assert!(shown[1], "tree {case}: {parents:?} {own:?} {out:?}");
        }
    }
}

#[test]
fn no_small_group_of_a_two_way_table_can_be_computed() {
    // Units × two answers to a filter question (e.g. two job families), with the totals of
    // each unit, each filter value and everything: subtracting across the two filters.
    let mut rng = Rng(29);
    for case in 0..1000 {
        let units = rng.range(2, 5);
        let atoms: Vec<u64> = (0..units * 2).map(|_| small_or_large(&mut rng)).collect();
        let mut sets: Vec<Vec<usize>> = Vec::new();
        for u in 0..units {
            sets.push(vec![2 * u]);
            sets.push(vec![2 * u + 1]);
            sets.push(vec![2 * u, 2 * u + 1]);
        }
        sets.push((0..units).map(|u| 2 * u).collect());
        sets.push((0..units).map(|u| 2 * u + 1).collect());
        sets.push((0..2 * units).collect());
        let (figures, parts) = over_parts(&sets, &atoms, K);
        let out = suppress(&figures, &parts, K);
        let atom_figures: Vec<Vec<i128>> =
            sets.iter().map(|s| (0..atoms.len()).map(|a| i128::from(s.contains(&a))).collect()).collect();
        let people: Vec<u64> = figures.iter().map(|f| f.people).collect();
        let shown: Vec<bool> = out.iter().map(Option::is_none).collect();
        check(&atom_figures, &people, &atoms, &shown, &format!("table {case}: {atoms:?} {shown:?}"));
    }
}
