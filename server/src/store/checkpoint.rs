//! WAL checkpoints off the writer's path.
//!
//! SQLite's automatic checkpoint runs inside the commit that takes the WAL past 1000 pages: it copies them into
//! the database file and fsyncs both files, 15–25 ms on this machine's disk, and every write queued behind
//! that commit waits (this was most of the p99 of session creation). Here the writer's connection has the
//! automatic checkpoint off. This thread, on a connection of its own, copies the WAL into the database while
//! the writer goes on (`PASSIVE`: it waits for nobody), again until what was written meanwhile is small. The
//! WAL can only start over from its beginning once every frame in it has been copied, which never happens
//! while the writer keeps appending; so once it is long enough, the thread asks the writer to copy the last
//! few frames itself between two batches ([`Checkpoints::catch_up`]), and the writer's next transaction
//! starts the WAL over.
//!
//! A checkpoint only copies committed pages, and syncs the WAL before it writes the database (SQLite's own
//! order), so nothing committed can be lost or torn by it. As a side effect the WAL is now synced by the pass
//! that follows a commit, some 20 ms later (see [`super::Store::open`] on durability); SQLite's automatic
//! checkpoint synced it only every 1000 pages, at low traffic hours apart.

use super::StoreError;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::Arc;
use std::time::Duration;

/// The writer copies the last frames and the WAL starts over once it holds this many (4 KB pages: 64 MB, the
/// WAL file's size under sustained load; SQLite reuses it). Each restart holds the writer for the catch-up
/// (measured 1.5–2.5 ms on a quiet machine), so restarts are kept rare: 2000 frames meant one every ~0.1 s.
const RESTART_AT_FRAMES: i64 = 16384;
/// A pass that leaves at most this many frames behind (written while it ran) is close enough.
const CLOSE_ENOUGH_FRAMES: i64 = 64;
/// Passes in a row before the thread waits for the next commit (each has fixed costs: two fsyncs).
const MAX_PASSES: usize = 3;
/// After a commit wakes the thread, it waits this long so one pass copies many commits.
const PACE: Duration = Duration::from_millis(20);

/// The database file grows by this much at a time (see [`grow_in_chunks`]).
const CHUNK_BYTES: i32 = 8 << 20;

/// Makes SQLite extend the database file by [`CHUNK_BYTES`] at a time instead of page by page. A sync after the
/// file grew costs a journal commit (3–8 ms here, against well under 1 ms for pages overwritten in place);
/// growing by chunks makes that rare, and it then mostly falls to the checkpointer's pass, not to the writer.
fn grow_in_chunks(conn: &Connection) -> Result<(), StoreError> {
    let mut chunk: std::os::raw::c_int = CHUNK_BYTES;
    // SAFETY: the handle is the open connection's own; "main" is a NUL-terminated name; for
    // SQLITE_FCNTL_CHUNK_SIZE the argument is a pointer to an int, read during the call only.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_file_control(
            conn.handle(),
            c"main".as_ptr(),
            rusqlite::ffi::SQLITE_FCNTL_CHUNK_SIZE,
            (&mut chunk as *mut std::os::raw::c_int).cast(),
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        return Err(rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(rc), Some("SQLITE_FCNTL_CHUNK_SIZE".into())).into());
    }
    Ok(())
}

/// The writer's side: tell the checkpointer about commits, and do the catch-up it asks for.
pub(super) struct Checkpoints {
    wake: SyncSender<()>,
    catch_up: Arc<AtomicBool>,
}

impl Checkpoints {
    /// Turns off the automatic checkpoint on `writer` and starts the checkpointer thread on a new connection.
    pub(super) fn start(writer: &Connection, path: &Path) -> Result<Checkpoints, StoreError> {
        Checkpoints::start_with(writer, path, RESTART_AT_FRAMES)
    }

    fn start_with(writer: &Connection, path: &Path, restart_at: i64) -> Result<Checkpoints, StoreError> {
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        grow_in_chunks(writer)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        grow_in_chunks(&conn)?;
        let database = std::fs::File::open(path).map_err(StoreError::Start)?;
        let wal = super::wal_path(path);
        let (wake, woken) = mpsc::sync_channel(1);
        let catch_up = Arc::new(AtomicBool::new(false));
        let asks = catch_up.clone();
        std::thread::Builder::new()
            .name("store-checkpoint".into())
            .spawn(move || run(conn, database, wal, restart_at, woken, asks))
            .map_err(StoreError::Start)?;
        Ok(Checkpoints { wake, catch_up })
    }

    /// After each commit: wakes the checkpointer (a no-op when it is already due to run).
    pub(super) fn committed(&self) {
        if let Err(TrySendError::Disconnected(())) = self.wake.try_send(()) {
            tracing::error!("store: the checkpoint thread has stopped; the WAL is no longer copied");
        }
    }

    /// Between batches: when asked, copies what the checkpointer has not, so the WAL can start over.
    pub(super) fn catch_up(&self, writer: &Connection) {
        if !self.catch_up.swap(false, Ordering::Relaxed) {
            return;
        }
        match passive(writer) {
            // Busy: a pass of the checkpointer is running; try again after the next batch.
            Ok(p) if p.busy => self.catch_up.store(true, Ordering::Relaxed),
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "store: checkpoint failed"),
        }
    }
}

/// What `PRAGMA wal_checkpoint(PASSIVE)` reports.
struct Pass {
    busy: bool,
    /// Frames in the WAL.
    log: i64,
    /// Frames of it now in the database file.
    copied: i64,
}

fn passive(conn: &Connection) -> rusqlite::Result<Pass> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| Ok(Pass { busy: r.get::<_, i64>(0)? != 0, log: r.get(1)?, copied: r.get(2)? }))
}

/// The checkpointer thread: after commits, copy the WAL into the database; ask for a catch-up when it is long.
/// Ends when the writer (the only sender) is gone.
fn run(conn: Connection, database: std::fs::File, wal: PathBuf, restart_at: i64, woken: Receiver<()>, catch_up: Arc<AtomicBool>) {
    while woken.recv().is_ok() {
        std::thread::sleep(PACE);
        // A pass copies what was committed when it started; the next one what came in meanwhile.
        let mut log = 0;
        for _ in 0..MAX_PASSES {
            match passive(&conn) {
                Ok(p) => {
                    log = p.log;
                    if p.busy {
                        // The writer is catching up.
                        std::thread::sleep(Duration::from_millis(1));
                    } else if p.log - p.copied <= CLOSE_ENOUGH_FRAMES {
                        break;
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "store: checkpoint failed");
                    break;
                }
            }
        }
        // SQLite syncs the database file only in a pass that reaches the end of the WAL, i.e. in the writer's
        // catch-up, which would then flush every page copied here. Flushing them now keeps that sync short.
        // (Syncing early is always safe: the pass synced the WAL before it copied anything.)
        if let Err(e) = database.sync_data() {
            tracing::error!(error = %e, "store: cannot sync the database file");
        }
        if log >= restart_at {
            // Likewise the writer's catch-up syncs the WAL first: flush what was appended since the last pass.
            if let Err(e) = std::fs::File::open(&wal).and_then(|f| f.sync_data()) {
                tracing::error!(error = %e, "store: cannot sync the WAL");
            }
            catch_up.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wal_starts_over_while_writes_go_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let writer = Connection::open(&path).unwrap();
        writer.pragma_update(None, "journal_mode", "WAL").unwrap();
        writer.execute_batch("CREATE TABLE t (n INTEGER PRIMARY KEY, pad TEXT)").unwrap();
        let checkpoints = Checkpoints::start_with(&writer, &path, 64).unwrap();
        // What the writer thread does, without a pause: 3000 transactions, 3000+ WAL frames of 4 KB.
        for n in 0..3000 {
            writer.execute("INSERT INTO t (n, pad) VALUES (?1, ?2)", rusqlite::params![n, "x".repeat(2000)]).unwrap();
            checkpoints.committed();
            checkpoints.catch_up(&writer);
        }
        let wal = std::fs::metadata(dir.path().join("c.sqlite-wal")).unwrap().len();
        assert!(wal < 1000 * 4096, "the WAL was started over, not appended to 3000 times: {wal} bytes");
        let rows: i64 = Connection::open(&path).unwrap().query_row("SELECT count(*) FROM t", [], |r| r.get(0)).unwrap();
        assert_eq!(rows, 3000);
    }
}
