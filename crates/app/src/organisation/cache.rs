//! An in-memory view of the current organisation: units, their leaders, their staff
//! and the whole span-of-control report. Pages read it instead of running several
//! queries per request.
//!
//! It stays correct with several instances on one database: every import bumps the
//! organisation's version (`org_state`), and the view re-reads that counter at most once per
//! [`RECHECK`] (one cheap query), reloading everything when it has moved. An import in
//! this process is seen at once.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::model::{Person, SpanEntry, SpanRow, StaffMember, Unit};
use super::store::{self, SpanFilter};
use crate::platform::db::Db;
use crate::platform::permissions::Reach;

/// How long a view is trusted before the version counter is read again. Bounds how long
/// another instance's import takes to show here.
pub const RECHECK: Duration = Duration::from_secs(1);

/// Bumped after every import committed by this process, so its own changes show at once.
static LOCAL_WRITES: AtomicU64 = AtomicU64::new(0);

pub fn note_local_write() {
    LOCAL_WRITES.fetch_add(1, Ordering::SeqCst);
}

/// The organisation as it was at `version`.
#[derive(Default)]
pub struct OrgView {
    pub version: i64,
    /// Open units in hierarchy order.
    units: Vec<Unit>,
    by_id: HashMap<Uuid, usize>,
    by_left: HashMap<i64, usize>,
    children: HashMap<Uuid, Vec<usize>>,
    leaders: HashMap<Uuid, Vec<Person>>,
    vacant: HashSet<Uuid>,
    staff: HashMap<Uuid, Vec<StaffMember>>,
    span: Vec<SpanEntry>,
    people: HashMap<Uuid, PersonAt>,
}

/// A person with the unit they belong to: where they lead, else where they are engaged.
#[derive(Clone, Debug)]
pub struct PersonAt {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    pub unit: Uuid,
    pub is_leader: bool,
}

impl OrgView {
    /// The organisation as it stands, read now (for work outside a request: the demo, a
    /// benchmark); requests use the kept copy of [`OrgCache`].
    pub async fn read(db: &Db, municipality: Uuid) -> sqlx::Result<OrgView> {
        OrgView::load(db, municipality, 0).await
    }

    async fn load(db: &Db, municipality: Uuid, version: i64) -> sqlx::Result<OrgView> {
        let units = store::all_units(db, municipality).await?;
        let (leaders, vacant) = store::all_leadership(db, municipality).await?;
        let staff = store::all_staff(db, municipality).await?;
        let span = store::all_span_entries(db, municipality).await?;
        Ok(OrgView::build(version, units, leaders, vacant, staff, span))
    }

    fn build(
        version: i64,
        units: Vec<Unit>,
        leaders: HashMap<Uuid, Vec<Person>>,
        vacant: HashSet<Uuid>,
        staff: HashMap<Uuid, Vec<StaffMember>>,
        span: Vec<SpanEntry>,
    ) -> OrgView {
        let by_id = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        let by_left = units.iter().enumerate().map(|(i, u)| (u.tree_left, i)).collect();
        let mut children: HashMap<Uuid, Vec<usize>> = HashMap::new();
        // Units are in hierarchy order, so each child list comes out in that order too.
        for (i, u) in units.iter().enumerate() {
            if let Some(parent) = u.parent_id {
                children.entry(parent).or_default().push(i);
            }
        }
        let mut people = HashMap::new();
        for u in &units {
            for p in leaders.get(&u.id).into_iter().flatten() {
                people.entry(p.id).or_insert_with(|| PersonAt {
                    id: p.id,
                    name: p.name.clone(),
                    email: p.email.clone(),
                    unit: u.id,
                    is_leader: true,
                });
            }
        }
        for u in &units {
            for m in staff.get(&u.id).into_iter().flatten() {
                people.entry(m.person_id).or_insert_with(|| PersonAt {
                    id: m.person_id,
                    name: m.name.clone(),
                    email: m.email.clone(),
                    unit: u.id,
                    is_leader: false,
                });
            }
        }
        OrgView { version, units, by_id, by_left, children, leaders, vacant, staff, span, people }
    }

    /// A person of the current organisation (engaged or leading somewhere).
    pub fn person(&self, id: Uuid) -> Option<&PersonAt> {
        self.people.get(&id)
    }

    pub fn unit(&self, id: Uuid) -> Option<&Unit> {
        self.by_id.get(&id).map(|&i| &self.units[i])
    }

    /// The unit whose subtree starts at `tree_left`.
    pub fn unit_at(&self, tree_left: i64) -> Option<&Unit> {
        self.by_left.get(&tree_left).map(|&i| &self.units[i])
    }

    /// Every open unit, in hierarchy order.
    pub fn all_units(&self) -> impl Iterator<Item = &Unit> {
        self.units.iter()
    }

    /// Units at `depth` (1 = the top), in hierarchy order.
    pub fn units_at_depth(&self, depth: i64) -> impl Iterator<Item = &Unit> {
        self.units.iter().filter(move |u| u.depth == depth)
    }

    pub fn children(&self, id: Uuid) -> impl Iterator<Item = &Unit> {
        self.children.get(&id).into_iter().flatten().map(|&i| &self.units[i])
    }

    /// The units above `unit`, top first.
    pub fn ancestors(&self, unit: &Unit) -> Vec<&Unit> {
        let mut trail = Vec::new();
        let mut cur = unit.parent_id.and_then(|p| self.unit(p));
        while let Some(u) = cur {
            if trail.len() > self.units.len() {
                break; // a cycle cannot be imported, but never loop on one
            }
            trail.push(u);
            cur = u.parent_id.and_then(|p| self.unit(p));
        }
        trail.reverse();
        trail
    }

    pub fn leaders(&self, unit: Uuid) -> &[Person] {
        self.leaders.get(&unit).map(Vec::as_slice).unwrap_or_default()
    }

    pub fn is_vacant(&self, unit: Uuid) -> bool {
        self.vacant.contains(&unit)
    }

    /// Everyone engaged directly in the unit (not below it), by name.
    pub fn staff(&self, unit: Uuid) -> &[StaffMember] {
        self.staff.get(&unit).map(Vec::as_slice).unwrap_or_default()
    }

    /// (units, people, leaders) within `reach`: the figures of a leader's own part of the
    /// organisation, or of the whole municipality.
    pub fn totals_within(&self, reach: &Reach) -> (i64, i64, i64) {
        let units: Vec<&Unit> = self.units.iter().filter(|u| reach.covers(u.tree_left, u.depth)).collect();
        let people: HashSet<Uuid> = units.iter().flat_map(|u| self.staff(u.id)).map(|s| s.person_id).collect();
        let filter = SpanFilter::within(reach.clone());
        (units.len() as i64, people.len() as i64, self.span(&filter).count() as i64)
    }

    /// The report rows the filter selects, in hierarchy order.
    pub fn span(&self, filter: &SpanFilter) -> impl Iterator<Item = &SpanRow> {
        self.span.iter().filter(move |e| span_matches(e, filter)).map(|e| &e.row)
    }
}

/// The same conditions as the SQL filter in `store::span_rows`.
fn span_matches(e: &SpanEntry, f: &SpanFilter) -> bool {
    f.department.is_none_or(|d| e.department == Some(d))
        && f.level.is_none_or(|l| e.row.level == l)
        && f.over.is_none_or(|o| e.row.direct_reports > o)
        && f.reach.covers(e.tree_left, e.row.level)
}

struct Checked {
    at: Instant,
    local_writes: u64,
}

/// The current view of one municipality's organisation, shared by all requests.
pub struct OrgCache {
    municipality: Uuid,
    current: RwLock<Arc<OrgView>>,
    checked: Mutex<Option<Checked>>,
    /// One reload at a time; others wait for it and then use its result.
    reloading: tokio::sync::Mutex<()>,
}

impl OrgCache {
    pub fn new(municipality: Uuid) -> OrgCache {
        OrgCache {
            municipality,
            current: RwLock::new(Arc::new(OrgView { version: -1, ..OrgView::default() })),
            checked: Mutex::new(None),
            reloading: tokio::sync::Mutex::new(()),
        }
    }

    fn fresh(&self) -> Option<Arc<OrgView>> {
        let writes = LOCAL_WRITES.load(Ordering::SeqCst);
        let checked = self.checked.lock().ok()?;
        let c = checked.as_ref()?;
        if c.local_writes == writes && c.at.elapsed() < RECHECK {
            return self.current.read().ok().map(|v| v.clone());
        }
        None
    }

    /// The current view: from memory while it is known to be fresh, else after one read
    /// of the version counter (and a reload if it moved).
    pub async fn get(&self, db: &Db) -> sqlx::Result<Arc<OrgView>> {
        if let Some(view) = self.fresh() {
            return Ok(view);
        }
        let _one_at_a_time = self.reloading.lock().await;
        if let Some(view) = self.fresh() {
            return Ok(view);
        }
        // Read the write counter before the version, so a write landing in between is
        // checked again on the next request.
        let writes = LOCAL_WRITES.load(Ordering::SeqCst);
        let version = store::org_version(db, self.municipality).await?;
        let current = self.current.read().map(|v| v.clone()).unwrap_or_default();
        let view = if current.version == version {
            current
        } else {
            let view = Arc::new(OrgView::load(db, self.municipality, version).await?);
            if let Ok(mut slot) = self.current.write() {
                *slot = view.clone();
            }
            view
        };
        if let Ok(mut checked) = self.checked.lock() {
            *checked = Some(Checked { at: Instant::now(), local_writes: writes });
        }
        Ok(view)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::permissions::Subtree;

    fn unit(id: u128, parent: Option<u128>, depth: i64, left: i64, right: i64) -> Unit {
        Unit {
            id: Uuid::from_u128(id),
            parent_id: parent.map(Uuid::from_u128),
            name: format!("U{id}"),
            unit_type: String::new(),
            depth,
            tree_left: left,
            tree_right: right,
            headcount: 0,
            valid_from: None,
            valid_to: None,
        }
    }

    fn entry(level: i64, left: i64, direct: i64, department: Option<u128>) -> SpanEntry {
        SpanEntry {
            row: SpanRow {
                person_id: Uuid::nil(),
                unit_id: Uuid::nil(),
                leader_name: String::new(),
                email: String::new(),
                unit_name: String::new(),
                level,
                direct_reports: direct,
                total_reports: direct,
                leader_reports: 0,
                hourly: 0,
                salaried: direct,
            },
            department: department.map(Uuid::from_u128),
            tree_left: left,
        }
    }

    fn sample() -> OrgView {
        // 1 ─┬─ 2 ── 4
        //    └─ 3
        let units = vec![
            unit(1, None, 1, 1, 8),
            unit(2, Some(1), 2, 2, 5),
            unit(4, Some(2), 3, 3, 4),
            unit(3, Some(1), 2, 6, 7),
        ];
        let span =
            vec![entry(1, 1, 3, None), entry(2, 2, 40, Some(2)), entry(3, 3, 10, Some(2)), entry(2, 6, 31, Some(3))];
        OrgView::build(7, units, HashMap::new(), HashSet::new(), HashMap::new(), span)
    }

    #[test]
    fn navigation() {
        let v = sample();
        let kids: Vec<_> = v.children(Uuid::from_u128(1)).map(|u| u.name.as_str()).collect();
        assert_eq!(kids, ["U2", "U3"]);
        let deep = v.unit(Uuid::from_u128(4)).unwrap();
        let trail: Vec<_> = v.ancestors(deep).iter().map(|u| u.name.as_str()).collect();
        assert_eq!(trail, ["U1", "U2"]);
        assert_eq!(v.unit_at(6).unwrap().name, "U3");
        assert_eq!(v.units_at_depth(2).count(), 2);
        assert!(v.children(Uuid::from_u128(3)).next().is_none());
    }

    #[test]
    fn span_filters_match_the_sql_ones() {
        let v = sample();
        let count = |f: SpanFilter| v.span(&f).count();
        assert_eq!(count(SpanFilter::within(Reach::Municipality)), 4);
        assert_eq!(
            count(SpanFilter { department: Some(Uuid::from_u128(2)), ..SpanFilter::within(Reach::Municipality) }),
            2
        );
        assert_eq!(count(SpanFilter { level: Some(2), ..SpanFilter::within(Reach::Municipality) }), 2);
        assert_eq!(count(SpanFilter { over: Some(30), ..SpanFilter::within(Reach::Municipality) }), 2);
        // A leader of unit 2 sees it and one level below.
        assert_eq!(count(SpanFilter::within(Reach::Subtrees(vec![Subtree { left: 2, right: 5, max_depth: 3 }]))), 2);
        assert_eq!(count(SpanFilter::within(Reach::Subtrees(vec![Subtree { left: 2, right: 5, max_depth: 2 }]))), 1);
        assert_eq!(count(SpanFilter::within(Reach::Subtrees(vec![]))), 0);
    }
}
