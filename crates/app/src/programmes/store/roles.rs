//! The SQL of the role model, the competence goals and the self-ratings.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AUDIT_KIND;
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::programmes::model::{Audience, CompetenceGoal, Moment, ProgrammeRole};
use crate::programmes::roles::DEFAULT_ROLES;

pub const AUDIT_KIND_ROLE: &str = "programme_role";

/// Gives a municipality the default roles if it has none yet.
pub async fn ensure_defaults(db: &Db, municipality: Uuid) -> sqlx::Result<()> {
    // Read first: every page with roles asks, and only the first ever needs the writer.
    let any: Option<i32> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT 1 FROM programme_role WHERE municipality_id = $1 LIMIT 1")
            .bind(municipality)
            .fetch_optional(p)
            .await
    })?;
    if any.is_some() {
        return Ok(());
    }
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM programme_role WHERE municipality_id = $1")
            .bind(municipality)
            .fetch_one(&mut *tx)
            .await?;
        if n == 0 {
            for (i, (key, name, description, audience)) in DEFAULT_ROLES.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO programme_role (id, municipality_id, key, name, description, audience, position, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (municipality_id, key) DO NOTHING",
                )
                .bind(new_id())
                .bind(municipality)
                .bind(*key)
                .bind(*name)
                .bind(*description)
                .bind(audience.key())
                .bind(i as i32 + 1)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await
    })
}

/// The municipality's roles in their order (inactive ones too).
pub async fn roles(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<ProgrammeRole>> {
    let rows: Vec<(Uuid, String, String, String, String, bool)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, key, name, description, audience, active FROM programme_role
             WHERE municipality_id = $1 ORDER BY position, key",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, key, name, description, audience, active)| ProgrammeRole {
            id,
            key,
            name,
            description,
            audience: Audience::parse(&audience).unwrap_or(Audience::Employee),
            active,
        })
        .collect())
}

/// Adds a role at the end of the list; None when the key is taken.
pub async fn add_role(
    db: &Db,
    municipality: Uuid,
    key: &str,
    name: &str,
    description: &str,
    audience: Audience,
    entry: AuditEntry,
) -> sqlx::Result<Option<Uuid>> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "INSERT INTO programme_role (id, municipality_id, key, name, description, audience, position, created_at)
             VALUES ($1, $2, $3, $4, $5, $6,
                 (SELECT COALESCE(MAX(position), 0) + 1 FROM programme_role WHERE municipality_id = $2), $7)
             ON CONFLICT (municipality_id, key) DO NOTHING",
        )
        .bind(id)
        .bind(municipality)
        .bind(key)
        .bind(name)
        .bind(description)
        .bind(audience.key())
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(None);
        }
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ROLE, id, name), now).await?;
        tx.commit().await?;
        Ok(Some(id))
    })
}

/// Changes a role's name, description and whether it is in use.
pub async fn update_role(
    db: &Db,
    municipality: Uuid,
    id: Uuid,
    name: &str,
    description: &str,
    active: bool,
    entry: AuditEntry,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let done = sqlx::query(
            "UPDATE programme_role SET name = $1, description = $2, active = $3 WHERE id = $4 AND municipality_id = $5",
        )
        .bind(name)
        .bind(description)
        .bind(active)
        .bind(id)
        .bind(municipality)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Ok(false);
        }
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ROLE, id, name), now).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// A programme's competence goals in their order.
pub async fn goals(db: &Db, programme: Uuid) -> sqlx::Result<Vec<CompetenceGoal>> {
    let rows: Vec<(Uuid, Option<Uuid>, Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, module_id, role_id, text FROM competence_goal WHERE programme_id = $1 ORDER BY position, id",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(id, module_id, role_id, text)| CompetenceGoal { id, module_id, role_id, text }).collect())
}

/// Adds a competence goal at the end of a programme's list.
pub async fn add_goal(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    module: Option<Uuid>,
    role: Option<Uuid>,
    text: &str,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO competence_goal (id, programme_id, module_id, role_id, text, position)
             VALUES ($1, $2, $3, $4, $5, (SELECT COALESCE(MAX(position), 0) + 1 FROM competence_goal WHERE programme_id = $2))",
        )
        .bind(id)
        .bind(programme)
        .bind(module)
        .bind(role)
        .bind(text)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, programme, text), now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Saves a person's self-rating at one moment (replacing an earlier one), with its audit entry.
pub async fn rate(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    person: Uuid,
    moment: Moment,
    ratings: &[(Uuid, i32)],
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        for (role, score) in ratings {
            sqlx::query(
                "INSERT INTO role_rating (programme_id, person_id, role_id, moment, score, rated_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (programme_id, person_id, role_id, moment) DO UPDATE
                     SET score = excluded.score, rated_at = excluded.rated_at",
            )
            .bind(programme)
            .bind(person)
            .bind(role)
            .bind(moment.key())
            .bind(score)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let entry = entry.subject(AUDIT_KIND, programme, "").detail(format!("person {person}, {}", moment.key()));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// Every self-rating of a programme: person, role, moment, score, when.
pub async fn ratings(db: &Db, programme: Uuid) -> sqlx::Result<Vec<(Uuid, Uuid, Moment, i32, DateTime<Utc>)>> {
    let rows: Vec<(Uuid, Uuid, String, i32, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT person_id, role_id, moment, score, rated_at FROM role_rating WHERE programme_id = $1
             ORDER BY person_id, role_id, moment",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(person, role, moment, score, at)| Some((person, role, Moment::parse(&moment)?, score, at)))
        .collect())
}
