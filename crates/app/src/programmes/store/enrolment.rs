//! Enrolment: in a programme and on its activities (a place or the waiting list, within the
//! capacity), cancellation that moves the waiting list up, reminders and the lists.

use super::*;

/// Enrols a person in a programme (again, after a cancellation); answers false when they
/// already were.
pub async fn enrol_in_programme(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    person: Uuid,
    via: Via,
    phase: Option<Uuid>,
    entry: AuditEntry,
) -> sqlx::Result<bool> {
    Ok(!enrol_people(db, municipality, programme, &[person], via, phase, entry).await?.is_empty())
}

/// Enrols people in a programme in one transaction (a selection by units and roles), with an
/// audit entry per person; answers those who were not enrolled before.
pub async fn enrol_people(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    people: &[Uuid],
    via: Via,
    phase: Option<Uuid>,
    entry: AuditEntry,
) -> sqlx::Result<Vec<Uuid>> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let mut added = Vec::new();
        for person in people {
            let done = sqlx::query(
                "INSERT INTO programme_enrolment (programme_id, person_id, phase_id, via, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'enrolled', $5, $5)
                 ON CONFLICT (programme_id, person_id) DO UPDATE
                     SET status = 'enrolled', via = excluded.via, phase_id = excluded.phase_id,
                         updated_at = excluded.updated_at
                     WHERE programme_enrolment.status = 'cancelled'",
            )
            .bind(programme)
            .bind(person)
            .bind(phase)
            .bind(via.key())
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                continue;
            }
            let entry =
                entry.clone().subject(AUDIT_KIND, programme, "").detail(format!("person {person}, {}", via.key()));
            audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
            added.push(*person);
        }
        tx.commit().await?;
        Ok(added)
    })
}

/// People enrolled in a programme, with how they came in, in the order they came.
pub async fn programme_enrolments(db: &Db, programme: Uuid) -> sqlx::Result<Vec<(Uuid, Via, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT person_id, via, created_at FROM programme_enrolment
             WHERE programme_id = $1 AND status = 'enrolled' ORDER BY created_at, person_id",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(p, via, at)| (p, Via::parse(&via).unwrap_or(Via::SelfSignUp), at)).collect())
}

/// Whether a person is enrolled in a programme.
pub async fn is_enrolled(db: &Db, programme: Uuid, person: Uuid) -> sqlx::Result<bool> {
    let n: i64 = on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM programme_enrolment WHERE programme_id = $1 AND person_id = $2 AND status = 'enrolled'",
        )
        .bind(programme)
        .bind(person)
        .fetch_one(p)
        .await
    })?;
    Ok(n > 0)
}

/// Signs a person up for an activity: a place if one is left, else the waiting list.
/// Someone already enrolled or waiting keeps their place (answered as it is).
pub async fn enrol(
    db: &Db,
    municipality: Uuid,
    activity: Uuid,
    person: Uuid,
    letters: &Letters,
    entry: AuditEntry,
) -> sqlx::Result<(EnrolmentStatus, bool)> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let current: Option<String> =
            sqlx::query_scalar("SELECT status FROM activity_enrolment WHERE activity_id = $1 AND person_id = $2")
                .bind(activity)
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(status) =
            current.as_deref().and_then(EnrolmentStatus::parse).filter(|s| *s != EnrolmentStatus::Cancelled)
        {
            return Ok((status, false));
        }
        let status = if take_place!(tx, activity) { EnrolmentStatus::Enrolled } else { EnrolmentStatus::Waiting };
        // created_at restarts on a new sign-up: the waiting list runs in the order people came.
        let done = sqlx::query(
            "INSERT INTO activity_enrolment (activity_id, person_id, status, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $4)
             ON CONFLICT (activity_id, person_id) DO UPDATE
                 SET status = excluded.status, created_at = excluded.created_at, updated_at = excluded.updated_at
                 WHERE activity_enrolment.status = 'cancelled'",
        )
        .bind(activity)
        .bind(person)
        .bind(status.key())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            // The same person signed up at the same moment through another request.
            tx.rollback().await?;
            return Ok((EnrolmentStatus::Enrolled, false));
        }
        let notice = if status == EnrolmentStatus::Enrolled { Notice::Enrolled } else { Notice::Waiting };
        send_letters!(tx, municipality, letters, [person], notice, now);
        let entry =
            entry.subject(AUDIT_KIND_ACTIVITY, activity, "").detail(format!("person {person}, {}", status.key()));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok((status, true))
    })
}

/// Cancels a person's place or spot on the waiting list; a freed place goes to the first
/// on the waiting list. Answers whether anything was cancelled and who moved up.
pub async fn cancel(
    db: &Db,
    municipality: Uuid,
    activity: Uuid,
    person: Uuid,
    letters: &Letters,
    entry: AuditEntry,
) -> sqlx::Result<(bool, Vec<Uuid>)> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let was: Option<String> =
            sqlx::query_scalar("SELECT status FROM activity_enrolment WHERE activity_id = $1 AND person_id = $2")
                .bind(activity)
                .bind(person)
                .fetch_optional(&mut *tx)
                .await?;
        let Some(was) = was.filter(|s| s == "enrolled" || s == "waiting") else {
            return Ok((false, Vec::new()));
        };
        let done = sqlx::query(
            "UPDATE activity_enrolment SET status = 'cancelled', updated_at = $1
             WHERE activity_id = $2 AND person_id = $3 AND status = $4",
        )
        .bind(now)
        .bind(activity)
        .bind(person)
        .bind(&was)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            // Changed by another request meanwhile.
            tx.rollback().await?;
            return Ok((false, Vec::new()));
        }
        let promoted = if was == "enrolled" {
            give_place!(tx, activity);
            promote!(tx, activity, now)
        } else {
            Vec::new()
        };
        send_letters!(tx, municipality, letters, promoted, Notice::Promoted, now);
        let entry = entry.subject(AUDIT_KIND_ACTIVITY, activity, "").detail(format!("person {person}, {was}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok((true, promoted))
    })
}

/// The people on an activity (enrolled and waiting), in the order they came.
pub async fn enrolments(db: &Db, activity: Uuid) -> sqlx::Result<Vec<(Uuid, EnrolmentStatus, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT person_id, status, created_at FROM activity_enrolment
             WHERE activity_id = $1 AND status IN ('enrolled', 'waiting') ORDER BY created_at, person_id",
        )
        .bind(activity)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().filter_map(|(p, s, at)| EnrolmentStatus::parse(&s).map(|s| (p, s, at))).collect())
}

/// The people enrolled on an activity (not those waiting).
pub async fn enrolled_people(db: &Db, activity: Uuid) -> sqlx::Result<Vec<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT person_id FROM activity_enrolment WHERE activity_id = $1 AND status = 'enrolled'
             ORDER BY person_id",
        )
        .bind(activity)
        .fetch_all(p)
        .await
    })
}

/// Queues the reminders of an activity to the people enrolled now, with an audit entry;
/// evaluates to the number of letters.
pub async fn remind(
    db: &Db,
    municipality: Uuid,
    activity: Uuid,
    letters: &Letters,
    entry: AuditEntry,
) -> sqlx::Result<usize> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let people: Vec<Uuid> = sqlx::query_scalar(
            "SELECT person_id FROM activity_enrolment WHERE activity_id = $1 AND status = 'enrolled'",
        )
        .bind(activity)
        .fetch_all(&mut *tx)
        .await?;
        let messages: Vec<_> = people.iter().filter_map(|p| letters.letter(*p, Notice::Reminder)).collect();
        if !messages.is_empty() {
            queue_in(&mut *tx, municipality, &letters.batch(), &messages, now).await?;
        }
        let entry = entry.subject(AUDIT_KIND_ACTIVITY, activity, "").detail(format!("{} reminders", messages.len()));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(messages.len())
    })
}

/// A page of the people on an activity (enrolled and waiting), in the order they came.
pub async fn enrolments_page(
    db: &Db,
    activity: Uuid,
    limit: i64,
    offset: i64,
) -> sqlx::Result<Vec<(Uuid, EnrolmentStatus, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT person_id, status, created_at FROM activity_enrolment
             WHERE activity_id = $1 AND status IN ('enrolled', 'waiting') ORDER BY created_at, person_id
             LIMIT $2 OFFSET $3",
        )
        .bind(activity)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().filter_map(|(p, s, at)| EnrolmentStatus::parse(&s).map(|s| (p, s, at))).collect())
}

/// Where one person stands on an activity, if enrolled or waiting.
pub async fn enrolment_status(db: &Db, activity: Uuid, person: Uuid) -> sqlx::Result<Option<EnrolmentStatus>> {
    let status: Option<String> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT status FROM activity_enrolment WHERE activity_id = $1 AND person_id = $2")
            .bind(activity)
            .bind(person)
            .fetch_optional(p)
            .await
    })?;
    Ok(status.as_deref().and_then(EnrolmentStatus::parse).filter(|s| *s != EnrolmentStatus::Cancelled))
}

/// Up to `limit` people of the programme who are not on the activity (to put on it).
pub async fn not_on_activity(db: &Db, programme: Uuid, activity: Uuid, limit: i64) -> sqlx::Result<Vec<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT e.person_id FROM programme_enrolment e
             WHERE e.programme_id = $1 AND e.status = 'enrolled' AND NOT EXISTS (
                 SELECT 1 FROM activity_enrolment a
                 WHERE a.activity_id = $2 AND a.person_id = e.person_id AND a.status IN ('enrolled', 'waiting'))
             ORDER BY e.person_id LIMIT $3",
        )
        .bind(programme)
        .bind(activity)
        .bind(limit)
        .fetch_all(p)
        .await
    })
}
