//! All of the decisions area's SQL. Every write and its audit entry are one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Decision, DecisionEvent, NewProposal, Progress, Proposal, ProposalFilter, ProposalState};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};

/// The audit log's name for a proposal.
pub const AUDIT_KIND: &str = "proposal";

#[derive(sqlx::FromRow)]
struct ProposalRow {
    id: Uuid,
    process_id: Uuid,
    number: i32,
    title: String,
    text: String,
    state: String,
    reason: String,
    responsible_unit_id: Option<Uuid>,
    responsible: String,
    deadline: Option<NaiveDate>,
    theme: String,
    statement_number: Option<i32>,
    published_state: Option<String>,
    published_reason: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, process_id, number, title, text, state, reason, responsible_unit_id, responsible, deadline,
     theme, statement_number, published_state, published_reason, created_at, updated_at";

fn proposal(r: ProposalRow, inputs: Vec<Uuid>) -> Proposal {
    let ProposalRow {
        id,
        process_id,
        number,
        title,
        text,
        state,
        reason,
        responsible_unit_id: responsible_unit,
        responsible,
        deadline,
        theme,
        statement_number,
        published_state,
        published_reason,
        created_at,
        updated_at,
    } = r;
    Proposal {
        id,
        process_id,
        number,
        title,
        text,
        state: ProposalState::parse(&state).unwrap_or(ProposalState::New),
        reason,
        responsible_unit,
        responsible,
        deadline,
        theme,
        statement_number,
        published: published_state.as_deref().and_then(ProposalState::parse).map(|s| (s, published_reason)),
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
            "INSERT INTO proposal (id, municipality_id, process_id, number, title, text, state, theme, statement_number,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'new', $7, $8, $9, $9)",
        )
        .bind(id)
        .bind(municipality)
        .bind(process)
        .bind(number)
        .bind(&new.title)
        .bind(&new.text)
        .bind(&new.theme)
        .bind(new.statement_number)
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
    super::cache::changed();
    let mut inputs = new.inputs.clone();
    inputs.sort();
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
        responsible: String::new(),
        deadline: None,
        theme: new.theme.clone(),
        statement_number: new.statement_number,
        published: None,
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

/// A value bound into a list's filter.
enum Bind {
    Text(String),
    Id(Uuid),
}

/// The WHERE clause of a filtered list of one process's proposals, and its values ($1 is
/// the process).
fn filter_sql(filter: &ProposalFilter) -> (String, Vec<Bind>) {
    let mut sql = String::from("process_id = $1");
    let mut binds = Vec::new();
    let next = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len() + 1)
    };
    if let Some(state) = filter.state {
        let p = next(&mut binds, Bind::Text(state.key().to_string()));
        sql.push_str(&format!(" AND state = {p}"));
    }
    if filter.undecided {
        sql.push_str(" AND decided = FALSE");
    }
    if let Some(theme) = &filter.theme {
        let p = next(&mut binds, Bind::Text(theme.clone()));
        sql.push_str(&format!(" AND theme = {p}"));
    }
    if let Some(responsible) = &filter.responsible {
        let p = next(&mut binds, Bind::Text(responsible.clone()));
        sql.push_str(&format!(" AND responsible = {p}"));
    }
    if let Some(units) = &filter.units {
        if units.is_empty() {
            sql.push_str(" AND 1 = 0");
        } else {
            let ps: Vec<String> = units.iter().map(|u| next(&mut binds, Bind::Id(*u))).collect();
            sql.push_str(&format!(" AND responsible_unit_id IN ({})", ps.join(", ")));
        }
    }
    (sql, binds)
}

macro_rules! bind_all {
    ($q:expr, $binds:expr) => {{
        let mut q = $q;
        for b in $binds {
            q = match b {
                Bind::Text(t) => q.bind(t.clone()),
                Bind::Id(u) => q.bind(*u),
            };
        }
        q
    }};
}

/// One page of a process's proposals by number, and how many match the filter (without
/// their inputs).
pub async fn list(
    db: &Db,
    process: Uuid,
    filter: &ProposalFilter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<Proposal>, i64)> {
    let (filter_sql, binds) = filter_sql(filter);
    // Numbers run 1, 2, … without gaps (proposals are never deleted), so a page of the whole
    // list starts at its number instead of stepping over the proposals before it.
    let (page, skip) = if filter.is_empty() { (format!(" AND number > {offset}"), 0) } else { (String::new(), offset) };
    let rows: Vec<ProposalRow> = on_db!(db, |p| {
        let q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM proposal WHERE {filter_sql}{page} ORDER BY number LIMIT {limit} OFFSET {skip}"
        )))
        .bind(process);
        bind_all!(q, &binds).fetch_all(p).await
    })?;
    // The counts per state answer the usual filters without counting again.
    let total = if let Some(counted) = progress(db, process).await?.count_of(filter) {
        counted
    } else {
        let (total,): (i64,) = on_db!(db, |p| {
            let q = sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM proposal WHERE {filter_sql}")))
                .bind(process);
            bind_all!(q, &binds).fetch_one(p).await
        })?;
        total
    };
    Ok((rows.into_iter().map(|r| proposal(r, Vec::new())).collect(), total))
}

/// Every proposal of a process by number, with their inputs (for the decision document).
pub async fn all_with_inputs(db: &Db, process: Uuid) -> sqlx::Result<Vec<Proposal>> {
    let (proposals, _) = list(db, process, &ProposalFilter::default(), i64::MAX / 2, 0).await?;
    let links: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT pi.proposal_id, pi.input_id FROM proposal_input pi JOIN proposal pr ON pr.id = pi.proposal_id
             WHERE pr.process_id = $1",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    let mut by_proposal: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for (proposal, input) in links {
        by_proposal.entry(proposal).or_default().push(input);
    }
    Ok(proposals
        .into_iter()
        .map(|mut p| {
            p.inputs = by_proposal.remove(&p.id).unwrap_or_default();
            p.inputs.sort();
            p
        })
        .collect())
}

/// How far deciding has come in a process, and the values its list can be filtered by: as
/// computed at most a second ago (by any request of this instance), at once after a write
/// through this instance. Another instance's write shows within the second.
pub async fn progress(db: &Db, process: Uuid) -> sqlx::Result<std::sync::Arc<Progress>> {
    if let Some(p) = super::cache::progress(process) {
        return Ok(p);
    }
    let generation = super::cache::generation();
    let p = std::sync::Arc::new(progress_now(db, process).await?);
    super::cache::remember(process, generation, p.clone());
    Ok(p)
}

/// [`progress`] read from the database now.
pub async fn progress_now(db: &Db, process: Uuid) -> sqlx::Result<Progress> {
    let per_state: Vec<(String, i64)> = on_db!(db, |p| {
        sqlx::query_as("SELECT state, CAST(COUNT(*) AS BIGINT) FROM proposal WHERE process_id = $1 GROUP BY state")
            .bind(process)
            .fetch_all(p)
            .await
    })?;
    let themes: Vec<String> = on_db!(db, |p| {
        sqlx::query_scalar("SELECT DISTINCT theme FROM proposal WHERE process_id = $1 AND theme > '' ORDER BY theme")
            .bind(process)
            .fetch_all(p)
            .await
    })?;
    let responsible: Vec<String> = on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT DISTINCT responsible FROM proposal WHERE process_id = $1 AND responsible > '' ORDER BY responsible",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    let units: Vec<Uuid> = on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT DISTINCT responsible_unit_id FROM proposal WHERE process_id = $1 AND responsible_unit_id IS NOT NULL",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    let published_at = published(db, process).await?;
    let mut progress = Progress { themes, responsible, units, published_at, ..Default::default() };
    for state in ProposalState::ALL {
        let n = per_state.iter().find(|(k, _)| k == state.key()).map_or(0, |(_, n)| *n);
        progress.total += n;
        if state.decided() {
            progress.decided += n;
        }
        progress.per_state.push((state, n));
    }
    Ok(progress)
}

/// The undecided proposal after number `after` in the process (wrapping round to the
/// first), for "save and next".
pub async fn next_undecided(db: &Db, process: Uuid, after: i32) -> sqlx::Result<Option<Uuid>> {
    let next: Option<Uuid> = on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT id FROM proposal WHERE process_id = $1 AND decided = FALSE
             ORDER BY CASE WHEN number > $2 THEN 0 ELSE 1 END, number LIMIT 1",
        )
        .bind(process)
        .bind(after)
        .fetch_optional(p)
        .await
    })?;
    Ok(next)
}

/// The proposals made from any of `inputs`, with the inputs of each among them.
pub async fn from_inputs(db: &Db, process: Uuid, inputs: &[Uuid]) -> sqlx::Result<Vec<(Uuid, Proposal)>> {
    let mut out = Vec::new();
    for chunk in inputs.chunks(500) {
        let ps: Vec<String> = (0..chunk.len()).map(|i| format!("${}", i + 2)).collect();
        let rows: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT pi.input_id, pi.proposal_id FROM proposal_input pi JOIN proposal pr ON pr.id = pi.proposal_id
                 WHERE pr.process_id = $1 AND pi.input_id IN ({})",
                ps.join(", ")
            )))
            .bind(process);
            for i in chunk {
                q = q.bind(*i);
            }
            q.fetch_all(p).await
        })?;
        for (input, proposal_id) in rows {
            let row: Option<ProposalRow> = on_db!(db, |p| {
                sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT {COLUMNS} FROM proposal WHERE id = $1")))
                    .bind(proposal_id)
                    .fetch_optional(p)
                    .await
            })?;
            if let Some(row) = row {
                out.push((input, proposal(row, Vec::new())));
            }
        }
    }
    Ok(out)
}

/// When the process's decisions were last published, if they were.
pub async fn published(db: &Db, process: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT published_at FROM decision_publication WHERE process_id = $1")
            .bind(process)
            .fetch_optional(p)
            .await
    })
}

/// Publishes a process's decisions (again), with its audit entry and the e-mails telling
/// people, in one transaction.
pub async fn publish(
    db: &Db,
    municipality: Uuid,
    process: Uuid,
    mails: &[crate::platform::mail::Outgoing],
    entry: AuditEntry,
) -> sqlx::Result<DateTime<Utc>> {
    let now = Utc::now();
    let by = entry.actor_name.clone();
    let batch = format!("decisions:{process}");
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO decision_publication (process_id, municipality_id, published_at, actor_name)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (process_id) DO UPDATE SET published_at = $3, actor_name = $4",
        )
        .bind(process)
        .bind(municipality)
        .bind(now)
        .bind(&by)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE proposal SET published_state = state, published_reason = reason WHERE process_id = $1")
            .bind(process)
            .execute(&mut *tx)
            .await?;
        crate::platform::mail::store::queue_in(&mut *tx, municipality, &batch, mails, now).await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(now)
    })?;
    super::cache::changed();
    Ok(now)
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
    decide_many(db, municipality, std::slice::from_ref(proposal), decision, entry).await
}

/// Records one decision on several proposals (a bulk decision with one reason): each
/// proposal's state, history entry and audit entry, all in one transaction.
pub async fn decide_many(
    db: &Db,
    municipality: Uuid,
    proposals: &[Proposal],
    decision: &Decision,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let by = if entry.actor_name.is_empty() { "system".to_string() } else { entry.actor_name.clone() };
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        for proposal in proposals {
            let entry = entry
                .clone()
                .subject(AUDIT_KIND, proposal.id, &proposal.title)
                .detail(decision.state.key().to_string());
            sqlx::query(
                "UPDATE proposal SET state = $1, reason = $2, responsible_unit_id = $3, responsible = $4, deadline = $5,
                     updated_at = $6, decided = $7
                 WHERE id = $8",
            )
            .bind(decision.state.key())
            .bind(&decision.reason)
            .bind(decision.responsible_unit)
            .bind(&decision.responsible)
            .bind(decision.deadline)
            .bind(now)
            .bind(decision.state.decided())
            .bind(proposal.id)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO proposal_event (id, proposal_id, state, reason, responsible_unit_id, responsible, deadline,
                     actor_account_id, actor_name, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(new_id())
            .bind(proposal.id)
            .bind(decision.state.key())
            .bind(&decision.reason)
            .bind(decision.responsible_unit)
            .bind(&decision.responsible)
            .bind(decision.deadline)
            .bind(entry.actor_account_id)
            .bind(&by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    super::cache::changed();
    Ok(())
}

/// A proposal's decisions, oldest first.
pub async fn history(db: &Db, proposal: Uuid) -> sqlx::Result<Vec<DecisionEvent>> {
    type EventRow = (String, String, Option<Uuid>, String, Option<NaiveDate>, String, DateTime<Utc>);
    let rows: Vec<EventRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT state, reason, responsible_unit_id, responsible, deadline, actor_name, at FROM proposal_event
             WHERE proposal_id = $1 ORDER BY at, id",
        )
        .bind(proposal)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|(state, reason, responsible_unit, responsible, deadline, by, at)| DecisionEvent {
            state: ProposalState::parse(&state).unwrap_or(ProposalState::New),
            reason,
            responsible_unit,
            responsible,
            deadline,
            by,
            at,
        })
        .collect())
}

/// The kept decision document of a process (PDF, XLSX) if it was made from data with this
/// fingerprint.
pub async fn document(db: &Db, process: Uuid, basis: &str) -> sqlx::Result<Option<(Vec<u8>, Vec<u8>)>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT pdf, xlsx FROM decision_document WHERE process_id = $1 AND basis = $2")
            .bind(process)
            .bind(basis)
            .fetch_optional(p)
            .await
    })
}

/// When the kept decision document of a process was made, if one was.
pub async fn document_made_at(db: &Db, process: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT made_at FROM decision_document WHERE process_id = $1")
            .bind(process)
            .fetch_optional(p)
            .await
    })
}

/// Keeps a process's decision document (replacing the one before).
pub async fn keep_document(
    db: &Db,
    municipality: Uuid,
    process: Uuid,
    basis: &str,
    pdf: &[u8],
    xlsx: &[u8],
) -> sqlx::Result<()> {
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO decision_document (process_id, municipality_id, basis, pdf, xlsx, made_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (process_id) DO UPDATE SET basis = $3, pdf = $4, xlsx = $5, made_at = $6",
        )
        .bind(process)
        .bind(municipality)
        .bind(basis)
        .bind(pdf)
        .bind(xlsx)
        .bind(Utc::now())
        .execute(&mut *tx)
        .await?;
        tx.commit().await
    })
}
