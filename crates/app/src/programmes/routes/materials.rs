//! An activity's materials in the pages: upload (a multipart form), download and removal.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::super::api::activity_of;
use super::super::api::materials::{add_checked, download, material_of, remove_material};
use super::super::{ManageProgrammes, ReadProgrammes, actions};
use super::activities::activity_view;
use crate::AppState;
use crate::platform::layout::FormErrors;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, CsrfUpload, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new().post("/aktiviteter/{id}/materialer", manage, upload).get("/materialer/{id}", read, get_file).post(
        "/materialer/{id}/slet",
        manage,
        remove,
    )
}

async fn upload(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    read: Permit<ReadProgrammes>,
    Path(id): Path<String>,
    upload: CsrfUpload,
) -> Result<Response> {
    let activity = activity_of(&state, &id).await?;
    let Some(file) = upload.files.iter().find(|f| f.field == "file" && !(f.name.is_empty() && f.bytes.is_empty()))
    else {
        let errors = FormErrors::one("file", permit.tr().t("material-error-no-file"));
        return activity_view(&state, &read, &id, None, errors).await;
    };
    match add_checked(&state, &permit, &activity, &file.name, &file.bytes).await {
        Ok(_) => Ok(Redirect::to(&format!("/aktiviteter/{}?gemt=materiale", activity.id)).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            activity_view(&state, &read, &id, None, FormErrors::one("file", m)).await
        }
        Err(e) => Err(e),
    }
}

async fn get_file(
    State(state): State<AppState>,
    permit: Permit<ReadProgrammes>,
    Path(id): Path<String>,
) -> Result<Response> {
    download(&state, &permit, &id).await
}

#[derive(serde::Deserialize, Default)]
struct Empty {}

async fn remove(
    State(state): State<AppState>,
    permit: Permit<ManageProgrammes>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let material = material_of(&state, &id).await?;
    remove_material(&state, &permit, &material).await?;
    Ok(Redirect::to(&format!("/aktiviteter/{}?gemt=materiale-fjernet", material.activity_id)).into_response())
}
