//! All of the rule register's SQL. Every write and its audit entry are one transaction.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::model::{Flag, NewRule, Origin, Review, ReviewItem, Rule, RuleDecision, RuleDecisionKind, RuleStatus};
use crate::on_db;
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};

/// The audit log's name for a rule.
pub const AUDIT_KIND: &str = "rule";

#[derive(sqlx::FromRow)]
struct RuleRow {
    id: Uuid,
    number: i32,
    title: String,
    text: String,
    origin: String,
    reference: String,
    owner_unit_id: Option<Uuid>,
    burdens_roles: String,
    hours_per_year: i64,
    value_statement: String,
    status: String,
    hours_freed: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, number, title, text, origin, reference, owner_unit_id, burdens_roles, hours_per_year,
     value_statement, status, hours_freed, created_at, updated_at";

fn rule(r: RuleRow, burdens_units: Vec<Uuid>) -> Rule {
    Rule {
        id: r.id,
        number: r.number,
        title: r.title,
        text: r.text,
        origin: Origin::parse(&r.origin).unwrap_or(Origin::Local),
        reference: r.reference,
        owner_unit: r.owner_unit_id,
        burdens_units,
        burdens_roles: r.burdens_roles.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        hours_per_year: r.hours_per_year,
        value_statement: r.value_statement,
        status: RuleStatus::parse(&r.status).unwrap_or(RuleStatus::Active),
        hours_freed: r.hours_freed,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

/// Adds rules (one, or an import's all) with the next numbers, all or nothing, with one
/// audit entry per rule; answers their ids.
pub async fn create_all(db: &Db, municipality: Uuid, rules: &[NewRule], entry: AuditEntry) -> sqlx::Result<Vec<Uuid>> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let mut ids = Vec::with_capacity(rules.len());
        for r in rules {
            let id = new_id();
            let (number,): (i32,) = sqlx::query_as(
                "INSERT INTO rule_counter (municipality_id, next_number) VALUES ($1, 2)
                 ON CONFLICT (municipality_id) DO UPDATE SET next_number = rule_counter.next_number + 1
                 RETURNING next_number - 1",
            )
            .bind(municipality)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO rule (id, municipality_id, number, title, text, origin, reference, owner_unit_id,
                     burdens_roles, hours_per_year, value_statement, status, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $12)",
            )
            .bind(id)
            .bind(municipality)
            .bind(number)
            .bind(&r.title)
            .bind(&r.text)
            .bind(r.origin.unwrap_or(Origin::Local).key())
            .bind(&r.reference)
            .bind(r.owner_unit)
            .bind(r.burdens_roles.join(","))
            .bind(r.hours_per_year)
            .bind(&r.value_statement)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for unit in &r.burdens_units {
                sqlx::query("INSERT INTO rule_unit (rule_id, unit_id) VALUES ($1, $2) ON CONFLICT DO NOTHING")
                    .bind(id)
                    .bind(unit)
                    .execute(&mut *tx)
                    .await?;
            }
            let entry = entry.clone().subject(AUDIT_KIND, id, &r.title);
            audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    })
}

async fn burdens(db: &Db, rule: Uuid) -> sqlx::Result<Vec<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar("SELECT unit_id FROM rule_unit WHERE rule_id = $1").bind(rule).fetch_all(p).await
    })
}

/// One rule of the municipality.
pub async fn get(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Rule>> {
    let row: Option<RuleRow> = on_db!(db, |p| {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM rule WHERE id = $1 AND municipality_id = $2"
        )))
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    match row {
        Some(r) => {
            let units = burdens(db, r.id).await?;
            Ok(Some(rule(r, units)))
        }
        None => Ok(None),
    }
}

/// Every rule of the municipality by number, optionally in one status.
pub async fn list(db: &Db, municipality: Uuid, status: Option<RuleStatus>) -> sqlx::Result<Vec<Rule>> {
    let rows: Vec<RuleRow> = on_db!(db, |p| {
        let filter = if status.is_some() { " AND status = $2" } else { "" };
        let q = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {COLUMNS} FROM rule WHERE municipality_id = $1{filter} ORDER BY number"
        )))
        .bind(municipality);
        match status {
            Some(s) => q.bind(s.key()).fetch_all(p).await,
            None => q.fetch_all(p).await,
        }
    })?;
    let links: Vec<(Uuid, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT ru.rule_id, ru.unit_id FROM rule_unit ru JOIN rule r ON r.id = ru.rule_id WHERE r.municipality_id = $1",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let mut by_rule: std::collections::HashMap<Uuid, Vec<Uuid>> = std::collections::HashMap::new();
    for (r, u) in links {
        by_rule.entry(r).or_default().push(u);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let units = by_rule.remove(&r.id).unwrap_or_default();
            rule(r, units)
        })
        .collect())
}

/// Flags a rule ("this rule costs us time, because …").
pub async fn flag(
    db: &Db,
    municipality: Uuid,
    rule: &Rule,
    account: Option<Uuid>,
    text: &str,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let by = entry.actor_name.clone();
    let entry = entry.subject(AUDIT_KIND, rule.id, &rule.title);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO rule_flag (id, rule_id, account_id, author_name, text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new_id())
        .bind(rule.id)
        .bind(account)
        .bind(&by)
        .bind(text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// A rule's flags, newest first.
pub async fn flags(db: &Db, rule: Uuid) -> sqlx::Result<Vec<Flag>> {
    let rows: Vec<(String, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT text, author_name, created_at FROM rule_flag WHERE rule_id = $1 ORDER BY created_at DESC",
        )
        .bind(rule)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(text, by, at)| Flag { text, by, at }).collect())
}

/// Records a decision on a rule: its status, the hours it frees, the history entry and the
/// audit entry in one transaction.
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    db: &Db,
    municipality: Uuid,
    rule: &Rule,
    kind: RuleDecisionKind,
    reason: &str,
    hours_freed: i64,
    review: Option<Uuid>,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let by = if entry.actor_name.is_empty() { "system".to_string() } else { entry.actor_name.clone() };
    let entry = entry.subject(AUDIT_KIND, rule.id, &rule.title).detail(kind.key());
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE rule SET status = $1, hours_freed = hours_freed + $2, updated_at = $3 WHERE id = $4")
            .bind(kind.status().key())
            .bind(hours_freed)
            .bind(now)
            .bind(rule.id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO rule_decision (id, rule_id, review_id, decision, reason, hours_freed, actor_name, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(new_id())
        .bind(rule.id)
        .bind(review)
        .bind(kind.key())
        .bind(reason)
        .bind(hours_freed)
        .bind(&by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

type DecisionRow = (String, String, i64, Option<Uuid>, String, DateTime<Utc>);

fn decision((decision, reason, hours_freed, review, by, at): DecisionRow) -> RuleDecision {
    RuleDecision {
        decision: RuleDecisionKind::parse(&decision).unwrap_or(RuleDecisionKind::Keep),
        reason,
        hours_freed,
        review,
        by,
        at,
    }
}

/// A rule's decisions, oldest first.
pub async fn decisions(db: &Db, rule: Uuid) -> sqlx::Result<Vec<RuleDecision>> {
    let rows: Vec<DecisionRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT decision, reason, hours_freed, review_id, actor_name, at FROM rule_decision WHERE rule_id = $1
             ORDER BY at, id",
        )
        .bind(rule)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(decision).collect())
}

/// Every decision of the municipality with its rule's owner unit (for the totals).
pub async fn all_decisions(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<(Option<Uuid>, RuleDecision)>> {
    let rows: Vec<(Option<Uuid>, String, String, i64, Option<Uuid>, String, DateTime<Utc>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT r.owner_unit_id, d.decision, d.reason, d.hours_freed, d.review_id, d.actor_name, d.at
             FROM rule_decision d JOIN rule r ON r.id = d.rule_id WHERE r.municipality_id = $1 ORDER BY d.at",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(|(u, d, r, h, rv, b, a)| (u, decision((d, r, h, rv, b, a)))).collect())
}

type ReviewRow = (Uuid, String, NaiveDate, String, DateTime<Utc>, Option<DateTime<Utc>>);

fn review((id, title, deadline, state, created_at, closed_at): ReviewRow) -> Review {
    Review { id, title, deadline, state, created_at, closed_at }
}

/// Opens a review round of `rules` with a deadline.
pub async fn create_review(
    db: &Db,
    municipality: Uuid,
    title: &str,
    deadline: NaiveDate,
    rules: &[Uuid],
    entry: AuditEntry,
) -> sqlx::Result<Uuid> {
    let id = new_id();
    let now = Utc::now();
    let entry = entry.subject("rule_review", id, title);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "INSERT INTO rule_review (id, municipality_id, title, deadline, state, created_at) VALUES ($1, $2, $3, $4, 'open', $5)",
        )
        .bind(id)
        .bind(municipality)
        .bind(title)
        .bind(deadline)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for rule in rules {
            sqlx::query("INSERT INTO rule_review_item (review_id, rule_id) VALUES ($1, $2)")
                .bind(id)
                .bind(rule)
                .execute(&mut *tx)
                .await?;
        }
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await?;
        Ok(id)
    })
}

/// The municipality's review rounds, newest first.
pub async fn reviews(db: &Db, municipality: Uuid) -> sqlx::Result<Vec<Review>> {
    let rows: Vec<ReviewRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, title, deadline, state, created_at, closed_at FROM rule_review WHERE municipality_id = $1
             ORDER BY created_at DESC",
        )
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    Ok(rows.into_iter().map(review).collect())
}

pub async fn get_review(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Review>> {
    let row: Option<ReviewRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT id, title, deadline, state, created_at, closed_at FROM rule_review WHERE id = $1 AND municipality_id = $2",
        )
        .bind(id)
        .bind(municipality)
        .fetch_optional(p)
        .await
    })?;
    Ok(row.map(review))
}

type ItemRow = (Uuid, i32, String, String, Option<Uuid>, String, String, Option<DateTime<Utc>>, Option<bool>, bool);

/// The rules of a review with their justifications, by number.
pub async fn review_items(db: &Db, review: Uuid) -> sqlx::Result<Vec<ReviewItem>> {
    let rows: Vec<ItemRow> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT r.id, r.number, r.title, r.origin, r.owner_unit_id, i.justification, i.justified_by, i.justified_at,
                 i.accepted, i.marked_for_removal
             FROM rule_review_item i JOIN rule r ON r.id = i.rule_id WHERE i.review_id = $1 ORDER BY r.number",
        )
        .bind(review)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(
            |(rule, number, title, origin, owner_unit, justification, justified_by, justified_at, accepted, marked)| {
                ReviewItem {
                    rule,
                    number,
                    title,
                    origin: Origin::parse(&origin).unwrap_or(Origin::Local),
                    owner_unit,
                    justification,
                    justified_by,
                    justified_at,
                    accepted,
                    marked_for_removal: marked,
                }
            },
        )
        .collect())
}

/// Writes the owner's justification of a rule in a review (a new one replaces the old and
/// waits to be assessed again).
pub async fn justify(
    db: &Db,
    municipality: Uuid,
    review: Uuid,
    rule: &Rule,
    text: &str,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let by = entry.actor_name.clone();
    let entry = entry.subject(AUDIT_KIND, rule.id, &rule.title);
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query(
            "UPDATE rule_review_item SET justification = $1, justified_by = $2, justified_at = $3, accepted = NULL
             WHERE review_id = $4 AND rule_id = $5",
        )
        .bind(text)
        .bind(&by)
        .bind(now)
        .bind(review)
        .bind(rule.id)
        .execute(&mut *tx)
        .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// Accepts or rejects a justification.
pub async fn assess(
    db: &Db,
    municipality: Uuid,
    review: Uuid,
    rule: &Rule,
    accepted: bool,
    entry: AuditEntry,
) -> sqlx::Result<()> {
    let now = Utc::now();
    let entry = entry.subject(AUDIT_KIND, rule.id, &rule.title).detail(if accepted { "accepted" } else { "rejected" });
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE rule_review_item SET accepted = $1 WHERE review_id = $2 AND rule_id = $3")
            .bind(accepted)
            .bind(review)
            .bind(rule.id)
            .execute(&mut *tx)
            .await?;
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        tx.commit().await
    })
}

/// Closes a review at its deadline: every local rule in it without an accepted
/// justification is marked for removal (a national rule never is). Answers how many were
/// marked; a review already closed marks nothing.
pub async fn close_review(db: &Db, municipality: Uuid, review: Uuid, entry: AuditEntry) -> sqlx::Result<u64> {
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        let closed = sqlx::query(
            "UPDATE rule_review SET state = 'closed', closed_at = $1 WHERE id = $2 AND municipality_id = $3 AND state = 'open'",
        )
        .bind(now)
        .bind(review)
        .bind(municipality)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if closed == 0 {
            return Ok(0);
        }
        let unjustified: Vec<(Uuid, String)> = sqlx::query_as(
            "SELECT r.id, r.title FROM rule_review_item i JOIN rule r ON r.id = i.rule_id
             WHERE i.review_id = $1 AND r.origin = 'local' AND i.accepted IS NOT TRUE
               AND r.status IN ('active', 'simplified')",
        )
        .bind(review)
        .fetch_all(&mut *tx)
        .await?;
        for (rule, title) in &unjustified {
            sqlx::query("UPDATE rule_review_item SET marked_for_removal = TRUE WHERE review_id = $1 AND rule_id = $2")
                .bind(review)
                .bind(rule)
                .execute(&mut *tx)
                .await?;
            sqlx::query("UPDATE rule SET status = 'marked_for_removal', updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(rule)
                .execute(&mut *tx)
                .await?;
            let entry = entry.clone().subject(AUDIT_KIND, rule, title);
            audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        }
        tx.commit().await?;
        Ok(unjustified.len() as u64)
    })
}

/// Open reviews whose deadline has passed by `today`.
pub async fn due_reviews(db: &Db, today: NaiveDate) -> sqlx::Result<Vec<(Uuid, Uuid)>> {
    on_db!(db, |p| {
        sqlx::query_as("SELECT municipality_id, id FROM rule_review WHERE state = 'open' AND deadline < $1")
            .bind(today)
            .fetch_all(p)
            .await
    })
}

/// The open reviews a rule is in.
pub async fn open_reviews_of(db: &Db, rule: Uuid) -> sqlx::Result<Vec<Uuid>> {
    on_db!(db, |p| {
        sqlx::query_scalar(
            "SELECT i.review_id FROM rule_review_item i JOIN rule_review v ON v.id = i.review_id
             WHERE i.rule_id = $1 AND v.state = 'open'",
        )
        .bind(rule)
        .fetch_all(p)
        .await
    })
}
