//! Orders and TransactionStatus notifications in the store, and how notifications move an order.
//!
//! One placed order per checkout however often "Place order" is clicked: the idempotency key is unique,
//! placement for a workorder is serialized by [`OrderLocks`], and a checkout that already has a live order
//! gets that order back. Notifications are stored, with the order move they cause, and synced to disk before
//! they are acknowledged ([`Store::receive_notification`]), and a replay is a no-op.

pub mod abandon;
pub mod replaced;

pub use crate::config::amazon::Provider;
use crate::payone::TransactionStatus;
use crate::store::db::{params, Conn, DbError, OptionalExtension, Row};
use crate::store::{now, Store, StoreError};
pub use abandon::AbandonReason;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Money};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// An order as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRecord {
    /// The id.
    pub id: String,
    /// The workorder id.
    pub workorder_id: String,
    /// The flow.
    pub flow: String,
    /// The idempotency key.
    pub idempotency_key: String,
    /// The state.
    pub state: OrderState,
    /// The amount.
    pub amount: Money,
    /// The txid.
    pub txid: Option<String>,
    /// PAYONE's user id.
    pub userid: Option<String>,
    /// The decline.
    pub decline: Option<ErrorCode>,
    /// The answer given to the widget when the order was placed, replayed for repeated clicks.
    pub response_json: Option<String>,
    /// Whose API moves its money, fixed when it is placed: the merchant API and the webhooks' first event
    /// say so before Amazon's ids are known (an APB order learns its checkout session on the return).
    pub provider: Provider,
}

impl OrderRecord {
    /// A new attempt to place checkout `workorder_id` (`None`: APB, where the order is its own checkout), stored
    /// as `placing` before any provider is asked.
    pub fn placing(provider: Provider, workorder_id: Option<&str>, flow: &str, idempotency_key: &str, amount: Money) -> OrderRecord {
        let id = new_order_id();
        OrderRecord {
            workorder_id: workorder_id.map_or_else(|| id.clone(), str::to_owned),
            id,
            flow: flow.to_owned(),
            idempotency_key: idempotency_key.to_owned(),
            state: OrderState::Placing,
            amount,
            txid: None,
            userid: None,
            decline: None,
            response_json: None,
            provider,
        }
    }

    /// A placement PAYONE was asked for and never answered (in time, or with an answer of its own): it may have
    /// authorized, so the attempt stays `placing` (no other key places its checkout) until its TransactionStatus
    /// or PAYONE, asked again with the same reference, decides it (`api/cv2/place.rs`).
    pub fn undecided(&self) -> bool {
        self.state == OrderState::Placing && self.decline == Some(ErrorCode::UpstreamTimeout)
    }

    /// A placement that is over without money moving: the buyer may try again (with a new key).
    pub fn allows_retry(&self) -> bool {
        match self.state {
            OrderState::Abandoned | OrderState::UpstreamFailed => true,
            // A failure PAYONE reported with a soft decline (after the buyer gave up): another instrument may do.
            OrderState::Declined | OrderState::Failed => self.decline == Some(ErrorCode::SoftDecline),
            _ => false,
        }
    }
}

fn from_row(row: &Row) -> crate::store::db::Result<OrderRecord> {
    let bad = |i: usize, what: &str| DbError::conversion(i, what);
    let state: String = row.get(4)?;
    let currency: String = row.get(6)?;
    let decline: Option<String> = row.get(9)?;
    let provider: String = row.get(11)?;
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
        provider: Provider::parse(&provider).ok_or_else(|| bad(11, "unknown provider"))?,
    })
}

const COLUMNS: &str = "id, workorder_id, flow, idempotency_key, state, amount_minor, currency, txid, userid, decline, response_json, provider";

/// How a notification moves an order, or `None` when it does not.
///
/// Final states never move back, with one exception: `abandoned` is this server's conclusion, not PAYONE's
/// (the buyer came back through the error or back URL, or never came back: [`Store::abandon_stale`]).
/// PAYONE's later word wins over it and is recorded with its event: `appointed` or `paid` (money did move:
/// the buyer finished after all) and `failed` (the decline's real reason, which PAYONE may send after a
/// cancelled multi-factor authentication or a decline). A `cancelation` of an abandoned order changes nothing
/// (nothing was authorized to cancel).
pub fn next_state(current: OrderState, ts: &TransactionStatus) -> Option<OrderState> {
    let next = match (ts.txaction()?, ts.transaction_status()) {
        ("appointed", "pending") => OrderState::Pending,
        ("appointed", _) => OrderState::Approved,
        ("paid", _) => OrderState::Paid,
        ("failed", _) | ("cancelation", _) => OrderState::Failed,
        _ => return None,
    };
    match (current, next) {
        (c, n) if c == n => None,
        (OrderState::Abandoned, _) if ts.txaction() == Some("cancelation") => None,
        (OrderState::Abandoned, _) => Some(next),
        (c, _) if c.is_final() => None,
        // An approval never goes back to pending; a late `appointed` after `paid` changes nothing.
        (OrderState::Approved, OrderState::Pending) => None,
        _ => Some(next),
    }
}

/// The decline a `failed` notification gives its reason for (`reasoncode`, PAYONE's Amazon error codes):
/// soft or hard; `None` when it names neither (the order then reads as a hard decline).
fn failure_reason(ts: &TransactionStatus) -> Option<ErrorCode> {
    let code = crate::payone::decline_code(ts.get("reasoncode").filter(|r| !r.is_empty())?);
    matches!(code, ErrorCode::SoftDecline | ErrorCode::HardDecline).then_some(code)
}

/// The orders this server gives up after a time (`redirect_expiry.rs`), and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// `redirected`: the buyer did not come back from Amazon's pages.
    Redirected,
    /// `placing`: the placement was cut off before the provider's answer was stored.
    Placing,
}

impl Stale {
    /// The state such an order is left in.
    pub fn state(self) -> OrderState {
        match self {
            Stale::Redirected => OrderState::Redirected,
            Stale::Placing => OrderState::Placing,
        }
    }

    /// Why such an order is given up.
    pub fn reason(self) -> AbandonReason {
        match self {
            Stale::Redirected => AbandonReason::BuyerDidNotReturn,
            Stale::Placing => AbandonReason::PlacementCutOff,
        }
    }
}

/// Orders given up per write of [`Store::abandon_stale`]: small, so it never holds the writer long.
pub const ABANDON_BATCH: usize = 100;

impl Store {
    /// Stores a new order.
    pub async fn insert_order(&self, order: &OrderRecord) -> Result<(), StoreError> {
        let order = order.clone();
        let t = now();
        self.write(move |c| {
            c.prepare_cached(&format!(
                "INSERT INTO orders ({COLUMNS}, created_at, updated_at) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?13)"
            ))?
            .execute(params![
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
                order.provider.as_str(),
                t
            ])?;
            // The outbox, in the same transaction (store/events.rs).
            crate::store::events::record(c, &order.id, "order.placed")?;
            if order.state != OrderState::Placing {
                crate::store::events::record(c, &order.id, &crate::store::events::type_for_state(order.state))?;
            }
            Ok(())
        })
        .await
    }

    /// The order `id`, if stored.
    pub fn order(&self, id: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.read(|c| order_where(c, "id", id))
    }

    /// Where order `id`'s money stands after the merchant's captures, refunds and cancels
    /// (`orders.payment_status`, written with each of them: `store/payment_status.rs`); `None` when there is no
    /// such order or it has no status yet.
    pub fn payment_status(&self, id: &str) -> Result<Option<amazon_pay_contract::merchant::PaymentStatus>, StoreError> {
        let stored: Option<Option<String>> =
            self.read(|c| c.prepare_cached("SELECT payment_status FROM orders WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional())?;
        Ok(stored.flatten().as_deref().and_then(amazon_pay_contract::merchant::PaymentStatus::parse))
    }

    /// The order placed with idempotency key `key`, if any.
    pub fn order_by_key(&self, key: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.read(|c| order_where(c, "idempotency_key", key))
    }

    /// The order of PAYONE transaction `txid`, if any.
    pub fn order_by_txid(&self, txid: &str) -> Result<Option<OrderRecord>, StoreError> {
        self.read(|c| order_where(c, "txid", txid))
    }

    /// Every placement attempt for a checkout, oldest first.
    pub fn orders_for_workorder(&self, workorder_id: &str) -> Result<Vec<OrderRecord>, StoreError> {
        self.read(|c| orders_of_workorder(c, workorder_id))
    }

    /// Records PAYONE's answer to the placement (and the amount asked for: an attempt placed again after a
    /// timeout asks for the checkout's total then, `api/amazon/cv2.rs`).
    pub async fn finish_placing(&self, order: &OrderRecord) -> Result<(), StoreError> {
        let order = order.clone();
        self.write(move |c| {
            let before = current_state(c, &order.id)?;
            c.prepare_cached(
                "UPDATE orders SET state = ?2, txid = ?3, userid = ?4, decline = ?5, response_json = ?6, updated_at = ?7, amount_minor = ?8
                 WHERE id = ?1",
            )?
            .execute(params![
                order.id,
                order.state.as_str(),
                order.txid,
                order.userid,
                order.decline.map(ErrorCode::as_str),
                order.response_json,
                now(),
                order.amount.minor
            ])?;
            state_event(c, &order.id, before, order.state)
        })
        .await
    }

    /// Leaves order `id` undecided ([`OrderRecord::undecided`]: `placing`, `upstream_timeout`) if it is still
    /// `from`: a notification that settled it while PAYONE's answer was late is never overwritten. No event: the
    /// order was announced when it was placed, and its outcome is announced when it is known. Whether it moved.
    pub async fn leave_undecided(&self, id: &str, from: OrderState) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |c| {
            let sql = "UPDATE orders SET state = ?3, decline = ?4, updated_at = ?5 WHERE id = ?1 AND state = ?2";
            let args = params![id, from.as_str(), OrderState::Placing.as_str(), ErrorCode::UpstreamTimeout.as_str(), now()];
            Ok(c.prepare_cached(sql)?.execute(args)? == 1)
        })
        .await
    }

    /// Gives up order `id` if it is still undecided and was placed before `before` (unix seconds): PAYONE has
    /// its reference (911) and no notification came, so its lost answer was a redirect the buyer never got
    /// (`api/undecided.rs`). Whether it moved.
    pub async fn give_up_undecided(&self, id: &str, before: i64) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |c| {
            let placed: Option<(i64, Option<String>)> = c
                .prepare_cached("SELECT created_at, decline FROM orders WHERE id = ?1")?
                .query_row([id.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            match placed {
                Some((created_at, Some(decline))) if created_at < before && decline == ErrorCode::UpstreamTimeout.as_str() => {
                    give_up(c, &id, OrderState::Placing, AbandonReason::PlacementCutOff)
                }
                _ => Ok(false),
            }
        })
        .await
    }

    /// APB orders learn PAYONE's workorder id only from the authorization's answer.
    pub async fn set_order_workorder(&self, id: &str, workorder_id: &str) -> Result<(), StoreError> {
        let (id, workorder_id) = (id.to_owned(), workorder_id.to_owned());
        self.write(move |c| {
            let old: String = c.prepare_cached("SELECT workorder_id FROM orders WHERE id = ?1")?.query_row([id.as_str()], |r| r.get(0))?;
            c.prepare_cached("UPDATE orders SET workorder_id = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![id, workorder_id, now()])?;
            // An APB cart is stored under the order's id until PAYONE names the workorder (`api/apb.rs`).
            c.prepare_cached("UPDATE checkouts SET workorder_id = ?2 WHERE workorder_id = ?1 AND flow = 'apb'")?
                .execute(params![old, workorder_id])
                .map(drop)
        })
        .await
    }

    /// Moves order `id` to `state`.
    pub async fn set_order_state(&self, id: &str, state: OrderState) -> Result<(), StoreError> {
        let id = id.to_owned();
        self.write(move |c| set_state(c, &id, state)).await
    }

    /// Gives order `id` up (`abandoned`, with `reason`) if it is still `from`, with its event; whether it
    /// moved. One conditional update of state and reason, so a notification that moved it meanwhile (another
    /// request, another instance) wins, and the event carries the reason.
    pub async fn abandon(&self, id: &str, from: OrderState, reason: AbandonReason) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.write(move |c| give_up(c, &id, from, reason)).await
    }

    /// Gives up (`abandoned`, with the reason of `stale`) the orders still in `stale`'s state whose last change
    /// is older than `before` (unix seconds): `redirected` ones whose buyer never came back from Amazon's pages
    /// (closed the tab, or placed again on a reloaded APB page), and `placing` ones with no transaction named,
    /// whose placement was cut off (the instance died, or the shutdown deadline passed) before the provider's
    /// answer was stored, with no notification since. At most `limit` per call, oldest first; returns the ids
    /// given up. Each is a conditional update with its event in one transaction, so two instances sweeping one
    /// PostgreSQL give each order up once, and a notification that moved it first is never overwritten.
    pub async fn abandon_stale(&self, stale: Stale, before: i64, limit: usize) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.write(move |c| {
            let from = stale.state();
            // A `placing` order whose txid is known has a transaction at PAYONE: never this server's to close.
            let found: Vec<String> = c
                .prepare_cached(
                    "SELECT id FROM orders WHERE state = ?1 AND updated_at < ?2 AND (state <> 'placing' OR txid IS NULL)
                     ORDER BY updated_at, id LIMIT ?3",
                )?
                .query_map(params![from.as_str(), before, limit], |r| r.get(0))?
                .collect::<crate::store::db::Result<_>>()?;
            let mut given_up = Vec::with_capacity(found.len());
            for id in found {
                if give_up(c, &id, from, stale.reason())? {
                    given_up.push(id);
                }
            }
            Ok(given_up)
        })
        .await
    }

    /// Stores a notification and applies it to its order in one transaction, and answers only once that is
    /// on disk: committed and the WAL fsynced after the commit ([`crate::store::Durability::Synced`]), so a
    /// power cut cannot undo what `TSOK` acknowledges. A replay (one already stored) changes nothing, but is
    /// also answered only after an fsync: its first copy may have been answered with an error before it was
    /// synced. Applying runs in a savepoint of its own: when it fails the notification stays stored (and is
    /// applied when the placement reconciles).
    pub async fn receive_notification(&self, ts: &TransactionStatus) -> Result<Received, StoreError> {
        // Decoded fields as JSON (UTF-8), without the key.
        let body = serde_json::to_string(&ts.fields().iter().filter(|(k, _)| k != "key").collect::<Vec<_>>()).unwrap_or_default();
        let row = (
            ts.identity(),
            ts.txid().unwrap_or_default().to_owned(),
            ts.txaction().unwrap_or_default().to_owned(),
            ts.transaction_status().to_owned(),
            ts.get("reasoncode").map(str::to_owned),
            body,
            crate::store::buyer_search::text(ts.fields()),
        );
        let ts = ts.clone();
        self.write_synced(move |c| {
            let (identity, txid, txaction, transaction_status, reasoncode, body, buyer_search) = row;
            let inserted = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO notifications (identity, txid, txaction, transaction_status, reasoncode, body, received_at, buyer_search, received_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![identity, txid, txaction, transaction_status, reasoncode, body, now(), buyer_search, crate::store::now_ms()])?;
            if inserted == 0 {
                return Ok(Received::Replay);
            }
            let applied = crate::store::nested(c, |c| {
                let applied = apply(c, &ts)?;
                // An `appointed` notification may say PAYONE captured with the authorization, state unchanged.
                crate::store::payment_status::refresh_txid(c, &txid)?;
                Ok(applied)
            })?;
            Ok(Received::Fresh { applied })
        })
        .await
    }

    /// The stored notifications of a transaction, in arrival order.
    pub fn notifications_for_txid(&self, txid: &str) -> Result<Vec<TransactionStatus>, StoreError> {
        self.read(|c| notifications_of(c, txid))
    }

    /// `(txaction, transaction_status)` of every stored notification, oldest first.
    pub fn notification_log(&self) -> Result<Vec<(String, String, String)>, StoreError> {
        self.notification_log_page(0, usize::MAX)
    }

    /// Like [`Self::notification_log`], at most `limit` of them after the first `after` (chosen by the
    /// database, so reading many notifications page by page never holds them all in memory).
    pub fn notification_log_page(&self, after: usize, limit: usize) -> Result<Vec<(String, String, String)>, StoreError> {
        Ok(self.notification_log_page_ms(after, limit)?.into_iter().map(|(txid, txaction, status, _)| (txid, txaction, status)).collect())
    }

    /// Like [`Self::notification_log_page`], each with when it was received in Unix milliseconds (a row older
    /// than migration 12: its second's start), for the sandbox harness's log.
    pub fn notification_log_page_ms(&self, after: usize, limit: usize) -> Result<Vec<(String, String, String, i64)>, StoreError> {
        let (after, limit) = (i64::try_from(after).unwrap_or(i64::MAX), i64::try_from(limit).unwrap_or(i64::MAX));
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT txid, txaction, transaction_status, COALESCE(received_at_ms, received_at * 1000) FROM notifications ORDER BY id LIMIT ?1 OFFSET ?2",
            )?;
            let rows = stmt.query_map(params![limit, after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
            rows.collect()
        })
    }

    /// Applies every stored notification of `txid` to its order (for notifications that arrived before
    /// PAYONE's answer to the placement was stored). Returns the order's state afterwards. Reads and update
    /// are one write transaction, so a notification applied meanwhile cannot be overwritten.
    pub async fn reconcile(&self, txid: &str) -> Result<Option<OrderState>, StoreError> {
        let txid = txid.to_owned();
        self.write(move |c| {
            let Some(order) = order_where(c, "txid", &txid)? else { return Ok(None) };
            let mut state = order.state;
            for ts in notifications_of(c, &txid)? {
                if let Some(next) = next_state(state, &ts) {
                    state = next;
                }
            }
            if state != order.state {
                set_state(c, &order.id, state)?;
            }
            Ok(Some(state))
        })
        .await
    }
}

/// What storing a notification did.
#[derive(Debug)]
pub enum Received {
    /// It was stored before: nothing changed.
    Replay,
    /// Stored now; what it did to its order, or why applying it failed (it stays stored).
    Fresh {
        /// What applying it did (its own error kept apart).
        applied: Result<Applied, StoreError>,
    },
}

/// What a new notification did to its order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// No order has its transaction (or its reference): kept for when one does.
    UnknownOrder,
    /// The order is where the notification would move it, or past it.
    Unchanged,
    /// Moved.
    Moved(Move),
}

/// An order moved by a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Move {
    /// The order id.
    pub order_id: String,
    /// The workorder id.
    pub workorder_id: String,
    /// The state before.
    pub from: OrderState,
    /// The state after.
    pub to: OrderState,
    /// Another live authorization of the same checkout (or the APB order that replaced this one:
    /// `orders/replaced.rs`), when PAYONE authorized an attempt we had given up (`upstream_failed`,
    /// `abandoned`) and the buyer placed again meanwhile: this one is released.
    pub also_authorized: Option<String>,
}

/// Moves the notification's order (found by txid, or before PAYONE's answer to the placement is stored, by
/// its reference), inside the transaction that stored the notification.
fn apply(c: &Conn<'_>, ts: &TransactionStatus) -> crate::store::db::Result<Applied> {
    let Some(txid) = ts.txid() else { return Ok(Applied::UnknownOrder) };
    let order = match order_where(c, "txid", txid)? {
        Some(order) => Some(order),
        None => ts.get("reference").map(|r| order_where(c, "id", r)).transpose()?.flatten(),
    };
    let Some(order) = order else { return Ok(Applied::UnknownOrder) };
    let Some(next) = next_state(order.state, ts) else { return Ok(Applied::Unchanged) };
    if order.txid.is_none() {
        // Found by its reference: PAYONE's answer to the placement was lost, its notification tells the txid.
        c.prepare_cached("UPDATE orders SET txid = ?2 WHERE id = ?1 AND txid IS NULL")?.execute(params![order.id, txid])?;
    }
    if next == OrderState::Failed {
        // Written before the state, so the event of the move carries it.
        c.prepare_cached("UPDATE orders SET decline = ?2 WHERE id = ?1")?.execute(params![order.id, failure_reason(ts).map(ErrorCode::as_str)])?;
    }
    set_state(c, &order.id, next)?;
    // An attempt we had given up (no answer, or the buyer never came back) was authorized after all; the
    // buyer may have placed the same checkout again meanwhile.
    let revived = matches!(order.state, OrderState::UpstreamFailed | OrderState::Abandoned)
        && matches!(next, OrderState::Approved | OrderState::Pending | OrderState::Paid);
    let also_authorized = if revived {
        let same_checkout = orders_of_workorder(c, &order.workorder_id)?
            .into_iter()
            .find(|o| o.id != order.id && !o.allows_retry() && o.state != OrderState::Declined)
            .map(|o| o.id);
        // An APB order is its own checkout: the order placed again in its tab took its place (`orders/replaced.rs`).
        match same_checkout {
            Some(other) => Some(other),
            None => replaced::live_replacement(c, &order.id)?,
        }
    } else {
        None
    };
    if let Some(other) = &also_authorized {
        // Stored with the notification: the server releases this authorization (merchant/duplicates.rs),
        // also after a crash, since the buyer was told about the other order.
        c.prepare_cached(
            "INSERT OR IGNORE INTO duplicate_authorizations (order_id, other_order_id, state, detected_at, updated_at)
             VALUES (?1, ?2, 'pending', ?3, ?3)",
        )?
        .execute(params![order.id, other, now()])?;
    }
    Ok(Applied::Moved(Move { order_id: order.id, workorder_id: order.workorder_id, from: order.state, to: next, also_authorized }))
}

/// The orders of checkout `workorder_id`, oldest first (on `c`, for a reader's snapshot).
pub(crate) fn orders_of_workorder(c: &Conn<'_>, workorder_id: &str) -> crate::store::db::Result<Vec<OrderRecord>> {
    let mut stmt = c.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE workorder_id = ?1 ORDER BY created_at, rowid"))?;
    let rows = stmt.query_map([workorder_id], from_row)?;
    rows.collect()
}

/// The order whose `column` (a fixed column name, never input) is `value`.
fn order_where(c: &Conn<'_>, column: &str, value: &str) -> crate::store::db::Result<Option<OrderRecord>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE {column} = ?1"))?.query_row([value], from_row).optional()
}

fn notifications_of(c: &Conn<'_>, txid: &str) -> crate::store::db::Result<Vec<TransactionStatus>> {
    let mut stmt = c.prepare_cached("SELECT body FROM notifications WHERE txid = ?1 ORDER BY id")?;
    let rows = stmt.query_map([txid], |r| r.get::<_, String>(0))?;
    rows.map(|body| body.map(|b| TransactionStatus::from_fields(serde_json::from_str(&b).unwrap_or_default()))).collect()
}

fn set_state(c: &Conn<'_>, id: &str, state: OrderState) -> crate::store::db::Result<()> {
    let before = current_state(c, id)?;
    c.prepare_cached("UPDATE orders SET state = ?2, updated_at = ?3 WHERE id = ?1")?.execute(params![id, state.as_str(), now()])?;
    state_event(c, id, before, state)
}

/// Moves order `id` to `abandoned` with `reason` only if it is still `from`, state and reason in one update,
/// then the move's event (which carries the reason); whether it moved.
fn give_up(c: &Conn<'_>, id: &str, from: OrderState, reason: AbandonReason) -> crate::store::db::Result<bool> {
    let sql = "UPDATE orders SET state = ?3, abandon_reason = ?4, updated_at = ?5 WHERE id = ?1 AND state = ?2";
    let moved = c.prepare_cached(sql)?.execute(params![id, from.as_str(), OrderState::Abandoned.as_str(), reason.as_str(), now()])?;
    if moved == 1 {
        crate::store::events::record(c, id, &crate::store::events::type_for_state(OrderState::Abandoned))?;
    }
    Ok(moved == 1)
}

/// The stored state text of order `id` (`None`: no such order).
fn current_state(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<String>> {
    c.prepare_cached("SELECT state FROM orders WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()
}

/// Writes the outbox event of a state change (none when the state stayed), in the caller's transaction.
fn state_event(c: &Conn<'_>, id: &str, before: Option<String>, after: OrderState) -> crate::store::db::Result<()> {
    match before {
        Some(before) if before != after.as_str() => crate::store::events::record(c, id, &crate::store::events::type_for_state(after)),
        _ => Ok(()),
    }
}

/// Serializes placements per checkout, so two tabs or many clicks cannot both reach PAYONE. Within one
/// instance an in-memory lock per key; on PostgreSQL also a lease in the database (`store/leases.rs`), so two
/// instances behind a balancer serialize the same way.
#[derive(Default, Clone)]
pub struct OrderLocks {
    locks: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
    shared: Option<Store>,
}

/// A held placement lock; released when dropped. On PostgreSQL its lease is renewed in the background while
/// the guard lives (`store/leases.rs`), so a live holder keeps it however long PAYONE takes, and a dead one
/// loses it within a lease's length.
pub struct OrderLockGuard {
    _local: tokio::sync::OwnedMutexGuard<()>,
    lease: Option<HeldLease>,
}

/// The database half of a held lock: the lease and the task that renews it.
struct HeldLease {
    store: Store,
    lease: crate::store::leases::Lease,
    renewer: tokio::task::JoinHandle<()>,
}

impl OrderLockGuard {
    /// Confirms the lock is still ours right now, by renewing its lease (PostgreSQL; always true on SQLite).
    ///
    /// Call it before the point of no return (storing the attempt, then calling PAYONE): a holder whose lease
    /// was lost (its renewals failed until it expired, and another instance took it over) must not go on as
    /// if it still excluded the others, so it answers [`crate::store::leases::LeaseBusy`] (a 409, "try again")
    /// instead. After a successful confirm the lease runs for a whole lease length, far longer than the store
    /// write that follows; from then on the stored `placing` attempt is what keeps a second placement out
    /// (a retry replays it), so recording PAYONE's answer afterwards is right even if a later renewal fails.
    pub async fn confirm(&self) -> Result<(), StoreError> {
        let Some(held) = &self.lease else { return Ok(()) };
        match held.store.renew_lease(&held.lease, crate::store::leases::LEASE).await? {
            true => Ok(()),
            false => Err(StoreError::Busy(crate::store::leases::LeaseBusy(held.lease.key.clone()))),
        }
    }
}

/// Renews `lease` every [`crate::store::leases::RENEW_EVERY`] until aborted (the guard's drop) or lost.
async fn renew(store: Store, lease: crate::store::leases::Lease) {
    use crate::store::leases::{LEASE, RENEW_EVERY};
    loop {
        tokio::time::sleep(RENEW_EVERY).await;
        match store.renew_lease(&lease, LEASE).await {
            Ok(true) => {}
            Ok(false) => {
                // Expired and taken over (or released): nothing of ours to keep; `confirm` tells the holder.
                tracing::warn!(key = %lease.key, "store: a placement lease was lost before its holder finished");
                return;
            }
            // Tried again at the next tick; three misses in a row and it expires, which `confirm` then sees.
            Err(err) => tracing::warn!(%err, key = %lease.key, "store: a placement lease was not renewed"),
        }
    }
}

impl Drop for OrderLockGuard {
    fn drop(&mut self) {
        if let Some(HeldLease { store, lease, renewer }) = self.lease.take() {
            renewer.abort();
            // Given back at once in the background; if that fails the lease expires on its own.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move {
                    if let Err(err) = store.release_lease(lease).await {
                        tracing::warn!(%err, "store: a placement lease was not released; it expires");
                    }
                });
            }
        }
    }
}

impl OrderLocks {
    /// Locks for `store`: shared through the database when it is PostgreSQL.
    pub fn for_store(store: &Store) -> OrderLocks {
        let shared = (store.dialect() == crate::store::db::Dialect::Postgres).then(|| store.clone());
        OrderLocks { locks: Arc::default(), shared }
    }

    /// The in-process lock for one key.
    pub fn for_workorder(&self, workorder_id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut map = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Forget locks nobody holds, so the map does not grow without bound.
        map.retain(|_, lock| Arc::strong_count(lock) > 1);
        map.entry(workorder_id.to_owned()).or_default().clone()
    }

    /// Waits for and takes the lock of `key` (a checkout, or a prefixed key); hold the guard for the whole
    /// placement.
    pub async fn lock(&self, key: &str) -> Result<OrderLockGuard, StoreError> {
        let local = self.for_workorder(key).lock_owned().await;
        let lease = match &self.shared {
            Some(store) => {
                let lease = store.lease(key).await?;
                let renewer = tokio::spawn(renew(store.clone(), lease.clone()));
                Some(HeldLease { store: store.clone(), lease, renewer })
            }
            None => None,
        };
        Ok(OrderLockGuard { _local: local, lease })
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
            provider: Provider::Payone,
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
        assert_eq!(next_state(Failed, &appointed), None, "a failed order stays failed");
        assert_eq!(next_state(Declined, &paid), None);
    }

    #[test]
    fn providers_word_wins_over_an_abandoned_order() {
        use OrderState::*;
        // Given up by this server (error URL, or the buyer never came back): what PAYONE says later is the truth.
        assert_eq!(next_state(Abandoned, &ts("txaction=appointed&transaction_status=completed")), Some(Approved), "money moved");
        assert_eq!(next_state(Abandoned, &ts("txaction=appointed&transaction_status=pending")), Some(Pending));
        assert_eq!(next_state(Abandoned, &ts("txaction=paid")), Some(Paid));
        assert_eq!(next_state(Abandoned, &ts("txaction=failed&reasoncode=982")), Some(Failed), "the decline's real reason");
        assert_eq!(next_state(Abandoned, &ts("txaction=cancelation")), None, "nothing was authorized to cancel");
        assert_eq!(failure_reason(&ts("txaction=failed&reasoncode=981")), Some(ErrorCode::SoftDecline));
        assert_eq!(failure_reason(&ts("txaction=failed&reasoncode=982")), Some(ErrorCode::HardDecline));
        assert_eq!(failure_reason(&ts("txaction=failed&reasoncode=923")), None, "not a decline");
        assert_eq!(failure_reason(&ts("txaction=failed")), None);
    }

    #[tokio::test]
    async fn idempotency_keys_are_unique() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_order(&order("O1", "k1")).await.unwrap();
        assert!(store.insert_order(&order("O2", "k1")).await.is_err());
        assert_eq!(store.order_by_key("k1").unwrap().unwrap().id, "O1");
    }

    #[tokio::test]
    async fn replayed_notifications_are_stored_once_and_reconciled() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut o = order("O1", "k1");
        o.txid = Some("123".into());
        o.state = OrderState::Redirected;
        store.insert_order(&o).await.unwrap();
        let n = ts("txid=123&txaction=appointed&transaction_status=pending&sequencenumber=0&key=secret");
        let moved = store.receive_notification(&n).await.unwrap();
        assert!(
            matches!(moved, Received::Fresh { applied: Ok(Applied::Moved(Move { from: OrderState::Redirected, to: OrderState::Pending, .. })) }),
            "{moved:?}"
        );
        assert!(matches!(store.receive_notification(&n).await.unwrap(), Received::Replay), "a replay is not stored again");
        // As if applying had been lost: the order is back where it was, and placement reconciles.
        store.set_order_state("O1", OrderState::Redirected).await.unwrap();
        assert!(matches!(store.receive_notification(&ts("txid=123&txaction=paid&sequencenumber=0")).await.unwrap(), Received::Fresh { .. }));
        assert_eq!(store.reconcile("123").await.unwrap(), Some(OrderState::Paid));
        assert_eq!(store.order("O1").unwrap().unwrap().state, OrderState::Paid);
        assert!(!format!("{:?}", store.notifications_for_txid("123").unwrap()).contains("secret"), "keys are not stored");
    }

    #[tokio::test]
    async fn a_notification_is_answered_after_a_wal_fsync_and_other_writes_are_not() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_order(&order("O1", "k1")).await.unwrap();
        assert_eq!(store.wal_syncs(), 0, "orders and sessions answer after the commit, without an fsync");
        let n = ts("txid=9&txaction=appointed&transaction_status=completed&reference=O1&sequencenumber=0");
        store.receive_notification(&n).await.unwrap();
        assert_eq!(store.wal_syncs(), 1, "the answer came after the fsync");
        assert_eq!(store.order("O1").unwrap().unwrap().state, OrderState::Approved, "moved in the same transaction");
        assert!(matches!(store.receive_notification(&n).await.unwrap(), Received::Replay));
        assert_eq!(store.wal_syncs(), 2, "a replay is answered after an fsync too");
    }

    #[tokio::test]
    async fn a_notification_stays_stored_when_applying_it_fails() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut o = order("O1", "k1");
        o.txid = Some("7".into());
        store.insert_order(&o).await.unwrap();
        // A corrupt row: its state cannot be read back, so applying fails.
        store.write(|c| c.execute("UPDATE orders SET state = 'no-such-state'", []).map(drop)).await.unwrap();
        let received = store.receive_notification(&ts("txid=7&txaction=paid&sequencenumber=0")).await.unwrap();
        assert!(matches!(received, Received::Fresh { applied: Err(_) }), "{received:?}");
        assert_eq!(store.notifications_for_txid("7").unwrap().len(), 1);
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
        o.state = OrderState::Failed;
        o.decline = None;
        assert!(!o.allows_retry(), "failed after pending: the payment did not go through");
        o.decline = Some(ErrorCode::SoftDecline);
        assert!(o.allows_retry(), "failed with a soft decline: another instrument may do");
    }

    // The outbox (store/events.rs): written with the change it tells of.

    fn kinds(store: &Store, id: &str) -> Vec<String> {
        store.events_for_order(id).unwrap().into_iter().map(|e| e.kind).collect()
    }

    #[tokio::test]
    async fn every_state_change_writes_one_event_and_a_failed_write_writes_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        store.insert_order(&order("O1", "key-00001")).await.unwrap();
        store.set_order_state("O1", OrderState::Approved).await.unwrap();
        store.set_order_state("O1", OrderState::Approved).await.unwrap();
        store.set_order_state("O1", OrderState::Paid).await.unwrap();
        assert_eq!(kinds(&store, "O1"), ["order.placed", "order.approved", "order.paid"], "no event when the state stays");
        let events = store.events_for_order("O1").unwrap();
        let body: serde_json::Value = serde_json::from_str(&events[1].body).unwrap();
        assert_eq!((body["type"].as_str(), body["sequence"].as_i64()), (Some("order.approved"), Some(2)));
        assert_eq!(body["order"]["state"], "approved", "the order as the change left it");
        // A refused insert (the key is taken) rolls its event back with it.
        assert!(store.insert_order(&order("O2", "key-00001")).await.is_err());
        assert!(kinds(&store, "O2").is_empty());
        assert_eq!(store.last_event_seq().unwrap(), 3);
    }

    #[tokio::test]
    async fn a_new_url_starts_with_new_events_and_a_removed_one_gets_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let (a, b) = ("http://127.0.0.1:9/a".to_owned(), "http://127.0.0.1:9/b".to_owned());
        store.insert_order(&order("O1", "key-00001")).await.unwrap();
        assert_eq!(store.queue_deliveries(vec![a.clone()], 0).await.unwrap(), 0, "history is not sent to a new URL");
        store.set_order_state("O1", OrderState::Approved).await.unwrap();
        assert_eq!(store.queue_deliveries(vec![a.clone()], 0).await.unwrap(), 1);
        assert_eq!(store.queue_deliveries(vec![a.clone()], 0).await.unwrap(), 0, "queued once");
        let due = store.due_deliveries(std::slice::from_ref(&a), 0, 10).unwrap();
        assert_eq!(due.len(), 1);
        assert!(due[0].body.contains("order.approved"));
        assert!(store.due_deliveries(&[b], 0, 10).unwrap().is_empty(), "only configured URLs are sent to");
    }
}
