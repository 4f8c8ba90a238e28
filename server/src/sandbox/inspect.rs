//! Sandbox-only windows into the order store, so testers (and the end-to-end tests) can see what the backend
//! stored and sent upstream. Served under `/sandbox/inspect/` in sandbox mode only; live mode refuses them.

use crate::app::AppState;
use crate::error::AppError;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize)]
pub struct UpstreamCall {
    pub service: String,
    pub action: String,
    pub outcome: String,
    /// The form sent, with secrets (keys, passwords, the buyer's token) already redacted.
    pub request: String,
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
        .route("/inspect/scenarios", get(scenarios))
}

/// `?after=N`: only the entries after the first `N`, so a poller (the harness) fetches what is new.
#[derive(Debug, Default, Deserialize)]
pub struct After {
    #[serde(default)]
    pub after: usize,
}

/// What a tester can choose from: the sandbox instruments (one per scenario) and buyers, and the pages this
/// server has (`/review.html`, …), so the harness offers only the flows that exist without probing for 404s.
#[derive(Debug, Serialize)]
pub struct Scenarios {
    pub instruments: &'static [crate::sandbox::scenario::Instrument],
    pub buyers: Vec<ScenarioBuyer>,
    pub pages: Vec<String>,
}

/// A sandbox buyer as the harness offers it (ids to pick on the fake Amazon pages).
#[derive(Debug, Serialize)]
pub struct ScenarioBuyer {
    pub id: &'static str,
    pub name: &'static str,
    pub addresses: Vec<&'static str>,
    /// What is special about the account (`noah`: no address, `lena`: no default payment method), or empty.
    pub note: &'static str,
}

/// `GET /sandbox/inspect/scenarios`: the scenario table as JSON (the README's table is the same list).
async fn scenarios(State(state): State<AppState>) -> Json<Scenarios> {
    let buyers = crate::sandbox::amazon::BUYERS
        .iter()
        .map(|b| ScenarioBuyer { id: b.id, name: b.name, addresses: b.addresses.iter().map(|a| a.id).collect(), note: b.note })
        .collect();
    let mut pages: Vec<String> = [&state.config.dist_dir, &state.config.static_dir]
        .into_iter()
        .filter_map(|dir| std::fs::read_dir(dir).ok())
        .flatten()
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .filter(|name| name.ends_with(".html"))
        .map(|name| format!("/{name}"))
        .collect();
    pages.sort();
    pages.dedup();
    Json(Scenarios { instruments: crate::sandbox::scenario::INSTRUMENTS, buyers, pages })
}

/// Every call the backend made to PAYONE or CheckoutChamp, oldest first (`?after=N` skips the first `N`).
async fn upstream_calls(State(state): State<AppState>, Query(q): Query<After>) -> Result<Json<Vec<UpstreamCall>>, AppError> {
    let calls = state.store.upstream_calls()?;
    let requests = state.store.upstream_call_requests()?;
    let all = calls.into_iter().zip(requests).skip(q.after);
    Ok(Json(all.map(|((service, action, outcome), request)| UpstreamCall { service, action, outcome, request }).collect()))
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

/// Every TransactionStatus notification the receiver stored: `(txid, txaction, transaction_status)`, oldest
/// first (`?after=N` skips the first `N`).
async fn notifications(State(state): State<AppState>, Query(q): Query<After>) -> Result<Json<Vec<(String, String, String)>>, AppError> {
    Ok(Json(state.store.notification_log()?.into_iter().skip(q.after).collect()))
}
