//! Operating the server (issue #22): readiness, graceful shutdown, request ids, JSON logs, Prometheus metrics
//! and `check-config`. Kept apart from the payment code; the rest of the crate records into
//! [`crate::telemetry`] and gets wrapped by [`wrap`].

pub mod body_deadline;
pub mod check;
pub mod http_metrics;
pub mod listener;
pub mod logging;
pub mod metrics_server;
pub mod readiness;
pub mod request_id;
pub mod serve;
pub mod shutdown;
pub mod write_stall;

pub use crate::telemetry::{LogFormat, OpsArgs};

use crate::state::AppState;
use axum::Router;

/// `/readyz` (liveness stays `/healthz`).
pub const READYZ: &str = "/readyz";

/// The application with `/readyz` and the operator's layers: request ids outermost (so every log line a
/// request causes carries its id), then the HTTP metrics (which read the matched route template), then the
/// `408` for a body that ran out of time ([`body_deadline::replace`], inside both, so the request's log line
/// and the metrics count the answer the client got), then the drain's `Connection: close`
/// ([`shutdown::close_connections`]). `nosniff` goes on every answer, these layers' own (a 408, `/readyz`)
/// included ([`crate::security::nosniff_layer`]).
pub fn wrap(app: Router, state: &AppState) -> Router {
    app.route(READYZ, axum::routing::get(readiness::readyz).with_state(state.clone()))
        .layer(axum::middleware::from_fn_with_state(state.clone(), shutdown::close_connections))
        .layer(axum::middleware::from_fn(body_deadline::replace))
        .layer(axum::middleware::from_fn(http_metrics::track))
        .layer(axum::middleware::from_fn_with_state(state.clone(), request_id::assign))
        .layer(crate::security::nosniff_layer())
}
