//! The kept results of analysing a process (with what they were computed from) and the
//! facilitators' pins on its themes.

use super::*;

/// What an analysis of `kind` would be computed from now: for opinions how often the
/// current votes changed (kept with the tallies, so this reads 300 rows, not the votes) and
/// the statements shown; for themes the inputs shown and their last change. Equal bases
/// mean an equal result.
pub async fn analysis_basis(db: &Db, process: Uuid, kind: &str) -> sqlx::Result<String> {
    if kind == "opinions" {
        let (changes, shown): (i64, i64) = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT (SELECT CAST(COALESCE(SUM(changes), 0) AS BIGINT) FROM process_tally WHERE process_id = $1),
                        (SELECT COUNT(*) FROM process_statement WHERE process_id = $1 AND state = 'accepted')",
            )
            .bind(process)
            .fetch_one(p)
            .await
        })?;
        Ok(format!("vote changes {changes} statements {shown}"))
    } else {
        let (shown, hidden, changed): (i64, i64, Option<DateTime<Utc>>) = on_db!(db, |p| {
            sqlx::query_as(
                "SELECT COUNT(*) - COUNT(hidden_at), COUNT(hidden_at), MAX(updated_at)
                 FROM process_input WHERE process_id = $1",
            )
            .bind(process)
            .fetch_one(p)
            .await
        })?;
        Ok(format!("inputs {shown} hidden {hidden} changed {}", changed.map(|c| c.to_rfc3339()).unwrap_or_default()))
    }
}

/// One run of an analysis: its kind, what it was computed from, its result and the state
/// the next run continues from (JSON).
pub struct AnalysisRun<'a> {
    pub kind: &'a str,
    pub basis: &'a str,
    pub result: &'a str,
    pub state: &'a str,
}

/// The newest analysis of `kind` without the state it hands on: (basis, result JSON).
pub async fn latest_result(db: &Db, process: Uuid, kind: &str) -> sqlx::Result<Option<(String, String)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT basis, result FROM process_analysis
             WHERE process_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(process)
        .bind(kind)
        .fetch_optional(p)
        .await
    })
}

/// What the newest analysis of `kind` was computed from (without reading it).
pub async fn latest_basis(db: &Db, process: Uuid, kind: &str) -> sqlx::Result<Option<String>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT basis FROM process_analysis
             WHERE process_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(process)
        .bind(kind)
        .fetch_optional(p)
        .await
    })
}

/// How many current votes a process has (from its tallies).
pub async fn current_votes(db: &Db, process: Uuid) -> sqlx::Result<i64> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT CAST(COALESCE(SUM(agree + disagree + pass), 0) AS BIGINT) FROM process_tally WHERE process_id = $1",
        )
        .bind(process)
        .fetch_one(p)
        .await
    })
}

/// The newest analysis of `kind`: (basis, result JSON, state JSON, when).
pub async fn latest_analysis(
    db: &Db,
    process: Uuid,
    kind: &str,
) -> sqlx::Result<Option<(String, String, String, DateTime<Utc>)>> {
    on_db!(db, |p| {
        sqlx::query_as(
            "SELECT basis, result, state, created_at FROM process_analysis
             WHERE process_id = $1 AND kind = $2 ORDER BY created_at DESC, id DESC LIMIT 1",
        )
        .bind(process)
        .bind(kind)
        .fetch_optional(p)
        .await
    })
}

/// Keeps an analysis, and the earlier ones of its kind no longer needed (the newest is the
/// result; the state it hands on is in it).
pub async fn save_analysis(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    run: AnalysisRun<'_>,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let _changing = super::super::cache::Changing;
    let AnalysisRun { kind, basis, result, state } = run;
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(kind);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("DELETE FROM process_analysis WHERE process_id = $1 AND kind = $2")
            .bind(process.id)
            .bind(kind)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO process_analysis (id, process_id, kind, basis, result, state, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(process.id)
        .bind(kind)
        .bind(basis)
        .bind(result)
        .bind(state)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(())
    })
}

/// A facilitator's pin on the themes: inputs that must be one theme, and its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThemePin {
    pub id: Uuid,
    pub name: Option<String>,
    pub inputs: Vec<Uuid>,
}

/// The pins of a process, oldest first.
pub async fn theme_pins(db: &Db, process: Uuid) -> sqlx::Result<Vec<ThemePin>> {
    let pins: Vec<(Uuid, Option<String>)> = on_db!(db, |p| {
        sqlx::query_as("SELECT id, name FROM process_theme_pin WHERE process_id = $1 ORDER BY created_at, id")
            .bind(process)
            .fetch_all(p)
            .await
    })?;
    let members: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT m.pin_id, m.input_id FROM process_theme_pin_input m
             JOIN process_theme_pin t ON t.id = m.pin_id WHERE t.process_id = $1 ORDER BY m.input_id",
        )
        .bind(process)
        .fetch_all(p)
        .await
    })?;
    Ok(pins
        .into_iter()
        .map(|(id, name)| ThemePin {
            id,
            name,
            inputs: members.iter().filter(|(p, _)| *p == id).map(|(_, i)| *i).collect(),
        })
        .collect())
}

/// What the pins of a process are now, for the themes' basis.
pub async fn pins_basis(db: &Db, process: Uuid) -> sqlx::Result<String> {
    let (pins, members, changed): (i64, i64, Option<DateTime<Utc>>) = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM process_theme_pin WHERE process_id = $1),
                    (SELECT COUNT(*) FROM process_theme_pin_input m JOIN process_theme_pin t ON t.id = m.pin_id
                     WHERE t.process_id = $1),
                    (SELECT MAX(updated_at) FROM process_theme_pin WHERE process_id = $1)",
        )
        .bind(process)
        .fetch_one(p)
        .await
    })?;
    Ok(format!("pins {pins} {members} {}", changed.map(|c| c.to_rfc3339()).unwrap_or_default()))
}

/// Pins `inputs` (of the process, checked by the caller) into `pin` (a new one when None),
/// taking them out of any other pin and removing pins left empty; sets the name when given.
/// Returns the pin's id.
pub async fn pin_inputs(
    db: &Db,
    municipality: Uuid,
    process: &Process,
    pin: Option<Uuid>,
    name: Option<&str>,
    inputs: &[Uuid],
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let _changing = super::super::cache::Changing;
    let now = Utc::now();
    let id = pin.unwrap_or_else(new_id);
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title).detail(format!("{} inputs", inputs.len()));
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        if pin.is_none() {
            sqlx::query(
                "INSERT INTO process_theme_pin (id, process_id, name, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)",
            )
            .bind(id)
            .bind(process.id)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "UPDATE process_theme_pin SET name = COALESCE($1, name), updated_at = $2 WHERE id = $3 AND process_id = $4",
            )
            .bind(name)
            .bind(now)
            .bind(id)
            .bind(process.id)
            .execute(&mut *tx)
            .await?;
        }
        for input in inputs {
            sqlx::query("DELETE FROM process_theme_pin_input WHERE input_id = $1")
                .bind(input)
                .execute(&mut *tx)
                .await?;
            sqlx::query("INSERT INTO process_theme_pin_input (pin_id, input_id) VALUES ($1, $2)")
                .bind(id)
                .bind(input)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "DELETE FROM process_theme_pin WHERE process_id = $1 AND id <> $2
               AND NOT EXISTS (SELECT 1 FROM process_theme_pin_input m WHERE m.pin_id = process_theme_pin.id)",
        )
        .bind(process.id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Touch every pin of the process, so the themes' basis moves.
        sqlx::query("UPDATE process_theme_pin SET updated_at = $1 WHERE process_id = $2")
            .bind(now)
            .bind(process.id)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Removes a pin: its inputs are free to move again at the next recomputation.
pub async fn unpin(db: &Db, municipality: Uuid, process: &Process, pin: Uuid, entry: AuditEntry) -> sqlx::Result<bool> {
    let _changing = super::super::cache::Changing;
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, process.id, &process.title);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "DELETE FROM process_theme_pin_input WHERE pin_id IN (SELECT id FROM process_theme_pin WHERE id = $1 AND process_id = $2)",
        )
        .bind(pin)
        .bind(process.id)
        .execute(&mut *tx)
        .await?;
        let gone = sqlx::query("DELETE FROM process_theme_pin WHERE id = $1 AND process_id = $2")
            .bind(pin)
            .bind(process.id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        // A removed pin changes the basis even when no pin is left.
        sqlx::query("UPDATE process SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(process.id)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(gone > 0)
    })
}
