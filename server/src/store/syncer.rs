//! Durable answers: an fsync of the WAL between a commit and the answers that promise a power cut cannot undo
//! it (a TransactionStatus we acknowledge with `TSOK`; PAYONE never sends an acknowledged one again).
//!
//! Why a thread of its own: the store commits with `synchronous=NORMAL`, so a commit is in the WAL file but
//! maybe only in the page cache. `FULL` would fsync inside the commit, on the writer thread, and every write
//! queued behind it (session creations, which need no fsync) would wait for the disk. Here the writer commits
//! as usual and hands the answers that need the fsync to this thread; it syncs the WAL once for everything
//! handed to it meanwhile (group commit for the fsync, too) and only then answers them, while the writer goes
//! on with the next batch. That is what `FULL` guarantees (SQLite's `FULL` in WAL mode is exactly an fsync of
//! the WAL after the commit), without making the other writes wait.
//!
//! Syncing the WAL after the commit covers the commit even if the WAL has started over since: the WAL starts
//! over only after a checkpoint copied every frame into the database file and synced it.
//!
//! A failed fsync is final: Linux may have dropped the pages it could not write and report the next fsync as
//! successful, so after one failure every durable answer is an error until the server restarts (and SQLite
//! recovers from what is really on disk). The writes themselves stay committed: a notification answered with
//! an error is sent again by PAYONE, and its replay changes nothing.

use super::outcome::{Done, Failure};
use std::fs::File;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

/// Makes everything written to the WAL so far durable. A trait so tests can watch and hold the fsync.
pub(super) trait SyncWal: Send + 'static {
    fn sync(&mut self) -> io::Result<()>;
}

/// The WAL file, opened once before the first write so its fsync reports every write-back error since.
pub(super) struct WalFile(pub(super) File);

impl SyncWal for WalFile {
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_data()
    }
}

/// The writer's side: hand over the answers of a committed batch that wait for the fsync.
pub(super) struct Syncer {
    waiting: mpsc::Sender<Vec<Box<dyn Done>>>,
}

impl Syncer {
    /// Starts the thread; `syncs` counts the fsyncs that succeeded (each done before the answers it covers).
    pub(super) fn start(wal: impl SyncWal, syncs: Arc<AtomicU64>) -> io::Result<Syncer> {
        let (waiting, queue) = mpsc::channel();
        std::thread::Builder::new().name("store-sync".into()).spawn(move || run(wal, queue, syncs))?;
        Ok(Syncer { waiting })
    }

    /// Answers `done` (jobs of a committed transaction) once the WAL has been synced after that commit.
    pub(super) fn after_sync(&self, done: Vec<Box<dyn Done>>) {
        if let Err(mpsc::SendError(done)) = self.waiting.send(done) {
            // Only if the thread panicked: answer with an error rather than leave the callers waiting.
            let gone = Failure::Sync(Arc::new(io::Error::other("the store's sync thread has stopped")));
            done.into_iter().for_each(|d| d.finish(&Err(gone.clone())));
        }
    }
}

fn run(mut wal: impl SyncWal, queue: mpsc::Receiver<Vec<Box<dyn Done>>>, syncs: Arc<AtomicU64>) {
    let mut broken: Option<Arc<io::Error>> = None;
    while let Ok(first) = queue.recv() {
        // Everything committed before this fsync starts is covered by it.
        let done: Vec<Box<dyn Done>> = first.into_iter().chain(queue.try_iter().flatten()).collect();
        if broken.is_none() {
            match wal.sync() {
                Ok(()) => {
                    syncs.fetch_add(1, Ordering::Release);
                }
                Err(e) => {
                    tracing::error!(error = %e, "store: fsync of the WAL failed; durable writes answer errors until a restart");
                    broken = Some(Arc::new(e));
                }
            }
        }
        let outcome = match &broken {
            None => Ok(()),
            Some(e) => Err(Failure::Sync(e.clone())),
        };
        done.into_iter().for_each(|d| d.finish(&outcome));
    }
}
