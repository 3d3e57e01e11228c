//! The rule register's JSON API: rules, flags, decisions, review rounds, CSV in and out.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

use super::model::{Flag, Origin, Review, ReviewItem, Rule, RuleDecision, RuleStatus, TEXT_MAX_CHARS};
use super::{
    FlagRules, HoursFreed, JustifyRules, ManageRules, ReadRules, RuleInput, actions, check_decision, check_rule,
    hours_freed, past_deadline, store,
};
use crate::AppState;
use crate::platform::api::{ApiJson, Problem, created, invalid, json};
use crate::platform::layout::FormErrors;
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{AppError, Permit, Result};

pub fn routes() -> Routes {
    let read = Guard::Action(&actions::READ);
    let manage = Guard::Action(&actions::MANAGE);
    Routes::new()
        .get("/api/v1/rules", read, list)
        .post("/api/v1/rules", manage, create)
        .post("/api/v1/rules/import", manage, import)
        .get("/api/v1/rules/export.csv", read, export_csv)
        .get("/api/v1/rules/export.xlsx", read, export_xlsx)
        .get("/api/v1/rules/{id}", read, get_one)
        .post("/api/v1/rules/{id}/flags", Guard::Action(&actions::FLAG), flag)
        .post("/api/v1/rules/{id}/decision", manage, decide)
        .get("/api/v1/rule-reviews", read, reviews)
        .post("/api/v1/rule-reviews", manage, create_review)
        .get("/api/v1/rule-reviews/{id}", read, review)
        .post("/api/v1/rule-reviews/{id}/justifications", Guard::Action(&actions::JUSTIFY), justify)
        .post("/api/v1/rule-reviews/{id}/assessments", manage, assess)
}

#[derive(OpenApi)]
#[openapi(paths(
    list,
    create,
    import,
    export_csv,
    export_xlsx,
    get_one,
    flag,
    decide,
    reviews,
    create_review,
    review,
    justify,
    assess
))]
pub struct Api;

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleList {
    pub items: Vec<Rule>,
    pub hours_freed: HoursFreed,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only rules in this status: active, simplified, marked_for_removal, removed.
    pub status: Option<String>,
}

/// The register: every rule by number, and the hours freed by decisions.
#[utoipa::path(get, path = "/api/v1/rules", tag = "rules", params(ListQuery),
    responses((status = 200, body = RuleList), (status = 400, body = Problem)))]
async fn list(
    State(state): State<AppState>,
    permit: Permit<ReadRules>,
    Query(q): Query<ListQuery>,
) -> Result<Response> {
    let tr = permit.tr();
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(RuleStatus::parse(s).ok_or_else(|| AppError::BadRequest(tr.t("rule-error-status")))?),
    };
    let items = store::list(&state.db, state.municipality, status).await?;
    Ok(json(&RuleList { items, hours_freed: hours_freed(&state, &tr).await? }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewRuleJson {
    pub title: String,
    #[serde(default)]
    pub text: String,
    /// `local` or `national`.
    pub origin: String,
    /// The law or decision (required for a national rule).
    #[serde(default)]
    pub reference: String,
    pub owner_unit: Option<Uuid>,
    #[serde(default)]
    pub burdens_units: Vec<Uuid>,
    /// leader, employee, key_person, union_rep, safety_rep
    #[serde(default)]
    pub burdens_roles: Vec<String>,
    #[serde(default)]
    pub hours_per_year: i64,
    /// What the rule is worth for the core task.
    #[serde(default)]
    pub value_statement: String,
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Created {
    pub id: Uuid,
}

/// Adds a rule to the register.
#[utoipa::path(post, path = "/api/v1/rules", tag = "rules", request_body = NewRuleJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn create(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    ApiJson(body): ApiJson<NewRuleJson>,
) -> Result<Response> {
    let input = RuleInput {
        title: body.title,
        text: body.text,
        origin: body.origin,
        reference: body.reference,
        owner_unit: body.owner_unit,
        burdens_units: body.burdens_units,
        burdens_roles: body.burdens_roles,
        hours_per_year: body.hours_per_year,
        value_statement: body.value_statement,
    };
    let rule = check_rule(&state, &permit.tr(), &input).await.map_err(invalid)?;
    let ids = store::create_all(&state.db, state.municipality, &[rule], permit.ctx.audit("rule.created")).await?;
    Ok(created(&Created { id: ids[0] }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct Imported {
    pub imported: usize,
}

/// Imports rules from a CSV body (semicolons or commas; columns title, text, origin,
/// reference, owner_unit, burdens_units, burdens_roles, hours_per_year, value_statement or
/// their Danish headings). All rows or none: errors name the line and the column.
#[utoipa::path(post, path = "/api/v1/rules/import", tag = "rules", request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = Imported), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn import(State(state): State<AppState>, permit: Permit<ManageRules>, body: Bytes) -> Result<Response> {
    let tr = permit.tr();
    match super::import::parse(&state, &tr, "CSV", &body).await {
        Ok(rules) => {
            let ids =
                store::create_all(&state.db, state.municipality, &rules, permit.ctx.audit("rule.created")).await?;
            Ok(created(&Imported { imported: ids.len() }))
        }
        Err(errors) => Err(AppError::BadRequest(errors.join("\n"))),
    }
}

fn file(kind: &str, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        body,
    )
        .into_response()
}

/// The register as CSV (semicolons, for Danish spreadsheets; the import reads it back).
#[utoipa::path(get, path = "/api/v1/rules/export.csv", tag = "rules", responses((status = 200, description = "CSV")))]
async fn export_csv(State(state): State<AppState>, permit: Permit<ReadRules>) -> Result<Response> {
    Ok(file("text/csv; charset=utf-8", "regler.csv", super::import::export(&state, &permit.tr(), false).await?))
}

/// The register as an XLSX workbook.
#[utoipa::path(get, path = "/api/v1/rules/export.xlsx", tag = "rules", responses((status = 200, description = "XLSX")))]
async fn export_xlsx(State(state): State<AppState>, permit: Permit<ReadRules>) -> Result<Response> {
    let body = super::import::export(&state, &permit.tr(), true).await?;
    Ok(file("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "regler.xlsx", body))
}

/// A rule of the municipality, or a 404.
pub async fn rule_of(state: &AppState, id: &str) -> Result<Rule> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::get(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleDetail {
    pub rule: Rule,
    pub flags: Vec<Flag>,
    pub decisions: Vec<RuleDecision>,
    /// Open reviews it is in.
    pub open_reviews: Vec<Uuid>,
}

/// A rule with its flags, decisions and open reviews.
#[utoipa::path(get, path = "/api/v1/rules/{id}", tag = "rules", params(("id" = Uuid, Path)),
    responses((status = 200, body = RuleDetail), (status = 404, body = Problem)))]
async fn get_one(
    State(state): State<AppState>,
    _permit: Permit<ReadRules>,
    Path(id): Path<String>,
) -> Result<Response> {
    let rule = rule_of(&state, &id).await?;
    Ok(json(&RuleDetail {
        flags: store::flags(&state.db, rule.id).await?,
        decisions: store::decisions(&state.db, rule.id).await?,
        open_reviews: store::open_reviews_of(&state.db, rule.id).await?,
        rule,
    }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct FlagJson {
    /// "This rule costs us time, because …"
    pub text: String,
}

/// Checks a flag's text.
pub fn check_flag(tr: &crate::platform::i18n::Tr, text: &str) -> std::result::Result<String, FormErrors> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > TEXT_MAX_CHARS {
        return Err(FormErrors::one("text", tr.t1("rule-error-flag", "max", TEXT_MAX_CHARS)));
    }
    Ok(t.to_string())
}

/// Flags a rule: why it costs time. The flag is an input to the next review.
#[utoipa::path(post, path = "/api/v1/rules/{id}/flags", tag = "rules", params(("id" = Uuid, Path)), request_body = FlagJson,
    responses((status = 201), (status = 400, body = Problem), (status = 404, body = Problem)))]
async fn flag(
    State(state): State<AppState>,
    permit: Permit<FlagRules>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<FlagJson>,
) -> Result<Response> {
    let rule = rule_of(&state, &id).await?;
    let text = check_flag(&permit.tr(), &body.text).map_err(invalid)?;
    store::flag(
        &state.db,
        state.municipality,
        &rule,
        Some(permit.user.account.id),
        &text,
        permit.ctx.audit("rule.flagged"),
    )
    .await?;
    Ok(StatusCode::CREATED.into_response())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct RuleDecisionJson {
    /// keep, simplify or remove (a national rule cannot be removed).
    pub decision: String,
    pub reason: String,
    /// Hours a year a simplification frees (a removal frees what the rule still costs).
    pub hours_freed: Option<i64>,
    /// The review it was decided in.
    pub review: Option<Uuid>,
}

/// Decides a rule: keep, simplify or remove, with a reason; the register counts the hours
/// it frees. A national rule's removal is refused.
#[utoipa::path(post, path = "/api/v1/rules/{id}/decision", tag = "rules", params(("id" = Uuid, Path)),
    request_body = RuleDecisionJson,
    responses((status = 201, body = RuleDetail), (status = 400, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)))]
async fn decide(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RuleDecisionJson>,
) -> Result<Response> {
    let rule = rule_of(&state, &id).await?;
    let (kind, hours) =
        check_decision(&permit.tr(), &rule, &body.decision, &body.reason, body.hours_freed).map_err(invalid)?;
    let entry = permit.ctx.audit("rule.decided");
    store::decide(&state.db, state.municipality, &rule, kind, body.reason.trim(), hours, body.review, entry).await?;
    let rule = rule_of(&state, &id).await?;
    Ok(created(&RuleDetail {
        flags: store::flags(&state.db, rule.id).await?,
        decisions: store::decisions(&state.db, rule.id).await?,
        open_reviews: store::open_reviews_of(&state.db, rule.id).await?,
        rule,
    }))
}

/// The review rounds, newest first.
#[utoipa::path(get, path = "/api/v1/rule-reviews", tag = "rules", responses((status = 200, body = Vec<Review>)))]
async fn reviews(State(state): State<AppState>, _permit: Permit<ReadRules>) -> Result<Response> {
    Ok(json(&store::reviews(&state.db, state.municipality).await?))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct NewReviewJson {
    pub title: String,
    /// The last day owners may justify their rules (after today).
    pub deadline: NaiveDate,
    /// The rules in scope; none: every local rule in force.
    #[serde(default)]
    pub rules: Vec<Uuid>,
}

/// Checks a review and opens it: a title, a deadline after today, rules of the register
/// (by default every local rule in force). Schedules the deadline's job.
pub async fn create_review_checked(
    state: &AppState,
    permit: &Permit<ManageRules>,
    body: &NewReviewJson,
) -> Result<std::result::Result<Uuid, FormErrors>> {
    let tr = permit.tr();
    let mut errors = FormErrors::default();
    let title = body.title.trim();
    if title.is_empty() || title.chars().count() > super::model::TITLE_MAX_CHARS {
        errors.push("title", tr.t1("rule-error-title", "max", super::model::TITLE_MAX_CHARS));
    }
    if body.deadline <= super::today() {
        errors.push("deadline", tr.t("rule-review-error-deadline"));
    }
    let all = store::list(&state.db, state.municipality, None).await?;
    let rules: Vec<Uuid> = if body.rules.is_empty() {
        all.iter()
            .filter(|r| r.origin == Origin::Local && matches!(r.status, RuleStatus::Active | RuleStatus::Simplified))
            .map(|r| r.id)
            .collect()
    } else {
        let mut ids = body.rules.clone();
        ids.sort();
        ids.dedup();
        if ids.iter().any(|id| !all.iter().any(|r| r.id == *id)) {
            errors.push("rules", tr.t("rule-review-error-rules"));
        }
        ids
    };
    if rules.is_empty() && errors.get("rules").is_none() {
        errors.push("rules", tr.t("rule-review-error-none"));
    }
    if !errors.is_empty() {
        return Ok(Err(errors));
    }
    let id = store::create_review(
        &state.db,
        state.municipality,
        title,
        body.deadline,
        &rules,
        permit.ctx.audit("rule.review_opened"),
    )
    .await?;
    // The deadline's job: the first minute after the deadline day, Danish time.
    let mut job = crate::platform::jobs::NewJob::new(super::REVIEW_DEADLINES.kind, serde_json::json!({ "review": id }));
    job.run_after = body
        .deadline
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 1, 0))
        .and_then(|t| t.and_local_timezone(chrono_tz::Europe::Copenhagen).earliest())
        .map(|t| t.with_timezone(&chrono::Utc));
    crate::platform::jobs::store::enqueue(&state.db, state.municipality, &job).await?;
    Ok(Ok(id))
}

/// Opens a review round: the owners of the rules in scope must justify each by the deadline;
/// at the deadline every local rule without an accepted justification is marked for removal.
#[utoipa::path(post, path = "/api/v1/rule-reviews", tag = "rules", request_body = NewReviewJson,
    responses((status = 201, body = Created), (status = 400, body = Problem), (status = 403, body = Problem)))]
async fn create_review(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    ApiJson(body): ApiJson<NewReviewJson>,
) -> Result<Response> {
    let id = create_review_checked(&state, &permit, &body).await?.map_err(invalid)?;
    Ok(created(&Created { id }))
}

/// A review of the municipality, or a 404.
pub async fn review_of(state: &AppState, id: &str) -> Result<Review> {
    let id = Uuid::parse_str(id.trim()).map_err(|_| AppError::NotFound)?;
    store::get_review(&state.db, state.municipality, id).await?.ok_or(AppError::NotFound)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ReviewDetail {
    pub review: Review,
    pub items: Vec<ReviewItem>,
}

/// A review with its rules and their justifications.
#[utoipa::path(get, path = "/api/v1/rule-reviews/{id}", tag = "rules", params(("id" = Uuid, Path)),
    responses((status = 200, body = ReviewDetail), (status = 404, body = Problem)))]
async fn review(State(state): State<AppState>, _permit: Permit<ReadRules>, Path(id): Path<String>) -> Result<Response> {
    let review = review_of(&state, &id).await?;
    let items = store::review_items(&state.db, review.id).await?;
    Ok(json(&ReviewDetail { review, items }))
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct JustificationJson {
    pub rule: Uuid,
    /// Why the rule is needed for the core task.
    pub text: String,
}

/// Checks and writes a justification: the rule is in the open review, the deadline has
/// not passed, the writer leads the rule's owner unit, a text.
pub async fn justify_checked(
    state: &AppState,
    permit: &Permit<JustifyRules>,
    review: &Review,
    rule_id: Uuid,
    text: &str,
) -> Result<()> {
    let tr = permit.tr();
    if review.state != "open" || past_deadline(review.deadline) {
        return Err(AppError::Conflict(tr.t1("rule-review-error-closed", "deadline", tr.date(&review.deadline))));
    }
    let items = store::review_items(&state.db, review.id).await?;
    if !items.iter().any(|i| i.rule == rule_id) {
        return Err(invalid(FormErrors::one("rule", tr.t("rule-review-error-not-in"))));
    }
    let rule = store::get(&state.db, state.municipality, rule_id).await?.ok_or(AppError::NotFound)?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let owner = rule.owner_unit.and_then(|u| super::unit_ref(&org, u));
    let may = match owner {
        Some(unit) => permit.may(actions::JUSTIFY.on_unit(unit)),
        None => permit.may(actions::MANAGE.anywhere()) || permit.reach().is_everything(),
    };
    if !may {
        return Err(AppError::Forbidden);
    }
    let text = text.trim();
    if text.is_empty() || text.chars().count() > TEXT_MAX_CHARS {
        return Err(invalid(FormErrors::one("text", tr.t1("rule-error-justification", "max", TEXT_MAX_CHARS))));
    }
    store::justify(&state.db, state.municipality, review.id, &rule, text, permit.ctx.audit("rule.justified")).await?;
    Ok(())
}

/// Justifies a rule in a review: for the leaders of the rule's owner unit, until the deadline.
#[utoipa::path(post, path = "/api/v1/rule-reviews/{id}/justifications", tag = "rules", params(("id" = Uuid, Path)),
    request_body = JustificationJson,
    responses((status = 201), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn justify(
    State(state): State<AppState>,
    permit: Permit<JustifyRules>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<JustificationJson>,
) -> Result<Response> {
    let review = review_of(&state, &id).await?;
    justify_checked(&state, &permit, &review, body.rule, &body.text).await?;
    Ok(StatusCode::CREATED.into_response())
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct AssessmentJson {
    pub rule: Uuid,
    /// Whether the justification is accepted.
    pub accepted: bool,
}

/// Accepts or rejects a rule's justification in an open review.
#[utoipa::path(post, path = "/api/v1/rule-reviews/{id}/assessments", tag = "rules", params(("id" = Uuid, Path)),
    request_body = AssessmentJson,
    responses((status = 201), (status = 400, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem)))]
async fn assess(
    State(state): State<AppState>,
    permit: Permit<ManageRules>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AssessmentJson>,
) -> Result<Response> {
    let tr = permit.tr();
    let review = review_of(&state, &id).await?;
    if review.state != "open" {
        return Err(AppError::Conflict(tr.t1("rule-review-error-closed", "deadline", tr.date(&review.deadline))));
    }
    let items = store::review_items(&state.db, review.id).await?;
    let Some(item) = items.iter().find(|i| i.rule == body.rule) else {
        return Err(invalid(FormErrors::one("rule", tr.t("rule-review-error-not-in"))));
    };
    if item.justification.is_empty() {
        return Err(invalid(FormErrors::one("rule", tr.t("rule-review-error-unjustified"))));
    }
    let rule = store::get(&state.db, state.municipality, body.rule).await?.ok_or(AppError::NotFound)?;
    store::assess(&state.db, state.municipality, review.id, &rule, body.accepted, permit.ctx.audit("rule.assessed"))
        .await?;
    Ok(StatusCode::CREATED.into_response())
}
