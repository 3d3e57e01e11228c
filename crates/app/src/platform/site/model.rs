//! The site's records.

use uuid::Uuid;

/// The municipality an installation serves. Every table of municipal data carries a
/// `municipality_id`; a normal installation has exactly one municipality.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Municipality {
    pub id: Uuid,
    pub name: String,
}
