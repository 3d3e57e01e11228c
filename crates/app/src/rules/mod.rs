//! The rule register, "forklar eller fjern" (explain or remove): the municipality's rules
//! with their owner, origin (a local decision, or national law with its reference — only
//! local rules can be removed), whom they burden, their cost in hours a year and their
//! stated value for the core task. Anyone may flag a rule; review rounds reverse the burden
//! of proof — at the deadline a job marks every local rule without an accepted
//! justification for removal — and keep/simplify/remove decisions show the hours freed
//! per year, per unit and in total (Aalborg's reversed burden of proof, Viborg's
//! "forklar eller fjern").
//!
//! Files: `model.rs`, `store.rs` (all SQL), `import.rs` (CSV in and out), `api.rs`
//! (`/api/v1/rules`, `/api/v1/rule-reviews`), `routes.rs` and `views.rs` (the pages).

pub mod api;
pub mod demo;
pub mod import;
pub mod model;
pub mod routes;
pub mod store;
pub mod views;

use std::collections::BTreeMap;

use chrono::NaiveDate;
use uuid::Uuid;

use crate::AppState;
use crate::platform::audit::AuditEntry;
use crate::platform::i18n::Tr;
use crate::platform::jobs::{JobContext, JobKind};
use crate::platform::layout::FormErrors;
use crate::platform::module::{AuditLink, BoxFuture, Module, NavEntry, no_start};
use crate::platform::permissions::{ActionDef, EVERYONE, Role, UnitRef};
use model::{
    HOURS_MAX, NewRule, Origin, REASON_MAX_CHARS, REFERENCE_MAX_CHARS, Rule, RuleDecisionKind, TEXT_MAX_CHARS,
    TITLE_MAX_CHARS,
};

pub mod actions {
    use super::*;

    /// Read the register.
    pub static READ: ActionDef = ActionDef { key: "rules.read", roles: EVERYONE };
    /// Flag a rule ("this rule costs us time, because …").
    pub static FLAG: ActionDef = ActionDef { key: "rules.flag", roles: EVERYONE };
    /// Add and import rules, run reviews, assess justifications and decide.
    pub static MANAGE: ActionDef =
        ActionDef { key: "rules.manage", roles: &[Role::Administrator, Role::Executive, Role::Facilitator] };
    /// Justify a rule in a review: its owner unit's leaders (checked on the unit).
    pub static JUSTIFY: ActionDef = ActionDef { key: "rules.justify", roles: &[Role::Administrator, Role::Leader] };
}

crate::policy!(pub ReadRules = actions::READ);
crate::policy!(pub FlagRules = actions::FLAG);
crate::policy!(pub ManageRules = actions::MANAGE);
crate::policy!(pub JustifyRules = actions::JUSTIFY);

/// The job that closes reviews whose deadline has passed.
pub static REVIEW_DEADLINES: JobKind = JobKind { kind: "rules.review_deadlines", run: run_deadlines };

pub static MODULE: Module = Module {
    name: "rules",
    routes: || routes::routes().merge(api::routes()),
    nav: &[NavEntry { href: "/regler", label: "nav-rules", section: "rules", action: &actions::READ }],
    locales: (include_str!("../../locales/da/rules.ftl"), include_str!("../../locales/en/rules.ftl")),
    actions: &[&actions::READ, &actions::FLAG, &actions::MANAGE, &actions::JUSTIFY],
    start: no_start,
    home: None,
    code_door: None,
    audit_links: &[AuditLink { kind: store::AUDIT_KIND, prefix: "/regler/" }],
    jobs: &[&REVIEW_DEADLINES],
    openapi: Some(<api::Api as utoipa::OpenApi>::openapi),
};

/// Role keys a rule may burden.
pub const ROLES: [&str; 5] = ["leader", "employee", "key_person", "union_rep", "safety_rep"];

/// A rule as typed (a form, JSON or a CSV row), before it is checked.
#[derive(Clone, Debug, Default)]
pub struct RuleInput {
    pub title: String,
    pub text: String,
    pub origin: String,
    pub reference: String,
    pub owner_unit: Option<Uuid>,
    pub burdens_units: Vec<Uuid>,
    pub burdens_roles: Vec<String>,
    pub hours_per_year: i64,
    pub value_statement: String,
}

/// Checks a rule; the errors name the field, in the reader's language.
pub async fn check_rule(state: &AppState, tr: &Tr, input: &RuleInput) -> Result<NewRule, FormErrors> {
    let mut errors = FormErrors::default();
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > TITLE_MAX_CHARS {
        errors.push("title", tr.t1("rule-error-title", "max", TITLE_MAX_CHARS));
    }
    if input.text.trim().chars().count() > TEXT_MAX_CHARS {
        errors.push("text", tr.t1("rule-error-text", "max", TEXT_MAX_CHARS));
    }
    let origin = Origin::parse(&input.origin);
    let reference = input.reference.trim();
    match origin {
        None => errors.push("origin", tr.t("rule-error-origin")),
        Some(Origin::National) if reference.is_empty() => errors.push("reference", tr.t("rule-error-reference")),
        _ => {}
    }
    if reference.chars().count() > REFERENCE_MAX_CHARS {
        errors.push("reference", tr.t1("rule-error-reference-long", "max", REFERENCE_MAX_CHARS));
    }
    match crate::organisation::org_cache(state).get(&state.db).await {
        Ok(org) => {
            if input.owner_unit.is_some_and(|u| org.unit(u).is_none()) {
                errors.push("owner_unit", tr.t("rule-error-unit"));
            }
            if input.burdens_units.iter().any(|u| org.unit(*u).is_none()) {
                errors.push("burdens_units", tr.t("rule-error-unit"));
            }
        }
        Err(_) => errors.push("owner_unit", tr.t("rule-error-unit")),
    }
    if let Some(bad) = input.burdens_roles.iter().find(|r| !ROLES.contains(&r.as_str())) {
        errors.push("burdens_roles", tr.t1("rule-error-role", "role", bad));
    }
    if !(0..=HOURS_MAX).contains(&input.hours_per_year) {
        errors.push("hours_per_year", tr.t1("rule-error-hours", "max", HOURS_MAX));
    }
    if input.value_statement.trim().chars().count() > TEXT_MAX_CHARS {
        errors.push("value_statement", tr.t1("rule-error-text", "max", TEXT_MAX_CHARS));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut units = input.burdens_units.clone();
    units.sort();
    units.dedup();
    Ok(NewRule {
        title: title.to_string(),
        text: input.text.trim().to_string(),
        origin,
        reference: reference.to_string(),
        owner_unit: input.owner_unit,
        burdens_units: units,
        burdens_roles: input.burdens_roles.clone(),
        hours_per_year: input.hours_per_year,
        value_statement: input.value_statement.trim().to_string(),
    })
}

/// Checks a decision on a rule: a decision that exists, a reason, no removal of a national
/// rule, hours freed within what the rule still costs. Answers the hours it frees.
pub fn check_decision(
    tr: &Tr,
    rule: &Rule,
    decision: &str,
    reason: &str,
    hours: Option<i64>,
) -> Result<(RuleDecisionKind, i64), FormErrors> {
    let mut errors = FormErrors::default();
    let kind = RuleDecisionKind::parse(decision);
    let remaining = (rule.hours_per_year - rule.hours_freed).max(0);
    match kind {
        None => errors.push("decision", tr.t("rule-error-decision")),
        Some(RuleDecisionKind::Remove) if rule.origin == Origin::National => {
            errors.push("decision", tr.t("rule-error-national"))
        }
        _ => {}
    }
    let reason_chars = reason.trim().chars().count();
    if reason_chars == 0 || reason_chars > REASON_MAX_CHARS {
        errors.push("reason", tr.t1("rule-error-reason", "max", REASON_MAX_CHARS));
    }
    if let Some(h) = hours
        && !(0..=remaining).contains(&h)
    {
        errors.push("hours_freed", tr.t1("rule-error-hours-freed", "max", remaining));
    }
    match kind {
        Some(k) if errors.is_empty() => Ok((
            k,
            match k {
                RuleDecisionKind::Keep => 0,
                RuleDecisionKind::Remove => remaining,
                RuleDecisionKind::Simplify => hours.unwrap_or(0),
            },
        )),
        _ => Err(errors),
    }
}

/// The last day justifications are taken has passed (after the deadline day, Danish time).
pub fn past_deadline(deadline: NaiveDate) -> bool {
    today() > deadline
}

pub use crate::platform::i18n::today;

/// Whether `unit` lies where the permit may justify.
pub fn unit_ref(org: &crate::organisation::cache::OrgView, unit: Uuid) -> Option<UnitRef> {
    org.unit(unit).map(|u| UnitRef { left: u.tree_left, depth: u.depth })
}

/// Hours a year freed by decisions: in total, by decision and by the rules' owner units.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct HoursFreed {
    pub total: i64,
    pub keep: i64,
    pub simplify: i64,
    pub remove: i64,
    /// Owner unit (none: no owner) and the hours its rules' decisions freed.
    pub by_unit: Vec<UnitHours>,
}

#[derive(Clone, Debug, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct UnitHours {
    pub unit: Option<Uuid>,
    pub name: String,
    pub hours: i64,
}

/// The hours freed by every decision of the municipality.
pub async fn hours_freed(state: &AppState, tr: &Tr) -> crate::platform::web::Result<HoursFreed> {
    let decisions = store::all_decisions(&state.db, state.municipality).await?;
    let org = crate::organisation::org_cache(state).get(&state.db).await?;
    let mut out = HoursFreed::default();
    let mut by_unit: BTreeMap<Option<Uuid>, i64> = BTreeMap::new();
    for (unit, d) in decisions {
        out.total += d.hours_freed;
        match d.decision {
            RuleDecisionKind::Keep => out.keep += d.hours_freed,
            RuleDecisionKind::Simplify => out.simplify += d.hours_freed,
            RuleDecisionKind::Remove => out.remove += d.hours_freed,
        }
        *by_unit.entry(unit).or_default() += d.hours_freed;
    }
    out.by_unit = by_unit
        .into_iter()
        .filter(|(_, h)| *h > 0)
        .map(|(unit, hours)| UnitHours {
            unit,
            name: unit.and_then(|u| org.unit(u)).map_or_else(|| tr.t("rule-no-owner"), |u| u.name.clone()),
            hours,
        })
        .collect();
    out.by_unit.sort_by(|a, b| b.hours.cmp(&a.hours).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// Closes every review whose deadline passed before `today`; answers the rules marked.
pub async fn close_due_reviews(state: &AppState, today: NaiveDate) -> sqlx::Result<u64> {
    let mut marked = 0;
    for (municipality, review) in store::due_reviews(&state.db, today).await? {
        let entry = AuditEntry::system("rule.marked_for_removal", "deadline");
        marked += store::close_review(&state.db, municipality, review, entry).await?;
    }
    Ok(marked)
}

fn run_deadlines(ctx: JobContext) -> BoxFuture<'static, Result<serde_json::Value, String>> {
    Box::pin(async move {
        let marked = close_due_reviews(&ctx.state, today()).await.map_err(|e| e.to_string())?;
        Ok(serde_json::json!({ "marked_for_removal": marked }))
    })
}
