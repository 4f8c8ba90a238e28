//! An order as the merchant sees it (the merchant API's answer and every webhook event's `order`), read in
//! one go from the tables of every flow. Built on the connection of the caller, so an event written in a
//! write transaction carries the order exactly as that transaction leaves it.

use super::personal::Personal;
use crate::store::db::{Conn, DbError, OptionalExtension};
use amazon_pay_contract::orders::OrderState;
use serde_json::{json, Map, Value};

/// Which provider owns an order's money: PAYONE and Amazon Pay direct orders are captured, refunded and
/// released through this server; CheckoutChamp orders through the CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    /// Placed through PAYONE (CV2, APB, CV1).
    Payone,
    /// Imported into CheckoutChamp.
    CheckoutChamp,
    /// Placed with Amazon Pay direct (`--provider amazon`): captured, refunded and released through Amazon.
    AmazonDirect,
}

/// What the money actions need of a PAYONE order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Money {
    /// The order's state.
    pub state: OrderState,
    /// ISO code.
    pub currency: String,
    /// The order's total, in minor units (as every amount here).
    pub total: i64,
    /// The total while the order is approved or paid, else 0.
    pub authorized: i64,
    /// Captures through the merchant API.
    pub captured: i64,
    /// Refunds through the merchant API.
    pub refunded: i64,
    /// Released (cancelled) without capture.
    pub released: i64,
    /// PAYONE's transaction.
    pub txid: Option<String>,
    /// The last `sequencenumber` used on the transaction (0: the authorization).
    pub sequencenumber: i64,
}

impl Money {
    /// Authorized and neither captured nor released.
    pub fn capturable(&self) -> i64 {
        (self.authorized - self.captured - self.released).max(0)
    }

    /// Captured and not refunded.
    pub fn refundable(&self) -> i64 {
        (self.captured - self.refunded).max(0)
    }

    /// Where the money stands, as the merchant's list shows and filters it (`orders.payment_status`).
    pub fn status(&self) -> amazon_pay_contract::merchant::PaymentStatus {
        amazon_pay_contract::merchant::PaymentStatus::of(self.authorized, self.captured, self.refunded, self.released)
    }
}

/// The money of PAYONE order `id`, or `None` when there is no such order.
pub fn payone_money(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Money>> {
    let row = c
        .prepare_cached("SELECT state, currency, amount_minor, txid FROM orders WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?, r.get::<_, Option<String>>(3)?)))
        .optional()?;
    let Some((state, currency, total, txid)) = row else { return Ok(None) };
    let state = OrderState::parse(&state).ok_or_else(|| DbError::conversion(0, "unknown order state"))?;
    let sum = |kind: &str| -> crate::store::db::Result<i64> {
        c.prepare_cached("SELECT coalesce(sum(amount_minor), 0) FROM order_payments WHERE order_id = ?1 AND kind = ?2")?
            .query_row([id, kind], |r| r.get(0))
    };
    let ours: i64 =
        c.prepare_cached("SELECT coalesce(max(sequencenumber), 0) FROM order_payments WHERE order_id = ?1")?.query_row([id], |r| r.get(0))?;
    // PAYONE's own count, as its notifications tell it (a capture made in PAYONE's merchant interface too).
    let theirs = match &txid {
        Some(txid) => notifications(c, txid)?.iter().filter_map(|n| n["sequencenumber"].as_i64()).max().unwrap_or(0),
        None => 0,
    };
    let authorized = if matches!(state, OrderState::Approved | OrderState::Paid) { total } else { 0 };
    let at_authorization = match (&txid, authorized) {
        (Some(txid), 1..) => captured_at_authorization(&notifications(c, txid)?, &currency).min(authorized),
        _ => 0,
    };
    Ok(Some(Money {
        state,
        currency,
        total,
        authorized,
        captured: at_authorization + sum("capture")?,
        // A refund Amazon declined after accepting it gave nothing back (`amazon/records.rs`).
        refunded: sum("refund")? - sum("refund_failed")?,
        released: sum("release")?,
        txid,
        sequencenumber: ours.max(theirs),
    }))
}

/// What PAYONE captured with the authorization itself (`request=authorization`: Amazon's
/// AuthorizeWithCapture), as its `appointed` notification says: `receivable` is the amount the merchant is
/// owed, 0 after a preauthorization. Read per order, so orders placed before a change of
/// `--payone-authorization` keep their own truth.
fn captured_at_authorization(notes: &[Value], currency: &str) -> i64 {
    let Some(currency) = amazon_pay_contract::Currency::parse(currency) else { return 0 };
    notes
        .iter()
        .rev()
        .find(|n| n["txaction"] == "appointed" && n.get("transaction_status").is_none_or(|s| s == "completed"))
        .and_then(|n| n["receivable"].as_str())
        .and_then(|r| amazon_pay_contract::Money::parse_decimal(r, currency))
        .map_or(0, |m| m.minor.max(0))
}

/// Order `id` of any flow as JSON, or `None` when no flow has it.
pub fn order_json(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Value>> {
    if let Some(order) = payone_order(c, id)? {
        return Ok(Some(order));
    }
    checkoutchamp_order(c, id)
}

/// `orders.provider` of an Amazon Pay direct order.
const AMAZON: &str = "amazon";

/// Which provider owns order `id`: what the order stored when it was placed (`orders.provider`).
pub fn provider(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Provider>> {
    let stored: Option<String> = c.prepare_cached("SELECT provider FROM orders WHERE id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    if let Some(stored) = stored {
        // The names `--provider` takes (`config::amazon::Provider::as_str`), as the order stored them.
        return Ok(Some(match stored.as_str() {
            "payone" => Provider::Payone,
            AMAZON => Provider::AmazonDirect,
            _ => return Err(DbError::conversion(0, "unknown order provider")),
        }));
    }
    let crm: bool = c.prepare_cached("SELECT count(*) FROM checkoutchamp_orders WHERE order_id = ?1")?.query_row([id], |r| r.get::<_, i64>(0))? > 0;
    Ok(crm.then_some(Provider::CheckoutChamp))
}

/// The `amazon` object of an order: Amazon's ids as the order's own provider knows them. PAYONE: the CV1 order
/// reference, or the CV2 checkout session PAYONE's `getCheckoutSession` answered; Amazon Pay direct: the
/// checkout session it was placed on, and the charge permission (the id Seller Central shows) and charge
/// Amazon created when it was completed.
fn amazon_ids(c: &Conn<'_>, id: &str, workorder_id: &str, provider: &str) -> crate::store::db::Result<Value> {
    if provider == AMAZON {
        let ids: Option<(String, Option<String>, Option<String>)> = c
            .prepare_cached("SELECT checkout_session_id, charge_permission_id, charge_id FROM amazon_orders WHERE order_id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let (session, permission, charge) = match ids {
            Some((session, permission, charge)) => (Some(session), permission, charge),
            None => (None, None, None),
        };
        return Ok(json!({"order_reference_id": null, "checkout_session_id": session, "charge_permission_id": permission, "charge_id": charge}));
    }
    let reference: Option<String> =
        c.prepare_cached("SELECT amazon_reference_id FROM cv1_orders WHERE order_id = ?1")?.query_row([id], |r| r.get(0)).optional()?;
    // CV2: Amazon's checkout session (kept when the order was placed).
    let session: Option<String> = c
        .prepare_cached("SELECT checkout_session_id FROM amazon_checkout_sessions WHERE workorder_id = ?1")?
        .query_row([workorder_id], |r| r.get(0))
        .optional()?;
    Ok(json!({"order_reference_id": reference, "checkout_session_id": session, "charge_permission_id": null, "charge_id": null}))
}

/// The buyer and addresses an Amazon Pay direct order kept of its checkout session (`store/personal.rs`).
fn amazon_personal(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Personal> {
    let kept: Option<String> =
        c.prepare_cached("SELECT personal FROM amazon_orders WHERE order_id = ?1")?.query_row([id], |r| r.get(0)).optional()?.flatten();
    Ok(super::personal::from_kept_amazon(kept.as_deref()))
}

fn payone_order(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Value>> {
    let row = c
        .prepare_cached(
            "SELECT o.flow, o.state, o.workorder_id, o.txid, o.userid, o.decline, o.created_at, o.updated_at,
                    k.items_json, k.delivery, o.provider, o.abandon_reason
             FROM orders o LEFT JOIN checkouts k ON k.workorder_id = o.workorder_id WHERE o.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, i64>(6)?,
                r.get::<_, i64>(7)?,
                r.get::<_, Option<String>>(8)?,
                r.get::<_, Option<String>>(9)?,
                r.get::<_, String>(10)?,
                r.get::<_, Option<String>>(11)?,
            ))
        })
        .optional()?;
    let Some((flow, state, workorder_id, txid, userid, decline, created, updated, items, delivery, provider, abandon_reason)) = row else {
        return Ok(None);
    };
    // Only while abandoned: a late notification that moved the order on makes the reason history.
    let abandon_reason = abandon_reason.filter(|_| state == OrderState::Abandoned.as_str());
    let Some(money) = payone_money(c, id)? else { return Ok(None) };
    let notes = match &txid {
        Some(txid) => notifications(c, txid)?,
        None => Vec::new(),
    };
    let amazon = amazon_ids(c, id, &workorder_id, &provider)?;
    let mut payments = Vec::new();
    let mut stmt =
        c.prepare_cached("SELECT kind, amount_minor, sequencenumber, reason, created_at FROM order_payments WHERE order_id = ?1 ORDER BY id")?;
    let rows = stmt.query_map([id], |r| {
        Ok(json!({
            "kind": r.get::<_, String>(0)?,
            "amount": r.get::<_, i64>(1)?,
            "sequencenumber": r.get::<_, i64>(2)?,
            "reason": r.get::<_, Option<String>>(3)?,
            "created": r.get::<_, i64>(4)?,
        }))
    })?;
    for row in rows {
        payments.push(row?);
    }
    let personal = if provider == AMAZON { amazon_personal(c, id)? } else { Personal::from_payone(&notes) };
    Ok(Some(json!({
        "id": id,
        "object": "order",
        "provider": provider,
        "flow": flow,
        "state": state,
        "payment_status": money.status().as_str(),
        "created": created,
        "updated": updated,
        "currency": money.currency,
        "items": items.as_deref().and_then(|i| serde_json::from_str::<Value>(i).ok()).unwrap_or_else(|| json!([])),
        "delivery": delivery,
        "amounts": {
            "total": money.total,
            "authorized": money.authorized,
            "captured": money.captured,
            "refunded": money.refunded,
            "released": money.released,
            "remaining": money.capturable(),
            "refundable": money.refundable(),
        },
        "buyer": personal.buyer,
        "billing_address": personal.billing,
        "shipping_address": personal.shipping,
        "decline": decline,
        "abandon_reason": abandon_reason,
        "payone": {"workorder_id": workorder_id, "txid": txid, "userid": userid, "sequencenumber": money.sequencenumber},
        "amazon": amazon,
        "payments": payments,
        "notifications": notes.iter().map(|n| json!({
            "txaction": n["txaction"],
            "transaction_status": n["transaction_status"],
            "sequencenumber": n["sequencenumber"],
            "received": n["received"],
        })).collect::<Vec<_>>(),
    })))
}

fn checkoutchamp_order(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Value>> {
    c.prepare_cached(
        "SELECT amazon_order_id, buyer_user_id, recurring, status, total_minor, currency, created_at, updated_at
         FROM checkoutchamp_orders WHERE order_id = ?1",
    )?
    .query_row([id], |r| {
        let total: i64 = r.get(4)?;
        Ok(json!({
            "id": id,
            "object": "order",
            "provider": "checkoutchamp",
            "flow": "checkoutchamp",
            "state": r.get::<_, String>(3)?,
            "payment_status": null,
            "created": r.get::<_, i64>(6)?,
            "updated": r.get::<_, i64>(7)?,
            "currency": r.get::<_, String>(5)?,
            "items": [],
            "recurring": r.get::<_, i64>(2)? != 0,
            "amounts": {"total": total},
            "buyer": {"amazon_user_id": r.get::<_, String>(1)?},
            "amazon": {"order_reference_id": r.get::<_, String>(0)?},
            "money_actions": "owned by CheckoutChamp: capture, refund and cancel this order in the CRM",
        }))
    })
    .optional()
}

/// The stored notifications of `txid`, oldest first, as JSON objects of their fields (plus `received`).
pub fn notifications(c: &Conn<'_>, txid: &str) -> crate::store::db::Result<Vec<Value>> {
    let mut stmt = c.prepare_cached("SELECT body, received_at FROM notifications WHERE txid = ?1 ORDER BY id")?;
    let rows = stmt.query_map([txid], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (body, received) = row?;
        let pairs: Vec<(String, String)> = serde_json::from_str(&body).unwrap_or_default();
        let mut fields: Map<String, Value> = pairs.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
        if let Some(seq) = fields.get("sequencenumber").and_then(|v| v.as_str()).and_then(|s| s.trim().parse::<i64>().ok()) {
            fields.insert("sequencenumber".into(), seq.into());
        }
        fields.insert("received".into(), received.into());
        out.push(Value::Object(fields));
    }
    Ok(out)
}
