//! Sandbox-only windows into the order store, so testers (and the end-to-end tests) can see what the backend
//! stored and sent upstream. Served under `/sandbox/inspect/` in sandbox mode only; live mode refuses them.

use crate::app::AppState;
use crate::error::AppError;
use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct UpstreamCall {
    pub service: String,
    pub action: String,
    pub outcome: String,
}

#[derive(Debug, Serialize)]
pub struct StoredOrder {
    pub id: String,
    pub workorder_id: String,
    pub state: &'static str,
    pub amount_minor: i64,
    pub txid: Option<String>,
    pub decline: Option<&'static str>,
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/inspect/upstream-calls", get(upstream_calls))
        .route("/inspect/workorders/{workorder_id}/orders", get(orders))
        .route("/inspect/notifications", get(notifications))
}

/// Every call the backend made to PAYONE or CheckoutChamp, oldest first.
async fn upstream_calls(State(state): State<AppState>) -> Result<Json<Vec<UpstreamCall>>, AppError> {
    let calls = state.store.upstream_calls()?;
    Ok(Json(calls.into_iter().map(|(service, action, outcome)| UpstreamCall { service, action, outcome }).collect()))
}

/// Every placement attempt of one checkout.
async fn orders(State(state): State<AppState>, Path(workorder_id): Path<String>) -> Result<Json<Vec<StoredOrder>>, AppError> {
    let orders = state.store.orders_for_workorder(&workorder_id)?;
    Ok(Json(
        orders
            .into_iter()
            .map(|o| StoredOrder {
                id: o.id,
                workorder_id: o.workorder_id,
                state: o.state.as_str(),
                amount_minor: o.amount.minor,
                txid: o.txid,
                decline: o.decline.map(|d| d.as_str()),
            })
            .collect(),
    ))
}

/// Every TransactionStatus notification the receiver stored: `(txid, txaction, transaction_status)`.
async fn notifications(State(state): State<AppState>) -> Result<Json<Vec<(String, String, String)>>, AppError> {
    Ok(Json(state.store.notification_log()?))
}
