//! Operating the server (issue #22): readiness, graceful shutdown, request ids, JSON logs, Prometheus metrics
//! and `check-config`. Kept apart from the payment code; the rest of the crate records into
//! [`crate::telemetry`] and gets the layers from [`layers`].

pub mod check;
pub mod http_metrics;
pub mod logging;
pub mod metrics_server;
pub mod readiness;
pub mod request_id;
pub mod shutdown;

pub use crate::telemetry::{LogFormat, OpsArgs};

use crate::state::AppState;
use axum::Router;

/// `/readyz` (liveness stays `/healthz`).
pub const READYZ: &str = "/readyz";

/// The operator's layers around the whole application: request ids outermost (so every log line a request
/// causes carries its id), then the HTTP metrics (which read the matched route template).
pub fn layers(app: Router<AppState>, state: &AppState) -> Router<AppState> {
    app.layer(axum::middleware::from_fn(http_metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), request_id::assign))
}
