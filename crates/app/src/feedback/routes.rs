//! Feedback's pages: answering a round through a personal link, on a phone first and
//! without JavaScript (each scale is a row of large choices).

use std::collections::HashMap;

use analysis::measures::{Scale, Value};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::api::{OpenLink, answer_by_link, link_of};
use super::store;
use super::views::{AnswerTemplate, QuestionView};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render, render_form};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Ctx, Result};

pub fn routes() -> Routes {
    Routes::new().get("/svar/{token}", Guard::Public, answer_page).post("/svar/{token}", Guard::Public, answer)
}

#[derive(serde::Deserialize, Default)]
struct Thanks {
    tak: Option<String>,
}

fn questions(tr: &Tr, link: &OpenLink, given: &HashMap<String, String>) -> Vec<QuestionView> {
    link.definition
        .items
        .iter()
        .map(|item| {
            let (choices, line) = match &item.scale {
                Scale::Line { min, max } if max - min <= 20.0 => {
                    let (low, high) = (min.ceil() as i64, max.floor() as i64);
                    ((low..=high).map(|v| (v.to_string(), v.to_string())).collect(), true)
                }
                Scale::Likert { min, max, labels } => (
                    (*min..=*max)
                        .map(|v| {
                            let label = labels.get((v - min) as usize).cloned().unwrap_or_else(|| v.to_string());
                            (v.to_string(), label)
                        })
                        .collect(),
                    false,
                ),
                Scale::YesNo => (vec![("1".into(), tr.t("feedback-yes")), ("0".into(), tr.t("feedback-no"))], false),
                Scale::Line { .. } | Scale::Text => (Vec::new(), false),
            };
            QuestionView {
                key: item.key.clone(),
                text: item.text.clone(),
                choices,
                line,
                required: item.required && item.scale.bounds().is_some(),
                value: given.get(&item.key).cloned().unwrap_or_default(),
            }
        })
        .collect()
}

/// The instrument's licence note and anonymity threshold.
async fn licence_of(state: &AppState, link: &OpenLink) -> Result<(String, i32)> {
    let instrument = store::instrument_by(&state.db, state.municipality, &link.round.instrument_id.to_string()).await?;
    Ok(instrument.map(|i| (i.licence, i.min_answers)).unwrap_or_default())
}

/// The page with a message instead of questions (thanks, answered, not open).
fn message_page(state: &AppState, ctx: &Ctx, token: &str, message: String) -> Response {
    render(&AnswerTemplate {
        page: ctx.page(state, ctx.tr().t("feedback-answer-title"), "feedback"),
        token: token.to_string(),
        questions: Vec::new(),
        errors: FormErrors::default(),
        message: Some(message),
        licence: String::new(),
        k: 0,
    })
}

async fn answer_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<Thanks>,
) -> Result<Response> {
    let tr = ctx.tr();
    if q.tak.is_some() {
        return Ok(message_page(&state, &ctx, &token, tr.t("feedback-answer-thanks")));
    }
    let link = match link_of(&state, &tr, &token).await {
        Ok(link) => link,
        Err(AppError::Conflict(message)) => return Ok(message_page(&state, &ctx, &token, message)),
        Err(e) => return Err(e),
    };
    let (licence, k) = licence_of(&state, &link).await?;
    Ok(render(&AnswerTemplate {
        page: ctx.page(&state, link.round.title.clone(), "feedback"),
        token,
        questions: questions(&tr, &link, &HashMap::new()),
        errors: FormErrors::default(),
        message: None,
        licence,
        k,
    }))
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let tr = ctx.tr();
    let link = match link_of(&state, &tr, &token).await {
        Ok(link) => link,
        Err(AppError::Conflict(message)) => return Ok(message_page(&state, &ctx, &token, message)),
        Err(e) => return Err(e),
    };
    let given: HashMap<String, String> = fields
        .into_iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("i-")?.to_string(), value)))
        .filter(|(key, value)| !value.trim().is_empty() && link.definition.items.iter().any(|i| &i.key == key))
        .collect();
    let answers: Vec<(String, Value)> = given.iter().map(|(k, v)| (k.clone(), Value::Text(v.clone()))).collect();
    match answer_by_link(&state, &tr, &link, &answers).await {
        Ok(_) => Ok(Redirect::to(&format!("/svar/{token}?tak=1")).into_response()),
        Err(AppError::BadRequest(message)) => {
            let mut errors = FormErrors::default();
            errors.push("answers", message);
            let (licence, k) = licence_of(&state, &link).await?;
            Ok(render_form(
                &AnswerTemplate {
                    page: ctx.page(&state, link.round.title.clone(), "feedback"),
                    token,
                    questions: questions(&tr, &link, &given),
                    errors,
                    message: None,
                    licence,
                    k,
                },
                true,
            ))
        }
        Err(AppError::Conflict(message)) => Ok(message_page(&state, &ctx, &token, message)),
        Err(e) => Err(e),
    }
}
