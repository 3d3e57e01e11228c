//! A participant's inputs and votes: the writes a kick-off makes by the thousand. Each is a
//! function of the connection (one body expanded per backend), run in the group writer's
//! next transaction on SQLite (`platform::group_commit`) and in its own on PostgreSQL.

use super::*;

/// Runs a write function (`$sqlite` / `$pg`, one body expanded per backend) with its
/// arguments: on SQLite in the group writer's next transaction, on PostgreSQL in its own.
macro_rules! grouped {
    ($db:expr, $write:expr, $sqlite:ident, $pg:ident) => {{
        let write = std::sync::Arc::new($write);
        match $db {
            Db::Sqlite(p) => {
                let work = crate::platform::group_commit::work(move |c| Box::pin($sqlite(c, write.clone())));
                crate::platform::group_commit::run(p, work).await
            }
            Db::Postgres(p) => {
                let mut tx = p.begin_write().await?;
                let done = $pg(&mut *tx, write).await?;
                tx.commit().await?;
                Ok(done)
            }
        }
    }};
}

/// The audit entry of a participant's write. Answers without identity get none: an entry
/// would keep the address they came from beside the answer. An anonymous input with
/// contact details (personal data the participant chose to give) gets one, without it.
fn participant_entry(taker: &Taker, entry: AuditEntry, gave_contact: bool) -> Option<AuditEntry> {
    match (taker.is_anonymous(), gave_contact) {
        (false, _) => Some(entry),
        (true, true) => Some(AuditEntry { ip: String::new(), ..entry }),
        (true, false) => None,
    }
}

/// Writes an input as the taker, counting `quota` in the same transaction; returns its id.
pub async fn add_input(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    taker: &Taker,
    draft: &InputDraft,
    quota: Option<&Quota>,
    entry: AuditEntry,
) -> sqlx::Result<Result<Uuid, OverQuota>> {
    let id = new_id();
    let gave_contact = draft.contact_name.is_some() || draft.contact_email.is_some();
    let write = InputWrite {
        id,
        municipality,
        process: process.id,
        keep: keeps_unit_role(process, taker),
        taker: taker.clone(),
        draft: draft.clone(),
        quota: quota.cloned(),
        entry: participant_entry(taker, entry, gave_contact).map(|e| e.subject("process_input", id, &process.title)),
        now: Utc::now(),
    };
    grouped!(db, write, input_sqlite, input_pg)
}

/// An input's write, with everything it needs (it may run twice; see `group_commit`).
struct InputWrite {
    id: Uuid,
    municipality: Uuid,
    process: Uuid,
    keep: bool,
    taker: Taker,
    draft: InputDraft,
    quota: Option<Quota>,
    entry: Option<AuditEntry>,
    now: DateTime<Utc>,
}

macro_rules! input_body {
    ($tx:ident, $w:ident) => {{
        count_quota!($tx, $w.quota.as_ref());
        let participant = participant_in!($tx, $w.process, &$w.taker, $w.keep, $w.now);
        if $w.draft.contact_name.is_some() || $w.draft.contact_email.is_some() {
            sqlx::query(
                "UPDATE process_participant SET contact_name = COALESCE($1, contact_name),
                     contact_email = COALESCE($2, contact_email) WHERE id = $3",
            )
            .bind(&$w.draft.contact_name)
            .bind(&$w.draft.contact_email)
            .bind(participant.id)
            .execute(&mut *$tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO process_input (id, municipality_id, process_id, participant_id, text, core_task, category,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
        )
        .bind($w.id)
        .bind($w.municipality)
        .bind($w.process)
        .bind(participant.id)
        .bind(&$w.draft.text)
        .bind(&$w.draft.core_task)
        .bind(&$w.draft.category)
        .bind($w.now)
        .execute(&mut *$tx)
        .await?;
        if let Some(entry) = &$w.entry {
            audit::record_in(&mut *$tx, Some($w.municipality), entry, $w.now).await?;
        }
        Ok(Ok($w.id))
    }};
}

async fn input_sqlite(tx: &mut sqlx::SqliteConnection, w: Arc<InputWrite>) -> sqlx::Result<Result<Uuid, OverQuota>> {
    input_body!(tx, w)
}

async fn input_pg(tx: &mut sqlx::PgConnection, w: Arc<InputWrite>) -> sqlx::Result<Result<Uuid, OverQuota>> {
    input_body!(tx, w)
}

/// Records a vote (the statement checked by the caller), counting `quota` in the same
/// transaction. The latest vote of a participant on a statement counts; earlier ones stay
/// as its history.
#[allow(clippy::too_many_arguments)]
pub async fn vote(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    taker: &Taker,
    (statement, value): (i32, i16),
    quota: Option<&Quota>,
    entry: AuditEntry,
) -> sqlx::Result<Result<(), OverQuota>> {
    let write = VoteWrite {
        municipality,
        process: process.id,
        title: process.title.clone(),
        keep: keeps_unit_role(process, taker),
        taker: taker.clone(),
        statement,
        value,
        quota: quota.cloned(),
        entry: participant_entry(taker, entry, false),
        now: Utc::now(),
    };
    grouped!(db, write, vote_sqlite, vote_pg)
}

/// A vote's write, with everything it needs (it may run twice; see `group_commit`).
struct VoteWrite {
    municipality: Uuid,
    process: Uuid,
    title: String,
    keep: bool,
    taker: Taker,
    statement: i32,
    value: i16,
    quota: Option<Quota>,
    entry: Option<AuditEntry>,
    now: DateTime<Utc>,
}

macro_rules! vote_body {
    ($tx:ident, $w:ident) => {{
        count_quota!($tx, $w.quota.as_ref());
        let participant = participant_in!($tx, $w.process, &$w.taker, $w.keep, $w.now);
        let previous: Option<i16> = sqlx::query_scalar(
            "SELECT vote FROM process_vote WHERE process_id = $1 AND participant_number = $2 AND statement_number = $3
             ORDER BY id DESC LIMIT 1",
        )
        .bind($w.process)
        .bind(participant.number)
        .bind($w.statement)
        .fetch_optional(&mut *$tx)
        .await?;
        let id = new_id();
        sqlx::query(
            "INSERT INTO process_vote (id, process_id, participant_number, statement_number, vote, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id)
        .bind($w.process)
        .bind(participant.number)
        .bind($w.statement)
        .bind($w.value)
        .bind($w.now)
        .execute(&mut *$tx)
        .await?;
        if previous != Some($w.value) {
            // The tally moves by the change: one more in the new vote's column, one fewer in
            // the replaced vote's.
            let delta = |v: i16| -> i64 { i64::from($w.value == v) - i64::from(previous == Some(v)) };
            sqlx::query(
                "INSERT INTO process_tally (process_id, statement_number, agree, disagree, pass, changes)
                 VALUES ($1, $2, $3, $4, $5, 1)
                 ON CONFLICT (process_id, statement_number) DO UPDATE SET
                     agree = process_tally.agree + excluded.agree,
                     disagree = process_tally.disagree + excluded.disagree,
                     pass = process_tally.pass + excluded.pass,
                     changes = process_tally.changes + 1",
            )
            .bind($w.process)
            .bind($w.statement)
            .bind(delta(1))
            .bind(delta(-1))
            .bind(delta(0))
            .execute(&mut *$tx)
            .await?;
        }
        if let Some(entry) = &$w.entry {
            let entry = entry.clone().subject("process_vote", id, &$w.title).detail(format!("#{}", $w.statement));
            audit::record_in(&mut *$tx, Some($w.municipality), &entry, $w.now).await?;
        }
        Ok(Ok(()))
    }};
}

async fn vote_sqlite(tx: &mut sqlx::SqliteConnection, w: Arc<VoteWrite>) -> sqlx::Result<Result<(), OverQuota>> {
    vote_body!(tx, w)
}

async fn vote_pg(tx: &mut sqlx::PgConnection, w: Arc<VoteWrite>) -> sqlx::Result<Result<(), OverQuota>> {
    vote_body!(tx, w)
}
