//! An activity's pages: the form to add or change one, the page with its people, places
//! and materials, and sign-up and sign-off.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use serde::Deserialize;
use uuid::Uuid;

use super::super::api::{activity_of, add_checked, cancel_checked, change_checked, enrol_checked, programme_of};
use super::super::model::{ActivityKind, EnrolmentStatus, Mode};
use super::super::views::*;
use super::super::{ActivityInput, ManageProgrammes, ReadProgrammes, actions, check_activity, store};
use super::{Saved, notice, places, when};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result, site_url};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/programmer/{id}/aktiviteter/ny", manage, new_activity_form)
        .post("/programmer/{id}/aktiviteter/ny", manage, create_activity)
        .get("/aktiviteter/{id}", read, activity_page)
        .get("/aktiviteter/{id}/rediger", manage, edit_activity_form)
        .post("/aktiviteter/{id}/rediger", manage, edit_activity)
        .post("/aktiviteter/{id}/tilmeld", read, sign_up)
        .post("/aktiviteter/{id}/afmeld", read, sign_off)
}

#[derive(Deserialize, Default)]
struct ActivityForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    starts_at: String,
    #[serde(default)]
    ends_at: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    place: String,
    #[serde(default)]
    meeting_url: String,
    #[serde(default)]
    capacity: String,
    #[serde(default)]
    facilitator: String,
    #[serde(default)]
    agenda: String,
    #[serde(default)]
    module: String,
    #[serde(default)]
    phase: String,
}

impl ActivityForm {
    fn of(a: &super::super::model::Activity) -> ActivityForm {
        ActivityForm {
            title: a.title.clone(),
            kind: a.kind.key().to_string(),
            starts_at: super::super::local_input(&a.starts_at),
            ends_at: super::super::local_input(&a.ends_at),
            mode: a.mode.key().to_string(),
            place: a.place.clone(),
            meeting_url: a.meeting_url.clone(),
            capacity: a.capacity.map(|c| c.to_string()).unwrap_or_default(),
            facilitator: a.facilitator.clone(),
            agenda: a.agenda.clone(),
            module: a.module_id.map(|m| m.to_string()).unwrap_or_default(),
            phase: a.phase_id.map(|p| p.to_string()).unwrap_or_default(),
        }
    }

    /// The typed activity, or the fields that are not even numbers or ids.
    fn input(&self, tr: &Tr) -> Result<ActivityInput, FormErrors> {
        let mut errors = FormErrors::default();
        let capacity = match self.capacity.trim() {
            "" => None,
            s => s.parse::<i64>().map(Some).unwrap_or_else(|_| {
                errors.push("capacity", tr.t1("activity-error-capacity", "max", super::super::model::CAPACITY_MAX));
                None
            }),
        };
        let mut id = |field: &'static str, raw: &str, message: &str| match raw.trim() {
            "" => None,
            s => Uuid::parse_str(s).ok().or_else(|| {
                errors.push(field, tr.t(message));
                None
            }),
        };
        let module = id("module", &self.module, "activity-error-module");
        let phase = id("phase", &self.phase, "activity-error-phase");
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(ActivityInput {
            title: self.title.clone(),
            kind: self.kind.clone(),
            starts_at: self.starts_at.clone(),
            ends_at: self.ends_at.clone(),
            mode: self.mode.clone(),
            place: self.place.clone(),
            meeting_url: self.meeting_url.clone(),
            capacity,
            facilitator: self.facilitator.clone(),
            agenda: self.agenda.clone(),
            module,
            phase,
        })
    }
}

fn activity_form_view(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    programme: &super::super::model::Programme,
    action: String,
    form: ActivityForm,
    errors: FormErrors,
    editing: bool,
) -> Response {
    let tr = permit.tr();
    let bad = !errors.is_empty();
    let title = if editing { "activity-edit-title" } else { "activity-new-title" };
    let mut r = render(&ActivityFormTemplate {
        page: permit.ctx.page(state, tr.t1(title, "programme", &programme.title), "programmes"),
        action,
        title: form.title,
        kind: form.kind,
        starts_at: form.starts_at,
        ends_at: form.ends_at,
        mode: form.mode,
        place: form.place,
        meeting_url: form.meeting_url,
        capacity: form.capacity,
        facilitator: form.facilitator,
        agenda: form.agenda,
        module: form.module,
        phase: form.phase,
        kinds: ActivityKind::ALL.iter().map(|k| (k.key().to_string(), tr.t(&k.label_id()))).collect(),
        modes: Mode::ALL.iter().map(|m| (m.key().to_string(), tr.t(&m.label_id()))).collect(),
        modules: programme.modules.iter().map(|m| (m.id.to_string(), m.title.clone())).collect(),
        phases: programme.phases.iter().map(|p| (p.id.to_string(), p.title.clone())).collect(),
        errors,
        submit: tr.t(if editing { "activity-save" } else { "activity-create" }),
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    r
}

async fn new_activity_form(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let form = ActivityForm { kind: "workshop".into(), mode: "physical".into(), ..Default::default() };
    let action = format!("/programmer/{}/aktiviteter/ny", programme.id);
    Ok(activity_form_view(&state, &permit, &programme, action, form, FormErrors::default(), false))
}

async fn create_activity(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(&state, &id).await?;
    let action = format!("/programmer/{}/aktiviteter/ny", programme.id);
    let checked = form.input(&tr).and_then(|input| check_activity(&tr, &programme, &input, Utc::now(), None));
    match checked {
        Err(errors) => Ok(activity_form_view(&state, &permit, &programme, action, form, errors, false)),
        Ok(new) => {
            let id = add_checked(&state, &permit, &programme, &new, &site_url(&state, &headers)).await?;
            Ok(Redirect::to(&format!("/aktiviteter/{id}?gemt=aktivitet")).into_response())
        }
    }
}

async fn edit_activity_form(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let programme = programme_of(&state, &activity.programme_id.to_string()).await?;
    let action = format!("/aktiviteter/{}/rediger", activity.id);
    Ok(activity_form_view(
        &state,
        &permit,
        &programme,
        action,
        ActivityForm::of(&activity),
        FormErrors::default(),
        true,
    ))
}

async fn edit_activity(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ActivityForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let activity = activity_of(&state, &id).await?;
    let programme = programme_of(&state, &activity.programme_id.to_string()).await?;
    let action = format!("/aktiviteter/{}/rediger", activity.id);
    let input = match form.input(&tr) {
        Ok(input) => input,
        Err(errors) => return Ok(activity_form_view(&state, &permit, &programme, action, form, errors, true)),
    };
    if let Err(errors) = check_activity(&tr, &programme, &input, Utc::now(), Some(&activity)) {
        return Ok(activity_form_view(&state, &permit, &programme, action, form, errors, true));
    }
    match change_checked(&state, &permit, &id, input, &site_url(&state, &headers)).await {
        Ok(_) => Ok(Redirect::to(&format!("/aktiviteter/{}?gemt=aktivitet", activity.id)).into_response()),
        Err(AppError::Conflict(message)) => {
            let mut errors = FormErrors::default();
            errors.push("capacity", message);
            Ok(activity_form_view(&state, &permit, &programme, action, form, errors, true))
        }
        Err(e) => Err(e),
    }
}

/// People shown per page on an activity, and the most offered in the list to add from.
const PEOPLE_PER_PAGE: i64 = 100;
const ADD_LIST_MAX: i64 = 300;

pub(super) async fn activity_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    saved: Option<&str>,
    errors: FormErrors,
) -> Result<Response> {
    activity_view_page(state, permit, id, saved, 1, errors).await
}

async fn activity_view_page(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    saved: Option<&str>,
    page: i64,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let activity = activity_of(state, id).await?;
    let programme = programme_of(state, &activity.programme_id.to_string()).await?;
    let may_manage = permit.may(actions::MANAGE.anywhere());
    let me = permit.user.account.person_id;
    let my = match me {
        Some(p) => store::enrolment_status(&state.db, activity.id, p).await?,
        None => None,
    };
    let my_status = my.map(|s| tr.t(&s.label_id()));
    // Those who run it see the people a page at a time, and whom they may add (a list only
    // while it is short enough to choose from; the selection page covers the rest).
    let on_it = i64::from(activity.enrolled) + activity.waiting;
    let pages = ((on_it + PEOPLE_PER_PAGE - 1) / PEOPLE_PER_PAGE).max(1);
    let page_number = page.min(pages);
    let (enrolments, people) = if may_manage {
        let org = crate::organisation::org_cache(state).get(&state.db).await?;
        let name = |p: Uuid| org.person(p).map(|at| at.name.clone()).unwrap_or_default();
        let listed =
            store::enrolments_page(&state.db, activity.id, PEOPLE_PER_PAGE, (page_number - 1) * PEOPLE_PER_PAGE)
                .await?
                .into_iter()
                .map(|(p, status, _)| (name(p), tr.t(&status.label_id()), p.to_string()))
                .collect();
        // Everyone on the activity is in the programme, so the difference tells whether the
        // list is worth reading.
        let remaining = programme.enrolled - on_it;
        let mut people: Vec<(String, String)> = if remaining <= 0 || remaining > ADD_LIST_MAX {
            Vec::new()
        } else {
            store::not_on_activity(&state.db, programme.id, activity.id, ADD_LIST_MAX)
                .await?
                .into_iter()
                .map(|p| (p.to_string(), name(p)))
                .collect()
        };
        people.sort_by(|a, b| a.1.cmp(&b.1));
        (listed, people)
    } else {
        (Vec::new(), Vec::new())
    };
    let enrolled_me = my == Some(EnrolmentStatus::Enrolled);
    let present = match me {
        Some(p) if enrolled_me => store::attendance::present(&state.db, activity.id).await?.contains(&p),
        _ => false,
    };
    let check_in = enrolled_me
        && !present
        && super::super::api::attendance::check_in_open(&activity, Utc::now())
        && store::attendance::code(&state.db, activity.id).await?.is_some();
    let materials = store::materials::list(&state.db, activity.id)
        .await?
        .into_iter()
        .map(|m| (m.id.to_string(), m.name, format!("{} kB", (i64::from(m.size) + 1023) / 1024)))
        .collect();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &ActivityTemplate {
            materials,
            page_number,
            pages,
            page_link: format!("/aktiviteter/{}?side=", activity.id),
            on_it,
            page: permit.ctx.page(state, activity.title.clone(), "programmes"),
            id: activity.id.to_string(),
            programme_id: programme.id.to_string(),
            programme_title: programme.title,
            kind: tr.t(&activity.kind.label_id()),
            when: when(&tr, &activity),
            mode: tr.t(&activity.mode.label_id()),
            place: activity.place.clone(),
            meeting_url: activity.meeting_url.clone(),
            places: places(&activity),
            waiting: activity.waiting,
            facilitator: activity.facilitator.clone(),
            agenda: activity.agenda.clone(),
            cancelled: activity.cancelled,
            my_status,
            is_person: me.is_some(),
            may_manage,
            enrolments,
            people,
            notice: notice(&tr, saved),
            errors,
            check_in,
            present,
        },
        has_errors,
    ))
}

async fn activity_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let page = crate::platform::web::page_number(&permit.tr(), q.side.as_deref())?;
    activity_view_page(&state, &permit, &id, q.gemt.as_deref(), page, FormErrors::default()).await
}

#[derive(Deserialize, Default)]
struct PersonForm {
    /// Empty: the signed-in person.
    #[serde(default)]
    person: String,
}

fn person_of(permit: &Permit<ReadProgrammes>, form: &PersonForm) -> Result<Uuid> {
    match form.person.trim() {
        "" => {
            permit.user.account.person_id.ok_or_else(|| AppError::BadRequest(permit.tr().t("enrolment-error-person")))
        }
        s => Uuid::parse_str(s).map_err(|_| AppError::BadRequest(permit.tr().t("enrolment-error-person"))),
    }
}

async fn sign_up(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let person = person_of(&permit, &form)?;
    match enrol_checked(&state, &permit, &activity, person, &site_url(&state, &headers)).await {
        Ok((status, _, _)) => {
            let saved = if status == EnrolmentStatus::Waiting { "venteliste" } else { "tilmeldt" };
            Ok(Redirect::to(&format!("/aktiviteter/{}?gemt={saved}", activity.id)).into_response())
        }
        Err(AppError::Conflict(message) | AppError::BadRequest(message)) => {
            let mut errors = FormErrors::default();
            errors.push("person", message);
            activity_view(&state, &permit, &id, None, errors).await
        }
        Err(e) => Err(e),
    }
}

async fn sign_off(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<PersonForm>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let person = person_of(&permit, &form)?;
    cancel_checked(&state, &permit, &activity, person, &site_url(&state, &headers)).await?;
    Ok(Redirect::to(&format!("/aktiviteter/{}?gemt=afmeldt", activity.id)).into_response())
}
