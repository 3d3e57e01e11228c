//! A second's copy of each process's progress and filter choices: the proposal list asks
//! for them on every page, and with 10,000 proposals they are the costly part. A write
//! through this instance ends every copy at once; another instance's write shows within
//! [`FRESH`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::model::Progress;

/// How long a copy is used.
pub const FRESH: Duration = Duration::from_secs(1);

static GENERATION: AtomicU64 = AtomicU64::new(0);

type Copies = HashMap<Uuid, (Instant, u64, Arc<Progress>)>;
static COPIES: LazyLock<Mutex<Copies>> = LazyLock::new(Default::default);

/// The current generation: a copy made from a read that started in an older generation is
/// not used.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Ends every copy (after a write).
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The process's copy, if it is fresh and no write came after it was read.
pub fn progress(process: Uuid) -> Option<Arc<Progress>> {
    let copies = COPIES.lock().ok()?;
    let (at, generation, p) = copies.get(&process)?;
    (at.elapsed() < FRESH && *generation == self::generation()).then(|| p.clone())
}

/// Keeps a copy read in `generation`.
pub fn remember(process: Uuid, generation: u64, progress: Arc<Progress>) {
    if let Ok(mut copies) = COPIES.lock() {
        // Old copies of processes nobody reads any more go when the map grows.
        if copies.len() > 1_000 {
            copies.retain(|_, (at, _, _)| at.elapsed() < FRESH);
        }
        copies.insert(process, (Instant::now(), generation, progress));
    }
}
