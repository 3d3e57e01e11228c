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

use super::model::{Process, StatementState};
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

/// Held by a write while it runs: dropping it (after the commit) drops every copy, so no
/// copy made while the write was under way outlives it.
pub struct Changing;

impl Drop for Changing {
    fn drop(&mut self) {
        changed();
    }
}

struct Copies<K, V> {
    entries: Mutex<HashMap<K, (Instant, u64, V)>>,
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Copies<K, V> {
    fn new() -> Copies<K, V> {
        Copies { entries: Mutex::new(HashMap::new()) }
    }

    fn get(&self, key: &K) -> Option<V> {
        self.get_within(key, FRESH)
    }

    fn get_within(&self, key: &K, fresh: Duration) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, generation, value) = entries.get(key)?;
        (at.elapsed() < fresh && *generation == CHANGES.load(Ordering::SeqCst)).then(|| value.clone())
    }

    fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SWEEP_ABOVE {
            entries.retain(|_, (at, _, _)| at.elapsed() < PRIORITIES_FRESH);
        }
        entries.insert(key, (Instant::now(), generation, value));
    }
}

static PASSES: LazyLock<Copies<String, Pass>> = LazyLock::new(Copies::new);
static PROCESSES: LazyLock<Copies<Uuid, Arc<Process>>> = LazyLock::new(Copies::new);
static STATEMENTS: LazyLock<Copies<Uuid, Arc<HashMap<i32, StatementState>>>> = LazyLock::new(Copies::new);

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
    if let Some(states) = STATEMENTS.get(&process) {
        return Ok(states.get(&number).copied());
    }
    let generation = CHANGES.load(Ordering::SeqCst);
    let states: HashMap<i32, StatementState> =
        store::statements(db, process).await?.into_iter().map(|s| (s.number, s.state)).collect();
    let state = states.get(&number).copied();
    STATEMENTS.put(process, generation, Arc::new(states));
    Ok(state)
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
