//! `--metrics-listen`: `/metrics` on an address of its own, so the metrics are never public by accident.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

/// OpenMetrics' media type.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Binds the metrics address, if one is configured; an error names the address.
pub async fn bind(state: &AppState) -> Result<Option<TcpListener>, (std::net::SocketAddr, std::io::Error)> {
    match state.config.ops.metrics_listen {
        Some(addr) => TcpListener::bind(addr).await.map(Some).map_err(|err| (addr, err)),
        None => Ok(None),
    }
}

/// Serves `/metrics` on `listener` until the runtime ends, with the main listener's time limits on slow clients
/// (`--header-read-timeout-ms` and the others, `ops/serve.rs`): `axum::serve` has none, so a client trickling its
/// headers held a connection (and a file descriptor) for as long as it liked.
pub fn spawn(listener: TcpListener, state: AppState) {
    let timeouts = crate::ops::serve::Timeouts::of(&state.config.ops);
    let app = Router::new().route("/metrics", get(scrape)).with_state(state).layer(axum::middleware::from_fn(crate::ops::body_deadline::replace));
    tokio::spawn(crate::ops::serve::serve(listener, app, timeouts, std::future::pending()));
}

async fn scrape(State(state): State<AppState>) -> Response {
    let rows = state.store.read(|c| {
        let mut stmt = c.prepare_cached("SELECT flow, state, count(*) FROM orders GROUP BY flow, state")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        rows.collect::<crate::store::db::Result<Vec<(String, String, i64)>>>()
    });
    match rows {
        Ok(rows) => crate::telemetry::metrics::set_orders(&rows),
        Err(err) => tracing::warn!(%err, "metrics: cannot count orders"),
    }
    let placing = state.store.read(|c| c.query_row("SELECT min(updated_at) FROM orders WHERE state = 'placing'", [], |r| r.get::<_, Option<i64>>(0)));
    match placing {
        Ok(oldest) => crate::telemetry::metrics::set_oldest_placing(oldest.map_or(0, |at| crate::store::now() - at)),
        Err(err) => tracing::warn!(%err, "metrics: cannot read the orders left placing"),
    }
    let outbox = state.store.outbox_backlog(&state.config.merchant.webhook_urls);
    match outbox {
        Ok((0, _)) => crate::telemetry::metrics::set_outbox(0, 0),
        Ok((pending, oldest)) => crate::telemetry::metrics::set_outbox(pending, crate::store::now() - oldest),
        Err(err) => tracing::warn!(%err, "metrics: cannot read the outbox"),
    }
    match crate::telemetry::metrics::encode() {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode the metrics").into_response(),
    }
}
