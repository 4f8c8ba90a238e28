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
    let app = Router::new()
        .route("/metrics", get(scrape))
        .with_state(state)
        .layer(axum::middleware::from_fn(crate::ops::body_deadline::replace))
        .layer(crate::security::nosniff_layer());
    tokio::spawn(crate::ops::serve::serve(listener, app, timeouts, std::future::pending()));
}

async fn scrape(State(state): State<AppState>) -> Response {
    match read_figures(&state.store, &state.config.merchant.webhook_urls, || {}) {
        Ok(figures) => {
            crate::telemetry::metrics::set_orders(&figures.orders);
            crate::telemetry::metrics::set_oldest_placing(figures.oldest_placing.map_or(0, |at| crate::store::now() - at));
            match figures.outbox {
                (0, _) => crate::telemetry::metrics::set_outbox(0, 0),
                (pending, oldest) => crate::telemetry::metrics::set_outbox(pending, crate::store::now() - oldest),
            }
        }
        // The gauges keep their last figures; the scrape still answers (the counters are this process's own).
        Err(err) => tracing::warn!(%err, "metrics: cannot read the orders and the outbox"),
    }
    match crate::telemetry::metrics::encode() {
        Ok(text) => ([(header::CONTENT_TYPE, CONTENT_TYPE)], text).into_response(),
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "cannot encode the metrics").into_response(),
    }
}

/// What a scrape reads from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Figures {
    /// `(flow, state, count)` of every order.
    orders: Vec<(String, String, i64)>,
    /// When the oldest order still `placing` last moved (Unix seconds), if any is.
    oldest_placing: Option<i64>,
    /// Deliveries waiting and when the oldest one's event was written ([`crate::store::Store::outbox_backlog`]).
    outbox: (i64, i64),
}

/// The three figures in one snapshot: read one by one, an order that left `placing` (and the event it wrote)
/// between the reads was counted `placing` beside no oldest `placing` order (or the other way round), and
/// its event counted waiting beside counts from before it existed, so `OrdersStuckPlacing` and the
/// backlog alerts could judge figures of different moments. `between` runs after the counts are read (the tests'
/// seam for a write committed in between).
fn read_figures(store: &crate::store::Store, urls: &[String], between: impl FnOnce()) -> Result<Figures, crate::store::StoreError> {
    store.read_snapshot(|c| {
        let mut stmt = c.prepare_cached("SELECT flow, state, count(*) FROM orders GROUP BY flow, state")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let orders = rows.collect::<crate::store::db::Result<Vec<(String, String, i64)>>>()?;
        between();
        let oldest_placing = c.query_row("SELECT min(updated_at) FROM orders WHERE state = 'placing'", [], |r| r.get::<_, Option<i64>>(0))?;
        let outbox = crate::store::events::outbox_backlog(c, urls)?;
        Ok(Figures { orders, oldest_placing, outbox })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    /// A store with one order still `placing`; its id.
    async fn placing_order(store: &Store) -> String {
        let order =
            crate::orders::OrderRecord::placing(crate::orders::Provider::Payone, Some("WO1"), "cv2", "key-1", amazon_pay_contract::Money::eur(1290));
        store.insert_order(&order).await.unwrap();
        order.id
    }

    /// The figures are one snapshot: an order approved (with its event, queued for a receiver) between the counts'
    /// read and the others' is `placing` in all three, never counted `placing` beside no oldest `placing` order.
    async fn the_figures_are_one_snapshot(store: Store) {
        let id = placing_order(&store).await;
        let urls = vec!["http://127.0.0.1:9/hook".to_owned()];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        let (writer, runtime) = (store.clone(), tokio::runtime::Handle::current());
        let figures = tokio::task::spawn_blocking({
            let urls = urls.clone();
            move || {
                let between = || {
                    let id = id.clone();
                    runtime
                        .block_on(writer.write(move |c| {
                            c.execute("UPDATE orders SET state = 'approved' WHERE id = ?1", [&id])?;
                            crate::store::events::record(c, &id, "order.approved")
                        }))
                        .unwrap();
                    assert_eq!(runtime.block_on(writer.queue_deliveries(urls.clone(), 1_000)).unwrap(), 1);
                };
                read_figures(&store, &urls, between).unwrap()
            }
        })
        .await
        .unwrap();
        assert_eq!(figures.orders, [("cv2".to_owned(), "placing".to_owned(), 1)]);
        assert!(figures.oldest_placing.is_some(), "the placing order counted is the oldest placing one: {figures:?}");
        assert_eq!(figures.outbox.0, 0, "no delivery of an event the counts do not know yet: {figures:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_the_figures_are_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        the_figures_are_one_snapshot(Store::open(dir.path()).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_the_figures_are_one_snapshot() {
        let Some(store) = crate::store::test_postgres_store("metrics").await else { return };
        the_figures_are_one_snapshot(store).await;
    }
}
