//! Read connections: in WAL mode readers do not wait for the writer (nor it for them), so reads run right on
//! the calling thread, each on a connection of its own taken from a small pool.
//!
//! A read sees every transaction committed before it started, so a handler that has awaited a write reads
//! it back. The connections are `query_only`: a write sent here by mistake fails instead of bypassing the
//! writer.

use super::StoreError;
use rusqlite::Connection;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Idle read connections; one is opened whenever all are in use (at most one per thread reading at once).
#[derive(Clone)]
pub(super) struct Readers {
    path: Arc<PathBuf>,
    idle: Arc<Mutex<Vec<Connection>>>,
}

impl Readers {
    pub(super) fn new(path: PathBuf) -> Readers {
        Readers { path: Arc::new(path), idle: Arc::default() }
    }

    /// Runs `read` on an idle connection (or a new one) and puts the connection back.
    pub(super) fn read<T, E: Into<StoreError>>(&self, read: impl FnOnce(&Connection) -> Result<T, E>) -> Result<T, StoreError> {
        let taken = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        let conn = match taken {
            Some(conn) => conn,
            None => self.open()?,
        };
        let result = read(&conn);
        // A connection left inside a transaction would serve every later read from its old snapshot.
        if conn.is_autocommit() {
            self.idle.lock().unwrap_or_else(|p| p.into_inner()).push(conn);
        }
        result.map_err(Into::into)
    }

    /// Runs `read` in one read transaction: every statement sees the database as its first one did (WAL keeps
    /// that snapshot however many writes commit meanwhile), so figures read in two statements agree.
    pub(super) fn read_snapshot<T>(&self, read: impl FnOnce(&Connection) -> super::db::Result<T>) -> Result<T, StoreError> {
        self.read(|conn| {
            conn.execute_batch("BEGIN")?;
            let result = read(conn);
            // Only read, so ending it one way or the other is the same; an error ending it drops the connection.
            conn.execute_batch("COMMIT")?;
            result
        })
    }

    fn open(&self) -> Result<Connection, StoreError> {
        let conn = Connection::open(self.path.as_ref())?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        conn.pragma_update(None, "query_only", true)?;
        Ok(conn)
    }
}
