//! Cohorts, learning groups and buddy pairs in the API: a preview from the enrolled people
//! by `analysis::groups` (the JSON of `samskab analyse groups`, members as person ids),
//! adoption of a previewed (and edited) result, the adopted groups, and the placing of a
//! late enrolment into existing groups without moving anyone else.

use std::collections::{HashMap, HashSet};

use analysis::groups::{Outcome, Person, Request, Violation, form, place, sizes};
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::programme_of;
use crate::AppState;
use crate::organisation::cache::OrgView;
use crate::platform::api::{ApiJson, Problem, created, json};
use crate::platform::audit::AuditEntry;
use crate::platform::i18n::Tr;
use crate::platform::web::{AppError, Permit, Result};
use crate::programmes::ManageProgrammes;
use crate::programmes::model::{
    GROUP_MAX_SIZE, GroupKind, GroupMember, Grouping, MIX_KEYS, NewGroup, Programme, ProgrammeGroup,
};
use crate::programmes::store::{self, groups::StoredGroup};

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
pub struct Lock {
    pub person: Uuid,
    /// The previewed group's id (0, 1, …) the person stays in.
    pub group: usize,
}

#[derive(Serialize, Deserialize, ToSchema, Default, Clone)]
pub struct PreviewJson {
    /// cohort, learning or buddy
    pub kind: String,
    /// "MIN-MAX" or one number; default 20-24, 4-6 or 2 by kind.
    pub size: Option<String>,
    /// Attributes to spread: unit, role (leaders). Default both.
    pub mix: Option<Vec<String>>,
    /// Pairs of people who must be in the same group.
    #[serde(default)]
    pub together: Vec<Vec<Uuid>>,
    /// Pairs of people who must be in different groups.
    #[serde(default)]
    pub apart: Vec<Vec<Uuid>>,
    /// People who stay where the facilitator put them when the groups are formed again.
    #[serde(default)]
    pub locked: Vec<Lock>,
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct PreviewGroup {
    pub id: usize,
    /// Person ids.
    pub members: Vec<String>,
    /// The cohort (or learning group) the group lies inside, when that level is adopted.
    pub parent: Option<Uuid>,
}

/// The JSON of `samskab analyse groups` with the members as person ids, and what it was
/// formed by, so it can be adopted as it is.
#[derive(Serialize, ToSchema, Clone, Debug)]
pub struct Preview {
    pub kind: GroupKind,
    pub size: String,
    pub mix: Vec<String>,
    pub groups: Vec<PreviewGroup>,
    /// The penalty left: 0 is perfect.
    pub score: f64,
    /// What the result does not manage, and whether it could have been avoided.
    #[schema(value_type = Vec<Object>)]
    pub violations: Vec<Violation>,
    /// Share of groups whose members all come from different units (the first mix attribute).
    pub mixed_share: f64,
}

/// "4-6" (or "2") into bounds within 1..=GROUP_MAX_SIZE.
pub fn parse_size(raw: &str) -> Option<(usize, usize)> {
    analysis::groups::parse_size(raw).filter(|(_, max)| *max <= GROUP_MAX_SIZE)
}

/// A person's value of a mix attribute: their unit, or "leader" (others have none, so
/// leaders are spread and everyone else counts as no clash).
fn attribute(org: &OrgView, person: Uuid, key: &str) -> String {
    match (org.person(person), key) {
        (Some(p), "unit") => p.unit.to_string(),
        (Some(p), "role") if p.is_leader => "leader".to_string(),
        _ => String::new(),
    }
}

/// The checked request: kind, bounds, mix and the pairs.
struct Checked {
    kind: GroupKind,
    min: usize,
    max: usize,
    mix: Vec<String>,
}

fn check(tr: &Tr, kind: &str, size: Option<&str>, mix: Option<&[String]>) -> Result<Checked> {
    let kind = GroupKind::parse(kind).ok_or_else(|| AppError::BadRequest(tr.t("group-error-kind")))?;
    let (min, max) = match size.map(str::trim).filter(|s| !s.is_empty()) {
        None => kind.default_size(),
        Some(raw) => parse_size(raw).ok_or_else(|| {
            AppError::BadRequest(tr.ta("group-error-size", &[("size", &raw), ("max", &GROUP_MAX_SIZE)]))
        })?,
    };
    let mix: Vec<String> = match mix {
        None => MIX_KEYS.iter().map(|m| m.to_string()).collect(),
        Some(list) => list.iter().map(|m| m.trim().to_string()).filter(|m| !m.is_empty()).collect(),
    };
    if let Some(bad) = mix.iter().find(|m| !MIX_KEYS.contains(&m.as_str())) {
        return Err(AppError::BadRequest(tr.ta("group-error-mix", &[("mix", bad), ("keys", &MIX_KEYS.join(", "))])));
    }
    let mut seen = HashSet::new();
    let mix = mix.into_iter().filter(|m| seen.insert(m.clone())).collect();
    Ok(Checked { kind, min, max, mix })
}

/// The enrolled people of a programme, split by the adopted groups of the level above
/// (`None`: not placed there, or no such level).
async fn parts(
    state: &AppState,
    programme: Uuid,
    kind: GroupKind,
) -> Result<(Vec<Uuid>, Vec<(Option<Uuid>, Vec<Uuid>)>)> {
    let people: Vec<Uuid> =
        store::programme_enrolments(&state.db, programme).await?.into_iter().map(|(p, _, _)| p).collect();
    let Some(parent) = kind.parent() else { return Ok((people.clone(), vec![(None, people)])) };
    let above: Vec<StoredGroup> =
        store::groups::groups(&state.db, programme).await?.into_iter().filter(|g| g.kind == parent).collect();
    if above.is_empty() {
        return Ok((people.clone(), vec![(None, people)]));
    }
    let enrolled: HashSet<Uuid> = people.iter().copied().collect();
    let mut placed = HashSet::new();
    let mut out: Vec<(Option<Uuid>, Vec<Uuid>)> = Vec::new();
    for g in &above {
        let members: Vec<Uuid> = g.members.iter().map(|(p, _)| *p).filter(|p| enrolled.contains(p)).collect();
        placed.extend(members.iter().copied());
        out.push((Some(g.id), members));
    }
    let rest: Vec<Uuid> = people.iter().copied().filter(|p| !placed.contains(p)).collect();
    if !rest.is_empty() {
        out.push((None, rest));
    }
    Ok((people, out))
}

/// Forms the groups for a preview.
pub async fn preview(state: &AppState, tr: &Tr, programme: &Programme, body: &PreviewJson) -> Result<Preview> {
    let c = check(tr, &body.kind, body.size.as_deref(), body.mix.as_deref())?;
    let (people, parts) = parts(state, programme.id, c.kind).await?;
    if people.is_empty() {
        return Err(AppError::BadRequest(tr.t("group-error-nobody")));
    }
    let part_of: HashMap<Uuid, usize> =
        parts.iter().enumerate().flat_map(|(i, (_, members))| members.iter().map(move |p| (*p, i))).collect();
    let pairs = |list: &[Vec<Uuid>]| -> Result<Vec<(Uuid, Uuid)>> {
        list.iter()
            .map(|pair| match pair.as_slice() {
                [a, b] if a != b && part_of.contains_key(a) && part_of.contains_key(b) => Ok((*a, *b)),
                _ => Err(AppError::BadRequest(tr.t("group-error-pair"))),
            })
            .collect()
    };
    let together = pairs(&body.together)?;
    let apart = pairs(&body.apart)?;
    let norm = |(a, b): &(Uuid, Uuid)| if a < b { (*a, *b) } else { (*b, *a) };
    let apart_set: HashSet<(Uuid, Uuid)> = apart.iter().map(norm).collect();
    if together.iter().any(|p| apart_set.contains(&norm(p))) {
        return Err(AppError::BadRequest(tr.t("group-error-contradiction")));
    }
    if together.iter().any(|(a, b)| part_of[a] != part_of[b]) {
        return Err(AppError::BadRequest(tr.t("group-error-together-parent")));
    }
    // Group ids run on from one part to the next, as the parts are formed in order.
    let bounds: Vec<(usize, usize)> = parts.iter().map(|(_, m)| c.kind.part_bounds((c.min, c.max), m.len())).collect();
    let counts: Vec<usize> =
        parts.iter().zip(&bounds).map(|((_, m), (lo, hi))| sizes(m.len(), *lo, *hi).0.len()).collect();
    let offsets: Vec<usize> = counts.iter().scan(0, |acc, n| Some(std::mem::replace(acc, *acc + n))).collect();
    let mut locked: HashMap<Uuid, usize> = HashMap::new();
    for lock in &body.locked {
        let part = part_of.get(&lock.person).ok_or_else(|| AppError::BadRequest(tr.t("group-error-lock")))?;
        let local = lock.group.checked_sub(offsets[*part]).filter(|g| *g < counts[*part]);
        locked.insert(lock.person, local.ok_or_else(|| AppError::BadRequest(tr.t("group-error-lock")))?);
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut outcomes = Vec::with_capacity(parts.len());
    for (i, (_, members)) in parts.iter().enumerate() {
        let in_part = |(a, b): &(Uuid, Uuid)| part_of[a] == i && part_of[b] == i;
        let request = Request {
            people: members
                .iter()
                .map(|p| Person {
                    id: p.to_string(),
                    attributes: c.mix.iter().map(|m| attribute(&org, *p, m)).collect(),
                    locked: locked.get(p).copied(),
                })
                .collect(),
            min_size: bounds[i].0,
            max_size: bounds[i].1,
            mix: c.mix.clone(),
            together: together.iter().filter(|p| in_part(p)).map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            apart: apart.iter().filter(|p| in_part(p)).map(|(a, b)| (a.to_string(), b.to_string())).collect(),
        };
        outcomes.push(form(&request));
    }
    let parents: Vec<Option<Uuid>> =
        parts.iter().zip(&counts).flat_map(|((parent, _), n)| std::iter::repeat_n(*parent, *n)).collect();
    let Outcome { groups, score, violations, mixed_share } = Outcome::concat(outcomes);
    Ok(Preview {
        kind: c.kind,
        size: if c.min == c.max { c.min.to_string() } else { format!("{}-{}", c.min, c.max) },
        mix: c.mix,
        groups: groups
            .into_iter()
            .map(|g| PreviewGroup { parent: parents.get(g.id).copied().flatten(), id: g.id, members: g.members })
            .collect(),
        score,
        violations,
        mixed_share,
    })
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct AdoptGroup {
    /// Person ids.
    pub members: Vec<String>,
    /// The group of the level above; found from the members when absent.
    pub parent: Option<Uuid>,
}

/// A previewed result, edited or not: its groups become the programme's.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct AdoptJson {
    pub kind: String,
    pub size: Option<String>,
    pub mix: Option<Vec<String>>,
    pub groups: Vec<AdoptGroup>,
    /// People to keep in their group when the groups are formed again.
    #[serde(default)]
    pub locked: Vec<Uuid>,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct GroupsJson {
    pub groupings: Vec<Grouping>,
    pub groups: Vec<ProgrammeGroup>,
}

/// Checks and adopts a result: every enrolled person of the level in exactly one group,
/// nobody else, each group inside one group of the level above.
pub async fn adopt(
    state: &AppState,
    tr: &Tr,
    programme: &Programme,
    body: &AdoptJson,
    entry: AuditEntry,
) -> Result<Vec<Uuid>> {
    let c = check(tr, &body.kind, body.size.as_deref(), body.mix.as_deref())?;
    let (people, parts) = parts(state, programme.id, c.kind).await?;
    let parent_of: HashMap<Uuid, Option<Uuid>> =
        parts.iter().flat_map(|(parent, members)| members.iter().map(move |p| (*p, *parent))).collect();
    if body.groups.is_empty() || body.groups.iter().any(|g| g.members.is_empty()) {
        return Err(AppError::BadRequest(tr.t("group-error-empty")));
    }
    let locked: HashSet<Uuid> = body.locked.iter().copied().collect();
    let mut seen = HashSet::new();
    let mut groups = Vec::with_capacity(body.groups.len());
    for g in &body.groups {
        let mut members = Vec::with_capacity(g.members.len());
        for raw in &g.members {
            let person = Uuid::parse_str(raw.trim())
                .ok()
                .filter(|p| parent_of.contains_key(p))
                .ok_or_else(|| AppError::BadRequest(tr.t1("group-error-not-enrolled", "person", raw)))?;
            if !seen.insert(person) {
                return Err(AppError::BadRequest(tr.t1("group-error-twice", "person", raw)));
            }
            members.push((person, locked.contains(&person)));
        }
        let parent = parent_of[&members[0].0];
        if members.iter().any(|(p, _)| parent_of[p] != parent) || g.parent.is_some_and(|p| Some(p) != parent) {
            return Err(AppError::BadRequest(tr.t("group-error-parent")));
        }
        groups.push(NewGroup { parent, members });
    }
    let missing = people.len() - seen.len();
    if missing > 0 {
        return Err(AppError::BadRequest(tr.n("group-error-missing", "count", missing as i64)));
    }
    let grouping = Grouping { kind: c.kind, min_size: c.min as i32, max_size: c.max as i32, mix: c.mix };
    Ok(store::groups::adopt(&state.db, state.municipality, programme.id, &grouping, &groups, entry).await?)
}

/// The adopted groups (a second's copy, ended by this instance's writes).
pub async fn kept_groups(state: &AppState, programme: Uuid) -> Result<std::sync::Arc<Vec<StoredGroup>>> {
    let copies = &crate::programmes::cache::GROUPS;
    if let Some(kept) = copies.get(programme) {
        return Ok(kept);
    }
    let generation = copies.generation();
    let read = std::sync::Arc::new(store::groups::groups(&state.db, programme).await?);
    copies.keep(programme, generation, read.clone());
    Ok(read)
}

/// The adopted groups with the members' names.
pub async fn adopted(state: &AppState, programme: Uuid) -> Result<GroupsJson> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let groups = store::groups::groups(&state.db, programme)
        .await?
        .into_iter()
        .map(|g| ProgrammeGroup {
            id: g.id,
            kind: g.kind,
            parent: g.parent,
            number: g.number,
            members: g
                .members
                .into_iter()
                .map(|(person, locked)| {
                    let at = org.person(person);
                    GroupMember {
                        person,
                        name: at.map(|p| p.name.clone()).unwrap_or_default(),
                        unit: at.map(|p| p.unit),
                        locked,
                    }
                })
                .collect(),
        })
        .collect();
    Ok(GroupsJson { groupings: store::groups::groupings(&state.db, programme).await?, groups })
}

#[derive(Serialize, Deserialize, ToSchema, Clone, Copy, Debug, PartialEq)]
pub struct Placement {
    pub kind: GroupKind,
    pub number: i32,
}

/// Places a person enrolled after the groups were adopted: level by level, into the open
/// group (inside the one chosen above) where they share the fewest units and roles with
/// the members; nobody else moves.
pub async fn place_late(state: &AppState, programme: Uuid, person: Uuid, entry: AuditEntry) -> Result<Vec<Placement>> {
    let groupings = store::groups::groupings(&state.db, programme).await?;
    if groupings.is_empty() {
        return Ok(Vec::new());
    }
    let all = store::groups::groups(&state.db, programme).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut chosen: Vec<(GroupKind, Uuid)> = Vec::new();
    let mut placements = Vec::new();
    for grouping in &groupings {
        if let Some(existing) =
            all.iter().find(|g| g.kind == grouping.kind && g.members.iter().any(|(p, _)| *p == person))
        {
            chosen.push((grouping.kind, existing.id));
            continue;
        }
        let inside = grouping.kind.parent().and_then(|k| chosen.iter().find(|(c, _)| *c == k)).map(|(_, g)| *g);
        let candidates: Vec<&StoredGroup> =
            all.iter().filter(|g| g.kind == grouping.kind && (inside.is_none() || g.parent == inside)).collect();
        let values = |p: Uuid| grouping.mix.iter().map(|m| attribute(&org, p, m)).collect::<Vec<_>>();
        let members: Vec<Vec<Vec<String>>> =
            candidates.iter().map(|g| g.members.iter().map(|(p, _)| values(*p)).collect()).collect();
        let Some(i) = place(&members, &values(person), grouping.max_size.max(1) as usize) else { continue };
        chosen.push((grouping.kind, candidates[i].id));
        placements.push(Placement { kind: grouping.kind, number: candidates[i].number });
    }
    let new: Vec<(GroupKind, Uuid)> =
        chosen.into_iter().filter(|(k, _)| placements.iter().any(|p| p.kind == *k)).collect();
    if !new.is_empty() {
        store::groups::place(&state.db, state.municipality, programme, person, &new, entry).await?;
    }
    Ok(placements)
}

/// The groups of a programme as adopted, with how each level was formed.
#[utoipa::path(get, path = "/api/v1/programmes/{id}/groups", tag = "programmes",
    responses((status = 200, body = GroupsJson), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&adopted(&state, programme.id).await?))
}

/// Forms groups from the enrolled people without saving them: learning groups inside each
/// adopted cohort, buddy pairs inside each learning group. Impossible sizes, unknown mix
/// attributes, contradictory pairs: 400.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/groups/preview", tag = "programmes", request_body = PreviewJson,
    responses((status = 200, body = Preview), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn preview_groups(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<PreviewJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&preview(&state, &permit.tr(), &programme, &body).await?))
}

/// Adopts a previewed result (as it came, or with people moved): the level's earlier
/// groups, and those inside them, are replaced.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/groups/adopt", tag = "programmes", request_body = AdoptJson,
    responses((status = 201, body = GroupsJson), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn adopt_groups(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AdoptJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    adopt(&state, &permit.tr(), &programme, &body, permit.ctx.audit("programme.groups_adopted")).await?;
    Ok(created(&adopted(&state, programme.id).await?))
}
