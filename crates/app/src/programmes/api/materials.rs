//! An activity's materials in the API: the list, an upload (the file as the request body,
//! its name in the query), a download, and removal.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::activity_of;
use crate::AppState;
use crate::platform::api::{Problem, created, json};
use crate::platform::files;
use crate::platform::web::{AppError, Permit, Policy, Result, url_encode};
use crate::programmes::materials::{MAX_BYTES, MAX_FILES, Refusal, check, clean_name, endings};
use crate::programmes::model::{Activity, Material};
use crate::programmes::store::materials::{NewMaterial, Stored};
use crate::programmes::{ManageProgrammes, ReadProgrammes, store};

/// Checks and keeps a file for an activity (the API's and the form's way).
pub async fn add_checked(
    state: &AppState,
    permit: &Permit<ManageProgrammes>,
    activity: &Activity,
    name: &str,
    bytes: &[u8],
) -> Result<Uuid> {
    let tr = permit.tr();
    let name = clean_name(name);
    if name.is_empty() {
        return Err(AppError::BadRequest(tr.t("material-error-name")));
    }
    let kind = check(&name, bytes).map_err(|why| {
        AppError::BadRequest(match why {
            Refusal::Empty => tr.t("material-error-empty"),
            Refusal::TooLarge => tr.t1("material-error-size", "max", MAX_BYTES / (1024 * 1024)),
            Refusal::Kind => tr.t1("material-error-kind", "endings", endings()),
        })
    })?;
    let entry = permit.ctx.audit("activity.material_added");
    let folder = state.config.files_dir.as_deref();
    let file = NewMaterial {
        id: store::materials::new_material_id(),
        activity: activity.id,
        name: &name,
        content_type: kind,
        bytes,
        in_folder: folder.is_some(),
    };
    // The file is in the folder before its row exists, and goes again if the row is refused.
    if let Some(dir) = folder {
        files::put(dir, file.id, bytes).await.map_err(|e| AppError::Internal(format!("files folder: {e}")))?;
    }
    let kept = store::materials::add(&state.db, state.municipality, &file, MAX_FILES as i64, entry).await;
    if let (Some(dir), Ok(false) | Err(_)) = (folder, &kept) {
        files::remove(dir, file.id).await.map_err(|e| AppError::Internal(format!("files folder: {e}")))?;
    }
    if !kept? {
        return Err(AppError::Conflict(tr.t1("material-error-count", "max", MAX_FILES)));
    }
    Ok(file.id)
}

/// A material of the municipality, or a 404.
pub async fn material_of(state: &AppState, id: &str) -> Result<Material> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    Ok(store::materials::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?.0)
}

/// A material's bytes, from the database or the files folder.
async fn bytes_of(state: &AppState, id: &str) -> Result<(Material, Vec<u8>)> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let (material, stored) =
        store::materials::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let bytes = match stored {
        Stored::Database(bytes) => bytes,
        Stored::Folder => {
            let dir = state.config.files_dir.as_deref().ok_or_else(|| {
                AppError::Internal(format!("material {id} is kept in a files folder, but none is configured"))
            })?;
            files::get(dir, id).await.map_err(|e| AppError::Internal(format!("material {id}: {e}")))?
        }
    };
    Ok((material, bytes))
}

/// Removes a material (and its file from the folder, once the row is gone).
pub async fn remove_material(state: &AppState, permit: &Permit<ManageProgrammes>, material: &Material) -> Result<()> {
    let entry = permit.ctx.audit("activity.material_removed");
    store::materials::remove(&state.db, state.municipality, material, entry).await?;
    if let Some(dir) = state.config.files_dir.as_deref() {
        files::remove(dir, material.id).await.map_err(|e| AppError::Internal(format!("files folder: {e}")))?;
    }
    Ok(())
}

/// A material as a download (never shown in the page: it is the uploader's file).
pub async fn download<P: Policy>(state: &AppState, _permit: &Permit<P>, id: &str) -> Result<Response> {
    let (m, bytes) = bytes_of(state, id).await?;
    let ascii: String =
        m.name.chars().map(|c| if c.is_ascii_alphanumeric() || ".-_ ".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{}", url_encode(&m.name));
    Ok(([(header::CONTENT_TYPE, m.content_type), (header::CONTENT_DISPOSITION, disposition)], bytes).into_response())
}

/// An activity's materials.
#[utoipa::path(get, path = "/api/v1/activities/{id}/materials", tag = "programmes",
    responses((status = 200, body = [Material]), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    _permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    Ok(json(&store::materials::list(&state.db, activity.id).await?))
}

#[derive(Deserialize, ToSchema, utoipa::IntoParams)]
pub struct NameQuery {
    /// The file's name; its ending decides the kind (pdf, docx, xlsx, pptx, odt, ods, odp, png, jpg, txt).
    pub name: String,
}

/// Uploads a file for an activity: the request body is the file, at most 5 MB.
#[utoipa::path(post, path = "/api/v1/activities/{id}/materials", tag = "programmes", params(NameQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = Material), (status = 400, body = Problem), (status = 409, body = Problem)))]
pub async fn upload(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    Query(q): Query<NameQuery>,
    body: Bytes,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let made = add_checked(&state, &permit, &activity, &q.name, &body).await?;
    Ok(created(&material_of(&state, &made.to_string()).await?))
}

/// Downloads a material.
#[utoipa::path(get, path = "/api/v1/materials/{id}", tag = "programmes",
    responses((status = 200, description = "the file"), (status = 404, body = Problem)))]
pub async fn get_file(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    download(&state, &permit, &id).await
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Removed {
    pub removed: bool,
}

/// Removes a material.
#[utoipa::path(delete, path = "/api/v1/materials/{id}", tag = "programmes",
    responses((status = 200, body = Removed), (status = 404, body = Problem)))]
pub async fn remove(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    remove_material(&state, &permit, &material_of(&state, &id).await?).await?;
    Ok(json(&Removed { removed: true }))
}
