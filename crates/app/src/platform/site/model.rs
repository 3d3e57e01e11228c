//! The site's records.

use uuid::Uuid;

/// The municipality an installation serves. Every table of municipal data carries a
/// `municipality_id`; a normal installation has exactly one municipality.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Municipality {
    pub id: Uuid,
    pub name: String,
}

/// One of the municipality's core tasks (kerneopgaver), the taxonomy stories and inputs
/// are tagged with.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CoreTask {
    /// A stable key (`laering`), used in URLs and the API.
    pub key: String,
    pub name_da: String,
    pub name_en: String,
}

impl CoreTask {
    pub fn name(&self, lang: &crate::platform::i18n::Lang) -> &str {
        match lang {
            crate::platform::i18n::Lang::Da => &self.name_da,
            crate::platform::i18n::Lang::En => &self.name_en,
        }
    }
}

/// Hedensted's four core tasks, every municipality's start.
pub const DEFAULT_CORE_TASKS: [(&str, &str, &str); 4] = [
    ("fritid-faellesskab", "Fritid & Fællesskab", "Leisure & Community"),
    ("laering", "Læring", "Learning"),
    ("beskaeftigelse", "Beskæftigelse", "Employment"),
    ("social-omsorg", "Social Omsorg", "Social Care"),
];
