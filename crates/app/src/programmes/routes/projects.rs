//! The action-learning pages: a programme's projects, a project with its trial actions and
//! the buddy's feedback, and a learning group's page with its notes.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::super::api::programme_of;
use super::super::api::projects::{
    Access, FeedbackJson, NoteJson, ProjectJson, TrialJson, add_trial_checked, create_checked, feedback_checked,
    group_for, note_checked, project_for, story_checked, update_checked, update_trial_checked, view, visible,
};
use super::super::model::{GroupKind, Stage};
use super::super::views::{GroupTemplate, ProjectRowView, ProjectTemplate, ProjectsTemplate, TrialView};
use super::super::{ReadProgrammes, actions, store};
use super::Saved;
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    Routes::new()
        .get("/programmer/{id}/projekter", read, list_page)
        .post("/programmer/{id}/projekter", read, create)
        .get("/projekter/{id}", read, project_page)
        .post("/projekter/{id}", read, update)
        .post("/projekter/{id}/afproevninger", read, add_trial)
        .post("/projekter/{id}/historie", read, make_story)
        .post("/afproevninger/{id}", read, update_trial)
        .post("/afproevninger/{id}/feedback", read, add_feedback)
        .get("/grupper/{id}", read, group_page)
        .post("/grupper/{id}/noter", read, add_note)
}

/// Who owns a project, for a reader: a person's name or the learning group's.
async fn owner_name(state: &AppState, tr: &Tr, owner: Option<Uuid>, group: Option<Uuid>) -> Result<String> {
    if let Some(o) = owner {
        let org = crate::organisation::org_cache(state).get(&state.db).await?;
        return Ok(org.person(o).map(|p| p.name.clone()).unwrap_or_default());
    }
    if let Some(g) = group
        && let Some((_, g)) = store::groups::group(&state.db, state.municipality, g).await?
    {
        return Ok(tr.ta("groups-group", &[("kind", &tr.t(&g.kind.label_id())), ("number", &g.number)]));
    }
    Ok(String::new())
}

/// A project's texts: field name and label id.
const PROJECT_FIELDS: [(&str, &str); 4] = [
    ("challenge", "project-field-challenge"),
    ("core_task", "project-field-core-task"),
    ("citizen_change", "project-field-citizen-change"),
    ("goal", "project-field-goal"),
];

fn status(tr: &Tr, finished: bool) -> String {
    tr.t(if finished { "projects-finished" } else { "projects-active" })
}

async fn list_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let programme = programme_of(state, id).await?;
    let mut rows = Vec::new();
    for v in visible(state, permit, programme.id).await? {
        let (title, owner) = match &v.project {
            Some(p) => (p.title.clone(), owner_name(state, &tr, p.owner, p.group).await?),
            None => {
                let p = store::projects::get(&state.db, state.municipality, v.id).await?.ok_or(AppError::NotFound)?;
                (tr.t("project-status-only"), owner_name(state, &tr, p.owner, p.group).await?)
            }
        };
        rows.push(ProjectRowView {
            id: v.id.to_string(),
            title,
            owner,
            status: status(&tr, v.finished),
            progress: tr.ta("projects-reflected", &[("reflected", &v.reflected), ("trials", &v.trials)]),
        });
    }
    let me = permit.user.account.person_id;
    let may_start = match me {
        Some(p) => store::is_enrolled(&state.db, programme.id, p).await?,
        None => false,
    };
    let groups = match me {
        Some(me) => store::groups::groups(&state.db, programme.id)
            .await?
            .into_iter()
            .filter(|g| g.kind == GroupKind::Learning && g.members.iter().any(|(p, _)| *p == me))
            .map(|g| {
                (g.id.to_string(), tr.ta("groups-group", &[("kind", &tr.t(&g.kind.label_id())), ("number", &g.number)]))
            })
            .collect(),
        None => Vec::new(),
    };
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &ProjectsTemplate {
            page: permit.ctx.page(state, tr.t1("projects-title", "programme", &programme.title), "programmes"),
            id: programme.id.to_string(),
            rows,
            may_start,
            groups,
            fields: PROJECT_FIELDS.iter().map(|(f, l)| (f.to_string(), l.to_string())).collect(),
            errors,
        },
        has_errors,
    ))
}

async fn list_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    list_view(&state, &permit, &id, FormErrors::default()).await
}

#[derive(serde::Deserialize, Default)]
struct ProjectForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    core_task: String,
    #[serde(default)]
    citizen_change: String,
    #[serde(default)]
    goal: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    shared_with_leader: Option<String>,
    #[serde(default)]
    finished: Option<String>,
}

impl ProjectForm {
    fn json(self, tr: &Tr) -> Result<ProjectJson> {
        let group = match self.group.trim() {
            "" => None,
            g => Some(Uuid::parse_str(g).map_err(|_| AppError::BadRequest(tr.t("project-error-group")))?),
        };
        Ok(ProjectJson {
            title: self.title,
            challenge: self.challenge,
            core_task: self.core_task,
            citizen_change: self.citizen_change,
            goal: self.goal,
            group,
            shared_with_leader: self.shared_with_leader.is_some(),
            finished: self.finished.is_some(),
        })
    }
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    let made = match form.json(&permit.tr()) {
        Ok(body) => create_checked(&state, &permit, &programme, &body).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(project) => Ok(Redirect::to(&format!("/projekter/{project}?gemt=projekt")).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            list_view(&state, &permit, &id, FormErrors::one("title", m)).await
        }
        Err(e) => Err(e),
    }
}

async fn project_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    saved: Option<&str>,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let (project, access) = project_for(state, permit, id, Access::Status).await?;
    let owner = owner_name(state, &tr, project.owner, project.group).await?;
    let title = if access >= Access::Read { project.title.clone() } else { tr.t("projects-link") };
    let programme_id = project.programme_id.to_string();
    let v = view(state, project.clone(), access).await?;
    let feedback = v.feedback.clone().unwrap_or_default();
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    let trials = v
        .trial_actions
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|t| TrialView {
            id: t.id.to_string(),
            number: t.number,
            feedback: feedback
                .iter()
                .filter(|f| f.trial_id == t.id)
                .map(|f| (f.author.clone(), f.worked.clone(), f.next_try.clone()))
                .collect(),
            fields: [
                ("plan", "trial-plan", &t.plan),
                ("act", "trial-act", &t.act),
                ("observe", "trial-observe", &t.observe),
                ("reflect", "trial-reflect", &t.reflect),
                ("involved", "trial-involved", &t.involved),
            ]
            .iter()
            .map(|(f, l, v)| (f.to_string(), l.to_string(), v.to_string()))
            .collect(),
            title: t.title,
            plan: t.plan,
            act: t.act,
            observe: t.observe,
            reflect: t.reflect,
            involved: t.involved,
            stage: t.stage.key().to_string(),
            stage_label: tr.t(&t.stage.label_id()),
            planned_on: date(t.planned_on),
            done_on: date(t.done_on),
        })
        .collect();
    let notice = match saved {
        Some("projekt") => Some(tr.t("project-saved")),
        Some("afproevning") => Some(tr.t("trial-saved")),
        Some("feedback") => Some(tr.t("feedback-saved")),
        Some("historie") => Some(tr.t("project-story-made")),
        _ => None,
    };
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &ProjectTemplate {
            page: permit.ctx.page(state, title, "programmes"),
            id: project.id.to_string(),
            programme_id,
            owner,
            status: status(&tr, project.finished),
            progress: tr.ta("projects-reflected", &[("reflected", &v.reflected), ("trials", &v.trials)]),
            status_only: access < Access::Read,
            is_owner: access == Access::Owner,
            may_give_feedback: access == Access::Feedback,
            project_fields: PROJECT_FIELDS
                .iter()
                .zip([&project.challenge, &project.core_task, &project.citizen_change, &project.goal])
                .map(|((f, l), v)| (f.to_string(), l.to_string(), v.to_string()))
                .collect(),
            shared_with_leader: project.shared_with_leader,
            finished: project.finished,
            story: project.story.map(|s| s.to_string()),
            trials,
            stages: Stage::ALL.iter().map(|s| (s.key().to_string(), tr.t(&s.label_id()))).collect(),
            notice,
            errors,
        },
        has_errors,
    ))
}

async fn project_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    project_view(&state, &permit, &id, q.gemt.as_deref(), FormErrors::default()).await
}

/// After a write: back to the project with a notice, or the project with the message.
async fn answer(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    project: &str,
    done: Result<()>,
    saved: &str,
    field: &'static str,
) -> Result<Response> {
    match done {
        Ok(()) => Ok(Redirect::to(&format!("/projekter/{project}?gemt={saved}")).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            project_view(state, permit, project, None, FormErrors::one(field, m)).await
        }
        Err(e) => Err(e),
    }
}

async fn update(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProjectForm>,
) -> Result<Response> {
    let done = match form.json(&permit.tr()) {
        Ok(body) => update_checked(&state, &permit, &id, &body).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&state, &permit, &id, done, "projekt", "project").await
}

#[derive(serde::Deserialize, Default)]
struct TrialForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    act: String,
    #[serde(default)]
    observe: String,
    #[serde(default)]
    reflect: String,
    #[serde(default)]
    involved: String,
    #[serde(default)]
    stage: String,
    #[serde(default)]
    planned_on: String,
    #[serde(default)]
    done_on: String,
}

impl TrialForm {
    fn json(self, tr: &Tr) -> Result<TrialJson> {
        let date = |raw: &str| -> Result<Option<chrono::NaiveDate>> {
            match raw.trim() {
                "" => Ok(None),
                d => d.parse().map(Some).map_err(|_| AppError::BadRequest(tr.t("trial-error-dates"))),
            }
        };
        Ok(TrialJson {
            planned_on: date(&self.planned_on)?,
            done_on: date(&self.done_on)?,
            title: self.title,
            plan: self.plan,
            act: self.act,
            observe: self.observe,
            reflect: self.reflect,
            involved: self.involved,
            stage: self.stage,
        })
    }
}

async fn add_trial(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TrialForm>,
) -> Result<Response> {
    let done = match form.json(&permit.tr()) {
        Ok(body) => add_trial_checked(&state, &permit, &id, &body).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&state, &permit, &id, done, "afproevning", "trial").await
}

/// The project of a trial action, for the answer after a write (a 404 when not visible).
async fn project_of_trial(state: &AppState, trial: &str) -> Result<String> {
    let trial = Uuid::parse_str(trial.trim()).map_err(|_| AppError::NotFound)?;
    Ok(store::projects::trial(&state.db, trial).await?.ok_or(AppError::NotFound)?.to_string())
}

async fn update_trial(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<TrialForm>,
) -> Result<Response> {
    let project = project_of_trial(&state, &id).await?;
    let done = match form.json(&permit.tr()) {
        Ok(body) => update_trial_checked(&state, &permit, &id, &body).await.map(|_| ()),
        Err(e) => Err(e),
    };
    answer(&state, &permit, &project, done, "afproevning", "trial").await
}

async fn add_feedback(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FeedbackJson>,
) -> Result<Response> {
    let project = project_of_trial(&state, &id).await?;
    let done = feedback_checked(&state, &permit, &id, &form).await.map(|_| ());
    answer(&state, &permit, &project, done, "feedback", "trial").await
}

#[derive(serde::Deserialize, Default)]
struct Empty {}

async fn make_story(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let done = story_checked(&state, &permit, &id).await.map(|_| ());
    answer(&state, &permit, &id, done, "historie", "project").await
}

async fn group_view(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    notice: Option<String>,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let (programme, group) = group_for(state, permit, id).await?;
    let programme = programme_of(state, &programme.to_string()).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let members = group.members.iter().filter_map(|(p, _)| org.person(*p).map(|p| p.name.clone())).collect();
    let notes = store::projects::notes(&state.db, group.id)
        .await?
        .into_iter()
        .map(|n| (n.author, tr.datetime(&n.created_at), n.text))
        .collect();
    let name = tr.ta("groups-group", &[("kind", &tr.t(&group.kind.label_id())), ("number", &group.number)]);
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &GroupTemplate {
            page: permit.ctx.page(
                state,
                tr.ta("group-page-title", &[("group", &name), ("programme", &programme.title)]),
                "my-programme",
            ),
            id: group.id.to_string(),
            programme_id: programme.id.to_string(),
            members,
            notes,
            notice,
            errors,
        },
        has_errors,
    ))
}

async fn group_page(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<Saved>,
) -> Result<Response> {
    let notice = q.gemt.map(|_| permit.tr().t("group-note-saved"));
    group_view(&state, &permit, &id, notice, FormErrors::default()).await
}

async fn add_note(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<NoteJson>,
) -> Result<Response> {
    match note_checked(&state, &permit, &id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/grupper/{}?gemt=1", id.trim())).into_response()),
        Err(AppError::BadRequest(m)) => group_view(&state, &permit, &id, None, FormErrors::one("text", m)).await,
        Err(e) => Err(e),
    }
}
