//! The programmes' pages: the list, a new programme (from a template), a programme with its
//! cascade, modules and activities and the leader's nominations. An activity's pages are in
//! `activities.rs`, "Mit forløb" and the calendar feeds in `mine.rs`, the rest each in a file
//! of its own.

mod activities;
mod attendance;
mod dashboard;
mod groups;
mod materials;
mod mine;
mod projects;
mod roles;
mod selection;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::api::{
    copy_programme, create_checked, enrol_programme_checked, ics, my_programme, programme_of, renew_feed,
};
use super::model::EnrolmentStatus;
use super::views::*;
use super::{ManageProgrammes, ReadProgrammes, actions, check_programme, store};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result, site_url};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/programmer", read, list)
        .get("/programmer/ny", manage, new_form)
        .post("/programmer/ny", manage, create)
        .get("/programmer/{id}", read, programme_page)
        .post("/programmer/{id}/nominer", read, nominate)
        .post("/programmer/{id}/kopi", manage, copy)
        .post("/programmer/{id}/arkiv", manage, archive)
        .get("/programmes/{id}/kalender.ics", read, mine::programme_feed)
        .get("/mit-forloeb", read, mine::mine)
        .post("/mit-forloeb/kalender", read, mine::new_feed)
        .get("/mit-forloeb/kalender/{file}", Guard::Public, mine::person_feed)
        .merge(activities::routes())
        .merge(groups::routes())
        .merge(materials::routes())
        .merge(dashboard::routes())
        .merge(projects::routes())
        .merge(roles::routes())
        .merge(attendance::routes())
        .merge(selection::routes())
}

pub(super) fn when(tr: &Tr, a: &super::model::Activity) -> String {
    super::when(tr, &a.starts_at, &a.ends_at)
}

pub(super) fn places(a: &super::model::Activity) -> String {
    match a.capacity {
        Some(c) => format!("{} / {c}", a.enrolled),
        None => a.enrolled.to_string(),
    }
}

#[derive(Deserialize, Default)]
struct ListQuery {
    arkiv: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let archived = q.arkiv.is_some();
    let rows = store::list(&state.db, state.municipality, archived)
        .await?
        .into_iter()
        .map(|p| ProgrammeRowView {
            id: p.id.to_string(),
            template: if p.template.is_empty() {
                String::new()
            } else {
                tr.t(&format!("programme-template-{}", p.template))
            },
            title: p.title,
            enrolled: p.enrolled,
        })
        .collect();
    let title = tr.t(if archived { "programmes-archive-title" } else { "programmes-title" });
    Ok(render(&ListTemplate {
        page: permit.ctx.page(&state, title, "programmes"),
        rows,
        archived,
        may_manage: permit.may(actions::MANAGE.anywhere()),
    }))
}

fn templates(tr: &Tr) -> Vec<(String, String)> {
    super::templates::KEYS.iter().map(|k| (k.to_string(), tr.t(&format!("programme-template-{k}")))).collect()
}

#[derive(Deserialize, Default)]
struct ProgrammeForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    template: String,
    #[serde(default)]
    starts_on: String,
}

fn form_view(state: &AppState, permit: &Permit<ManageProgrammes>, form: ProgrammeForm, errors: FormErrors) -> Response {
    let tr = permit.tr();
    let bad = !errors.is_empty();
    let mut r = render(&FormTemplate {
        page: permit.ctx.page(state, tr.t("programme-new-title"), "programmes"),
        title: form.title,
        description: form.description,
        template: form.template,
        starts_on: form.starts_on,
        templates: templates(&tr),
        errors,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

async fn new_form(State(state): State<AppState>, permit: Permit<ManageProgrammes>) -> Result<Response> {
    let starts_on = (super::today() + chrono::Duration::weeks(4)).to_string();
    Ok(form_view(&state, &permit, ProgrammeForm { starts_on, ..Default::default() }, FormErrors::default()))
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    CsrfForm(form): CsrfForm<ProgrammeForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let mut errors = match check_programme(&tr, &form.title, &form.description) {
        Ok(_) => FormErrors::default(),
        Err(e) => e,
    };
    let template = Some(form.template.trim()).filter(|t| !t.is_empty());
    if template.is_some_and(|t| !super::templates::KEYS.contains(&t)) {
        errors.push("template", tr.t1("programme-error-template", "keys", super::templates::KEYS.join(", ")));
    }
    let starts_on = match form.starts_on.trim() {
        "" => None,
        s => match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if d >= super::today() => Some(d),
            _ => {
                errors.push("starts_on", tr.t("programme-error-starts-on"));
                None
            }
        },
    };
    if !errors.is_empty() {
        return Ok(form_view(&state, &permit, form, errors));
    }
    let site = site_url(&state, &headers);
    let id = create_checked(&state, &permit, &form.title, &form.description, template, starts_on, &site).await?;
    Ok(Redirect::to(&format!("/programmer/{id}?gemt=oprettet")).into_response())
}

#[derive(Deserialize, Default)]
pub(super) struct Saved {
    pub(super) gemt: Option<String>,
    /// The page of a long list (from 1).
    pub(super) side: Option<String>,
}

pub(super) fn notice(tr: &Tr, saved: Option<&str>) -> Option<String> {
    match saved? {
        "oprettet" => Some(tr.t("programme-saved-created")),
        "kopi" => Some(tr.t("programme-saved-copied")),
        "arkiveret" => Some(tr.t("programme-saved-archived")),
        "aktivitet" => Some(tr.t("activity-saved")),
        "tilmeldt" => Some(tr.t("enrolment-saved-enrolled")),
        "venteliste" => Some(tr.t("enrolment-saved-waiting")),
        "afmeldt" => Some(tr.t("enrolment-saved-cancelled")),
        "fremmoede" => Some(tr.t("attendance-checked-in")),
        "maal" => Some(tr.t("goals-saved")),
        "materiale" => Some(tr.t("materials-saved")),
        "nomineret" => Some(tr.t("nominate-saved")),
        "materiale-fjernet" => Some(tr.t("materials-removed")),
        _ => None,
    }
}

async fn programme_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    programme_view(&state, &permit, &id, q.gemt.as_deref(), FormErrors::default()).await
}

async fn programme_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    saved: Option<&str>,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(state, id).await?;
    let activities = store::activities(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|a| ActivityRowView {
            id: a.id.to_string(),
            kind: tr.t(&a.kind.label_id()),
            when: when(&tr, &a),
            place: if a.place.is_empty() { tr.t(&a.mode.label_id()) } else { a.place.clone() },
            places: places(&a),
            waiting: a.waiting,
            cancelled: a.cancelled,
            module: a
                .module_id
                .and_then(|m| programme.modules.iter().find(|x| x.id == m))
                .map(|m| m.title.clone())
                .unwrap_or_default(),
            phase: a
                .phase_id
                .and_then(|p| programme.phases.iter().find(|x| x.id == p))
                .map(|p| p.title.clone())
                .unwrap_or_default(),
            title: a.title,
        })
        .collect();
    let roles = super::api::roles::role_list(state).await?;
    let role_name = |id: Option<Uuid>| id.and_then(|r| roles.iter().find(|x| x.id == r)).map(|r| r.name.clone());
    let goals = store::roles::goals(&state.db, programme.id)
        .await?
        .into_iter()
        .map(|g| (g.text, role_name(g.role_id).unwrap_or_default()))
        .collect();
    let changes = super::api::roles::changes(state, programme.id)
        .await?
        .into_iter()
        .map(|c| {
            let shown = |v: Option<f64>| v.map(|v| tr.decimal(v, 1)).unwrap_or_else(|| tr.t("ratings-suppressed"));
            RatingChangeView {
                cohort: c.cohort.map_or_else(|| tr.t("ratings-no-cohort"), |n| n.to_string()),
                role: c.role_name,
                n: c.n.map(|n| n.to_string()).unwrap_or_else(|| tr.t("ratings-suppressed")),
                start: shown(c.start_mean),
                end: shown(c.end_mean),
                change: c
                    .change
                    .map(|v| format!("{}{}", if v > 0.0 { "+" } else { "" }, tr.decimal(v, 1)))
                    .unwrap_or_default(),
            }
        })
        .collect();
    // A leader (who does not run programmes) nominates people of their own part here.
    let may_manage = permit.may(actions::MANAGE.anywhere());
    let nominees = if !may_manage && !programme.archived && permit.may(actions::NOMINATE.anywhere()) {
        let reach = crate::platform::permissions::reach(&permit.user.grants, &actions::NOMINATE);
        let org = crate::organisation::org_cache(state).get(&state.db).await?;
        let enrolled: std::collections::HashSet<Uuid> =
            store::programme_enrolments(&state.db, programme.id).await?.into_iter().map(|(p, _, _)| p).collect();
        let mut seen = std::collections::HashSet::new();
        let mut people: Vec<(String, String)> = org
            .all_units()
            .filter(|u| reach.covers(u.tree_left, u.depth))
            .flat_map(|u| {
                let leaders = org.leaders(u.id).iter().map(|p| (p.id, p.name.clone()));
                leaders.chain(org.staff(u.id).iter().map(|m| (m.person_id, m.name.clone()))).collect::<Vec<_>>()
            })
            .filter(|(p, _)| !enrolled.contains(p) && seen.insert(*p))
            .map(|(p, name)| (p.to_string(), name))
            .collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        people.truncate(NOMINEES_MAX);
        people
    } else {
        Vec::new()
    };
    let takes_part = match permit.user.account.person_id {
        Some(p) => store::is_enrolled(&state.db, programme.id, p).await?,
        None => false,
    };
    let phase_choices = programme.phases.iter().map(|p| (p.id.to_string(), p.title.clone())).collect();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &ProgrammeTemplate {
            page: permit.ctx.page(state, programme.title.clone(), "programmes"),
            id: programme.id.to_string(),
            description: programme.description,
            archived: programme.archived,
            enrolled: programme.enrolled,
            module_choices: programme.modules.iter().map(|m| (m.id.to_string(), m.title.clone())).collect(),
            phases: programme.phases.into_iter().map(|p| (p.title, p.audience)).collect(),
            modules: programme.modules.into_iter().map(|m| (m.title, m.description)).collect(),
            activities,
            may_manage,
            notice: notice(&tr, saved),
            nominees,
            phase_choices,
            goals,
            roles: roles.into_iter().filter(|r| r.active).map(|r| (r.key, r.name)).collect(),
            changes,
            takes_part,
            errors,
        },
        has_errors,
    ))
}

/// The most people offered in a leader's list to nominate from.
const NOMINEES_MAX: usize = 500;

#[derive(Deserialize, Default)]
struct NominateForm {
    #[serde(default)]
    person: String,
    #[serde(default)]
    phase: String,
}

async fn nominate(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NominateForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(&state, &id).await?;
    let parse =
        |raw: &str| Uuid::parse_str(raw.trim()).map_err(|_| AppError::BadRequest(tr.t("enrolment-error-person")));
    let done = match (parse(&form.person), form.phase.trim()) {
        (Err(e), _) => Err(e),
        (Ok(person), "") => enrol_programme_checked(&state, &permit, &programme, person, None).await,
        (Ok(person), phase) => match Uuid::parse_str(phase) {
            Ok(phase) => enrol_programme_checked(&state, &permit, &programme, person, Some(phase)).await,
            Err(_) => Err(AppError::BadRequest(tr.t("activity-error-phase"))),
        },
    };
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/programmer/{}?gemt=nomineret", programme.id)).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            programme_view(&state, &permit, &id, None, FormErrors::one("person", m)).await
        }
        Err(e) => Err(e),
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn copy(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let id = copy_programme(&state, &permit, &id, &site_url(&state, &headers)).await?;
    Ok(Redirect::to(&format!("/programmer/{id}?gemt=kopi")).into_response())
}

async fn archive(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let archived = !programme.archived;
    let action = if archived { "programme.archived" } else { "programme.restored" };
    store::set_archived(&state.db, state.municipality, programme.id, archived, permit.ctx.audit(action)).await?;
    Ok(Redirect::to(&format!("/programmer/{}?gemt=arkiveret", programme.id)).into_response())
}
