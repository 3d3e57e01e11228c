//! Themes across the organisation: how many participants raised each theme in each unit (at
//! one level of the organisation) and in each role, as counts and shares, with the
//! platform's anonymity rule (`platform::anonymity`): no figure for fewer than five people,
//! and none that could be worked out by subtraction — within a row or a column, or between a
//! unit and its parent's total shown one level up.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::analysis::ThemesResult;
use super::model::Input;
use crate::organisation::cache::OrgView;
use crate::platform::anonymity::{MIN_GROUP, suppress};

/// The levels of the organisation a table can be drawn at: 2 the departments, 3 their areas.
pub const LEVELS: std::ops::RangeInclusive<i64> = 2..=3;

/// A column of the table: a unit, a role, or those without one.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Column {
    /// The unit's id, the role's key (`leader`, `employee`), or none for "not known".
    pub key: Option<String>,
    pub name: String,
    /// Participants with a themed input in it; none when fewer than five.
    pub participants: Option<i64>,
}

/// One theme's row.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Row {
    pub theme: usize,
    pub label: String,
    /// Participants who raised it; none when fewer than five.
    pub participants: Option<i64>,
    /// Per column: participants who raised it there (none when hidden).
    pub counts: Vec<Option<i64>>,
    /// Per column: that count as a share of the column's participants, in whole per cent.
    pub shares: Vec<Option<i64>>,
    /// Units (not "not known") where at least five people raised it.
    pub units_raising: usize,
}

/// A table of themes by units or by roles.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Table {
    pub columns: Vec<Column>,
    pub rows: Vec<Row>,
}

/// Both tables.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Across {
    pub level: i64,
    pub by_unit: Table,
    pub by_role: Table,
    /// The fewest people a shown figure stands for.
    pub minimum: i64,
}

/// A participant's unit at `level`: its ancestor at that depth, or the unit itself when it
/// lies above it.
fn unit_at(view: &OrgView, unit: Uuid, level: i64) -> Option<(Uuid, String, Option<Uuid>)> {
    let u = view.unit(unit)?;
    if u.depth <= level {
        let parent = view.ancestors(u).into_iter().find(|a| a.depth == level - 1).map(|a| a.id);
        return Some((u.id, u.name.clone(), parent));
    }
    let ancestors = view.ancestors(u);
    let at = ancestors.iter().find(|a| a.depth == level)?;
    let parent = ancestors.iter().find(|a| a.depth == level - 1).map(|a| a.id);
    Some((at.id, at.name.clone(), parent))
}

/// Builds both tables from the themes and the inputs (with their participants' units and
/// roles). `unknown` and the role names are the reader's words.
pub fn across(
    view: &OrgView,
    themes: &ThemesResult,
    inputs: &[Input],
    level: i64,
    names: &dyn Fn(&str) -> String,
) -> Across {
    let by_id: HashMap<Uuid, &Input> = inputs.iter().map(|i| (i.id, i)).collect();
    // Per participant: unit column, role column, and the themes they raised.
    let mut unit_columns: BTreeMap<Option<Uuid>, (String, Option<Uuid>)> = BTreeMap::new();
    let mut people: HashMap<i32, (Option<Uuid>, Option<String>, BTreeSet<usize>)> = HashMap::new();
    for (row, &theme) in themes.assignments.iter().enumerate() {
        let (Ok(theme), Some(input)) = (usize::try_from(theme), themes.inputs.get(row).and_then(|id| by_id.get(id)))
        else {
            continue;
        };
        let unit = input.unit_id.and_then(|u| unit_at(view, u, level));
        let key = unit.as_ref().map(|(id, _, _)| *id);
        if let Some((id, name, parent)) = unit {
            unit_columns.entry(Some(id)).or_insert((name, parent));
        }
        let role = input.role.clone().filter(|r| r == "leader" || r == "employee");
        let entry = people.entry(input.participant_number).or_insert((key, role, BTreeSet::new()));
        entry.2.insert(theme);
    }
    if people.values().any(|(unit, _, _)| unit.is_none()) {
        unit_columns.insert(None, (names("unknown-unit"), None));
    }
    // Columns in the organisation's order (by tree position), "not known" last; the
    // columns of one parent are next to each other.
    let mut units: Vec<(Option<Uuid>, String, Option<Uuid>)> =
        unit_columns.into_iter().map(|(k, (name, parent))| (k, name, parent)).collect();
    units.sort_by_key(|(k, _, _)| k.and_then(|id| view.unit(id)).map_or(i64::MAX, |u| u.tree_left));
    let roles: Vec<(Option<String>, String)> = vec![
        (Some("leader".into()), names("leader")),
        (Some("employee".into()), names("employee")),
        (None, names("unknown-role")),
    ];
    let by_unit = table(
        themes,
        &people,
        &units.iter().map(|(k, n, _)| (k.map(|u| u.to_string()), n.clone())).collect::<Vec<_>>(),
        |p| units.iter().position(|(k, _, _)| *k == p.0),
        &groups(&units),
    );
    let by_role = table(themes, &people, &roles, |p| roles.iter().position(|(k, _)| *k == p.1), &[]);
    Across { level, by_unit, by_role, minimum: MIN_GROUP }
}

/// Runs of columns with the same parent unit (their sum is the parent's, shown a level up).
fn groups(units: &[(Option<Uuid>, String, Option<Uuid>)]) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=units.len() {
        if i == units.len() || units[i].2 != units[start].2 || units[i].0.is_none() {
            if units[start].2.is_some() && i - start > 1 {
                out.push(start..i);
            }
            start = i;
        }
    }
    out
}

type Person = (Option<Uuid>, Option<String>, BTreeSet<usize>);

fn table(
    themes: &ThemesResult,
    people: &HashMap<i32, Person>,
    columns: &[(Option<String>, String)],
    column_of: impl Fn(&Person) -> Option<usize>,
    groups: &[std::ops::Range<usize>],
) -> Table {
    let n = columns.len();
    let mut counts = vec![vec![0i64; n]; themes.themes.len()];
    let mut column_people = vec![0i64; n];
    let mut theme_people = vec![0i64; themes.themes.len()];
    for person in people.values() {
        let Some(c) = column_of(person) else { continue };
        column_people[c] += 1;
        for &t in &person.2 {
            if t < counts.len() {
                counts[t][c] += 1;
                theme_people[t] += 1;
            }
        }
    }
    let shown = suppress(&counts, groups);
    let column_shown = suppress(&[column_people.clone()], &[]).pop().unwrap_or_default();
    let rows = themes
        .themes
        .iter()
        .enumerate()
        .map(|(t, theme)| Row {
            theme: theme.id,
            label: theme.label.clone(),
            participants: (theme_people[t] >= MIN_GROUP).then_some(theme_people[t]),
            shares: (0..n)
                .map(|c| match (shown[t][c], column_shown.get(c).copied().flatten()) {
                    (Some(k), Some(total)) if total > 0 => Some((k * 100 + total / 2) / total),
                    _ => None,
                })
                .collect(),
            units_raising: (0..n).filter(|&c| columns[c].0.is_some() && shown[t][c].is_some()).count(),
            counts: shown[t].clone(),
        })
        .collect();
    Table {
        columns: columns
            .iter()
            .zip(&column_shown)
            .map(|((key, name), participants)| Column {
                key: key.clone(),
                name: name.clone(),
                participants: *participants,
            })
            .collect(),
        rows,
    }
}
