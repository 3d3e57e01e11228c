//! The end of an import: the derived tables (tree index, head counts, span-of-control
//! report) recomputed from reads, and the switch — one short transaction that writes them,
//! the audit entry and the organisation's new version, and releases the claim.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use super::apply::BATCH;
use crate::on_db;
use crate::organisation::model::*;
use crate::organisation::span::{self, Leadership, Membership, TreeUnit};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool};

/// The tree index, head counts and span-of-control rows of the organisation as written.
pub(super) struct Derived {
    units: Vec<(Uuid, Option<Uuid>, String, i64, i64, i64, i64)>,
    positions: HashMap<Uuid, span::TreePosition>,
    headcounts: HashMap<Uuid, i64>,
    spans: Vec<span::LeaderSpan>,
    leaders: HashMap<Uuid, (String, String)>,
}

/// Recomputes the derived tables' contents from reads (outside any write transaction).
pub(super) async fn derive(db: &Db, municipality: Uuid) -> sqlx::Result<Derived> {
    let (units, memberships, leaderships, leaders) = on_db!(db, |pool| {
        let units: Vec<(Uuid, Option<Uuid>, String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT id, parent_id, name, depth, tree_left, tree_right, headcount FROM org_unit
             WHERE municipality_id = $1 AND NOT closed",
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?;
        let memberships: Vec<(Uuid, Uuid, String, bool)> = sqlx::query_as(
            "SELECT e.person_id, e.unit_id, e.pay_type, e.is_primary FROM engagement e
             WHERE e.municipality_id = $1 AND NOT e.closed",
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?;
        let leaderships: Vec<(Uuid, Uuid)> = sqlx::query_as(
            "SELECT person_id, unit_id FROM manager_post
             WHERE municipality_id = $1 AND NOT closed AND person_id IS NOT NULL",
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?;
        let leaders: Vec<(Uuid, String, String)> = sqlx::query_as(
            "SELECT p.id, p.name, p.email FROM person p
             WHERE p.municipality_id = $1 AND p.id IN (SELECT person_id FROM manager_post WHERE municipality_id = $1 AND NOT closed AND person_id IS NOT NULL)",
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?;
        Ok::<_, sqlx::Error>((units, memberships, leaderships, leaders))
    })?;
    let tree: Vec<TreeUnit> = units.iter().map(|u| TreeUnit { id: u.0, parent_id: u.1, name: u.2.clone() }).collect();
    let positions = span::tree_positions(&tree);
    let memberships: Vec<Membership> = memberships
        .into_iter()
        .map(|(person_id, unit_id, pay, is_primary)| Membership {
            person_id,
            unit_id,
            pay_type: PayType::parse(&pay).unwrap_or(PayType::Salaried),
            is_primary,
        })
        .collect();
    let headcounts = span::subtree_headcounts(&tree, &memberships);
    let leaderships: Vec<Leadership> =
        leaderships.into_iter().map(|(person_id, unit_id)| Leadership { person_id, unit_id }).collect();
    let spans = span::span_of_control(&tree, &positions, &memberships, &leaderships);
    let leaders = leaders.into_iter().map(|(id, name, email)| (id, (name, email))).collect();
    Ok(Derived { units, positions, headcounts, spans, leaders })
}

/// The switch, in one short transaction: the derived tables (when anything changed), the
/// audit entry, the version bump every server's organisation view follows, and the claim
/// released.
pub(super) async fn switch(
    db: &Db,
    municipality: Uuid,
    derived: Option<Derived>,
    summary: &ImportSummary,
    audit_entry: AuditEntry,
    now: DateTime<Utc>,
) -> sqlx::Result<()> {
    on_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        if let Some(Derived { units, positions, headcounts, spans, leaders }) = &derived {
            for (id, _, _, depth, left, right, headcount) in units {
                let count = headcounts.get(id).copied().unwrap_or(0);
                if let Some(p) = positions.get(id)
                    && ((p.depth, p.left, p.right) != (*depth, *left, *right) || count != *headcount)
                {
                    sqlx::query(
                        "UPDATE org_unit SET depth = $1, tree_left = $2, tree_right = $3, headcount = $4 WHERE id = $5",
                    )
                    .bind(p.depth)
                    .bind(p.left)
                    .bind(p.right)
                    .bind(count)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let unit_names: HashMap<Uuid, &str> = units.iter().map(|u| (u.0, u.2.as_str())).collect();
            sqlx::query("DELETE FROM span_of_control WHERE municipality_id = $1")
                .bind(municipality)
                .execute(&mut *tx)
                .await?;
            let rows: Vec<(i64, &span::LeaderSpan)> = spans.iter().enumerate().map(|(i, s)| (i as i64, s)).collect();
            for chunk in rows.chunks(BATCH) {
                let mut q = QueryBuilder::new(
                    "INSERT INTO span_of_control (municipality_id, position, person_id, unit_id, department_id, leader_name, email, unit_name, level, direct_reports, total_reports, leader_reports, hourly, salaried, tree_left) ",
                );
                q.push_values(chunk, |mut b, (position, s)| {
                    let (name, email) = leaders.get(&s.person_id).cloned().unwrap_or_default();
                    b.push_bind(municipality)
                        .push_bind(*position)
                        .push_bind(s.person_id)
                        .push_bind(s.unit_id)
                        .push_bind(s.department_id)
                        .push_bind(name)
                        .push_bind(email)
                        .push_bind(unit_names.get(&s.unit_id).copied().unwrap_or("").to_string())
                        .push_bind(s.level)
                        .push_bind(s.direct)
                        .push_bind(s.total)
                        .push_bind(s.leaders)
                        .push_bind(s.hourly)
                        .push_bind(s.salaried)
                        .push_bind(s.tree_left);
                });
                q.build().execute(&mut *tx).await?;
            }
        }
        let mut entry = audit_entry;
        entry.detail = serde_json::to_string(summary).unwrap_or_default();
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        // Every instance's read model reloads when it sees the counter move.
        sqlx::query(
            "INSERT INTO org_state (municipality_id, version) VALUES ($1, 1)
             ON CONFLICT (municipality_id) DO UPDATE SET version = org_state.version + 1",
        )
        .bind(municipality)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM org_import WHERE municipality_id = $1").bind(municipality).execute(&mut *tx).await?;
        tx.commit().await
    })
}
