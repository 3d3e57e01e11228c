//! All of feedback's SQL. Every write and its audit entry are one transaction; an answer in a
//! round is stored with no person and no time finer than its day, and its link is marked
//! answered in the same transaction, so a link answers once.

use analysis::measures::Definition;
use chrono::{NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Instrument, InstrumentInput, Purpose, Round, Series, SeriesResponse, SubjectKind};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::mail::Outgoing;
use crate::platform::mail::store::queue_in;

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

/// A round to create, with a link per person: (token hash, unit, person).
pub struct NewRound<'a> {
    pub instrument: Uuid,
    pub version: i32,
    pub title: &'a str,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub links: Vec<(String, Uuid, Uuid)>,
    /// The invitations with the personal links, queued with the round.
    pub letters: Vec<Outgoing>,
}

pub async fn create_round(db: &Db, municipality: Uuid, r: &NewRound<'_>, entry: AuditEntry) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback_round (id, municipality_id, instrument_id, version, title, opens, closes, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(municipality)
        .bind(r.instrument)
        .bind(r.version)
        .bind(r.title)
        .bind(r.opens)
        .bind(r.closes)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (hash, unit, person) in &r.links {
            sqlx::query(
                "INSERT INTO feedback_round_link (token_hash, round_id, unit_id, person_id, answered)
                 VALUES ($1, $2, $3, $4, FALSE)",
            )
            .bind(hash)
            .bind(id)
            .bind(unit)
            .bind(person)
            .execute(&mut *tx)
            .await?;
        }
        queue_in(&mut *tx, municipality, &round_batch(id), &r.letters, now).await?;
        let entry = entry.subject(AUDIT_KIND_ROUND, id, r.title).detail(format!("{} links", r.links.len()));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The outbox batch of a round's letters.
pub fn round_batch(round: Uuid) -> String {
    format!("round:{round}")
}

/// The people of a round who have not answered.
pub async fn unanswered(db: &Db, round: Uuid) -> sqlx::Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT person_id FROM feedback_round_link WHERE round_id = $1 AND answered = FALSE ORDER BY person_id",
        )
        .bind(round)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// A new personal link for a person who has not answered, and the letter that carries it.
pub struct RenewedLink {
    pub person: Uuid,
    pub token_hash: String,
    pub letter: Option<Outgoing>,
}

/// Gives each person a new link in place of the old one (only the hash is kept, so a
/// reminder can carry a link only by making a new one) and queues its letter; someone who
/// answered meanwhile keeps theirs and gets nothing. The number of links renewed.
pub async fn renew_links(
    db: &Db,
    municipality: Uuid,
    round: Uuid,
    renewed: &[RenewedLink],
    entry: AuditEntry,
) -> sqlx::Result<usize> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let mut letters = Vec::new();
        for r in renewed {
            let done = sqlx::query(
                "UPDATE feedback_round_link SET token_hash = $1
                 WHERE round_id = $2 AND person_id = $3 AND answered = FALSE",
            )
            .bind(&r.token_hash)
            .bind(round)
            .bind(r.person)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done > 0 {
                letters.extend(r.letter.clone());
            }
        }
        queue_in(&mut *tx, municipality, &round_batch(round), &letters, now).await?;
        let entry = entry.subject(AUDIT_KIND_ROUND, round, "").detail(format!("{} reminders", letters.len()));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(letters.len())
    })
}

/// How many links a round has and how many have answered.
pub async fn round_counts(db: &Db, round: Uuid) -> sqlx::Result<(i64, i64)> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN answered THEN 1 ELSE 0 END), 0)
             FROM feedback_round_link WHERE round_id = $1",
        )
        .bind(round)
        .fetch_one(p)
        .await
    })
}

type RoundRow = (Uuid, Uuid, i32, String, NaiveDate, NaiveDate);

fn round_of((id, instrument_id, version, title, opens, closes): RoundRow) -> Round {
    Round { id, instrument_id, version, title, opens, closes }
}

pub async fn round(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Round>> {
    let row: Option<RoundRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, instrument_id, version, title, opens, closes FROM feedback_round
             WHERE id = $1 AND municipality_id = $2",
        )
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(round_of))
}

/// A round with its instrument (the current definition), read at once for the aggregates:
/// none when the round is not the municipality's or not of that instrument (id or key).
pub async fn round_with_instrument(
    db: &Db,
    municipality: Uuid,
    round: Uuid,
    id_or_key: &str,
) -> sqlx::Result<Option<(Instrument, Round)>> {
    type Row =
        (Uuid, String, String, String, String, i32, i32, i32, String, Uuid, Uuid, i32, String, NaiveDate, NaiveDate);
    let id = Uuid::parse_str(id_or_key).ok();
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLUMNS}, r.id, r.instrument_id, r.version, r.title, r.opens, r.closes
             FROM feedback_round r
             JOIN instrument i ON i.id = r.instrument_id
             JOIN instrument_version v ON v.instrument_id = i.id AND v.version = i.version
             WHERE r.id = $1 AND r.municipality_id = $2 AND (i.id = $3 OR i.key = $4)"
        )))
        .bind(round)
        .bind(municipality)
        .bind(id)
        .bind(id_or_key)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.and_then(|(a, b, c, d, e, f, g, h, i, r0, r1, r2, r3, r4, r5)| {
        Some((instrument((a, b, c, d, e, f, g, h, i))?, round_of((r0, r1, r2, r3, r4, r5))))
    }))
}

/// An instrument's rounds, the latest first.
pub async fn rounds(db: &Db, instrument: Uuid) -> sqlx::Result<Vec<Round>> {
    let rows: Vec<RoundRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, instrument_id, version, title, opens, closes FROM feedback_round
             WHERE instrument_id = $1 ORDER BY opens DESC, id",
        )
        .bind(instrument)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(round_of).collect())
}

/// The hash of a person's link in a round (their signed-in door to it).
pub async fn link_hash_of(db: &Db, municipality: Uuid, round: Uuid, person: Uuid) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT l.token_hash FROM feedback_round_link l JOIN feedback_round r ON r.id = l.round_id
             WHERE l.round_id = $1 AND l.person_id = $2 AND r.municipality_id = $3",
        )
        .bind(round)
        .bind(person)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(|(h,)| h))
}

/// The open rounds a person has a link in and has not answered, the soonest to close first.
pub async fn open_rounds_of(db: &Db, municipality: Uuid, person: Uuid, today: NaiveDate) -> sqlx::Result<Vec<Round>> {
    let rows: Vec<RoundRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT r.id, r.instrument_id, r.version, r.title, r.opens, r.closes
             FROM feedback_round_link l JOIN feedback_round r ON r.id = l.round_id
             WHERE l.person_id = $1 AND l.answered = FALSE AND r.municipality_id = $2
               AND r.opens <= $3 AND r.closes >= $3
             ORDER BY r.closes, r.id",
        )
        .bind(person)
        .bind(municipality)
        .bind(today)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(round_of).collect())
}

/// The way into a round: a personal link (answers once) or a workshop code (answers as many
/// times as it has uses).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Door {
    Link,
    Code,
}

/// What a personal link or a workshop code opens: its round and unit, whether it can no
/// longer answer, and the instrument as the round asks it (the round's version of the
/// definition, the name, the licence note and the threshold), read at once since the
/// answering page is on every phone.
pub struct LinkRow {
    pub door: Door,
    pub round: Round,
    pub unit: Uuid,
    pub answered: bool,
    pub definition: Definition,
    pub name: String,
    pub licence: String,
    pub min_answers: i32,
}

type LinkColumns = (Uuid, Uuid, i32, String, NaiveDate, NaiveDate, Uuid, bool, String, String, String, i32);

const LINK_SELECT: &str = "SELECT r.id, r.instrument_id, r.version, r.title, r.opens, r.closes, l.unit_id,
        {answered}, v.definition, i.name, i.licence, i.min_answers
     FROM {table} l
     JOIN feedback_round r ON r.id = l.round_id
     JOIN instrument i ON i.id = r.instrument_id
     JOIN instrument_version v ON v.instrument_id = r.instrument_id AND v.version = r.version
     WHERE l.{key} = $1 AND r.municipality_id = $2";

/// The personal link or workshop code behind a token's hash.
pub async fn link(db: &Db, municipality: Uuid, token_hash: &str) -> sqlx::Result<Option<LinkRow>> {
    for door in [Door::Link, Door::Code] {
        let (table, key, answered) = match door {
            Door::Link => ("feedback_round_link", "token_hash", "l.answered"),
            Door::Code => ("feedback_round_code", "code_hash", "l.used >= l.uses"),
        };
        let sql = LINK_SELECT.replace("{answered}", answered).replace("{table}", table).replace("{key}", key);
        let row: Option<LinkColumns> = on_db!(db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(municipality).fetch_optional(p).await
        })?;
        if let Some((id, instrument, version, title, opens, closes, unit, answered, definition, name, licence, k)) = row
        {
            return Ok(serde_json::from_str(&definition).ok().map(|definition| LinkRow {
                door,
                round: round_of((id, instrument, version, title, opens, closes)),
                unit,
                answered,
                definition,
                name,
                licence,
                min_answers: k,
            }));
        }
    }
    Ok(None)
}

/// Makes a workshop code for a round: `uses` answers for `unit`, with its audit entry.
pub async fn create_code(
    db: &Db,
    municipality: Uuid,
    round: &Round,
    code_hash: &str,
    unit: Uuid,
    uses: i32,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback_round_code (code_hash, round_id, unit_id, uses, used, created_at)
             VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(code_hash)
        .bind(round.id)
        .bind(unit)
        .bind(uses)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = entry.subject(AUDIT_KIND_ROUND, round.id, &round.title).detail(format!("code for {uses}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A round's workshop codes: (unit, uses, used), the newest first.
pub async fn codes(db: &Db, round: Uuid) -> sqlx::Result<Vec<(Uuid, i32, i32)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT unit_id, uses, used FROM feedback_round_code WHERE round_id = $1 ORDER BY created_at DESC",
        )
        .bind(round)
        .fetch_all(p)
        .await
    })
}

/// Answers a round through a door: marks a link answered (once only) or takes one of a
/// code's uses, keeps the answer with its unit and day but no person, and adds it to the
/// round's totals and distributions, all at once. `items` are the scored items' values.
/// False when the link had already answered or the code is used up.
pub async fn answer_round(
    db: &Db,
    (door, token_hash): (Door, &str),
    round: &Round,
    unit: Uuid,
    r: &NewResponse<'_>,
    items: &[(String, f64)],
) -> sqlx::Result<bool> {
    let mark = match door {
        Door::Link => "UPDATE feedback_round_link SET answered = TRUE WHERE token_hash = $1 AND answered = FALSE",
        Door::Code => "UPDATE feedback_round_code SET used = used + 1 WHERE code_hash = $1 AND used < uses",
    };
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let marked = sqlx::query(mark).bind(token_hash).execute(&mut *tx).await?;
        if marked.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO feedback_response (id, instrument_id, version, series_id, round_id, unit_id, session, rater,
             answers, score, answered_on) VALUES ($1, $2, $3, NULL, $4, $5, NULL, 'self', $6, $7, $8)",
        )
        .bind(Uuid::new_v4())
        .bind(r.instrument)
        .bind(r.version)
        .bind(round.id)
        .bind(unit)
        .bind(r.answers)
        .bind(r.score)
        .bind(r.answered_on)
        .execute(&mut *tx)
        .await?;
        // The score has no distribution; each item counts under its whole value.
        let score = [(String::new(), r.score, [0; SPREAD_VALUES])];
        let items = items.iter().map(|(item, value)| (item.clone(), *value, one_at(*value)));
        for (item, value, spread) in score.into_iter().chain(items) {
            let mut q = sqlx::query(ADD_TO_TOTALS).bind(round.id).bind(unit).bind(item).bind(value).bind(value * value);
            for count in spread {
                q = q.bind(count);
            }
            q.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    })
}

/// The whole values a distribution counts: 0 to 10 (every 0–10 line, Likert and yes/no
/// scale); an answer outside them leaves its distribution short of the count, so none is shown.
pub const SPREAD_VALUES: usize = 11;

/// How many gave each whole value from 0 to 10.
pub type Spread = [i32; SPREAD_VALUES];

/// One answer's place in a distribution.
pub fn one_at(value: f64) -> Spread {
    let mut spread = [0; SPREAD_VALUES];
    let whole = value.round();
    if (0.0..SPREAD_VALUES as f64).contains(&whole) {
        spread[whole as usize] = 1;
    }
    spread
}

/// Adds an answer's value (its square, its place in the distribution) to a unit's totals.
const ADD_TO_TOTALS: &str = "INSERT INTO feedback_total (round_id, unit_id, item, n, total, squares,
        v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10)
     VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     ON CONFLICT (round_id, item, unit_id) DO UPDATE SET n = feedback_total.n + 1,
        total = feedback_total.total + excluded.total, squares = feedback_total.squares + excluded.squares,
        v0 = feedback_total.v0 + excluded.v0, v1 = feedback_total.v1 + excluded.v1,
        v2 = feedback_total.v2 + excluded.v2, v3 = feedback_total.v3 + excluded.v3,
        v4 = feedback_total.v4 + excluded.v4, v5 = feedback_total.v5 + excluded.v5,
        v6 = feedback_total.v6 + excluded.v6, v7 = feedback_total.v7 + excluded.v7,
        v8 = feedback_total.v8 + excluded.v8, v9 = feedback_total.v9 + excluded.v9,
        v10 = feedback_total.v10 + excluded.v10";

/// A unit's running totals of an item in a round: its own people's answers.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub n: i64,
    pub sum: f64,
    pub squares: f64,
    pub spread: [i64; SPREAD_VALUES],
}

type TotalsRow = (Uuid, i32, f64, f64, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32);

/// A round's totals for an item ('' for the score), per unit with answers from its own people.
pub async fn totals(db: &Db, round: Uuid, item: &str) -> sqlx::Result<Vec<(Uuid, Totals)>> {
    let rows: Vec<TotalsRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT unit_id, n, total, squares, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10
             FROM feedback_total WHERE round_id = $1 AND item = $2",
        )
        .bind(round)
        .bind(item)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(u, n, sum, squares, v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10)| {
            let spread = [v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10].map(i64::from);
            (u, Totals { n: i64::from(n), sum, squares, spread })
        })
        .collect())
}

/// Who has not answered a round yet: (person, unit), for reminders.
pub async fn not_answered(db: &Db, round: Uuid) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT person_id, unit_id FROM feedback_round_link WHERE round_id = $1 AND answered = FALSE")
            .bind(round)
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
pub use bulk::{BulkAnswer, write_round_with_answers};
