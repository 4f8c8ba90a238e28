//! `POST /payone/transaction-status`: PAYONE's TransactionStatus notifications.
//!
//! Verified (md5 key, portal id, sub-account id), stored with the order move it causes and on disk (committed
//! and the WAL fsynced, [`crate::store::Store::receive_notification`]) *before* answering exactly `TSOK`: PAYONE
//! never sends an acknowledged notification again, so a power cut right after `TSOK` must not undo it. A
//! replay is a no-op, and the order's state moves forward. Anything refused or not stored (or not synced) is
//! answered without `TSOK`, so PAYONE retries it.

use crate::orders::{Applied, Received};
use crate::payone::TransactionStatus;
use crate::state::AppState;
use crate::store::StoreError;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// PAYONE's notifications are small; anything bigger is not one.
pub(super) const MAX_BODY: usize = 64 * 1024;

pub(super) async fn receive(State(state): State<AppState>, ConnectInfo(peer): ConnectInfo<SocketAddr>, headers: HeaderMap, body: Bytes) -> Response {
    // Behind a balancer the TCP peer is the balancer: the sender is what the trusted proxies say it is.
    let sender = crate::client_ip::client_ip(peer.ip(), &headers, &state.config.ops.trusted_proxies);
    if !crate::payone::sender_range::allowed(&state.config.payone_notify_allowed_ips, sender) {
        tracing::warn!(%peer, %sender, "TransactionStatus from outside PAYONE_NOTIFY_ALLOWED_IPS refused");
        crate::telemetry::metrics::notification("refused", "sender_not_allowed");
        return (StatusCode::FORBIDDEN, "refused").into_response();
    }
    let ts = TransactionStatus::parse(&body);
    let payone = &state.config.payone;
    let mode = if state.config.mode == crate::config::Mode::Live { "live" } else { "test" };
    if let Err(rejection) = ts.verify(&payone.key, &payone.portal_id, &payone.aid).and_then(|()| ts.verify_mode(mode)) {
        tracing::warn!(%rejection, "TransactionStatus refused");
        crate::telemetry::metrics::notification("refused", rejection.reason());
        return (StatusCode::FORBIDDEN, "refused").into_response();
    }
    match state.store.receive_notification(&ts).await {
        Ok(Received::Replay) => tracing::info!(identity = %ts.identity(), "replayed TransactionStatus ignored"),
        Ok(Received::Fresh { applied }) => {
            let moved = matches!(applied, Ok(Applied::Moved(_)));
            log_applied(&ts, applied);
            if moved {
                // A second authorization of one checkout, if this revealed one, is released now.
                tokio::spawn(crate::merchant::duplicates::release_pending(state.clone()));
            }
        }
        Err(err) => {
            tracing::error!(%err, "cannot store TransactionStatus; PAYONE will retry");
            crate::telemetry::metrics::notification("refused", "not_stored");
            return (StatusCode::SERVICE_UNAVAILABLE, "not stored").into_response();
        }
    }
    // Fresh or a replay: stored, and acknowledged.
    crate::telemetry::metrics::notification("accepted", "stored");
    "TSOK".into_response()
}

fn log_applied(ts: &TransactionStatus, applied: Result<Applied, StoreError>) {
    match applied {
        Ok(Applied::Moved(m)) => {
            tracing::info!(order = %m.order_id, from = m.from.as_str(), to = m.to.as_str(), "order moved by TransactionStatus");
            if let Some(other) = m.also_authorized {
                // PAYONE authorized an attempt whose answer was lost; the buyer placed again meanwhile.
                tracing::error!(
                    order = %m.order_id, %other, workorder = %m.workorder_id,
                    "two authorizations for one checkout: an answer PAYONE gave was lost and the buyer placed again; releasing this one"
                );
            }
        }
        Ok(Applied::Unchanged) => {}
        Ok(Applied::UnknownOrder) => tracing::info!(txid = ts.txid().unwrap_or_default(), "TransactionStatus for an unknown transaction stored"),
        // Stored: the placement's reconciliation applies it.
        Err(err) => tracing::error!(%err, "TransactionStatus stored but not applied"),
    }
}
