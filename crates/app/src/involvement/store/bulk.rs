//! A whole process written at once: an imported Pol.is conversation, or the demo's.

use super::*;

/// Rows per multi-row INSERT; well under both backends' bind-parameter limits.
const BATCH: usize = 1_000;

/// Writes a whole process at once (checked by the caller: an imported Pol.is conversation,
/// or the demo's) as a clarification process in its processing step, with its
/// participants, statements, inputs and votes under their own numbers, in one transaction.
/// Returns the process's id.
pub async fn write_bulk(
    db: &Db,
    municipality: Uuid,
    export: &crate::involvement::import::Bulk,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let _changing = super::super::cache::Changing;
    let id = new_id();
    let now = Utc::now();
    let title = export.title.as_str();
    let entry = entry.subject(AUDIT_KIND, id, title).detail(format!("{} votes", export.votes.len()));
    let next_participant = export.participants.iter().map(|p| p.number).max().map_or(0, |m| m + 1);
    let next_statement = export.statements.iter().map(|s| s.number).max().map_or(0, |m| m + 1);
    let steps = Template::Clarification.steps();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO process (id, municipality_id, title, description, template, scope, active_step, keep_unit_role,
                 next_participant, next_statement, created_at, updated_at)
             VALUES ($1, $2, $3, $7, 'clarification', 'organisation', 'process', TRUE, $4, $5, $6, $6)",
        )
        .bind(id)
        .bind(municipality)
        .bind(title)
        .bind(next_participant)
        .bind(next_statement)
        .bind(now)
        .bind(&export.description)
        .execute(&mut *tx)
        .await?;
        for s in &steps {
            sqlx::query(
                "INSERT INTO process_step (process_id, step_key, position, allow_inputs, allow_statements, allow_votes,
                     show_results, allow_anonymous)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&s.key)
            .bind(s.position)
            .bind(s.allow_inputs)
            .bind(s.allow_statements)
            .bind(s.allow_votes)
            .bind(s.show_results)
            .bind(s.allow_anonymous)
            .execute(&mut *tx)
            .await?;
        }
        let mut participant_ids = std::collections::HashMap::new();
        for chunk in export.participants.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO process_participant (id, process_id, number, channel, unit_id, role, created_at) ",
            );
            q.push_values(chunk, |mut b, p| {
                let pid = new_id();
                participant_ids.insert(p.number, pid);
                b.push_bind(pid)
                    .push_bind(id)
                    .push_bind(p.number)
                    .push_bind(export.channel.key())
                    .push_bind(p.unit)
                    .push_bind(p.role.clone())
                    .push_bind(now);
            });
            q.build().execute(&mut *tx).await?;
        }
        let inputs: Vec<_> =
            export.inputs.iter().filter_map(|i| participant_ids.get(&i.participant).map(|p| (*p, i))).collect();
        for chunk in inputs.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO process_input (id, municipality_id, process_id, participant_id, text, core_task,
                     created_at, updated_at) ",
            );
            q.push_values(chunk, |mut b, (participant, input)| {
                b.push_bind(new_id())
                    .push_bind(municipality)
                    .push_bind(id)
                    .push_bind(*participant)
                    .push_bind(input.text.clone())
                    .push_bind(input.core_task.clone())
                    .push_bind(input.created_at)
                    .push_bind(input.created_at);
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in export.statements.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO process_statement (id, process_id, number, text, state, created_at) ",
            );
            q.push_values(chunk, |mut b, s| {
                b.push_bind(new_id())
                    .push_bind(id)
                    .push_bind(s.number)
                    .push_bind(s.text.clone())
                    .push_bind(s.state.key())
                    .push_bind(s.created_at);
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in export.votes.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO process_vote (id, process_id, participant_number, statement_number, vote, created_at) ",
            );
            q.push_values(chunk, |mut b, (participant, statement, vote, at)| {
                b.push_bind(new_id())
                    .push_bind(id)
                    .push_bind(*participant)
                    .push_bind(*statement)
                    .push_bind(*vote)
                    .push_bind(*at);
            });
            q.build().execute(&mut *tx).await?;
        }
        // The tallies of the new process, from its latest votes.
        sqlx::query(
            "INSERT INTO process_tally (process_id, statement_number, agree, disagree, pass, changes)
             SELECT $1, statement_number,
                    SUM(CASE WHEN vote = 1 THEN 1 ELSE 0 END),
                    SUM(CASE WHEN vote = -1 THEN 1 ELSE 0 END),
                    SUM(CASE WHEN vote = 0 THEN 1 ELSE 0 END),
                    COUNT(*)
             FROM (SELECT statement_number, vote,
                          ROW_NUMBER() OVER (PARTITION BY participant_number, statement_number ORDER BY id DESC) AS newest
                   FROM process_vote WHERE process_id = $1) latest
             WHERE newest = 1
             GROUP BY statement_number",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}
