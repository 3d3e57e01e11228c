//! The audit log's records.

use chrono::{DateTime, Utc};
use uuid::Uuid;

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
