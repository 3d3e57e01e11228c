//! Decisions' pages: a process's proposals with filters, progress and bulk decisions; a
//! proposal with its keyboard-friendly decide form ("save and next"); a new proposal from
//! inputs, a theme or a statement; publishing.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::api::{ListQuery, NewProposalJson, bulk_targets, create_checked, parse_filter};
use super::model::Proposal;
use super::views::*;
use super::{DecideProposals, DecisionInput, actions, check_decision, store};
use crate::AppState;
use crate::involvement::TakePart;
use crate::involvement::model::Process;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, Permit, Result, page_number};

pub fn routes() -> Routes {
    let take_part = Guard::Action(&crate::involvement::actions::TAKE_PART);
    let deciding = Guard::Action(&actions::DECIDE);
    Routes::new()
        .get("/processer/{id}/forslag", take_part, list)
        .get("/processer/{id}/forslag/ny", take_part, new_form)
        .post("/processer/{id}/forslag/ny", take_part, create)
        .post("/processer/{id}/forslag/samlet", deciding, decide_bulk)
        .post("/processer/{id}/offentliggoer", deciding, publish)
        .get("/processer/{id}/beslutningsdokument", deciding, document_page)
        .post("/processer/{id}/beslutningsdokument", deciding, make_document)
        .get("/processer/{id}/beslutningsdokument.pdf", deciding, document_pdf)
        .get("/processer/{id}/beslutningsdokument.xlsx", deciding, document_xlsx)
        .get("/forslag/{id}", take_part, proposal_page)
        .post("/forslag/{id}/beslutning", deciding, decide)
}

/// Proposals per page of the list.
pub const LIST_PAGE: i64 = 50;
/// "All" proposals of a process (far more than any process has).
pub const LIST_ALL: i64 = 1_000_000;

/// The process if the caller sees it or may decide on it, and whether they may decide.
pub async fn readable(state: &AppState, permit: &Permit<TakePart>, id: &str) -> Result<(Process, bool)> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    // Involvement's second-long copy: the list is read far more often than a process changes.
    let process =
        crate::involvement::cache::process(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let may_decide = permit.may(actions::DECIDE.on_object(crate::involvement::object(process.id)));
    if may_decide || crate::involvement::invited(state, &permit.user, &process).await? {
        Ok((process, may_decide))
    } else {
        Err(AppError::NotFound)
    }
}

/// The municipality's units as (id, name) choices, in hierarchy order.
async fn unit_choices(state: &AppState) -> Result<Vec<(String, String)>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(org
        .all_units()
        .map(|u| (u.id.to_string(), format!("{}{}", "– ".repeat((u.depth - 1).max(0) as usize), u.name)))
        .collect())
}

#[derive(Deserialize, Default)]
struct ListPageQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    tema: String,
    #[serde(default)]
    enhed: String,
    #[serde(default)]
    ansvarlig: String,
    side: Option<String>,
    gemt: Option<String>,
}

/// The list page, with a bulk decision's errors and values when one was refused.
async fn list_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    id: &str,
    q: &ListPageQuery,
    errors: FormErrors,
    bulk: (String, String),
) -> Result<Response> {
    let (process, may_decide) = readable(state, permit, id).await?;
    let tr = permit.tr();
    let page_number = page_number(&tr, q.side.as_deref())?;
    let query = ListQuery {
        state: Some(q.status.clone()),
        theme: Some(q.tema.clone()),
        unit: Some(q.enhed.clone()),
        responsible: Some(q.ansvarlig.clone()),
        limit: None,
        offset: None,
    };
    let filter = parse_filter(state, &tr, &query).await?;
    let progress = store::progress(&state.db, process.id).await?;
    let (proposals, matching) =
        store::list(&state.db, process.id, &filter, LIST_PAGE, (page_number - 1) * LIST_PAGE).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let rows = proposals
        .into_iter()
        .map(|p| ProposalRowView {
            state_label: tr.t(p.state.label_id()),
            unit_name: p.responsible_unit.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default(),
            deadline: p.deadline.map(|d| tr.date(&d)).unwrap_or_default(),
            proposal: p,
        })
        .collect();
    let mut units: Vec<(String, String)> =
        progress.units.iter().filter_map(|u| org.unit(*u)).map(|u| (u.id.to_string(), u.name.clone())).collect();
    units.sort_by(|a, b| a.1.cmp(&b.1));
    let link = serde_urlencoded::to_string([
        ("status", q.status.trim()),
        ("tema", q.tema.trim()),
        ("enhed", q.enhed.trim()),
        ("ansvarlig", q.ansvarlig.trim()),
    ])
    .unwrap_or_default();
    let notice = match q.gemt.as_deref() {
        Some("samlet") => Some(tr.t("proposals-saved-bulk")),
        Some("offentliggjort") => Some(tr.t("proposals-saved-published")),
        Some("forslag") => Some(tr.t("proposals-saved-created")),
        _ => None,
    };
    let bad = !errors.is_empty();
    let mut r = render(&ListTemplate {
        page: permit.ctx.page(state, tr.t1("proposals-title", "title", &process.title), "processes"),
        may_create: crate::involvement::facilitates(&permit.user, process.id),
        published_at: progress.published_at.map(|t| tr.datetime(&t)),
        rows,
        decided: progress.decided,
        total: progress.total,
        matching,
        per_state: progress.per_state.iter().map(|(s, n)| (s.key().to_string(), tr.t(s.label_id()), *n)).collect(),
        themes: progress.themes.clone(),
        responsibles: progress.responsible.clone(),
        units,
        state: q.status.trim().to_string(),
        theme: q.tema.trim().to_string(),
        unit: q.enhed.trim().to_string(),
        responsible: q.ansvarlig.trim().to_string(),
        may_decide,
        notice,
        errors,
        bulk_state: bulk.0,
        bulk_reason: bulk.1,
        page_number,
        pages: ((matching + LIST_PAGE - 1) / LIST_PAGE).max(1),
        page_link: format!("/processer/{}/forslag?{link}&side=", process.id),
        process,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<ListPageQuery>,
) -> Result<Response> {
    list_view(&state, &permit, &id, &q, FormErrors::default(), Default::default()).await
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    tema: String,
    #[serde(default)]
    udsagn: String,
}

#[derive(Deserialize, Default)]
struct ProposalForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    tema: String,
    #[serde(default)]
    udsagn: String,
}

fn number<T: std::str::FromStr>(raw: &str) -> Option<T> {
    raw.trim().parse().ok()
}

/// The new-proposal form, started from a theme or a statement when the link says so.
async fn form_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    process: Process,
    form: ProposalForm,
    mut errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let src =
        super::api::source(state, permit, &process, number(&form.tema), number(&form.udsagn), &mut errors).await?;
    let texts: std::collections::HashMap<Uuid, String> =
        crate::involvement::store::visible_texts(&state.db, process.id).await?.into_iter().collect();
    let bad = !errors.is_empty();
    let mut r = render(&FormTemplate {
        page: permit.ctx.page(state, tr.t("proposal-new-title"), "processes"),
        title: if form.title.is_empty() { src.title.clone() } else { form.title },
        text: form.text,
        theme: form.tema.trim().to_string(),
        theme_label: src.theme.clone(),
        statement: form.udsagn.trim().to_string(),
        inputs: src.inputs.iter().filter_map(|i| texts.get(i).cloned()).collect(),
        errors,
        process,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn new_form(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<NewQuery>,
) -> Result<Response> {
    let process = crate::involvement::api::facilitated(&state, &permit, &id).await?;
    let form = ProposalForm { tema: q.tema, udsagn: q.udsagn, ..Default::default() };
    form_view(&state, &permit, process, form, FormErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<ProposalForm>,
) -> Result<Response> {
    let process = crate::involvement::api::facilitated(&state, &permit, &id).await?;
    let body = NewProposalJson {
        title: form.title.clone(),
        text: form.text.clone(),
        inputs: Vec::new(),
        theme: number(&form.tema),
        statement: number(&form.udsagn),
    };
    match create_checked(&state, &permit, &process, body).await? {
        Ok(made) => Ok(Redirect::to(&format!("/forslag/{}?gemt=oprettet", made.id)).into_response()),
        Err(errors) => form_view(&state, &permit, process, form, errors).await,
    }
}

#[derive(Default)]
struct DecisionForm {
    state: String,
    reason: String,
    responsible_unit: String,
    responsible: String,
    deadline: String,
    /// "Save and go to the next undecided proposal".
    next: String,
    /// The proposals of a bulk decision (repeated field).
    proposal: Vec<String>,
}

impl DecisionForm {
    /// The form from its fields as sent (checkboxes repeat `proposal`).
    fn from_pairs(fields: Vec<(String, String)>) -> DecisionForm {
        let mut f = DecisionForm::default();
        for (k, v) in fields {
            match k.as_str() {
                "state" => f.state = v,
                "reason" => f.reason = v,
                "responsible_unit" => f.responsible_unit = v,
                "responsible" => f.responsible = v,
                "deadline" => f.deadline = v,
                "next" => f.next = v,
                "proposal" => f.proposal.push(v),
                _ => {}
            }
        }
        f
    }
}

/// The decision a form asks for, with errors for fields that are not even well-formed.
fn decision_input(tr: &crate::platform::i18n::Tr, form: &DecisionForm, errors: &mut FormErrors) -> DecisionInput {
    let responsible_unit = match form.responsible_unit.trim() {
        "" => None,
        s => match Uuid::parse_str(s) {
            Ok(u) => Some(u),
            Err(_) => {
                errors.push("responsible_unit", tr.t("proposal-error-unit"));
                None
            }
        },
    };
    let deadline = match form.deadline.trim() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push("deadline", tr.t("proposal-error-deadline"));
                None
            }
        },
    };
    DecisionInput {
        state: form.state.clone(),
        reason: form.reason.clone(),
        responsible_unit,
        responsible: form.responsible.clone(),
        deadline,
    }
}

#[derive(Deserialize, Default)]
struct ProposalQuery {
    gemt: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn proposal_view(
    state: &AppState,
    permit: &Permit<TakePart>,
    proposal: Proposal,
    process: Process,
    may_decide: bool,
    form: Option<&DecisionForm>,
    errors: FormErrors,
    saved: bool,
) -> Result<Response> {
    let tr = permit.tr();
    let history = store::history(&state.db, proposal.id).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let name_of = |u: Option<Uuid>| u.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default();
    // The inputs' words are for those who decide; a participant sees the proposal and its decision.
    let inputs = if may_decide {
        let mut texts = Vec::new();
        for i in &proposal.inputs {
            if let Some(input) = crate::involvement::store::input_by_id(&state.db, process.id, *i).await? {
                texts.push(input.text);
            }
        }
        texts
    } else {
        Vec::new()
    };
    let left = store::progress(&state.db, process.id).await.map(|p| p.total - p.decided)?;
    let bad = !errors.is_empty();
    let title = tr.ta("proposal-title", &[("number", &proposal.number), ("title", &proposal.title)]);
    let units = unit_choices(state).await?;
    let mut r = render(&ProposalTemplate {
        page: permit.ctx.page(state, title, "processes"),
        state_label: tr.t(proposal.state.label_id()),
        unit_name: name_of(proposal.responsible_unit),
        inputs,
        history: history
            .iter()
            .rev()
            .map(|e| {
                (
                    tr.datetime(&e.at),
                    e.by.clone(),
                    tr.t(e.state.label_id()),
                    e.reason.clone(),
                    name_of(e.responsible_unit),
                )
            })
            .collect(),
        may_decide,
        units,
        form_state: form.map_or_else(
            || if proposal.state.decided() { proposal.state.key().to_string() } else { String::new() },
            |f| f.state.clone(),
        ),
        form_reason: form.map_or_else(|| proposal.reason.clone(), |f| f.reason.clone()),
        form_unit: form.map_or_else(
            || proposal.responsible_unit.map(|u| u.to_string()).unwrap_or_default(),
            |f| f.responsible_unit.clone(),
        ),
        form_responsible: form.map_or_else(|| proposal.responsible.clone(), |f| f.responsible.clone()),
        form_deadline: form.map_or_else(
            || proposal.deadline.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default(),
            |f| f.deadline.clone(),
        ),
        errors,
        saved,
        left,
        proposal,
        process,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn proposal_page(
    State(state): State<AppState>,
    permit: Permit<TakePart>,
    Path(id): Path<String>,
    Query(q): Query<ProposalQuery>,
) -> Result<Response> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    let proposal = store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)?;
    let (process, may_decide) = readable(&state, &permit, &proposal.process_id.to_string()).await?;
    let saved = q.gemt.is_some();
    proposal_view(&state, &permit, proposal, process, may_decide, None, FormErrors::default(), saved).await
}

async fn decide(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    take_part: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let form = DecisionForm::from_pairs(fields);
    let proposal = super::api::decidable(&state, &permit, &id).await?;
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let input = decision_input(&tr, &form, &mut errors);
    let decision = match check_decision(&state, &tr, &input).await {
        Ok(d) if errors.is_empty() => d,
        checked => {
            if let Err(more) = checked {
                errors.extend(more);
            }
            let (process, _) = readable(&state, &take_part, &proposal.process_id.to_string()).await?;
            return proposal_view(&state, &take_part, proposal, process, true, Some(&form), errors, false).await;
        }
    };
    store::decide(&state.db, state.municipality, &proposal, &decision, permit.ctx.audit("proposal.decided")).await?;
    if !form.next.is_empty()
        && let Some(next) = store::next_undecided(&state.db, proposal.process_id, proposal.number).await?
    {
        return Ok(Redirect::to(&format!("/forslag/{next}?gemt=beslutning")).into_response());
    }
    Ok(Redirect::to(&format!("/forslag/{}?gemt=beslutning", proposal.id)).into_response())
}

async fn decide_bulk(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    take_part: Permit<TakePart>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let form = DecisionForm::from_pairs(fields);
    let process = super::api::decided_process(&state, &permit, &id).await?;
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let ids: Vec<Uuid> = form.proposal.iter().filter_map(|p| Uuid::parse_str(p.trim()).ok()).collect();
    let targets = if ids.len() == form.proposal.len() {
        bulk_targets(&state, &tr, process.id, &ids, &mut errors).await?
    } else {
        errors.push("proposals", tr.t("proposal-error-bulk-unknown"));
        Vec::new()
    };
    let input = decision_input(&tr, &form, &mut errors);
    match check_decision(&state, &tr, &input).await {
        Ok(decision) if errors.is_empty() => {
            store::decide_many(
                &state.db,
                state.municipality,
                &targets,
                &decision,
                permit.ctx.audit("proposal.decided"),
            )
            .await?;
            Ok(Redirect::to(&format!("/processer/{}/forslag?gemt=samlet", process.id)).into_response())
        }
        checked => {
            if let Err(more) = checked {
                errors.extend(more);
            }
            let q = ListPageQuery::default();
            list_view(&state, &take_part, &id, &q, errors, (form.state.clone(), form.reason.clone())).await
        }
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn publish(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    headers: HeaderMap,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = super::api::decided_process(&state, &permit, &id).await?;
    super::answers::publish(&state, &permit, &headers, &process).await?;
    Ok(Redirect::to(&format!("/processer/{}/forslag?gemt=offentliggjort", process.id)).into_response())
}

/// The decision document as a page, with its downloads and the job that makes them.
async fn document_page(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = super::api::decided_process(&state, &permit, &id).await?;
    let tr = permit.tr();
    let data = super::document::collect(&state, &tr, &process).await?;
    let made_at = store::document_made_at(&state.db, process.id).await?;
    let current = store::document(&state.db, process.id, &super::document::basis(&data)).await?.is_some();
    use base64::Engine as _;
    let image =
        |svg: &str| format!("data:image/svg+xml;base64,{}", base64::engine::general_purpose::STANDARD.encode(svg));
    Ok(render(&DocumentTemplate {
        page: permit.ctx.page(&state, tr.t1("document-title", "title", &process.title), "processes"),
        units_image: image(&data.units_chart),
        map_image: image(&data.map_chart),
        data,
        made_at: made_at.map(|t| tr.datetime(&t)),
        current,
        process,
    }))
}

async fn make_document(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response> {
    let process = super::api::decided_process(&state, &permit, &id).await?;
    let job = super::api::start_document(&state, &permit, &process).await?;
    Ok(Redirect::to(&format!("/jobber/{job}")).into_response())
}

async fn document_pdf(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = super::api::decided_process(&state, &permit, &id).await?;
    super::api::document_download(&state, &permit, &process, "beslutningsdokument.pdf").await
}

async fn document_xlsx(
    State(state): State<AppState>,
    permit: Permit<DecideProposals>,
    Path(id): Path<String>,
) -> Result<Response> {
    let process = super::api::decided_process(&state, &permit, &id).await?;
    super::api::document_download(&state, &permit, &process, "beslutningsdokument.xlsx").await
}
