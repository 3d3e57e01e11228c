//! The audit log's template structs.

use askama::Template;

use crate::platform::layout::{FormErrors, Page};

#[derive(Template)]
#[template(path = "audit/audit.html")]
pub struct AuditTemplate {
    pub page: Page,
    pub events: Vec<AuditLine>,
    /// (value, label) of every recorded action, for the filter.
    pub actions: Vec<(String, String)>,
    pub q: String,
    pub action: String,
    pub from: String,
    pub to: String,
    pub errors: FormErrors,
    pub page_number: i64,
    pub pages: i64,
    pub page_link: String,
}

/// One audit entry as a person reads it: names in their language, the subject linked to its
/// page, the details as labelled values.
pub struct AuditLine {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub subject_kind: String,
    pub subject: String,
    pub subject_href: Option<String>,
    pub details: Vec<(String, String)>,
    pub ip: String,
}
