//! All of the site's SQL: the municipality an installation serves.

use chrono::Utc;
use uuid::Uuid;

use crate::on_db;
use crate::platform::db::{Db, WritePool, new_id};

pub use super::model::{CoreTask, DEFAULT_CORE_TASKS, Municipality};

/// The installation's municipality, if one has been set up.
pub async fn current(db: &Db) -> sqlx::Result<Option<Municipality>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT id, name FROM municipality ORDER BY created_at, id LIMIT 1").fetch_optional(p).await
    })
}

/// The installation's municipality, created with `name` if there is none yet.
pub async fn ensure(db: &Db, name: &str) -> sqlx::Result<Municipality> {
    if let Some(m) = current(db).await? {
        return Ok(m);
    }
    // Two processes starting on an empty database must not make two municipalities: the
    // check and the insert are one transaction under the write lock (SQLite's IMMEDIATE
    // transaction, a transaction-scoped advisory lock on PostgreSQL).
    let candidate = Municipality { id: new_id(), name: name.to_string() };
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        if matches!(db, Db::Postgres(_)) {
            sqlx::query("SELECT pg_advisory_xact_lock(7262017)").execute(&mut *tx).await?;
        }
        let existing: Option<Municipality> =
            sqlx::query_as("SELECT id, name FROM municipality ORDER BY created_at, id LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(m) = existing {
            return Ok(m);
        }
        sqlx::query("INSERT INTO municipality (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(candidate.id)
            .bind(&candidate.name)
            .bind(Utc::now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(candidate)
    })
}

pub async fn rename(db: &Db, id: Uuid, name: &str) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE municipality SET name = $1 WHERE id = $2").bind(name).bind(id).execute(p).await?;
        Ok(())
    })
}

/// Marks the municipality's database as a demo (it holds the demo logins).
pub async fn mark_demo(db: &Db, id: Uuid) -> sqlx::Result<()> {
    on_db!(db, |p| {
        sqlx::query("UPDATE municipality SET demo = TRUE WHERE id = $1").bind(id).execute(p).await?;
        Ok(())
    })
}

/// Whether the database was filled with the demo municipality and its logins.
pub async fn is_demo(db: &Db, id: Uuid) -> sqlx::Result<bool> {
    on_db!(db, |p| sqlx::query_scalar("SELECT demo FROM municipality WHERE id = $1").bind(id).fetch_one(p).await)
}

/// The municipality's core tasks in their order; the defaults are created on first use.
pub async fn core_tasks(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<CoreTask>> {
    let read = || async {
        on_db!(db, |p| {
            sqlx::query_as::<_, (String, String, String)>(
                "SELECT key, name_da, name_en FROM core_task WHERE municipality_id = $1 ORDER BY position, key",
            )
            .bind(municipality)
            .fetch_all(p)
            .await
        })
    };
    let rows = read().await?;
    if !rows.is_empty() {
        return Ok(rows.into_iter().map(|(key, name_da, name_en)| CoreTask { key, name_da, name_en }).collect());
    }
    on_db!(db, |p| {
        for (position, (key, da, en)) in DEFAULT_CORE_TASKS.iter().enumerate() {
            sqlx::query(
                "INSERT INTO core_task (id, municipality_id, key, name_da, name_en, position)
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (municipality_id, key) DO NOTHING",
            )
            .bind(new_id())
            .bind(municipality)
            .bind(*key)
            .bind(*da)
            .bind(*en)
            .bind(position as i32)
            .execute(p)
            .await?;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(read().await?.into_iter().map(|(key, name_da, name_en)| CoreTask { key, name_da, name_en }).collect())
}
