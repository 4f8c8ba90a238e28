//! Sandbox-only windows into the order store, so testers (and the end-to-end tests) can see what the backend
//! stored and sent upstream. Served under `/sandbox/inspect/` in sandbox mode only; live mode refuses them.
//! The store is the server's: it hands the sandbox an [`Inspector`], so this crate needs nothing from it.

use amazon_pay_contract::{ApiError, ErrorCode, Language};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// What the server lets the sandbox see of its order store and pages.
pub trait Inspector: Send + Sync + 'static {
    /// Every call the backend made to PAYONE or CheckoutChamp, oldest first.
    fn upstream_calls(&self) -> Result<Vec<UpstreamCall>, InspectError>;
    /// Every placement attempt of the checkout `workorder_id`.
    fn orders(&self, workorder_id: &str) -> Result<Vec<StoredOrder>, InspectError>;
    /// At most `limit` of the TransactionStatus notifications stored after the first `after`: `(txid,
    /// txaction, transaction_status, received_at_ms)`, oldest first (Unix milliseconds: the harness places
    /// each among the page's events by when it was received, not when it polled).
    fn notifications(&self, after: usize, limit: usize) -> Result<Vec<(String, String, String, i64)>, InspectError>;
    /// The pages this server has (`/review.html`, …), sorted, without duplicates.
    fn pages(&self) -> Vec<String>;
    /// Who carries this server's Checkout v2 and APB payments (`payone`, or `amazon` with `--provider
    /// amazon`), so the harness names the right one.
    fn provider(&self) -> &'static str;
}

/// The store could not be read; answered like the server's own internal errors.
#[derive(Debug, thiserror::Error)]
#[error("order store: {0}")]
pub struct InspectError(pub String);

impl IntoResponse for InspectError {
    fn into_response(self) -> Response {
        tracing::error!(detail = %self, "sandbox inspection failed");
        let body = ApiError {
            code: ErrorCode::Internal,
            message: ErrorCode::Internal.buyer_message(Language::default()).to_owned(),
            detail: Some(self.to_string()),
        };
        (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
    }
}

/// One upstream call as the store logged it.
#[derive(Debug, Serialize)]
pub struct UpstreamCall {
    /// `payone` or `checkoutchamp`.
    pub service: String,
    /// The request type (`preauthorization`, `order/import`, …).
    pub action: String,
    /// How it ended (`ok`, a decline, a timeout …).
    pub outcome: String,
    /// The form sent, with secrets (keys, passwords, the buyer's token) already redacted.
    pub request: String,
    /// When it was recorded, in Unix milliseconds (the harness orders its log by it).
    pub at_ms: i64,
}

/// One stored placement attempt.
#[derive(Debug, Serialize)]
pub struct StoredOrder {
    /// The order's id.
    pub id: String,
    /// The checkout it belongs to.
    pub workorder_id: String,
    /// The order's state (`pending`, `authorized`, …).
    pub state: &'static str,
    /// The amount in minor units.
    pub amount_minor: i64,
    /// PAYONE's transaction id, once known.
    pub txid: Option<String>,
    /// Why it was declined, if it was.
    pub decline: Option<&'static str>,
}

/// `?after=N`: only the entries after the first `N`, so a poller (the harness) fetches what is new.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct After {
    #[serde(default)]
    after: usize,
    /// At most this many (notifications only; a benchmark reads many of them page by page).
    #[serde(default)]
    limit: Option<usize>,
}

/// What a tester can choose from: the sandbox instruments (one per scenario) and buyers, and the pages this
/// server has (`/review.html`, …), so the harness offers only the flows that exist without probing for 404s.
#[derive(Debug, Serialize)]
pub(crate) struct Scenarios {
    instruments: &'static [crate::scenario::Instrument],
    buyers: Vec<ScenarioBuyer>,
    pages: Vec<String>,
    /// `payone` or `amazon`: who carries Checkout v2 and APB ([`Inspector::provider`]).
    provider: &'static str,
}

/// A sandbox buyer as the harness offers it (ids to pick on the fake Amazon pages).
#[derive(Debug, Serialize)]
pub(crate) struct ScenarioBuyer {
    id: &'static str,
    name: &'static str,
    addresses: Vec<&'static str>,
    /// What is special about the account (`noah`: no address, `lena`: no default payment method), or empty.
    note: &'static str,
}

/// `GET /sandbox/inspect/scenarios`: the scenario table as JSON (docs/sandbox.md's table is the same list).
pub(crate) async fn scenarios(State(inspector): State<Arc<dyn Inspector>>) -> Json<Scenarios> {
    let buyers = crate::amazon::BUYERS
        .iter()
        .map(|b| ScenarioBuyer { id: b.id, name: b.name, addresses: b.addresses.iter().map(|a| a.id).collect(), note: b.note })
        .collect();
    Json(Scenarios { instruments: crate::scenario::INSTRUMENTS, buyers, pages: inspector.pages(), provider: inspector.provider() })
}

/// Every call the backend made to PAYONE or CheckoutChamp, oldest first (`?after=N` skips the first `N`).
pub(crate) async fn upstream_calls(
    State(inspector): State<Arc<dyn Inspector>>,
    Query(q): Query<After>,
) -> Result<Json<Vec<UpstreamCall>>, InspectError> {
    Ok(Json(inspector.upstream_calls()?.into_iter().skip(q.after).collect()))
}

/// Every placement attempt of one checkout.
pub(crate) async fn orders(
    State(inspector): State<Arc<dyn Inspector>>,
    Path(workorder_id): Path<String>,
) -> Result<Json<Vec<StoredOrder>>, InspectError> {
    Ok(Json(inspector.orders(&workorder_id)?))
}

/// Every TransactionStatus notification the receiver stored, oldest first (`?after=N` skips the first `N`,
/// `?limit=M` answers at most `M`).
pub(crate) async fn notifications(
    State(inspector): State<Arc<dyn Inspector>>,
    Query(q): Query<After>,
) -> Result<Json<Vec<(String, String, String, i64)>>, InspectError> {
    Ok(Json(inspector.notifications(q.after, q.limit.unwrap_or(usize::MAX))?))
}
