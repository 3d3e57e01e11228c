//! A second's copy of the figures that sum up a whole programme (the dashboard's, each
//! participant's progress, the adopted groups): with 2,000 participants they are the costly
//! part of those pages,
//! and a second old is new enough for an overview. A write of enrolments, groups,
//! attendance or projects through this instance ends every copy (a read racing the write
//! may keep the figures from before it, for at most [`FRESH`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use uuid::Uuid;

use super::api::attendance::Progress;
use super::api::dashboard::Dashboard;
use super::store::groups::StoredGroup;

/// How long a copy is used.
pub const FRESH: Duration = Duration::from_secs(1);

static GENERATION: AtomicU64 = AtomicU64::new(0);

/// Ends every copy (after a write of enrolments or groups).
pub fn changed() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

struct Copy<T> {
    read_at: Instant,
    generation: u64,
    value: Arc<T>,
    /// When a request set out to read the copy anew.
    refreshing_since: Option<Instant>,
}

/// Copies of one kind, by programme. When a copy grows old, one request reads it anew while
/// the others go on with the old one for up to [`FRESH`] more: without that, every request
/// arriving in that moment would add up the same 2,000 participants at once.
pub struct Copies<T> {
    copies: Mutex<HashMap<Uuid, Copy<T>>>,
}

impl<T> Copies<T> {
    fn new() -> Copies<T> {
        Copies { copies: Mutex::new(HashMap::new()) }
    }

    /// The programme's copy, if no write came after it was read and it is fresh (or another
    /// request is reading it anew). `None` tells the caller to read it and [`Copies::keep`] it.
    pub fn get(&self, programme: Uuid) -> Option<Arc<T>> {
        let mut copies = self.copies.lock().ok()?;
        let copy = copies.get_mut(&programme)?;
        if copy.generation != GENERATION.load(Ordering::SeqCst) {
            return None;
        }
        if copy.read_at.elapsed() < FRESH {
            return Some(copy.value.clone());
        }
        match copy.refreshing_since {
            // Someone is on it (a read that failed or was dropped gives way after FRESH).
            Some(since) if since.elapsed() < FRESH => Some(copy.value.clone()),
            _ => {
                copy.refreshing_since = Some(Instant::now());
                None
            }
        }
    }

    /// The generation to pass to [`Copies::keep`], taken before the read.
    pub fn generation(&self) -> u64 {
        GENERATION.load(Ordering::SeqCst)
    }

    /// Keeps a copy read in `generation` (one read during a write is not kept).
    pub fn keep(&self, programme: Uuid, generation: u64, value: Arc<T>) {
        if generation != GENERATION.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(mut copies) = self.copies.lock() {
            // A few hundred programmes at most; old copies go when the map grows.
            if copies.len() > 1_000 {
                copies.retain(|_, c| c.read_at.elapsed() < FRESH);
            }
            copies.insert(programme, Copy { read_at: Instant::now(), generation, value, refreshing_since: None });
        }
    }
}

pub static DASHBOARDS: LazyLock<Copies<Dashboard>> = LazyLock::new(Copies::new);
pub static GROUPS: LazyLock<Copies<Vec<StoredGroup>>> = LazyLock::new(Copies::new);
pub static PROGRESS: LazyLock<Copies<Vec<Progress>>> = LazyLock::new(Copies::new);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_is_used_until_a_write_or_a_second_passes() {
        let copies: Copies<u32> = Copies::new();
        let p = Uuid::from_u128(1);
        let generation = copies.generation();
        copies.keep(p, generation, Arc::new(7));
        assert_eq!(copies.get(p).as_deref(), Some(&7));
        changed();
        assert_eq!(copies.get(p), None, "a write ends it");
        let stale = copies.generation() - 1;
        copies.keep(p, stale, Arc::new(8));
        assert_eq!(copies.get(p), None, "a read that began before the write is not kept");
        copies.keep(p, copies.generation(), Arc::new(9));
        if let Ok(mut all) = copies.copies.lock()
            && let Some(c) = all.get_mut(&p)
        {
            c.read_at -= FRESH; // grown old
        }
        assert_eq!(copies.get(p), None, "the first to come reads it anew");
        assert_eq!(copies.get(p).as_deref(), Some(&9), "the others use the old copy meanwhile");
    }
}
