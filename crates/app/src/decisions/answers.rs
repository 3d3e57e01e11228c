//! "I sagde — vi gjorde" (you said — we did): once a process's decisions are published,
//! everyone who gave input sees what became of it — signed-in people on "Mine input",
//! participants with a personal link through that same link (it never said who they are),
//! public participants through the receipt they got — and those with a known address get
//! an e-mail. A public process has a public decision log.

use std::collections::{HashMap, HashSet};

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{Proposal, ProposalState};
use super::views::{AnswerView, AnswersTemplate, DecisionLogTemplate, MyInputsTemplate};
use super::{DecideProposals, store};
use crate::AppState;
use crate::involvement::TakePart;
use crate::involvement::model::{Input, Process, Scope};
use crate::platform::api::json;
use crate::platform::i18n::{Lang, Tr};
use crate::platform::layout::render;
use crate::platform::mail::{self, Outgoing};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, Ctx, Permit, Result};

pub fn routes() -> Routes {
    let take_part = Guard::Action(&crate::involvement::actions::TAKE_PART);
    Routes::new()
        .get("/mine-input", take_part, my_inputs_page)
        .get("/deltag/{token}/svar", Guard::Public, link_answers_page)
        .get("/kvittering/{token}", Guard::Public, receipt_page)
        .get("/processer/{id}/beslutninger", take_part, decision_log_page)
        .get("/p/{id}/beslutninger", Guard::Public, public_decision_log_page)
        .get("/api/v1/participate/{token}/answers", Guard::Public, link_answers)
        .get("/api/v1/receipts/{token}/answers", Guard::Public, receipt_answers)
        .get("/api/v1/me/inputs", take_part, my_inputs)
}

#[derive(OpenApi)]
#[openapi(paths(link_answers, receipt_answers, my_inputs))]
pub struct Api;

/// A decision as participants see it: as it was published.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct PublishedDecision {
    pub number: i32,
    pub title: String,
    /// The published state; `new` or `under_consideration` while it is not decided.
    pub state: ProposalState,
    pub reason: String,
}

/// One input and what became of it.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct InputAnswer {
    pub input: Uuid,
    pub text: String,
    pub created_at: DateTime<Utc>,
    /// Hidden by a facilitator (with the reason the author sees).
    pub hidden_reason: Option<String>,
    /// The proposals made from it, with their published decisions (empty before publication).
    pub proposals: Vec<PublishedDecision>,
}

/// What became of a participant's inputs in one process.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct Answers {
    pub process: Uuid,
    pub title: String,
    /// Whether the process's decisions have been published.
    pub published: bool,
    pub published_at: Option<DateTime<Utc>>,
    pub answers: Vec<InputAnswer>,
}

/// The answers to `inputs` of `process`: the published decisions of the proposals made
/// from them (nothing before the decisions are published).
pub async fn answers_for(state: &AppState, process: &Process, inputs: Vec<Input>) -> Result<Answers> {
    let published_at = store::published(&state.db, process.id).await?;
    let mut by_input: HashMap<Uuid, Vec<PublishedDecision>> = HashMap::new();
    if published_at.is_some() {
        let ids: Vec<Uuid> = inputs.iter().map(|i| i.id).collect();
        for (input, p) in store::from_inputs(&state.db, process.id, &ids).await? {
            if let Some(d) = published(&p) {
                by_input.entry(input).or_default().push(d);
            }
        }
    }
    let answers = inputs
        .into_iter()
        .map(|i| {
            let mut proposals = by_input.remove(&i.id).unwrap_or_default();
            proposals.sort_by_key(|p| p.number);
            InputAnswer {
                input: i.id,
                text: i.text,
                created_at: i.created_at,
                hidden_reason: i.hidden_reason.filter(|_| i.hidden_at.is_some()),
                proposals,
            }
        })
        .collect();
    Ok(Answers {
        process: process.id,
        title: process.title.clone(),
        published: published_at.is_some(),
        published_at,
        answers,
    })
}

/// A proposal's decision as it was published, if it was.
fn published(p: &Proposal) -> Option<PublishedDecision> {
    p.published.as_ref().map(|(state, reason)| PublishedDecision {
        number: p.number,
        title: p.title.clone(),
        state: *state,
        reason: reason.clone(),
    })
}

/// The answers a personal link opens.
async fn by_link(state: &AppState, token: &str) -> Result<Answers> {
    let (_, process, taker) = crate::involvement::api::by_link(state, token).await?;
    let inputs = crate::involvement::store::own_inputs(&state.db, process.id, &taker).await?;
    answers_for(state, &process, inputs).await
}

/// The answers a receipt opens.
async fn by_receipt(state: &AppState, token: &str) -> Result<Answers> {
    let token = token.trim();
    if token.is_empty() || token.len() > 100 {
        return Err(AppError::NotFound);
    }
    let (process, participant) =
        crate::involvement::store::receipt(&state.db, token).await?.ok_or(AppError::NotFound)?;
    let process =
        crate::involvement::store::get(&state.db, state.municipality, process).await?.ok_or(AppError::NotFound)?;
    let inputs = crate::involvement::store::participant_inputs(&state.db, process.id, participant).await?;
    answers_for(state, &process, inputs).await
}

/// What became of the inputs given through a personal link: the proposals made from each
/// and their published decisions. The link says nothing of who holds it.
#[utoipa::path(get, path = "/api/v1/participate/{token}/answers", tag = "decisions",
    params(("token" = String, Path)),
    responses((status = 200, body = Answers), (status = 404, body = crate::platform::api::Problem)))]
async fn link_answers(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    Ok(json(&by_link(&state, &token).await?))
}

/// What became of the inputs a public participant's receipt is for.
#[utoipa::path(get, path = "/api/v1/receipts/{token}/answers", tag = "decisions",
    params(("token" = String, Path)),
    responses((status = 200, body = Answers), (status = 404, body = crate::platform::api::Problem)))]
async fn receipt_answers(State(state): State<AppState>, Path(token): Path<String>) -> Result<Response> {
    Ok(json(&by_receipt(&state, &token).await?))
}

/// The signed-in person's inputs in every process, and what became of them.
#[utoipa::path(get, path = "/api/v1/me/inputs", tag = "decisions",
    responses((status = 200, body = Vec<Answers>), (status = 401, body = crate::platform::api::Problem)))]
async fn my_inputs(State(state): State<AppState>, permit: Permit<TakePart>) -> Result<Response> {
    Ok(json(&mine(&state, &permit).await?))
}

async fn mine(state: &AppState, permit: &Permit<TakePart>) -> Result<Vec<Answers>> {
    let mut out = Vec::new();
    for (process, inputs) in
        crate::involvement::store::account_inputs(&state.db, state.municipality, permit.user.account.id).await?
    {
        if let Some(process) = crate::involvement::store::get(&state.db, state.municipality, process).await? {
            out.push(answers_for(state, &process, inputs).await?);
        }
    }
    Ok(out)
}

fn views(tr: &Tr, answers: Answers) -> AnswerView {
    AnswerView::new(tr, answers)
}

async fn my_inputs_page(State(state): State<AppState>, permit: Permit<TakePart>) -> Result<Response> {
    let tr = permit.tr();
    let processes = mine(&state, &permit).await?.into_iter().map(|a| views(&tr, a)).collect();
    Ok(render(&MyInputsTemplate { page: permit.ctx.page(&state, tr.t("my-inputs-title"), "my-inputs"), processes }))
}

async fn link_answers_page(State(state): State<AppState>, ctx: Ctx, Path(token): Path<String>) -> Result<Response> {
    let answers = by_link(&state, &token).await?;
    let tr = ctx.tr();
    Ok(render(&AnswersTemplate {
        page: ctx.page(&state, tr.t1("answers-title", "title", &answers.title), "processes"),
        back: format!("/deltag/{}", token.trim()),
        receipt: None,
        answers: views(&tr, answers),
    }))
}

async fn receipt_page(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response> {
    let answers = by_receipt(&state, &token).await?;
    let tr = ctx.tr();
    let link = format!("{}/kvittering/{}", crate::platform::web::site_url(&state, &headers), token.trim());
    Ok(render(&AnswersTemplate {
        page: ctx.page(&state, tr.t1("answers-title", "title", &answers.title), "processes"),
        back: format!("/p/{}", answers.process),
        receipt: Some(link),
        answers: views(&tr, answers),
    }))
}

/// The published decisions of a process, newest state of each proposal as published.
async fn decision_log(state: &AppState, ctx: &Ctx, process: &Process, back: String) -> Result<Response> {
    let tr = ctx.tr();
    let published_at = store::published(&state.db, process.id).await?;
    let decisions: Vec<PublishedDecision> = if published_at.is_some() {
        let (proposals, _) =
            store::list(&state.db, process.id, &Default::default(), super::routes::LIST_ALL, 0).await?;
        proposals.iter().filter_map(published).collect()
    } else {
        Vec::new()
    };
    Ok(render(&DecisionLogTemplate {
        page: ctx.page(state, tr.t1("decision-log-title", "title", &process.title), "processes"),
        title: process.title.clone(),
        published_at: published_at.map(|t| tr.datetime(&t)),
        decisions,
        back,
    }))
}

async fn decision_log_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = crate::involvement::api::visible(&state, &permit, &id).await?;
    decision_log(&state, &permit.ctx, &process, format!("/processer/{}", process.id)).await
}

async fn public_decision_log_page(State(state): State<AppState>, ctx: Ctx, Path(id): Path<String>) -> Result<Response> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let process = crate::involvement::store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    if process.scope != Scope::Public {
        return Err(AppError::NotFound);
    }
    decision_log(&state, &ctx, &process, format!("/p/{}", process.id)).await
}

/// Publishes a process's decisions and tells those with a known address whose inputs'
/// decisions are new since the last publication; answers when and how many were told.
/// A 409 while no proposal is decided.
pub async fn publish(
    state: &AppState,
    permit: &Permit<DecideProposals>,
    headers: &HeaderMap,
    process: &Process,
) -> Result<(DateTime<Utc>, usize)> {
    let tr = permit.tr();
    let proposals = store::all_with_inputs(&state.db, process.id).await?;
    if !proposals.iter().any(|p| p.state.decided()) {
        return Err(AppError::Conflict(tr.t("publish-error-nothing")));
    }
    // Inputs whose proposals' decisions participants have not seen yet.
    let changed: HashSet<Uuid> = proposals
        .iter()
        .filter(|p| p.published.as_ref().is_none_or(|(s, r)| *s != p.state || *r != p.reason))
        .flat_map(|p| p.inputs.iter().copied())
        .collect();
    let site = crate::platform::web::site_url(state, headers);
    let mail_tr = Tr::new(Lang::Da);
    let mut mails = Vec::new();
    let mut told_accounts = HashSet::new();
    let mut told_participants = HashSet::new();
    if state.mailer.is_some() {
        for author in crate::involvement::store::reachable_authors(&state.db, process.id).await? {
            if !changed.contains(&author.input) {
                continue;
            }
            let (to, link) = match (author.account, author.contact_email) {
                (Some(account), _) => {
                    if !told_accounts.insert(account) {
                        continue;
                    }
                    let Some(email) = account_email(state, account).await? else { continue };
                    (email, format!("{site}/mine-input"))
                }
                (None, Some(email)) => {
                    if !told_participants.insert(author.participant) || !mail::is_address(&email) {
                        continue;
                    }
                    let secret =
                        crate::involvement::store::issue_receipt_for(&state.db, process.id, author.participant).await?;
                    (email, format!("{site}/kvittering/{secret}"))
                }
                (None, None) => continue,
            };
            mails.push(Outgoing {
                to,
                subject: mail_tr.t1("publish-mail-subject", "title", &process.title),
                body: [
                    mail_tr.t1("publish-mail-lead", "title", &process.title),
                    mail_tr.t1("publish-mail-link", "link", &link),
                    mail_tr.t1("invite-mail-regards", "municipality", &state.municipality_name),
                ]
                .join("\n\n"),
            });
        }
    }
    let entry = permit.ctx.audit("decisions.published").subject(
        crate::involvement::store::AUDIT_KIND,
        process.id,
        &process.title,
    );
    let at = store::publish(&state.db, state.municipality, process.id, &mails, entry).await?;
    mail::wake(state);
    Ok((at, mails.len()))
}

/// The address of an account's person, if it has one that mail can go to.
async fn account_email(state: &AppState, account: Uuid) -> Result<Option<String>> {
    let Some(account) = crate::platform::accounts::store::account(&state.db, account).await? else { return Ok(None) };
    let Some(person) = account.person_id else { return Ok(None) };
    let person = crate::organisation::store::person(&state.db, state.municipality, person).await?;
    Ok(person.map(|p| p.email.trim().to_string()).filter(|e| mail::is_address(e)))
}
