//! Short-lived copies of what every participant's write reads before it writes: the link's
//! pass, the process with its steps, and which statements take votes. Under a kick-off's
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

struct Copies<K, V> {
    entries: Mutex<HashMap<K, (Instant, u64, V)>>,
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Copies<K, V> {
    fn new() -> Copies<K, V> {
        Copies { entries: Mutex::new(HashMap::new()) }
    }

    fn get(&self, key: &K) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (at, generation, value) = entries.get(key)?;
        (at.elapsed() < FRESH && *generation == CHANGES.load(Ordering::SeqCst)).then(|| value.clone())
    }

    fn put(&self, key: K, generation: u64, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= SWEEP_ABOVE {
            entries.retain(|_, (at, _, _)| at.elapsed() < FRESH);
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
