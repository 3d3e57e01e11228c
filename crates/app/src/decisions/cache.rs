//! A second's copy of each process's progress and filter choices: the proposal list asks
//! for them on every page, and with 10,000 proposals they are the costly part. A write
//! through this instance ends every copy at once; another instance's write shows within
//! [`FRESH`] (or the time one read takes, when the copy is being read anew).
//!
//! When a copy has grown old, one request reads it anew while the others go on with the
//! old copy for up to [`FRESH`] more: without that, every request arriving in the same
//! moment would count the same 10,000 proposals.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::model::Progress;

/// How long a copy is used.
pub const FRESH: Duration = Duration::from_secs(1);

static GENERATION: AtomicU64 = AtomicU64::new(0);

struct Copy {
    read_at: Instant,
    generation: u64,
    progress: Arc<Progress>,
    /// When a request set out to read the copy anew.
    refreshing_since: Option<Instant>,
}

static COPIES: LazyLock<Mutex<HashMap<Uuid, Copy>>> = LazyLock::new(Default::default);

/// The current generation: a copy made from a read that started in an older generation is
/// not used.
pub fn generation() -> u64 {
    GENERATION.load(Ordering::SeqCst)
}

/// Ends every copy (after a write).
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The process's copy, if no write came after it was read and it is fresh, or another
/// request is reading it anew. `None` tells the caller to read it (and [`remember`] it).
pub fn progress(process: Uuid) -> Option<Arc<Progress>> {
    let mut copies = COPIES.lock().ok()?;
    let copy = copies.get_mut(&process)?;
    if copy.generation != generation() {
        return None;
    }
    if copy.read_at.elapsed() < FRESH {
        return Some(copy.progress.clone());
    }
    match copy.refreshing_since {
        // Someone is on it (a read that failed or was dropped gives way after FRESH).
        Some(since) if since.elapsed() < FRESH => Some(copy.progress.clone()),
        _ => {
            copy.refreshing_since = Some(Instant::now());
            None
        }
    }
}

/// Keeps a copy read in `generation`.
pub fn remember(process: Uuid, generation: u64, progress: Arc<Progress>) {
    if let Ok(mut copies) = COPIES.lock() {
        // Old copies of processes nobody reads any more go when the map grows.
        if copies.len() > 1_000 {
            copies.retain(|_, copy| copy.read_at.elapsed() < FRESH);
        }
        copies.insert(process, Copy { read_at: Instant::now(), generation, progress, refreshing_since: None });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_old_copy_is_read_anew_by_one_request_while_the_others_keep_it() {
        let process = Uuid::new_v4();
        assert!(progress(process).is_none(), "nothing kept yet");
        let kept = Arc::new(Progress { total: 7, ..Default::default() });
        remember(process, generation(), kept);
        assert_eq!(progress(process).map(|p| p.total), Some(7));
        std::thread::sleep(FRESH + Duration::from_millis(20));
        assert!(progress(process).is_none(), "the first request after a second reads anew");
        assert_eq!(progress(process).map(|p| p.total), Some(7), "the next ones keep the old copy meanwhile");
        remember(process, generation(), Arc::new(Progress { total: 8, ..Default::default() }));
        assert_eq!(progress(process).map(|p| p.total), Some(8));
        changed();
        assert!(progress(process).is_none(), "a write ends the copy at once");
    }
}
