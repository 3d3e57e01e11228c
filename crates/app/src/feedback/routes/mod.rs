//! Feedback's pages: answering a round through a personal link or a workshop code, on a
//! phone first and without JavaScript (each scale is a row of large choices), and the
//! professional's series; the results and the effect are in `results.rs`, the rounds and
//! workshop codes in `rounds.rs`, 360° reports in `evaluations.rs`, the hub and the model
//! page in their own files.

use std::collections::{BTreeMap, HashMap};

use analysis::measures::{Scale, Value};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::api::{OpenLink, answer_by_link, link_of};
use super::model::{Instrument, Purpose, Round, SeriesResponse};
use super::views::{
    AnswerTemplate, HomePanelTemplate, QuestionView, ScoreView, SeriesListTemplate, SeriesRowView, SeriesTemplate,
};
use super::{FollowSeries, ReadFeedback, store};
use crate::AppState;
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render, render_form};
use crate::platform::module::{BoxFuture, Guard, Routes};
use crate::platform::permissions::can;
use crate::platform::web::{AppError, CsrfForm, Ctx, Permit, Result};

mod evaluations;
mod hub;
mod model;
mod results;
mod rounds;

pub fn routes() -> Routes {
    let follow = Guard::Action(&super::actions::FOLLOW);
    let manage = Guard::Action(&super::actions::MANAGE);
    Routes::new()
        .get("/maaling", Guard::Action(&super::actions::READ), hub::page)
        .get("/maaling/runder", manage, rounds::list)
        .post("/maaling/runder", manage, rounds::create)
        .get("/maaling/runder/kode", manage, rounds::code_form)
        .get("/maaling/runder/{id}/evalueringer", manage, evaluations::list)
        .get("/maaling/runder/{id}/resultat", manage, rounds::results)
        .get("/maaling/evalueringer/{round}/{subject}", Guard::Action(&super::actions::READ), evaluations::report)
        .post("/maaling/runder/kode", manage, rounds::make_code)
        .get("/svar/{token}", Guard::Public, answer_page)
        .post("/svar/{token}", Guard::Public, answer)
        .get("/maaling/resultater", Guard::Action(&super::actions::RESULTS), results::results)
        .get("/maaling/forloeb", follow, series_list)
        .post("/maaling/forloeb", follow, series_create)
        .get("/maaling/forloeb/{id}", follow, series_page)
        .post("/maaling/forloeb/{id}/svar", follow, series_answer)
        .get("/maaling/model/{key}", Guard::Action(&super::actions::READ), model::page)
        .get("/maaling/svar/{round}", Guard::Action(&super::actions::READ), own_answer_page)
        .post("/maaling/svar/{round}", Guard::Action(&super::actions::READ), own_answer)
        .get("/maaling/svar/{round}/{subject}", Guard::Action(&super::actions::READ), own_rating_page)
        .post("/maaling/svar/{round}/{subject}", Guard::Action(&super::actions::READ), own_rating)
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

/// The page with a message instead of questions (thanks, answered, not open).
fn message_page(state: &AppState, ctx: &Ctx, action: &str, message: String, next: bool) -> Response {
    render(&AnswerTemplate {
        page: ctx.page(state, ctx.tr().t("feedback-answer-title"), "feedback"),
        action: action.to_string(),
        questions: Vec::new(),
        errors: FormErrors::default(),
        message: Some(message),
        next,
        licence: String::new(),
        lead: String::new(),
    })
}

/// The lead of the answering page: who will see the answer and with how many others. A 360°
/// link names the leader and the rater's role; the leader's own and the manager's answers are
/// shown as theirs, the others' only with the group's minimum.
async fn answer_lead(state: &AppState, tr: &Tr, link: &OpenLink) -> Result<String> {
    let Some(subject) = link.subject else { return Ok(tr.t1("feedback-answer-lead", "k", link.k)) };
    if link.rater == "self" {
        return Ok(tr.t("feedback-answer-lead-self"));
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let name = org.person(subject).map(|p| p.name.clone()).unwrap_or_default();
    let role = tr.t(&format!("feedback-rater360-{}", link.rater));
    let min = link.definition.raters.iter().find(|g| g.key == link.rater).map_or(1, |g| g.min);
    let about = tr.ta("feedback-mail-rating-other", &[("name", &name), ("role", &role)]);
    let privacy =
        if min <= 1 { tr.t("feedback-answer-lead-named") } else { tr.t1("feedback-answer-lead-group", "k", min) };
    Ok(format!("{about} {privacy}"))
}

/// The questions of an open link (a 409's reason as a message), or the thanks; `action` is
/// the door's address: `/svar/{token}` for a personal link, `/maaling/svar/{round}` signed in.
async fn show_answer(
    state: &AppState,
    ctx: &Ctx,
    action: &str,
    link: Result<OpenLink>,
    thanks: bool,
) -> Result<Response> {
    let tr = ctx.tr();
    if thanks {
        // A workshop code with uses left is answered again at the same screen.
        let next = matches!(&link, Ok(l) if l.door == store::Door::Code);
        return Ok(message_page(state, ctx, action, tr.t("feedback-answer-thanks"), next));
    }
    let link = match link {
        Ok(link) => link,
        Err(AppError::Conflict(message)) => return Ok(message_page(state, ctx, action, message, false)),
        Err(e) => return Err(e),
    };
    Ok(render(&AnswerTemplate {
        page: ctx.page(state, link.round.title.clone(), "feedback"),
        action: action.to_string(),
        questions: questions(&tr, &link, &HashMap::new()),
        errors: FormErrors::default(),
        message: None,
        next: false,
        licence: link.licence.clone(),
        lead: answer_lead(state, &tr, &link).await?,
    }))
}

/// Takes an answer through a door: the thanks, or the questions again with what is wrong.
async fn take_answer(
    state: &AppState,
    ctx: &Ctx,
    action: &str,
    link: Result<OpenLink>,
    fields: Vec<(String, String)>,
) -> Result<Response> {
    let tr = ctx.tr();
    let link = match link {
        Ok(link) => link,
        Err(AppError::Conflict(message)) => return Ok(message_page(state, ctx, action, message, false)),
        Err(e) => return Err(e),
    };
    let given: HashMap<String, String> = fields
        .into_iter()
        .filter_map(|(name, value)| Some((name.strip_prefix("i-")?.to_string(), value)))
        .filter(|(key, value)| !value.trim().is_empty() && link.definition.items.iter().any(|i| &i.key == key))
        .collect();
    let answers: Vec<(String, Value)> = given.iter().map(|(k, v)| (k.clone(), Value::Text(v.clone()))).collect();
    match answer_by_link(state, &tr, &link, &answers).await {
        Ok(_) => Ok(Redirect::to(&format!("{action}?tak=1")).into_response()),
        Err(AppError::BadRequest(message)) => {
            let mut errors = FormErrors::default();
            errors.push("answers", message);
            Ok(render_form(
                &AnswerTemplate {
                    page: ctx.page(state, link.round.title.clone(), "feedback"),
                    action: action.to_string(),
                    questions: questions(&tr, &link, &given),
                    errors,
                    message: None,
                    next: false,
                    licence: link.licence.clone(),
                    lead: answer_lead(state, &tr, &link).await?,
                },
                true,
            ))
        }
        Err(AppError::Conflict(message)) => Ok(message_page(state, ctx, action, message, false)),
        Err(e) => Err(e),
    }
}

/// The feedback module's door at `/kode`: a round's workshop or kiosk code leads to its
/// answering page (which says so when the code is used up or the round closed).
pub fn code_door(state: AppState, _ctx: Ctx, code: String) -> BoxFuture<'static, Result<Option<Response>>> {
    Box::pin(async move {
        let found = store::link(&state.db, state.municipality, &crate::platform::accounts::hash_token(&code)).await?;
        Ok(found
            .filter(|l| matches!(l.door, store::Door::Code))
            .map(|_| Redirect::to(&format!("/svar/{code}")).into_response()))
    })
}

async fn answer_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    Query(q): Query<Thanks>,
) -> Result<Response> {
    let link = link_of(&state, &ctx, &token).await;
    show_answer(&state, &ctx, &format!("/svar/{token}"), link, q.tak.is_some()).await
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(token): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let link = link_of(&state, &ctx, &token).await;
    take_answer(&state, &ctx, &format!("/svar/{token}"), link, fields).await
}

/// What a person is still to answer, signed in: (address, title, last day); a 360° round
/// once per leader they are asked about, named with their role.
async fn open_asks(state: &AppState, tr: &Tr, person: uuid::Uuid) -> Result<Vec<(String, String, String)>> {
    let asks = store::open_rounds_of(&state.db, state.municipality, person, crate::platform::i18n::today()).await?;
    if asks.is_empty() {
        return Ok(Vec::new());
    }
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(asks
        .into_iter()
        .map(|ask| {
            let closes = tr.date(&ask.round.closes);
            match ask.subject {
                Some(subject) => {
                    let about = match org.person(subject) {
                        Some(_) if ask.rater == "self" => tr.t("feedback-rater360-own"),
                        Some(p) => tr.ta(
                            "feedback-rater360-about",
                            &[("name", &p.name), ("role", &tr.t(&format!("feedback-rater360-{}", ask.rater)))],
                        ),
                        None => String::new(),
                    };
                    let href = format!("/maaling/svar/{}/{subject}", ask.round.id);
                    (href, format!("{}: {about}", ask.round.title), closes)
                }
                None => (format!("/maaling/svar/{}", ask.round.id), ask.round.title, closes),
            }
        })
        .collect())
}

/// The signed-in door to a round: the account's own link, found by its person (the answer
/// is kept without identity all the same); in a 360° round the link about `subject`.
async fn own_link(
    state: &AppState,
    permit: &Permit<ReadFeedback>,
    round: &str,
    subject: Option<&str>,
) -> Result<OpenLink> {
    let round = uuid::Uuid::parse_str(round.trim()).map_err(|_| AppError::NotFound)?;
    let subject = match subject {
        Some(s) => Some(uuid::Uuid::parse_str(s.trim()).map_err(|_| AppError::NotFound)?),
        None => None,
    };
    let Some(person) = permit.user.account.person_id else {
        return Err(AppError::Conflict(permit.tr().t("feedback-error-not-yours")));
    };
    let Some(hash) = store::link_hash_of(&state.db, state.municipality, round, person, subject).await? else {
        // A round that was not sent to them says so; an unknown one is not there.
        store::round(&state.db, state.municipality, round).await?.ok_or(AppError::NotFound)?;
        return Err(AppError::Conflict(permit.tr().t("feedback-error-not-yours")));
    };
    super::api::link_by_hash(state, &permit.tr(), hash).await
}

async fn own_answer_page(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path(round): Path<String>,
    Query(q): Query<Thanks>,
) -> Result<Response> {
    let link = if q.tak.is_some() { Err(AppError::NotFound) } else { own_link(&state, &permit, &round, None).await };
    show_answer(&state, &permit.ctx, &format!("/maaling/svar/{round}"), link, q.tak.is_some()).await
}

async fn own_answer(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path(round): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let link = own_link(&state, &permit, &round, None).await;
    take_answer(&state, &permit.ctx, &format!("/maaling/svar/{round}"), link, fields).await
}

/// The signed-in door to a 360° round's link about one leader.
async fn own_rating_page(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path((round, subject)): Path<(String, String)>,
    Query(q): Query<Thanks>,
) -> Result<Response> {
    let link =
        if q.tak.is_some() { Err(AppError::NotFound) } else { own_link(&state, &permit, &round, Some(&subject)).await };
    show_answer(&state, &permit.ctx, &format!("/maaling/svar/{round}/{subject}"), link, q.tak.is_some()).await
}

async fn own_rating(
    State(state): State<AppState>,
    permit: Permit<ReadFeedback>,
    Path((round, subject)): Path<(String, String)>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let link = own_link(&state, &permit, &round, Some(&subject)).await;
    take_answer(&state, &permit.ctx, &format!("/maaling/svar/{round}/{subject}"), link, fields).await
}

/// The message of a series' alert (`below_band`, `session_below_cutoff`, `session_falling`).
fn alert_key(alert: &str) -> String {
    match alert {
        "below_band" => "feedback-alert-not-on-track".to_string(),
        other => format!("feedback-alert-{}", other.replace('_', "-")),
    }
}

fn status_label(tr: &Tr, status: &str) -> String {
    tr.t(&format!("feedback-status-{}", status.replace('_', "-")))
}

/// The instruments a series can use: all of them, the outcome and session scales first
/// (what a professional follows most), then surveys such as WHO-5 and 360°.
async fn series_instruments(state: &AppState) -> Result<Vec<Instrument>> {
    super::api::ensure_library(state).await?;
    let mut offered = store::instruments(&state.db, state.municipality).await?;
    offered.sort_by_key(|i| match i.purpose {
        Purpose::Outcome => 0,
        Purpose::Session => 1,
        Purpose::Survey => 2,
        Purpose::Rating360 => 3,
    });
    Ok(offered)
}

#[derive(serde::Deserialize, Default)]
struct NewSeriesForm {
    instrument: String,
    kind: String,
    reference: String,
    label: String,
}

async fn list_page(
    state: &AppState,
    permit: &Permit<FollowSeries>,
    errors: FormErrors,
    form: NewSeriesForm,
) -> Result<Response> {
    let tr = permit.tr();
    let mut rows = Vec::new();
    let instruments = series_instruments(state).await?;
    for series in store::owned_series(&state.db, state.municipality, permit.user.account.id).await? {
        let Some(instrument) = instruments.iter().find(|i| i.id == series.instrument_id) else { continue };
        let view = super::api::series_view(state, series.clone(), instrument).await?;
        let own: Vec<&SeriesResponse> = view.scores.iter().filter(|r| r.rater == "self").collect();
        rows.push(SeriesRowView {
            id: series.id.to_string(),
            subject: series.subject.clone(),
            label: series.label.clone(),
            instrument: instrument.name.clone(),
            sessions: own.len(),
            latest: own.last().map(|r| tr.decimal(r.score, 1)).unwrap_or_default(),
            status: status_label(&tr, &view.status),
            alert: view.status == "not_on_track",
        });
    }
    rows.sort_by_key(|r| !r.alert);
    let alerts = rows.iter().filter(|r| r.alert).count();
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &SeriesListTemplate {
            page: permit.ctx.page(state, tr.t("feedback-series-title"), "feedback"),
            rows,
            alerts,
            instruments: instruments.iter().map(|i| (i.key.clone(), i.name.clone())).collect(),
            errors,
            reference: form.reference,
            label: form.label,
        },
        has_errors,
    ))
}

async fn series_list(State(state): State<AppState>, permit: Permit<FollowSeries>) -> Result<Response> {
    list_page(&state, &permit, FormErrors::default(), NewSeriesForm::default()).await
}

/// Starts a series from the page (the API's checks).
async fn series_create(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    CsrfForm(form): CsrfForm<NewSeriesForm>,
) -> Result<Response> {
    let body = super::api::NewSeriesJson {
        instrument: form.instrument.clone(),
        subject: super::api::SubjectJson { kind: form.kind.clone(), id: form.reference.clone() },
        unit: None,
        age: None,
        label: Some(form.label.clone()),
    };
    match super::api::start_series(&state, &permit, body).await {
        Ok(id) => Ok(Redirect::to(&format!("/maaling/forloeb/{id}")).into_response()),
        Err(AppError::BadRequest(message)) => {
            list_page(&state, &permit, FormErrors::one("reference", message), form).await
        }
        Err(e) => Err(e),
    }
}

async fn series_page(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    Path(id): Path<String>,
) -> Result<Response> {
    show_series(&state, &permit, &id, FormErrors::default(), &HashMap::new()).await
}

async fn show_series(
    state: &AppState,
    permit: &Permit<FollowSeries>,
    id: &str,
    errors: FormErrors,
    given: &HashMap<String, String>,
) -> Result<Response> {
    let tr = permit.tr();
    let series = super::api::series_of(state, permit, id).await?;
    let instrument = super::api::instrument_of(state, &tr, &series.instrument_id.to_string()).await?;
    let view = super::api::series_view(state, series.clone(), &instrument).await?;
    let chart = super::chart::draw(&view, results::scale_of(&instrument.definition));
    let mut facts = vec![
        (tr.t("feedback-series-instrument"), instrument.name.clone()),
        (tr.t("feedback-series-status"), status_label(&tr, &view.status)),
        (tr.t("feedback-series-change"), tr.t(&format!("feedback-change-{}", change_key(view.change)))),
    ];
    if let Some(c) = view.cutoff {
        facts.push((tr.t("feedback-series-cutoff"), tr.decimal(c, 1)));
    }
    if let Some(r) = view.rci {
        facts.push((tr.t("feedback-series-rci"), tr.decimal(r, 1)));
    }
    for flag in &view.flags {
        facts.push((tr.t("feedback-series-flag"), tr.t(&format!("feedback-flag-{}", flag_key(*flag)))));
    }
    // Session by session, the subject's own answer before the others' views.
    let mut ordered: Vec<&SeriesResponse> = view.scores.iter().collect();
    ordered.sort_by_key(|r| (r.session, r.rater != "self"));
    let scores = ordered
        .into_iter()
        .map(|r| ScoreView {
            session: r.session,
            rater: tr.find(&format!("feedback-rater-{}", r.rater)).unwrap_or_else(|| r.rater.clone()),
            score: tr.decimal(r.score, 1),
            day: r.answered_on.format("%d.%m.%Y").to_string(),
        })
        .collect();
    let link = OpenLink {
        door: store::Door::Link,
        hash: String::new(),
        round: Round {
            id: series.id,
            instrument_id: instrument.id,
            version: instrument.version,
            title: String::new(),
            opens: crate::platform::i18n::today(),
            closes: crate::platform::i18n::today(),
        },
        unit: series.unit_id.unwrap_or_default(),
        subject: None,
        rater: String::new(),
        definition: std::sync::Arc::new(instrument.definition.clone()),
        licence: String::new(),
        k: 0,
    };
    let has_errors = !errors.is_empty();
    Ok(render_form(
        &SeriesTemplate {
            page: permit.ctx.page(state, tr.t1("feedback-series-page", "subject", &series.subject), "feedback"),
            id: series.id.to_string(),
            instrument_key: instrument.key.clone(),
            chart,
            scores,
            facts,
            alert: (!view.alerts.is_empty())
                .then(|| view.alerts.iter().map(|a| tr.t(&alert_key(a))).collect::<Vec<_>>().join(" ")),
            questions: questions(&tr, &link, given),
            raters: COLLATERAL_RATERS
                .iter()
                .map(|key| (key.to_string(), tr.t(&format!("feedback-rater-{key}"))))
                .collect(),
            errors,
        },
        has_errors,
    ))
}

/// The raters the page offers; the API takes any short key (a collateral rater of the
/// municipality's own naming).
const COLLATERAL_RATERS: [&str; 4] = ["self", "family", "teacher", "professional"];

fn change_key(c: analysis::measures::Change) -> &'static str {
    use analysis::measures::Change as C;
    match c {
        C::Unknown => "unknown",
        C::Recovered => "recovered",
        C::Improved => "improved",
        C::NoReliableChange => "none",
        C::Deteriorated => "deteriorated",
    }
}

fn flag_key(f: analysis::measures::Flag) -> &'static str {
    match f {
        analysis::measures::Flag::IntakeAboveCutoff => "intake-above-cutoff",
        analysis::measures::Flag::SawTooth => "saw-tooth",
    }
}

/// The professional enters the next session's answer with the citizen (or from paper, with
/// its session number and the rater).
async fn series_answer(
    State(state): State<AppState>,
    permit: Permit<FollowSeries>,
    Path(id): Path<String>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let mut given: HashMap<String, String> = HashMap::new();
    let mut session = None;
    let mut rater = None;
    for (name, value) in fields {
        match name.as_str() {
            "session" if !value.trim().is_empty() => session = Some(value),
            "rater" if !value.trim().is_empty() => rater = Some(value.trim().to_string()),
            _ => {
                if let Some(key) = name.strip_prefix("i-").filter(|_| !value.trim().is_empty()) {
                    given.insert(key.to_string(), value);
                }
            }
        }
    }
    let tr = permit.tr();
    let session = match session.map(|s| s.trim().parse::<i32>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            let errors = FormErrors::one("answers", tr.t("feedback-error-session"));
            return show_series(&state, &permit, &id, errors, &given).await;
        }
    };
    let answers: BTreeMap<String, serde_json::Value> =
        given.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
    let body = super::api::ResponseJson { answers, session, rater };
    match super::api::answer_series(&state, &permit, &id, body).await {
        Ok(_) => Ok(Redirect::to(&format!("/maaling/forloeb/{id}")).into_response()),
        Err(AppError::BadRequest(m) | AppError::Conflict(m)) => {
            show_series(&state, &permit, &id, FormErrors::one("answers", m), &given).await
        }
        Err(e) => Err(e),
    }
}

/// The professional's part of the front page: how many of their series are not on track,
/// with a link to each (nothing for those who follow no series).
pub fn home_panel(state: AppState, ctx: Ctx) -> BoxFuture<'static, Result<Option<String>>> {
    Box::pin(async move {
        let Some(user) = &ctx.user else { return Ok(None) };
        // The surveys the person has yet to answer (their link, signed in).
        let mut surveys = Vec::new();
        if let Some(person) = user.account.person_id
            && can(&user.grants, super::actions::READ.anywhere())
        {
            surveys = open_asks(&state, &ctx.tr(), person).await?;
        }
        // The series the professional follows that are not on track.
        let mut owned = Vec::new();
        let mut alerts = Vec::new();
        if can(&user.grants, super::actions::FOLLOW.anywhere()) {
            owned = store::owned_series(&state.db, state.municipality, user.account.id).await?;
            let instruments = if owned.is_empty() { Vec::new() } else { series_instruments(&state).await? };
            for series in &owned {
                let Some(instrument) = instruments.iter().find(|i| i.id == series.instrument_id) else { continue };
                let view = super::api::series_view(&state, series.clone(), instrument).await?;
                if view.status == "not_on_track" {
                    alerts.push((series.id.to_string(), series.subject.clone()));
                }
            }
        }
        if surveys.is_empty() && owned.is_empty() {
            return Ok(None);
        }
        let panel = HomePanelTemplate { tr: ctx.tr(), surveys, series: owned.len(), alerts };
        Ok(Some(panel.render()?))
    })
}
