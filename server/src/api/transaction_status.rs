//! `POST /payone/transaction-status`: PAYONE's TransactionStatus notifications.
//!
//! Verified (md5 key, portal id, sub-account id), committed to the store *before* answering exactly `TSOK`
//! (what a commit survives: [`crate::store::Store::open`]), a replay is a no-op, and the order's state moves
//! forward. Anything refused is answered without `TSOK`, so PAYONE retries a notification we could not store.

use crate::app::AppState;
use crate::orders::next_state;
use amazon_pay_contract::orders::OrderState;
use crate::payone::TransactionStatus;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use std::net::SocketAddr;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// PAYONE's notifications are small; anything bigger is not one.
pub const MAX_BODY: usize = 64 * 1024;

pub async fn receive(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, body: Bytes) -> Response {
    if !crate::payone::sender_range::allowed(&state.config.payone_notify_allowed_ips, peer.ip()) {
        tracing::warn!(%peer, "TransactionStatus from outside PAYONE_NOTIFY_ALLOWED_IPS refused");
        return (StatusCode::FORBIDDEN, "refused").into_response();
    }
    let ts = TransactionStatus::parse(&body);
    let payone = &state.config.payone;
    let mode = if state.config.mode == crate::config::Mode::Live { "live" } else { "test" };
    if let Err(rejection) = ts.verify(&payone.key, &payone.portal_id, &payone.aid).and_then(|()| ts.verify_mode(mode)) {
        tracing::warn!(%rejection, "TransactionStatus refused");
        return (StatusCode::FORBIDDEN, "refused").into_response();
    }
    let fresh = match state.store.insert_notification(&ts).await {
        Ok(fresh) => fresh,
        Err(err) => {
            tracing::error!(%err, "cannot store TransactionStatus; PAYONE will retry");
            return (StatusCode::SERVICE_UNAVAILABLE, "not stored").into_response();
        }
    };
    if fresh {
        if let Err(err) = apply(&state, &ts).await {
            // Stored: reconciliation on the next notification or placement will apply it.
            tracing::error!(%err, "TransactionStatus stored but not applied");
        }
    } else {
        tracing::info!(identity = %ts.identity(), "replayed TransactionStatus ignored");
    }
    "TSOK".into_response()
}

async fn apply(state: &AppState, ts: &TransactionStatus) -> Result<(), crate::store::StoreError> {
    let Some(txid) = ts.txid() else { return Ok(()) };
    let order = match state.store.order_by_txid(txid)? {
        Some(order) => Some(order),
        // Before PAYONE's answer to the placement is stored, the order is only known by its reference.
        None => ts.get("reference").map(|r| state.store.order(r)).transpose()?.flatten(),
    };
    let Some(order) = order else {
        tracing::info!(txid, "TransactionStatus for an unknown transaction stored");
        return Ok(());
    };
    if let Some(next) = next_state(order.state, ts) {
        tracing::info!(order = %order.id, from = order.state.as_str(), to = next.as_str(), "order moved by TransactionStatus");
        state.store.set_order_state(&order.id, next).await?;
        if order.state == OrderState::UpstreamFailed {
            // PAYONE authorized an attempt whose answer was lost; if the buyer placed again meanwhile, the
            // checkout now has two authorizations. Say so loudly: the merchant must void one.
            let others = state.store.orders_for_workorder(&order.workorder_id)?;
            if let Some(other) = others.iter().find(|o| o.id != order.id && !o.allows_retry() && o.state != OrderState::Declined) {
                tracing::error!(
                    order = %order.id, other = %other.id, workorder = %order.workorder_id,
                    "two authorizations for one checkout: an answer PAYONE gave was lost and the buyer placed again; void one"
                );
            }
        }
    }
    Ok(())
}
