//! The store's one writer: a thread that owns the write connection and commits what the handlers send it in
//! groups (group commit).
//!
//! Why: the async workers did SQLite's I/O themselves, under the store's one mutex, a transaction per write; a
//! slow commit (one that checkpoints, with its fsyncs) held a worker and every request queued behind the mutex.
//! Here the async workers only queue a job and await it; jobs that arrive while a transaction commits are run
//! together in the next one, and pages that several of them touch are written to the WAL once. Each job runs
//! in its own savepoint, so a job that fails (a unique key, a panic) is undone alone and the others still
//! commit. A caller hears back only after the transaction that holds its job has committed: group commit
//! delays an answer, it never answers early, so durability is exactly that of a commit (see [`super::Store::open`]).

use super::checkpoint::Checkpoints;
use super::StoreError;
use rusqlite::{Connection, Transaction, TransactionBehavior};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::sync::Arc;
use tokio::sync::oneshot;

/// At most this many jobs share one transaction, so one commit never holds up its callers for long.
const MAX_BATCH: usize = 256;

/// What a committed (or failed) transaction reports to each of its jobs.
type CommitOutcome = Result<(), Arc<rusqlite::Error>>;

/// A queued write: run it inside the batch's transaction, or fail it when there is no transaction.
trait Job: Send {
    /// Runs the write in its own savepoint; the returned [`Done`] answers the caller once the batch commits.
    fn run(self: Box<Self>, tx: &mut Transaction<'_>) -> Box<dyn Done>;
    /// Answers the caller without running (the batch's transaction could not start).
    fn fail(self: Box<Self>, err: StoreError);
}

/// A job that has run and waits for its transaction's outcome.
trait Done: Send {
    fn finish(self: Box<Self>, commit: &CommitOutcome);
}

struct Pending<F, T> {
    write: F,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

struct Ran<T> {
    result: Result<T, StoreError>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<F, T> Job for Pending<F, T>
where
    F: FnOnce(&Connection) -> rusqlite::Result<T> + Send,
    T: Send + 'static,
{
    fn run(self: Box<Self>, tx: &mut Transaction<'_>) -> Box<dyn Done> {
        let Pending { write, reply } = *self;
        let result = in_savepoint(tx, write);
        Box::new(Ran { result, reply })
    }

    fn fail(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err));
    }
}

impl<T: Send> Done for Ran<T> {
    fn finish(self: Box<Self>, commit: &CommitOutcome) {
        let result = match (commit, self.result) {
            (Err(e), Ok(_)) => Err(StoreError::Commit(e.clone())),
            (_, result) => result,
        };
        // The caller may have gone (its request was dropped); what was committed stays committed.
        let _ = self.reply.send(result);
    }
}

/// `write` in a savepoint of the open transaction: released when it succeeds, rolled back when it fails.
fn in_savepoint<T>(tx: &mut Transaction<'_>, write: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
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
    /// the checkpoints that keep the WAL short.
    pub(super) fn start(conn: Connection, path: &Path) -> Result<Writer, StoreError> {
        let checkpoints = Checkpoints::start(&conn, path)?;
        let (jobs, queue) = mpsc::channel();
        std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || run(conn, queue, checkpoints))
            .map_err(StoreError::Start)?;
        Ok(Writer { jobs })
    }

    /// Runs `write` in the writer's next transaction; resolves once that transaction has committed.
    pub(super) async fn write<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.jobs.send(Box::new(Pending { write, reply })).map_err(|_| StoreError::WriterGone)?;
        answer.await.map_err(|_| StoreError::WriterGone)?
    }
}

/// The writer thread: waits for a job, takes every job queued behind it, commits them in one transaction.
fn run(mut conn: Connection, queue: mpsc::Receiver<Box<dyn Job>>, checkpoints: Checkpoints) {
    while let Ok(first) = queue.recv() {
        let batch: Vec<Box<dyn Job>> = std::iter::once(first).chain(queue.try_iter().take(MAX_BATCH - 1)).collect();
        commit_batch(&mut conn, batch);
        checkpoints.committed();
        checkpoints.catch_up(&conn);
    }
}

fn commit_batch(conn: &mut Connection, batch: Vec<Box<dyn Job>>) {
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
    let done: Vec<Box<dyn Done>> = batch.into_iter().map(|job| job.run(&mut tx)).collect();
    let commit = tx.commit().map_err(Arc::new);
    if let Err(e) = &commit {
        tracing::error!(error = %e, jobs = done.len(), "store: commit failed");
    }
    done.into_iter().for_each(|d| d.finish(&commit));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer() -> (tempfile::TempDir, Writer) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.sqlite");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.execute_batch("CREATE TABLE t (k TEXT PRIMARY KEY)").unwrap();
        (dir, Writer::start(conn, &path).unwrap())
    }

    fn insert(k: &'static str) -> impl FnOnce(&Connection) -> rusqlite::Result<usize> + Send + 'static {
        move |c| c.execute("INSERT INTO t (k) VALUES (?1)", [k])
    }

    #[tokio::test]
    async fn a_failing_job_is_undone_alone_and_the_others_in_its_batch_commit() {
        let (_dir, writer) = writer();
        // Hold the writer in a first batch, so the next jobs queue up and share the second one.
        let (release, held) = std::sync::mpsc::channel::<()>();
        let first = tokio::spawn({
            let w = writer.clone();
            async move { w.write(move |_| Ok(held.recv().is_ok())).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let ok = tokio::spawn({
            let w = writer.clone();
            async move { w.write(insert("a")).await }
        });
        let duplicate = tokio::spawn({
            let w = writer.clone();
            async move {
                w.write(|c| {
                    c.execute("INSERT INTO t (k) VALUES ('b')", [])?;
                    c.execute("INSERT INTO t (k) VALUES ('a')", [])
                })
                .await
            }
        });
        let panics = tokio::spawn({
            let w = writer.clone();
            async move { w.write(|c| -> rusqlite::Result<()> { c.execute("INSERT INTO t (k) VALUES ('c')", [])?; panic!("a bug") }).await }
        });
        let also_ok = tokio::spawn({
            let w = writer.clone();
            async move { w.write(insert("d")).await }
        });
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        release.send(()).unwrap();
        assert!(first.await.unwrap().unwrap());
        assert_eq!(ok.await.unwrap().unwrap(), 1);
        assert!(matches!(duplicate.await.unwrap(), Err(StoreError::Sqlite(_))), "a unique key fails its own job");
        assert!(matches!(panics.await.unwrap(), Err(StoreError::Panicked)));
        assert_eq!(also_ok.await.unwrap().unwrap(), 1);
        let keys = writer
            .write(|c| c.prepare("SELECT k FROM t ORDER BY k")?.query_map([], |r| r.get::<_, String>(0))?.collect::<rusqlite::Result<Vec<_>>>())
            .await
            .unwrap();
        assert_eq!(keys, ["a", "d"], "the failed jobs' own rows ('b', 'c') were rolled back, nothing else");
    }

    #[tokio::test]
    async fn an_answer_comes_after_the_commit() {
        let (dir, writer) = writer();
        writer.write(insert("x")).await.unwrap();
        // Another connection (as the store's readers are) sees the row as soon as the write has answered.
        let reader = Connection::open(dir.path().join("w.sqlite")).unwrap();
        assert_eq!(reader.query_row("SELECT count(*) FROM t", [], |r| r.get::<_, i64>(0)).unwrap(), 1);
    }
}
