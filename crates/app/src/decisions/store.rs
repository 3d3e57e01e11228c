//! All of the decisions area's SQL. Every write and its audit entry are one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Decision, DecisionEvent, NewProposal, Proposal, ProposalState};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};

/// The audit log's name for a proposal.
pub const AUDIT_KIND: &str = "proposal";

type ProposalRow =
    (Uuid, Uuid, i32, String, String, String, String, Option<Uuid>, Option<NaiveDate>, DateTime<Utc>, DateTime<Utc>);

const COLUMNS: &str =
    "id, process_id, number, title, text, state, reason, responsible_unit_id, deadline, created_at, updated_at";

fn proposal(r: ProposalRow, inputs: Vec<Uuid>) -> Proposal {
    let (id, process_id, number, title, text, state, reason, responsible_unit, deadline, created_at, updated_at) = r;
    Proposal {
        id,
        process_id,
        number,
        title,
        text,
        state: ProposalState::parse(&state).unwrap_or(ProposalState::New),
        reason,
        responsible_unit,
        deadline,
        inputs,
        created_at,
        updated_at,
    }
}

/// Makes a proposal (state new) with the next number of its process; returns it.
pub async fn create(
    db: &Db,
    municipality: Uuid,
    process: Uuid,
    new: &NewProposal,
    entry: AuditEntry,
) -> sqlx::Result<Proposal> {
    let id = new_id();
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, id, &new.title);
    let number = on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let (number,): (i32,) = sqlx::query_as(
            "INSERT INTO proposal_counter (process_id, next_number) VALUES ($1, 2)
             ON CONFLICT (process_id) DO UPDATE SET next_number = proposal_counter.next_number + 1
             RETURNING next_number - 1",
        )
        .bind(process)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO proposal (id, municipality_id, process_id, number, title, text, state, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $7)",
        )
        .bind(id)
        .bind(municipality)
        .bind(process)
        .bind(number)
        .bind(&new.title)
        .bind(&new.text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for input in &new.inputs {
            sqlx::query("INSERT INTO proposal_input (proposal_id, input_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                .bind(id)
                .bind(input)
                .execute(&mut *tx)
                .await?;
        }
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(number)
    })?;
    let mut inputs = new.inputs.clone();
    inputs.dedup();
    Ok(Proposal {
        id,
        process_id: process,
        number,
        title: new.title.clone(),
        text: new.text.clone(),
        state: ProposalState::New,
        reason: String::new(),
        responsible_unit: None,
        deadline: None,
        inputs,
        created_at: now,
        updated_at: now,
    })
}

/// One proposal of the municipality, with the inputs it was made from.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Proposal>> {
    let row: Option<ProposalRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM proposal WHERE id = $1 AND municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    let Some(row) = row else { return Ok(None) };
    let inputs: Vec<Uuid> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT input_id FROM proposal_input WHERE proposal_id = $1").bind(id).fetch_all(p).await
    })?;
    Ok(Some(proposal(row, inputs)))
}

/// The proposals of a process by number, optionally in one state (without their inputs).
pub async fn list(db: &Db, process: Uuid, state: Option<ProposalState>) -> sqlx::Result<Vec<Proposal>> {
    let rows: Vec<ProposalRow> = on_db!(db, |p| {
        let filter = if state.is_some() { " AND state = $2" } else { "" };
        let q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM proposal WHERE process_id = $1{filter} ORDER BY number"
        )))
        .bind(process);
        match state {
            Some(s) => q.bind(s.key()).fetch_all(p).await,
            None => q.fetch_all(p).await,
        }
    })?;
    Ok(rows.into_iter().map(|r| proposal(r, Vec::new())).collect())
}

/// Records a decision: the proposal's current state and its history entry, with the audit
/// entry, in one transaction.
pub async fn decide(
    db: &Db,
    municipality: Uuid,
    proposal: &Proposal,
    decision: &Decision,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, proposal.id, &proposal.title).detail(decision.state.key().to_string());
    let by = if entry.actor_name.is_empty() { "system".to_string() } else { entry.actor_name.clone() };
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE proposal SET state = $1, reason = $2, responsible_unit_id = $3, deadline = $4, updated_at = $5
             WHERE id = $6",
        )
        .bind(decision.state.key())
        .bind(&decision.reason)
        .bind(decision.responsible_unit)
        .bind(decision.deadline)
        .bind(now)
        .bind(proposal.id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO proposal_event (id, proposal_id, state, reason, responsible_unit_id, deadline,
                 actor_account_id, actor_name, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(new_id())
        .bind(proposal.id)
        .bind(decision.state.key())
        .bind(&decision.reason)
        .bind(decision.responsible_unit)
        .bind(decision.deadline)
        .bind(entry.actor_account_id)
        .bind(&by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A proposal's decisions, oldest first.
pub async fn history(db: &Db, proposal: Uuid) -> sqlx::Result<Vec<DecisionEvent>> {
    let rows: Vec<(String, String, Option<Uuid>, Option<NaiveDate>, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT state, reason, responsible_unit_id, deadline, actor_name, at FROM proposal_event
             WHERE proposal_id = $1 ORDER BY at, id",
        )
        .bind(proposal)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(state, reason, responsible_unit, deadline, by, at)| DecisionEvent {
            state: ProposalState::parse(&state).unwrap_or(ProposalState::New),
            reason,
            responsible_unit,
            deadline,
            by,
            at,
        })
        .collect())
}
