//! A person's activities across programmes and their calendar feed's secret.

use super::*;

/// A person's activities (enrolled or waiting) in every programme, in time order.
pub async fn person_activities(db: &Db, person: Uuid) -> sqlx::Result<Vec<PersonActivity>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        activity: ActivityRow,
        programme_title: String,
        status: String,
    }
    let rows: Vec<Row> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ACTIVITY_COLUMNS}, p.title AS programme_title, e.status
             FROM activity_enrolment e JOIN activity a ON a.id = e.activity_id JOIN programme p ON p.id = a.programme_id
             WHERE e.person_id = $1 AND e.status IN ('enrolled', 'waiting')
             ORDER BY a.starts_at, a.id"
        )))
        .bind(person)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| PersonActivity {
            activity: activity(r.activity),
            programme_title: r.programme_title,
            status: EnrolmentStatus::parse(&r.status).unwrap_or(EnrolmentStatus::Waiting),
        })
        .collect())
}

/// Gives a person a new calendar feed secret (the old address stops working); only its
/// hash is kept.
pub async fn renew_feed(db: &Db, person: Uuid, token_hash: &str) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO calendar_feed (person_id, token_hash, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (person_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(person)
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    })
}

/// Whether a person has a calendar feed.
pub async fn has_feed(db: &Db, person: Uuid) -> sqlx::Result<bool> {
    let n: i64 = on_db!(db, |p| {
        sqlx::query_scalar("SELECT COUNT(*) FROM calendar_feed WHERE person_id = $1").bind(person).fetch_one(p).await
    })?;
    Ok(n > 0)
}

/// The person a calendar feed secret's hash belongs to.
pub async fn feed_person(db: &Db, token_hash: &str) -> sqlx::Result<Option<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT person_id FROM calendar_feed WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(p)
            .await
    })
}
