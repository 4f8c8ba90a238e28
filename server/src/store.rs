//! The order store: an embedded SQLite database under `--data-dir`.
//!
//! Every checkout the server starts and every call it makes upstream is written here, so that after any
//! failure the store tells exactly what happened.
//!
//! Writes go to one writer thread that commits them in groups (`store/writer.rs`), with the WAL checkpointed
//! on a thread of its own (`store/checkpoint.rs`); reads run on the caller's thread on pooled connections
//! (`store/readers.rs`). A write's future resolves once its transaction has committed, and for what we
//! acknowledge upstream as stored once the WAL has also been fsynced (`store/syncer.rs`): see [`Durability`].

pub(crate) mod buyer_search;
mod checkpoint;
pub mod copy;
pub mod db;
pub mod events;
pub mod leases;
pub mod merchant_marks;
mod migrate;
pub mod order_list;
pub mod order_view;
pub mod outbox;
mod outcome;
pub mod payment_status;
pub mod payments;
pub mod personal;
mod pg;
pub mod pg_probe;
pub mod pg_schema;
mod readers;
mod schema;
pub mod shop_identity;
pub mod sqlite_migrations;
mod syncer;
mod url;
mod writer;

pub use url::{BadDatabaseUrl, DatabaseUrl};
pub use writer::Durability;

use amazon_pay_contract::cv2::{CartLine, DeliveryOption};
use amazon_pay_contract::Money;
use db::{Conn, DbError, OptionalExtension};
use rusqlite::Connection;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A failure of the database itself (never of the buyer's input).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    /// Data dir.
    DataDir {
        /// The path.
        path: String,
        /// The source.
        source: std::io::Error,
    },
    #[error(transparent)]
    /// A statement failed (either backend).
    Db(#[from] DbError),
    /// The transaction a write was part of did not commit (so neither did the write).
    #[error("the write transaction failed: {0}")]
    Commit(Arc<rusqlite::Error>),
    /// The write committed, but the WAL could not be fsynced: it may not survive a power cut.
    #[error("the write committed but the WAL could not be synced: {0}")]
    NotSynced(Arc<std::io::Error>),
    #[error("a store operation panicked")]
    /// Panicked.
    Panicked,
    #[error("cannot start the store: {0}")]
    /// Start.
    Start(std::io::Error),
    #[error("the store's writer thread has stopped")]
    /// Writer gone.
    WriterGone,
    /// The SQLite file was written by a newer server (its schema version is unknown here).
    #[error("the store's schema is version {found}, newer than this server knows ({known}): run the newer server, or restore a backup")]
    SchemaTooNew {
        /// The file's version.
        found: i64,
        /// The newest this server knows.
        known: i64,
    },
    /// A placement lock another instance held for too long.
    #[error(transparent)]
    Busy(#[from] leases::LeaseBusy),
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Db(DbError::Sqlite(e))
    }
}

/// How long a connection waits for a lock another process holds (e.g. `sqlite3` on the same file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A handle to the database; clones share the writer thread and the read connections (SQLite), or the
/// connection pool (PostgreSQL).
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Woken after every write that recorded an event has committed: the webhook worker waits on it, so an
    /// event is delivered without waiting for the worker's next poll.
    events_committed: Arc<tokio::sync::Notify>,
}

#[derive(Clone)]
enum Backend {
    Sqlite {
        writer: writer::Writer,
        readers: readers::Readers,
        /// WAL fsyncs done for [`Durability::Synced`] writes.
        syncs: Arc<AtomicU64>,
    },
    Postgres(pg::Pool),
}

/// Runs `read`, which waits for a round trip to the database server: on a multi-threaded runtime the worker
/// hands its other tasks on meanwhile (block_in_place), so reads do not stall the server.
fn waiting_for_postgres<T>(read: impl FnOnce() -> T) -> T {
    match tokio::runtime::Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(tokio::runtime::RuntimeFlavor::MultiThread) => tokio::task::block_in_place(read),
        _ => read(),
    }
}

/// A checkout the server started, keyed by PAYONE's workorder id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    /// The workorder id.
    pub workorder_id: String,
    /// The flow.
    pub flow: String,
    /// The amount.
    pub amount: Money,
    /// The items JSON.
    pub items_json: String,
    /// The delivery.
    pub delivery: DeliveryOption,
    /// When it was created.
    pub created_at: i64,
}

impl Checkout {
    /// A checkout of `flow` started now for the cart `items` (kept as the request sent them), at the standard
    /// delivery: what every flow's session creation stores.
    pub fn started(workorder_id: String, flow: &str, amount: Money, items: &[CartLine]) -> Checkout {
        Checkout {
            workorder_id,
            flow: flow.into(),
            amount,
            items_json: serde_json::to_string(items).unwrap_or_default(),
            delivery: DeliveryOption::default(),
            created_at: now(),
        }
    }
}

/// One exchange with an upstream (PAYONE, CheckoutChamp), as [`Store::record_upstream_call_then`] stores it.
/// `request` must already have its secrets removed.
#[derive(Debug, Clone)]
pub struct UpstreamCall {
    /// The service.
    pub service: String,
    /// The action.
    pub action: String,
    /// The request.
    pub request: String,
    /// The response.
    pub response: String,
    /// The outcome.
    pub outcome: String,
}

impl UpstreamCall {
    /// A record of one exchange with `service`; `request` must already be redacted.
    pub fn new(service: &str, action: &str, request: &str, response: &str, outcome: &str) -> UpstreamCall {
        let [service, action, request, response, outcome] = [service, action, request, response, outcome].map(str::to_owned);
        UpstreamCall { service, action, request, response, outcome }
    }
}

/// [`Store::checkout`] on `c`, for readers that need it in one snapshot with other reads.
pub(crate) fn checkout_in(c: &Conn<'_>, workorder_id: &str) -> db::Result<Option<Checkout>> {
    c.prepare_cached(
        "SELECT workorder_id, flow, amount_minor, currency, items_json, delivery, created_at
         FROM checkouts WHERE workorder_id = ?1",
    )?
    .query_row([workorder_id], |row| {
        let currency: String = row.get(3)?;
        Ok(Checkout {
            workorder_id: row.get(0)?,
            flow: row.get(1)?,
            amount: Money::new(row.get(2)?, currency.parse().map_err(|e: amazon_pay_contract::money::UnknownCurrency| DbError::conversion(3, e))?),
            items_json: row.get(4)?,
            delivery: if row.get::<_, String>(5)? == "express" { DeliveryOption::Express } else { DeliveryOption::Standard },
            created_at: row.get(6)?,
        })
    })
    .optional()
}

/// Inserts `checkout` on the writer's connection (inside a job).
pub(crate) fn insert_checkout(c: &Conn<'_>, checkout: &Checkout) -> db::Result<()> {
    c.prepare_cached(
        "INSERT INTO checkouts (workorder_id, flow, amount_minor, currency, items_json, delivery, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(db::params![
        checkout.workorder_id,
        checkout.flow,
        checkout.amount.minor,
        checkout.amount.currency.code(),
        checkout.items_json,
        delivery_text(checkout.delivery),
        checkout.created_at
    ])
    .map(drop)
}

fn delivery_text(delivery: DeliveryOption) -> &'static str {
    match delivery {
        DeliveryOption::Standard => "standard",
        DeliveryOption::Express => "express",
    }
}

/// Runs `write` in a savepoint nested in the current job's: when it fails (or panics) only its own changes are
/// undone, and the job keeps what it wrote before (e.g. a notification stays stored when applying it fails).
/// The outer error is SQLite failing to manage the savepoint itself.
pub(crate) fn nested<T>(c: &Conn<'_>, write: impl FnOnce(&Conn<'_>) -> db::Result<T>) -> db::Result<Result<T, StoreError>> {
    c.execute_batch("SAVEPOINT nested")?;
    let result = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write(c))) {
        Ok(Ok(value)) => {
            c.execute_batch("RELEASE nested")?;
            return Ok(Ok(value));
        }
        Ok(Err(e)) => Err(StoreError::Db(e)),
        Err(_) => Err(StoreError::Panicked),
    };
    c.execute_batch("ROLLBACK TO nested; RELEASE nested")?;
    Ok(result)
}

/// SQLite's WAL file next to the database at `path`.
fn wal_path(path: &Path) -> std::path::PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    wal.into()
}

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Unix milliseconds: when an upstream call or a notification happened, for the harness's log.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)).unwrap_or(0)
}

impl Store {
    /// Opens (or creates) `<data_dir>/amazon-pay.sqlite`, brings its schema up to date and starts the writer.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        Store::open_file(data_dir, &data_dir.join("amazon-pay.sqlite"))
    }

    /// Opens (or creates) the SQLite database `path` in directory `dir` (created when missing).
    fn open_file(dir: &Path, path: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::DataDir { path: dir.display().to_string(), source })?;
        let path = path.to_owned();
        let mut conn = Connection::open(&path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Durability per write, not per connection: commits are NORMAL (in the WAL, not fsynced: survives the
        // process dying, not a power cut), and a write that asks for `Durability::Synced` is answered only
        // after an fsync of the WAL that follows its commit, done off the writer thread (store/syncer.rs). So
        // what PAYONE relies on (TSOK) survives a power cut, and session traffic does not wait for the disk.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        sqlite_migrations::run(&mut conn)?;
        // Opened now, before the writer's first commit, so its fsync reports any write-back error since
        // (Linux reports one to the descriptors open when it happened). The WAL exists: the connection
        // has read the database in WAL mode.
        let wal = std::fs::File::open(wal_path(&path)).map_err(StoreError::Start)?;
        let syncs = Arc::new(AtomicU64::new(0));
        let writer = writer::Writer::start(conn, &path, syncer::WalFile(wal), syncs.clone())?;
        Ok(Store { backend: Backend::Sqlite { writer, readers: readers::Readers::new(path), syncs }, events_committed: Arc::default() })
    }

    /// Opens the store `url` names ([`DatabaseUrl`]): SQLite under `data_dir` or at a path, or PostgreSQL,
    /// whose schema it brings up to date first (safe when several instances start at once).
    pub fn open_url(url: &DatabaseUrl, data_dir: &Path) -> Result<Store, StoreError> {
        match url {
            DatabaseUrl::SqliteDefault => Store::open(data_dir),
            DatabaseUrl::SqliteFile(file) => {
                let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                Store::open_file(dir, file)
            }
            DatabaseUrl::Postgres(url) => {
                let pool = pg::Pool::connect(url)?;
                pool.migrate()?;
                // Orders of a store migrated now (or by an instance that stopped before it filled them).
                pool.write(true, payment_status::backfill)?;
                Ok(Store { backend: Backend::Postgres(pool), events_committed: Arc::default() })
            }
        }
    }

    /// Which database this store is in.
    pub fn dialect(&self) -> db::Dialect {
        match self.backend {
            Backend::Sqlite { .. } => db::Dialect::Sqlite,
            Backend::Postgres(_) => db::Dialect::Postgres,
        }
    }

    /// How many times the WAL has been fsynced for [`Durability::Synced`] writes (each before the answers
    /// it covers). For tests and diagnostics; 0 on PostgreSQL, where every commit is durable.
    pub fn wal_syncs(&self) -> u64 {
        match &self.backend {
            Backend::Sqlite { syncs, .. } => syncs.load(Ordering::Acquire),
            Backend::Postgres(_) => 0,
        }
    }

    /// Runs `read` on a read connection. For modules that keep their own tables.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Conn<'_>) -> db::Result<T>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { readers, .. } => readers.read(|c| read(&Conn::sqlite(c))),
            Backend::Postgres(pool) => Ok(waiting_for_postgres(|| pool.read(read))?),
        }
    }

    /// Like [`Store::read`], but every statement of `read` sees the same committed state (one read transaction;
    /// on PostgreSQL REPEATABLE READ, READ ONLY): for answers made of several statements that must agree, such
    /// as counts beside the list they count.
    pub(crate) fn read_snapshot<T>(&self, read: impl FnOnce(&Conn<'_>) -> db::Result<T>) -> Result<T, StoreError> {
        match &self.backend {
            Backend::Sqlite { readers, .. } => readers.read_snapshot(|c| read(&Conn::sqlite(c))),
            Backend::Postgres(pool) => Ok(waiting_for_postgres(|| pool.read_snapshot(read))?),
        }
    }

    /// Runs `write` atomically in the writer's next transaction; resolves once it has committed
    /// ([`Durability::Committed`]). `write` must not open a transaction of its own (it runs inside one).
    pub(crate) async fn write<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let started = std::time::Instant::now();
        let written = self.write_with(Durability::Committed, write).await;
        crate::telemetry::metrics::store_write("committed", started.elapsed());
        written
    }

    /// Like [`Store::write`], but resolves only once the WAL has been fsynced after the commit
    /// ([`Durability::Synced`]): for what we tell an upstream is stored.
    pub(crate) async fn write_synced<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let started = std::time::Instant::now();
        let written = self.write_with(Durability::Synced, write).await;
        crate::telemetry::metrics::store_write("synced", started.elapsed());
        written
    }

    /// Like [`Store::write`] for a new checkout session ([`Durability::Session`]): on PostgreSQL its commit does
    /// not wait for the WAL's flush (SQLite's commits never do; see `Durability`).
    pub(crate) async fn write_session<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let started = std::time::Instant::now();
        let written = self.write_with(Durability::Session, write).await;
        crate::telemetry::metrics::store_write("committed", started.elapsed());
        written
    }

    async fn write_with<T, F>(&self, durability: Durability, write: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        // Whether `write` recorded an event: it runs on one thread, which `events::record` marks.
        let marked = move |c: &Conn<'_>| {
            events::take_recorded();
            let value = write(c)?;
            Ok((value, events::take_recorded()))
        };
        let (value, recorded) = match &self.backend {
            Backend::Sqlite { writer, .. } => writer.write(durability, move |c| marked(&Conn::sqlite(c))).await?,
            // A PostgreSQL commit is durable: both levels are met when it returns.
            Backend::Postgres(pool) => {
                let pool = pool.clone();
                let flush = durability != Durability::Session;
                tokio::task::spawn_blocking(move || pool.write(flush, marked)).await.map_err(|_| StoreError::Panicked)??
            }
        };
        if recorded {
            // After the commit: the worker that wakes finds the event.
            self.events_committed.notify_one();
        }
        Ok(value)
    }

    /// Resolves after the next commit of a write that recorded an event (one wake-up is kept when nobody
    /// waits, so none is lost between two waits). Events committed by other processes (a shared PostgreSQL)
    /// wake nobody: the worker polls for those.
    pub async fn event_committed(&self) {
        self.events_committed.notified().await
    }

    /// Stores a new checkout.
    pub async fn insert_checkout(&self, checkout: &Checkout) -> Result<(), StoreError> {
        let checkout = checkout.clone();
        self.write(move |c| insert_checkout(c, &checkout)).await
    }

    /// The checkout `workorder_id`, if stored.
    pub fn checkout(&self, workorder_id: &str) -> Result<Option<Checkout>, StoreError> {
        self.read(|c| checkout_in(c, workorder_id))
    }

    /// Keeps Amazon's checkout session id of CV2 checkout `workorder_id` (the latest PAYONE reported).
    pub async fn set_amazon_checkout_session(&self, workorder_id: &str, session_id: &str) -> Result<(), StoreError> {
        let (workorder_id, session_id) = (workorder_id.to_owned(), session_id.to_owned());
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO amazon_checkout_sessions (workorder_id, checkout_session_id) VALUES (?1, ?2)
                 ON CONFLICT (workorder_id) DO UPDATE SET checkout_session_id = excluded.checkout_session_id",
            )?
            .execute(db::params![workorder_id, session_id])
            .map(drop)
        })
        .await
    }

    /// Stores a new delivery option and total after PAYONE accepted `updateCheckoutSession`.
    pub async fn update_checkout_delivery(&self, workorder_id: &str, delivery: DeliveryOption, amount: Money) -> Result<(), StoreError> {
        let workorder_id = workorder_id.to_owned();
        self.write(move |c| {
            c.prepare_cached("UPDATE checkouts SET delivery = ?2, amount_minor = ?3, currency = ?4 WHERE workorder_id = ?1")?
                .execute(db::params![workorder_id, delivery_text(delivery), amount.minor, amount.currency.code()])
                .map(drop)
        })
        .await
    }

    /// Records one upstream exchange. `request` must already have its secrets removed.
    pub async fn record_upstream_call(&self, service: &str, action: &str, request: &str, response: &str, outcome: &str) -> Result<(), StoreError> {
        self.record_upstream_call_then(UpstreamCall::new(service, action, request, response, outcome), |_| Ok(())).await
    }

    /// Records one upstream exchange and, in the same write job, what the caller stores because of its answer
    /// (e.g. the checkout PAYONE just created): one wait for the writer instead of two. `then` runs in a
    /// savepoint of its own, so the record is kept even when `then` fails (every call is recorded); the error
    /// is then `then`'s.
    pub(crate) async fn record_upstream_call_then<T, F>(&self, call: UpstreamCall, then: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        self.record_upstream_call_as(Durability::Committed, call, then).await
    }

    /// Like [`Store::record_upstream_call_then`], committed as `durability` says (`Durability::Session` for the
    /// exchange that opened a new checkout session, with the session).
    pub(crate) async fn record_upstream_call_as<T, F>(&self, durability: Durability, call: UpstreamCall, then: F) -> Result<T, StoreError>
    where
        F: FnOnce(&Conn<'_>) -> db::Result<T> + Send + 'static,
        T: Send + 'static,
    {
        let write = move |c: &Conn<'_>| {
            c.prepare_cached(
                "INSERT INTO upstream_calls (service, action, request, response, outcome, at, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(db::params![call.service, call.action, call.request, call.response, call.outcome, now(), now_ms()])?;
            nested(c, then)
        };
        match durability {
            Durability::Session => self.write_session(write).await?,
            Durability::Synced => self.write_synced(write).await?,
            Durability::Committed => self.write(write).await?,
        }
    }

    /// The (redacted) request of every recorded upstream call, oldest first (sandbox inspection).
    pub fn upstream_call_requests(&self) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT request FROM upstream_calls ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// When each recorded upstream call happened, oldest first, in Unix milliseconds (a row older than migration
    /// 12: its second's start): the sandbox harness places the calls among the page's events by it.
    pub fn upstream_call_times_ms(&self) -> Result<Vec<i64>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT COALESCE(at_ms, at * 1000) FROM upstream_calls ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// `(service, action, outcome)` of every recorded upstream call, oldest first.
    pub fn upstream_calls(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT service, action, outcome FROM upstream_calls ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
    }
}

/// A fresh database of the test cluster (`AMAZON_PAY_TEST_DATABASE_URL`, from `scripts/pg-cluster start`) opened
/// as a store, for the unit tests that run on both stores; `None` (the test says it did not run) when none is set,
/// and a failure instead when `AMAZON_PAY_REQUIRE_PG=1`. `prefix` names the test's databases in the cluster.
#[cfg(test)]
pub(crate) async fn test_postgres_store(prefix: &str) -> Option<Store> {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let Some(base) = std::env::var("AMAZON_PAY_TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) else {
        assert!(std::env::var("AMAZON_PAY_REQUIRE_PG").as_deref() != Ok("1"), "AMAZON_PAY_TEST_DATABASE_URL is not set");
        eprintln!("NOT RUN: set AMAZON_PAY_TEST_DATABASE_URL (scripts/pg-cluster start)");
        return None;
    };
    let (client, connection) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(connection);
    let name = format!("{prefix}_{}_{}_{}", std::process::id(), now_ms(), NEXT.fetch_add(1, Ordering::Relaxed));
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    let url = format!("{}/{name}", base.rsplit_once('/').unwrap().0);
    Some(tokio::task::spawn_blocking(move || Store::open_url(&url.parse().unwrap(), Path::new("unused")).unwrap()).await.unwrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A CV2 checkout `WO1` of 0.01 EUR, standard delivery.
    fn sample_checkout() -> Checkout {
        Checkout {
            workorder_id: "WO1".into(),
            flow: "cv2".into(),
            amount: Money::eur(1),
            items_json: "[]".into(),
            delivery: DeliveryOption::Standard,
            created_at: 0,
        }
    }

    #[tokio::test]
    async fn checkouts_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let checkout = Checkout { amount: Money::eur(1290), delivery: DeliveryOption::Express, created_at: 7, ..sample_checkout() };
        Store::open(dir.path()).unwrap().insert_checkout(&checkout).await.unwrap();
        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(reopened.checkout("WO1").unwrap(), Some(checkout));
        assert_eq!(reopened.checkout("WO2").unwrap(), None);
    }

    /// PAYONE answering a workorder id twice: the second checkout is refused, its call is still recorded, and
    /// the store goes on (on PostgreSQL the savepoints and `COMMIT` go out pipelined: `store/pg.rs`).
    async fn call_stays_recorded(store: Store) {
        let checkout = sample_checkout();
        let call = || UpstreamCall::new("payone", "createCheckoutSessionPayload", "req", "status=OK", "OK");
        let first = checkout.clone();
        store.record_upstream_call_then(call(), move |c| insert_checkout(c, &first)).await.unwrap();
        let again = checkout.clone();
        assert!(store.record_upstream_call_then(call(), move |c| insert_checkout(c, &again)).await.is_err());
        assert_eq!(store.upstream_calls().unwrap().len(), 2);
        assert_eq!(store.checkout("WO1").unwrap(), Some(checkout));
        let next = Checkout { workorder_id: "WO2".into(), ..sample_checkout() };
        store.record_upstream_call_then(call(), move |c| insert_checkout(c, &next)).await.unwrap();
        assert_eq!(store.upstream_calls().unwrap().len(), 3);
        assert!(store.checkout("WO2").unwrap().is_some());
    }

    #[tokio::test]
    async fn a_call_stays_recorded_when_what_follows_from_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        call_stays_recorded(Store::open(dir.path()).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_calls_stay_recorded_and_only_sessions_skip_the_flush() {
        let Some(store) = super::test_postgres_store("lib").await else { return };
        // Only a new session's transaction commits without waiting for the WAL's flush.
        let setting = |c: &Conn<'_>| c.query_row("SELECT current_setting('synchronous_commit')", [], |r| r.get::<_, String>(0));
        assert_eq!(store.write_session(setting).await.unwrap(), "off");
        assert_eq!(store.write(setting).await.unwrap(), "on");
        assert_eq!(store.write_synced(setting).await.unwrap(), "on");
        assert_eq!(store.read(setting).unwrap(), "on", "SET LOCAL ended with its transaction");
        call_stays_recorded(store).await;
    }

    #[tokio::test]
    async fn a_database_of_the_old_schema_opens_with_its_rows() {
        let dir = tempfile::tempdir().unwrap();
        {
            // What the server created before, AUTOINCREMENT and all, with a row in each table.
            let old = Connection::open(dir.path().join("amazon-pay.sqlite")).unwrap();
            old.pragma_update(None, "journal_mode", "WAL").unwrap();
            old.execute_batch(
                "CREATE TABLE upstream_calls (id INTEGER PRIMARY KEY AUTOINCREMENT, service TEXT NOT NULL, action TEXT NOT NULL,
                     request TEXT NOT NULL, response TEXT NOT NULL, outcome TEXT NOT NULL, at INTEGER NOT NULL);
                 CREATE TABLE notifications (id INTEGER PRIMARY KEY AUTOINCREMENT, identity TEXT NOT NULL UNIQUE, txid TEXT NOT NULL,
                     txaction TEXT NOT NULL, transaction_status TEXT NOT NULL, reasoncode TEXT, body TEXT NOT NULL, received_at INTEGER NOT NULL);
                 INSERT INTO upstream_calls (service, action, request, response, outcome, at) VALUES ('payone', 'old', '', '', 'OK', 1);
                 INSERT INTO notifications (identity, txid, txaction, transaction_status, body, received_at)
                     VALUES ('1/0/paid', '1', 'paid', '', '[]', 1);",
            )
            .unwrap();
        }
        let store = Store::open(dir.path()).unwrap();
        store.record_upstream_call("payone", "new", "", "", "OK").await.unwrap();
        let calls: Vec<String> = store.upstream_calls().unwrap().into_iter().map(|(_, action, _)| action).collect();
        assert_eq!(calls, ["old", "new"]);
        let schema: String = store.read(|c| c.query_row("SELECT group_concat(sql) FROM sqlite_master", [], |r| r.get(0))).unwrap();
        assert!(!schema.to_ascii_uppercase().contains("AUTOINCREMENT"), "{schema}");
        assert_eq!(store.notification_log().unwrap(), [("1".to_owned(), "paid".to_owned(), String::new())]);
    }

    #[test]
    fn reads_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let write = store.read(|c| c.execute("DELETE FROM checkouts", []));
        assert!(write.is_err(), "read connections are query_only: every write goes through the writer");
    }

    #[tokio::test]
    async fn duplicate_workorders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let checkout = sample_checkout();
        store.insert_checkout(&checkout).await.unwrap();
        assert!(store.insert_checkout(&checkout).await.is_err());
    }
}
