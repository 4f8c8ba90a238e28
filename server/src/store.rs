//! The order store: an embedded SQLite database under `--data-dir`.
//!
//! Every checkout the server starts and every call it makes upstream is written here, so that after any
//! failure the store tells exactly what happened.

use amazon_pay_contract::cv2::DeliveryOption;
use amazon_pay_contract::Money;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

/// A failure of the database itself (never of the buyer's input).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create data directory {path}: {source}")]
    DataDir { path: String, source: std::io::Error },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("the store's lock was poisoned by a panic")]
    Poisoned,
}

/// A handle to the database; clones share one connection.
#[derive(Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
}

/// A checkout the server started, keyed by PAYONE's workorder id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkout {
    pub workorder_id: String,
    pub flow: String,
    pub amount: Money,
    pub items_json: String,
    pub delivery: DeliveryOption,
    pub created_at: i64,
}

fn delivery_text(delivery: DeliveryOption) -> &'static str {
    match delivery {
        DeliveryOption::Standard => "standard",
        DeliveryOption::Express => "express",
    }
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS checkouts (
    workorder_id TEXT PRIMARY KEY,
    flow TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    items_json TEXT NOT NULL,
    delivery TEXT NOT NULL DEFAULT 'standard',
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS upstream_calls (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    service TEXT NOT NULL,
    action TEXT NOT NULL,
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    outcome TEXT NOT NULL,
    at INTEGER NOT NULL
);
";

/// Seconds since the Unix epoch.
pub fn now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

impl Store {
    /// Opens (or creates) `<data_dir>/amazon-pay.sqlite` and brings its schema up to date.
    pub fn open(data_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::DataDir { path: data_dir.display().to_string(), source })?;
        let conn = Connection::open(data_dir.join("amazon-pay.sqlite"))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        conn.execute_batch(SCHEMA)?;
        conn.execute_batch(crate::orders::SCHEMA)?;
        conn.execute_batch(crate::api::cv1::SCHEMA)?;
        Ok(Store { conn: Arc::new(Mutex::new(conn)) })
    }

    /// Runs `f` with the connection (one writer at a time). For modules that keep their own tables.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&Connection) -> rusqlite::Result<T>) -> Result<T, StoreError> {
        let conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        Ok(f(&conn)?)
    }

    pub fn insert_checkout(&self, checkout: &Checkout) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO checkouts (workorder_id, flow, amount_minor, currency, items_json, delivery, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    checkout.workorder_id,
                    checkout.flow,
                    checkout.amount.minor,
                    checkout.amount.currency.code(),
                    checkout.items_json,
                    delivery_text(checkout.delivery),
                    checkout.created_at
                ],
            )
            .map(drop)
        })
    }

    pub fn checkout(&self, workorder_id: &str) -> Result<Option<Checkout>, StoreError> {
        self.with(|c| {
            c.query_row(
                "SELECT workorder_id, flow, amount_minor, currency, items_json, delivery, created_at
                 FROM checkouts WHERE workorder_id = ?1",
                [workorder_id],
                |row| {
                    let currency: String = row.get(3)?;
                    Ok(Checkout {
                        workorder_id: row.get(0)?,
                        flow: row.get(1)?,
                        amount: Money::new(
                            row.get(2)?,
                            currency.parse().map_err(|e| {
                                rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
                            })?,
                        ),
                        items_json: row.get(4)?,
                        delivery: if row.get::<_, String>(5)? == "express" {
                            DeliveryOption::Express
                        } else {
                            DeliveryOption::Standard
                        },
                        created_at: row.get(6)?,
                    })
                },
            )
            .optional()
        })
    }

    /// Stores a new delivery option and total after PAYONE accepted `updateCheckoutSession`.
    pub fn update_checkout_delivery(&self, workorder_id: &str, delivery: DeliveryOption, amount: Money) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE checkouts SET delivery = ?2, amount_minor = ?3, currency = ?4 WHERE workorder_id = ?1",
                params![workorder_id, delivery_text(delivery), amount.minor, amount.currency.code()],
            )
            .map(drop)
        })
    }

    /// Records one upstream exchange. `request` must already have its secrets removed.
    pub fn record_upstream_call(
        &self,
        service: &str,
        action: &str,
        request: &str,
        response: &str,
        outcome: &str,
    ) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "INSERT INTO upstream_calls (service, action, request, response, outcome, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![service, action, request, response, outcome, now()],
            )
            .map(drop)
        })
    }

    /// The (redacted) request of every recorded upstream call, oldest first (sandbox inspection).
    pub fn upstream_call_requests(&self) -> Result<Vec<String>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT request FROM upstream_calls ORDER BY id")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect()
        })
    }

    /// `(service, action, outcome)` of every recorded upstream call, oldest first.
    pub fn upstream_calls(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT service, action, outcome FROM upstream_calls ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkouts_survive_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let checkout = Checkout {
            workorder_id: "WO1".into(),
            flow: "cv2".into(),
            amount: Money::eur(1290),
            items_json: "[]".into(),
            delivery: DeliveryOption::Express,
            created_at: 7,
        };
        Store::open(dir.path()).unwrap().insert_checkout(&checkout).unwrap();
        let reopened = Store::open(dir.path()).unwrap();
        assert_eq!(reopened.checkout("WO1").unwrap(), Some(checkout));
        assert_eq!(reopened.checkout("WO2").unwrap(), None);
    }

    #[test]
    fn duplicate_workorders_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let checkout = Checkout {
            workorder_id: "WO1".into(),
            flow: "cv2".into(),
            amount: Money::eur(1),
            items_json: "[]".into(),
            delivery: DeliveryOption::Standard,
            created_at: 0,
        };
        store.insert_checkout(&checkout).unwrap();
        assert!(store.insert_checkout(&checkout).is_err());
    }
}
