//! The audit log page: search and filters, entries in the reader's language.

use axum::extract::{Query, State};
use axum::response::Response;
use chrono::{NaiveDate, TimeZone};
use serde::Deserialize;

use crate::AppState;
use crate::platform::audit::{self, AuditEvent, AuditQuery};
use crate::platform::i18n::Tr;
use crate::platform::layout::{FormErrors, render};
use crate::platform::module::{Guard, Routes};
use crate::platform::web::{Permit, Result, page_number};

use super::views::*;
use super::{ViewAuditLog, actions};

pub fn routes() -> Routes {
    Routes::new().get("/admin/log", Guard::Action(&actions::VIEW), audit_log)
}

/// The label of a dotted action name (`login.oidc_first` → `audit-action-login-oidc-first`);
/// an action without a translation shows as recorded.
fn action_label(tr: &Tr, action: &str) -> String {
    tr.find(&format!("audit-action-{}", action.replace(['.', '_'], "-"))).unwrap_or_else(|| action.to_string())
}

/// The page a subject has, if any. Only same-site paths are linked.
fn subject_href(kind: &str, id: &str) -> Option<String> {
    match kind {
        "path" if id.starts_with('/') && !id.starts_with("//") && !id.contains('\\') => Some(id.to_string()),
        // Modules name the pages of their subjects.
        _ => {
            let id = uuid::Uuid::parse_str(id).ok()?;
            let link = crate::MODULES.iter().flat_map(|m| m.audit_links).find(|l| l.kind == kind)?;
            Some(format!("{}{id}", link.prefix))
        }
    }
}

/// An entry's details as (label, value) pairs: a JSON object field by field, an older
/// `name: value` text as one field, anything else as text.
fn detail_fields(tr: &Tr, detail: &str) -> Vec<(String, String)> {
    let field = |name: &str, value: String| {
        let label = tr.find(&format!("audit-field-{}", name.replace('_', "-"))).unwrap_or_else(|| name.to_string());
        let value = if name == "roles" {
            value
                .split(',')
                .map(|r| tr.find(&format!("role-{}", r.trim())).unwrap_or_else(|| r.to_string()))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            value
        };
        (label, value)
    };
    if detail.trim().is_empty() {
        return Vec::new();
    }
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str::<serde_json::Value>(detail) {
        return object
            .iter()
            // A count of nought says nothing happened to that kind of thing: leave it out.
            .filter(|(_, v)| v.as_i64() != Some(0) && v.as_bool() != Some(false))
            .map(|(name, v)| {
                let value = match v {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n.as_i64().map_or_else(|| n.to_string(), |i| tr.num(i).to_string()),
                    serde_json::Value::Bool(true) => tr.t("audit-value-yes"),
                    other => other.to_string(),
                };
                field(name, value)
            })
            .collect();
    }
    match detail.split_once(": ") {
        Some((name, value)) if !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_') => {
            vec![field(name, value.to_string())]
        }
        _ => vec![field("text", detail.to_string())],
    }
}

fn audit_line(tr: &Tr, e: AuditEvent) -> AuditLine {
    let subject = if e.subject_label.is_empty() { e.subject_id.clone() } else { e.subject_label.clone() };
    AuditLine {
        at: tr.datetime(&e.at),
        action: action_label(tr, &e.action),
        subject_kind: if e.subject_kind.is_empty() {
            String::new()
        } else {
            tr.find(&format!("audit-kind-{}", e.subject_kind)).unwrap_or_else(|| e.subject_kind.clone())
        },
        subject_href: subject_href(&e.subject_kind, &e.subject_id),
        subject,
        details: detail_fields(tr, &e.detail),
        actor: e.actor_name,
        ip: e.ip,
    }
}

#[derive(Deserialize, Default)]
struct AuditParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    side: Option<String>,
}

const AUDIT_PAGE: i64 = 50;

async fn audit_log(
    State(state): State<AppState>,
    permit: Permit<ViewAuditLog>,
    Query(p): Query<AuditParams>,
) -> Result<Response> {
    let ctx = &permit.ctx;
    let tr = ctx.tr();
    let mut errors = FormErrors::default();
    let parse_day = |s: &str, field: &'static str, errors: &mut FormErrors| -> Option<NaiveDate> {
        if s.trim().is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .or_else(|_| NaiveDate::parse_from_str(s.trim(), "%d-%m-%Y"))
        {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(field, tr.t("audit-error-date"));
                None
            }
        }
    };
    let from = parse_day(&p.from, "from", &mut errors);
    let to = parse_day(&p.to, "to", &mut errors);
    let page_number = page_number(&tr, p.side.as_deref())?;
    let local_midnight = |d: NaiveDate| {
        chrono_tz::Europe::Copenhagen
            .from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map(|t| t.with_timezone(&chrono::Utc))
    };
    let query = AuditQuery {
        text: Some(p.q.trim().to_string()).filter(|s| !s.is_empty()),
        action: Some(p.action.trim().to_string()).filter(|s| !s.is_empty()),
        from: from.and_then(local_midnight),
        to: to.and_then(|d| d.succ_opt()).and_then(local_midnight),
        limit: AUDIT_PAGE,
        offset: (page_number - 1) * AUDIT_PAGE,
    };
    let (events, total) = if errors.is_empty() {
        (
            audit::search(&state.db, state.municipality, &query).await?,
            audit::count(&state.db, state.municipality, &query).await?,
        )
    } else {
        (Vec::new(), 0)
    };
    let events = events.into_iter().map(|e| audit_line(&tr, e)).collect();
    let mut actions: Vec<(String, String)> =
        audit::actions(&state.db).await?.into_iter().map(|a| (action_label(&tr, &a), a)).map(|(l, a)| (a, l)).collect();
    actions.sort_by(|x, y| x.1.cmp(&y.1));
    let query_base =
        serde_urlencoded::to_string([("q", &p.q), ("action", &p.action), ("from", &p.from), ("to", &p.to)])
            .unwrap_or_default();
    let t = AuditTemplate {
        page: ctx.page(&state, tr.t("audit-title"), "audit"),
        events,
        actions,
        q: p.q,
        action: p.action,
        from: p.from,
        to: p.to,
        errors,
        page_number,
        pages: ((total + AUDIT_PAGE - 1) / AUDIT_PAGE).max(1),
        page_link: format!("/admin/log?{query_base}&side="),
    };
    Ok(render(&t))
}
