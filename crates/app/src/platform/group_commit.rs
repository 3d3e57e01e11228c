//! Group commit on SQLite. SQLite lets one writer in at a time, and what a small write
//! costs is mostly the way in and out: taking the lock, BEGIN and COMMIT, and the hops to
//! and from the connection's thread. Under a kick-off's load (thousands of inputs and votes
//! a second) one writer per database takes the waiting writes together and runs them in
//! one transaction; each caller gets its own result only after that transaction committed,
//! so an acknowledged write is as durable as one written alone.
//!
//! A write runs as a function of the connection that may run twice: if any write of a
//! group fails (or the commit does), the group is rolled back and every write runs again
//! in a transaction of its own, so only the failing one fails. So a write must decide what
//! it writes inside the function (new ids too), and refuse (a rate limit reached) before it
//! writes anything but the count that refuses it.
//!
//! PostgreSQL has no single writer; there a write simply runs in its own transaction.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, LazyLock, Mutex};

use sqlx::{SqliteConnection, SqlitePool};
use tokio::sync::{mpsc, oneshot};

use crate::platform::db::WritePool;
use crate::platform::module::BoxFuture;

/// The most writes one transaction takes: enough to carry a burst, small enough that the
/// first of them is not kept waiting long.
const MAX_GROUP: usize = 256;

/// A write: what it does with the connection, run once or (after a failed group) twice.
pub type Work<T> = Arc<dyn for<'c> Fn(&'c mut SqliteConnection) -> BoxFuture<'c, sqlx::Result<T>> + Send + Sync>;

/// Makes a [`Work`] of a closure (naming the connection's lifetime for the compiler).
pub fn work<T, F>(f: F) -> Work<T>
where
    F: for<'c> Fn(&'c mut SqliteConnection) -> BoxFuture<'c, sqlx::Result<T>> + Send + Sync + 'static,
{
    Arc::new(f)
}

/// A waiting write, its result type erased so one queue carries every kind.
trait Pending: Send {
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, sqlx::Result<()>>;
    fn succeed(self: Box<Self>);
    fn fail(self: Box<Self>, error: sqlx::Error);
}

struct Waiting<T> {
    work: Work<T>,
    result: Option<T>,
    reply: oneshot::Sender<sqlx::Result<T>>,
}

impl<T: Send + 'static> Pending for Waiting<T> {
    fn run<'c>(&'c mut self, conn: &'c mut SqliteConnection) -> BoxFuture<'c, sqlx::Result<()>> {
        Box::pin(async move {
            self.result = Some((self.work)(conn).await?);
            Ok(())
        })
    }

    fn succeed(self: Box<Self>) {
        if let Some(result) = self.result {
            let _ = self.reply.send(Ok(result));
        }
    }

    fn fail(self: Box<Self>, error: sqlx::Error) {
        let _ = self.reply.send(Err(error));
    }
}

type Queue = mpsc::UnboundedSender<Box<dyn Pending>>;

/// The writer of a database file, started on first use (again if its runtime has ended).
fn queue(pool: &SqlitePool) -> Queue {
    static WRITERS: LazyLock<Mutex<HashMap<PathBuf, Queue>>> = LazyLock::new(Default::default);
    let file = pool.connect_options().get_filename().to_path_buf();
    let mut writers = WRITERS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(q) = writers.get(&file).filter(|q| !q.is_closed()) {
        return q.clone();
    }
    let (sender, receiver) = mpsc::unbounded_channel();
    tokio::spawn(writer(pool.clone(), receiver));
    writers.insert(file, sender.clone());
    sender
}

/// Runs `work` in the database's next group and answers once that group has committed.
pub async fn run<T: Send + 'static>(pool: &SqlitePool, work: Work<T>) -> sqlx::Result<T> {
    let (reply, answer) = oneshot::channel();
    let waiting: Box<dyn Pending> = Box::new(Waiting { work, result: None, reply });
    queue(pool).send(waiting).map_err(|_| sqlx::Error::PoolClosed)?;
    answer.await.map_err(|_| sqlx::Error::WorkerCrashed)?
}

async fn writer(pool: SqlitePool, mut receiver: mpsc::UnboundedReceiver<Box<dyn Pending>>) {
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match receiver.try_recv() {
                Ok(next) => group.push(next),
                Err(_) => break,
            }
        }
        match in_one_transaction(&pool, &mut group).await {
            Ok(()) => group.into_iter().for_each(|w| w.succeed()),
            Err(error) if group.len() == 1 => {
                if let Some(alone) = group.pop() {
                    alone.fail(error);
                }
            }
            Err(_) => {
                for mut alone in group {
                    match in_one_transaction(&pool, std::slice::from_mut(&mut alone)).await {
                        Ok(()) => alone.succeed(),
                        Err(error) => alone.fail(error),
                    }
                }
            }
        }
    }
}

async fn in_one_transaction(pool: &SqlitePool, group: &mut [Box<dyn Pending>]) -> sqlx::Result<()> {
    let mut tx = pool.begin_write().await?;
    for w in group.iter_mut() {
        w.run(&mut tx).await?;
    }
    tx.commit().await
}
