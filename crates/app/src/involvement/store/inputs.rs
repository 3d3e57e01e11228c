//! Inputs as facilitators read and change them: by id, page by page, edited and hidden.
//! (A participant's own writes are in `writes.rs`.)

use super::*;

/// An input to write (checked by the caller), with the contact details a public
/// participant may leave.
#[derive(Clone, Debug, Default)]
pub struct InputDraft {
    pub text: String,
    pub core_task: Option<String>,
    pub category: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}

const INPUT_COLUMNS: &str = "i.id, i.process_id, pp.number, pp.channel, i.text, i.core_task, i.category, pp.unit_id, \
     pp.role, i.hidden_reason, i.hidden_at, i.created_at, i.updated_at";

type InputRow = (
    Uuid,
    Uuid,
    i32,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<Uuid>,
    Option<String>,
    Option<String>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    DateTime<Utc>,
);

fn input(row: InputRow) -> Input {
    let (
        id,
        process_id,
        participant_number,
        channel,
        text,
        core_task,
        category,
        unit_id,
        role,
        hidden_reason,
        hidden_at,
        created_at,
        updated_at,
    ) = row;
    Input {
        id,
        process_id,
        participant_number,
        channel: Channel::parse(&channel).unwrap_or(Channel::Account),
        text,
        core_task,
        category,
        unit_id,
        role,
        hidden_reason,
        hidden_at,
        created_at,
        updated_at,
    }
}

/// One input of a process.
pub async fn input_by_id(db: &Db, process: Uuid, id: Uuid) -> sqlx::Result<Option<Input>> {
    let row: Option<InputRow> = on_db!(db, |p| {
        sqlx::query_as(safe!(
            "SELECT {INPUT_COLUMNS} FROM process_input i JOIN process_participant pp ON pp.id = i.participant_id
             WHERE i.id = $1 AND i.process_id = $2"
        ))
        .bind(id)
        .bind(process)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(input))
}

/// Which inputs a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputsOf {
    /// Every input, hidden ones too (for facilitators).
    All,
    /// One participant's own, hidden ones too (they see that it was hidden).
    Participant(Uuid),
}

/// Inputs of a process, newest first, with the total.
pub async fn inputs(db: &Db, process: Uuid, of: InputsOf, limit: i64, offset: i64) -> sqlx::Result<(Vec<Input>, i64)> {
    // A participant's own inputs by their participant alone (that index), not by the process.
    let (filter, key) = match of {
        InputsOf::All => ("i.process_id = $1", process),
        InputsOf::Participant(p) => ("i.participant_id = $1", p),
    };
    let rows: Vec<InputRow> = on_db!(db, |p| {
        let sql = format!(
            "SELECT {INPUT_COLUMNS} FROM process_input i JOIN process_participant pp ON pp.id = i.participant_id
             WHERE {filter} ORDER BY i.created_at DESC, i.id DESC LIMIT {limit} OFFSET {offset}"
        );
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_all(p).await
    })?;
    let (total,): (i64,) = on_db!(db, |p| {
        let sql = format!("SELECT COUNT(*) FROM process_input i WHERE {filter}");
        sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(key).fetch_one(p).await
    })?;
    Ok((rows.into_iter().map(input).collect(), total))
}

/// Every visible input's text, oldest first, for the themes.
pub async fn visible_texts(db: &Db, process: Uuid) -> sqlx::Result<Vec<(Uuid, String)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, text FROM process_input WHERE process_id = $1 AND hidden_at IS NULL ORDER BY created_at, id",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })
}

/// Changes the text of an input (its author's edit while the step is open).
pub async fn edit_input(
    db: &Db,
    municipality: Uuid,
    input: &Input,
    text: &str,
    core_task: Option<&str>,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject("process_input", input.id, "");
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE process_input SET text = $1, core_task = $2, updated_at = $3 WHERE id = $4")
            .bind(text)
            .bind(core_task)
            .bind(now)
            .bind(input.id)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// Hides an input with a reason its author sees, or shows it again (`reason` None).
pub async fn set_hidden(
    db: &Db,
    municipality: Uuid,
    input: Uuid,
    reason: Option<&str>,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let _changing = crate::involvement::cache::Changing;
    let now = Utc::now();
    let entry = entry.subject("process_input", input, "").detail(reason.unwrap_or_default());
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE process_input SET hidden_at = $1, hidden_reason = $2 WHERE id = $3")
            .bind(reason.map(|_| now))
            .bind(reason)
            .bind(input)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}
