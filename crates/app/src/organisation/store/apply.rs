//! Applying an imported snapshot: the organisation's one write path.
//!
//! SQLite lets one writer in at a time, so an import must never hold the write lock for
//! long (a login waiting behind it would fail). The difference between the database and the
//! snapshot is worked out from reads; the writes go in slices of at most [`WRITE_SLICE`],
//! each its own transaction, with a pause after each on SQLite so a waiting writer gets in.
//! A last short transaction is the switch (`switch.rs`): it recomputes the tree index, head counts and the
//! span-of-control report, writes the audit entry and bumps the organisation's version (`org_state`), which is what
//! every server's organisation view follows — pages drawn from it show the old organisation
//! until then. One import runs at a time per municipality (the `org_import` claim); one whose
//! process died part-way is taken over and completed by the next.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::QueryBuilder;
use uuid::Uuid;

use crate::on_db;
use crate::organisation::model::*;
use crate::platform::audit::AuditEntry;
use crate::platform::db::{Db, WRITE_SLICE, WritePool, new_id};
use crate::platform::search;

use super::switch::{derive, switch};

/// Rows per multi-row INSERT; well under both backends' bind-parameter limits.
pub(super) const BATCH: usize = 500;
/// A claim whose heartbeat is older than this belongs to an import that died.
const CLAIM_STALE_AFTER: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

type UnitState = (Option<Uuid>, String, String, Option<NaiveDate>, Option<NaiveDate>, bool);
type PersonState = (String, String, String);
type EngagementState = (Uuid, Uuid, String, String, bool, Option<NaiveDate>, Option<NaiveDate>, bool);
type ManagerState = (Uuid, Option<Uuid>, String, Option<NaiveDate>, Option<NaiveDate>, bool);

/// Why a snapshot was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Another import of the same organisation is being applied.
    #[error("another import of this organisation has been running since {since}")]
    Running { since: DateTime<Utc> },
    /// Failed after writing began: part of the snapshot may be written. The next import
    /// completes the organisation.
    #[error("the import stopped part-way and may have written part of the organisation: {0}")]
    Interrupted(sqlx::Error),
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

/// The tables whose records an import closes rather than deletes.
#[derive(Clone, Copy)]
enum Closable {
    Unit,
    Engagement,
    Manager,
}

impl Closable {
    fn table(self) -> &'static str {
        match self {
            Closable::Unit => "org_unit",
            Closable::Engagement => "engagement",
            Closable::Manager => "manager_post",
        }
    }
}

/// One statement of an import: up to [`BATCH`] rows.
enum Write {
    Units(Vec<(Uuid, String, UnitState)>),
    People(Vec<(Uuid, String, PersonState)>),
    Engagements(Vec<(Uuid, String, EngagementState)>),
    Managers(Vec<(Uuid, String, ManagerState)>),
    Close(Closable, Vec<Uuid>),
}

/// Rows keyed by their source system's key, compared with what is stored: the rows to write
/// (new or changed, with the stored id kept) and the ids of open rows the source no longer has.
struct KeyedDiff<S> {
    rows: Vec<(Uuid, String, S)>,
    created: u64,
    updated: u64,
    gone: Vec<Uuid>,
}

impl<S> KeyedDiff<S> {
    fn counts(&self) -> (u64, u64, u64) {
        (self.created, self.updated, self.gone.len() as u64)
    }
}

fn diff_keyed<S: PartialEq>(
    existing: &HashMap<String, (Uuid, S)>,
    incoming: impl Iterator<Item = (String, S)>,
    present: &HashSet<&str>,
    is_closed: impl Fn(&S) -> bool,
) -> KeyedDiff<S> {
    let mut diff = KeyedDiff { rows: Vec::new(), created: 0, updated: 0, gone: Vec::new() };
    for (key, state) in incoming {
        let id = match existing.get(&key) {
            None => {
                diff.created += 1;
                new_id()
            }
            Some((id, old)) if *old != state => {
                diff.updated += 1;
                *id
            }
            Some(_) => continue,
        };
        diff.rows.push((id, key, state));
    }
    diff.gone = existing
        .iter()
        .filter(|(key, (_, state))| !present.contains(key.as_str()) && !is_closed(state))
        .map(|(_, (id, _))| *id)
        .collect();
    diff
}

fn batched<T>(rows: Vec<T>, make: impl Fn(Vec<T>) -> Write) -> Vec<Write> {
    let mut writes = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        writes.push(make(rows.by_ref().take(BATCH).collect()));
    }
    writes
}

/// Makes the organisation of `municipality` equal to `snapshot`: creates new records,
/// updates changed ones, closes units, engagements and manager posts that are no longer
/// there (they are kept, with `closed` set and `valid_to` filled), and recomputes the tree
/// index and the span-of-control report. Applying the same snapshot twice changes nothing
/// the second time. See the module comment for how the writes are sliced.
pub async fn apply_snapshot(
    db: &Db,
    municipality: Uuid,
    snapshot: &OrgSnapshot,
    audit_entry: AuditEntry,
) -> Result<ImportSummary, ApplyError> {
    let took_over = claim(db, municipality).await?;
    let result = apply_claimed(db, municipality, snapshot, audit_entry, took_over).await;
    if result.is_err() {
        // Left for the next import to complete; it may start at once.
        let _ = abandon_claim(db, municipality).await;
    }
    let summary = result?;
    super::super::cache::note_local_write();
    Ok(summary)
}

/// Takes the municipality's import claim. True when it took over the claim of an import
/// that died part-way.
async fn claim(db: &Db, municipality: Uuid) -> Result<bool, ApplyError> {
    let now = Utc::now();
    on_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let held: Option<(DateTime<Utc>, DateTime<Utc>, String)> =
            sqlx::query_as("SELECT started_at, heartbeat_at, holder FROM org_import WHERE municipality_id = $1")
                .bind(municipality)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some((since, heartbeat, holder)) = &held
            && now - *heartbeat < CLAIM_STALE_AFTER
            && holder_alive(holder)
        {
            return Err(ApplyError::Running { since: *since });
        }
        sqlx::query(
            "INSERT INTO org_import (municipality_id, started_at, heartbeat_at, holder) VALUES ($1, $2, $2, $3)
             ON CONFLICT (municipality_id) DO UPDATE SET started_at = excluded.started_at,
             heartbeat_at = excluded.heartbeat_at, holder = excluded.holder",
        )
        .bind(municipality)
        .bind(now)
        .bind(this_holder())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(held.is_some())
    })
}

/// When the import now being applied started, if one is (or one died part-way and has not
/// been completed yet).
pub async fn import_in_progress(db: &Db, municipality: Uuid) -> sqlx::Result<Option<DateTime<Utc>>> {
    on_db!(db, |pool| {
        sqlx::query_scalar("SELECT started_at FROM org_import WHERE municipality_id = $1")
            .bind(municipality)
            .fetch_optional(pool)
            .await
    })
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname").map(|h| h.trim().to_string()).unwrap_or_default()
}

/// Who holds a claim: "host:pid".
fn this_holder() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

/// Whether the process holding a claim may still be running. Only a process on this host
/// (where `/proc` shows it) can be known to be gone; any other counts as alive until its
/// heartbeat goes stale.
fn holder_alive(holder: &str) -> bool {
    let host = host_name();
    match holder.rsplit_once(':') {
        Some((h, pid)) if !host.is_empty() && h == host && std::path::Path::new("/proc/self").exists() => {
            std::path::Path::new("/proc").join(pid).exists()
        }
        _ => true,
    }
}

/// Marks the claim as stale at once, so the next import takes it over and completes the
/// half-written organisation.
async fn abandon_claim(db: &Db, municipality: Uuid) -> sqlx::Result<()> {
    on_db!(db, |pool| {
        sqlx::query("UPDATE org_import SET heartbeat_at = $1 WHERE municipality_id = $2")
            .bind(DateTime::<Utc>::UNIX_EPOCH)
            .bind(municipality)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

async fn apply_claimed(
    db: &Db,
    municipality: Uuid,
    snapshot: &OrgSnapshot,
    audit_entry: AuditEntry,
    took_over: bool,
) -> Result<ImportSummary, ApplyError> {
    let now = Utc::now();
    let (writes, mut summary) = plan(db, municipality, snapshot, now).await?;
    summary.completed_interrupted_import = took_over;
    let write = async {
        write_in_slices(db, municipality, &writes, now).await?;
        // Every import brings the people's search entries up to date (only changed ones
        // are written), which also fills them in for a database that predates them.
        let texts = super::people_search_texts(db, municipality).await?;
        search::sync(db, municipality, super::PERSON_KIND, texts).await?;
        // An interrupted import may have left the derived tables behind its writes.
        let derived =
            if summary.changed_anything() || took_over { Some(derive(db, municipality).await?) } else { None };
        switch(db, municipality, derived, &summary, audit_entry, now).await
    };
    write.await.map_err(ApplyError::Interrupted)?;
    Ok(summary)
}

/// Reads the organisation as it is and works out the writes that make it `snapshot`. Only
/// reads: the claim keeps other imports out meanwhile.
async fn plan(
    db: &Db,
    municipality: Uuid,
    snapshot: &OrgSnapshot,
    now: DateTime<Utc>,
) -> sqlx::Result<(Vec<Write>, ImportSummary)> {
    let today = now.date_naive();
    let mut summary = ImportSummary::default();
    let mut writes = Vec::new();
    let (units, people, engagements, managers) = on_db!(db, |pool| {
        let units: Vec<(Uuid, String, Option<Uuid>, String, String, Option<NaiveDate>, Option<NaiveDate>, bool)> =
            sqlx::query_as(
                "SELECT id, external_key, parent_id, name, unit_type, valid_from, valid_to, closed
                 FROM org_unit WHERE municipality_id = $1",
            )
            .bind(municipality)
            .fetch_all(pool)
            .await?;
        let people: Vec<(Uuid, String, String, String, String)> =
            sqlx::query_as("SELECT id, external_key, name, email, phone FROM person WHERE municipality_id = $1")
                .bind(municipality)
                .fetch_all(pool)
                .await?;
        let engagements: Vec<(
            Uuid,
            String,
            Uuid,
            Uuid,
            String,
            String,
            bool,
            Option<NaiveDate>,
            Option<NaiveDate>,
            bool,
        )> = sqlx::query_as(
            "SELECT id, external_key, person_id, unit_id, job_title, pay_type, is_primary, valid_from, valid_to, closed
                 FROM engagement WHERE municipality_id = $1",
        )
        .bind(municipality)
        .fetch_all(pool)
        .await?;
        let managers: Vec<(Uuid, String, Uuid, Option<Uuid>, String, Option<NaiveDate>, Option<NaiveDate>, bool)> =
            sqlx::query_as(
                "SELECT id, external_key, unit_id, person_id, title, valid_from, valid_to, closed
                 FROM manager_post WHERE municipality_id = $1",
            )
            .bind(municipality)
            .fetch_all(pool)
            .await?;
        Ok::<_, sqlx::Error>((units, people, engagements, managers))
    })?;

    // ---- units
    let mut unit_ids: HashMap<String, Uuid> = HashMap::new();
    let mut unit_state: HashMap<Uuid, UnitState> = HashMap::new();
    for (id, key, parent, name, ty, from, to, closed) in units {
        unit_ids.insert(key, id);
        unit_state.insert(id, (parent, name, ty, from, to, closed));
    }
    for u in &snapshot.units {
        unit_ids.entry(u.key.clone()).or_insert_with(new_id);
    }
    // Parents before children, so every parent row exists when its child is written.
    let mut rows = Vec::new();
    for u in parents_first(&snapshot.units) {
        let id = unit_ids[&u.key];
        let parent = u.parent_key.as_ref().and_then(|p| unit_ids.get(p).copied());
        let closed = u.valid_to.is_some_and(|to| to < today);
        let state: UnitState = (parent, u.name.clone(), u.unit_type.clone(), u.valid_from, u.valid_to, closed);
        match unit_state.get(&id) {
            None => summary.units_created += 1,
            Some(old) if *old != state => summary.units_updated += 1,
            Some(_) => continue,
        }
        rows.push((id, u.key.clone(), state));
    }
    writes.extend(batched(rows, Write::Units));
    let present: HashSet<&str> = snapshot.units.iter().map(|u| u.key.as_str()).collect();
    let gone: Vec<Uuid> = unit_ids
        .iter()
        .filter(|(key, id)| !present.contains(key.as_str()) && unit_state.get(id).is_some_and(|s| !s.5))
        .map(|(_, id)| *id)
        .collect();
    summary.units_closed = gone.len() as u64;
    writes.extend(batched(gone, |ids| Write::Close(Closable::Unit, ids)));

    // ---- people
    let mut person_ids: HashMap<String, Uuid> = HashMap::new();
    let mut person_state: HashMap<Uuid, PersonState> = HashMap::new();
    for (id, key, name, email, phone) in people {
        person_ids.insert(key, id);
        person_state.insert(id, (name, email, phone));
    }
    let mut rows = Vec::new();
    for p in &snapshot.people {
        let id = *person_ids.entry(p.key.clone()).or_insert_with(new_id);
        let state: PersonState = (p.name.clone(), p.email.clone(), p.phone.clone());
        match person_state.get(&id) {
            None => summary.people_created += 1,
            Some(old) if *old != state => summary.people_updated += 1,
            Some(_) => continue,
        }
        rows.push((id, p.key.clone(), state));
    }
    writes.extend(batched(rows, Write::People));

    // ---- engagements
    let existing: HashMap<String, (Uuid, EngagementState)> = engagements
        .into_iter()
        .map(|(id, key, person, unit, title, pay, primary, from, to, closed)| {
            (key, (id, (person, unit, title, pay, primary, from, to, closed)))
        })
        .collect();
    let incoming = snapshot.engagements.iter().filter_map(|e| {
        let (Some(person), Some(unit)) = (person_ids.get(&e.person_key), unit_ids.get(&e.unit_key)) else {
            return None;
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
        Some((e.key.clone(), state))
    });
    let present = snapshot.engagements.iter().map(|e| e.key.as_str()).collect();
    let diff = diff_keyed(&existing, incoming, &present, |state| state.7);
    (summary.engagements_created, summary.engagements_updated, summary.engagements_closed) = diff.counts();
    writes.extend(batched(diff.rows, Write::Engagements));
    writes.extend(batched(diff.gone, |ids| Write::Close(Closable::Engagement, ids)));

    // ---- manager posts
    let existing: HashMap<String, (Uuid, ManagerState)> = managers
        .into_iter()
        .map(|(id, key, unit, person, title, from, to, closed)| (key, (id, (unit, person, title, from, to, closed))))
        .collect();
    let incoming = snapshot.managers.iter().filter_map(|m| {
        let unit = unit_ids.get(&m.unit_key)?;
        let person = m.person_key.as_ref().and_then(|p| person_ids.get(p).copied());
        let closed = m.valid_to.is_some_and(|to| to < today);
        Some((m.key.clone(), (*unit, person, m.title.clone(), m.valid_from, m.valid_to, closed)))
    });
    let present = snapshot.managers.iter().map(|m| m.key.as_str()).collect();
    let diff = diff_keyed(&existing, incoming, &present, |state| state.5);
    (summary.managers_created, summary.managers_updated, summary.managers_closed) = diff.counts();
    writes.extend(batched(diff.rows, Write::Managers));
    writes.extend(batched(diff.gone, |ids| Write::Close(Closable::Manager, ids)));

    Ok((writes, summary))
}

/// Executes `writes` in order, committing whenever a transaction has held the write lock for
/// [`WRITE_SLICE`], and moving the claim's heartbeat with each commit.
async fn write_in_slices(db: &Db, municipality: Uuid, writes: &[Write], now: DateTime<Utc>) -> sqlx::Result<()> {
    let today = now.date_naive();
    let pause = db.pause_between_slices();
    on_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        let mut slice_started = Instant::now();
        for (n, write) in writes.iter().enumerate() {
            match write {
                Write::Units(rows) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO org_unit (id, municipality_id, external_key, parent_id, name, name_norm, unit_type, valid_from, valid_to, closed, updated_at) ",
                    );
                    q.push_values(rows, |mut b, (id, key, (parent, name, ty, from, to, closed))| {
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
                Write::People(rows) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO person (id, municipality_id, external_key, name, name_norm, email, phone, updated_at) ",
                    );
                    q.push_values(rows, |mut b, (id, key, (name, email, phone))| {
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
                Write::Engagements(rows) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO engagement (id, municipality_id, external_key, person_id, unit_id, job_title, pay_type, is_primary, valid_from, valid_to, closed, updated_at) ",
                    );
                    q.push_values(rows, |mut b, (id, key, (person, unit, title, pay, primary, from, to, closed))| {
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
                Write::Managers(rows) => {
                    let mut q = QueryBuilder::new(
                        "INSERT INTO manager_post (id, municipality_id, external_key, unit_id, person_id, title, valid_from, valid_to, closed, updated_at) ",
                    );
                    q.push_values(rows, |mut b, (id, key, (unit, person, title, from, to, closed))| {
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
                Write::Close(kind, ids) => {
                    // A record closed without an end date ends today.
                    let mut q = QueryBuilder::new(format!(
                        "UPDATE {} SET closed = TRUE, valid_to = COALESCE(valid_to, ",
                        kind.table()
                    ));
                    q.push_bind(today).push("), updated_at = ").push_bind(now).push(" WHERE id IN (");
                    let mut list = q.separated(", ");
                    for id in ids {
                        list.push_bind(*id);
                    }
                    q.push(")");
                    q.build().execute(&mut *tx).await?;
                }
            }
            if slice_started.elapsed() >= WRITE_SLICE && n + 1 < writes.len() {
                sqlx::query("UPDATE org_import SET heartbeat_at = $1 WHERE municipality_id = $2")
                    .bind(Utc::now())
                    .bind(municipality)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                tokio::time::sleep(pause).await;
                tx = pool.begin_write().await?;
                slice_started = Instant::now();
            }
        }
        tx.commit().await
    })
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
