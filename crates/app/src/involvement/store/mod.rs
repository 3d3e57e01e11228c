//! All of involvement's SQL. Every write and its audit entry are one transaction.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::model::{
    Channel, Input, NewProcess, Participant, Process, Scope, Statement, StatementState, Step, Taker, Tally, Template,
    VoteRow,
};
use super::{FACILITATOR_OF, OBJECT_KIND};
use crate::on_db;
use crate::platform::accounts::store::{grant_on_object_in, revoke_on_object_in};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::participants::Quota;
use crate::platform::permissions::ObjectRef;

/// A query built from our own constants and numbers (column lists, a column chosen by
/// code, UUIDs we formatted), never from input.
macro_rules! safe {
    ($($t:tt)*) => {
        sqlx::AssertSqlSafe(format!($($t)*))
    };
}

/// The audit log's name for a process.
pub const AUDIT_KIND: &str = "process";

const PROCESS_COLUMNS: &str = "id, title, description, template, scope, active_step, keep_unit_role, created_at, \
     updated_at, archived_at";

type ProcessRow =
    (Uuid, String, String, String, String, Option<String>, bool, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>);

type StepRow = (Uuid, String, i32, Option<NaiveDate>, Option<NaiveDate>, bool, bool, bool, bool, bool);

fn process(row: ProcessRow) -> Process {
    let (id, title, description, template, scope, active_step, keep_unit_role, created_at, updated_at, archived_at) =
        row;
    Process {
        id,
        title,
        description,
        template: Template::parse(&template).unwrap_or(Template::Clarification),
        scope: Scope::parse(&scope).unwrap_or(Scope::Organisation),
        units: Vec::new(),
        active_step,
        keep_unit_role,
        steps: Vec::new(),
        created_at,
        updated_at,
        archived_at,
    }
}

fn step(row: StepRow) -> (Uuid, Step) {
    let (process, key, position, starts_on, ends_on, inputs, statements, votes, results, anonymous) = row;
    (
        process,
        Step {
            key,
            position,
            starts_on,
            ends_on,
            allow_inputs: inputs,
            allow_statements: statements,
            allow_votes: votes,
            show_results: results,
            allow_anonymous: anonymous,
        },
    )
}

/// Fills in the steps and units of `processes` (all of the municipality's, or one).
async fn complete(db: &Db, municipality: Uuid, mut processes: Vec<Process>) -> sqlx::Result<Vec<Process>> {
    let one = match processes.as_slice() {
        [] => return Ok(processes),
        [p] => Some(p.id),
        _ => None,
    };
    // One process by its id, or every process of the municipality (tens, not thousands).
    let filter = if one.is_some() { "p.id = $2" } else { "$2 IS NULL" };
    let steps: Vec<StepRow> = on_db!(db, |p| {
        sqlx::query_as(safe!(
            "SELECT s.process_id, s.step_key, s.position, s.starts_on, s.ends_on, s.allow_inputs, s.allow_statements,
                    s.allow_votes, s.show_results, s.allow_anonymous
             FROM process_step s JOIN process p ON p.id = s.process_id
             WHERE p.municipality_id = $1 AND {filter} ORDER BY s.position"
        ))
        .bind(municipality)
        .bind(one)
        .fetch_all(p)
        .await
    })?;
    let units: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(safe!(
            "SELECT u.process_id, u.unit_id FROM process_unit u JOIN process p ON p.id = u.process_id
             WHERE p.municipality_id = $1 AND {filter}"
        ))
        .bind(municipality)
        .bind(one)
        .fetch_all(p)
        .await
    })?;
    for row in steps {
        let (process, step) = step(row);
        if let Some(p) = processes.iter_mut().find(|p| p.id == process) {
            p.steps.push(step);
        }
    }
    for (process, unit) in units {
        if let Some(p) = processes.iter_mut().find(|p| p.id == process) {
            p.units.push(unit);
        }
    }
    Ok(processes)
}

/// Makes a process from its template (checked by the caller); its maker becomes its
/// facilitator. Returns its id.
pub async fn create(
    db: &Db,
    municipality: Uuid,
    new: &NewProcess,
    maker: Uuid,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, id, &new.title);
    let steps = new.template.steps();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO process (id, municipality_id, title, description, template, scope, active_step, keep_unit_role,
                 created_by, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(municipality)
        .bind(&new.title)
        .bind(&new.description)
        .bind(new.template.key())
        .bind(new.scope.key())
        .bind(new.keep_unit_role)
        .bind(maker)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for s in &steps {
            sqlx::query(
                "INSERT INTO process_step (process_id, step_key, position, starts_on, ends_on, allow_inputs,
                     allow_statements, allow_votes, show_results, allow_anonymous)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(&s.key)
            .bind(s.position)
            .bind(s.starts_on)
            .bind(s.ends_on)
            .bind(s.allow_inputs)
            .bind(s.allow_statements)
            .bind(s.allow_votes)
            .bind(s.show_results)
            .bind(s.allow_anonymous)
            .execute(&mut *tx)
            .await?;
        }
        for unit in &new.units {
            sqlx::query("INSERT INTO process_unit (process_id, unit_id) VALUES ($1, $2)")
                .bind(id)
                .bind(unit)
                .execute(&mut *tx)
                .await?;
        }
        grant_on_object_in(&mut *tx, maker, FACILITATOR_OF, ObjectRef { kind: OBJECT_KIND, id }, now).await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// One process, with its steps and units.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Process>> {
    let row: Option<ProcessRow> = on_db!(db, |p| {
        sqlx::query_as(safe!("SELECT {PROCESS_COLUMNS} FROM process WHERE id = $1 AND municipality_id = $2"))
            .bind(id)
            .bind(municipality)
            .fetch_optional(p)
            .await
    })?;
    match row {
        Some(r) => Ok(complete(db, municipality, vec![process(r)]).await?.pop()),
        None => Ok(None),
    }
}

/// Every process of the municipality that is not archived, newest first. A municipality
/// runs tens of processes, not thousands; who may see which is decided by the caller.
pub async fn all(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<Process>> {
    let rows: Vec<ProcessRow> = on_db!(db, |p| {
        sqlx::query_as(safe!(
            "SELECT {PROCESS_COLUMNS} FROM process WHERE municipality_id = $1 AND archived_at IS NULL
             ORDER BY created_at DESC"
        ))
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    complete(db, municipality, rows.into_iter().map(process).collect()).await
}

/// A process's settings after a change (checked by the caller): title, description, the
/// active step, what links keep, and each step's dates and permissions.
pub async fn update(db: &Db, municipality: Uuid, changed: &Process, entry: AuditEntry) -> sqlx::Result<()> {
    let _changing = super::cache::Changing;
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, changed.id, &changed.title);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE process SET title = $1, description = $2, active_step = $3, keep_unit_role = $4, updated_at = $5
             WHERE id = $6 AND municipality_id = $7",
        )
        .bind(&changed.title)
        .bind(&changed.description)
        .bind(&changed.active_step)
        .bind(changed.keep_unit_role)
        .bind(now)
        .bind(changed.id)
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        for s in &changed.steps {
            sqlx::query(
                "UPDATE process_step SET starts_on = $1, ends_on = $2, allow_inputs = $3, allow_statements = $4,
                     allow_votes = $5, show_results = $6, allow_anonymous = $7
                 WHERE process_id = $8 AND step_key = $9",
            )
            .bind(s.starts_on)
            .bind(s.ends_on)
            .bind(s.allow_inputs)
            .bind(s.allow_statements)
            .bind(s.allow_votes)
            .bind(s.show_results)
            .bind(s.allow_anonymous)
            .bind(changed.id)
            .bind(&s.key)
            .execute(&mut *tx)
            .await?;
        }
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Where an account's participant row is found, and where a link's.
fn taker_column(taker: &Taker) -> (&'static str, Uuid) {
    match taker {
        Taker::Account { account, .. } => ("account_id", *account),
        Taker::Link { pass, .. } => ("pass_id", *pass),
        Taker::Browser { browser, .. } => ("browser_id", *browser),
    }
}

/// The participant a taker already is in a process, if any.
pub async fn find_participant(db: &Db, process: Uuid, taker: &Taker) -> sqlx::Result<Option<Participant>> {
    let (column, id) = taker_column(taker);
    let row: Option<(Uuid, i32)> = on_db!(db, |p| {
        sqlx::query_as(safe!("SELECT id, number FROM process_participant WHERE process_id = $1 AND {column} = $2"))
            .bind(process)
            .bind(id)
            .fetch_optional(p)
            .await
    })?;
    Ok(row.map(|(id, number)| Participant { id, number }))
}

/// Whether a taker's unit and role go with their answers: an account's always; a personal
/// link's (the unit and role it was sent to) only while the process says so; others have none.
fn keeps_unit_role(process: &Process, taker: &Taker) -> bool {
    match taker {
        Taker::Account { .. } => true,
        Taker::Link { .. } => process.keep_unit_role,
        Taker::Browser { .. } => false,
    }
}

/// Inside a write transaction: the taker's participant row, made (with the next number)
/// when it is their first action in the process.
macro_rules! participant_in {
    ($tx:ident, $process:expr, $taker:expr, $keep:expr, $now:expr) => {{
        let (column, key) = taker_column($taker);
        let found: Option<(Uuid, i32)> =
            sqlx::query_as(safe!("SELECT id, number FROM process_participant WHERE process_id = $1 AND {column} = $2"))
                .bind($process)
                .bind(key)
                .fetch_optional(&mut *$tx)
                .await?;
        match found {
            Some((id, number)) => Participant { id, number },
            None => {
                let (number,): (i32,) = sqlx::query_as(
                    "UPDATE process SET next_participant = next_participant + 1 WHERE id = $1
                     RETURNING next_participant - 1",
                )
                .bind($process)
                .fetch_one(&mut *$tx)
                .await?;
                let id = new_id();
                let (unit, role) = match $taker {
                    Taker::Account { unit, role, .. } | Taker::Link { unit, role, .. } if $keep => {
                        (*unit, role.clone())
                    }
                    _ => (None, None),
                };
                sqlx::query(safe!(
                    "INSERT INTO process_participant (id, process_id, number, channel, {column}, unit_id, role, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .bind(id)
                .bind($process)
                .bind(number)
                .bind($taker.channel().key())
                .bind(key)
                .bind(unit)
                .bind(role)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
                Participant { id, number }
            }
        }
    }};
}

/// How many take part, give input and vote.
pub async fn counts(db: &Db, process: Uuid) -> sqlx::Result<(i64, i64, i64)> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM process_participant WHERE process_id = $1),
                    (SELECT COUNT(*) FROM process_input WHERE process_id = $1),
                    (SELECT CAST(COALESCE(SUM(agree + disagree + pass), 0) AS BIGINT) FROM process_tally
                     WHERE process_id = $1)",
        )
        .bind(process)
        .fetch_one(p)
        .await
    })
}

/// Records that personal links were made for a process (the links themselves are the
/// platform's passes).
pub async fn record_links(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    count: usize,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(count.to_string());
    on_db!(db, |p| audit::record_in(p, Some(municipality), &entry, now).await)
}

/// Ends `account`'s grant as facilitator of the process, with its audit entry; false
/// (and nothing written) when it had none.
pub async fn remove_facilitator(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    account: Uuid,
    entry: AuditEntry,
) -> sqlx::Result<bool> {
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(account.to_string());
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let held =
            revoke_on_object_in(&mut *tx, account, FACILITATOR_OF, ObjectRef { kind: OBJECT_KIND, id: process.id })
                .await?;
        if !held {
            return Ok(false);
        }
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(true)
    })
}

/// Makes `account` a facilitator of the process (an object grant), with its audit entry.
pub async fn add_facilitator(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    account: Uuid,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(account.to_string());
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        grant_on_object_in(&mut *tx, account, FACILITATOR_OF, ObjectRef { kind: OBJECT_KIND, id: process.id }, now)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A new process with the settings of `source`: its template, steps with their dates and
/// permissions, scope and units, and a title; not its participants, inputs or votes, and
/// not started. The maker facilitates it. Returns its id.
pub async fn copy(
    db: &Db,
    municipality: Uuid,
    source: &Process,
    title: &str,
    maker: Uuid,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let new = NewProcess {
        title: title.to_string(),
        description: source.description.clone(),
        template: source.template,
        scope: source.scope,
        units: source.units.clone(),
        keep_unit_role: source.keep_unit_role,
    };
    let settings = AuditEntry { action: "process.updated".into(), ..entry.clone() };
    let id = create(db, municipality, &new, maker, entry).await?;
    let mut copied = get(db, municipality, id).await?.ok_or(sqlx::Error::RowNotFound)?;
    for s in &mut copied.steps {
        if let Some(from) = source.steps.iter().find(|x| x.key == s.key) {
            *s = Step { position: s.position, ..from.clone() };
        }
    }
    update(db, municipality, &copied, settings).await?;
    Ok(id)
}

// After the macros above, which the parts use.
/// A write refused because its rate limit was reached (nothing was written).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OverQuota;

/// Inside a write: counts the quota's hit, and ends the write when it is past its limit,
/// before anything else is written (the count itself stays: a refused try counts too).
macro_rules! count_quota {
    ($tx:ident, $quota:expr) => {
        if let Some(q) = $quota {
            let hits = crate::platform::participants::store::hit_in(&mut *$tx, &q.key, q.window).await?;
            if hits > q.max {
                return Ok(Err(OverQuota));
            }
        }
    };
}

mod analysis;
mod bulk;
mod inputs;
mod invite;
mod receipts;
mod statements;
mod writes;

pub use analysis::*;
pub use bulk::*;
pub use inputs::*;
pub use invite::*;
pub use receipts::*;
pub use statements::*;
pub use writes::*;
