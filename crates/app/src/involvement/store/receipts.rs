//! Who wrote which input, as far as the process knows it — for answering them once their
//! input has been decided on: a participant's own inputs, receipts for public participants,
//! and the addresses (an account's, or one a participant chose to give) to tell.

use chrono::Utc;
use uuid::Uuid;

use super::{InputsOf, inputs};
use crate::involvement::model::{Input, Taker};
use crate::on_db;
use crate::platform::accounts::{hash_token, random_token};
use crate::platform::db::{Db, WritePool};

/// The most inputs one participant's answers list (more than anyone writes by hand).
pub const OWN_INPUTS_MAX: i64 = 1_000;

/// A taker's own inputs in a process, newest first (none if they have not taken part).
pub async fn own_inputs(db: &Db, process: Uuid, taker: &Taker) -> sqlx::Result<Vec<Input>> {
    match super::find_participant(db, process, taker).await? {
        Some(p) => Ok(inputs(db, process, InputsOf::Participant(p.id), OWN_INPUTS_MAX, 0).await?.0),
        None => Ok(Vec::new()),
    }
}

/// A participant's own inputs by their participant id.
pub async fn participant_inputs(db: &Db, process: Uuid, participant: Uuid) -> sqlx::Result<Vec<Input>> {
    Ok(inputs(db, process, InputsOf::Participant(participant), OWN_INPUTS_MAX, 0).await?.0)
}

/// Issues a receipt for a taker's inputs in a process (the secret is shown once, in the
/// link); none if they have not taken part.
pub async fn issue_receipt(db: &Db, process: Uuid, taker: &Taker) -> sqlx::Result<Option<String>> {
    let Some(participant) = super::find_participant(db, process, taker).await? else { return Ok(None) };
    issue_receipt_for(db, process, participant.id).await.map(Some)
}

/// Issues a receipt for a participant (by id).
pub async fn issue_receipt_for(db: &Db, process: Uuid, participant: Uuid) -> sqlx::Result<String> {
    let secret = random_token();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO participant_receipt (secret_hash, process_id, participant_id, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(hash_token(&secret))
        .bind(process)
        .bind(participant)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    })?;
    Ok(secret)
}

/// The process and participant a receipt's secret is for.
pub async fn receipt(db: &Db, secret: &str) -> sqlx::Result<Option<(Uuid, Uuid)>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT process_id, participant_id FROM participant_receipt WHERE secret_hash = $1")
            .bind(hash_token(secret))
            .fetch_optional(p)
            .await
    })
}

/// Who may be told about an input: its participant, their account if they had one, the
/// address they chose to give if any.
#[derive(Clone, Debug)]
pub struct Author {
    pub input: Uuid,
    pub participant: Uuid,
    pub account: Option<Uuid>,
    pub contact_email: Option<String>,
}

/// The authors of a process's visible inputs who can be reached: those with an account or
/// a contact address (personal links' participants never: nothing ties them to a person).
pub async fn reachable_authors(db: &Db, process: Uuid) -> sqlx::Result<Vec<Author>> {
    let rows: Vec<(Uuid, Uuid, Option<Uuid>, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT i.id, pp.id, pp.account_id, pp.contact_email
             FROM process_input i JOIN process_participant pp ON pp.id = i.participant_id
             WHERE i.process_id = $1 AND i.hidden_at IS NULL
               AND (pp.account_id IS NOT NULL OR pp.contact_email IS NOT NULL)",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(input, participant, account, contact_email)| Author { input, participant, account, contact_email })
        .collect())
}

/// The processes an account has given input to, with its inputs in each.
pub async fn account_inputs(db: &Db, municipality: Uuid, account: Uuid) -> sqlx::Result<Vec<(Uuid, Vec<Input>)>> {
    let rows: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT pp.process_id, pp.id FROM process_participant pp JOIN process pr ON pr.id = pp.process_id
             WHERE pp.account_id = $1 AND pr.municipality_id = $2 ORDER BY pp.created_at DESC",
        )
        .bind(account)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let mut out = Vec::new();
    for (process, participant) in rows {
        let inputs = participant_inputs(db, process, participant).await?;
        if !inputs.is_empty() {
            out.push((process, inputs));
        }
    }
    Ok(out)
}
