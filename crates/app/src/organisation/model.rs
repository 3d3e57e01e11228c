//! The organisation's data as the rest of Samskab sees it: units, people, engagements,
//! manager posts, and the records an import delivers.

use chrono::NaiveDate;
use serde::Serialize;
use uuid::Uuid;

/// How a person is paid; the span-of-control report splits on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PayType {
    Hourly,
    Salaried,
}

impl PayType {
    pub fn as_str(self) -> &'static str {
        match self {
            PayType::Hourly => "hourly",
            PayType::Salaried => "salaried",
        }
    }

    /// Accepts the English keys and the Danish words municipalities use.
    pub fn parse(s: &str) -> Option<PayType> {
        match s.trim().to_lowercase().as_str() {
            "hourly" | "timelønnet" | "timeloennet" | "time" | "timeløn" => Some(PayType::Hourly),
            "salaried" | "månedslønnet" | "maanedsloennet" | "måned" | "månedsløn" | "fastlønnet" => {
                Some(PayType::Salaried)
            }
            _ => None,
        }
    }
}

/// Where a record came from, for error messages that name file, line and column.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitRecord {
    pub key: String,
    pub parent_key: Option<String>,
    pub name: String,
    pub unit_type: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonRecord {
    pub key: String,
    pub name: String,
    pub email: String,
    pub phone: String,
    pub origin: Origin,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngagementRecord {
    pub key: String,
    pub person_key: String,
    pub unit_key: String,
    pub job_title: String,
    pub pay_type: PayType,
    pub is_primary: bool,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub origin: Origin,
}

/// A manager post; `person_key` None is a vacant post.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagerRecord {
    pub key: String,
    pub unit_key: String,
    pub person_key: Option<String>,
    pub title: String,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    pub origin: Origin,
}

/// A whole organisation as one import delivers it. Applying it makes the database match:
/// new records are created, changed ones updated, missing ones closed.
#[derive(Clone, Debug, Default)]
pub struct OrgSnapshot {
    pub units: Vec<UnitRecord>,
    pub people: Vec<PersonRecord>,
    pub engagements: Vec<EngagementRecord>,
    pub managers: Vec<ManagerRecord>,
}

/// What applying a snapshot changed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub units_created: u64,
    pub units_updated: u64,
    pub units_closed: u64,
    pub people_created: u64,
    pub people_updated: u64,
    pub engagements_created: u64,
    pub engagements_updated: u64,
    pub engagements_closed: u64,
    pub managers_created: u64,
    pub managers_updated: u64,
    pub managers_closed: u64,
    /// An earlier import stopped part-way (its process died); this one completed the
    /// organisation it left half-written.
    pub completed_interrupted_import: bool,
}

impl ImportSummary {
    pub fn changed_anything(&self) -> bool {
        let counts_only = ImportSummary { completed_interrupted_import: false, ..self.clone() };
        counts_only != ImportSummary::default()
    }
}

/// A unit as pages show it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Unit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub unit_type: String,
    pub depth: i64,
    pub tree_left: i64,
    pub tree_right: i64,
    /// Current engagements in the unit and all units below it.
    pub headcount: i64,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
}

/// One line of the span-of-control report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct SpanRow {
    #[serde(skip)]
    pub person_id: Uuid,
    #[serde(skip)]
    pub unit_id: Uuid,
    #[serde(rename = "leader")]
    pub leader_name: String,
    pub email: String,
    #[serde(rename = "unit")]
    pub unit_name: String,
    pub level: i64,
    #[serde(rename = "direct")]
    pub direct_reports: i64,
    #[serde(rename = "total")]
    pub total_reports: i64,
    #[serde(rename = "leaders")]
    pub leader_reports: i64,
    pub hourly: i64,
    pub salaried: i64,
}

/// A report line with what filtering needs: the department it belongs to and its place in
/// the tree.
#[derive(Clone, Debug)]
pub struct SpanEntry {
    pub row: SpanRow,
    pub department: Option<Uuid>,
    pub tree_left: i64,
}

/// A person in a unit's staff list.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct StaffMember {
    pub person_id: Uuid,
    pub name: String,
    pub email: String,
    pub job_title: String,
    pub pay_type: String,
}

/// A person with contact details.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Person {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub phone: String,
}

/// A person found by a search, with their primary engagement.
#[derive(Clone, Debug)]
pub struct PersonHit {
    pub person: Person,
    pub unit_id: Uuid,
    pub unit: String,
    pub job_title: String,
}

/// A person's engagement or manager post, joined with the unit's name.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct PersonPost {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub title: String,
    pub pay_type: String,
    pub is_manager: bool,
}

/// Lowercases for case-insensitive search; SQLite's lower() folds ASCII only.
pub fn normalise(s: &str) -> String {
    s.trim().to_lowercase()
}

/// A key that sorts Danish names in Danish order (… x, y, z, æ, ø, å).
pub fn danish_sort_key(s: &str) -> String {
    let lower = s.to_lowercase().replace("aa", "å");
    lower
        .chars()
        .map(|c| match c {
            'æ' | 'ä' => '\u{7b}',
            'ø' | 'ö' => '\u{7c}',
            'å' => '\u{7d}',
            other => other,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn danish_order() {
        let mut names = vec!["Åby", "Ørum", "Ærø", "Zealand", "Aabenraa", "Ans"];
        names.sort_by_key(|n| danish_sort_key(n));
        assert_eq!(names, vec!["Ans", "Zealand", "Ærø", "Ørum", "Aabenraa", "Åby"]);
    }

    #[test]
    fn pay_type_words() {
        assert_eq!(PayType::parse("Timelønnet"), Some(PayType::Hourly));
        assert_eq!(PayType::parse("salaried"), Some(PayType::Salaried));
        assert_eq!(PayType::parse("weekly"), None);
    }
}
