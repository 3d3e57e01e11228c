//! A whole round written at once, with its links and the answers given through them: a new
//! round (no answers yet, its links in multi-row inserts) and the demo's rounds of any size
//! (up to a history of a million answers for the benchmarks), standing as they would had
//! everyone answered through their link one by one.

use std::collections::HashMap;

use super::*;

/// Rows per multi-row INSERT; well under both backends' bind-parameter limits.
const BATCH: usize = 1_000;

/// One answer of a round: its unit, its answers as JSON, its score and the scored items'
/// values; in a 360° round the leader it is about and the rater group (such an answer goes to
/// the leader's report, not to the unit's totals).
pub struct BulkAnswer {
    pub unit: Uuid,
    pub answers: String,
    pub score: f64,
    pub items: Vec<(String, f64)>,
    pub about: Option<(Uuid, String)>,
}

/// Writes a round, its links (`answered[i]` tells whether link i has answered), its answers
/// (as `answer_round` keeps them: no person, the day only), their totals per unit and item
/// with their distributions, with the round's audit entry, in one transaction.
pub async fn write_round_with_answers(
    db: &Db,
    municipality: Uuid,
    r: &NewRound<'_>,
    answered: &[bool],
    answers: &[BulkAnswer],
    answered_on: NaiveDate,
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let now = Utc::now();
    let id = new_id();
    // The running totals the answers would have left, per unit and item.
    let mut totals: HashMap<(Uuid, &str), (i32, f64, f64, Spread)> = HashMap::new();
    for a in answers.iter().filter(|a| a.about.is_none()) {
        let score = std::iter::once(("", a.score, [0; SPREAD_VALUES]));
        for (item, value, spread) in score.chain(a.items.iter().map(|(k, v)| (k.as_str(), *v, one_at(*v)))) {
            let t = totals.entry((a.unit, item)).or_insert((0, 0.0, 0.0, [0; SPREAD_VALUES]));
            t.0 += 1;
            t.1 += value;
            t.2 += value * value;
            for (sum, one) in t.3.iter_mut().zip(spread) {
                *sum += one;
            }
        }
    }
    let totals: Vec<_> = totals.into_iter().collect();
    let links: Vec<(&NewLink, bool)> =
        r.links.iter().enumerate().map(|(i, l)| (l, answered.get(i).copied().unwrap_or(false))).collect();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO feedback_round (id, municipality_id, instrument_id, version, title, opens, closes, created_at,
             cohort_id, cohort_name) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(id)
        .bind(municipality)
        .bind(r.instrument)
        .bind(r.version)
        .bind(r.title)
        .bind(r.opens)
        .bind(r.closes)
        .bind(now)
        .bind(r.cohort.as_ref().map(|c| c.id))
        .bind(r.cohort.as_ref().map(|c| c.name.clone()).unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        for chunk in links.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO feedback_round_link (token_hash, round_id, unit_id, person_id, answered, subject_id, rater) ",
            );
            q.push_values(chunk, |mut b, (link, done)| {
                b.push_bind(link.token_hash.clone()).push_bind(id).push_bind(link.unit).push_bind(link.person);
                b.push_bind(*done).push_bind(link.subject).push_bind(link.rater.clone());
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in answers.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO feedback_response (id, instrument_id, version, series_id, round_id, unit_id, session,
                 rater, answers, score, answered_on, subject_id) ",
            );
            q.push_values(chunk, |mut b, a| {
                b.push_bind(Uuid::new_v4())
                    .push_bind(r.instrument)
                    .push_bind(r.version)
                    .push_bind(None::<Uuid>)
                    .push_bind(id)
                    .push_bind(a.unit)
                    .push_bind(None::<i32>)
                    .push_bind(a.about.as_ref().map_or("self".to_string(), |(_, rater)| rater.clone()))
                    .push_bind(a.answers.clone())
                    .push_bind(a.score)
                    .push_bind(answered_on)
                    .push_bind(a.about.as_ref().map(|(subject, _)| *subject));
            });
            q.build().execute(&mut *tx).await?;
        }
        for chunk in totals.chunks(BATCH) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO feedback_total (round_id, unit_id, item, n, total, squares,
                 v0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10) ",
            );
            q.push_values(chunk, |mut b, ((unit, item), (n, total, squares, spread))| {
                b.push_bind(id).push_bind(*unit).push_bind(item.to_string()).push_bind(*n);
                b.push_bind(*total).push_bind(*squares);
                for count in spread {
                    b.push_bind(*count);
                }
            });
            q.build().execute(&mut *tx).await?;
        }
        queue_in(&mut *tx, municipality, &round_batch(id), &r.letters, now).await?;
        let detail = match answers.len() {
            0 => format!("{} links", r.links.len()),
            n => format!("{} links, {n} answers", r.links.len()),
        };
        let entry = entry.subject(AUDIT_KIND_ROUND, id, r.title).detail(detail);
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}
