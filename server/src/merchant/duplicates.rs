//! No buyer is charged twice for one checkout. When PAYONE authorized an attempt whose answer was lost (the
//! order was given up as `upstream_failed`) and the buyer placed again meanwhile, the notification that
//! reveals the first authorization records it (`duplicate_authorizations`, in the transaction that stores
//! the notification: `orders.rs`). This releases that authorization through PAYONE, as the merchant API's
//! cancel does (a zero `capture` with `capturemode=completed`; with `--payone-authorization authorization`,
//! where the money was captured at once, a `debit` of the whole amount), and records the release with an
//! `order.released` event (a payment of kind `release`, or `refund` for a captured authorization). The buyer
//! keeps the order they were told about.
//!
//! It runs after every notification that moved an order and once at start, so a crash between the
//! notification and the release only delays the release.

use super::action::{record_payment, Action};
use super::money::payone_request;
use crate::payone::PayoneError;
use crate::state::AppState;
use crate::store::db::{params, Conn};
use crate::store::order_view;
use crate::store::{now, UpstreamCall};
use amazon_pay_contract::orders::OrderState;

/// Releases every recorded duplicate authorization that can be released now. An authorization that is
/// still pending waits for its next notification; one PAYONE refuses is marked failed (and logged loudly).
pub async fn release_pending(state: AppState) {
    let pending = state.store.read(|c| {
        c.prepare_cached("SELECT order_id, other_order_id FROM duplicate_authorizations WHERE state = 'pending' ORDER BY detected_at")?
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<crate::store::db::Result<Vec<_>>>()
    });
    let pending = match pending {
        Ok(pending) => pending,
        Err(err) => {
            tracing::error!(%err, "cannot read the duplicate authorizations");
            return;
        }
    };
    for (order_id, other) in pending {
        if let Err(err) = release(&state, &order_id, &other).await {
            tracing::error!(order = %order_id, %err, "cannot release a duplicate authorization yet");
        }
    }
}

async fn release(state: &AppState, order_id: &str, other: &str) -> Result<(), crate::store::StoreError> {
    let _order = state.order_locks.lock(&format!("merchant-order:{order_id}")).await?;
    // Read again under the lock: two runs (after two notifications) may both have listed it as pending, and
    // the one that waited must not mark a release the other made as "nothing to release".
    // One snapshot, as the merchant's money actions read the order (`money.rs`).
    let (pending, money) = state.store.read_snapshot({
        let id = order_id.to_owned();
        move |c| {
            let pending = c
                .prepare_cached("SELECT count(*) FROM duplicate_authorizations WHERE order_id = ?1 AND state = 'pending'")?
                .query_row([&id], |r| r.get::<_, i64>(0))?
                > 0;
            Ok((pending, order_view::payone_money(c, &id)?))
        }
    })?;
    let (true, Some(money)) = (pending, money) else { return Ok(()) };
    if !matches!(money.state, OrderState::Approved | OrderState::Paid) {
        // Pending at Amazon: released once authorized; failed or declined: nothing to release.
        if money.state.is_final() {
            mark(state, order_id, "nothing_to_release", Some(format!("the order ended {}", money.state.as_str()))).await?;
        }
        return Ok(());
    }
    let Some(txid) = money.txid.clone() else { return Ok(()) };
    // A preauthorization is released; an authorization was captured with it (PAYONE's `appointed` says so),
    // so it is refunded.
    let (action, amount) = if money.captured > 0 { (Action::Refund, money.refundable()) } else { (Action::Cancel, money.capturable()) };
    if amount == 0 {
        return mark(state, order_id, "nothing_to_release", Some("nothing authorized is left".into())).await;
    }
    let sequence = money.sequencenumber + 1;
    let request = payone_request(state, action, &money, &txid, amount, sequence);
    let result = state.payone.send(&request).await;
    let (answer, outcome) = match &result {
        Ok(r) => (r.to_body(), r.status().unwrap_or("?").to_owned()),
        Err(e) => (String::new(), e.to_string()),
    };
    let call = UpstreamCall::new("payone", "release-duplicate", &request.redacted(), &answer, &outcome);
    match result {
        Ok(_) => {
            tracing::warn!(order = %order_id, %other, txid, amount, "released a second authorization of one checkout");
            let (id, reason) = (order_id.to_owned(), format!("a second authorization of the checkout of order {other}"));
            state
                .store
                .record_upstream_call_then(call, move |c| {
                    record_payment(c, &id, action.kind(), amount, sequence, Some(&reason), "order.released")?;
                    set_state(c, &id, "released", None)
                })
                .await
        }
        Err(PayoneError::Declined { code, message, .. }) => {
            tracing::error!(order = %order_id, %other, code, detail = %message, "PAYONE refused to release a second authorization: release it by hand");
            let (id, detail) = (order_id.to_owned(), format!("PAYONE error {code}: {message}"));
            state.store.record_upstream_call_then(call, move |c| set_state(c, &id, "failed", Some(&detail))).await
        }
        Err(_) => {
            // No answer: tried again after the next notification or start (PAYONE refuses a repeated
            // sequencenumber if this one went through).
            state.store.record_upstream_call_then(call, |_| Ok(())).await
        }
    }
}

async fn mark(state: &AppState, order_id: &str, to: &'static str, detail: Option<String>) -> Result<(), crate::store::StoreError> {
    let id = order_id.to_owned();
    state.store.write(move |c| set_state(c, &id, to, detail.as_deref())).await
}

fn set_state(c: &Conn<'_>, id: &str, to: &str, detail: Option<&str>) -> crate::store::db::Result<()> {
    // Only from pending: every state after it is final.
    c.prepare_cached("UPDATE duplicate_authorizations SET state = ?2, detail = ?3, updated_at = ?4 WHERE order_id = ?1 AND state = 'pending'")?
        .execute(params![id, to, detail, now()])
        .map(drop)
}
