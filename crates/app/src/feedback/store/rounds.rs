//! Rounds: sending one with its personal links, reminding, the doors into it (a personal
//! link answers once, a workshop code once per use), answering without identity, and the
//! running totals with their distributions that the aggregates read.

use super::*;

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

/// Creates a round with its links (none answered yet) and its letters, with its audit entry,
/// in one transaction: a round written at once with no answers.
pub async fn create_round(db: &Db, municipality: Uuid, r: &NewRound<'_>, entry: AuditEntry) -> sqlx::Result<Uuid> {
    write_round_with_answers(db, municipality, r, &[], &[], Utc::now().date_naive(), entry).await
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
