//! Statements (added, moderated, read) and the votes on them as tallies and per participant.

use super::*;

/// A new statement: a facilitator's (accepted), or one a participant proposes (pending),
/// optionally made from an input. Returns its number.
#[allow(clippy::too_many_arguments)]
pub async fn add_statement(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    text: &str,
    proposer: Option<&Taker>,
    from_input: Option<Uuid>,
    state: StatementState,
    entry: AuditEntry,
) -> sqlx::Result<i32> {
    let _changing = crate::involvement::cache::Changing;
    let id = new_id();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let participant = match proposer {
            Some(taker) => Some(participant_in!(tx, process.id, taker, true, now).id),
            None => None,
        };
        let (number,): (i32,) = sqlx::query_as(
            "UPDATE process SET next_statement = next_statement + 1 WHERE id = $1 RETURNING next_statement - 1",
        )
        .bind(process.id)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO process_statement (id, process_id, number, text, participant_id, input_id, state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(id)
        .bind(process.id)
        .bind(number)
        .bind(text)
        .bind(participant)
        .bind(from_input)
        .bind(state.key())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let entry = entry.subject("process_statement", id, &process.title).detail(format!("#{number}"));
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(number)
    })
}

/// Accepts or rejects a statement.
pub async fn set_statement_state(
    db: &Db,
    municipality: Uuid,
    process: Uuid,
    number: i32,
    state: StatementState,
    entry: AuditEntry,
) -> sqlx::Result<bool> {
    let _changing = crate::involvement::cache::Changing;
    let now = Utc::now();
    let entry = entry.subject("process_statement", format!("{process}#{number}"), "").detail(state.key());
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let changed = sqlx::query("UPDATE process_statement SET state = $1 WHERE process_id = $2 AND number = $3")
            .bind(state.key())
            .bind(process)
            .bind(number)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(changed > 0)
    })
}

type StatementRow = (Uuid, i32, String, String, Option<Uuid>, Option<i32>, DateTime<Utc>);

fn statement(row: StatementRow) -> Statement {
    let (id, number, text, state, input_id, proposed_by, created_at) = row;
    Statement {
        id,
        number,
        text,
        state: StatementState::parse(&state).unwrap_or(StatementState::Pending),
        input_id,
        proposed_by,
        created_at,
    }
}

/// The statements of a process in number order.
pub async fn statements(db: &Db, process: Uuid) -> sqlx::Result<Vec<Statement>> {
    let rows: Vec<StatementRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT s.id, s.number, s.text, s.state, s.input_id, pp.number, s.created_at
             FROM process_statement s LEFT JOIN process_participant pp ON pp.id = s.participant_id
             WHERE s.process_id = $1 ORDER BY s.number",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(statement).collect())
}

/// One statement by its number.
pub async fn statement_by_number(db: &Db, process: Uuid, number: i32) -> sqlx::Result<Option<Statement>> {
    let row: Option<StatementRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT s.id, s.number, s.text, s.state, s.input_id, pp.number, s.created_at
             FROM process_statement s LEFT JOIN process_participant pp ON pp.id = s.participant_id
             WHERE s.process_id = $1 AND s.number = $2",
        )
        .bind(process)
        .bind(number)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(statement))
}

/// Every vote of a process, oldest first (the history included: a later one replaces an
/// earlier one of the same participant on the same statement).
pub async fn all_votes(db: &Db, process: Uuid) -> sqlx::Result<Vec<VoteRow>> {
    let rows: Vec<(i32, i32, i16, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT participant_number, statement_number, vote, created_at FROM process_vote
             WHERE process_id = $1 ORDER BY id",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(participant, statement, vote, at)| VoteRow { participant, statement, vote, at })
        .collect())
}

/// The current votes (the latest of each participant on each statement), per statement:
/// kept up to date by every vote.
pub async fn tallies(db: &Db, process: Uuid) -> sqlx::Result<std::collections::HashMap<i32, Tally>> {
    let rows: Vec<(i32, i64, i64, i64)> = on_db!(db, |p| {
        sqlx::query_as("SELECT statement_number, agree, disagree, pass FROM process_tally WHERE process_id = $1")
            .bind(process)
            .fetch_all(p)
            .await
    })?;
    Ok(rows.into_iter().map(|(n, agree, disagree, pass)| (n, Tally { agree, disagree, pass })).collect())
}

/// The numbers of the statements a participant has voted on, with their current vote.
pub async fn votes_of(db: &Db, process: Uuid, participant: i32) -> sqlx::Result<Vec<(i32, i16)>> {
    let rows: Vec<(i32, i16)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT statement_number, vote FROM process_vote
             WHERE process_id = $1 AND participant_number = $2 ORDER BY id",
        )
        .bind(process)
        .bind(participant)
        .fetch_all(p)
        .await
    })?;
    let mut latest: Vec<(i32, i16)> = Vec::new();
    for (s, v) in rows {
        match latest.iter_mut().find(|(x, _)| *x == s) {
            Some(e) => e.1 = v,
            None => latest.push((s, v)),
        }
    }
    Ok(latest)
}
