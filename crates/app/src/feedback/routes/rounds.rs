//! The HR consultant's survey rounds: the list with answer rates (hidden while a round is
//! open) and the form that sends a round to units by e-mail (the API's checks).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::super::aggregates::Figure;
use super::super::api::{CodeCreated, NewCodeJson, NewRoundJson};
use super::super::model::Purpose;
use super::super::views::{RoundCodeTemplate, RoundResultsTemplate, RoundRowView, RoundsTemplate, UnitChoice};
use super::super::{ManageFeedback, rounds, store};
use crate::AppState;
use crate::platform::i18n::today;
use crate::platform::layout::{FormErrors, render_form};
use crate::platform::web::{CsrfForm, Permit, Result, site_url};

/// How deep the form offers units (1 = the top); a unit's round reaches everyone below it.
const UNIT_CHOICE_DEPTH: i64 = 3;

#[derive(serde::Deserialize, Default)]
pub struct RoundsQuery {
    sendt: Option<String>,
}

/// What the form held, to show again with its errors.
#[derive(Default)]
struct Filled {
    instrument: String,
    title: String,
    opens: String,
    closes: String,
    units: Vec<Uuid>,
    programme: String,
}

async fn page(
    state: &AppState,
    permit: &Permit<ManageFeedback>,
    errors: FormErrors,
    filled: Filled,
    sent: Option<Uuid>,
) -> Result<Response> {
    let tr = permit.tr();
    let summaries = rounds::summaries(state).await?;
    // The surveys first (the usual round), then the 360° evaluations.
    let mut offered: Vec<_> = store::instruments(&state.db, state.municipality)
        .await?
        .into_iter()
        .filter(|i| matches!(i.purpose, Purpose::Survey | Purpose::Rating360))
        .collect();
    offered.sort_by_key(|i| i.purpose == Purpose::Rating360);
    let instruments: Vec<(String, String, bool)> = offered
        .into_iter()
        .map(|i| {
            let chosen = i.key == filled.instrument;
            (i.key, i.name, chosen)
        })
        .collect();
    let names: std::collections::HashMap<&str, &str> =
        instruments.iter().map(|(k, n, _)| (k.as_str(), n.as_str())).collect();
    let notice = match sent.and_then(|id| summaries.iter().find(|r| r.id == id)) {
        Some(r) => {
            let batch = store::round_batch(r.id);
            let mailed = crate::platform::mail::store::batch_status(&state.db, state.municipality, &batch).await?;
            Some(tr.ta(
                "feedback-rounds-sent",
                &[("title", &r.title), ("links", &tr.num(r.links)), ("mailed", &tr.num(mailed.total()))],
            ))
        }
        None => None,
    };
    let rows = summaries
        .iter()
        .map(|r| RoundRowView {
            title: r.title.clone(),
            instrument: names.get(r.instrument.as_str()).copied().unwrap_or(&r.instrument).to_string(),
            period: format!("{} – {}", tr.date(&r.opens), tr.date(&r.closes)),
            state: tr.t(&format!("feedback-round-state-{}", r.state)),
            links: tr.num(r.links).to_string(),
            answered: match r.answered {
                Some(a) if r.links > 0 => {
                    format!("{} ({} %)", tr.num(a), (a as f64 * 100.0 / r.links as f64).round() as i64)
                }
                Some(a) => tr.num(a).to_string(),
                None => tr.t("feedback-rounds-hidden"),
            },
            href: if r.rating360 {
                format!("/maaling/runder/{}/evalueringer", r.id)
            } else {
                format!("/maaling/runder/{}/resultat", r.id)
            },
            programme: r.programme.clone(),
        })
        .collect();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let units = org
        .all_units()
        .filter(|u| u.depth <= UNIT_CHOICE_DEPTH)
        .map(|u| UnitChoice {
            id: u.id.to_string(),
            name: u.name.clone(),
            depth: u.depth,
            people: tr.num(u.headcount).to_string(),
            checked: filled.units.contains(&u.id),
        })
        .collect();
    let programmes = match state.cohorts() {
        Some(cohorts) => cohorts.list(&state.db, state.municipality).await?,
        None => Vec::new(),
    };
    let programmes =
        programmes.into_iter().map(|c| (c.id.to_string(), c.name, c.id.to_string() == filled.programme)).collect();
    let default_opens = today();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &RoundsTemplate {
            page: permit.ctx.page(state, tr.t("feedback-rounds-title"), "feedback"),
            notice,
            rows,
            instruments,
            units,
            programmes,
            title: filled.title,
            opens: if filled.opens.is_empty() { default_opens.to_string() } else { filled.opens },
            closes: if filled.closes.is_empty() {
                (default_opens + chrono::Days::new(14)).to_string()
            } else {
                filled.closes
            },
            errors,
        },
        has_errors,
    ))
}

pub async fn list(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    Query(q): Query<RoundsQuery>,
) -> Result<Response> {
    let sent = q.sendt.as_deref().and_then(|s| Uuid::parse_str(s).ok());
    page(&state, &permit, FormErrors::default(), Filled::default(), sent).await
}

/// Sends a round from the form; on success back to the list with what was sent.
pub async fn create(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    headers: HeaderMap,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let mut filled = Filled::default();
    let mut bad_unit = false;
    for (name, value) in fields {
        match name.as_str() {
            "instrument" => filled.instrument = value,
            "title" => filled.title = value,
            "opens" => filled.opens = value,
            "closes" => filled.closes = value,
            "programme" => filled.programme = value,
            "unit" => match Uuid::parse_str(value.trim()) {
                Ok(id) => filled.units.push(id),
                Err(_) => bad_unit = true,
            },
            _ => {}
        }
    }
    let tr = permit.tr();
    if bad_unit {
        return page(&state, &permit, FormErrors::one("units", tr.t("feedback-error-unit")), filled, None).await;
    }
    let programme = match filled.programme.trim() {
        "" => None,
        raw => match Uuid::parse_str(raw) {
            Ok(id) => Some(id),
            Err(_) => {
                let errors = FormErrors::one("programme", tr.t("feedback-error-programme"));
                return page(&state, &permit, errors, filled, None).await;
            }
        },
    };
    let body = NewRoundJson {
        instrument: filled.instrument.clone(),
        units: filled.units.clone(),
        programme,
        opens: filled.opens.clone(),
        closes: filled.closes.clone(),
        title: Some(filled.title.clone()),
    };
    let site = site_url(&state, &headers);
    match rounds::start(&state, &permit, body, &site).await? {
        Ok(created) => Ok(Redirect::to(&format!("/maaling/runder?sendt={}", created.id)).into_response()),
        Err(refusal) => page(&state, &permit, FormErrors::one(refusal.field, refusal.message), filled, None).await,
    }
}

/// The workshop-code form: a round that has not closed, the unit the answers count for and
/// how many may answer; with the code just made, shown once.
async fn code_page(
    state: &AppState,
    permit: &Permit<ManageFeedback>,
    filled: &[(String, String)],
    errors: FormErrors,
    made: Option<CodeCreated>,
) -> Result<Response> {
    let tr = permit.tr();
    let value = |name: &str| filled.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let open: Vec<(String, String, bool)> = rounds::summaries(state)
        .await?
        .into_iter()
        .filter(|r| r.state != "closed")
        .map(|r| {
            let id = r.id.to_string();
            let chosen = id == value("round");
            (id, r.title, chosen)
        })
        .collect();
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let top = org.all_units().map(|u| u.depth).min().unwrap_or(0);
    let units = org
        .all_units()
        .map(|u| {
            let id = u.id.to_string();
            let indent = "\u{a0}\u{a0}".repeat((u.depth - top).max(0) as usize);
            let chosen = id == value("unit");
            (id, format!("{indent}{}", u.name), chosen)
        })
        .collect();
    let has_errors = !errors.is_empty();
    let uses = value("uses");
    Ok(render_form(
        &RoundCodeTemplate {
            page: permit.ctx.page(state, tr.t("feedback-code-title"), "feedback"),
            rounds: open,
            units,
            uses: if uses.is_empty() { "20".into() } else { uses },
            made: made.map(|m| {
                // The answering address is the site's own `/svar/…`; the code page sits beside it.
                let typed_at =
                    m.url.rsplit_once("/svar/").map_or_else(|| "/kode".to_string(), |(site, _)| format!("{site}/kode"));
                (m.code, m.url, typed_at, m.uses)
            }),
            errors,
        },
        has_errors,
    ))
}

pub async fn code_form(State(state): State<AppState>, permit: Permit<ManageFeedback>) -> Result<Response> {
    code_page(&state, &permit, &[], FormErrors::default(), None).await
}

/// Makes a workshop code from the form and shows it (the API's checks).
pub async fn make_code(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    headers: HeaderMap,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let tr = permit.tr();
    let value = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim().to_string());
    let Some(round) = value("round").and_then(|r| Uuid::parse_str(&r).ok()) else {
        let errors = FormErrors::one("round", tr.t("feedback-error-round"));
        return code_page(&state, &permit, &fields, errors, None).await;
    };
    let Some(unit) = value("unit").and_then(|u| Uuid::parse_str(&u).ok()) else {
        return code_page(&state, &permit, &fields, FormErrors::one("unit", tr.t("feedback-error-unit")), None).await;
    };
    let Some(uses) = value("uses").and_then(|u| u.parse::<i32>().ok()) else {
        let errors = FormErrors::one("uses", tr.t1("feedback-error-code-uses", "max", rounds::CODE_USES_MAX));
        return code_page(&state, &permit, &fields, errors, None).await;
    };
    let site = site_url(&state, &headers);
    match rounds::make_code(&state, &permit, round, NewCodeJson { unit, uses }, &site).await? {
        Ok(made) => code_page(&state, &permit, &[], FormErrors::default(), Some(made)).await,
        Err(refusal) => {
            code_page(&state, &permit, &fields, FormErrors::one(refusal.field, refusal.message), None).await
        }
    }
}

/// A survey round's results for everyone it was sent to (a programme's participants, or the
/// units chosen).
pub async fn results(
    State(state): State<AppState>,
    permit: Permit<ManageFeedback>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let id = Uuid::parse_str(id.trim()).map_err(|_| crate::platform::web::AppError::NotFound)?;
    let r = super::super::api::round_results(&state, &tr, id).await?;
    let lead = match &r.programme {
        Some(p) => tr.t1("feedback-round-results-programme", "programme", p),
        None => tr.t("feedback-round-results-everyone"),
    };
    let rows = r
        .figures
        .iter()
        .map(|q| match &q.figure {
            Figure::Shown { n, mean, .. } if *n > 0 => (q.text.clone(), tr.num(*n).to_string(), tr.decimal(*mean, 1)),
            _ => (q.text.clone(), "–".to_string(), "–".to_string()),
        })
        .collect();
    let pending = (!r.closed).then(|| tr.t("feedback-round-results-open"));
    Ok(crate::platform::layout::render(&RoundResultsTemplate {
        page: permit.ctx.page(&state, r.title.clone(), "feedback"),
        lead,
        pending,
        rows,
    }))
}
