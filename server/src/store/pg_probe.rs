//! `check-config`'s look at a PostgreSQL store before the server starts: does the database answer, and how far
//! is its schema migrated. One connection of its own, on a thread and runtime of its own, within a deadline:
//! the check must say "unreachable" rather than hang on a firewall that drops packets.

use super::db::DbError;
use std::time::Duration;

/// How far the database's schema is migrated, as `schema_migrations` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemaLevel {
    /// No `schema_migrations`: a new database; the server's start creates the schema.
    Empty,
    /// The highest migration applied.
    At(i64),
}

/// The latest migration this server knows (and applies at start).
pub fn latest() -> i64 {
    super::pg_schema::latest()
}

/// How long to wait for `url`'s database: its own `connect_timeout` (seconds, libpq's parameter, which the
/// server's connections honour too), else `default`. One setting for one database, not a second one for checks.
pub fn deadline(url: &str, default: Duration) -> Duration {
    url.parse::<tokio_postgres::Config>().ok().and_then(|c| c.get_connect_timeout().copied()).unwrap_or(default)
}

/// What `check-config` learns of a PostgreSQL store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Probe {
    /// How far its schema is migrated.
    pub level: SchemaLevel,
    /// The shop it belongs to (`store/shop_identity.rs`), if a server has started on it.
    pub shop: Option<String>,
}

/// Connects to `url` (`postgres://...`) and reads its schema's level and its shop, all within `timeout`. The
/// error says why not (refused, timed out, authentication), never the URL's password.
pub fn probe(url: &str, timeout: Duration) -> Result<Probe, DbError> {
    let mut config: tokio_postgres::Config = url.parse()?;
    config.connect_timeout(timeout);
    let worker = std::thread::Builder::new().name("check-postgres".into()).spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| DbError::Connect(e.to_string()))?;
        rt.block_on(async move {
            let work = async {
                let (client, connection) = config.connect(tokio_postgres::NoTls).await?;
                tokio::spawn(connection);
                let exists: bool = client.query_one("SELECT to_regclass('schema_migrations') IS NOT NULL", &[]).await?.get(0);
                if !exists {
                    return Ok(Probe { level: SchemaLevel::Empty, shop: None });
                }
                let level: i64 = client.query_one("SELECT coalesce(max(version), 0) FROM schema_migrations", &[]).await?.get(0);
                let owned: bool = client.query_one("SELECT to_regclass('shop_identity') IS NOT NULL", &[]).await?.get(0);
                let shop = match owned {
                    true => client.query_opt("SELECT shop FROM shop_identity WHERE id = 1", &[]).await?.map(|r| r.get(0)),
                    false => None,
                };
                Ok::<_, tokio_postgres::Error>(Probe { level: SchemaLevel::At(level), shop })
            };
            match tokio::time::timeout(timeout, work).await {
                Ok(answer) => answer.map_err(DbError::from),
                Err(_) => Err(DbError::Connect(format!("no answer within {} ms", timeout.as_millis()))),
            }
        })
    });
    let worker = worker.map_err(|e| DbError::Connect(e.to_string()))?;
    worker.join().map_err(|_| DbError::Connect("the check's thread panicked".to_owned()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_that_never_answers_is_given_up_at_the_deadline() {
        // Accepts the connection (the kernel does) and never says a word: as a stuck server or proxy would.
        let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = silent.local_addr().unwrap().port();
        let started = std::time::Instant::now();
        let err = probe(&format!("postgres://amazonpay:pw@127.0.0.1:{port}/amazon_pay"), Duration::from_millis(300)).unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(3), "bounded: {:?}", started.elapsed());
        assert!(err.to_string().contains("300 ms") || err.to_string().contains("timed out"), "{err}");
        drop(silent);
    }

    #[test]
    fn the_deadline_is_the_url_s_connect_timeout_else_the_default() {
        let default = Duration::from_secs(5);
        assert_eq!(deadline("postgres://u:p@db/shop?connect_timeout=2", default), Duration::from_secs(2));
        assert_eq!(deadline("postgres://u:p@db/shop", default), default);
        // libpq: 0 (or less) means no limit of its own; the check still needs one.
        assert_eq!(deadline("postgres://u:p@db/shop?connect_timeout=0", default), default);
        assert_eq!(deadline("postgres://[::1", default), default);
    }

    #[test]
    fn a_url_that_does_not_parse_is_an_error_not_a_panic() {
        assert!(probe("postgres://[::1", Duration::from_millis(100)).is_err());
    }
}
