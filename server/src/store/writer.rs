//! The store's one writer: a thread that owns the write connection and commits what the handlers send it in
//! groups (group commit).
//!
//! Why: the async workers did SQLite's I/O themselves, under the store's one mutex, a transaction per write; a
//! slow commit (one that checkpoints, with its fsyncs) held a worker and every request queued behind the mutex.
//! Here the async workers only queue a job and await it; jobs that arrive while a transaction commits are run
//! together in the next one, and pages that several of them touch are written to the WAL once. Each job runs
//! in its own savepoint, so a job that fails (a unique key, a panic) is undone alone and the others still
//! commit. A caller hears back only after the transaction that holds its job has committed: group commit
//! delays an answer, it never answers early. A [`Durability::Synced`] job is answered later still, once the
//! WAL has been fsynced after that commit (`store/syncer.rs`); what each level survives: [`Durability`].

use super::checkpoint::Checkpoints;
use super::outcome::{Done, Failure, Outcome};
use super::syncer::{SyncWal, Syncer};
use super::StoreError;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

/// At most this many jobs share one transaction, so one commit never holds up its callers for long.
const MAX_BATCH: usize = 256;

/// When a write's caller hears back, and so what the answer promises.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// Once the transaction is committed to the WAL (`synchronous=NORMAL`): survives the process dying (a
    /// panic, `kill -9`); a power cut or kernel crash can undo it (never corrupt the file) until the WAL is
    /// next synced, by the checkpoint thread some 20 ms later. For what we can rebuild or the buyer repeats.
    Committed,
    /// Once the WAL has also been fsynced after that commit: survives a power cut too (on a disk that
    /// honours fsync). For what we acknowledge to an upstream as stored, which it will not send again.
    Synced,
    /// A new checkout session: not money, and when lost the buyer clicks the button again. On SQLite the same
    /// as [`Durability::Committed`]. On PostgreSQL committed with `synchronous_commit = off` for its
    /// transaction: visible to every instance at once and kept when an instance dies, but a crash of
    /// PostgreSQL itself (or a power cut) within about 0.6 s (3 × `wal_writer_delay`) can lose it, never
    /// corrupt or reorder anything (a later synchronous commit flushes it too). Everything else waits for
    /// PostgreSQL's flush, as before.
    Session,
}

/// A queued write: run it inside the batch's transaction, or fail it when there is no transaction.
trait Job: Send {
    fn durability(&self) -> Durability;
    /// Runs the write in its own savepoint; the returned [`Done`] answers the caller once the batch commits.
    fn run(self: Box<Self>, tx: &mut Transaction<'_>) -> Box<dyn Done>;
    /// Answers the caller without running (the batch's transaction could not start).
    fn fail(self: Box<Self>, err: StoreError);
}

struct Pending<F, T, E> {
    write: F,
    error: std::marker::PhantomData<fn() -> E>,
    durability: Durability,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

struct Ran<T> {
    result: Result<T, StoreError>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T, E> Job for Pending<F, T, E>
where
    F: FnOnce(&Connection) -> Result<T, E> + Send,
    T: Send + 'static,
    E: Into<StoreError>,
{
    fn durability(&self) -> Durability {
        self.durability
    }

    fn run(self: Box<Self>, tx: &mut Transaction<'_>) -> Box<dyn Done> {
        let Pending { write, reply, .. } = *self;
        let result = in_savepoint(tx, write);
        Box::new(Ran { result, reply })
    }

    fn fail(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err));
    }
}

impl<T: Send> Done for Ran<T> {
    fn finish(self: Box<Self>, outcome: &Outcome) {
        let result = match (outcome, self.result) {
            (Err(Failure::Commit(e)), Ok(_)) => Err(StoreError::Commit(e.clone())),
            (Err(Failure::Sync(e)), Ok(_)) => Err(StoreError::NotSynced(e.clone())),
            (_, result) => result,
        };
        // The caller may have gone (its request was dropped); what was committed stays committed.
        let _ = self.reply.send(result);
    }
}

/// `write` in a savepoint of the open transaction: released when it succeeds, rolled back when it fails.
fn in_savepoint<T, E: Into<StoreError>>(tx: &mut Transaction<'_>, write: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, StoreError> {
    let savepoint = tx.savepoint()?;
    match catch_unwind(AssertUnwindSafe(|| write(&savepoint))) {
        Ok(Ok(value)) => {
            savepoint.commit()?;
            Ok(value)
        }
        // Dropping the savepoint rolls it back.
        Ok(Err(e)) => Err(e.into()),
        Err(_) => Err(StoreError::Panicked),
    }
}

/// A handle to the writer thread; clones share it. The thread ends when the last handle is dropped.
#[derive(Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Box<dyn Job>>,
}

impl Writer {
    /// Moves `conn` (to the database at `path`) to a new thread that commits the jobs sent to it, and starts
    /// the checkpoints that keep the WAL short and the thread that syncs it for [`Durability::Synced`] jobs.
    pub(super) fn start(conn: Connection, path: &Path, wal: impl SyncWal, syncs: Arc<std::sync::atomic::AtomicU64>) -> Result<Writer, StoreError> {
        let checkpoints = Checkpoints::start(&conn, path)?;
        let syncer = Syncer::start(wal, syncs).map_err(StoreError::Start)?;
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new().name("store-writer".into()).spawn(move || run(conn, queue, checkpoints, syncer)).map_err(StoreError::Start)?;
        Ok(Writer { jobs })
    }

    /// Runs `write` in the writer's next transaction; resolves once that transaction has committed, and for
    /// [`Durability::Synced`] once the WAL has been synced after it.
    pub(super) async fn write<T, F, E>(&self, durability: Durability, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<StoreError> + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Box::new(Pending { write, error: std::marker::PhantomData, durability, reply })).map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// The writer thread: waits for a job, takes every job queued behind it, commits them in one transaction.
fn run(mut conn: Connection, queue: mpsc::Receiver<Box<dyn Job>>, checkpoints: Checkpoints, syncer: Syncer) {
    while let Ok(first) = queue.recv() {
        let batch: Vec<Box<dyn Job>> = std::iter::once(first).chain(queue.try_iter().take(MAX_BATCH - 1)).collect();
        commit_batch(&mut conn, batch, &syncer);
        checkpoints.committed();
        checkpoints.catch_up(&conn);
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Box<dyn Job>>, syncer: &Syncer) {
    // IMMEDIATE: take the write lock now, so no job runs in a transaction that cannot commit.
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => {
            let e = Arc::new(e);
            tracing::error!(error = %e, jobs = batch.len(), "store: cannot start a write transaction");
            batch.into_iter().for_each(|job| job.fail(StoreError::Commit(e.clone())));
            return;
        }
    };
    let ran: Vec<(Durability, Box<dyn Done>)> = batch.into_iter().map(|job| (job.durability(), job.run(&mut tx))).collect();
    if let Err(e) = tx.commit() {
        tracing::error!(error = %e, jobs = ran.len(), "store: commit failed");
        let failed = Err(Failure::Commit(Arc::new(e)));
        ran.into_iter().for_each(|(_, d)| d.finish(&failed));
        return;
    }
    let (synced, committed): (Vec<_>, Vec<_>) = ran.into_iter().partition(|(durability, _)| *durability == Durability::Synced);
    if !synced.is_empty() {
        syncer.after_sync(synced.into_iter().map(|(_, d)| d).collect());
    }
    committed.into_iter().for_each(|(_, d)| d.finish(&Ok(())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::syncer::WalFile;
    use std::time::Duration;

    fn writer_with(sync: impl SyncWal) -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)").unwrap();
        (dir, Writer::start(conn, &path, sync, Arc::default()).unwrap())
    }

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)").unwrap();
        let wal = WalFile(std::fs::File::open(dir.path().join("w.sqlite-wal")).unwrap());
        (dir, Writer::start(conn, &path, wal, Arc::default()).unwrap())
    }

    fn insert(k: &'static str) -> impl FnOnce(&Connection) -> rusqlite::Result<usize> + Send + 'static {
        move |c| c.execute("INSERT INTO t (k) VALUES (?1)", [k])
    }

    fn count(dir: &tempfile::TempDir, k: &str) -> i64 {
        let reader = Connection::open(dir.path().join("w.sqlite")).unwrap();
        reader.query_row("SELECT count(*) FROM t WHERE k = ?1", [k], |r| r.get(0)).unwrap()
    }

    #[tokio::test]
    async fn a_failing_job_is_undone_alone_and_the_others_in_its_batch_commit() {
        let (_dir, writer) = writer();
        // Hold the writer in a first batch, so the next jobs queue up and share the second one.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let w = writer.clone();
            async move { w.write(Durability::Committed, move |_| Ok::<_, rusqlite::Error>(held.recv().is_ok())).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        let ok = tokio::spawn({
            let w = writer.clone();
            async move { w.write(Durability::Committed, insert("a")).await }
        });
        let duplicate = tokio::spawn({
            let w = writer.clone();
            async move {
                w.write(Durability::Synced, |c| {
                    c.execute("INSERT INTO t (k) VALUES ('b')", [])?;
                    c.execute("INSERT INTO t (k) VALUES ('a')", [])
                })
                .await
            }
        });
        let panics = tokio::spawn({
            let w = writer.clone();
            async move {
                w.write(Durability::Committed, |c| -> rusqlite::Result<()> {
                    c.execute("INSERT INTO t (k) VALUES ('c')", [])?;
                    panic!("a bug")
                })
                .await
            }
        });
        let also_ok = tokio::spawn({
            let w = writer.clone();
            async move { w.write(Durability::Synced, insert("d")).await }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert_eq!(ok.await.unwrap().unwrap(), 1);
        assert!(matches!(duplicate.await.unwrap(), Err(StoreError::Db(_))), "a unique key fails its own job");
        assert!(matches!(panics.await.unwrap(), Err(StoreError::Panicked)));
        assert_eq!(also_ok.await.unwrap().unwrap(), 1);
        let keys = writer
            .write(Durability::Committed, |c| {
                c.prepare("SELECT k FROM t ORDER BY k")?.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>()
            })
            .await
            .unwrap();
        assert_eq!(keys, ["a", "d"], "the failed jobs' own rows ('b', 'c') were rolled back, nothing else");
    }

    #[tokio::test]
    async fn an_answer_comes_after_the_commit() {
        let (dir, writer) = writer();
        writer.write(Durability::Committed, insert("x")).await.unwrap();
        // Another connection (as the store's readers are) sees the row as soon as the write has answered.
        assert_eq!(count(&dir, "x"), 1);
    }

    /// A WAL fsync the test watches and holds: it reports each call and returns when told to.
    struct HeldSync {
        called: std::sync::mpsc::Sender<()>,
        release: std::sync::mpsc::Receiver<std::io::Result<()>>,
    }

    impl SyncWal for HeldSync {
        fn sync(&mut self) -> std::io::Result<()> {
            let _ = self.called.send(());
            self.release.recv().unwrap_or_else(|_| Err(std::io::Error::other("the test is over")))
        }
    }

    fn held_sync() -> (HeldSync, std::sync::mpsc::Receiver<()>, std::sync::mpsc::Sender<std::io::Result<()>>) {
        let (called, calls) = std::sync::mpsc::channel();
        let (release, released) = std::sync::mpsc::channel();
        (HeldSync { called, release: released }, calls, release)
    }

    #[tokio::test]
    async fn a_synced_answer_comes_only_after_the_wal_fsync_that_follows_its_commit() {
        let (sync, calls, release) = held_sync();
        let (dir, writer) = writer_with(sync);
        let durable = tokio::spawn({
            let w = writer.clone();
            async move { w.write(Durability::Synced, insert("ts")).await }
        });
        // The fsync starts only once the job is committed (another connection sees it)...
        tokio::task::spawn_blocking(move || calls.recv_timeout(Duration::from_secs(5)).expect("the WAL is synced")).await.unwrap();
        assert_eq!(count(&dir, "ts"), 1, "committed before the sync");
        // ...and the answer waits for it, while writes that need no fsync go on.
        tokio::time::timeout(Duration::from_secs(5), writer.write(Durability::Committed, insert("session")))
            .await
            .expect("a Committed write is not held up by the fsync")
            .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!durable.is_finished(), "no answer before the fsync returned");
        release.send(Ok(())).unwrap();
        assert_eq!(durable.await.unwrap().unwrap(), 1);
    }

    #[tokio::test]
    async fn after_a_failed_fsync_every_synced_answer_is_an_error() {
        let (sync, calls, release) = held_sync();
        let (dir, writer) = writer_with(sync);
        release.send(Err(std::io::Error::other("EIO"))).unwrap();
        assert!(matches!(writer.write(Durability::Synced, insert("a")).await, Err(StoreError::NotSynced(_))));
        // Linux may report the next fsync as fine after dropping the pages it could not write: no second try.
        release.send(Ok(())).unwrap();
        assert!(matches!(writer.write(Durability::Synced, insert("b")).await, Err(StoreError::NotSynced(_))));
        assert_eq!(calls.try_iter().count(), 1, "one fsync, the failed one");
        assert_eq!(writer.write(Durability::Committed, insert("c")).await.unwrap(), 1);
        assert_eq!((count(&dir, "a"), count(&dir, "b")), (1, 1), "the writes stay committed; a replay finds them");
    }
}
