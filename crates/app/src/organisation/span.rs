//! The organisation tree index and the span-of-control computation, as pure functions.
//!
//! Span of control (ledelsesspænd) is counted the way Danish municipalities count it:
//! every person reports to their *nearest leader* — the leader of their own unit, or, when
//! that post is vacant or missing, the leader of the nearest unit above. A leader is never
//! counted among their own staff: a leader reports to the nearest leader above their unit.
//! A manager counts as a member of the unit they manage.

use std::collections::HashMap;

use uuid::Uuid;

use super::model::{PayType, danish_sort_key};

/// A current unit, as the tree index needs it.
#[derive(Clone, Debug)]
pub struct TreeUnit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
}

/// Where a unit sits in the tree: root depth is 1; a subtree is `left..=right`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TreePosition {
    pub depth: i64,
    pub left: i64,
    pub right: i64,
}

/// Computes the nested-set positions of all units, children in Danish name order.
/// A unit whose parent is missing (or part of a cycle) is treated as a root.
pub fn tree_positions(units: &[TreeUnit]) -> HashMap<Uuid, TreePosition> {
    let ids: HashMap<Uuid, usize> = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let mut children: HashMap<Option<Uuid>, Vec<usize>> = HashMap::new();
    for (i, u) in units.iter().enumerate() {
        let parent = u.parent_id.filter(|p| ids.contains_key(p) && *p != u.id);
        children.entry(parent).or_default().push(i);
    }
    for list in children.values_mut() {
        list.sort_by_cached_key(|&i| (danish_sort_key(&units[i].name), units[i].id));
    }
    let mut out = HashMap::with_capacity(units.len());
    let mut counter = 0i64;
    // Iterative DFS: (unit index, depth, children visited?)
    let mut stack: Vec<(usize, i64, bool)> = Vec::new();
    let roots = children.get(&None).cloned().unwrap_or_default();
    let mut visit_roots: Vec<usize> = roots;
    // Units in a parent cycle are never reached from a root; make them roots too.
    let mut pending: Vec<usize> = Vec::new();
    loop {
        for &r in visit_roots.iter().rev() {
            stack.push((r, 1, false));
        }
        visit_roots.clear();
        while let Some((i, depth, done)) = stack.pop() {
            let id = units[i].id;
            if done {
                counter += 1;
                if let Some(p) = out.get_mut(&id) {
                    let p: &mut TreePosition = p;
                    p.right = counter;
                }
                continue;
            }
            if out.contains_key(&id) {
                continue;
            }
            counter += 1;
            out.insert(id, TreePosition { depth, left: counter, right: counter });
            stack.push((i, depth, true));
            if let Some(kids) = children.get(&Some(id)) {
                for &k in kids.iter().rev() {
                    stack.push((k, depth + 1, false));
                }
            }
        }
        if out.len() == units.len() {
            break;
        }
        pending.extend((0..units.len()).filter(|&i| !out.contains_key(&units[i].id)));
        pending.sort_by_cached_key(|&i| (danish_sort_key(&units[i].name), units[i].id));
        if let Some(first) = pending.first().copied() {
            visit_roots.push(first);
        }
        pending.clear();
    }
    out
}

/// Engagements in each unit and all units below it.
pub fn subtree_headcounts(units: &[TreeUnit], memberships: &[Membership]) -> HashMap<Uuid, i64> {
    let parent: HashMap<Uuid, Option<Uuid>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let mut counts: HashMap<Uuid, i64> = units.iter().map(|u| (u.id, 0)).collect();
    for m in memberships {
        let mut unit = Some(m.unit_id);
        let mut steps = 0;
        while let Some(u) = unit.filter(|u| counts.contains_key(u)) {
            *counts.entry(u).or_default() += 1;
            unit = parent.get(&u).copied().flatten();
            steps += 1;
            if steps > units.len() {
                break;
            }
        }
    }
    counts
}

/// A person's membership of a unit (an engagement).
#[derive(Clone, Debug)]
pub struct Membership {
    pub person_id: Uuid,
    pub unit_id: Uuid,
    pub pay_type: PayType,
    pub is_primary: bool,
}

/// A filled manager post (vacant posts are simply absent).
#[derive(Clone, Debug)]
pub struct Leadership {
    pub person_id: Uuid,
    pub unit_id: Uuid,
}

/// The computed figures for one leader.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderSpan {
    pub person_id: Uuid,
    /// The unit the leader leads (the highest one, if several).
    pub unit_id: Uuid,
    /// The unit at depth 2 above or at `unit_id` (the department), if any.
    pub department_id: Option<Uuid>,
    pub level: i64,
    pub direct: i64,
    pub total: i64,
    pub leaders: i64,
    pub hourly: i64,
    pub salaried: i64,
    pub tree_left: i64,
}

/// Computes the span of control of every leader, in hierarchy order.
pub fn span_of_control(
    units: &[TreeUnit],
    positions: &HashMap<Uuid, TreePosition>,
    memberships: &[Membership],
    leaderships: &[Leadership],
) -> Vec<LeaderSpan> {
    let parent: HashMap<Uuid, Option<Uuid>> = units.iter().map(|u| (u.id, u.parent_id)).collect();
    let pos = |u: &Uuid| positions.get(u).copied();

    // The leader of each unit: the first filled post, in a stable order.
    let mut sorted_leaderships: Vec<&Leadership> =
        leaderships.iter().filter(|l| parent.contains_key(&l.unit_id)).collect();
    sorted_leaderships.sort_by_key(|l| (l.unit_id, l.person_id));
    let mut leader_of: HashMap<Uuid, Uuid> = HashMap::new();
    for l in &sorted_leaderships {
        leader_of.entry(l.unit_id).or_insert(l.person_id);
    }

    // Each leader's home is the highest unit they lead.
    let mut home_of_leader: HashMap<Uuid, Uuid> = HashMap::new();
    for l in &sorted_leaderships {
        let better = match home_of_leader.get(&l.person_id) {
            None => true,
            Some(current) => {
                let (a, b) = (pos(&l.unit_id), pos(current));
                matches!((a, b), (Some(a), Some(b)) if (a.depth, a.left) < (b.depth, b.left))
            }
        };
        if better {
            home_of_leader.insert(l.person_id, l.unit_id);
        }
    }

    // Everyone else's home is their primary engagement, else the first in tree order.
    let mut home: HashMap<Uuid, (Uuid, PayType, bool)> = HashMap::new();
    for m in memberships.iter().filter(|m| parent.contains_key(&m.unit_id)) {
        let rank = |unit: &Uuid, primary: bool| (!primary, pos(unit).map(|p| p.left).unwrap_or(i64::MAX));
        match home.get(&m.person_id) {
            Some((u, _, primary)) if rank(u, *primary) <= rank(&m.unit_id, m.is_primary) => {}
            _ => {
                home.insert(m.person_id, (m.unit_id, m.pay_type, m.is_primary));
            }
        }
    }
    for (person, unit) in &home_of_leader {
        let pay = home.get(person).map(|h| h.1).unwrap_or(PayType::Salaried);
        home.insert(*person, (*unit, pay, true));
    }

    // Nearest leader above each person, not themselves.
    let nearest_leader = |person: Uuid, start: Uuid| -> Option<Uuid> {
        let mut unit = Some(start);
        let mut steps = 0usize;
        while let Some(u) = unit {
            if let Some(&l) = leader_of.get(&u)
                && l != person
            {
                return Some(l);
            }
            unit = parent.get(&u).copied().flatten();
            steps += 1;
            if steps > parent.len() {
                return None;
            }
        }
        None
    };

    let mut direct: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut rows: HashMap<Uuid, LeaderSpan> = HashMap::new();
    for (leader, unit) in &home_of_leader {
        let p = pos(unit).unwrap_or(TreePosition { depth: 0, left: 0, right: 0 });
        rows.insert(
            *leader,
            LeaderSpan {
                person_id: *leader,
                unit_id: *unit,
                department_id: department_of(*unit, &parent, positions),
                level: p.depth,
                direct: 0,
                total: 0,
                leaders: 0,
                hourly: 0,
                salaried: 0,
                tree_left: p.left,
            },
        );
    }
    let mut people: Vec<(&Uuid, &(Uuid, PayType, bool))> = home.iter().collect();
    people.sort_by_key(|(p, _)| **p);
    for (person, (unit, pay, _)) in people {
        if let Some(l) = nearest_leader(*person, *unit) {
            let is_leader = home_of_leader.contains_key(person);
            if let Some(row) = rows.get_mut(&l) {
                row.direct += 1;
                if is_leader {
                    row.leaders += 1;
                }
                match pay {
                    PayType::Hourly => row.hourly += 1,
                    PayType::Salaried => row.salaried += 1,
                }
            }
            direct.entry(l).or_default().push(*person);
        }
    }

    // Total = everyone below, directly or through leaders below.
    let mut total: HashMap<Uuid, i64> = HashMap::new();
    let mut order: Vec<Uuid> = rows.keys().copied().collect();
    // Deepest leaders first, so each total is ready before its leader's leader needs it.
    order.sort_by_key(|l| std::cmp::Reverse(rows.get(l).map(|r| (r.level, r.tree_left)).unwrap_or((0, 0))));
    for l in &order {
        let mut sum = 0i64;
        for d in direct.get(l).map(|v| v.as_slice()).unwrap_or(&[]) {
            sum += 1 + total.get(d).copied().unwrap_or(0);
        }
        total.insert(*l, sum);
    }
    let mut out: Vec<LeaderSpan> = rows
        .into_values()
        .map(|mut r| {
            r.total = total.get(&r.person_id).copied().unwrap_or(0);
            r
        })
        .collect();
    out.sort_by_key(|r| (r.tree_left, r.person_id));
    out
}

fn department_of(
    unit: Uuid,
    parent: &HashMap<Uuid, Option<Uuid>>,
    positions: &HashMap<Uuid, TreePosition>,
) -> Option<Uuid> {
    let mut current = unit;
    for _ in 0..=parent.len() {
        match positions.get(&current).map(|p| p.depth) {
            Some(2) => return Some(current),
            Some(d) if d > 2 => current = parent.get(&current).copied().flatten()?,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn unit(n: u128, parent: Option<u128>, name: &str) -> TreeUnit {
        TreeUnit { id: id(n), parent_id: parent.map(id), name: name.to_string() }
    }

    fn member(p: u128, u: u128, pay: PayType) -> Membership {
        Membership { person_id: id(p), unit_id: id(u), pay_type: pay, is_primary: true }
    }

    /// Root (leader 100) → A (leader 101) → A1 (vacant) ; Root → B (no leader post).
    fn sample() -> (Vec<TreeUnit>, Vec<Membership>, Vec<Leadership>) {
        let units =
            vec![unit(1, None, "Kommune"), unit(2, Some(1), "A"), unit(3, Some(2), "A1"), unit(4, Some(1), "B")];
        let mut members = vec![
            member(100, 1, PayType::Salaried), // the top leader's own engagement
            member(101, 2, PayType::Salaried), // A's leader, engaged in A
            member(200, 2, PayType::Hourly),
            member(201, 2, PayType::Salaried),
            member(202, 3, PayType::Hourly), // under a vacant post: counts for A's leader
            member(203, 4, PayType::Salaried), // B has no leader: counts for the top
        ];
        members.push(member(204, 1, PayType::Salaried));
        let leaders =
            vec![Leadership { person_id: id(100), unit_id: id(1) }, Leadership { person_id: id(101), unit_id: id(2) }];
        (units, members, leaders)
    }

    #[test]
    fn nested_set_in_danish_order() {
        let units = vec![unit(1, None, "K"), unit(2, Some(1), "Ø"), unit(3, Some(1), "Z"), unit(4, Some(3), "Z1")];
        let p = tree_positions(&units);
        assert_eq!(p[&id(1)], TreePosition { depth: 1, left: 1, right: 8 });
        assert_eq!(p[&id(3)], TreePosition { depth: 2, left: 2, right: 5 });
        assert_eq!(p[&id(4)], TreePosition { depth: 3, left: 3, right: 4 });
        assert_eq!(p[&id(2)], TreePosition { depth: 2, left: 6, right: 7 });
    }

    #[test]
    fn headcounts_add_up_the_subtree() {
        let (units, members, _) = sample();
        let counts = subtree_headcounts(&units, &members);
        assert_eq!(counts[&id(1)], 7);
        assert_eq!(counts[&id(2)], 4);
        assert_eq!(counts[&id(3)], 1);
        assert_eq!(counts[&id(4)], 1);
    }

    #[test]
    fn cycles_do_not_hang() {
        let units = vec![unit(1, Some(2), "A"), unit(2, Some(1), "B")];
        let p = tree_positions(&units);
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn leaders_are_not_their_own_staff_and_vacancies_roll_up() {
        let (units, members, leaders) = sample();
        let pos = tree_positions(&units);
        let rows = span_of_control(&units, &pos, &members, &leaders);
        assert_eq!(rows.len(), 2);
        let top = &rows[0];
        assert_eq!(top.person_id, id(100));
        // 101 (a leader), 203 (B, no leader) and 204.
        assert_eq!((top.direct, top.leaders, top.total), (3, 1, 6));
        assert_eq!((top.hourly, top.salaried), (0, 3));
        let a = &rows[1];
        assert_eq!(a.person_id, id(101));
        assert_eq!((a.direct, a.leaders, a.total), (3, 0, 3));
        assert_eq!((a.hourly, a.salaried), (2, 1));
        assert_eq!(a.level, 2);
        assert_eq!(a.department_id, Some(id(2)));
        assert_eq!(top.department_id, None);
    }

    #[test]
    fn a_manager_without_engagement_is_a_member_of_their_unit() {
        let units = vec![unit(1, None, "K"), unit(2, Some(1), "A")];
        let leaders =
            vec![Leadership { person_id: id(100), unit_id: id(1) }, Leadership { person_id: id(101), unit_id: id(2) }];
        let rows = span_of_control(&units, &tree_positions(&units), &[], &leaders);
        assert_eq!(rows[0].direct, 1);
        assert_eq!(rows[0].leaders, 1);
        assert_eq!(rows[1].direct, 0);
    }

    #[test]
    fn a_person_is_counted_once() {
        let units = vec![unit(1, None, "K"), unit(2, Some(1), "A")];
        let leaders = vec![Leadership { person_id: id(100), unit_id: id(1) }];
        let mut second = member(200, 2, PayType::Hourly);
        second.is_primary = false;
        let members = vec![member(200, 1, PayType::Salaried), second];
        let rows = span_of_control(&units, &tree_positions(&units), &members, &leaders);
        assert_eq!((rows[0].direct, rows[0].salaried, rows[0].hourly), (1, 1, 0));
    }
}
