//! What the merchant API keeps per order beside its keys' answers (`merchant_requests`, idempotency only):
//!
//! - the lost calls (`merchant_lost_calls`): the keys whose money action PAYONE gave no usable answer to, so
//!   another key's action on the order settles them first (`merchant/money.rs`); a key leaves the list with
//!   its answer;
//! - the refusals (`merchant_refusals`): the money actions the provider refused, nothing moved, shown in the
//!   order's timeline beside the money that did move (`merchant/timeline.rs`).
//!
//! One row per order and key, inserted if absent: two instances adding to one order at once both keep theirs
//! (the JSON lists these replaced, read and written back whole, could lose one). Migration 17.

use super::db::{params, Conn, Result};
use super::{Store, StoreError};

/// One refusal: when, what was asked (`capture`, `refund`, `cancel`; the amount in minor units) and what the
/// provider said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// When, in seconds.
    pub at: i64,
    /// `payone` (or `amazon`).
    pub provider: String,
    /// `capture`, `refund` or `cancel`.
    pub action: String,
    /// In minor units.
    pub amount: i64,
    /// What the provider said.
    pub message: String,
}

impl Refusal {
    /// A refusal now.
    pub fn new(provider: &str, action: &str, amount: i64, message: &str) -> Refusal {
        Refusal { at: super::now(), provider: provider.into(), action: action.into(), amount, message: message.into() }
    }
}

/// Lists `key` among `order`'s lost calls (once: a second insert changes nothing).
pub fn insert_lost_call(c: &Conn<'_>, order: &str, key: &str) -> Result<()> {
    c.prepare_cached("INSERT OR IGNORE INTO merchant_lost_calls (order_id, idempotency_key, created_at) VALUES (?1, ?2, ?3)")?
        .execute(params![order, key, super::now()])
        .map(drop)
}

/// Takes `key` off `order`'s lost calls: it has its answer now.
pub fn delete_lost_call(c: &Conn<'_>, order: &str, key: &str) -> Result<()> {
    c.prepare_cached("DELETE FROM merchant_lost_calls WHERE order_id = ?1 AND idempotency_key = ?2")?.execute([order, key]).map(drop)
}

/// The keys of `order`'s lost calls, oldest first.
pub fn lost_calls(c: &Conn<'_>, order: &str) -> Result<Vec<String>> {
    c.prepare_cached("SELECT idempotency_key FROM merchant_lost_calls WHERE order_id = ?1 ORDER BY created_at, idempotency_key")?
        .query_map([order], |r| r.get(0))?
        .collect()
}

/// Records `refusal`, the answer of `key`, among `order`'s (once per key).
pub fn insert_refusal(c: &Conn<'_>, order: &str, key: &str, refusal: &Refusal) -> Result<()> {
    c.prepare_cached(
        "INSERT OR IGNORE INTO merchant_refusals (order_id, idempotency_key, at, provider, action, amount_minor, message)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![order, key, refusal.at, refusal.provider, refusal.action, refusal.amount, refusal.message])
    .map(drop)
}

/// `order`'s refusals, oldest first.
pub fn refusals(c: &Conn<'_>, order: &str) -> Result<Vec<Refusal>> {
    c.prepare_cached("SELECT at, provider, action, amount_minor, message FROM merchant_refusals WHERE order_id = ?1 ORDER BY at, idempotency_key")?
        .query_map([order], |r| Ok(Refusal { at: r.get(0)?, provider: r.get(1)?, action: r.get(2)?, amount: r.get(3)?, message: r.get(4)? }))?
        .collect()
}

/// Each in a write of its own: for callers outside a transaction of theirs (and the store's tests).
impl Store {
    /// [`insert_lost_call`].
    pub async fn insert_merchant_lost_call(&self, order: &str, key: &str) -> std::result::Result<(), StoreError> {
        let (order, key) = (order.to_owned(), key.to_owned());
        self.write(move |c| insert_lost_call(c, &order, &key)).await
    }

    /// [`delete_lost_call`].
    pub async fn delete_merchant_lost_call(&self, order: &str, key: &str) -> std::result::Result<(), StoreError> {
        let (order, key) = (order.to_owned(), key.to_owned());
        self.write(move |c| delete_lost_call(c, &order, &key)).await
    }

    /// [`lost_calls`].
    pub fn merchant_lost_calls(&self, order: &str) -> std::result::Result<Vec<String>, StoreError> {
        self.read(|c| lost_calls(c, order))
    }

    /// [`insert_refusal`].
    pub async fn insert_merchant_refusal(&self, order: &str, key: &str, refusal: Refusal) -> std::result::Result<(), StoreError> {
        let (order, key) = (order.to_owned(), key.to_owned());
        self.write(move |c| insert_refusal(c, &order, &key, &refusal)).await
    }

    /// [`refusals`].
    pub fn merchant_refusals(&self, order: &str) -> std::result::Result<Vec<Refusal>, StoreError> {
        self.read(|c| refusals(c, order))
    }
}
