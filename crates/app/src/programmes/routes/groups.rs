//! The groups page: the adopted cohorts, learning groups and buddy pairs; a form that
//! previews new ones; the preview, where the facilitator moves people (a group number per
//! person), locks them, forms the rest again, and adopts. Works without JavaScript.

use std::collections::{BTreeMap, HashSet};

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::super::api::groups::{
    AdoptGroup, AdoptJson, Lock, Preview, PreviewJson, adopt, adopted, kept_groups, preview,
};
use super::super::api::programme_of;
use super::super::model::{GroupKind, MIX_KEYS, Programme};
use super::super::store;
use super::super::store::groups::StoredGroup;
use super::super::views::{AdoptedGroupView, GroupsTemplate, PreviewGroupView, PreviewMemberView, PreviewTemplate};
use super::super::{ManageProgrammes, actions};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new().get("/programmer/{id}/grupper", manage, groups_page).post(
        "/programmer/{id}/grupper/forslag",
        manage,
        proposal,
    )
}

#[derive(serde::Deserialize, Default)]
struct Saved {
    gemt: Option<String>,
    side: Option<String>,
}

/// Groups shown per page (a programme of 2,000 has some 400 learning groups).
const GROUPS_PER_PAGE: usize = 40;

/// The form's choices: kind, size, mix and the pairs, as typed.
#[derive(Clone, Default)]
struct Choice {
    kind: String,
    size: String,
    mix: Vec<String>,
    /// One pair a line, "name or e-mail, name or e-mail".
    together: String,
    apart: String,
}

/// The pairs of a text field, one a line with the two people by e-mail or name, as person
/// ids among those enrolled. A name two enrolled people share must be given as an e-mail.
fn typed_pairs(
    tr: &Tr,
    field: &str,
    text: &str,
    enrolled: &[Uuid],
    org: &crate::organisation::cache::OrgView,
) -> std::result::Result<Vec<Vec<Uuid>>, String> {
    let people: Vec<&crate::organisation::cache::PersonAt> = enrolled.iter().filter_map(|p| org.person(*p)).collect();
    let find = |line: usize, who: &str| -> std::result::Result<Uuid, String> {
        let wanted = who.to_lowercase();
        let by_email: Vec<Uuid> = people.iter().filter(|p| p.email.to_lowercase() == wanted).map(|p| p.id).collect();
        let matches = if by_email.is_empty() {
            people.iter().filter(|p| p.name.to_lowercase() == wanted).map(|p| p.id).collect()
        } else {
            by_email
        };
        match matches.as_slice() {
            [one] => Ok(*one),
            [] => Err(tr.ta("groups-pair-unknown", &[("field", &tr.t(field)), ("line", &line), ("person", &who)])),
            _ => Err(tr.ta("groups-pair-ambiguous", &[("field", &tr.t(field)), ("line", &line), ("person", &who)])),
        }
    };
    let mut pairs = Vec::new();
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let names: Vec<&str> = line.split([',', ';']).map(str::trim).collect();
        let [a, b] = names.as_slice() else {
            return Err(tr.ta("groups-pair-format", &[("field", &tr.t(field)), ("line", &(i + 1))]));
        };
        pairs.push(vec![find(i + 1, a)?, find(i + 1, b)?]);
    }
    Ok(pairs)
}

async fn groups_page(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    Query(saved): Query<Saved>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let notice = saved.gemt.map(|_| permit.tr().t("groups-saved"));
    let choice =
        Choice { kind: "learning".into(), mix: MIX_KEYS.iter().map(|m| m.to_string()).collect(), ..Default::default() };
    let number = crate::platform::web::page_number(&permit.tr(), saved.side.as_deref())?;
    page(&state, &permit, &programme, choice, FormErrors::default(), notice, number).await
}

async fn page(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    choice: Choice,
    errors: FormErrors,
    notice: Option<String>,
    page_number: i64,
) -> Result<Response> {
    let tr = permit.tr();
    let groupings = store::groups::groupings(&state.db, programme.id).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let all = kept_groups(state, programme.id).await?;
    let number_of: BTreeMap<Uuid, i32> = all.iter().map(|g| (g.id, g.number)).collect();
    let pages = all.len().div_ceil(GROUPS_PER_PAGE).max(1) as i64;
    let page_number = page_number.min(pages);
    let shown: Vec<(&StoredGroup, Option<i32>)> = all
        .iter()
        .skip((page_number as usize - 1) * GROUPS_PER_PAGE)
        .take(GROUPS_PER_PAGE)
        .map(|g| (g, g.parent.and_then(|p| number_of.get(&p).copied())))
        .collect();
    let levels = GroupKind::ALL
        .iter()
        .filter_map(|kind| {
            let grouping = groupings.iter().find(|g| g.kind == *kind)?;
            let count = all.iter().filter(|g| g.kind == *kind).count();
            let size = if grouping.min_size == grouping.max_size {
                grouping.min_size.to_string()
            } else {
                format!("{}–{}", grouping.min_size, grouping.max_size)
            };
            let groups: Vec<AdoptedGroupView> = shown
                .iter()
                .filter(|(g, _)| g.kind == *kind)
                .map(|(g, parent_number)| AdoptedGroupView {
                    name: group_name(&tr, g.kind, g.number as usize),
                    parent: parent_number
                        .and_then(|n| kind.parent().map(|k| group_name(&tr, k, n as usize)))
                        .unwrap_or_default(),
                    members: g
                        .members
                        .iter()
                        .filter_map(|(p, _)| org.person(*p))
                        .map(|m| {
                            let unit = org.unit(m.unit).map(|u| u.name.as_str()).unwrap_or_default();
                            if unit.is_empty() { m.name.clone() } else { format!("{} ({unit})", m.name) }
                        })
                        .collect(),
                })
                .collect();
            let heading =
                tr.ta("groups-adopted-kind", &[("kind", &tr.t(&kind.label_id())), ("count", &count), ("size", &size)]);
            Some((heading, groups))
        })
        .filter(|(_, groups)| !groups.is_empty())
        .collect();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &GroupsTemplate {
            page: permit.ctx.page(state, tr.t1("groups-title", "programme", &programme.title), "programmes"),
            id: programme.id.to_string(),
            enrolled: programme.enrolled,
            levels,
            kinds: kinds(&tr),
            kind: choice.kind,
            size: choice.size,
            mix_unit: choice.mix.iter().any(|m| m == "unit"),
            mix_role: choice.mix.iter().any(|m| m == "role"),
            together: choice.together,
            apart: choice.apart,
            errors,
            notice,
            page_number,
            pages,
            page_link: format!("/programmer/{}/grupper?side=", programme.id),
        },
        has_errors,
    ))
}

fn kinds(tr: &Tr) -> Vec<(String, String)> {
    GroupKind::ALL.iter().map(|k| (k.key().to_string(), tr.t(&k.label_id()))).collect()
}

fn group_name(tr: &Tr, kind: GroupKind, number: usize) -> String {
    tr.ta("groups-group", &[("kind", &tr.t(&kind.label_id())), ("number", &number)])
}

/// The preview form's fields: the choice, the button pressed, and per person their group
/// number (`g-{id}`, 1-based as shown), the group they were shown in (`s-{id}`) and a lock
/// (`l-{id}`). A person whose number was changed is locked where they were moved.
struct Edited {
    choice: Choice,
    action: String,
    /// Person, chosen group (0-based), locked.
    people: Vec<(Uuid, usize, bool)>,
}

fn edited(tr: &Tr, fields: Vec<(String, String)>) -> std::result::Result<Edited, String> {
    let mut choice = Choice::default();
    let mut action = String::new();
    let mut chosen: BTreeMap<Uuid, usize> = BTreeMap::new();
    let mut shown: BTreeMap<Uuid, String> = BTreeMap::new();
    let mut locks: HashSet<Uuid> = HashSet::new();
    for (name, value) in fields {
        match name.as_str() {
            "kind" => choice.kind = value,
            "size" => choice.size = value,
            "mix" => choice.mix.push(value),
            "together" => choice.together = value,
            "apart" => choice.apart = value,
            "action" => action = value,
            _ => {
                let Some((prefix, raw)) = name.split_once('-') else { continue };
                let Ok(person) = Uuid::parse_str(raw) else { continue };
                match prefix {
                    "g" => {
                        let n = value.trim().parse::<usize>().ok().filter(|n| *n >= 1);
                        chosen.insert(person, n.ok_or_else(|| tr.t1("groups-error-number", "value", &value))? - 1);
                    }
                    "s" => {
                        shown.insert(person, value.trim().to_string());
                    }
                    "l" => {
                        locks.insert(person);
                    }
                    _ => {}
                }
            }
        }
    }
    let people = chosen
        .into_iter()
        .map(|(person, group)| {
            let moved = shown.get(&person).is_some_and(|s| *s != (group + 1).to_string());
            (person, group, moved || locks.contains(&person))
        })
        .collect();
    Ok(Edited { choice, action, people })
}

async fn proposal(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let tr = permit.tr();
    let edit = match edited(&tr, fields) {
        Ok(edit) => edit,
        Err(message) => return with_error(&state, &permit, &programme, Choice::default(), "kind", message).await,
    };
    let choice = edit.choice.clone();
    let size = Some(choice.size.clone());
    let mix = Some(choice.mix.clone());
    if edit.action == "adopt" {
        let mut groups: BTreeMap<usize, Vec<String>> = BTreeMap::new();
        for (person, group, _) in &edit.people {
            groups.entry(*group).or_default().push(person.to_string());
        }
        let body = AdoptJson {
            kind: choice.kind.clone(),
            size,
            mix,
            groups: groups.into_values().map(|members| AdoptGroup { members, parent: None }).collect(),
            locked: edit.people.iter().filter(|(_, _, l)| *l).map(|(p, _, _)| *p).collect(),
        };
        return match adopt(&state, &tr, &programme, &body, permit.ctx.audit("programme.groups_adopted")).await {
            Ok(_) => Ok(Redirect::to(&format!("/programmer/{}/grupper?gemt=1", programme.id)).into_response()),
            Err(AppError::BadRequest(message)) => {
                with_error(&state, &permit, &programme, choice, "kind", message).await
            }
            Err(e) => Err(e),
        };
    }
    let locked = if edit.action == "rerun" {
        edit.people
            .iter()
            .filter(|(_, _, l)| *l)
            .map(|(person, group, _)| Lock { person: *person, group: *group })
            .collect()
    } else {
        Vec::new()
    };
    let enrolled: Vec<Uuid> =
        store::programme_enrolments(&state.db, programme.id).await?.into_iter().map(|(p, _, _)| p).collect();
    let org = crate::organisation::org_cache(&state).get(&state.db).await?;
    let together = match typed_pairs(&tr, "groups-field-together", &choice.together, &enrolled, &org) {
        Ok(pairs) => pairs,
        Err(message) => return with_error(&state, &permit, &programme, choice, "together", message).await,
    };
    let apart = match typed_pairs(&tr, "groups-field-apart", &choice.apart, &enrolled, &org) {
        Ok(pairs) => pairs,
        Err(message) => return with_error(&state, &permit, &programme, choice, "apart", message).await,
    };
    let body = PreviewJson { kind: choice.kind.clone(), size, mix, together, apart, locked };
    match preview(&state, &tr, &programme, &body).await {
        Ok(result) => {
            let locked: HashSet<Uuid> = body.locked.iter().map(|l| l.person).collect();
            preview_page(&state, &permit, &programme, &result, &locked, &choice).await
        }
        Err(AppError::BadRequest(message)) => with_error(&state, &permit, &programme, choice, "kind", message).await,
        Err(e) => Err(e),
    }
}

async fn with_error(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    choice: Choice,
    field: &'static str,
    message: String,
) -> Result<Response> {
    let mut errors = FormErrors::default();
    errors.push(field, message);
    page(state, permit, programme, choice, errors, None, 1).await
}

async fn preview_page(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &Programme,
    result: &Preview,
    locked: &HashSet<Uuid>,
    choice: &Choice,
) -> Result<Response> {
    let tr = permit.tr();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let adopted = adopted(state, programme.id).await?;
    let parent_name = |p: Option<Uuid>| {
        let g = adopted.groups.iter().find(|g| Some(g.id) == p)?;
        Some(group_name(&tr, g.kind, g.number as usize))
    };
    let people: usize = result.groups.iter().map(|g| g.members.len()).sum();
    let groups = result
        .groups
        .iter()
        .map(|g| PreviewGroupView {
            name: group_name(&tr, result.kind, g.id + 1),
            parent: parent_name(g.parent).unwrap_or_default(),
            number: g.id + 1,
            members: g
                .members
                .iter()
                .filter_map(|m| Uuid::parse_str(m).ok())
                .map(|person| {
                    let at = org.person(person);
                    PreviewMemberView {
                        id: person.to_string(),
                        name: at.map(|p| p.name.clone()).unwrap_or_default(),
                        unit: at.and_then(|p| org.unit(p.unit)).map(|u| u.name.clone()).unwrap_or_default(),
                        leader: at.is_some_and(|p| p.is_leader),
                        locked: locked.contains(&person),
                    }
                })
                .collect(),
        })
        .collect();
    let violations = result
        .violations
        .iter()
        .map(|v| {
            use analysis::groups::ViolationKind as K;
            let what = match v.kind {
                K::Size => tr.ta("group-violation-size", &[("count", &v.count), ("size", &v.subject)]),
                K::SameValue => tr.ta(
                    "group-violation-same",
                    &[
                        ("count", &v.count),
                        ("attribute", &tr.t(&format!("group-attribute-{}", v.subject))),
                        ("groups", &v.groups.len()),
                    ],
                ),
                K::Together => tr.t("group-violation-together"),
                K::Apart => tr.t("group-violation-apart"),
            };
            let why = tr.t(if v.avoidable { "group-violation-avoidable" } else { "group-violation-unavoidable" });
            format!("{what}: {why}.")
        })
        .collect();
    let summary = tr.ta(
        "groups-summary",
        &[("people", &people), ("groups", &result.groups.len()), ("score", &tr.decimal(result.score, 1))],
    );
    let mixed = result
        .mix
        .first()
        .map(|_| tr.t1("groups-mixed", "share", format!("{} %", tr.decimal(result.mixed_share * 100.0, 0))))
        .unwrap_or_default();
    Ok(render_form(
        &PreviewTemplate {
            page: permit.ctx.page(
                state,
                tr.ta(
                    "groups-preview-title",
                    &[("kind", &tr.t(&result.kind.label_id())), ("programme", &programme.title)],
                ),
                "programmes",
            ),
            id: programme.id.to_string(),
            kind: result.kind.key().to_string(),
            size: result.size.clone(),
            mix: result.mix.clone(),
            summary,
            mixed,
            violations,
            groups,
            count: result.groups.len(),
            together: choice.together.clone(),
            apart: choice.apart.clone(),
            errors: FormErrors::default(),
        },
        false,
    ))
}
