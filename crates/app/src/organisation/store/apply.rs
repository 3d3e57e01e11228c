//! Applying an imported snapshot: the organisation's one write path. Creates, updates and
//! closes records, then recomputes the tree index, head counts and the span-of-control
//! report in the same transaction.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::on_db;
use crate::organisation::model::*;
use crate::organisation::span::{self, Leadership, Membership, TreeUnit};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};

/// Rows per multi-row INSERT; well under both backends' bind-parameter limits.
const BATCH: usize = 500;

type UnitState = (Option<Uuid>, String, String, Option<NaiveDate>, Option<NaiveDate>, bool);
type PersonState = (String, String, String);
type EngagementState = (Uuid, Uuid, String, String, bool, Option<NaiveDate>, Option<NaiveDate>, bool);
type ManagerState = (Uuid, Option<Uuid>, String, Option<NaiveDate>, Option<NaiveDate>, bool);

/// Makes the organisation of `municipality` equal to `snapshot`, in one transaction:
/// creates new records, updates changed ones, closes units, engagements and manager posts
/// that are no longer there (they are kept, with `closed` set and `valid_to` filled), and
/// recomputes the tree index and the span-of-control report. Applying the same snapshot
/// twice changes nothing the second time.
pub async fn apply_snapshot(
    db: &Db,
    municipality: Uuid,
    snapshot: &OrgSnapshot,
    audit_entry: AuditEntry,
) -> sqlx::Result<ImportSummary> {
    let now = Utc::now();
    let today = now.date_naive();
    let mut summary = ImportSummary::default();
    on_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;

        // ---- units
        let rows: Vec<(Uuid, String, Option<Uuid>, String, String, Option<NaiveDate>, Option<NaiveDate>, bool)> =
            sqlx::query_as(
                "SELECT id, external_key, parent_id, name, unit_type, valid_from, valid_to, closed
                 FROM org_unit WHERE municipality_id = $1",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
        let mut unit_ids: HashMap<String, Uuid> = HashMap::new();
        let mut unit_state: HashMap<Uuid, UnitState> = HashMap::new();
        for (id, key, parent, name, ty, from, to, closed) in rows {
            unit_ids.insert(key, id);
            unit_state.insert(id, (parent, name, ty, from, to, closed));
        }
        for u in &snapshot.units {
            unit_ids.entry(u.key.clone()).or_insert_with(new_id);
        }
        // Parents before children, so every parent row exists when its child is written.
        let ordered = parents_first(&snapshot.units);
        let mut writes = Vec::new();
        for u in ordered {
            let id = unit_ids[&u.key];
            let parent = u.parent_key.as_ref().and_then(|p| unit_ids.get(p).copied());
            let closed = u.valid_to.is_some_and(|to| to < today);
            let state: UnitState = (parent, u.name.clone(), u.unit_type.clone(), u.valid_from, u.valid_to, closed);
            match unit_state.get(&id) {
                None => summary.units_created += 1,
                Some(old) if *old != state => summary.units_updated += 1,
                Some(_) => continue,
            }
            writes.push((id, u.key.clone(), state));
        }
        for chunk in writes.chunks(BATCH) {
            let mut q = QueryBuilder::new(
                "INSERT INTO org_unit (id, municipality_id, external_key, parent_id, name, name_norm, unit_type, valid_from, valid_to, closed, updated_at) ",
            );
            q.push_values(chunk, |mut b, (id, key, (parent, name, ty, from, to, closed))| {
                b.push_bind(*id)
                    .push_bind(municipality)
                    .push_bind(key.clone())
                    .push_bind(*parent)
                    .push_bind(name.clone())
                    .push_bind(normalise(name))
                    .push_bind(ty.clone())
                    .push_bind(*from)
                    .push_bind(*to)
                    .push_bind(*closed)
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (municipality_id, external_key) DO UPDATE SET parent_id = excluded.parent_id,
                  name = excluded.name, name_norm = excluded.name_norm, unit_type = excluded.unit_type,
                  valid_from = excluded.valid_from, valid_to = excluded.valid_to, closed = excluded.closed,
                  updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }
        let present: HashSet<&str> = snapshot.units.iter().map(|u| u.key.as_str()).collect();
        for (key, id) in &unit_ids {
            if present.contains(key.as_str()) {
                continue;
            }
            if let Some((_, _, _, _, to, false)) = unit_state.get(id) {
                sqlx::query("UPDATE org_unit SET closed = TRUE, valid_to = $1, updated_at = $2 WHERE id = $3")
                    .bind(to.unwrap_or(today))
                    .bind(now)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                summary.units_closed += 1;
            }
        }

        // ---- people
        let rows: Vec<(Uuid, String, String, String, String)> =
            sqlx::query_as("SELECT id, external_key, name, email, phone FROM person WHERE municipality_id = $1")
                .bind(municipality)
                .fetch_all(&mut *tx)
                .await?;
        let mut person_ids: HashMap<String, Uuid> = HashMap::new();
        let mut person_state: HashMap<Uuid, PersonState> = HashMap::new();
        for (id, key, name, email, phone) in rows {
            person_ids.insert(key, id);
            person_state.insert(id, (name, email, phone));
        }
        let mut writes = Vec::new();
        for p in &snapshot.people {
            let id = *person_ids.entry(p.key.clone()).or_insert_with(new_id);
            let state: PersonState = (p.name.clone(), p.email.clone(), p.phone.clone());
            match person_state.get(&id) {
                None => summary.people_created += 1,
                Some(old) if *old != state => summary.people_updated += 1,
                Some(_) => continue,
            }
            writes.push((id, p.key.clone(), state));
        }
        for chunk in writes.chunks(BATCH) {
            let mut q = QueryBuilder::new(
                "INSERT INTO person (id, municipality_id, external_key, name, name_norm, email, phone, updated_at) ",
            );
            q.push_values(chunk, |mut b, (id, key, (name, email, phone))| {
                b.push_bind(*id)
                    .push_bind(municipality)
                    .push_bind(key.clone())
                    .push_bind(name.clone())
                    .push_bind(normalise(name))
                    .push_bind(email.clone())
                    .push_bind(phone.clone())
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (municipality_id, external_key) DO UPDATE SET name = excluded.name,
                  name_norm = excluded.name_norm, email = excluded.email, phone = excluded.phone,
                  updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }

        // ---- engagements
        let rows: Vec<(Uuid, String, Uuid, Uuid, String, String, bool, Option<NaiveDate>, Option<NaiveDate>, bool)> =
            sqlx::query_as(
                "SELECT id, external_key, person_id, unit_id, job_title, pay_type, is_primary, valid_from, valid_to, closed
                 FROM engagement WHERE municipality_id = $1",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
        let mut existing: HashMap<String, (Uuid, EngagementState)> = HashMap::new();
        for (id, key, person, unit, title, pay, primary, from, to, closed) in rows {
            existing.insert(key, (id, (person, unit, title, pay, primary, from, to, closed)));
        }
        let mut writes = Vec::new();
        for e in &snapshot.engagements {
            let (Some(person), Some(unit)) = (person_ids.get(&e.person_key), unit_ids.get(&e.unit_key)) else {
                continue;
            };
            let closed = e.valid_to.is_some_and(|to| to < today);
            let state: EngagementState = (
                *person,
                *unit,
                e.job_title.clone(),
                e.pay_type.as_str().to_string(),
                e.is_primary,
                e.valid_from,
                e.valid_to,
                closed,
            );
            let id = match existing.get(&e.key) {
                None => {
                    summary.engagements_created += 1;
                    new_id()
                }
                Some((id, old)) if *old != state => {
                    summary.engagements_updated += 1;
                    *id
                }
                Some(_) => continue,
            };
            writes.push((id, e.key.clone(), state));
        }
        for chunk in writes.chunks(BATCH) {
            let mut q = QueryBuilder::new(
                "INSERT INTO engagement (id, municipality_id, external_key, person_id, unit_id, job_title, pay_type, is_primary, valid_from, valid_to, closed, updated_at) ",
            );
            q.push_values(chunk, |mut b, (id, key, (person, unit, title, pay, primary, from, to, closed))| {
                b.push_bind(*id)
                    .push_bind(municipality)
                    .push_bind(key.clone())
                    .push_bind(*person)
                    .push_bind(*unit)
                    .push_bind(title.clone())
                    .push_bind(pay.clone())
                    .push_bind(*primary)
                    .push_bind(*from)
                    .push_bind(*to)
                    .push_bind(*closed)
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (municipality_id, external_key) DO UPDATE SET person_id = excluded.person_id,
                  unit_id = excluded.unit_id, job_title = excluded.job_title, pay_type = excluded.pay_type,
                  is_primary = excluded.is_primary, valid_from = excluded.valid_from, valid_to = excluded.valid_to,
                  closed = excluded.closed, updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }
        let present: HashSet<&str> = snapshot.engagements.iter().map(|e| e.key.as_str()).collect();
        for (key, (id, state)) in &existing {
            if !present.contains(key.as_str()) && !state.7 {
                sqlx::query("UPDATE engagement SET closed = TRUE, valid_to = $1, updated_at = $2 WHERE id = $3")
                    .bind(state.6.unwrap_or(today))
                    .bind(now)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                summary.engagements_closed += 1;
            }
        }

        // ---- manager posts
        let rows: Vec<(Uuid, String, Uuid, Option<Uuid>, String, Option<NaiveDate>, Option<NaiveDate>, bool)> =
            sqlx::query_as(
                "SELECT id, external_key, unit_id, person_id, title, valid_from, valid_to, closed
                 FROM manager_post WHERE municipality_id = $1",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
        let mut existing: HashMap<String, (Uuid, ManagerState)> = HashMap::new();
        for (id, key, unit, person, title, from, to, closed) in rows {
            existing.insert(key, (id, (unit, person, title, from, to, closed)));
        }
        let mut writes = Vec::new();
        for m in &snapshot.managers {
            let Some(unit) = unit_ids.get(&m.unit_key) else {
                continue;
            };
            let person = m.person_key.as_ref().and_then(|p| person_ids.get(p).copied());
            let closed = m.valid_to.is_some_and(|to| to < today);
            let state: ManagerState = (*unit, person, m.title.clone(), m.valid_from, m.valid_to, closed);
            let id = match existing.get(&m.key) {
                None => {
                    summary.managers_created += 1;
                    new_id()
                }
                Some((id, old)) if *old != state => {
                    summary.managers_updated += 1;
                    *id
                }
                Some(_) => continue,
            };
            writes.push((id, m.key.clone(), state));
        }
        for chunk in writes.chunks(BATCH) {
            let mut q = QueryBuilder::new(
                "INSERT INTO manager_post (id, municipality_id, external_key, unit_id, person_id, title, valid_from, valid_to, closed, updated_at) ",
            );
            q.push_values(chunk, |mut b, (id, key, (unit, person, title, from, to, closed))| {
                b.push_bind(*id)
                    .push_bind(municipality)
                    .push_bind(key.clone())
                    .push_bind(*unit)
                    .push_bind(*person)
                    .push_bind(title.clone())
                    .push_bind(*from)
                    .push_bind(*to)
                    .push_bind(*closed)
                    .push_bind(now);
            });
            q.push(
                " ON CONFLICT (municipality_id, external_key) DO UPDATE SET unit_id = excluded.unit_id,
                  person_id = excluded.person_id, title = excluded.title, valid_from = excluded.valid_from,
                  valid_to = excluded.valid_to, closed = excluded.closed, updated_at = excluded.updated_at",
            );
            q.build().execute(&mut *tx).await?;
        }
        let present: HashSet<&str> = snapshot.managers.iter().map(|m| m.key.as_str()).collect();
        for (key, (id, state)) in &existing {
            if !present.contains(key.as_str()) && !state.5 {
                sqlx::query("UPDATE manager_post SET closed = TRUE, valid_to = $1, updated_at = $2 WHERE id = $3")
                    .bind(state.4.unwrap_or(today))
                    .bind(now)
                    .bind(*id)
                    .execute(&mut *tx)
                    .await?;
                summary.managers_closed += 1;
            }
        }

        if summary.changed_anything() {
            // ---- tree index and span of control, from the state just written
            let units: Vec<(Uuid, Option<Uuid>, String, i64, i64, i64, i64)> = sqlx::query_as(
                "SELECT id, parent_id, name, depth, tree_left, tree_right, headcount FROM org_unit
                 WHERE municipality_id = $1 AND NOT closed",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            let tree: Vec<TreeUnit> =
                units.iter().map(|u| TreeUnit { id: u.0, parent_id: u.1, name: u.2.clone() }).collect();
            let positions = span::tree_positions(&tree);
            let memberships: Vec<(Uuid, Uuid, String, bool)> = sqlx::query_as(
                "SELECT e.person_id, e.unit_id, e.pay_type, e.is_primary FROM engagement e
                 WHERE e.municipality_id = $1 AND NOT e.closed",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
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
            for (id, _, _, depth, left, right, headcount) in &units {
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
            let leaderships: Vec<(Uuid, Uuid)> = sqlx::query_as(
                "SELECT person_id, unit_id FROM manager_post
                 WHERE municipality_id = $1 AND NOT closed AND person_id IS NOT NULL",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            let leaderships: Vec<Leadership> =
                leaderships.into_iter().map(|(person_id, unit_id)| Leadership { person_id, unit_id }).collect();
            let spans = span::span_of_control(&tree, &positions, &memberships, &leaderships);

            let people: Vec<(Uuid, String, String)> = sqlx::query_as(
                "SELECT p.id, p.name, p.email FROM person p
                 WHERE p.municipality_id = $1 AND p.id IN (SELECT person_id FROM manager_post WHERE municipality_id = $1 AND NOT closed AND person_id IS NOT NULL)",
            )
            .bind(municipality)
            .fetch_all(&mut *tx)
            .await?;
            let people: HashMap<Uuid, (String, String)> = people.into_iter().map(|(i, n, e)| (i, (n, e))).collect();
            let unit_names: HashMap<Uuid, &str> = tree.iter().map(|u| (u.id, u.name.as_str())).collect();

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
                    let (name, email) = people.get(&s.person_id).cloned().unwrap_or_default();
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
        entry.detail = serde_json::to_string(&summary).unwrap_or_default();
        audit::record_in(&mut *tx, Some(municipality), &entry, now).await?;
        // Every instance's read model reloads when it sees the counter move.
        sqlx::query("UPDATE municipality SET org_version = org_version + 1 WHERE id = $1")
            .bind(municipality)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(())
    })?;
    super::super::view::note_local_write();
    Ok(summary)
}

/// Orders units so that each parent comes before its children (unknown parents first).
fn parents_first(units: &[UnitRecord]) -> Vec<&UnitRecord> {
    let by_key: HashMap<&str, &UnitRecord> = units.iter().map(|u| (u.key.as_str(), u)).collect();
    let mut depth_of: HashMap<&str, usize> = HashMap::new();
    for u in units {
        let mut d = 0;
        let mut cur = u.parent_key.as_deref();
        while let Some(p) = cur {
            d += 1;
            if d > units.len() {
                break;
            }
            cur = by_key.get(p).and_then(|x| x.parent_key.as_deref());
        }
        depth_of.insert(u.key.as_str(), d);
    }
    let mut ordered: Vec<&UnitRecord> = units.iter().collect();
    ordered.sort_by_key(|u| depth_of.get(u.key.as_str()).copied().unwrap_or(0));
    ordered
}
