//! The PostgreSQL backend: a pool of connections (tokio-postgres) whose sockets are driven by a runtime of
//! their own, on a thread of its own. So the store's synchronous reads can wait for PostgreSQL on any thread,
//! a tokio worker of a current-thread runtime included, without blocking the task that drives the socket.
//!
//! A write is one transaction on a pooled connection (on a blocking thread). Writes that read what they then
//! change (an order's state, its next event number, the outbox cursors) relied on SQLite's single writer;
//! here they take one store-wide transaction-scoped advisory lock before their first such statement, so they
//! are serialized across every instance the same way. Inserts into append-only tables with their own unique
//! keys (upstream calls, new checkouts) do not take it, so session creations commit in parallel.
//! A committed PostgreSQL transaction is durable (synchronous_commit), so both [`super::Durability`] levels
//! are met by the commit; a new checkout session ([`super::Durability::Session`]) is committed without
//! waiting for the WAL's flush.

use super::db::{Conn, DbError, Remote, Result, Row, Value};
use bytes::BytesMut;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex};
use tokio_postgres::types::{FromSql, IsNull, ToSql, Type};
use tokio_postgres::{Client, NoTls, Statement};

/// The advisory lock every serialized write takes (transaction-scoped: released by its commit).
const WRITE_LOCK: i64 = 0x616d_7a70_0000_0001;
/// The advisory lock around migrations (session-scoped), so instances starting at once migrate one by one.
const MIGRATE_LOCK: i64 = 0x616d_7a70_0000_0002;
/// Connections one store opens at most; more callers wait for one to be free.
const MAX_CONNECTIONS: usize = 24;
/// How a write's transaction starts (sent with its first statement). `BEGIN` cannot fail on a connection in
/// the pool (idle, no transaction open), so the statement pipelined behind it always runs inside it.
const BEGIN: &str = "BEGIN";
/// The same for a new checkout session: its commit does not wait for the WAL's flush (`Durability::Session`).
const BEGIN_SESSION: &str = "BEGIN; SET LOCAL synchronous_commit = off";

/// How a snapshot read's transaction starts: every statement sees the database as the first one did.
const BEGIN_SNAPSHOT: &str = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

/// Whether a session's statements take [`WRITE_LOCK`] first.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Serial {
    /// A read: no transaction.
    Read,
    /// In a write transaction that has not needed the lock yet.
    Unlocked,
    /// In a write transaction holding the lock.
    Locked,
}

/// One connection and its prepared statements.
pub(crate) struct Session {
    client: Client,
    statements: RefCell<HashMap<String, Statement>>,
    serial: Cell<Serial>,
    /// Statements without results (`BEGIN`, the write lock, savepoints) not sent yet: they go out with the
    /// next statement, pipelined, so a write costs one round trip per statement instead of two or three.
    pending: RefCell<String>,
}

fn wait<F: std::future::Future>(f: F) -> F::Output {
    futures_executor::block_on(f)
}

/// Migration 5: the buyer's search text of rows an older server stored, folded as new rows are
/// (`store/buyer_search.rs`), in the migration's transaction.
fn fold_buyer_search(client: &Client) -> std::result::Result<(), tokio_postgres::Error> {
    let rows = wait(client.query("SELECT id, buyer_search FROM notifications", &[]))?;
    let changed = super::buyer_search::fold_rows(rows.iter().map(|r| (r.get::<_, i64>(0), r.get::<_, String>(1))));
    let (ids, texts): (Vec<i64>, Vec<String>) = changed.into_iter().unzip();
    wait(client.execute(
        "UPDATE notifications n SET buyer_search = f.text FROM unnest($1::BIGINT[], $2::TEXT[]) AS f(id, text) WHERE n.id = f.id",
        &[&ids, &texts],
    ))?;
    Ok(())
}

impl Session {
    fn statement(&self, sql: &str) -> Result<Statement> {
        if self.serial.get() == Serial::Unlocked && !lock_free(sql) {
            self.defer(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"));
            self.serial.set(Serial::Locked);
        }
        if let Some(s) = self.statements.borrow().get(sql) {
            return Ok(s.clone());
        }
        // Prepared in the transaction's state after what is pending (once per statement and connection).
        let pending = self.pending.take();
        if !pending.is_empty() {
            wait(self.client.batch_execute(&pending))?;
        }
        let prepared = wait(self.client.prepare(&translate(sql)))?;
        self.statements.borrow_mut().insert(sql.to_owned(), prepared.clone());
        Ok(prepared)
    }

    /// Queues `sql` (no parameters, no rows) to go out before the next statement, in the same order.
    fn defer(&self, sql: &str) {
        let mut pending = self.pending.borrow_mut();
        if !pending.is_empty() {
            pending.push_str("; ");
        }
        pending.push_str(sql);
    }

    /// Runs `request` after what is pending, both sent at once (tokio-postgres pipelines requests polled
    /// together, in order). An error of the pending statements comes first: inside the transaction it also
    /// fails `request` ("current transaction is aborted").
    fn after_pending<T>(&self, request: impl std::future::Future<Output = std::result::Result<T, tokio_postgres::Error>>) -> Result<T> {
        let pending = self.pending.take();
        if pending.is_empty() {
            return Ok(wait(request)?);
        }
        let (sent, answer) = wait(async { tokio::join!(self.client.batch_execute(&pending), request) });
        sent?;
        Ok(answer?)
    }

    /// Ends the write's transaction with `end` (`COMMIT` or `ROLLBACK`), after what is pending. Nothing is
    /// sent for a transaction whose `BEGIN` never went out.
    fn end(&self, end: &str) -> std::result::Result<(), tokio_postgres::Error> {
        let pending = self.pending.take();
        if pending == BEGIN || pending == BEGIN_SESSION || pending == BEGIN_SNAPSHOT {
            return Ok(());
        }
        let text = match (end, pending.is_empty()) {
            (_, true) => end.to_owned(),
            // Rolled back: the savepoints still queued do not matter.
            ("ROLLBACK", false) if !pending.starts_with("BEGIN") => end.to_owned(),
            ("ROLLBACK", false) => return Ok(()),
            (_, false) => format!("{pending}; {end}"),
        };
        wait(self.client.batch_execute(&text))
    }
}

impl Remote for Session {
    fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>> {
        let stmt = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        let rows = self.after_pending(self.client.query(&stmt, &params))?;
        rows.iter()
            .map(|row| (0..row.len()).map(|i| row.try_get::<_, Value>(i).map_err(DbError::from)).collect::<Result<Vec<_>>>().map(Row::new))
            .collect()
    }

    fn execute(&self, sql: &str, values: &[Value]) -> Result<usize> {
        let stmt = self.statement(sql)?;
        let params: Vec<&(dyn ToSql + Sync)> = values.iter().map(|v| v as &(dyn ToSql + Sync)).collect();
        Ok(self.after_pending(self.client.execute(&stmt, &params))? as usize)
    }

    fn batch(&self, sql: &str) -> Result<()> {
        let savepoint = sql.trim_start().to_ascii_uppercase();
        let is_savepoint = ["SAVEPOINT", "RELEASE", "ROLLBACK TO"].iter().any(|p| savepoint.starts_with(p));
        if is_savepoint && self.serial.get() != Serial::Read {
            // Inside the write's transaction: its effect (or its error) is seen by the next statement.
            self.defer(sql);
            return Ok(());
        }
        if self.serial.get() == Serial::Unlocked && !is_savepoint {
            self.defer(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"));
            self.serial.set(Serial::Locked);
        }
        self.defer(sql);
        let pending = self.pending.take();
        Ok(wait(self.client.batch_execute(&pending))?)
    }
}

/// Statements that need not be serialized: inserts into tables that are only appended to, each row with its
/// own unique key, read back by nothing in the same write; and statements marked `/* parallel-safe */`.
fn lock_free(sql: &str) -> bool {
    let s = sql.trim_start();
    // One atomic statement that is safe run by many at once (an upsert with its own condition, a claim
    // with `FOR UPDATE SKIP LOCKED`): marked so in its text.
    if s.starts_with("/* parallel-safe */") {
        return true;
    }
    ["INSERT INTO upstream_calls ", "INSERT INTO checkouts ", "INSERT INTO return_pages ", "INSERT INTO cv1_sessions "]
        .iter()
        .any(|p| s.starts_with(p))
}

/// The store's SQL (written for SQLite) as PostgreSQL reads it: `?N` placeholders become `$N`, and
/// `INSERT OR IGNORE` becomes `INSERT ... ON CONFLICT DO NOTHING`.
pub(super) fn translate(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 24);
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\'' => {
                quoted = !quoted;
                out.push(ch);
            }
            '?' if !quoted && chars.peek().is_some_and(char::is_ascii_digit) => out.push('$'),
            _ => out.push(ch),
        }
    }
    let trimmed = out.trim_start();
    if let Some(rest) = trimmed.strip_prefix("INSERT OR IGNORE ") {
        return format!("INSERT {} ON CONFLICT DO NOTHING", rest.trim_end().trim_end_matches(';'));
    }
    out
}

impl ToSql for Value {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT8 => i.to_sql(ty, out),
                Type::INT4 => i32::try_from(*i)?.to_sql(ty, out),
                Type::INT2 => i16::try_from(*i)?.to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                _ => i.to_string().as_str().to_sql(&Type::TEXT, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(&Type::FLOAT8, out),
            },
            Value::Text(s) => match *ty {
                Type::INT8 => s.parse::<i64>()?.to_sql(ty, out),
                Type::JSONB => {
                    out.extend_from_slice(&[1]);
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
                // PostgreSQL text cannot hold NUL, which SQLite stores. Nothing the server keeps or looks up
                // legitimately has one (ids are checked, bodies are JSON-escaped), so hostile input with NUL is
                // bound with U+FFFD instead: it matches nothing, and a lookup answers "not found", not a 500.
                _ if s.contains('\0') => {
                    out.extend_from_slice(s.replace('\0', "\u{FFFD}").as_bytes());
                    Ok(IsNull::No)
                }
                _ => {
                    out.extend_from_slice(s.as_bytes());
                    Ok(IsNull::No)
                }
            },
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    tokio_postgres::types::to_sql_checked!();
}

impl<'a> FromSql<'a> for Value {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
        Ok(match *ty {
            Type::INT8 => Value::Int(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Int(i32::from_sql(ty, raw)?.into()),
            Type::INT2 => Value::Int(i16::from_sql(ty, raw)?.into()),
            Type::BOOL => Value::Int(bool::from_sql(ty, raw)?.into()),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f32::from_sql(ty, raw)?.into()),
            Type::NUMERIC => numeric(raw)?,
            Type::JSONB => Value::Text(std::str::from_utf8(raw.get(1..).unwrap_or_default())?.to_owned()),
            _ => Value::Text(std::str::from_utf8(raw)?.to_owned()),
        })
    }

    fn from_sql_null(_: &Type) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
        Ok(Value::Null)
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A NUMERIC in PostgreSQL's binary form (what `sum(bigint)` returns): an integer when it has no fraction.
fn numeric(raw: &[u8]) -> std::result::Result<Value, Box<dyn std::error::Error + Sync + Send>> {
    let word = |i: usize| -> std::result::Result<i16, Box<dyn std::error::Error + Sync + Send>> {
        raw.get(i * 2..i * 2 + 2).map(|b| i16::from_be_bytes([b[0], b[1]])).ok_or_else(|| "a short NUMERIC".into())
    };
    let (ndigits, weight, sign) = (word(0)? as usize, word(1)? as i32, word(2)? as u16);
    if sign == 0xC000 {
        return Err("NaN is not a number the store keeps".into());
    }
    let mut integral: i128 = 0;
    let mut fraction = false;
    for i in 0..ndigits {
        let digit = word(4 + i)? as i128;
        let power = weight - i as i32;
        if power < 0 {
            fraction |= digit != 0;
            continue;
        }
        integral = integral
            .checked_add(digit.checked_mul(10_000i128.checked_pow(power as u32).ok_or("a NUMERIC too large")?).ok_or("a NUMERIC too large")?)
            .ok_or("a NUMERIC too large")?;
    }
    if fraction {
        return Err("a NUMERIC with a fraction".into());
    }
    let value = if sign == 0x4000 { -integral } else { integral };
    Ok(Value::Int(i64::try_from(value)?))
}

/// The pool: idle sessions, how many are open, and the runtime that drives their sockets.
#[derive(Clone)]
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

struct Shared {
    config: tokio_postgres::Config,
    driver: tokio::runtime::Handle,
    idle: Mutex<(Vec<Session>, usize)>,
    freed: Condvar,
    /// Dropped with the pool: ends the driver thread (and with it every connection).
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A session taken from the pool; back to it when dropped (unless its connection broke).
struct Taken {
    session: Option<Session>,
    pool: Arc<Shared>,
}

impl Drop for Taken {
    fn drop(&mut self) {
        let mut idle = self.pool.idle.lock().unwrap_or_else(|p| p.into_inner());
        match self.session.take() {
            Some(s) if !s.client.is_closed() => idle.0.push(s),
            _ => idle.1 -= 1,
        }
        self.pool.freed.notify_one();
    }
}

impl Taken {
    fn session(&self) -> &Session {
        self.session.as_ref().expect("a taken session is there until dropped")
    }

    /// Its connection cannot be trusted (a transaction may still be open): close it instead of reusing it.
    fn discard(mut self) {
        self.session = None;
    }
}

impl Pool {
    /// A pool for `url` (`postgres://...`); connects once to check the database answers.
    pub(crate) fn connect(url: &str) -> Result<Pool> {
        let config: tokio_postgres::Config = url.parse()?;
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name("store-postgres".into())
            .spawn(move || match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => {
                    let _ = handle_tx.send(Ok(rt.handle().clone()));
                    rt.block_on(async move {
                        let _ = stopped.await;
                    });
                }
                Err(e) => {
                    let _ = handle_tx.send(Err(e));
                }
            })
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let driver = handle_rx.recv().map_err(|e| DbError::Connect(e.to_string()))?.map_err(|e| DbError::Connect(e.to_string()))?;
        let pool = Pool { shared: Arc::new(Shared { config, driver, idle: Mutex::new((Vec::new(), 0)), freed: Condvar::new(), _stop: stop }) };
        drop(pool.take()?);
        Ok(pool)
    }

    fn open(&self) -> Result<Session> {
        let config = self.shared.config.clone();
        let client = wait(self.shared.driver.spawn(async move {
            let (client, connection) = config.connect(NoTls).await?;
            tokio::spawn(async move {
                if let Err(e) = connection.await {
                    tracing::warn!(error = %super::db::with_causes(&e), "store: a PostgreSQL connection ended");
                }
            });
            Ok::<_, tokio_postgres::Error>(client)
        }))
        .map_err(|e| DbError::Connect(e.to_string()))??;
        Ok(Session { client, statements: RefCell::default(), serial: Cell::new(Serial::Read), pending: RefCell::default() })
    }

    fn take(&self) -> Result<Taken> {
        let mut idle = self.shared.idle.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(session) = idle.0.pop() {
                return Ok(Taken { session: Some(session), pool: self.shared.clone() });
            }
            if idle.1 < MAX_CONNECTIONS {
                idle.1 += 1;
                drop(idle);
                return match self.open() {
                    Ok(session) => Ok(Taken { session: Some(session), pool: self.shared.clone() }),
                    Err(e) => {
                        let mut idle = self.shared.idle.lock().unwrap_or_else(|p| p.into_inner());
                        idle.1 -= 1;
                        Err(e)
                    }
                };
            }
            idle = self.shared.freed.wait(idle).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Runs `read` outside any transaction (each statement sees what was committed before it).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        let taken = self.take()?;
        taken.session().serial.set(Serial::Read);
        read(&Conn::postgres(taken.session()))
    }

    /// Runs `read` in one REPEATABLE READ, READ ONLY transaction: its statements share one snapshot, so figures
    /// read in two statements agree however many writes commit between them. Takes no lock, waits for no write.
    pub(crate) fn read_snapshot<T>(&self, read: impl FnOnce(&Conn<'_>) -> Result<T>) -> Result<T> {
        let taken = self.take()?;
        let session = taken.session();
        session.serial.set(Serial::Read);
        session.pending.replace(BEGIN_SNAPSHOT.to_owned());
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| read(&Conn::postgres(session))));
        // COMMIT also ends a transaction a failed statement aborted (as a rollback).
        if let Err(e) = session.end("COMMIT") {
            taken.discard();
            return match result {
                Ok(Err(first)) => Err(first),
                Ok(Ok(_)) => Err(e.into()),
                Err(panic) => std::panic::resume_unwind(panic),
            };
        }
        match result {
            Ok(read) => read,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }

    /// Runs `write` in a transaction of its own and commits it; rolled back when `write` fails or panics.
    /// `BEGIN` goes out with the first statement, and the last savepoints with `COMMIT` (see `Session::pending`).
    /// `flush` false: the commit does not wait for the WAL's flush (`synchronous_commit = off` for this
    /// transaction only, [`super::Durability::Session`]).
    pub(crate) fn write<T>(&self, flush: bool, write: impl FnOnce(&Conn<'_>) -> Result<T>) -> std::result::Result<T, super::StoreError> {
        let taken = self.take()?;
        let session = taken.session();
        session.pending.replace(if flush { BEGIN } else { BEGIN_SESSION }.to_owned());
        session.serial.set(Serial::Unlocked);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(&Conn::postgres(session))));
        session.serial.set(Serial::Read);
        let end = match &result {
            Ok(Ok(_)) => "COMMIT",
            _ => "ROLLBACK",
        };
        if let Err(e) = session.end(end) {
            taken.discard();
            return Err(match result {
                Ok(Err(first)) => first.into(),
                _ => DbError::from(e).into(),
            });
        }
        match result {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(super::StoreError::Panicked),
        }
    }

    /// Brings the schema up to date: every migration not yet applied, in order, each in its own transaction,
    /// under a session advisory lock so instances starting at once apply each migration once.
    pub(crate) fn migrate(&self) -> Result<Vec<i64>> {
        let taken = self.take()?;
        let client = &taken.session().client;
        wait(client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATE_LOCK]))?;
        let applied = (|| -> Result<Vec<i64>> {
            wait(client.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)"))?;
            let done: Vec<i64> = wait(client.query("SELECT version FROM schema_migrations", &[]))?.iter().map(|r| r.get::<_, i64>(0)).collect();
            let mut applied = Vec::new();
            for (version, sql) in super::pg_schema::MIGRATIONS {
                if done.contains(version) {
                    continue;
                }
                wait(client.batch_execute("BEGIN"))?;
                let run = wait(client.batch_execute(sql))
                    .and_then(|()| match *version {
                        super::pg_schema::FOLD_BUYER_SEARCH => fold_buyer_search(client),
                        _ => Ok(()),
                    })
                    .and_then(|()| {
                        wait(client.execute("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)", &[version, &super::now()]))
                    });
                match run {
                    Ok(_) => wait(client.batch_execute("COMMIT"))?,
                    Err(e) => {
                        let _ = wait(client.batch_execute("ROLLBACK"));
                        return Err(e.into());
                    }
                }
                tracing::info!(version, "store: PostgreSQL migration applied");
                applied.push(*version);
            }
            Ok(applied)
        })();
        let unlocked = wait(client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATE_LOCK]));
        let applied = applied?;
        unlocked?;
        Ok(applied)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_and_insert_or_ignore_are_translated_outside_quotes() {
        assert_eq!(translate("SELECT a FROM t WHERE b = ?1 AND c = '?2' AND d = ?12"), "SELECT a FROM t WHERE b = $1 AND c = '?2' AND d = $12");
        assert_eq!(translate("INSERT OR IGNORE INTO t (a) VALUES (?1)"), "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING");
    }

    #[test]
    fn a_connection_refused_says_why_not_only_that_it_failed() {
        // The driver's own text is "error connecting to server"; the cause (refused, timed out, a password
        // refused) is in its source, which an operator reading the log line needs.
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let err = Pool::connect(&format!("postgres://amazonpay@127.0.0.1:{port}/amazonpay")).err().expect("nothing listens there");
        let text = err.to_string();
        assert!(text.contains("error connecting to server: ") && text.to_lowercase().contains("refused"), "{text}");
    }

    #[test]
    fn numerics_decode_to_integers() {
        // 12345678 = 1234 * 10000 + 5678: two digits, weight 1, positive, scale 0.
        let raw = [0, 2, 0, 1, 0, 0, 0, 0, 0x04, 0xD2, 0x16, 0x2E];
        assert_eq!(numeric(&raw).unwrap(), Value::Int(12_345_678));
        let negative = [0, 1, 0, 0, 0x40, 0, 0, 0, 0, 7];
        assert_eq!(numeric(&negative).unwrap(), Value::Int(-7));
        let zero = [0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(numeric(&zero).unwrap(), Value::Int(0));
        let fraction = [0, 1, 0xFF, 0xFF, 0, 0, 0, 1, 0x13, 0x88];
        assert!(numeric(&fraction).is_err());
    }
}
