//! The audit log: who did what, when, to which subject. Entries are written in the same
//! transaction as the change they describe, and never updated or deleted by the app.

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::on_db;
use crate::platform::db::{Db, new_id};

/// An entry to record. `action` is a dotted name such as `organisation.import`.
#[derive(Clone, Debug, Default)]
pub struct AuditEntry {
    pub actor_account_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_label: String,
    pub detail: String,
    pub ip: String,
}

impl AuditEntry {
    /// An entry for work done by the system itself (the command line, the demo generator).
    pub fn system(action: &str, actor: &str) -> AuditEntry {
        AuditEntry { actor_name: actor.to_string(), action: action.to_string(), ..Default::default() }
    }

    pub fn subject(mut self, kind: &str, id: impl ToString, label: &str) -> AuditEntry {
        self.subject_kind = kind.to_string();
        self.subject_id = id.to_string();
        self.subject_label = label.to_string();
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> AuditEntry {
        self.detail = detail.into();
        self
    }

    /// Details as named fields, stored as one JSON object so the log page can show each
    /// with a label in the reader's language (`audit-field-<name>` in platform.ftl).
    pub fn fields<K: Into<String>>(mut self, fields: impl IntoIterator<Item = (K, serde_json::Value)>) -> AuditEntry {
        let object: serde_json::Map<String, serde_json::Value> =
            fields.into_iter().map(|(k, v)| (k.into(), v)).collect();
        self.detail = serde_json::Value::Object(object).to_string();
        self
    }
}

/// A recorded entry.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AuditEvent {
    pub at: DateTime<Utc>,
    pub actor_name: String,
    pub action: String,
    pub subject_kind: String,
    pub subject_id: String,
    pub subject_label: String,
    pub detail: String,
    pub ip: String,
}

/// Records `entry` inside an open transaction (or on a connection).
pub async fn record_in<'c, E, DB>(
    executor: E,
    municipality: Option<Uuid>,
    entry: &AuditEntry,
    at: DateTime<Utc>,
) -> sqlx::Result<()>
where
    E: sqlx::Executor<'c, Database = DB>,
    DB: sqlx::Database,
    for<'q> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    Uuid: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    Option<Uuid>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    String: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
    DateTime<Utc>: sqlx::Type<DB> + for<'q> sqlx::Encode<'q, DB>,
{
    sqlx::query(
        "INSERT INTO audit_event (id, municipality_id, at, actor_account_id, actor_name, action,
            subject_kind, subject_id, subject_label, detail, ip)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(new_id())
    .bind(municipality)
    .bind(at)
    .bind(entry.actor_account_id)
    .bind(entry.actor_name.clone())
    .bind(entry.action.clone())
    .bind(entry.subject_kind.clone())
    .bind(entry.subject_id.clone())
    .bind(entry.subject_label.clone())
    .bind(entry.detail.clone())
    .bind(entry.ip.clone())
    .execute(executor)
    .await?;
    Ok(())
}

/// Records `entry` on its own.
pub async fn record(db: &Db, municipality: Option<Uuid>, entry: &AuditEntry) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| record_in(p, municipality, entry, now).await)
}

/// What the audit search page asks for.
#[derive(Clone, Debug, Default)]
pub struct AuditQuery {
    /// Words matched (case-insensitively) against actor, action, subject and detail.
    pub text: Option<String>,
    pub action: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

/// Entries matching `query`, newest first.
pub async fn search(db: &Db, municipality: Uuid, query: &AuditQuery) -> sqlx::Result<Vec<AuditEvent>> {
    on_db!(db, |p| {
        let mut q = QueryBuilder::new(
            "SELECT at, actor_name, action, subject_kind, subject_id, subject_label, detail, ip
             FROM audit_event WHERE (municipality_id = ",
        );
        q.push_bind(municipality).push(" OR municipality_id IS NULL)");
        if let Some(action) = &query.action {
            q.push(" AND action = ").push_bind(action.clone());
        }
        if let Some(from) = query.from {
            q.push(" AND at >= ").push_bind(from);
        }
        if let Some(to) = query.to {
            q.push(" AND at < ").push_bind(to);
        }
        if let Some(text) = &query.text {
            // Case-insensitive on both backends (SQLite's LIKE folds only ASCII; lower() on
            // both sides keeps the match the same for ASCII and exact for the rest).
            for word in text.split_whitespace().take(5) {
                let pattern =
                    format!("%{}%", word.to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
                q.push(" AND (lower(actor_name) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(action) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(subject_label) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(subject_id) LIKE ")
                    .push_bind(pattern.clone())
                    .push(" ESCAPE '\\' OR lower(detail) LIKE ")
                    .push_bind(pattern)
                    .push(" ESCAPE '\\')");
            }
        }
        q.push(" ORDER BY at DESC, id DESC LIMIT ").push_bind(query.limit).push(" OFFSET ").push_bind(query.offset);
        q.build_query_as().fetch_all(p).await
    })
}

/// The distinct actions recorded, for the search form.
pub async fn actions(db: &Db) -> sqlx::Result<Vec<String>> {
    on_db!(db, |p| sqlx::query_scalar("SELECT DISTINCT action FROM audit_event ORDER BY action").fetch_all(p).await)
}
