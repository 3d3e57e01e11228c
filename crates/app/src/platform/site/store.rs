//! All of the site's SQL: the municipality an installation serves.

use chrono::Utc;
use uuid::Uuid;

use crate::on_db;
use crate::platform::db::{Db, new_id};

pub use super::model::Municipality;

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
    let m = Municipality { id: new_id(), name: name.to_string() };
    on_db!(db, |p| {
        sqlx::query("INSERT INTO municipality (id, name, created_at) VALUES ($1, $2, $3)")
            .bind(m.id)
            .bind(&m.name)
            .bind(Utc::now())
            .execute(p)
            .await
            .map(|_| ())
    })?;
    Ok(m)
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
