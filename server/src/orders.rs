//! Orders and TransactionStatus notifications in the store, and how notifications move an order.
//!
//! One placed order per checkout however often "Place order" is clicked: the idempotency key is unique,
//! placement for a workorder is serialized by [`OrderLocks`], and a checkout that already has a live order
//! gets that order back. Notifications are stored before they are acknowledged, and a replay is a no-op.

use crate::payone::TransactionStatus;
use crate::store::{now, Store, StoreError};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Money};
use rusqlite::{params, OptionalExtension, Row};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Tables of this module; created by [`Store::open`].
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    workorder_id TEXT NOT NULL,
    flow TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    txid TEXT,
    userid TEXT,
    decline TEXT,
    response_json TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_by_workorder ON orders (workorder_id);
CREATE INDEX IF NOT EXISTS orders_by_txid ON orders (txid);
CREATE TABLE IF NOT EXISTS notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    identity TEXT NOT NULL UNIQUE,
    txid TEXT NOT NULL,
    txaction TEXT NOT NULL,
    transaction_status TEXT NOT NULL,
    reasoncode TEXT,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
);
";

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    pub id: String,
    pub workorder_id: String,
    pub flow: String,
    pub idempotency_key: String,
    pub state: OrderState,
    pub amount: Money,
    pub txid: Option<String>,
    pub userid: Option<String>,
    pub decline: Option<ErrorCode>,
    /// The answer given to the widget when the order was placed, replayed for repeated clicks.
    pub response_json: Option<String>,
}

impl OrderRecord {
    /// A placement that is over without money moving: the buyer may try again (with a new key).
    pub fn allows_retry(&self) -> bool {
        match self.state {
            OrderState::Abandoned | OrderState::UpstreamFailed => true,
            OrderState::Declined => self.decline == Some(ErrorCode::SoftDecline),
            _ => false,
        }
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<OrderRecord> {
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, what.to_owned().into())
    };
    let state: String = row.get(4)?;
    let currency: String = row.get(6)?;
    let decline: Option<String> = row.get(9)?;
    Ok(OrderRecord {
        id: row.get(0)?,
        workorder_id: row.get(1)?,
        flow: row.get(2)?,
        idempotency_key: row.get(3)?,
        state: OrderState::parse(&state).ok_or_else(|| bad(4, "unknown order state"))?,
        amount: Money::new(row.get(5)?, currency.parse().map_err(|_| bad(6, "unknown currency"))?),
        txid: row.get(7)?,
        userid: row.get(8)?,
        decline: decline.as_deref().and_then(ErrorCode::parse),
        response_json: row.get(10)?,
    })
}

const COLUMNS: &str =
    "id, workorder_id, flow, idempotency_key, state, amount_minor, currency, txid, userid, decline, response_json";

/// How a notification moves an order, or `None` when it does not (final states never move back).
pub fn next_state(current: OrderState, ts: &TransactionStatus) -> Option<OrderState> {
    if current.is_final() && current != OrderState::Declined {
        return None;
    }
    let next = match (ts.txaction()?, ts.transaction_status()) {
        ("appointed", "pending") => OrderState::Pending,
        ("appointed", _) => OrderState::Approved,
        ("paid", _) => OrderState::Paid,
        ("failed", _) | ("cancelation", _) => OrderState::Failed,
        _ => return None,
    };
    // An approval never goes back to pending; a late `appointed` after `paid` changes nothing.
    match (current, next) {
        (OrderState::Approved, OrderState::Pending) => None,
        (OrderState::Declined, _) => None,
        (c, n) if c == n => None,
        _ => Some(next),
    }
}

impl Store {
    pub fn insert_order(&self, order: &OrderRecord) -> Result<(), StoreError> {
        let t = now();
        self.with(|c| {
            c.execute(
                &format!("INSERT INTO orders ({COLUMNS}, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?12)"),
                params![
                    order.id,
                    order.workorder_id,
                    order.flow,
                    order.idempotency_key,
                    order.state.as_str(),
                    order.amount.minor,
                    order.amount.currency.code(),
                    order.txid,
                    order.userid,
                    order.decline.map(ErrorCode::as_str),
                    order.response_json,
                    t
                ],
            )
            .map(drop)
        })
    }

    pub fn order(&self, id: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.with(|c| c.query_row(&format!("SELECT {COLUMNS} FROM orders WHERE id = ?1"), [id], from_row).optional())
    }

    pub fn order_by_key(&self, key: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.with(|c| {
            c.query_row(&format!("SELECT {COLUMNS} FROM orders WHERE idempotency_key = ?1"), [key], from_row).optional()
        })
    }

    pub fn order_by_txid(&self, txid: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.with(|c| c.query_row(&format!("SELECT {COLUMNS} FROM orders WHERE txid = ?1"), [txid], from_row).optional())
    }

    /// Every placement attempt for a checkout, oldest first.
    pub fn orders_for_workorder(&self, workorder_id: &str) -> Result<Vec<OrderRecord>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare(&format!("SELECT {COLUMNS} FROM orders WHERE workorder_id = ?1 ORDER BY created_at, rowid"))?;
            let rows = stmt.query_map([workorder_id], from_row)?;
            rows.collect()
        })
    }

    /// Records PAYONE's answer to the placement.
    pub fn finish_placing(&self, order: &OrderRecord) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute(
                "UPDATE orders SET state = ?2, txid = ?3, userid = ?4, decline = ?5, response_json = ?6, updated_at = ?7
                 WHERE id = ?1",
                params![
                    order.id,
                    order.state.as_str(),
                    order.txid,
                    order.userid,
                    order.decline.map(ErrorCode::as_str),
                    order.response_json,
                    now()
                ],
            )
            .map(drop)
        })
    }

    /// APB orders learn PAYONE's workorder id only from the authorization's answer.
    pub fn set_order_workorder(&self, id: &str, workorder_id: &str) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("UPDATE orders SET workorder_id = ?2, updated_at = ?3 WHERE id = ?1", params![id, workorder_id, now()])
                .map(drop)
        })
    }

    pub fn set_order_state(&self, id: &str, state: OrderState) -> Result<(), StoreError> {
        self.with(|c| {
            c.execute("UPDATE orders SET state = ?2, updated_at = ?3 WHERE id = ?1", params![id, state.as_str(), now()])
                .map(drop)
        })
    }

    /// Stores a notification durably. `Ok(false)` for a replay of one already stored.
    pub fn insert_notification(&self, ts: &TransactionStatus) -> Result<bool, StoreError> {
        // Decoded fields as JSON (UTF-8), without the key.
        let body = serde_json::to_string(&ts.fields().iter().filter(|(k, _)| k != "key").collect::<Vec<_>>())
            .unwrap_or_default();
        self.with(|c| {
            let inserted = c.execute(
                "INSERT OR IGNORE INTO notifications (identity, txid, txaction, transaction_status, reasoncode, body, received_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    ts.identity(),
                    ts.txid().unwrap_or_default(),
                    ts.txaction().unwrap_or_default(),
                    ts.transaction_status(),
                    ts.get("reasoncode"),
                    body,
                    now()
                ],
            )?;
            Ok(inserted == 1)
        })
    }

    /// The stored notifications of a transaction, in arrival order.
    pub fn notifications_for_txid(&self, txid: &str) -> Result<Vec<TransactionStatus>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT body FROM notifications WHERE txid = ?1 ORDER BY id")?;
            let rows = stmt.query_map([txid], |r| r.get::<_, String>(0))?;
            rows.map(|body| body.map(|b| TransactionStatus::from_fields(serde_json::from_str(&b).unwrap_or_default())))
                .collect()
        })
    }

    /// `(txaction, transaction_status)` of every stored notification, oldest first.
    pub fn notification_log(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.with(|c| {
            let mut stmt = c.prepare("SELECT txid, txaction, transaction_status FROM notifications ORDER BY id")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            rows.collect()
        })
    }

    /// Applies every stored notification of `txid` to its order (for notifications that arrived before
    /// PAYONE's answer to the placement was stored). Returns the order's state afterwards.
    pub fn reconcile(&self, txid: &str) -> Result<Option<OrderState>, StoreError> {
        let Some(order) = self.order_by_txid(txid)? else { return Ok(None) };
        let mut state = order.state;
        for ts in self.notifications_for_txid(txid)? {
            if let Some(next) = next_state(state, &ts) {
                state = next;
            }
        }
        if state != order.state {
            self.set_order_state(&order.id, state)?;
        }
        Ok(Some(state))
    }
}

/// Serializes placements per checkout, so two tabs or many clicks cannot both reach PAYONE.
#[derive(Default, Clone)]
pub struct OrderLocks {
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

impl OrderLocks {
    /// The lock for one checkout; hold its guard for the whole placement.
    pub fn for_workorder(&self, workorder_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds, so the map does not grow without bound.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(workorder_id.to_owned()).or_default().clone()
    }
}

/// Idempotency keys are opaque to the server but must be sane: 8 to 64 URL-safe characters.
pub fn valid_idempotency_key(key: &str) -> bool {
    (8..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A new order id: `O` and 12 characters that are safe in URLs and in PAYONE's `reference`.
pub fn new_order_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let tail: String = (0..12).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect();
    format!("O{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(body: &str) -> TransactionStatus {
        TransactionStatus::parse(body.as_bytes())
    }

    fn order(id: &str, key: &str) -> OrderRecord {
        OrderRecord {
            id: id.into(),
            workorder_id: "WO1".into(),
            flow: "cv2".into(),
            idempotency_key: key.into(),
            state: OrderState::Placing,
            amount: Money::eur(100),
            txid: None,
            userid: None,
            decline: None,
            response_json: None,
        }
    }

    #[test]
    fn notifications_move_orders_forward_only() {
        use OrderState::*;
        let pending = ts("txaction=appointed&transaction_status=pending");
        let appointed = ts("txaction=appointed&transaction_status=completed");
        let paid = ts("txaction=paid");
        let failed = ts("txaction=failed");
        assert_eq!(next_state(Redirected, &pending), Some(Pending));
        assert_eq!(next_state(Pending, &paid), Some(Paid));
        assert_eq!(next_state(Pending, &failed), Some(Failed));
        assert_eq!(next_state(Redirected, &appointed), Some(Approved));
        assert_eq!(next_state(Approved, &pending), None);
        assert_eq!(next_state(Paid, &failed), None, "a paid order stays paid");
        assert_eq!(next_state(Paid, &appointed), None);
        assert_eq!(next_state(Approved, &ts("txaction=capture")), None);
    }

    #[test]
    fn idempotency_keys_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_order(&order("O1", "k1")).unwrap();
        assert!(store.insert_order(&order("O2", "k1")).is_err());
        assert_eq!(store.order_by_key("k1").unwrap().unwrap().id, "O1");
    }

    #[test]
    fn replayed_notifications_are_stored_once_and_reconciled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut o = order("O1", "k1");
        o.txid = Some("123".into());
        o.state = OrderState::Redirected;
        store.insert_order(&o).unwrap();
        let n = ts("txid=123&txaction=appointed&transaction_status=pending&sequencenumber=0&key=secret");
        assert!(store.insert_notification(&n).unwrap());
        assert!(!store.insert_notification(&n).unwrap(), "a replay is not stored again");
        assert!(store.insert_notification(&ts("txid=123&txaction=paid&sequencenumber=0")).unwrap());
        assert_eq!(store.reconcile("123").unwrap(), Some(OrderState::Paid));
        assert_eq!(store.order("O1").unwrap().unwrap().state, OrderState::Paid);
        assert!(!format!("{:?}", store.notifications_for_txid("123").unwrap()).contains("secret"), "keys are not stored");
    }

    #[test]
    fn idempotency_keys_are_checked() {
        assert!(valid_idempotency_key("3f1c2a9e-1b2c-4d5e-8f90-0123456789ab"));
        assert!(!valid_idempotency_key("short"));
        assert!(!valid_idempotency_key("has space in it"));
        assert!(!valid_idempotency_key(&"x".repeat(65)));
    }

    #[test]
    fn retry_is_allowed_only_when_no_money_moved() {
        let mut o = order("O1", "k");
        o.state = OrderState::Declined;
        o.decline = Some(ErrorCode::SoftDecline);
        assert!(o.allows_retry());
        o.decline = Some(ErrorCode::HardDecline);
        assert!(!o.allows_retry());
        o.state = OrderState::Pending;
        assert!(!o.allows_retry());
    }
}
