//! Remembered result pages. Ranking a word that occurs in thousands of objects, and
//! counting them, touches every match; a page asked for again before anything of its kind
//! changed is answered from memory instead. Every entry carries the version of its kind
//! (see [`super::store::touch_in`]) read *before* the page was computed, so a write that
//! commits meanwhile can only make the entry look older than it is, never newer; a new
//! version retires every entry of the kind, on every instance that shares the database.
//!
//! A page asked for by many requests at once before it is remembered (the first seconds
//! after a start or a change) is computed once: the first request computes, the others
//! wait for it and then read its entry, instead of all ranking the same words at once.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use uuid::Uuid;

use super::store;
use crate::platform::db::Db;

/// How many result pages one process remembers; the least recently used goes first.
const CAPACITY: usize = 1024;

type Key = (Uuid, &'static str, String);

struct Entry {
    version: Uuid,
    value: Arc<dyn Any + Send + Sync>,
    used: u64,
}

#[derive(Default)]
struct Pages {
    entries: HashMap<Key, Entry>,
    clock: u64,
    /// The pages being computed now, one lock each (see [`remember`]).
    computing: HashMap<(Key, Uuid), Arc<tokio::sync::Mutex<()>>>,
}

fn pages() -> &'static Mutex<Pages> {
    static PAGES: OnceLock<Mutex<Pages>> = OnceLock::new();
    PAGES.get_or_init(Mutex::default)
}

impl Pages {
    fn get<T: Clone + 'static>(&mut self, key: &Key, version: Uuid) -> Option<T> {
        self.clock += 1;
        let clock = self.clock;
        let entry = self.entries.get_mut(key).filter(|e| e.version == version)?;
        entry.used = clock;
        entry.value.downcast_ref::<T>().cloned()
    }

    fn put(&mut self, key: Key, version: Uuid, value: Arc<dyn Any + Send + Sync>) {
        if self.entries.len() >= CAPACITY
            && !self.entries.contains_key(&key)
            && let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.used).map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.clock += 1;
        self.entries.insert(key, Entry { version, value, used: self.clock });
    }
}

/// The value of `compute` for `key` among the municipality's objects of `kind`: from
/// memory while the kind's version is the one it was computed under, else computed now
/// and remembered. `key` must name everything the value depends on (who reads, filters,
/// page); keep values small (a page of ids and a total, not the objects).
pub async fn remember<T, F, Fut>(
    db: &Db,
    municipality: Uuid,
    kind: &'static str,
    key: String,
    compute: F,
) -> sqlx::Result<T>
where
    T: Clone + Send + Sync + 'static,
    F: FnOnce() -> Fut,
    Fut: Future<Output = sqlx::Result<T>>,
{
    let Some(version) = store::version(db, municipality, kind).await? else {
        return compute().await;
    };
    let key = (municipality, kind, key);
    let flight = {
        let mut pages = lock();
        if let Some(hit) = pages.get::<T>(&key, version) {
            return Ok(hit);
        }
        pages.computing.entry((key.clone(), version)).or_default().clone()
    };
    // One computation per page and version: whoever holds the page's lock computes; the
    // others find its entry once they get the lock (or compute themselves if it failed).
    let _computing = flight.lock().await;
    let remembered = lock().get::<T>(&key, version);
    if let Some(hit) = remembered {
        return Ok(hit);
    }
    // Whatever happens to this request from here (error, or the client leaving mid-way),
    // the page stops being "computing", so the map holds only pages in progress.
    let done = Done((key.clone(), version));
    let value = compute().await?;
    lock().put(key, version, Arc::new(value.clone()));
    drop(done);
    Ok(value)
}

/// Takes a page off the "computing" list when dropped.
struct Done((Key, Uuid));

impl Drop for Done {
    fn drop(&mut self) {
        lock().computing.remove(&self.0);
    }
}

fn lock() -> std::sync::MutexGuard<'static, Pages> {
    // A panic while holding the lock cannot leave a half-written entry behind (each
    // operation is one map call), so a poisoned lock is still safe to use.
    pages().lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_only_used_under_its_version_and_the_least_recently_used_goes_first() {
        let mut pages = Pages::default();
        let (v1, v2) = (Uuid::now_v7(), Uuid::now_v7());
        let key = |i: usize| (Uuid::nil(), "test", format!("page {i}"));
        pages.put(key(0), v1, Arc::new(vec![1, 2, 3]));
        assert_eq!(pages.get::<Vec<i32>>(&key(0), v1), Some(vec![1, 2, 3]));
        assert_eq!(pages.get::<Vec<i32>>(&key(0), v2), None, "a new version retires the entry");
        assert_eq!(pages.get::<String>(&key(0), v1), None, "another type is not the entry");
        for i in 1..CAPACITY {
            pages.put(key(i), v1, Arc::new(vec![i as i32]));
        }
        assert!(pages.get::<Vec<i32>>(&key(0), v1).is_some(), "page 0 is now the most recently used");
        pages.put(key(CAPACITY), v1, Arc::new(vec![0]));
        assert_eq!(pages.entries.len(), CAPACITY);
        assert!(pages.get::<Vec<i32>>(&key(0), v1).is_some());
        assert!(pages.get::<Vec<i32>>(&key(1), v1).is_none(), "page 1 was the least recently used");
    }
}
