//! The shutdown sequence after SIGTERM: not ready at once, stop accepting after the drain, give requests in
//! flight until the deadline. During the drain every answer closes its connection ([`close_connections`]), so
//! a balancer stops reusing its kept-alive connections to this instance while it still accepts: when the
//! listener closes, no idle connection is left for a request to race into (nginx does not resend a POST it
//! wrote to a connection the instance closed; the buyer or PAYONE would see a 502).

use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CONNECTION};
use axum::middleware::Next;
use axum::response::Response;

/// In-flight requests were still running when `--shutdown-timeout-ms` ran out.
#[derive(Debug, thiserror::Error)]
#[error("requests were still in flight when the shutdown deadline passed; they were cut off")]
pub struct DeadlinePassed;

/// How long the connections accepted last get to read their request before the graceful shutdown (ops/serve.rs) closes
/// every connection not in a request ([`crate::ops::listener`]).
const SETTLE: std::time::Duration = std::time::Duration::from_millis(250);

/// The shutdown sequence after `signal` (SIGTERM, Ctrl-C): `/readyz` answers 503 at once; after
/// `--shutdown-drain-ms` `close_listener` turns true (the listener serves what is queued and closes); a moment
/// later ([`SETTLE`]) the first future completes (the server tells the connections and waits for requests in flight);
/// the second completes `--shutdown-timeout-ms` after that, when the server stops waiting.
pub fn sequence(
    state: crate::state::AppState,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
    close_listener: tokio::sync::watch::Sender<bool>,
) -> (impl std::future::Future<Output = ()> + Send + 'static, impl std::future::Future<Output = ()> + Send + 'static) {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    let drain = std::time::Duration::from_millis(state.config.ops.shutdown_drain_ms);
    let timeout = std::time::Duration::from_millis(state.config.ops.shutdown_timeout_ms);
    let stop_accepting = async move {
        signal.await;
        state.lifecycle.begin_shutdown();
        tracing::info!(drain_ms = drain.as_millis() as u64, "shutdown: /readyz now answers 503");
        tokio::time::sleep(drain).await;
        let _ = close_listener.send(true);
        tokio::time::sleep(SETTLE).await;
        tracing::info!(timeout_ms = timeout.as_millis() as u64, "shutdown: no new connections; waiting for requests in flight");
        let _ = closed.send(());
    };
    let deadline = async move {
        match on_close.await {
            Ok(()) => tokio::time::sleep(timeout).await,
            // The server ended before shutting down: nothing to wait for.
            Err(_) => std::future::pending().await,
        }
    };
    (stop_accepting, deadline)
}

/// Adds `Connection: close` to every answer once shutdown has begun (hyper then closes the connection after it).
pub async fn close_connections(State(state): State<crate::state::AppState>, request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if state.lifecycle.is_shutting_down() {
        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
}
