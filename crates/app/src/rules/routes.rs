//! The rule register's pages: the register with the hours freed, a rule with its flags and
//! decisions, a new rule, the CSV import, review rounds with justifications.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::api::{NewReviewJson, check_flag, create_review_checked, justify_checked, review_of, rule_of};
use super::model::{RuleStatus, TEXT_MAX_CHARS};
use super::views::*;
use super::{
    FlagRules, JustifyRules, ManageRules, ROLES, ReadRules, RuleInput, actions, check_decision, check_rule, store,
};
use crate::AppState;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, CsrfForm, CsrfUpload, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/regler", read, list)
        .get("/regler/ny", manage, new_form)
        .post("/regler/ny", manage, create)
        .post("/regler/import", manage, import)
        .get("/regler/regler.csv", read, export_csv)
        .get("/regler/regler.xlsx", read, export_xlsx)
        .get("/regler/gennemgange", read, reviews)
        .post("/regler/gennemgange", manage, create_review)
        .get("/regler/gennemgange/{id}", read, review)
        .post("/regler/gennemgange/{id}/begrundelse", Guard::Action(&actions::JUSTIFY), justify)
        .post("/regler/gennemgange/{id}/vurdering", manage, assess)
        .get("/regler/{id}", read, rule_page)
        .post("/regler/{id}/flag", Guard::Action(&actions::FLAG), flag)
        .post("/regler/{id}/beslutning", manage, decide)
}

async fn unit_choices(state: &AppState) -> Result<Vec<(String, String)>> {
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    Ok(org
        .all_units()
        .map(|u| (u.id.to_string(), format!("{}{}", "– ".repeat((u.depth - 1).max(0) as usize), u.name)))
        .collect())
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    status: String,
    importeret: Option<String>,
}

async fn list_view(
    state: &AppState,
    permit: &Permit<ReadRules>,
    q: &ListQuery,
    import_errors: Vec<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let status = match q.status.trim() {
        "" => None,
        s => Some(RuleStatus::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("rule-error-status")))?),
    };
    let rules = store::list(&state.db, state.municipality, status).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let total_hours =
        rules.iter().filter(|r| r.status != RuleStatus::Removed).map(|r| r.hours_per_year - r.hours_freed).sum();
    let rows = rules
        .into_iter()
        .map(|r| RuleRowView {
            status: tr.t(r.status.label_id()),
            origin: tr.t(r.origin.label_id()),
            owner: r.owner_unit.and_then(|u| org.unit(u)).map(|u| u.name.clone()).unwrap_or_default(),
            rule: r,
        })
        .collect();
    let bad = !import_errors.is_empty();
    let mut r = render(&ListTemplate {
        page: permit.ctx.page(state, tr.t("rules-title"), "rules"),
        rows,
        hours: super::hours_freed(state, &tr).await?,
        total_hours,
        status: q.status.trim().to_string(),
        statuses: RuleStatus::ALL.iter().map(|s| (s.key().to_string(), tr.t(s.label_id()))).collect(),
        may_manage: permit.may(actions::MANAGE.anywhere()),
        notice: q.importeret.as_deref().and_then(|n| n.parse::<i64>().ok()).map(|n| tr.n("rules-imported", "count", n)),
        import_errors,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn list(
    State(state): State<AppState>,
    permit: Permit<ReadRules>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    list_view(&state, &permit, &q, Vec::new()).await
}

#[derive(Default)]
struct RuleForm {
    title: String,
    text: String,
    origin: String,
    reference: String,
    owner_unit: String,
    hours: String,
    value_statement: String,
    roles: Vec<String>,
}

impl RuleForm {
    fn from_pairs(fields: Vec<(String, String)>) -> RuleForm {
        let mut f = RuleForm::default();
        for (k, v) in fields {
            match k.as_str() {
                "title" => f.title = v,
                "text" => f.text = v,
                "origin" => f.origin = v,
                "reference" => f.reference = v,
                "owner_unit" => f.owner_unit = v,
                "hours_per_year" => f.hours = v,
                "value_statement" => f.value_statement = v,
                "role" => f.roles.push(v),
                _ => {}
            }
        }
        f
    }
}

async fn form_view(
    state: &AppState,
    permit: &Permit<ManageRules>,
    f: RuleForm,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let bad = !errors.is_empty();
    let mut r = render(&FormTemplate {
        page: permit.ctx.page(state, tr.t("rule-new-title"), "rules"),
        roles: ROLES
            .iter()
            .map(|k| (k.to_string(), tr.t(&format!("rule-role-{k}")), f.roles.iter().any(|r| r == k)))
            .collect(),
        units: unit_choices(state).await?,
        title: f.title,
        text: f.text,
        origin: f.origin,
        reference: f.reference,
        owner_unit: f.owner_unit,
        hours: f.hours,
        value_statement: f.value_statement,
        errors,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn new_form(State(state): State<AppState>, permit: Permit<ManageRules>) -> Result<Response> {
    form_view(&state, &permit, RuleForm::default(), FormErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    CsrfForm(fields): CsrfForm<Vec<(String, String)>>,
) -> Result<Response> {
    let tr = permit.tr();
    let f = RuleForm::from_pairs(fields);
    let mut errors = FormErrors::default();
    let owner_unit = match f.owner_unit.trim() {
        "" => None,
        s => Uuid::parse_str(s).ok().or_else(|| {
            errors.push("owner_unit", tr.t("rule-error-unit"));
            None
        }),
    };
    let hours = match f.hours.trim() {
        "" => 0,
        s => s.replace('.', "").parse::<i64>().unwrap_or_else(|_| {
            errors.push("hours_per_year", tr.t1("rule-error-hours", "max", super::model::HOURS_MAX));
            0
        }),
    };
    let input = RuleInput {
        title: f.title.clone(),
        text: f.text.clone(),
        origin: f.origin.clone(),
        reference: f.reference.clone(),
        owner_unit,
        burdens_units: Vec::new(),
        burdens_roles: f.roles.clone(),
        hours_per_year: hours,
        value_statement: f.value_statement.clone(),
    };
    match check_rule(&state, &tr, &input).await {
        Ok(rule) if errors.is_empty() => {
            let ids =
                store::create_all(&state.db, state.municipality, &[rule], permit.ctx.audit("rule.created")).await?;
            Ok(Redirect::to(&format!("/regler/{}?gemt=oprettet", ids[0])).into_response())
        }
        checked => {
            if let Err(more) = checked {
                errors.extend(more);
            }
            form_view(&state, &permit, f, errors).await
        }
    }
}

async fn import(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    read: Permit<ReadRules>,
    upload: CsrfUpload,
) -> Result<Response> {
    let tr = permit.tr();
    let Some(file) = upload.files.iter().find(|f| f.field == "file" && !f.bytes.is_empty()) else {
        return list_view(&state, &read, &ListQuery::default(), vec![tr.t("rule-import-error-no-file")]).await;
    };
    match super::import::parse(&state, &tr, &file.name, &file.bytes).await {
        Ok(rules) => {
            let ids =
                store::create_all(&state.db, state.municipality, &rules, permit.ctx.audit("rule.created")).await?;
            Ok(Redirect::to(&format!("/regler?importeret={}", ids.len())).into_response())
        }
        Err(errors) => list_view(&state, &read, &ListQuery::default(), errors).await,
    }
}

async fn export_csv(State(state): State<AppState>, permit: Permit<ReadRules>) -> Result<Response> {
    let body = super::import::export(&state, &permit.tr(), false).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"regler.csv\""),
        ],
        body,
    )
        .into_response())
}

async fn export_xlsx(State(state): State<AppState>, permit: Permit<ReadRules>) -> Result<Response> {
    let body = super::import::export(&state, &permit.tr(), true).await?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            (axum::http::header::CONTENT_DISPOSITION, "attachment; filename=\"regler.xlsx\""),
        ],
        body,
    )
        .into_response())
}

#[derive(Deserialize, Default)]
struct Notice {
    gemt: Option<String>,
}

async fn rule_view(
    state: &AppState,
    permit: &Permit<ReadRules>,
    id: &str,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let rule = rule_of(state, id).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let name = |u: Uuid| org.unit(u).map(|u| u.name.clone()).unwrap_or_default();
    let mut burdens: Vec<String> = rule.burdens_units.iter().map(|u| name(*u)).collect();
    burdens.extend(rule.burdens_roles.iter().map(|r| tr.t(&format!("rule-role-{r}"))));
    let mut reviews = Vec::new();
    for r in store::open_reviews_of(&state.db, rule.id).await? {
        if let Some(review) = store::get_review(&state.db, state.municipality, r).await? {
            reviews.push((review.id.to_string(), review.title));
        }
    }
    let bad = !errors.is_empty();
    let title = tr.ta("rule-title", &[("number", &rule.number), ("title", &rule.title)]);
    let flags = store::flags(&state.db, rule.id).await?;
    let decisions = store::decisions(&state.db, rule.id).await?;
    let mut r = render(&RuleTemplate {
        page: permit.ctx.page(state, title, "rules"),
        status: tr.t(rule.status.label_id()),
        origin: tr.t(rule.origin.label_id()),
        owner: rule.owner_unit.map(name).unwrap_or_default(),
        burdens: burdens.join(", "),
        flags,
        decisions: decisions
            .into_iter()
            .rev()
            .map(|d| (tr.datetime(&d.at), d.by, tr.t(d.decision.label_id()), d.reason, d.hours_freed))
            .collect(),
        may_flag: permit.may(actions::FLAG.anywhere()),
        may_manage: permit.may(actions::MANAGE.anywhere()),
        errors,
        notice,
        reviews,
        rule,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn rule_page(
    State(state): State<AppState>,
    permit: Permit<ReadRules>,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response> {
    let tr = permit.tr();
    let notice = match n.gemt.as_deref() {
        Some("oprettet") => Some(tr.t("rule-saved-created")),
        Some("flag") => Some(tr.t("rule-saved-flag")),
        Some("beslutning") => Some(tr.t("rule-saved-decision")),
        _ => None,
    };
    rule_view(&state, &permit, &id, FormErrors::default(), notice).await
}

#[derive(Deserialize, Default)]
struct FlagForm {
    #[serde(default)]
    text: String,
}

async fn flag(
    State(state): State<AppState>,
    permit: Permit<FlagRules>,
    read: Permit<ReadRules>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> Result<Response> {
    let rule = rule_of(&state, &id).await?;
    match check_flag(&permit.tr(), &form.text) {
        Ok(text) => {
            store::flag(
                &state.db,
                state.municipality,
                &rule,
                Some(permit.user.account.id),
                &text,
                permit.ctx.audit("rule.flagged"),
            )
            .await?;
            Ok(Redirect::to(&format!("/regler/{}?gemt=flag", rule.id)).into_response())
        }
        Err(errors) => rule_view(&state, &read, &id, errors, None).await,
    }
}

#[derive(Deserialize, Default)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    hours_freed: String,
}

async fn decide(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    read: Permit<ReadRules>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let rule = rule_of(&state, &id).await?;
    let hours = match form.hours_freed.trim() {
        "" => None,
        s => Some(s.replace('.', "").parse::<i64>().unwrap_or(-1)),
    };
    match check_decision(&tr, &rule, &form.decision, &form.reason, hours) {
        Ok((kind, hours)) => {
            store::decide(
                &state.db,
                state.municipality,
                &rule,
                kind,
                form.reason.trim(),
                hours,
                None,
                permit.ctx.audit("rule.decided"),
            )
            .await?;
            Ok(Redirect::to(&format!("/regler/{}?gemt=beslutning", rule.id)).into_response())
        }
        Err(errors) => rule_view(&state, &read, &id, errors, None).await,
    }
}

async fn reviews_view(
    state: &AppState,
    permit: &Permit<ReadRules>,
    title: String,
    deadline: String,
    errors: FormErrors,
) -> Result<Response> {
    let tr = permit.tr();
    let bad = !errors.is_empty();
    let mut r = render(&ReviewsTemplate {
        page: permit.ctx.page(state, tr.t("rule-reviews-title"), "rules"),
        reviews: store::reviews(&state.db, state.municipality)
            .await?
            .into_iter()
            .map(|r| {
                let d = tr.date(&r.deadline);
                (r, d)
            })
            .collect(),
        may_manage: permit.may(actions::MANAGE.anywhere()),
        title,
        deadline,
        errors,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn reviews(State(state): State<AppState>, permit: Permit<ReadRules>) -> Result<Response> {
    reviews_view(&state, &permit, String::new(), String::new(), FormErrors::default()).await
}

#[derive(Deserialize, Default)]
struct ReviewForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    deadline: String,
}

async fn create_review(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    read: Permit<ReadRules>,
    CsrfForm(form): CsrfForm<ReviewForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let Ok(deadline) = NaiveDate::parse_from_str(form.deadline.trim(), "%Y-%m-%d") else {
        let errors = FormErrors::one("deadline", tr.t("rule-review-error-deadline"));
        return reviews_view(&state, &read, form.title, form.deadline, errors).await;
    };
    let body = NewReviewJson { title: form.title.clone(), deadline, rules: Vec::new() };
    match create_review_checked(&state, &permit, &body).await? {
        Ok(id) => Ok(Redirect::to(&format!("/regler/gennemgange/{id}?gemt=oprettet")).into_response()),
        Err(errors) => reviews_view(&state, &read, form.title, form.deadline, errors).await,
    }
}

async fn review_view(
    state: &AppState,
    permit: &Permit<ReadRules>,
    id: &str,
    errors: FormErrors,
    notice: Option<String>,
) -> Result<Response> {
    let tr = permit.tr();
    let review = review_of(state, id).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let open = review.state == "open" && !super::past_deadline(review.deadline);
    let items = store::review_items(&state.db, review.id)
        .await?
        .into_iter()
        .map(|i| {
            let may = open
                && match i.owner_unit.and_then(|u| super::unit_ref(&org, u)) {
                    Some(unit) => permit.may(actions::JUSTIFY.on_unit(unit)),
                    None => permit.may(actions::MANAGE.anywhere()),
                };
            (i, may)
        })
        .collect();
    let bad = !errors.is_empty();
    let mut r = render(&ReviewTemplate {
        page: permit.ctx.page(state, review.title.clone(), "rules"),
        deadline: tr.date(&review.deadline),
        open,
        items,
        may_manage: permit.may(actions::MANAGE.anywhere()),
        notice,
        errors,
        review,
    });
    if bad {
        *r.status_mut() = StatusCode::BAD_REQUEST;
    }
    Ok(r)
}

async fn review(
    State(state): State<AppState>,
    permit: Permit<ReadRules>,
    Path(id): Path<String>,
    Query(n): Query<Notice>,
) -> Result<Response> {
    let tr = permit.tr();
    let notice = match n.gemt.as_deref() {
        Some("oprettet") => Some(tr.t("rule-review-saved-created")),
        Some("begrundelse") => Some(tr.t("rule-review-saved-justified")),
        Some("vurdering") => Some(tr.t("rule-review-saved-assessed")),
        _ => None,
    };
    review_view(&state, &permit, &id, FormErrors::default(), notice).await
}

#[derive(Deserialize, Default)]
struct JustifyForm {
    #[serde(default)]
    rule: String,
    #[serde(default)]
    text: String,
    #[serde(default)]
    accepted: String,
}

async fn justify(
    State(state): State<AppState>,
    permit: Permit<JustifyRules>,
    read: Permit<ReadRules>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<JustifyForm>,
) -> Result<Response> {
    let review = review_of(&state, &id).await?;
    let rule = Uuid::parse_str(form.rule.trim()).map_err(|_| AppError::NotFound)?;
    if form.text.trim().chars().count() > TEXT_MAX_CHARS || form.text.trim().is_empty() {
        let errors = FormErrors::one("text", permit.tr().t1("rule-error-justification", "max", TEXT_MAX_CHARS));
        return review_view(&state, &read, &id, errors, None).await;
    }
    justify_checked(&state, &permit, &review, rule, &form.text).await?;
    Ok(Redirect::to(&format!("/regler/gennemgange/{}?gemt=begrundelse", review.id)).into_response())
}

async fn assess(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    Path(id): Path<String>,
    CsrfForm(form): CsrfForm<JustifyForm>,
) -> Result<Response> {
    let tr = permit.tr();
    let review = review_of(&state, &id).await?;
    if review.state != "open" {
        return Err(AppError::Conflict(tr.t1("rule-review-error-closed", "deadline", tr.date(&review.deadline))));
    }
    let rule_id = Uuid::parse_str(form.rule.trim()).map_err(|_| AppError::NotFound)?;
    let items = store::review_items(&state.db, review.id).await?;
    let item = items.iter().find(|i| i.rule == rule_id).ok_or(AppError::NotFound)?;
    if item.justification.is_empty() {
        return Err(AppError::BadRequest(tr.t("rule-review-error-unjustified")));
    }
    let rule = store::get(&state.db, state.municipality, rule_id).await?.ok_or(AppError::NotFound)?;
    let accepted = form.accepted == "1";
    store::assess(&state.db, state.municipality, review.id, &rule, accepted, permit.ctx.audit("rule.assessed")).await?;
    Ok(Redirect::to(&format!("/regler/gennemgange/{}?gemt=vurdering", review.id)).into_response())
}
