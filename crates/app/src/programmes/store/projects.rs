//! The SQL of action learning: projects, trial actions, the buddy's feedback and the
//! learning group's notes. Every write and its audit entry are one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::AUDIT_KIND;
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::programmes::model::{Feedback, GroupNote, Project, Stage, Trial};

pub const AUDIT_KIND_PROJECT: &str = "development_project";

/// A project's text fields as checked.
#[derive(Clone, Debug, Default)]
pub struct ProjectText {
    pub title: String,
    pub challenge: String,
    pub core_task: String,
    pub citizen_change: String,
    pub goal: String,
}

/// A trial action's fields as checked.
#[derive(Clone, Debug)]
pub struct TrialText {
    pub title: String,
    pub plan: String,
    pub act: String,
    pub observe: String,
    pub reflect: String,
    pub involved: String,
    pub stage: Stage,
    pub planned_on: Option<NaiveDate>,
    pub done_on: Option<NaiveDate>,
}

type ProjectRow = (
    Uuid,
    Uuid,
    Option<Uuid>,
    Option<Uuid>,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
    Option<Uuid>,
    DateTime<Utc>,
);

const PROJECT_COLUMNS: &str =
    "id, programme_id, owner_person_id, group_id, title, challenge, core_task, citizen_change,
     goal, state, shared_with_leader, story_id, updated_at";

fn project(r: ProjectRow) -> Project {
    Project {
        id: r.0,
        programme_id: r.1,
        owner: r.2,
        group: r.3,
        title: r.4,
        challenge: r.5,
        core_task: r.6,
        citizen_change: r.7,
        goal: r.8,
        finished: r.9 == "finished",
        shared_with_leader: r.10,
        story: r.11,
        updated_at: r.12,
    }
}

/// Makes a project (a person's or a learning group's), with its audit entry.
pub async fn create(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    owner: Option<Uuid>,
    group: Option<Uuid>,
    text: &ProjectText,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO development_project (id, programme_id, owner_person_id, group_id, title, challenge, core_task,
                 citizen_change, goal, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, $10)",
        )
        .bind(id)
        .bind(programme)
        .bind(owner)
        .bind(group)
        .bind(&text.title)
        .bind(&text.challenge)
        .bind(&text.core_task)
        .bind(&text.citizen_change)
        .bind(&text.goal)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_PROJECT, id, &text.title), now)
            .await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Changes a project's text, whether the leader may read it, and whether it is finished.
pub async fn update(
    db: &Db,
    municipality: Uuid,
    id: Uuid,
    text: &ProjectText,
    shared_with_leader: bool,
    finished: bool,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE development_project SET title = $1, challenge = $2, core_task = $3, citizen_change = $4, goal = $5,
                 shared_with_leader = $6, state = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&text.title)
        .bind(&text.challenge)
        .bind(&text.core_task)
        .bind(&text.citizen_change)
        .bind(&text.goal)
        .bind(shared_with_leader)
        .bind(if finished { "finished" } else { "active" })
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_PROJECT, id, &text.title), now)
            .await?;
        tx.commit().await
    })
}

/// Notes the draft story made from a project.
pub async fn set_story(db: &Db, id: Uuid, story: Uuid) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE development_project SET story_id = $1 WHERE id = $2")
            .bind(story)
            .bind(id)
            .execute(p)
            .await
            .map(|_| ())
    })
}

/// One project of the municipality.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Project>> {
    let row: Option<ProjectRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROJECT_COLUMNS} FROM development_project
             WHERE id = $1 AND programme_id IN (SELECT id FROM programme WHERE municipality_id = $2)"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(project))
}

/// A programme's projects, oldest first.
pub async fn of_programme(db: &Db, programme: Uuid) -> sqlx::Result<Vec<Project>> {
    let rows: Vec<ProjectRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROJECT_COLUMNS} FROM development_project WHERE programme_id = $1 ORDER BY created_at, id"
        )))
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(project).collect())
}

/// The projects a person owns, in active programmes.
pub async fn of_person(db: &Db, person: Uuid) -> sqlx::Result<Vec<Project>> {
    let rows: Vec<ProjectRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROJECT_COLUMNS} FROM development_project
             WHERE owner_person_id = $1 AND programme_id IN (SELECT id FROM programme WHERE state = 'active')
             ORDER BY created_at, id"
        )))
        .bind(person)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(project).collect())
}

type TrialRow =
    (Uuid, Uuid, i32, String, String, String, String, String, String, String, Option<NaiveDate>, Option<NaiveDate>);

/// The trial actions of the given projects, in their order.
pub async fn trials(db: &Db, project: Uuid) -> sqlx::Result<Vec<Trial>> {
    let rows: Vec<TrialRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, project_id, number, title, plan, act, observe, reflect, involved, stage, planned_on, done_on
             FROM trial_action WHERE project_id = $1 ORDER BY number",
        )
        .bind(project)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| Trial {
            id: r.0,
            project_id: r.1,
            number: r.2,
            title: r.3,
            plan: r.4,
            act: r.5,
            observe: r.6,
            reflect: r.7,
            involved: r.8,
            stage: Stage::parse(&r.9).unwrap_or(Stage::Plan),
            planned_on: r.10,
            done_on: r.11,
        })
        .collect())
}

/// One trial action with the id of its project.
pub async fn trial(db: &Db, id: Uuid) -> sqlx::Result<Option<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT project_id FROM trial_action WHERE id = $1").bind(id).fetch_optional(p).await
    })
}

/// Adds a trial action as the project's next, with its audit entry.
pub async fn add_trial(
    db: &Db,
    municipality: Uuid,
    project: Uuid,
    text: &TrialText,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO trial_action (id, project_id, number, title, plan, act, observe, reflect, involved, stage,
                 planned_on, done_on, created_at, updated_at)
             VALUES ($1, $2, (SELECT COALESCE(MAX(number), 0) + 1 FROM trial_action WHERE project_id = $2),
                 $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)",
        )
        .bind(id)
        .bind(project)
        .bind(&text.title)
        .bind(&text.plan)
        .bind(&text.act)
        .bind(&text.observe)
        .bind(&text.reflect)
        .bind(&text.involved)
        .bind(text.stage.key())
        .bind(text.planned_on)
        .bind(text.done_on)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE development_project SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(project)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_PROJECT, project, &text.title), now)
            .await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Changes a trial action, with its audit entry.
pub async fn update_trial(
    db: &Db,
    municipality: Uuid,
    project: Uuid,
    id: Uuid,
    text: &TrialText,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE trial_action SET title = $1, plan = $2, act = $3, observe = $4, reflect = $5, involved = $6,
                 stage = $7, planned_on = $8, done_on = $9, updated_at = $10 WHERE id = $11 AND project_id = $12",
        )
        .bind(&text.title)
        .bind(&text.plan)
        .bind(&text.act)
        .bind(&text.observe)
        .bind(&text.reflect)
        .bind(&text.involved)
        .bind(text.stage.key())
        .bind(text.planned_on)
        .bind(text.done_on)
        .bind(now)
        .bind(id)
        .bind(project)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE development_project SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(project)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_PROJECT, project, &text.title), now)
            .await?;
        tx.commit().await
    })
}

/// The feedback on a project's trial actions, oldest first.
pub async fn feedback(db: &Db, project: Uuid) -> sqlx::Result<Vec<Feedback>> {
    let rows: Vec<(Uuid, Uuid, String, String, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT f.id, f.trial_id, f.author_name, f.worked, f.next_try, f.created_at
             FROM trial_feedback f JOIN trial_action t ON t.id = f.trial_id
             WHERE t.project_id = $1 ORDER BY f.created_at, f.id",
        )
        .bind(project)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, trial_id, author, worked, next_try, created_at)| Feedback {
            id,
            trial_id,
            author,
            worked,
            next_try,
            created_at,
        })
        .collect())
}

/// Adds feedback on a trial action, with its audit entry.
#[allow(clippy::too_many_arguments)]
pub async fn add_feedback(
    db: &Db,
    municipality: Uuid,
    project: Uuid,
    trial: Uuid,
    author: (Option<Uuid>, &str),
    worked: &str,
    next_try: &str,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO trial_feedback (id, trial_id, author_person_id, author_name, worked, next_try, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(trial)
        .bind(author.0)
        .bind(author.1)
        .bind(worked)
        .bind(next_try)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_PROJECT, project, ""), now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// A learning group's notes, newest first.
pub async fn notes(db: &Db, group: Uuid) -> sqlx::Result<Vec<GroupNote>> {
    let rows: Vec<(Uuid, String, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, author_name, text, created_at FROM group_note WHERE group_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(group)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(id, author, text, created_at)| GroupNote { id, author, text, created_at }).collect())
}

/// Adds a note to a learning group, with its audit entry.
pub async fn add_note(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    group: Uuid,
    author: (Option<Uuid>, &str),
    text: &str,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO group_note (id, group_id, author_person_id, author_name, text, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind(group)
        .bind(author.0)
        .bind(author.1)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, programme, "note"), now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Per project of a programme: its trial actions and how many have been reflected on.
pub async fn trial_counts(db: &Db, programme: Uuid) -> sqlx::Result<Vec<(Uuid, i64, i64)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT t.project_id, COUNT(*), SUM(CASE WHEN t.stage = 'reflect' THEN 1 ELSE 0 END)
             FROM trial_action t JOIN development_project d ON d.id = t.project_id
             WHERE d.programme_id = $1 GROUP BY t.project_id",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })
}
