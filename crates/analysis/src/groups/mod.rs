//! Group formation: cohorts, learning groups and buddy pairs from a list of people.
//!
//! The sizes are fixed first (as even as the bounds allow); then people are placed so that
//! as few pairs as possible in a group share a value of a "mix" attribute (the same unit,
//! the same role), must-together pairs end up together and must-apart pairs apart, and
//! locked people stay where they were put. A greedy start is improved by swapping people
//! between groups until no swap helps. The result explains itself: the score, the
//! remaining violations, and for each whether it could have been avoided.

use std::collections::HashMap;

use serde::Serialize;

/// One person to place.
#[derive(Clone, Debug, Default)]
pub struct Person {
    pub id: String,
    /// Values of the mix attributes, in the order of [`Request::mix`]; empty = none.
    pub attributes: Vec<String>,
    /// A group the person must stay in (0-based), e.g. from an earlier run.
    pub locked: Option<usize>,
}

#[derive(Clone, Debug, Default)]
pub struct Request {
    pub people: Vec<Person>,
    pub min_size: usize,
    pub max_size: usize,
    /// Names of the attributes to mix (e.g. "unit", "role"), weighted in this order.
    pub mix: Vec<String>,
    pub together: Vec<(String, String)>,
    pub apart: Vec<(String, String)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Group {
    pub id: usize,
    pub members: Vec<String>,
}

/// Something the result does not manage; `avoidable` false when no grouping could.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The attribute, or the two people, concerned.
    pub subject: String,
    pub groups: Vec<usize>,
    pub count: usize,
    pub avoidable: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// Group sizes outside the bounds (the number of people does not allow them).
    Size,
    /// People sharing a value of a mix attribute in one group (count = pairs).
    SameValue,
    Together,
    Apart,
}

#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub groups: Vec<Group>,
    /// The penalty left: 0 is perfect; lower is better.
    pub score: f64,
    pub violations: Vec<Violation>,
    /// Share of groups whose members all differ on the first mix attribute.
    pub mixed_share: f64,
}

impl Outcome {
    /// Several runs (one per cohort, say) as one result: the groups numbered on from the
    /// first part's, violations pointing at the new numbers, the scores added, and the mixed
    /// share over all groups.
    pub fn concat(parts: Vec<Outcome>) -> Outcome {
        let mut out = Outcome { groups: Vec::new(), score: 0.0, violations: Vec::new(), mixed_share: 1.0 };
        let mut mixed = 0.0;
        for part in parts {
            let offset = out.groups.len();
            mixed += part.mixed_share * part.groups.len() as f64;
            out.score += part.score;
            out.groups.extend(part.groups.into_iter().map(|g| Group { id: g.id + offset, members: g.members }));
            out.violations.extend(
                part.violations
                    .into_iter()
                    .map(|v| Violation { groups: v.groups.iter().map(|g| g + offset).collect(), ..v }),
            );
        }
        if !out.groups.is_empty() {
            out.mixed_share = mixed / out.groups.len() as f64;
        }
        out
    }
}

/// Where a late-comer goes without moving anyone else: among the groups below `max_size`
/// (all groups when every one is full), the one where they share the fewest mix values
/// with the members (earlier attributes weigh more), then the smallest, then the first.
/// `groups[g]` holds the attribute values of group g's members; None when there is no group.
pub fn place(groups: &[Vec<Vec<String>>], newcomer: &[String], max_size: usize) -> Option<usize> {
    let any_open = groups.iter().any(|g| g.len() < max_size);
    let clash = |members: &Vec<Vec<String>>| -> f64 {
        newcomer
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(a, v)| {
                weight(a) * members.iter().filter(|m| m.get(a).is_some_and(|x| x.trim() == v.trim())).count() as f64
            })
            .sum()
    };
    groups
        .iter()
        .enumerate()
        .filter(|(_, g)| !any_open || g.len() < max_size)
        .min_by(|(i, a), (j, b)| clash(a).total_cmp(&clash(b)).then(a.len().cmp(&b.len())).then(i.cmp(j)))
        .map(|(i, _)| i)
}

/// Weight of one same-value pair of the i-th mix attribute: earlier attributes count more.
fn weight(i: usize) -> f64 {
    10f64.powi(-(i as i32)).max(1e-3) * 10.0
}
const HARD: f64 = 1e6;

struct Problem {
    n: usize,
    /// Per person, per attribute: value index (None for empty).
    values: Vec<Vec<Option<usize>>>,
    n_values: Vec<usize>,
    partners: Vec<Vec<usize>>,
    enemies: Vec<Vec<usize>>,
    locked: Vec<Option<usize>>,
}

struct Placement {
    group_of: Vec<usize>,
    /// counts[g][attribute][value]
    counts: Vec<Vec<Vec<u32>>>,
}

impl Placement {
    fn cost(&self, p: &Problem) -> f64 {
        let mut cost: f64 = self
            .counts
            .iter()
            .flat_map(|g| g.iter().enumerate().map(|(a, vals)| weight(a) * vals.iter().map(|&c| pairs(c)).sum::<f64>()))
            .sum();
        for i in 0..p.n {
            cost += p.partners[i].iter().filter(|&&j| self.group_of[j] != self.group_of[i]).count() as f64 * HARD / 2.0;
            cost += p.enemies[i].iter().filter(|&&j| self.group_of[j] == self.group_of[i]).count() as f64 * HARD / 2.0;
        }
        cost
    }

    /// Change in cost if person `i` moved from its group to `to` (with `without` left out
    /// of the partner/enemy count, for swaps).
    fn delta_move(&self, p: &Problem, i: usize, to: usize, without: Option<usize>) -> f64 {
        let from = self.group_of[i];
        let mut d = 0.0;
        for (a, v) in p.values[i].iter().enumerate() {
            if let Some(v) = v {
                d += weight(a) * (f64::from(self.counts[to][a][*v]) - f64::from(self.counts[from][a][*v] - 1));
            }
        }
        for &j in &p.partners[i] {
            if Some(j) == without {
                continue;
            }
            let gj = self.group_of[j];
            d += HARD * (f64::from(u8::from(gj != to)) - f64::from(u8::from(gj != from)));
        }
        for &j in &p.enemies[i] {
            if Some(j) == without {
                continue;
            }
            let gj = self.group_of[j];
            d += HARD * (f64::from(u8::from(gj == to)) - f64::from(u8::from(gj == from)));
        }
        d
    }

    fn apply_move(&mut self, p: &Problem, i: usize, to: usize) {
        let from = self.group_of[i];
        for (a, v) in p.values[i].iter().enumerate() {
            if let Some(v) = v {
                self.counts[from][a][*v] -= 1;
                self.counts[to][a][*v] += 1;
            }
        }
        self.group_of[i] = to;
    }
}

fn pairs(c: u32) -> f64 {
    let c = f64::from(c);
    c * (c - 1.0) / 2.0
}

/// Bounds as people type them: "4-6" (or "4–6"), or one number for both; None when not that.
pub fn parse_size(raw: &str) -> Option<(usize, usize)> {
    let nums: Option<Vec<usize>> =
        raw.split(['-', '–']).map(|p| p.trim().parse::<usize>().ok().filter(|n| *n > 0)).collect();
    match nums.as_deref() {
        Some([n]) => Some((*n, *n)),
        Some([a, b]) if a <= b => Some((*a, *b)),
        _ => None,
    }
}

/// Group sizes: as many groups as the bounds allow, sizes as even as possible.
pub fn sizes(n: usize, min: usize, max: usize) -> (Vec<usize>, bool) {
    if n == 0 {
        return (Vec::new(), true);
    }
    let (min, max) = (min.max(1), max.max(min.max(1)));
    let fewest = n.div_ceil(max);
    let most = n / min;
    let feasible = fewest <= most && most > 0;
    let target = (n as f64 / ((min + max) as f64 / 2.0)).round() as usize;
    let g = if feasible { target.clamp(fewest, most) } else { fewest.max(1) };
    let base = n / g;
    let extra = n % g;
    ((0..g).map(|i| base + usize::from(i < extra)).collect(), feasible)
}

/// Forms the groups.
pub fn form(req: &Request) -> Outcome {
    let n = req.people.len();
    let index: HashMap<&str, usize> = req.people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let mut value_ids: Vec<HashMap<&str, usize>> = vec![HashMap::new(); req.mix.len()];
    let values: Vec<Vec<Option<usize>>> = req
        .people
        .iter()
        .map(|p| {
            (0..req.mix.len())
                .map(|a| {
                    let v = p.attributes.get(a).map(|s| s.trim()).unwrap_or("");
                    if v.is_empty() {
                        return None;
                    }
                    let next = value_ids[a].len();
                    Some(*value_ids[a].entry(v).or_insert(next))
                })
                .collect()
        })
        .collect();
    let mut partners = vec![Vec::new(); n];
    let mut enemies = vec![Vec::new(); n];
    for (list, pairs_in) in [(&mut partners, &req.together), (&mut enemies, &req.apart)] {
        for (a, b) in pairs_in {
            if let (Some(&i), Some(&j)) = (index.get(a.as_str()), index.get(b.as_str()))
                && i != j
            {
                list[i].push(j);
                list[j].push(i);
            }
        }
    }
    let (mut target, feasible) = sizes(n, req.min_size, req.max_size);
    let g = target.len();
    let locked: Vec<Option<usize>> = req.people.iter().map(|p| p.locked.filter(|&l| l < g)).collect();
    let problem =
        Problem { n, values, n_values: value_ids.iter().map(HashMap::len).collect(), partners, enemies, locked };

    let mut placement = greedy(&problem, &mut target);
    improve(&problem, &mut placement);

    let mut groups: Vec<Group> = (0..g).map(|id| Group { id, members: Vec::new() }).collect();
    for (i, &gi) in placement.group_of.iter().enumerate() {
        groups[gi].members.push(req.people[i].id.clone());
    }
    let violations = explain(req, &problem, &placement, &groups, feasible);
    let mixed = if req.mix.is_empty() || g == 0 {
        1.0
    } else {
        placement.counts.iter().filter(|c| c[0].iter().all(|&x| x <= 1)).count() as f64 / g as f64
    };
    Outcome { score: placement.cost(&problem), groups, violations, mixed_share: mixed }
}

/// Locked people first, then must-together clusters, then everyone else, rarest values
/// first, each into the open group where they add the least.
fn greedy(p: &Problem, target: &mut [usize]) -> Placement {
    let g = target.len();
    let mut counts: Vec<Vec<Vec<u32>>> = (0..g).map(|_| p.n_values.iter().map(|&k| vec![0; k]).collect()).collect();
    let mut group_of = vec![usize::MAX; p.n];
    let mut size = vec![0usize; g];
    let place =
        |i: usize, gi: usize, counts: &mut Vec<Vec<Vec<u32>>>, group_of: &mut Vec<usize>, size: &mut Vec<usize>| {
            for (a, v) in p.values[i].iter().enumerate() {
                if let Some(v) = v {
                    counts[gi][a][*v] += 1;
                }
            }
            group_of[i] = gi;
            size[gi] += 1;
        };
    for i in 0..p.n {
        if let Some(l) = p.locked[i] {
            place(i, l, &mut counts, &mut group_of, &mut size);
        }
    }
    // Locked people may overfill a group; the others fill what is left.
    for (gi, t) in target.iter_mut().enumerate() {
        *t = (*t).max(size[gi]);
    }
    // Rarest first: a person whose values are scarce has the fewest good places.
    let mut freq: Vec<HashMap<usize, usize>> = vec![HashMap::new(); p.n_values.len()];
    for row in &p.values {
        for (a, v) in row.iter().enumerate() {
            if let Some(v) = v {
                *freq[a].entry(*v).or_default() += 1;
            }
        }
    }
    let mut order: Vec<usize> = (0..p.n).filter(|&i| group_of[i] == usize::MAX).collect();
    order.sort_by_key(|&i| {
        let rarity: Vec<usize> =
            p.values[i].iter().enumerate().map(|(a, v)| v.map_or(usize::MAX, |v| freq[a][&v])).collect();
        (std::cmp::Reverse(p.partners[i].len()), rarity, i)
    });
    for i in order {
        if group_of[i] != usize::MAX {
            continue;
        }
        let mut best: Option<(f64, usize)> = None;
        for gi in 0..g {
            if size[gi] >= target[gi] {
                continue;
            }
            let mut add = 0.0;
            for (a, v) in p.values[i].iter().enumerate() {
                if let Some(v) = v {
                    add += weight(a) * f64::from(counts[gi][a][*v]);
                }
            }
            add += p.enemies[i].iter().filter(|&&j| group_of[j] == gi).count() as f64 * HARD;
            add -= p.partners[i].iter().filter(|&&j| group_of[j] == gi).count() as f64 * HARD;
            // Fill emptier groups first on ties, so sizes stay even.
            add += size[gi] as f64 * 1e-6;
            if best.is_none_or(|(b, _)| add < b) {
                best = Some((add, gi));
            }
        }
        let gi = best.map_or(0, |(_, gi)| gi);
        place(i, gi, &mut counts, &mut group_of, &mut size);
    }
    Placement { group_of, counts }
}

/// Swaps two people of different groups while that lowers the cost (first improvement,
/// passes until one changes nothing).
fn improve(p: &Problem, pl: &mut Placement) {
    for _pass in 0..50 {
        let mut improved = false;
        for i in 0..p.n {
            if p.locked[i].is_some() {
                continue;
            }
            for j in i + 1..p.n {
                let (gi, gj) = (pl.group_of[i], pl.group_of[j]);
                if gi == gj || p.locked[j].is_some() {
                    continue;
                }
                let mut d = pl.delta_move(p, i, gj, Some(j)) + pl.delta_move(p, j, gi, Some(i));
                // Two people with the same value of an attribute swap without effect on it,
                // but delta_move counted each as joining the other's value: correct that.
                for (a, (vi, vj)) in p.values[i].iter().zip(&p.values[j]).enumerate() {
                    if vi.is_some() && vi == vj {
                        d -= 2.0 * weight(a);
                    }
                }
                if d < -1e-9 {
                    pl.apply_move(p, i, gj);
                    pl.apply_move(p, j, gi);
                    improved = true;
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// What the result does not manage, and whether any grouping could.
fn explain(req: &Request, p: &Problem, pl: &Placement, groups: &[Group], feasible: bool) -> Vec<Violation> {
    let g = groups.len();
    let mut out = Vec::new();
    if !feasible {
        out.push(Violation {
            kind: ViolationKind::Size,
            subject: format!("{}-{}", req.min_size, req.max_size),
            groups: groups
                .iter()
                .filter(|x| x.members.len() < req.min_size || x.members.len() > req.max_size)
                .map(|x| x.id)
                .collect(),
            count: p.n,
            avoidable: false,
        });
    }
    for (a, name) in req.mix.iter().enumerate() {
        let mut total = vec![0u32; p.n_values[a]];
        for c in &pl.counts {
            for (v, x) in c[a].iter().enumerate() {
                total[v] += x;
            }
        }
        let actual: f64 = pl.counts.iter().map(|c| c[a].iter().map(|&x| pairs(x)).sum::<f64>()).sum();
        if actual == 0.0 || g == 0 {
            continue;
        }
        // The fewest same-value pairs any grouping into these sizes can have: each value
        // spread as evenly as possible over the groups.
        let least: f64 = total
            .iter()
            .map(|&t| {
                let (q, r) = (t as usize / g, t as usize % g);
                r as f64 * pairs((q + 1) as u32) + (g - r) as f64 * pairs(q as u32)
            })
            .sum();
        let affected: Vec<usize> = (0..g).filter(|&gi| pl.counts[gi][a].iter().any(|&x| x > 1)).collect();
        out.push(Violation {
            kind: ViolationKind::SameValue,
            subject: name.clone(),
            groups: affected,
            count: actual as usize,
            avoidable: actual > least + 1e-9,
        });
    }
    let index: HashMap<&str, usize> = req.people.iter().enumerate().map(|(i, x)| (x.id.as_str(), i)).collect();
    for (kind, list, wrong) in
        [(ViolationKind::Together, &req.together, true), (ViolationKind::Apart, &req.apart, false)]
    {
        for (a, b) in list {
            let (Some(&i), Some(&j)) = (index.get(a.as_str()), index.get(b.as_str())) else { continue };
            let separated = pl.group_of[i] != pl.group_of[j];
            if separated == wrong {
                // Locked apart (or together) by the caller, or contradicted by other pairs.
                let forced = p.locked[i].is_some() && p.locked[j].is_some();
                out.push(Violation {
                    kind,
                    subject: format!("{a},{b}"),
                    groups: vec![pl.group_of[i], pl.group_of[j]],
                    count: 1,
                    avoidable: !forced,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(id: usize, unit: &str, role: &str) -> Person {
        Person { id: id.to_string(), attributes: vec![unit.to_string(), role.to_string()], locked: None }
    }

    #[test]
    fn a_late_comer_joins_the_open_group_with_fewest_of_their_values() {
        let m = |unit: &str| vec![unit.to_string()];
        let groups = vec![vec![m("a"), m("b")], vec![m("a"), m("c")], vec![m("b"), m("c")]];
        assert_eq!(place(&groups, &m("a"), 3), Some(2), "the only group without an «a»");
        assert_eq!(place(&groups, &m("d"), 3), Some(0), "no clash anywhere: the first of the smallest");
        let one_full = vec![vec![m("b")], vec![m("a"), m("b"), m("c")], vec![m("a")]];
        assert_eq!(place(&one_full, &m("a"), 3), Some(0), "the full group is passed over");
        let full = vec![vec![m("a"), m("b")], vec![m("c"), m("d")]];
        assert_eq!(place(&full, &m("a"), 2), Some(1), "all full: still placed, away from its unit");
        assert_eq!(place(&[], &m("a"), 2), None);
    }

    #[test]
    fn parts_concatenate_with_their_group_numbers_moved_on() {
        let part = |n: usize, share: f64| Outcome {
            groups: (0..n).map(|id| Group { id, members: vec![format!("{n}-{id}")] }).collect(),
            score: 1.0,
            violations: vec![Violation {
                kind: ViolationKind::SameValue,
                subject: "unit".into(),
                groups: vec![0],
                count: 1,
                avoidable: false,
            }],
            mixed_share: share,
        };
        let out = Outcome::concat(vec![part(2, 1.0), part(3, 0.0)]);
        assert_eq!(out.groups.iter().map(|g| g.id).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
        assert_eq!(out.violations[1].groups, vec![2]);
        assert_eq!(out.score, 2.0);
        assert!((out.mixed_share - 0.4).abs() < 1e-9);
    }

    #[test]
    fn sizes_stay_within_bounds_and_even() {
        assert_eq!(sizes(22, 4, 6).0, vec![6, 6, 5, 5], "averages nearest the middle of the bounds");
        assert_eq!(sizes(44, 20, 24).0, vec![22, 22]);
        assert_eq!(sizes(10, 2, 2).0, vec![2; 5]);
        let (s, feasible) = sizes(7, 4, 5);
        assert!(!feasible);
        assert_eq!(s.iter().sum::<usize>(), 7);
    }

    #[test]
    fn units_are_mixed_when_possible() {
        // 24 people from 6 units, 4 each, into groups of 4: every group can have 4 units.
        let people: Vec<Person> = (0..24).map(|i| person(i, &format!("u{}", i / 4), "")).collect();
        let out = form(&Request { people, min_size: 4, max_size: 4, mix: vec!["unit".into()], ..Default::default() });
        assert_eq!(out.groups.len(), 6);
        assert_eq!(out.mixed_share, 1.0);
        assert!(out.violations.is_empty(), "{:?}", out.violations);
    }

    #[test]
    fn an_unavoidable_clash_is_explained() {
        // Ten people from one unit and two others into two groups of six.
        let mut people: Vec<Person> = (0..10).map(|i| person(i, "big", "")).collect();
        people.push(person(10, "a", ""));
        people.push(person(11, "b", ""));
        let out = form(&Request { people, min_size: 6, max_size: 6, mix: vec!["unit".into()], ..Default::default() });
        let v = &out.violations[0];
        assert_eq!(v.kind, ViolationKind::SameValue);
        assert!(!v.avoidable, "5 + 5 from one unit is the best there is");
        assert_eq!(v.count, 20);
    }

    #[test]
    fn pairs_and_locks_are_kept() {
        let mut people: Vec<Person> = (0..12).map(|i| person(i, &format!("u{}", i % 3), "")).collect();
        people[5].locked = Some(1);
        let req = Request {
            people,
            min_size: 4,
            max_size: 4,
            mix: vec!["unit".into()],
            together: vec![("0".into(), "3".into())],
            apart: vec![("1".into(), "2".into())],
        };
        let out = form(&req);
        let group_of = |id: &str| out.groups.iter().position(|g| g.members.iter().any(|m| m == id)).unwrap_or(99);
        assert_eq!(group_of("0"), group_of("3"), "must-together");
        assert_ne!(group_of("1"), group_of("2"), "must-apart");
        assert_eq!(group_of("5"), 1, "locked");
        // 0 and 3 share a unit, so one same-unit pair is forced by the caller's pair.
        assert!(out.violations.iter().all(|v| v.kind == ViolationKind::SameValue));
    }

    #[test]
    fn roles_are_spread() {
        // 4 leaders among 20 people: one per group of 5.
        let people: Vec<Person> =
            (0..20).map(|i| person(i, &format!("u{i}"), if i < 4 { "leader" } else { "" })).collect();
        let out = form(&Request {
            people,
            min_size: 5,
            max_size: 5,
            mix: vec!["unit".into(), "role".into()],
            ..Default::default()
        });
        for g in &out.groups {
            let leaders = g.members.iter().filter(|m| m.parse::<usize>().unwrap_or(99) < 4).count();
            assert_eq!(leaders, 1);
        }
    }

    #[test]
    fn no_people_and_more_groups_than_people() {
        let out = form(&Request { min_size: 4, max_size: 6, ..Default::default() });
        assert!(out.groups.is_empty());
        let people: Vec<Person> = (0..3).map(|i| person(i, "u", "")).collect();
        let out = form(&Request { people, min_size: 4, max_size: 6, mix: vec!["unit".into()], ..Default::default() });
        assert_eq!(out.groups.len(), 1);
        assert!(out.violations.iter().any(|v| v.kind == ViolationKind::Size && !v.avoidable));
    }
}
