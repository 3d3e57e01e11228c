//! The SQL of a programme's groups: adopting a level of groups (and dissolving the levels
//! inside it), placing a late enrolment, and the groups a person is in. A learning group's
//! members get the employee role on the group, which lets them read its notes.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::AUDIT_KIND;
use crate::on_db;
use crate::platform::accounts::store::{grant_person_on_object_in, revoke_all_on_object_in};
use crate::platform::audit::{self, AuditEntry};
use crate::platform::db::{Db, WritePool, new_id};
use crate::platform::permissions::Role;
use crate::programmes::group_object;
use crate::programmes::model::{GroupKind, Grouping, NewGroup, PersonGroup};

/// An adopted group with its members' ids and locks (names come from the organisation).
#[derive(Clone, Debug)]
pub struct StoredGroup {
    pub id: Uuid,
    pub kind: GroupKind,
    pub parent: Option<Uuid>,
    pub number: i32,
    pub members: Vec<(Uuid, bool)>,
}

/// Gathers joined (group, member) rows, ordered by group, into groups.
fn gather(rows: Vec<(Uuid, String, Option<Uuid>, i32, Option<Uuid>, Option<bool>)>) -> Vec<StoredGroup> {
    let mut out: Vec<StoredGroup> = Vec::new();
    for (id, kind, parent, number, person, locked) in rows {
        if out.last().is_none_or(|g| g.id != id) {
            let kind = GroupKind::parse(&kind).unwrap_or(GroupKind::Learning);
            out.push(StoredGroup { id, kind, parent, number, members: Vec::new() });
        }
        if let (Some(person), Some(last)) = (person, out.last_mut()) {
            last.members.push((person, locked.unwrap_or(false)));
        }
    }
    out
}

/// A programme's adopted groups, cohorts first, each level by number.
pub async fn groups(db: &Db, programme: Uuid) -> sqlx::Result<Vec<StoredGroup>> {
    let rows = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT g.id, g.kind, g.parent_id, g.number, m.person_id, m.locked
             FROM programme_group g LEFT JOIN programme_group_member m ON m.group_id = g.id
             WHERE g.programme_id = $1
             ORDER BY CASE g.kind WHEN 'cohort' THEN 0 WHEN 'learning' THEN 1 ELSE 2 END, g.number, m.person_id",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(gather(rows))
}

/// How each adopted level of a programme was formed.
pub async fn groupings(db: &Db, programme: Uuid) -> sqlx::Result<Vec<Grouping>> {
    let rows: Vec<(String, i32, i32, String)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT kind, min_size, max_size, mix FROM programme_grouping WHERE programme_id = $1
             ORDER BY CASE kind WHEN 'cohort' THEN 0 WHEN 'learning' THEN 1 ELSE 2 END",
        )
        .bind(programme)
        .fetch_all(p)
        .await
    })?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, min_size, max_size, mix)| {
            Some(Grouping {
                kind: GroupKind::parse(&kind)?,
                min_size,
                max_size,
                mix: mix.split(',').filter(|m| !m.is_empty()).map(str::to_string).collect(),
            })
        })
        .collect())
}

/// Puts one person into a group inside the open transaction, with a learning group's grant.
macro_rules! add_member {
    ($tx:expr, $group:expr, $person:expr, $programme:expr, $kind:expr, $locked:expr, $now:expr) => {{
        sqlx::query(
            "INSERT INTO programme_group_member (group_id, person_id, programme_id, kind, locked)
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($group)
        .bind($person)
        .bind($programme)
        .bind($kind.key())
        .bind($locked)
        .execute(&mut *$tx)
        .await?;
        if $kind == GroupKind::Learning {
            grant_person_on_object_in(&mut *$tx, $person, Role::Employee, group_object($group), $now).await?;
        }
    }};
}

/// Adopts a level of groups: the groups of that level and the levels inside it are
/// dissolved (with their members' grants), the new ones made, and the rule they were
/// formed by kept — all or nothing, with its audit entry. Evaluates to the new groups' ids.
pub async fn adopt(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    grouping: &Grouping,
    groups: &[NewGroup],
    entry: AuditEntry,
) -> sqlx::Result<Vec<Uuid>> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        // The innermost level first: a group's parent is removed after its children.
        for kind in grouping.kind.and_below().iter().rev() {
            let old: Vec<(Uuid,)> =
                sqlx::query_as("SELECT id FROM programme_group WHERE programme_id = $1 AND kind = $2")
                    .bind(programme)
                    .bind(kind.key())
                    .fetch_all(&mut *tx)
                    .await?;
            for (group,) in &old {
                if *kind == GroupKind::Learning {
                    revoke_all_on_object_in(&mut *tx, group_object(*group)).await?;
                }
                sqlx::query("DELETE FROM programme_group_member WHERE group_id = $1")
                    .bind(group)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM programme_group WHERE programme_id = $1 AND kind = $2")
                .bind(programme)
                .bind(kind.key())
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM programme_grouping WHERE programme_id = $1 AND kind = $2")
                .bind(programme)
                .bind(kind.key())
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO programme_grouping (programme_id, kind, min_size, max_size, mix, adopted_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(programme)
        .bind(grouping.kind.key())
        .bind(grouping.min_size)
        .bind(grouping.max_size)
        .bind(grouping.mix.join(","))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let mut ids = Vec::with_capacity(groups.len());
        for (i, group) in groups.iter().enumerate() {
            let id = new_id();
            sqlx::query(
                "INSERT INTO programme_group (id, programme_id, kind, parent_id, number, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(programme)
            .bind(grouping.kind.key())
            .bind(group.parent)
            .bind(i as i32 + 1)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            for (person, locked) in &group.members {
                add_member!(tx, id, *person, programme, grouping.kind, *locked, now);
            }
            ids.push(id);
        }
        let label = format!("{} ({})", grouping.kind.key(), groups.len());
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, programme, &label), now).await?;
        tx.commit().await?;
        Ok(ids)
    })
}

/// Places a late enrolment into existing groups (one per level), with its audit entry;
/// a level the person is already placed in is left as it is.
pub async fn place(
    db: &Db,
    municipality: Uuid,
    programme: Uuid,
    person: Uuid,
    placements: &[(GroupKind, Uuid)],
    entry: AuditEntry,
) -> sqlx::Result<()> {
    // The kept copies of the programme's figures are old after this.
    crate::programmes::cache::changed();
    let now: DateTime<Utc> = Utc::now();
    on_db!(db, |p| {
        let mut tx = p.begin_write().await?;
        for (kind, group) in placements {
            let already: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM programme_group_member WHERE programme_id = $1 AND kind = $2 AND person_id = $3",
            )
            .bind(programme)
            .bind(kind.key())
            .bind(person)
            .fetch_one(&mut *tx)
            .await?;
            if already == 0 {
                add_member!(tx, *group, person, programme, *kind, false, now);
            }
        }
        audit::record_in(&mut *tx, Some(municipality), &entry.subject(AUDIT_KIND, programme, ""), now).await?;
        tx.commit().await
    })
}

/// The groups a person is in, in active programmes, with their members.
pub async fn person_groups(db: &Db, person: Uuid) -> sqlx::Result<Vec<PersonGroup>> {
    let rows: Vec<(Uuid, String, Uuid, String, i32, Uuid)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT g.programme_id, p.title, g.id, g.kind, g.number, o.person_id
             FROM programme_group_member m
             JOIN programme_group g ON g.id = m.group_id
             JOIN programme p ON p.id = g.programme_id
             JOIN programme_group_member o ON o.group_id = g.id
             WHERE m.person_id = $1 AND p.state = 'active'
             ORDER BY p.created_at, g.programme_id,
                 CASE g.kind WHEN 'cohort' THEN 0 WHEN 'learning' THEN 1 ELSE 2 END, g.id, o.person_id",
        )
        .bind(person)
        .fetch_all(p)
        .await
    })?;
    let mut out: Vec<PersonGroup> = Vec::new();
    for (programme_id, programme_title, group, kind, number, member) in rows {
        if out.last().is_none_or(|g| g.group != group) {
            let kind = GroupKind::parse(&kind).unwrap_or(GroupKind::Learning);
            out.push(PersonGroup { programme_id, programme_title, group, kind, number, members: Vec::new() });
        }
        if let Some(last) = out.last_mut() {
            last.members.push(member);
        }
    }
    Ok(out)
}

/// One group of the municipality with its programme.
pub async fn group(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<(Uuid, StoredGroup)>> {
    let rows: Vec<(Uuid, Uuid, String, Option<Uuid>, i32, Option<Uuid>, Option<bool>)> = on_db!(db, |p| {
        sqlx::query_as(
            "SELECT g.programme_id, g.id, g.kind, g.parent_id, g.number, m.person_id, m.locked
             FROM programme_group g JOIN programme p ON p.id = g.programme_id
             LEFT JOIN programme_group_member m ON m.group_id = g.id
             WHERE g.id = $1 AND p.municipality_id = $2 ORDER BY m.person_id",
        )
        .bind(id)
        .bind(municipality)
        .fetch_all(p)
        .await
    })?;
    let programme = rows.first().map(|r| r.0);
    let groups = gather(
        rows.into_iter()
            .map(|(_, id, kind, parent, number, person, locked)| (id, kind, parent, number, person, locked))
            .collect(),
    );
    Ok(programme.zip(groups.into_iter().next()))
}
