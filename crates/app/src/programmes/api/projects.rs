//! Action learning in the API: development projects (a participant's or a learning group's),
//! trial actions in cycles of plan → act → observe → reflect, the buddy's feedback on each,
//! the learning group's notes, and a finished project turned into a draft story.
//!
//! Who sees what: the owner (or the learning group owning it) everything; the buddy reads
//! and gives feedback; the owner's learning group and those who run programmes read; the
//! owner's leader sees the status, and the content only when the owner shares it; anyone
//! else gets a 404, so a project's existence is not told either.

use axum::extract::{Path, State};
use axum::response::Response;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Created, programme_of};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, json};
use crate::platform::i18n::Tr;
use crate::platform::permissions::UnitRef;
use crate::platform::web::{AppError, Permit, Policy, Result};
use crate::programmes::model::{
    Feedback, GroupKind, GroupNote, Programme, Project, Stage, TEXT_MAX_CHARS, TITLE_MAX_CHARS, Trial,
};
use crate::programmes::store::groups::StoredGroup;
use crate::programmes::store::projects::{ProjectText, TrialText};
use crate::programmes::{ReadProgrammes, actions, group_object, store};

/// What the signed-in user may do with a project, weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The leader: whether it runs and how far, not what it says.
    Status,
    /// The learning group, those who run programmes, the leader the owner shares with.
    Read,
    /// The buddy: read and give feedback on the trial actions.
    Feedback,
    /// The owner, or a member of the learning group that owns it.
    Owner,
}

/// The groups of a programme that hold `person`.
fn groups_of(groups: &[StoredGroup], person: Uuid) -> impl Iterator<Item = &StoredGroup> {
    groups.iter().filter(move |g| g.members.iter().any(|(p, _)| *p == person))
}

/// The signed-in user's access to a project, or None (a 404).
pub async fn access<P: Policy>(state: &AppState, permit: &Permit<P>, project: &Project) -> Result<Option<Access>> {
    let me = permit.user.account.person_id;
    let groups = store::groups::groups(&state.db, project.programme_id).await?;
    let mut best: Option<Access> = None;
    let mut grant = |a: Access| best = best.max(Some(a));
    if let Some(me) = me {
        if project.owner == Some(me) {
            grant(Access::Owner);
        }
        for g in groups_of(&groups, me) {
            if project.group == Some(g.id) {
                grant(Access::Owner);
            }
            let holds_owner = project.owner.is_some_and(|o| g.members.iter().any(|(p, _)| *p == o));
            match g.kind {
                GroupKind::Buddy if holds_owner => grant(Access::Feedback),
                GroupKind::Learning if holds_owner => grant(Access::Read),
                _ => {}
            }
        }
    }
    if permit.may(actions::MANAGE.anywhere()) {
        grant(Access::Read);
    }
    if let Some(owner) = project.owner
        && me != Some(owner)
    {
        let org = crate::organisation::org_cache(state).get(&state.db).await?;
        let unit =
            org.person(owner).and_then(|p| org.unit(p.unit)).map(|u| UnitRef { left: u.tree_left, depth: u.depth });
        let leads = unit.is_some_and(|u| {
            permit.user.grants.grants.iter().any(|g| g.role == crate::platform::permissions::Role::Leader)
                && permit.may(actions::NOMINATE.on_unit(u))
        });
        if leads {
            grant(if project.shared_with_leader { Access::Read } else { Access::Status });
        }
    }
    Ok(best)
}

/// A project the user may see at least `at_least` of, or a 404 (none) / 403 (too little).
pub async fn project_for<P: Policy>(
    state: &AppState,
    permit: &Permit<P>,
    id: &str,
    at_least: Access,
) -> Result<(Project, Access)> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let project = store::projects::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    match access(state, permit, &project).await? {
        None => Err(AppError::NotFound),
        Some(a) if a < at_least => Err(AppError::Forbidden),
        Some(a) => Ok((project, a)),
    }
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct ProjectJson {
    pub title: String,
    #[serde(default)]
    pub challenge: String,
    /// The core task the project serves.
    #[serde(default)]
    pub core_task: String,
    /// The change for the citizen.
    #[serde(default)]
    pub citizen_change: String,
    #[serde(default)]
    pub goal: String,
    /// A learning group's project instead of one's own.
    pub group: Option<Uuid>,
    /// The owner lets their leader read the content.
    #[serde(default)]
    pub shared_with_leader: bool,
    #[serde(default)]
    pub finished: bool,
}

fn check_text(tr: &Tr, body: &ProjectJson) -> Result<ProjectText> {
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("project-error-title", "max", TITLE_MAX_CHARS)));
    }
    for field in [&body.challenge, &body.core_task, &body.citizen_change, &body.goal] {
        if field.trim().chars().count() > TEXT_MAX_CHARS {
            return Err(AppError::BadRequest(tr.t1("project-error-text", "max", TEXT_MAX_CHARS)));
        }
    }
    Ok(ProjectText {
        title: title.to_string(),
        challenge: body.challenge.trim().to_string(),
        core_task: body.core_task.trim().to_string(),
        citizen_change: body.citizen_change.trim().to_string(),
        goal: body.goal.trim().to_string(),
    })
}

/// Checks and makes a project: one's own (taking part in the programme), or one's learning
/// group's (being in it).
pub async fn create_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    programme: &Programme,
    body: &ProjectJson,
) -> Result<Uuid> {
    let tr = permit.tr();
    let text = check_text(&tr, body)?;
    let me = permit.user.account.person_id.ok_or_else(|| AppError::BadRequest(tr.t("enrolment-error-person")))?;
    if !store::is_enrolled(&state.db, programme.id, me).await? {
        return Err(AppError::Conflict(tr.t("rating-error-not-enrolled")));
    }
    let group = match body.group {
        None => None,
        Some(g) => {
            let groups = store::groups::groups(&state.db, programme.id).await?;
            let mine = groups_of(&groups, me).any(|x| x.id == g && x.kind == GroupKind::Learning);
            if !mine {
                return Err(AppError::BadRequest(tr.t("project-error-group")));
            }
            Some(g)
        }
    };
    let owner = if group.is_some() { None } else { Some(me) };
    let entry = permit.ctx.audit("project.created");
    Ok(store::projects::create(&state.db, state.municipality, programme.id, owner, group, &text, entry).await?)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ProjectView {
    pub access: Access,
    pub id: Uuid,
    pub programme_id: Uuid,
    pub finished: bool,
    /// How many trial actions, and how many reflected on.
    pub trials: usize,
    pub reflected: usize,
    /// The content: absent for those who may see only the status.
    pub project: Option<Project>,
    pub trial_actions: Option<Vec<Trial>>,
    pub feedback: Option<Vec<Feedback>>,
}

/// A project as the user may see it.
pub async fn view(state: &AppState, project: Project, access: Access) -> Result<ProjectView> {
    let trials = store::projects::trials(&state.db, project.id).await?;
    let reflected = trials.iter().filter(|t| t.stage == Stage::Reflect).count();
    let content = access >= Access::Read;
    Ok(ProjectView {
        access,
        id: project.id,
        programme_id: project.programme_id,
        finished: project.finished,
        trials: trials.len(),
        reflected,
        feedback: if content { Some(store::projects::feedback(&state.db, project.id).await?) } else { None },
        trial_actions: content.then_some(trials),
        project: content.then_some(project),
    })
}

/// The projects of a programme the user may see, each as they may see it.
pub async fn visible(state: &AppState, permit: &Permit<ReadProgrammes>, programme: Uuid) -> Result<Vec<ProjectView>> {
    let mut out = Vec::new();
    for project in store::projects::of_programme(&state.db, programme).await? {
        if let Some(a) = access(state, permit, &project).await? {
            out.push(view(state, project, a).await?);
        }
    }
    Ok(out)
}

/// The projects of a programme the user may see (the status only, where that is all).
#[utoipa::path(get, path = "/api/v1/programmes/{id}/projects", tag = "programmes",
    responses((status = 200, body = [ProjectView]), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(json(&visible(&state, &permit, programme.id).await?))
}

/// Starts a development project: one's own, or one's learning group's.
#[utoipa::path(post, path = "/api/v1/programmes/{id}/projects", tag = "programmes", request_body = ProjectJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProjectJson>,
) -> Result<Response> {
    let programme = programme_of(&state, &id).await?;
    Ok(created(&Created { id: create_checked(&state, &permit, &programme, &body).await? }))
}

/// A project as the user may see it.
#[utoipa::path(get, path = "/api/v1/projects/{id}", tag = "programmes",
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)))]
pub async fn get_one(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (project, access) = project_for(&state, &permit, &id, Access::Status).await?;
    Ok(json(&view(&state, project, access).await?))
}

/// Checks and saves a changed project (the owner's).
pub async fn update_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    body: &ProjectJson,
) -> Result<Project> {
    let (project, _) = project_for(state, permit, id, Access::Owner).await?;
    let text = check_text(&permit.tr(), body)?;
    let entry = permit.ctx.audit("project.changed");
    let shared = body.shared_with_leader;
    store::projects::update(&state.db, state.municipality, project.id, &text, shared, body.finished, entry).await?;
    store::projects::get(&state.db, state.municipality, project.id).await?.ok_or(AppError::NotFound)
}

/// Changes a project: its text, whether the leader may read it, finished or not.
#[utoipa::path(patch, path = "/api/v1/projects/{id}", tag = "programmes", request_body = ProjectJson,
    responses((status = 200, body = Project), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ProjectJson>,
) -> Result<Response> {
    Ok(json(&update_checked(&state, &permit, &id, &body).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct TrialJson {
    pub title: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub act: String,
    #[serde(default)]
    pub observe: String,
    #[serde(default)]
    pub reflect: String,
    /// Who took part besides the owner.
    #[serde(default)]
    pub involved: String,
    /// plan, act, observe or reflect (default: the furthest stage written).
    #[serde(default)]
    pub stage: String,
    pub planned_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

fn check_trial(tr: &Tr, body: &TrialJson) -> Result<TrialText> {
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("trial-error-title", "max", TITLE_MAX_CHARS)));
    }
    let fields = [&body.plan, &body.act, &body.observe, &body.reflect, &body.involved];
    if fields.iter().any(|f| f.trim().chars().count() > TEXT_MAX_CHARS) {
        return Err(AppError::BadRequest(tr.t1("project-error-text", "max", TEXT_MAX_CHARS)));
    }
    let written = [(&body.reflect, Stage::Reflect), (&body.observe, Stage::Observe), (&body.act, Stage::Act)]
        .into_iter()
        .find(|(f, _)| !f.trim().is_empty())
        .map_or(Stage::Plan, |(_, s)| s);
    let stage = match body.stage.trim() {
        "" => written,
        s => Stage::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("trial-error-stage")))?,
    };
    if let (Some(p), Some(d)) = (body.planned_on, body.done_on)
        && d < p
    {
        return Err(AppError::BadRequest(tr.t("trial-error-dates")));
    }
    Ok(TrialText {
        title: title.to_string(),
        plan: body.plan.trim().to_string(),
        act: body.act.trim().to_string(),
        observe: body.observe.trim().to_string(),
        reflect: body.reflect.trim().to_string(),
        involved: body.involved.trim().to_string(),
        stage,
        planned_on: body.planned_on,
        done_on: body.done_on,
    })
}

/// Checks and adds a trial action (the owner's).
pub async fn add_trial_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    project: &str,
    body: &TrialJson,
) -> Result<Uuid> {
    let (project, _) = project_for(state, permit, project, Access::Owner).await?;
    let text = check_trial(&permit.tr(), body)?;
    let entry = permit.ctx.audit("project.trial_added");
    Ok(store::projects::add_trial(&state.db, state.municipality, project.id, &text, entry).await?)
}

/// Adds a trial action to a project.
#[utoipa::path(post, path = "/api/v1/projects/{id}/trials", tag = "programmes", request_body = TrialJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn add_trial(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TrialJson>,
) -> Result<Response> {
    Ok(created(&Created { id: add_trial_checked(&state, &permit, &id, &body).await? }))
}

/// A trial action's project, as the user may see it.
async fn trial_project(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    trial: &str,
    at_least: Access,
) -> Result<(Uuid, Project)> {
    let trial = Uuid::parse_str(trial.trim()).map_err(|_| AppError::NotFound)?;
    let project = store::projects::trial(&state.db, trial).await?.ok_or(AppError::NotFound)?;
    let (project, _) = project_for(state, permit, &project.to_string(), at_least).await?;
    Ok((trial, project))
}

/// Checks and saves a trial action's next stage (the owner's).
pub async fn update_trial_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    trial: &str,
    body: &TrialJson,
) -> Result<Uuid> {
    let (trial, project) = trial_project(state, permit, trial, Access::Owner).await?;
    let text = check_trial(&permit.tr(), body)?;
    let entry = permit.ctx.audit("project.trial_changed");
    store::projects::update_trial(&state.db, state.municipality, project.id, trial, &text, entry).await?;
    Ok(project.id)
}

/// Changes a trial action (all its fields, as when it was made).
#[utoipa::path(patch, path = "/api/v1/trials/{id}", tag = "programmes", request_body = TrialJson,
    responses((status = 200, body = ProjectView), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn update_trial(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TrialJson>,
) -> Result<Response> {
    let project = update_trial_checked(&state, &permit, &id, &body).await?;
    let (project, access) = project_for(&state, &permit, &project.to_string(), Access::Status).await?;
    Ok(json(&view(&state, project, access).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct FeedbackJson {
    /// What worked.
    pub worked: String,
    /// What to try next.
    pub next_try: String,
}

/// Checks and adds the buddy's feedback on a trial action.
pub async fn feedback_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    trial: &str,
    body: &FeedbackJson,
) -> Result<Uuid> {
    let tr = permit.tr();
    let (trial, project) = trial_project(state, permit, trial, Access::Feedback).await?;
    let (worked, next_try) = (body.worked.trim(), body.next_try.trim());
    if worked.is_empty() || next_try.is_empty() {
        return Err(AppError::BadRequest(tr.t("feedback-error-both")));
    }
    if worked.chars().count() > TEXT_MAX_CHARS || next_try.chars().count() > TEXT_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("project-error-text", "max", TEXT_MAX_CHARS)));
    }
    let author = (permit.user.account.person_id, permit.user.account.display_name.as_str());
    let entry = permit.ctx.audit("project.feedback");
    Ok(store::projects::add_feedback(&state.db, state.municipality, project.id, trial, author, worked, next_try, entry)
        .await?)
}

/// The buddy's feedback on a trial action: what worked, what to try next.
#[utoipa::path(post, path = "/api/v1/trials/{id}/feedback", tag = "programmes", request_body = FeedbackJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
pub async fn add_feedback(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FeedbackJson>,
) -> Result<Response> {
    Ok(created(&Created { id: feedback_checked(&state, &permit, &id, &body).await? }))
}

/// Makes a draft story in the story bank from a finished project (its owner's, once).
pub async fn story_checked(state: &AppState, permit: &Permit<ReadProgrammes>, id: &str) -> Result<Uuid> {
    let tr = permit.tr();
    let (project, _) = project_for(state, permit, id, Access::Owner).await?;
    if !project.finished {
        return Err(AppError::Conflict(tr.t("project-error-not-finished")));
    }
    if let Some(story) = project.story {
        return Ok(story);
    }
    let trials = store::projects::trials(&state.db, project.id).await?;
    let mut body = Vec::new();
    for (heading, text) in [
        ("project-field-challenge", &project.challenge),
        ("project-field-core-task", &project.core_task),
        ("project-field-citizen-change", &project.citizen_change),
        ("project-field-goal", &project.goal),
    ] {
        if !text.is_empty() {
            body.push(format!("{}\n{text}", tr.t(heading)));
        }
    }
    for t in &trials {
        let mut part = vec![tr.ta("story-trial-heading", &[("number", &t.number), ("title", &t.title)])];
        for (label, text) in [
            ("trial-plan", &t.plan),
            ("trial-act", &t.act),
            ("trial-observe", &t.observe),
            ("trial-reflect", &t.reflect),
        ] {
            if !text.is_empty() {
                part.push(format!("{}: {text}", tr.t(label)));
            }
        }
        body.push(part.join("\n"));
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let unit = project.owner.and_then(|o| org.person(o)).map(|p| p.unit);
    let input = crate::stories::model::StoryInput {
        title: project.title.clone(),
        body: body.join("\n\n"),
        core_tasks: Vec::new(),
        tags: vec!["aktionslæring".to_string()],
        unit_id: unit,
        visibility: None,
    };
    let author = (Some(permit.user.account.id), permit.user.account.display_name.as_str());
    let entry = permit.ctx.audit("story.created");
    let story = crate::stories::store::create(
        &state.db,
        state.municipality,
        &input,
        author,
        crate::stories::model::StoryState::Draft,
        entry,
    )
    .await?;
    store::projects::set_story(&state.db, project.id, story).await?;
    Ok(story)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct StoryMade {
    pub story: Uuid,
}

/// A finished project becomes a draft story in the story bank (again: the same draft).
#[utoipa::path(post, path = "/api/v1/projects/{id}/story", tag = "programmes",
    responses((status = 201, body = StoryMade), (status = 403, body = Problem), (status = 409, body = Problem)))]
pub async fn make_story(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    Ok(created(&StoryMade { story: story_checked(&state, &permit, &id).await? }))
}

/// A learning group the user may read the notes of (a member by the group's grant, or one
/// who runs programmes), with its programme.
pub async fn group_for(state: &AppState, permit: &Permit<ReadProgrammes>, id: &str) -> Result<(Uuid, StoredGroup)> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let (programme, group) =
        store::groups::group(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    if group.kind != GroupKind::Learning {
        return Err(AppError::NotFound);
    }
    // A member without a grant (an account made after the groups) is a member by the list.
    let member = permit.user.account.person_id.is_some_and(|me| group.members.iter().any(|(p, _)| *p == me));
    if !member && !permit.may(actions::GROUP_MEMBER.on_object(group_object(group.id))) {
        return Err(AppError::NotFound);
    }
    Ok((programme, group))
}

/// A learning group's notes, newest first.
#[utoipa::path(get, path = "/api/v1/groups/{id}/notes", tag = "programmes",
    responses((status = 200, body = [GroupNote]), (status = 404, body = Problem)))]
pub async fn notes(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let (_, group) = group_for(&state, &permit, &id).await?;
    Ok(json(&store::projects::notes(&state.db, group.id).await?))
}

#[derive(Serialize, Deserialize, ToSchema, Default)]
pub struct NoteJson {
    pub text: String,
}

/// Checks and adds a note to a learning group.
pub async fn note_checked(
    state: &AppState,
    permit: &Permit<ReadProgrammes>,
    id: &str,
    body: &NoteJson,
) -> Result<Uuid> {
    let tr = permit.tr();
    let (programme, group) = group_for(state, permit, id).await?;
    let text = body.text.trim();
    if text.is_empty() || text.chars().count() > TEXT_MAX_CHARS {
        return Err(AppError::BadRequest(tr.t1("note-error-text", "max", TEXT_MAX_CHARS)));
    }
    let author = (permit.user.account.person_id, permit.user.account.display_name.as_str());
    let entry = permit.ctx.audit("programme.group_note");
    Ok(store::projects::add_note(&state.db, state.municipality, programme, group.id, author, text, entry).await?)
}

/// Adds a note to a learning group (its members and those who run programmes).
#[utoipa::path(post, path = "/api/v1/groups/{id}/notes", tag = "programmes", request_body = NoteJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 404, body = Problem)))]
pub async fn add_note(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<NoteJson>,
) -> Result<Response> {
    Ok(created(&Created { id: note_checked(&state, &permit, &id, &body).await? }))
}
