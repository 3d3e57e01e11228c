//! Rounds: sending one with its personal links, reminding, the doors into it (a personal
//! link answers once, a workshop code once per use), answering without identity, and the
//! running totals with their distributions that the aggregates read.

use super::*;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A personal link to create: its token's hash, whom it goes to and the unit its answer
/// counts for; in a 360° round also the leader it asks about and the rater group.
#[derive(Clone, Debug)]
pub struct NewLink {
    pub token_hash: String,
    pub unit: Uuid,
    pub person: Uuid,
    pub subject: Option<Uuid>,
    pub rater: String,
}

impl NewLink {
    /// A survey's link: no subject, no rater group.
    pub fn survey(token_hash: String, unit: Uuid, person: Uuid) -> NewLink {
        NewLink { token_hash, unit, person, subject: None, rater: String::new() }
    }
}

/// A round to create, with its personal links.
pub struct NewRound<'a> {
    pub instrument: Uuid,
    pub version: i32,
    pub title: &'a str,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub links: Vec<NewLink>,
    /// The cohort it was sent to instead of units (a programme's participants).
    pub cohort: Option<Cohort>,
    /// The invitations with the personal links, queued with the round.
    pub letters: Vec<Outgoing>,
}

/// Creates a round with its links (none answered yet) and its letters, with its audit entry,
/// in one transaction: a round written at once with no answers.
pub async fn create_round(db: &Db, municipality: Uuid, r: &NewRound<'_>, entry: AuditEntry) -> sqlx::Result<Uuid> {
    write_round_with_answers(db, municipality, r, &[], &[], Utc::now().date_naive(), entry).await
}

/// The cohort a round was sent to, if it was.
pub async fn round_cohort(db: &Db, round: Uuid) -> sqlx::Result<Option<Cohort>> {
    let row: Option<(Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as("SELECT cohort_id, cohort_name FROM feedback_round WHERE id = $1")
            .bind(round)
            .fetch_optional(p)
            .await
    })?;
    Ok(row.and_then(|(id, name)| Some(Cohort { id: id?, name })))
}

/// The names of the cohorts the municipality's rounds were sent to, by round (for the list,
/// in one read).
pub async fn cohort_names(db: &Db, municipality: Uuid) -> sqlx::Result<std::collections::HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, cohort_name FROM feedback_round WHERE municipality_id = $1 AND cohort_id IS NOT NULL",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().collect())
}

/// The outbox batch of a round's letters.
pub fn round_batch(round: Uuid) -> String {
    format!("round:{round}")
}

/// A link of a round that has not answered: its hash, whom it went to, and in a 360° round
/// whom it asks about in which rater group.
pub struct UnansweredLink {
    pub token_hash: String,
    pub person: Uuid,
    pub subject: Option<Uuid>,
    pub rater: String,
}

/// The links of a round that have not answered.
pub async fn unanswered(db: &Db, round: Uuid) -> sqlx::Result<Vec<UnansweredLink>> {
    let rows: Vec<(String, Uuid, Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT token_hash, person_id, subject_id, rater FROM feedback_round_link
             WHERE round_id = $1 AND answered = FALSE ORDER BY person_id, token_hash",
        )
        .bind(round)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(token_hash, person, subject, rater)| UnansweredLink { token_hash, person, subject, rater })
        .collect())
}

/// A new personal link in place of one that has not answered, and the letter that carries it.
pub struct RenewedLink {
    pub old_hash: String,
    pub token_hash: String,
    pub letter: Option<Outgoing>,
}

/// Gives each link a new token in place of the old one (only the hash is kept, so a
/// reminder can carry a link only by making a new one) and queues its letter; a link
/// answered meanwhile keeps its token and gets nothing. The number of links renewed.
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
                 WHERE round_id = $2 AND token_hash = $3 AND answered = FALSE",
            )
            .bind(&r.token_hash)
            .bind(round)
            .bind(&r.old_hash)
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
    round_joined(db, municipality, round, "i.version", Some(id_or_key)).await
}

/// A round with its instrument as the round asked it (the definition of the round's
/// version): none when the round is not the municipality's.
pub async fn round_as_asked(db: &Db, municipality: Uuid, round: Uuid) -> sqlx::Result<Option<(Instrument, Round)>> {
    round_joined(db, municipality, round, "r.version", None).await
}

/// A round joined with its instrument at `version` (`i.version`, the current definition, or
/// `r.version`, the round's), of that instrument when one is named.
async fn round_joined(
    db: &Db,
    municipality: Uuid,
    round: Uuid,
    version: &'static str,
    id_or_key: Option<&str>,
) -> sqlx::Result<Option<(Instrument, Round)>> {
    type Row =
        (Uuid, String, String, String, String, i32, i32, i32, String, Uuid, Uuid, i32, String, NaiveDate, NaiveDate);
    let id = id_or_key.and_then(|k| Uuid::parse_str(k).ok());
    let row: Option<Row> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {INSTRUMENT_COLUMNS}, r.id, r.instrument_id, r.version, r.title, r.opens, r.closes
             FROM feedback_round r
             JOIN instrument i ON i.id = r.instrument_id
             JOIN instrument_version v ON v.instrument_id = i.id AND v.version = {version}
             WHERE r.id = $1 AND r.municipality_id = $2 AND ($5 OR i.id = $3 OR i.key = $4)"
        )))
        .bind(round)
        .bind(municipality)
        .bind(id)
        .bind(id_or_key.unwrap_or_default())
        .bind(id_or_key.is_none())
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

/// The hash of a person's link in a round (their signed-in door to it); in a 360° round the
/// link that asks about `subject`.
pub async fn link_hash_of(
    db: &Db,
    municipality: Uuid,
    round: Uuid,
    person: Uuid,
    subject: Option<Uuid>,
) -> sqlx::Result<Option<String>> {
    let rows: Vec<(String, Option<Uuid>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT l.token_hash, l.subject_id FROM feedback_round_link l JOIN feedback_round r ON r.id = l.round_id
             WHERE l.round_id = $1 AND l.person_id = $2 AND r.municipality_id = $3",
        )
        .bind(round)
        .bind(person)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().find(|(_, s)| *s == subject).map(|(h, _)| h))
}

/// A round a person is still to answer: in a 360° round once per leader they are asked
/// about, with the rater group.
pub struct OpenAsk {
    pub round: Round,
    pub subject: Option<Uuid>,
    pub rater: String,
}

/// The open rounds a person has a link in and has not answered, the soonest to close first.
pub async fn open_rounds_of(db: &Db, municipality: Uuid, person: Uuid, today: NaiveDate) -> sqlx::Result<Vec<OpenAsk>> {
    type Row = (Uuid, Uuid, i32, String, NaiveDate, NaiveDate, Option<Uuid>, String);
    let rows: Vec<Row> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT r.id, r.instrument_id, r.version, r.title, r.opens, r.closes, l.subject_id, l.rater
             FROM feedback_round_link l JOIN feedback_round r ON r.id = l.round_id
             WHERE l.person_id = $1 AND l.answered = FALSE AND r.municipality_id = $2
               AND r.opens <= $3 AND r.closes >= $3
             ORDER BY r.closes, r.id, l.rater",
        )
        .bind(person)
        .bind(municipality)
        .bind(today)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(id, i, v, t, o, c, subject, rater)| OpenAsk { round: round_of((id, i, v, t, o, c)), subject, rater })
        .collect())
}

/// The leaders a 360° round asks about (each with a link of their own in the `self` group or
/// with others asked about them).
pub async fn round_subjects(db: &Db, round: Uuid) -> sqlx::Result<Vec<Uuid>> {
    let rows: Vec<(Uuid,)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT DISTINCT subject_id FROM feedback_round_link WHERE round_id = $1 AND subject_id IS NOT NULL",
        )
        .bind(round)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(s,)| s).collect())
}

/// The 360° rounds that ask about a person, the latest first.
pub async fn rounds_about(db: &Db, municipality: Uuid, subject: Uuid) -> sqlx::Result<Vec<Round>> {
    let rows: Vec<RoundRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT DISTINCT r.id, r.instrument_id, r.version, r.title, r.opens, r.closes
             FROM feedback_round_link l JOIN feedback_round r ON r.id = l.round_id
             WHERE l.subject_id = $1 AND r.municipality_id = $2 ORDER BY r.opens DESC, r.id",
        )
        .bind(subject)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(round_of).collect())
}

/// The answers given about a leader in a 360° round: (rater group, answers as JSON, score).
pub async fn answers_about(db: &Db, round: Uuid, subject: Uuid) -> sqlx::Result<Vec<(String, String, f64)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT rater, answers, score FROM feedback_response WHERE round_id = $1 AND subject_id = $2
             ORDER BY rater, id",
        )
        .bind(round)
        .bind(subject)
        .fetch_all(p)
        .await
    })
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
    /// In a 360° round: the leader asked about and the rater group.
    pub subject: Option<Uuid>,
    pub rater: String,
    pub answered: bool,
    pub definition: Arc<Definition>,
    pub name: String,
    pub licence: String,
    pub min_answers: i32,
}

type LinkColumns =
    (Uuid, Uuid, i32, String, NaiveDate, NaiveDate, Uuid, Option<Uuid>, String, bool, String, String, i32);

const LINK_SELECT: &str = "SELECT r.id, r.instrument_id, r.version, r.title, r.opens, r.closes, l.unit_id,
        {subject}, {answered}, i.name, i.licence, i.min_answers
     FROM {table} l
     JOIN feedback_round r ON r.id = l.round_id
     JOIN instrument i ON i.id = r.instrument_id
     WHERE l.{key} = $1 AND r.municipality_id = $2";

/// The personal link or workshop code behind a token's hash.
pub async fn link(db: &Db, municipality: Uuid, token_hash: &str) -> sqlx::Result<Option<LinkRow>> {
    for door in [Door::Link, Door::Code] {
        let (table, key, subject, answered) = match door {
            Door::Link => ("feedback_round_link", "token_hash", "l.subject_id, l.rater", "l.answered"),
            Door::Code => ("feedback_round_code", "code_hash", "NULL, ''", "l.used >= l.uses"),
        };
        let sql = LINK_SELECT
            .replace("{subject}", subject)
            .replace("{answered}", answered)
            .replace("{table}", table)
            .replace("{key}", key);
        let row: Option<LinkColumns> = on_db!(db, |p| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(token_hash).bind(municipality).fetch_optional(p).await
        })?;
        if let Some((id, instrument, version, title, opens, closes, unit, subject, rater, answered, name, licence, k)) =
            row
        {
            return Ok(definition(db, instrument, version).await?.map(|definition| LinkRow {
                door,
                round: round_of((id, instrument, version, title, opens, closes)),
                unit,
                subject,
                rater,
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

/// Parsed instrument versions by (instrument, version). A version never changes once saved
/// (a change is a new version; answers keep theirs), so it is kept for the life of the
/// process: the answering page then reads one small row instead of the definition's JSON
/// (a TOASTed value on PostgreSQL) and parses nothing.
static DEFINITIONS: Mutex<Option<HashMap<(Uuid, i32), Arc<Definition>>>> = Mutex::new(None);
/// Far more versions than a municipality makes; past it the kept ones are dropped and read again.
const DEFINITIONS_KEPT: usize = 4_096;

/// One version of an instrument's definition; none when there is no such version.
pub async fn definition(db: &Db, instrument: Uuid, version: i32) -> sqlx::Result<Option<Arc<Definition>>> {
    let key = (instrument, version);
    if let Some(kept) = DEFINITIONS.lock().ok().and_then(|kept| kept.as_ref()?.get(&key).cloned()) {
        return Ok(Some(kept));
    }
    let text: Option<String> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT definition FROM instrument_version WHERE instrument_id = $1 AND version = $2")
            .bind(instrument)
            .bind(version)
            .fetch_optional(p)
            .await
    })?;
    let Some(parsed) = text.and_then(|t| serde_json::from_str::<Definition>(&t).ok()) else { return Ok(None) };
    let parsed = Arc::new(parsed);
    if let Ok(mut kept) = DEFINITIONS.lock() {
        let map = kept.get_or_insert_with(HashMap::new);
        if map.len() >= DEFINITIONS_KEPT {
            map.clear();
        }
        map.insert(key, parsed.clone());
    }
    Ok(Some(parsed))
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

/// Answers a round through a door: marks a link answered (once only) or takes one of a
/// code's uses, keeps the answer with its unit and day but no person, and adds it to the
/// round's totals and distributions, all at once. `items` are the scored items' values.
/// False when the link had already answered or the code is used up.
pub async fn answer_round(
    db: &Db,
    (door, token_hash): (Door, &str),
    round: &Round,
    (unit, subject): (Uuid, Option<Uuid>),
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
             answers, score, answered_on, subject_id) VALUES ($1, $2, $3, NULL, $4, $5, NULL, $6, $7, $8, $9, $10)",
        )
        .bind(Uuid::new_v4())
        .bind(r.instrument)
        .bind(r.version)
        .bind(round.id)
        .bind(unit)
        .bind(r.rater)
        .bind(r.answers)
        .bind(r.score)
        .bind(r.answered_on)
        .bind(subject)
        .execute(&mut *tx)
        .await?;
        // A 360° answer belongs to its leader's report, not to the unit's totals.
        if subject.is_some() {
            tx.commit().await?;
            return Ok(true);
        }
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

/// A survey round's free-text answers to `item`: (unit, text) for each answer that says
/// something (360° answers belong to their leader's report and are left out).
pub async fn text_answers(db: &Db, round: Uuid, item: &str) -> sqlx::Result<Vec<(Uuid, String)>> {
    let rows: Vec<(Option<Uuid>, String)> = on_db!(db, |p| {
        sqlx::query_as("SELECT unit_id, answers FROM feedback_response WHERE round_id = $1 AND subject_id IS NULL")
            .bind(round)
            .fetch_all(p)
            .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(unit, raw)| {
            let answers: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&raw).ok()?;
            let text = answers.get(item)?.as_str()?.trim();
            Some((unit?, text.to_string())).filter(|_| !text.is_empty())
        })
        .collect())
}
