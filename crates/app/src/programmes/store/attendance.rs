//! The SQL of attendance: the facilitator's list, check-in with the activity's code, and
//! the attendance of a whole programme (for progress and the export to the HR system).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AUDIT_KIND_ACTIVITY;
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool};

/// Records one person's attendance inside the open transaction.
macro_rules! record_one {
    ($tx:expr, $activity:expr, $person:expr, $present:expr, $via:expr, $now:expr) => {
        sqlx::query(
            "INSERT INTO activity_attendance (activity_id, person_id, present, via, recorded_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (activity_id, person_id) DO UPDATE
                 SET present = excluded.present, via = excluded.via, recorded_at = excluded.recorded_at",
        )
        .bind($activity)
        .bind($person)
        .bind($present)
        .bind($via)
        .bind($now)
        .execute(&mut *$tx)
        .await?
    };
}

/// The check-in code of an activity, if one was made.
pub async fn code(db: &Db, activity: Uuid) -> sqlx::Result<Option<String>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT checkin_code FROM activity WHERE id = $1").bind(activity).fetch_one(p).await
    })
}

/// Gives an activity a new check-in code (the old one stops working), with its audit entry.
pub async fn set_code(db: &Db, municipality: Uuid, activity: Uuid, code: &str, entry: AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE activity SET checkin_code = $1 WHERE id = $2")
            .bind(code)
            .bind(activity)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ACTIVITY, activity, ""), now).await?;
        tx.commit().await
    })
}

/// Who is recorded present at an activity.
pub async fn present(db: &Db, activity: Uuid) -> sqlx::Result<Vec<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT person_id FROM activity_attendance WHERE activity_id = $1 AND present ORDER BY person_id",
        )
        .bind(activity)
        .fetch_all(p)
        .await
    })
}

/// Saves the facilitator's list: `present` there, the rest of `enrolled` not; one audit
/// entry per person whose attendance is recorded, all in one transaction.
pub async fn record_list(
    db: &Db,
    municipality: Uuid,
    activity: Uuid,
    enrolled: &[Uuid],
    present: &[Uuid],
    entry: AuditEntry,
) -> sqlx::Result<()> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        for person in enrolled {
            let here = present.contains(person);
            record_one!(tx, activity, person, here, "list", now);
        }
        let entry = entry.subject(AUDIT_KIND_ACTIVITY, activity, "").detail(format!(
            "{} of {} present",
            present.len(),
            enrolled.len()
        ));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// Checks a person in with the code, with an audit entry.
pub async fn check_in(
    db: &Db,
    municipality: Uuid,
    activity: Uuid,
    person: Uuid,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        record_one!(tx, activity, person, true, "code", now);
        let entry = entry.subject(AUDIT_KIND_ACTIVITY, activity, "").detail(format!("person {person}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// One person on one activity of a programme: whether they were present (None: not recorded).
#[derive(Clone, Debug)]
pub struct AttendanceRow {
    pub person: Uuid,
    pub activity: Uuid,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub present: Option<bool>,
}

/// Every enrolment on a programme's activities that have begun, with its attendance.
pub async fn programme_attendance(db: &Db, programme: Uuid, now: DateTime<Utc>) -> sqlx::Result<Vec<AttendanceRow>> {
    let rows: Vec<(Uuid, Uuid, String, String, DateTime<Utc>, DateTime<Utc>, Option<bool>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT e.person_id, a.id, a.title, a.kind, a.starts_at, a.ends_at, t.present
             FROM activity a
             JOIN activity_enrolment e ON e.activity_id = a.id AND e.status = 'enrolled'
             LEFT JOIN activity_attendance t ON t.activity_id = a.id AND t.person_id = e.person_id
             WHERE a.programme_id = $1 AND a.state = 'planned' AND a.starts_at <= $2
             ORDER BY a.starts_at, a.id, e.person_id",
        )
        .bind(programme)
        .bind(now)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(person, activity, title, kind, starts_at, ends_at, present)| AttendanceRow {
            person,
            activity,
            title,
            kind,
            starts_at,
            ends_at,
            present,
        })
        .collect())
}
