//! All of feedback's SQL: the instrument library and the series here, the rounds with their
//! links, codes and totals in `rounds.rs`, a whole round written at once in `bulk.rs`. Every
//! write and its audit entry are one transaction; an answer in a round is stored with no
//! person and no time finer than its day, and its link is marked answered in the same
//! transaction, so a link answers once.

use analysis::measures::Definition;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Instrument, InstrumentInput, Purpose, Round, Series, SeriesResponse, SubjectKind};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::mail::Outgoing;
use crate::platform::mail::store::queue_in;
use crate::platform::module::Cohort;

/// The audit log's names.
pub const AUDIT_KIND_INSTRUMENT: &str = "instrument";
pub const AUDIT_KIND_SERIES: &str = "feedback_series";
pub const AUDIT_KIND_ROUND: &str = "feedback_round";

type InstrumentRow = (Uuid, String, String, String, String, i32, i32, i32, String);

fn instrument(row: InstrumentRow) -> Option<Instrument> {
    let (id, key, name, purpose, licence, min_answers, min_text_answers, version, definition) = row;
    Some(Instrument {
        id,
        key,
        name,
        purpose: Purpose::parse(&purpose)?,
        licence,
        min_answers,
        min_text_answers,
        version,
        definition: serde_json::from_str(&definition).ok()?,
    })
}

const INSTRUMENT_COLUMNS: &str = "i.id, i.key, i.name, i.purpose, i.licence, i.min_answers, i.min_text_answers,
     i.version, v.definition";

/// The municipality's instruments with their current definitions, by name.
pub async fn instruments(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<Instrument>> {
    let rows: Vec<InstrumentRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLUMNS} FROM instrument i
             JOIN instrument_version v ON v.instrument_id = i.id AND v.version = i.version
             WHERE i.municipality_id = $1 ORDER BY i.name, i.key"
        )))
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().filter_map(instrument).collect())
}

/// One instrument by id or key, with its current definition.
pub async fn instrument_by(db: &Db, municipality: Uuid, id_or_key: &str) -> sqlx::Result<Option<Instrument>> {
    let id = Uuid::parse_str(id_or_key).ok();
    let row: Option<InstrumentRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLUMNS} FROM instrument i
             JOIN instrument_version v ON v.instrument_id = i.id AND v.version = i.version
             WHERE i.municipality_id = $1 AND (i.id = $2 OR i.key = $3)"
        )))
        .bind(municipality)
        .bind(id)
        .bind(id_or_key)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.and_then(instrument))
}

/// Adds an instrument, or a new version of the one with the same key. Returns (id, version).
pub async fn save_instrument(
    db: &Db,
    municipality: Uuid,
    input: &InstrumentInput,
    entry: AuditEntry,
) -> sqlx::Result<(Uuid, i32)> {
    let now = Utc::now();
    let definition = serde_json::to_string(&input.definition).unwrap_or_default();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let known: Option<(Uuid, i32)> =
            sqlx::query_as("SELECT id, version FROM instrument WHERE municipality_id = $1 AND key = $2")
                .bind(municipality)
                .bind(&input.key)
                .fetch_optional(&mut *tx)
                .await?;
        let (id, version) = match known {
            Some((id, version)) => {
                sqlx::query(
                    "UPDATE instrument SET name = $2, purpose = $3, licence = $4, min_answers = $5,
                     min_text_answers = $6, version = $7 WHERE id = $1",
                )
                .bind(id)
                .bind(&input.name)
                .bind(input.purpose.key())
                .bind(&input.licence)
                .bind(input.min_answers)
                .bind(input.min_text_answers)
                .bind(version + 1)
                .execute(&mut *tx)
                .await?;
                (id, version + 1)
            }
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO instrument (id, municipality_id, key, name, purpose, licence, min_answers,
                     min_text_answers, version, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9)",
                )
                .bind(id)
                .bind(municipality)
                .bind(&input.key)
                .bind(&input.name)
                .bind(input.purpose.key())
                .bind(&input.licence)
                .bind(input.min_answers)
                .bind(input.min_text_answers)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (id, 1)
            }
        };
        sqlx::query(
            "INSERT INTO instrument_version (instrument_id, version, definition, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(version)
        .bind(&definition)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = entry.subject(AUDIT_KIND_INSTRUMENT, id, &input.name).detail(format!("version {version}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok((id, version))
    })
}

/// A new series.
pub struct NewSeries<'a> {
    pub instrument: Uuid,
    pub subject_kind: SubjectKind,
    pub subject: &'a str,
    pub unit: Option<Uuid>,
    pub owner: Option<Uuid>,
    pub age: Option<i32>,
    pub label: &'a str,
}

pub async fn create_series(db: &Db, municipality: Uuid, s: &NewSeries<'_>, entry: AuditEntry) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback_series (id, municipality_id, instrument_id, subject_kind, subject_ref, unit_id,
             owner_account_id, age, label, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(municipality)
        .bind(s.instrument)
        .bind(s.subject_kind.key())
        .bind(s.subject)
        .bind(s.unit)
        .bind(s.owner)
        .bind(s.age)
        .bind(s.label)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = entry.subject(AUDIT_KIND_SERIES, id, s.label);
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

type SeriesRow = (Uuid, Uuid, String, String, Option<Uuid>, Option<Uuid>, Option<i32>, String, chrono::DateTime<Utc>);

fn series_of(row: SeriesRow) -> Option<Series> {
    let (id, instrument_id, kind, subject, unit_id, owner_account_id, age, label, created_at) = row;
    Some(Series {
        id,
        instrument_id,
        subject_kind: SubjectKind::parse(&kind)?,
        subject,
        unit_id,
        owner_account_id,
        age,
        label,
        created_at,
    })
}

const SERIES_COLUMNS: &str =
    "id, instrument_id, subject_kind, subject_ref, unit_id, owner_account_id, age, label, created_at";

pub async fn series(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Series>> {
    let row: Option<SeriesRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SERIES_COLUMNS} FROM feedback_series WHERE id = $1 AND municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.and_then(series_of))
}

/// A series' answers in session order (each rater's in turn).
pub async fn series_responses(db: &Db, series: Uuid) -> sqlx::Result<Vec<SeriesResponse>> {
    let rows: Vec<(Uuid, i32, String, f64, i32, NaiveDate)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, session, rater, score, version, answered_on FROM feedback_response
             WHERE series_id = $1 ORDER BY session, rater, id",
        )
        .bind(series)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, session, rater, score, version, answered_on)| SeriesResponse {
            id,
            session,
            rater,
            score,
            version,
            answered_on,
        })
        .collect())
}

/// An answer to keep.
pub struct NewResponse<'a> {
    pub instrument: Uuid,
    pub version: i32,
    /// The session, or the next of this rater's.
    pub session: Option<i32>,
    pub rater: &'a str,
    /// The answers as JSON (item key → value).
    pub answers: &'a str,
    pub score: f64,
    pub answered_on: NaiveDate,
}

/// Adds an answer to a series, with its audit entry (a citizen's answers are personal data).
/// Returns the answer's id and session; None when the session is taken for this rater.
pub async fn add_series_response(
    db: &Db,
    municipality: Uuid,
    series: &Series,
    r: &NewResponse<'_>,
    entry: AuditEntry,
) -> sqlx::Result<Option<(Uuid, i32)>> {
    let now = Utc::now();
    let id = Uuid::new_v4();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let last: Option<i32> =
            sqlx::query_scalar("SELECT MAX(session) FROM feedback_response WHERE series_id = $1 AND rater = $2")
                .bind(series.id)
                .bind(r.rater)
                .fetch_one(&mut *tx)
                .await?;
        let session = r.session.unwrap_or(last.unwrap_or(0) + 1);
        let taken: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM feedback_response WHERE series_id = $1 AND rater = $2 AND session = $3",
        )
        .bind(series.id)
        .bind(r.rater)
        .bind(session)
        .fetch_one(&mut *tx)
        .await?;
        if taken > 0 {
            return Ok(None);
        }
        sqlx::query(
            "INSERT INTO feedback_response (id, instrument_id, version, series_id, round_id, unit_id, session, rater,
             answers, score, answered_on) VALUES ($1, $2, $3, $4, NULL, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(r.instrument)
        .bind(r.version)
        .bind(series.id)
        .bind(series.unit_id)
        .bind(session)
        .bind(r.rater)
        .bind(r.answers)
        .bind(r.score)
        .bind(r.answered_on)
        .execute(&mut *tx)
        .await?;
        let entry = entry.subject(AUDIT_KIND_SERIES, series.id, &series.label).detail(format!("session {session}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(Some((id, session)))
    })
}

/// Every series of an instrument as (series, session, score) of the subject's own answers,
/// for fitting the expected-response model.
pub async fn instrument_points(db: &Db, instrument: Uuid) -> sqlx::Result<Vec<(Uuid, i32, f64)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT r.series_id, r.session, r.score FROM feedback_response r
             WHERE r.instrument_id = $1 AND r.series_id IS NOT NULL AND r.rater = 'self'
             ORDER BY r.series_id, r.session",
        )
        .bind(instrument)
        .fetch_all(p)
        .await
    })
}

/// Every series of an instrument, for the effect along the organisation.
pub async fn series_of_instrument(db: &Db, municipality: Uuid, instrument: Uuid) -> sqlx::Result<Vec<Series>> {
    let rows: Vec<SeriesRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SERIES_COLUMNS} FROM feedback_series WHERE municipality_id = $1 AND instrument_id = $2"
        )))
        .bind(municipality)
        .bind(instrument)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().filter_map(series_of).collect())
}

/// The labels an instrument's series carry, in order.
pub async fn series_labels(db: &Db, municipality: Uuid, instrument: Uuid) -> sqlx::Result<Vec<String>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT DISTINCT label FROM feedback_series WHERE municipality_id = $1 AND instrument_id = $2
             AND label <> '' ORDER BY label",
        )
        .bind(municipality)
        .bind(instrument)
        .fetch_all(p)
        .await
    })
}

/// The series a professional follows, the newest first.
pub async fn owned_series(db: &Db, municipality: Uuid, account: Uuid) -> sqlx::Result<Vec<Series>> {
    let rows: Vec<SeriesRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {SERIES_COLUMNS} FROM feedback_series WHERE municipality_id = $1 AND owner_account_id = $2
             ORDER BY created_at DESC, id"
        )))
        .bind(municipality)
        .bind(account)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().filter_map(series_of).collect())
}

mod bulk;
mod rounds;
pub use bulk::{BulkAnswer, write_round_with_answers};
pub use rounds::*;
