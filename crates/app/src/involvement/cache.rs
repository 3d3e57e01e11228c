//! Short-lived copies of what every participant's write reads before it writes: the link's
//! pass, the process with its steps, which statements take votes, and the statement
//! priorities of the kept opinion analysis. Under a kick-off's
//! load these reads, not the writes, would be most of the work. A copy is used for at most
//! [`FRESH`]; any change this process makes to a process or its statements drops every copy
//! at once, so its own pages and tests see changes immediately, and other instances within
//! a second (a revoked link, a closed step).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::model::{Process, Statement, StatementState, Tally};
use super::store;
use crate::platform::db::Db;
use crate::platform::participants::{self, Pass};

/// How long a copy is used.
pub const FRESH: Duration = Duration::from_secs(1);
/// Copies kept before the stale ones are swept out.
const SWEEP_ABOVE: usize = 50_000;

static CHANGES: AtomicU64 = AtomicU64::new(0);

/// Drops every copy: a process, its steps or its statements changed here.
pub fn changed() {
    CHANGES.fetch_add(1, Ordering::SeqCst);
}

/// The count of changes made here so far: a copy made at an older count is stale.
pub fn generation() -> u64 {
    CHANGES.load(Ordering::SeqCst)
}

/// Held by a write while it runs: dropping it (after the commit) drops every copy, so no
/// copy made while the write was under way outlives it.
pub struct Changing;

impl Drop for Changing {
    fn drop(&mut self) {
        changed();
    }
}

struct Copies<K, V> {
    entries: Mutex<HashMap<K, Entry<V>>>,
}

struct Entry<V> {
    at: Instant,
    generation: u64,
    value: V,
    /// When a reader set out to load it again; meanwhile the others keep using this copy.
    refreshing: Option<Instant>,
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Copies<K, V> {
    fn new() -> Copies<K, V> {
        Copies { entries: Mutex::new(HashMap::new()) }
    }

    fn get(&self, key: &K) -> Option<V> {
        self.get_within(key, FRESH)
    }

    /// The copy if it is fresh. Once it is older, the first reader gets none (and loads
    /// it again) while the others keep getting the old copy until the new one is in, so a
    /// busy page never has all its readers load at once. A change made here (a newer
    /// generation) ends a copy for everyone at once.
    fn get_within(&self, key: &K, fresh: Duration) -> Option<V> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.get_mut(key)?;
        if e.generation != CHANGES.load(Ordering::SeqCst) {
            return None;
        }
        if e.at.elapsed() < fresh {
            return Some(e.value.clone());
        }
        match e.refreshing {
            // A reader that set out long ago may have failed: let another try.
            Some(since) if since.elapsed() < fresh * 10 => Some(e.value.clone()),
            _ => {
                e.refreshing = Some(Instant::now());
                None
            }
        }
    }

    /// The copy only if it is fresh (for a reader that waited while another loaded it).
    fn fresh(&self, key: &K, fresh: Duration) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let e = entries.get(key)?;
        (e.generation == CHANGES.load(Ordering::SeqCst) && e.at.elapsed() < fresh).then(|| e.value.clone())
    }

    fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SWEEP_ABOVE {
            entries.retain(|_, e| e.at.elapsed() < PRIORITIES_FRESH);
        }
        entries.insert(key, Entry { at: Instant::now(), generation, value, refreshing: None });
    }
}

static PASSES: LazyLock<Copies<String, Pass>> = LazyLock::new(Copies::new);
static PROCESSES: LazyLock<Copies<Uuid, Arc<Process>>> = LazyLock::new(Copies::new);
static STATEMENTS: LazyLock<Copies<Uuid, Arc<Vec<Statement>>>> = LazyLock::new(Copies::new);

/// The live pass with this secret (an unknown one is not kept: guessing costs a lookup).
pub async fn pass(db: &Db, municipality: Uuid, secret: &str) -> sqlx::Result<Option<Pass>> {
    if let Some(p) = PASSES.get(&secret.to_string()) {
        return Ok(Some(p));
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let found = participants::store::pass(db, municipality, secret).await?;
    if let Some(p) = &found {
        PASSES.put(secret.to_string(), generation, p.clone());
    }
    Ok(found)
}

/// The process with its steps and units.
pub async fn process(db: &Db, municipality: Uuid, id: Uuid) -> sqlx::Result<Option<Process>> {
    if let Some(p) = PROCESSES.get(&id) {
        return Ok(Some((*p).clone()));
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let found = store::get(db, municipality, id).await?;
    if let Some(p) = &found {
        PROCESSES.put(id, generation, Arc::new(p.clone()));
    }
    Ok(found)
}

/// The state of statement `number` of a process, if it has one.
pub async fn statement_state(db: &Db, process: Uuid, number: i32) -> sqlx::Result<Option<StatementState>> {
    Ok(statements(db, process).await?.iter().find(|s| s.number == number).map(|s| s.state))
}

/// The statements of a process (every change to them goes through this process's store,
/// which drops the copy, or is another instance's, seen within a second).
pub async fn statements(db: &Db, process: Uuid) -> sqlx::Result<Arc<Vec<Statement>>> {
    if let Some(list) = STATEMENTS.get(&process) {
        return Ok(list);
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let list = Arc::new(store::statements(db, process).await?);
    STATEMENTS.put(process, generation, list.clone());
    Ok(list)
}

static TALLIES: LazyLock<Copies<Uuid, Arc<HashMap<i32, Tally>>>> = LazyLock::new(Copies::new);
static COUNTS: LazyLock<Copies<Uuid, (i64, i64, i64)>> = LazyLock::new(Copies::new);

/// Whether a process is large enough that its counts may be a second old: a page that
/// reads them under a kick-off's load then costs one read a second, not one a view.
fn large(votes: i64) -> bool {
    votes >= crate::involvement::analysis::LAG_FROM_VOTES
}

/// The current votes per statement; a large process's at most a second old.
pub async fn tallies(db: &Db, process: Uuid) -> sqlx::Result<Arc<HashMap<i32, Tally>>> {
    if let Some(t) = TALLIES.get(&process).filter(|t| large(t.values().map(|t| t.agree + t.disagree + t.pass).sum())) {
        return Ok(t);
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let t = Arc::new(store::tallies(db, process).await?);
    TALLIES.put(process, generation, t.clone());
    Ok(t)
}

/// (participants, inputs, current votes); a large process's at most a second old.
pub async fn counts(db: &Db, process: Uuid) -> sqlx::Result<(i64, i64, i64)> {
    if let Some(c) = COUNTS.get(&process).filter(|c| large(c.2)) {
        return Ok(c);
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let c = store::counts(db, process).await?;
    COUNTS.put(process, generation, c);
    Ok(c)
}

/// How long the statement priorities of the kept opinion analysis are used (an analysis
/// saved here drops them at once).
const PRIORITIES_FRESH: Duration = Duration::from_secs(30);

static PRIORITIES: LazyLock<Copies<Uuid, Arc<HashMap<i32, f64>>>> = LazyLock::new(Copies::new);

/// The statement priorities (Pol.is comment priorities) of the process's kept opinion
/// analysis, by statement number; empty before the first analysis.
pub async fn priorities(db: &Db, process: Uuid) -> sqlx::Result<Arc<HashMap<i32, f64>>> {
    if let Some(p) = PRIORITIES.get_within(&process, PRIORITIES_FRESH) {
        return Ok(p);
    }
    // Reading them means parsing the whole kept analysis: one reader does, the others wait.
    static LOADING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _one = LOADING.lock().await;
    if let Some(p) = PRIORITIES.fresh(&process, PRIORITIES_FRESH) {
        return Ok(p);
    }
    #[derive(serde::Deserialize)]
    struct Only {
        #[serde(default)]
        priorities: HashMap<String, f64>,
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let kept = store::latest_analysis(db, process, crate::involvement::analysis::OPINIONS).await?;
    let parsed: HashMap<i32, f64> = kept
        .and_then(|(_, result, _, _)| serde_json::from_str::<Only>(&result).ok())
        .map(|o| o.priorities.into_iter().filter_map(|(k, v)| Some((k.parse().ok()?, v))).collect())
        .unwrap_or_default();
    let parsed = Arc::new(parsed);
    PRIORITIES.put(process, generation, parsed.clone());
    Ok(parsed)
}
