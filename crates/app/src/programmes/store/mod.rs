//! All of the programmes' SQL. Every write and its audit entry are one transaction.
//!
//! A place on an activity is taken by one conditional update of the activity's count
//! (`enrolled_count < capacity`): PostgreSQL locks the row and re-checks the condition, and
//! SQLite writes one at a time, so concurrent sign-ups never book more than the capacity.

pub mod attendance;
pub mod groups;
pub mod materials;
pub mod projects;
pub mod roles;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::model::{
    Activity, ActivityKind, EnrolmentStatus, Mode, NewActivity, NewProgramme, PersonActivity, Phase, Programme,
    ProgrammeModule, Via,
};
use super::notices::{Letters, Notice};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::mail::store::queue_in;

/// The audit log's names for a programme and an activity.
pub const AUDIT_KIND: &str = "programme";
pub const AUDIT_KIND_ACTIVITY: &str = "activity";

#[derive(sqlx::FromRow)]
struct ProgrammeRow {
    id: Uuid,
    title: String,
    description: String,
    template: String,
    state: String,
    created_at: DateTime<Utc>,
    enrolled: i64,
}

const PROGRAMME_COLUMNS: &str = "p.id, p.title, p.description, p.template, p.state, p.created_at,
     (SELECT COUNT(*) FROM programme_enrolment e WHERE e.programme_id = p.id AND e.status = 'enrolled') AS enrolled";

fn programme(r: ProgrammeRow, phases: Vec<Phase>, modules: Vec<ProgrammeModule>) -> Programme {
    Programme {
        id: r.id,
        title: r.title,
        description: r.description,
        template: r.template,
        archived: r.state == "archived",
        phases,
        modules,
        enrolled: r.enrolled,
        created_at: r.created_at,
    }
}

#[derive(sqlx::FromRow)]
struct ActivityRow {
    id: Uuid,
    programme_id: Uuid,
    module_id: Option<Uuid>,
    phase_id: Option<Uuid>,
    kind: String,
    title: String,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    mode: String,
    place: String,
    meeting_url: String,
    capacity: Option<i32>,
    enrolled_count: i32,
    facilitator: String,
    agenda: String,
    state: String,
    sequence: i32,
    waiting: i64,
}

const ACTIVITY_COLUMNS: &str = "a.id, a.programme_id, a.module_id, a.phase_id, a.kind, a.title, a.starts_at,
     a.ends_at, a.mode, a.place, a.meeting_url, a.capacity, a.enrolled_count, a.facilitator, a.agenda, a.state,
     a.sequence,
     (SELECT COUNT(*) FROM activity_enrolment w WHERE w.activity_id = a.id AND w.status = 'waiting') AS waiting";

fn activity(r: ActivityRow) -> Activity {
    Activity {
        id: r.id,
        programme_id: r.programme_id,
        module_id: r.module_id,
        phase_id: r.phase_id,
        kind: ActivityKind::parse(&r.kind).unwrap_or(ActivityKind::Workshop),
        title: r.title,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        mode: Mode::parse(&r.mode).unwrap_or(Mode::Physical),
        place: r.place,
        meeting_url: r.meeting_url,
        capacity: r.capacity,
        enrolled: r.enrolled_count,
        waiting: r.waiting,
        facilitator: r.facilitator,
        agenda: r.agenda,
        cancelled: r.state == "cancelled",
        sequence: r.sequence,
    }
}

/// Inserts an activity inside the open transaction `$tx` (a macro: the same SQL runs on
/// either backend's transaction type).
macro_rules! insert_activity {
    ($tx:expr, $programme:expr, $a:expr, $now:expr) => {{
        let id = new_id();
        let a: &NewActivity = $a;
        sqlx::query(
            "INSERT INTO activity (id, programme_id, module_id, phase_id, kind, title, starts_at, ends_at, mode, place,
                 meeting_url, capacity, facilitator, agenda, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'planned', $15, $15)",
        )
        .bind(id)
        .bind($programme)
        .bind(a.module_id)
        .bind(a.phase_id)
        .bind(a.kind.key())
        .bind(&a.title)
        .bind(a.starts_at)
        .bind(a.ends_at)
        .bind(a.mode.key())
        .bind(&a.place)
        .bind(&a.meeting_url)
        .bind(a.capacity)
        .bind(&a.facilitator)
        .bind(&a.agenda)
        .bind($now)
        .execute(&mut *$tx)
        .await?;
        id
    }};
}

/// Takes one place on the activity if there is one left: true when taken.
macro_rules! take_place {
    ($tx:expr, $activity:expr) => {
        sqlx::query(
            "UPDATE activity SET enrolled_count = enrolled_count + 1
             WHERE id = $1 AND (capacity IS NULL OR enrolled_count < capacity)",
        )
        .bind($activity)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
            == 1
    };
}

/// Gives one place back.
macro_rules! give_place {
    ($tx:expr, $activity:expr) => {
        sqlx::query("UPDATE activity SET enrolled_count = enrolled_count - 1 WHERE id = $1 AND enrolled_count > 0")
            .bind($activity)
            .execute(&mut *$tx)
            .await?
    };
}

/// Moves people up from the waiting list, first come first, while there are places;
/// evaluates to the people moved up.
macro_rules! promote {
    ($tx:expr, $activity:expr, $now:expr) => {{
        let mut promoted: Vec<Uuid> = Vec::new();
        let waiting: Vec<Uuid> = sqlx::query_scalar(
            "SELECT person_id FROM activity_enrolment WHERE activity_id = $1 AND status = 'waiting'
             ORDER BY created_at, person_id",
        )
        .bind($activity)
        .fetch_all(&mut *$tx)
        .await?;
        for person in waiting {
            if !take_place!($tx, $activity) {
                break;
            }
            let moved = sqlx::query(
                "UPDATE activity_enrolment SET status = 'enrolled', updated_at = $1
                 WHERE activity_id = $2 AND person_id = $3 AND status = 'waiting'",
            )
            .bind($now)
            .bind($activity)
            .bind(person)
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if moved == 1 {
                promoted.push(person);
            } else {
                // Someone else moved or cancelled them meanwhile: give the place back.
                give_place!($tx, $activity);
            }
        }
        promoted
    }};
}

/// Queues the letters of `$notice` to `$people` in the outbox inside the open transaction.
macro_rules! send_letters {
    ($tx:expr, $municipality:expr, $letters:expr, $people:expr, $notice:expr, $now:expr) => {{
        let letters: &Letters = $letters;
        let messages: Vec<_> = $people.iter().filter_map(|p: &Uuid| letters.letter(*p, $notice)).collect();
        if !messages.is_empty() {
            queue_in(&mut *$tx, $municipality, &letters.batch(), &messages, $now).await?;
        }
    }};
}

/// Makes a programme with its phases, modules and activities, all or nothing.
pub async fn create(db: &Db, municipality: Uuid, new: &NewProgramme, entry: AuditEntry) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO programme (id, municipality_id, title, description, template, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, 'active', $6, $6)",
        )
        .bind(id)
        .bind(municipality)
        .bind(&new.title)
        .bind(&new.description)
        .bind(&new.template)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut phase_ids = Vec::new();
        for (i, (title, audience)) in new.phases.iter().enumerate() {
            let phase = new_id();
            sqlx::query(
                "INSERT INTO programme_phase (id, programme_id, position, title, audience) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(phase)
            .bind(id)
            .bind(i as i32 + 1)
            .bind(title)
            .bind(audience)
            .execute(&mut *tx)
            .await?;
            phase_ids.push(phase);
        }
        let mut module_ids = Vec::new();
        for (i, (title, description)) in new.modules.iter().enumerate() {
            let module = new_id();
            sqlx::query(
                "INSERT INTO programme_module (id, programme_id, position, title, description)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(module)
            .bind(id)
            .bind(i as i32 + 1)
            .bind(title)
            .bind(description)
            .execute(&mut *tx)
            .await?;
            module_ids.push(module);
        }
        for (module, phase, a) in &new.activities {
            let a = NewActivity {
                module_id: module.and_then(|m| module_ids.get(m).copied()),
                phase_id: phase.and_then(|p| phase_ids.get(p).copied()),
                ..a.clone()
            };
            insert_activity!(tx, id, &a, now);
        }
        for (i, (module, role_key, text)) in new.goals.iter().enumerate() {
            let role: Option<Uuid> =
                sqlx::query_scalar("SELECT id FROM programme_role WHERE municipality_id = $1 AND key = $2")
                    .bind(municipality)
                    .bind(role_key)
                    .fetch_optional(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO competence_goal (id, programme_id, module_id, role_id, text, position)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(new_id())
            .bind(id)
            .bind(module.and_then(|m| module_ids.get(m).copied()))
            .bind(role)
            .bind(text)
            .bind(i as i32 + 1)
            .execute(&mut *tx)
            .await?;
        }
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, id, &new.title), now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The municipality's programmes, newest first; archived ones only when asked.
pub async fn list(db: &Db, municipality: Uuid, archived: bool) -> sqlx::Result<Vec<Programme>> {
    let state = if archived { "archived" } else { "active" };
    let rows: Vec<ProgrammeRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROGRAMME_COLUMNS} FROM programme p WHERE p.municipality_id = $1 AND p.state = $2
             ORDER BY p.created_at DESC"
        )))
        .bind(municipality)
        .bind(state)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|r| programme(r, Vec::new(), Vec::new())).collect())
}

/// One programme of the municipality, with its phases and modules.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Programme>> {
    let row: Option<ProgrammeRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {PROGRAMME_COLUMNS} FROM programme p WHERE p.id = $1 AND p.municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let phases: Vec<(Uuid, i32, String, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, position, title, audience FROM programme_phase WHERE programme_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })?;
    let modules: Vec<(Uuid, i32, String, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, position, title, description FROM programme_module WHERE programme_id = $1 ORDER BY position",
        )
        .bind(id)
        .fetch_all(p)
        .await
    })?;
    let phases =
        phases.into_iter().map(|(id, position, title, audience)| Phase { id, position, title, audience }).collect();
    let modules = modules
        .into_iter()
        .map(|(id, position, title, description)| ProgrammeModule { id, position, title, description })
        .collect();
    Ok(Some(programme(row, phases, modules)))
}

/// Archives a programme (or takes it back), with its audit entry.
pub async fn set_archived(
    db: &Db,
    municipality: Uuid,
    id: Uuid,
    archived: bool,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE programme SET state = $1, updated_at = $2 WHERE id = $3 AND municipality_id = $4")
            .bind(if archived { "archived" } else { "active" })
            .bind(now)
            .bind(id)
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, id, ""), now).await?;
        tx.commit().await
    })
}

/// Adds an activity to a programme.
pub async fn add_activity(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    a: &NewActivity,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let id = insert_activity!(tx, programme, a, now);
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ACTIVITY, id, &a.title), now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// What came of changing an activity.
#[derive(Debug, PartialEq, Eq)]
pub enum Changed {
    /// Saved; these people moved up from the waiting list.
    Saved(Vec<Uuid>),
    /// The new capacity is below the number already enrolled: nothing saved.
    BelowEnrolled(i32),
}

/// Changes an activity and raises its SEQUENCE so calendars replace their copy; a larger
/// capacity moves people up from the waiting list.
pub async fn update_activity(
    db: &Db,
    municipality: Uuid,
    id: Uuid,
    a: &NewActivity,
    letters: &Letters,
    tell_participants: bool,
    entry: AuditEntry,
) -> sqlx::Result<Changed> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE activity SET module_id = $1, phase_id = $2, kind = $3, title = $4, starts_at = $5, ends_at = $6,
                 mode = $7, place = $8, meeting_url = $9, capacity = $10, facilitator = $11, agenda = $12,
                 sequence = sequence + 1, updated_at = $13
             WHERE id = $14 AND ($10 IS NULL OR enrolled_count <= $10)",
        )
        .bind(a.module_id)
        .bind(a.phase_id)
        .bind(a.kind.key())
        .bind(&a.title)
        .bind(a.starts_at)
        .bind(a.ends_at)
        .bind(a.mode.key())
        .bind(&a.place)
        .bind(&a.meeting_url)
        .bind(a.capacity)
        .bind(&a.facilitator)
        .bind(&a.agenda)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            let (enrolled,): (i32,) = sqlx::query_as("SELECT enrolled_count FROM activity WHERE id = $1")
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            return Ok(Changed::BelowEnrolled(enrolled));
        }
        if tell_participants {
            let told: Vec<Uuid> = sqlx::query_scalar(
                "SELECT person_id FROM activity_enrolment WHERE activity_id = $1 AND status IN ('enrolled', 'waiting')",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            send_letters!(tx, municipality, letters, told, Notice::Changed, now);
        }
        let promoted = promote!(tx, id, now);
        send_letters!(tx, municipality, letters, promoted, Notice::Promoted, now);
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ACTIVITY, id, &a.title), now).await?;
        tx.commit().await?;
        Ok(Changed::Saved(promoted))
    })
}

/// The activities of a programme, in time order.
pub async fn activities(db: &Db, programme: Uuid) -> sqlx::Result<Vec<Activity>> {
    let rows: Vec<ActivityRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity a WHERE a.programme_id = $1 ORDER BY a.starts_at, a.id"
        )))
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(activity).collect())
}

/// One activity of the municipality.
pub async fn activity_of(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Activity>> {
    let row: Option<ActivityRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activity a JOIN programme p ON p.id = a.programme_id
             WHERE a.id = $1 AND p.municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(activity))
}

mod enrolment;
mod feeds;

pub use enrolment::*;
pub use feeds::*;
