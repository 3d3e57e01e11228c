//! The SQL of an activity's materials.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AUDIT_KIND_ACTIVITY;
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::programmes::model::Material;

/// An activity's materials, oldest first.
pub async fn list(db: &Db, activity: Uuid) -> sqlx::Result<Vec<Material>> {
    let rows: Vec<(Uuid, Uuid, String, String, i32, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, activity_id, name, content_type, size, created_at FROM activity_material
             WHERE activity_id = $1 ORDER BY created_at, id",
        )
        .bind(activity)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, activity_id, name, content_type, size, created_at)| Material {
            id,
            activity_id,
            name,
            content_type,
            size,
            created_at,
        })
        .collect())
}

/// Where a material's bytes are.
pub enum Stored {
    Database(Vec<u8>),
    /// In the installation's files folder, under the material's id.
    Folder,
}

/// One material of the municipality with its bytes, or where they are.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<(Material, Stored)>> {
    let row: Option<(Uuid, Uuid, String, String, i32, DateTime<Utc>, Vec<u8>, bool)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT m.id, m.activity_id, m.name, m.content_type, m.size, m.created_at, m.bytes, m.in_folder
             FROM activity_material m JOIN activity a ON a.id = m.activity_id JOIN programme p ON p.id = a.programme_id
             WHERE m.id = $1 AND p.municipality_id = $2",
        )
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|(id, activity_id, name, content_type, size, created_at, bytes, in_folder)| {
        let stored = if in_folder { Stored::Folder } else { Stored::Database(bytes) };
        (Material { id, activity_id, name, content_type, size, created_at }, stored)
    }))
}

/// A file to keep: its bytes go in the row unless they are already in the files folder.
pub struct NewMaterial<'a> {
    pub id: Uuid,
    pub activity: Uuid,
    pub name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
    pub in_folder: bool,
}

/// A new material's id.
pub fn new_material_id() -> Uuid {
    new_id()
}

/// Keeps a file for an activity unless it already has `max` files; false then.
pub async fn add(
    db: &Db,
    municipality: Uuid,
    file: &NewMaterial<'_>,
    max: i64,
    entry: AuditEntry,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    let NewMaterial { id, activity, name, content_type, bytes, in_folder } = *file;
    let kept: &[u8] = if in_folder { &[] } else { bytes };
    let uploader = entry.actor_name.clone();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM activity_material WHERE activity_id = $1")
            .bind(activity)
            .fetch_one(&mut *tx)
            .await?;
        if n >= max {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO activity_material
               (id, activity_id, name, content_type, size, bytes, in_folder, uploaded_by, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(id)
        .bind(activity)
        .bind(name)
        .bind(content_type)
        .bind(bytes.len() as i32)
        .bind(kept)
        .bind(in_folder)
        .bind(&uploader)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND_ACTIVITY, activity, name), now)
            .await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Removes a material, with its audit entry.
pub async fn remove(db: &Db, municipality: Uuid, material: &Material, entry: AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM activity_material WHERE id = $1").bind(material.id).execute(&mut *tx).await?;
        let entry = entry.subject(AUDIT_KIND_ACTIVITY, material.activity_id, &material.name);
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}
