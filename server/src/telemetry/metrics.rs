//! The process's Prometheus metrics, exposed by [`super::metrics_server`] in the OpenMetrics text format.
//!
//! Exposition by `prometheus-client`, the Prometheus organisation's own Rust client: typed label sets (a
//! label can't be misspelt at one call site), no global macros, and it writes the OpenMetrics format that
//! Prometheus and every compatible scraper read. The registry is one per process, as in Prometheus's other
//! clients: upstream clients and the store record here without carrying a handle.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use std::sync::OnceLock;
use std::time::Duration;

/// `route`, `method`, `status`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    route: String,
    method: String,
    status: String,
}

/// `route`, `method`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    route: String,
    method: String,
}

/// `service` (payone, checkoutchamp, amazon_profile), `action`, `outcome`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    service: String,
    action: String,
    outcome: String,
}

/// `service`, `action`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ActionLabels {
    service: String,
    action: String,
}

/// `result` (accepted, replay, refused), `reason`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct NotificationLabels {
    result: String,
    reason: String,
}

/// `flow`, `state`.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OrderLabels {
    flow: String,
    state: String,
}

/// `durability` (committed, synced).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct WriteLabels {
    durability: String,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

/// 1 ms to about 32 s: store writes are milliseconds, PAYONE's timeout is 45 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

/// Every metric, registered once.
pub struct Metrics {
    registry: Registry,
    http_requests: Family<HttpLabels, Counter>,
    http_duration: Histograms<RouteLabels>,
    upstream_calls: Family<UpstreamLabels, Counter>,
    upstream_duration: Histograms<ActionLabels>,
    notifications: Family<NotificationLabels, Counter>,
    orders: Family<OrderLabels, Gauge>,
    store_writes: Histograms<WriteLabels>,
}

fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(|| {
        let mut registry = Registry::with_prefix("amazon_pay");
        let m = Metrics {
            http_requests: Family::default(),
            http_duration: Family::new_with_constructor(latency as fn() -> Histogram),
            upstream_calls: Family::default(),
            upstream_duration: Family::new_with_constructor(latency as fn() -> Histogram),
            notifications: Family::default(),
            orders: Family::default(),
            store_writes: Family::new_with_constructor(latency as fn() -> Histogram),
            registry: Registry::default(),
        };
        registry.register("http_requests", "HTTP requests answered, by route template, method and status", m.http_requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", m.http_duration.clone());
        registry.register("upstream_calls", "Calls to PAYONE, CheckoutChamp and Amazon, by action and outcome", m.upstream_calls.clone());
        registry.register("upstream_call_duration_seconds", "Time an upstream took to answer (or fail)", m.upstream_duration.clone());
        registry.register("transaction_status_notifications", "PAYONE TransactionStatus notifications by result and reason", m.notifications.clone());
        registry.register("orders", "Orders in the store by flow and state (read at scrape time)", m.orders.clone());
        registry.register("store_write_duration_seconds", "Time from a store write's submission to its commit (and fsync)", m.store_writes.clone());
        Metrics { registry, ..m }
    })
}

/// One answered HTTP request.
pub fn http_request(route: String, method: String, status: u16, elapsed: Duration) {
    let m = metrics();
    m.http_requests.get_or_create(&HttpLabels { route: route.clone(), method: method.clone(), status: status.to_string() }).inc();
    m.http_duration.get_or_create(&RouteLabels { route, method }).observe(elapsed.as_secs_f64());
}

/// One upstream exchange (logged, counted, timed); `outcome` must be one of few values (a status word,
/// `error`), never a message.
pub fn upstream_call(service: &str, action: &str, outcome: &str, elapsed: Duration) {
    tracing::info!(service, action, outcome, ms = elapsed.as_millis() as u64, "upstream call");
    let m = metrics();
    let labels = UpstreamLabels { service: service.to_owned(), action: action.to_owned(), outcome: outcome.to_owned() };
    m.upstream_calls.get_or_create(&labels).inc();
    m.upstream_duration.get_or_create(&ActionLabels { service: service.to_owned(), action: action.to_owned() }).observe(elapsed.as_secs_f64());
}

/// One TransactionStatus notification: `result` accepted, replay or refused, with a short `reason`.
pub fn notification(result: &str, reason: &str) {
    metrics().notifications.get_or_create(&NotificationLabels { result: result.to_owned(), reason: reason.to_owned() }).inc();
}

/// One store write, from submission to its answer.
pub fn store_write(durability: &str, elapsed: Duration) {
    metrics().store_writes.get_or_create(&WriteLabels { durability: durability.to_owned() }).observe(elapsed.as_secs_f64());
}

/// Replaces the order counts with `(flow, state, count)` rows read from the store.
pub fn set_orders(rows: &[(String, String, i64)]) {
    let m = metrics();
    m.orders.clear();
    for (flow, state, count) in rows {
        m.orders.get_or_create(&OrderLabels { flow: flow.clone(), state: state.clone() }).set(*count);
    }
}

/// The OpenMetrics text of every metric.
pub fn encode() -> Result<String, std::fmt::Error> {
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &metrics().registry)?;
    Ok(text)
}
