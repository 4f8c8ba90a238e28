//! What the store keeps of Amazon Pay direct (tables in `store/schema.rs`, `AMAZON`): which Amazon checkout
//! session belongs to which of our checkouts, each order's session, charge permission and charge, refunds, and
//! each IPN message once.

use crate::store::db::{self, params, Conn, OptionalExtension};
use crate::store::personal::AmazonPersonal;
use crate::store::{now, Store, StoreError};

/// A refund's state as Amazon names it, when Amazon refused to pay it out.
pub const DECLINED: &str = "Declined";
/// The `order_payments.kind` of a refund Amazon declined after accepting it: its amount is no longer refunded.
pub const REFUND_FAILED: &str = "refund_failed";

/// Amazon's ids of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonOrder {
    /// Our order id.
    pub order_id: String,
    /// The checkout session it was placed on.
    pub checkout_session_id: String,
    /// Known once the session is completed.
    pub charge_permission_id: Option<String>,
    /// Known once the session is completed.
    pub charge_id: Option<String>,
}

/// Binding a checkout session to one of our checkouts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    /// Bound now, or bound to this session before.
    Ok,
    /// The checkout already has another session (a new button click): the newer one replaces it.
    Replaced,
    /// The session belongs to another checkout.
    OtherCheckout,
}

impl Store {
    /// Ties Amazon checkout session `session` to our checkout `workorder_id`. A checkout whose buyer clicked
    /// the button again gets the newer session; a session never moves to another checkout.
    pub async fn bind_amazon_session(&self, workorder_id: &str, session: &str) -> Result<Bound, StoreError> {
        let (workorder_id, session) = (workorder_id.to_owned(), session.to_owned());
        self.write(move |c| {
            let owner: Option<String> = c
                .prepare_cached("SELECT workorder_id FROM amazon_checkouts WHERE checkout_session_id = ?1")?
                .query_row([&session], |r| r.get(0))
                .optional()?;
            match owner {
                Some(owner) if owner == workorder_id => return Ok(Bound::Ok),
                Some(_) => return Ok(Bound::OtherCheckout),
                None => {}
            }
            let replaced = c
                .prepare_cached("UPDATE amazon_checkouts SET checkout_session_id = ?2, bound_at = ?3 WHERE workorder_id = ?1")?
                .execute(params![workorder_id, session, now()])?;
            if replaced > 0 {
                return Ok(Bound::Replaced);
            }
            c.prepare_cached("INSERT INTO amazon_checkouts (workorder_id, checkout_session_id, bound_at) VALUES (?1, ?2, ?3)")?.execute(params![
                workorder_id,
                session,
                now()
            ])?;
            Ok(Bound::Ok)
        })
        .await
    }

    /// The Amazon checkout session of our checkout, once the buyer came back with it.
    pub fn amazon_session_of(&self, workorder_id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT checkout_session_id FROM amazon_checkouts WHERE workorder_id = ?1")?
                .query_row([workorder_id], |r| r.get(0))
                .optional()
        })
    }

    /// Records that order `order_id` is placed on Amazon checkout session `session`, with the buyer and
    /// addresses the session gave while open (`personal`: Amazon gives them only then), once.
    pub async fn insert_amazon_order(&self, order_id: &str, session: &str, personal: &AmazonPersonal) -> Result<(), StoreError> {
        let (order_id, session) = (order_id.to_owned(), session.to_owned());
        let search = personal.search_text();
        // Nothing known is stored as nothing (`NULL`), not as an empty object.
        let kept = if personal.is_empty() { None } else { serde_json::to_string(personal).ok() };
        self.write(move |c| {
            c.prepare_cached(
                "INSERT OR IGNORE INTO amazon_orders (order_id, checkout_session_id, updated_at, personal, buyer_search)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![order_id, session, now(), kept, search])
            .map(drop)
        })
        .await
    }

    /// Stores the charge permission and charge Complete Checkout Session (or APB's return) created.
    pub async fn set_amazon_charge(&self, order_id: &str, charge_permission_id: Option<String>, charge_id: Option<String>) -> Result<(), StoreError> {
        let order_id = order_id.to_owned();
        self.write(move |c| {
            c.prepare_cached(
                "UPDATE amazon_orders SET charge_permission_id = coalesce(?2, charge_permission_id),
                 charge_id = coalesce(?3, charge_id), updated_at = ?4 WHERE order_id = ?1",
            )?
            .execute(params![order_id, charge_permission_id, charge_id, now()])
            .map(drop)
        })
        .await
    }

    /// Amazon's ids of order `order_id`, if it is an Amazon direct order.
    pub fn amazon_order(&self, order_id: &str) -> Result<Option<AmazonOrder>, StoreError> {
        self.read(|c| amazon_order_where(c, "order_id", order_id))
    }

    /// The order whose charge is `charge_id`.
    pub fn amazon_order_by_charge(&self, charge_id: &str) -> Result<Option<AmazonOrder>, StoreError> {
        self.read(|c| amazon_order_where(c, "charge_id", charge_id))
    }

    /// The order of charge permission `id` (an IPN about a charge permission names only it).
    pub fn amazon_order_by_charge_permission(&self, id: &str) -> Result<Option<AmazonOrder>, StoreError> {
        self.read(|c| amazon_order_where(c, "charge_permission_id", id))
    }

    /// Stores a refund Amazon accepted, or its new state.
    pub async fn upsert_amazon_refund(&self, refund_id: &str, order_id: &str, amount: i64, state: &str) -> Result<(), StoreError> {
        let (refund_id, order_id, state) = (refund_id.to_owned(), order_id.to_owned(), state.to_owned());
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO amazon_refunds (refund_id, order_id, amount_minor, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (refund_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )?
            .execute(params![refund_id, order_id, amount, state, now()])
            .map(drop)
        })
        .await
    }

    /// Stores refund `refund_id`'s new `state` (Get Refund's, after an IPN). A refund the merchant API made
    /// (its money recorded as refunded) that Amazon now says is `Declined` moved nothing: its amount is
    /// recorded back (`refund_failed`, event `order.refund_failed`) in the same write, once, however often
    /// Amazon says so. `true` when this call gave the amount back.
    pub async fn follow_amazon_refund(&self, refund_id: &str, order_id: &str, amount: i64, state: &str, reason: &str) -> Result<bool, StoreError> {
        let (refund_id, order_id, state, reason) = (refund_id.to_owned(), order_id.to_owned(), state.to_owned(), reason.to_owned());
        self.write(move |c| {
            let before: Option<(String, i64)> = c
                .prepare_cached("SELECT state, amount_minor FROM amazon_refunds WHERE refund_id = ?1")?
                .query_row([&refund_id], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            c.prepare_cached(
                "INSERT INTO amazon_refunds (refund_id, order_id, amount_minor, state, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (refund_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            )?
            .execute(params![refund_id, order_id, amount, state, now()])?;
            // Only a refund of ours (stored when Amazon accepted it) was counted as refunded.
            let Some((before, recorded)) = before else { return Ok(false) };
            if state != DECLINED || before == DECLINED {
                return Ok(false);
            }
            let sequence: i64 = c
                .prepare_cached("SELECT coalesce(max(sequencenumber), 0) + 1 FROM order_payments WHERE order_id = ?1")?
                .query_row([&order_id], |r| r.get(0))?;
            let why = format!("Amazon declined refund {refund_id}: {reason}");
            crate::store::payments::record(c, &order_id, REFUND_FAILED, recorded, sequence, Some(&why), "order.refund_failed")?;
            Ok(true)
        })
        .await
    }

    /// Records what Amazon captured of order `order_id`'s charge (`captured`, minor units) and the money
    /// recorded as captured does not yet count: Amazon captured with the authorization (`AuthorizeWithCapture`),
    /// or the merchant captured in Seller Central. A capture the merchant API made is recorded already, so
    /// nothing is counted twice. `true` when something was recorded (with event `order.captured`).
    pub async fn record_amazon_capture(&self, order_id: &str, captured: i64) -> Result<bool, StoreError> {
        let order_id = order_id.to_owned();
        self.write(move |c| {
            let (recorded, sequence): (i64, i64) = c
                .prepare_cached(
                    "SELECT coalesce(sum(CASE WHEN kind = 'capture' THEN amount_minor ELSE 0 END), 0),
                            coalesce(max(sequencenumber), 0) + 1
                     FROM order_payments WHERE order_id = ?1",
                )?
                .query_row([&order_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            if captured <= recorded {
                return Ok(false);
            }
            let why = "captured by Amazon Pay (with the authorization, or in Seller Central)";
            crate::store::payments::record(c, &order_id, "capture", captured - recorded, sequence, Some(why), "order.captured")?;
            Ok(true)
        })
        .await
    }

    /// Moves order `order_id` forward to what its `charge` says (after its capture is recorded:
    /// [`Store::record_amazon_capture`]), storing the change with its event; what happened, for the log.
    pub async fn move_amazon_order(&self, order_id: &str, charge: &amazon_pay_v2::models::Charge) -> Result<&'static str, StoreError> {
        use super::states::{advance, for_charge};
        let Some(mut order) = self.order(order_id)? else { return Ok("order gone") };
        let Some((to, decline)) = for_charge(charge) else { return Ok("charge state says nothing about the order") };
        let Some(next) = advance(order.state, to) else { return Ok("order already there") };
        order.state = next;
        if next == amazon_pay_contract::orders::OrderState::Declined {
            order.decline = decline;
        }
        self.finish_placing(&order).await?;
        Ok("order moved")
    }

    /// The order of refund `refund_id`.
    pub fn amazon_refund_order(&self, refund_id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| c.prepare_cached("SELECT order_id FROM amazon_refunds WHERE refund_id = ?1")?.query_row([refund_id], |r| r.get(0)).optional())
    }

    /// Whether IPN message `message_id` was handled before.
    pub fn amazon_notification_seen(&self, message_id: &str) -> Result<bool, StoreError> {
        self.read(|c| {
            c.prepare_cached("SELECT count(*) FROM amazon_notifications WHERE message_id = ?1")?
                .query_row([message_id], |r| r.get::<_, i64>(0))
                .map(|n| n > 0)
        })
    }

    /// Stores IPN message `message_id` once, synced before it is acknowledged; `false` for a replay.
    pub async fn record_amazon_notification(&self, message_id: &str, object_type: &str, object_id: &str, body: &str) -> Result<bool, StoreError> {
        let row = [message_id, object_type, object_id, body].map(str::to_owned);
        self.write_synced(move |c| {
            let [message_id, object_type, object_id, body] = row;
            let inserted = c
                .prepare_cached(
                    "INSERT OR IGNORE INTO amazon_notifications (message_id, object_type, object_id, body, received_at)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![message_id, object_type, object_id, body, now()])?;
            Ok(inserted > 0)
        })
        .await
    }
}

/// The field of a stored notification that holds what following it found (Get Charge's or Get Refund's state).
pub const FOLLOWED_STATE: &str = "FollowedState";

/// One stored IPN message about an order, for its timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderNotification {
    /// `CHARGE`, `REFUND` or `CHARGE_PERMISSION`.
    pub object_type: String,
    /// Amazon's id of the object.
    pub object_id: String,
    /// Amazon's `NotificationType` (`STATE_CHANGE`).
    pub notification_type: Option<String>,
    /// What following it found (`Captured`, `Declined (AmazonRejected)`).
    pub followed_state: Option<String>,
    /// When it was received (Unix seconds).
    pub received_at: i64,
}

/// Every IPN message about order `order_id`'s charge, charge permission or refunds, oldest first.
pub fn notifications_of_order(c: &Conn<'_>, order_id: &str) -> db::Result<Vec<OrderNotification>> {
    let mut stmt = c.prepare_cached(
        "SELECT n.object_type, n.object_id, n.body, n.received_at FROM amazon_notifications n
         WHERE (n.object_type = 'CHARGE' AND n.object_id IN (SELECT charge_id FROM amazon_orders WHERE order_id = ?1))
            OR (n.object_type = 'CHARGE_PERMISSION' AND n.object_id IN (SELECT charge_permission_id FROM amazon_orders WHERE order_id = ?1))
            OR (n.object_type = 'REFUND' AND n.object_id IN (SELECT refund_id FROM amazon_refunds WHERE order_id = ?1))
         ORDER BY n.received_at, n.message_id",
    )?;
    let rows = stmt.query_map([order_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (object_type, object_id, body, received_at) = row?;
        let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
        let text = |k: &str| body.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        out.push(OrderNotification {
            notification_type: text("NotificationType"),
            followed_state: text(FOLLOWED_STATE),
            object_type,
            object_id,
            received_at,
        });
    }
    Ok(out)
}

/// The Amazon order whose `column` (a fixed column name, never input) is `value`.
fn amazon_order_where(c: &Conn<'_>, column: &str, value: &str) -> db::Result<Option<AmazonOrder>> {
    c.prepare_cached(&format!("SELECT order_id, checkout_session_id, charge_permission_id, charge_id FROM amazon_orders WHERE {column} = ?1"))?
        .query_row([value], |r| {
            Ok(AmazonOrder { order_id: r.get(0)?, checkout_session_id: r.get(1)?, charge_permission_id: r.get(2)?, charge_id: r.get(3)? })
        })
        .optional()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_session_belongs_to_one_checkout_and_notifications_are_kept_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.bind_amazon_session("W1", "S1").await.unwrap(), Bound::Ok);
        assert_eq!(store.bind_amazon_session("W1", "S1").await.unwrap(), Bound::Ok, "again: the same");
        assert_eq!(store.bind_amazon_session("W2", "S1").await.unwrap(), Bound::OtherCheckout);
        assert_eq!(store.bind_amazon_session("W1", "S2").await.unwrap(), Bound::Replaced, "a new button click");
        assert_eq!(store.amazon_session_of("W1").unwrap().as_deref(), Some("S2"));
        store.insert_amazon_order("O1", "S2", &AmazonPersonal::default()).await.unwrap();
        store.set_amazon_charge("O1", Some("P1".into()), Some("C1".into())).await.unwrap();
        store.set_amazon_charge("O1", None, None).await.unwrap();
        let order = store.amazon_order_by_charge("C1").unwrap().unwrap();
        assert_eq!((order.order_id.as_str(), order.charge_permission_id.as_deref()), ("O1", Some("P1")));
        assert!(store.record_amazon_notification("M1", "CHARGE", "C1", "{}").await.unwrap());
        assert!(!store.record_amazon_notification("M1", "CHARGE", "C1", "{}").await.unwrap(), "a replay");
        store.upsert_amazon_refund("R1", "O1", 100, "RefundInitiated").await.unwrap();
        store.upsert_amazon_refund("R1", "O1", 100, "Refunded").await.unwrap();
        assert_eq!(store.amazon_refund_order("R1").unwrap().as_deref(), Some("O1"));
    }
}
