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

/// `service` (payone, checkoutchamp, amazon_profile, amazon), `action`, `outcome`.
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

/// `result` (accepted, refused), `reason` ([`NOTIFICATIONS`]).
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

/// `outcome` (hit, miss).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LookupLabels {
    outcome: String,
}

/// `outcome` (delivered, rejected, timeout, unreachable).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct AttemptLabels {
    outcome: String,
}

/// `event` (limited, refused, evicted).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KeyLimitLabels {
    event: String,
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
    webhook_attempts: Family<AttemptLabels, Counter>,
    token_owner_lookups: Family<LookupLabels, Counter>,
    merchant_key_limit: Family<KeyLimitLabels, Counter>,
    webhook_attempt_duration: Histogram,
    webhook_pending: Gauge,
    webhook_oldest_pending_age: Gauge,
    oldest_placing_age: Gauge,
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
            webhook_attempts: Family::default(),
            token_owner_lookups: Family::default(),
            merchant_key_limit: Family::default(),
            webhook_attempt_duration: latency(),
            webhook_pending: Gauge::default(),
            webhook_oldest_pending_age: Gauge::default(),
            oldest_placing_age: Gauge::default(),
            registry: Registry::default(),
        };
        registry.register("http_requests", "HTTP requests answered, by route template, method and status", m.http_requests.clone());
        registry.register("http_request_duration_seconds", "Time to answer an HTTP request", m.http_duration.clone());
        registry.register("upstream_calls", "Calls to PAYONE, CheckoutChamp and Amazon, by action and outcome", m.upstream_calls.clone());
        registry.register("upstream_call_duration_seconds", "Time an upstream took to answer (or fail)", m.upstream_duration.clone());
        registry.register("transaction_status_notifications", "PAYONE TransactionStatus notifications by result and reason", m.notifications.clone());
        registry.register("orders", "Orders in the store by flow and state (read at scrape time)", m.orders.clone());
        registry.register("store_write_duration_seconds", "Time from a store write's submission to its commit (and fsync)", m.store_writes.clone());
        registry.register("webhook_attempts", "Webhook delivery attempts by outcome (delivered: a 2xx answer)", m.webhook_attempts.clone());
        registry.register(
            "token_owner_lookups",
            "Order-status reads by whether the token's Amazon account was remembered (hit) or Amazon was asked (miss)",
            m.token_owner_lookups.clone(),
        );
        registry.register(
            "merchant_key_limit_events",
            "Merchant API wrong-key limit: an address reaching the limit (limited), a request refused for it (refused), an address forgotten because the table was full (evicted)",
            m.merchant_key_limit.clone(),
        );
        registry.register(
            "webhook_attempt_duration_seconds",
            "Time a webhook receiver took to answer (or the attempt to fail)",
            m.webhook_attempt_duration.clone(),
        );
        registry.register(
            "webhook_deliveries_pending",
            "Webhook deliveries waiting to be sent or retried (the outbox's depth, read at scrape time)",
            m.webhook_pending.clone(),
        );
        registry.register(
            "webhook_oldest_pending_age_seconds",
            "Age of the oldest event with a delivery still waiting, 0 when none waits (read at scrape time)",
            m.webhook_oldest_pending_age.clone(),
        );
        registry.register(
            "orders_oldest_placing_age_seconds",
            "Time since the oldest order still placing last changed, 0 when none is (read at scrape time); past the placing expiry the sweep did not close it",
            m.oldest_placing_age.clone(),
        );
        m.export_at_zero();
        Metrics { registry, ..m }
    })
}

/// The label sets of the counters the documented alerts select (docs/operations.md, "Alerts worth setting"),
/// each written by one call site below with one of these values.
const NOTIFICATIONS: [(&str, &str); 8] = [
    ("accepted", "stored"),
    ("refused", "wrong_key"),
    ("refused", "wrong_portal"),
    ("refused", "wrong_account"),
    ("refused", "missing_field"),
    ("refused", "wrong_mode"),
    ("refused", "sender_not_allowed"),
    ("refused", "not_stored"),
];
const KEY_LIMIT_EVENTS: [&str; 3] = ["limited", "refused", "evicted"];
const WEBHOOK_OUTCOMES: [&str; 4] = ["delivered", "rejected", "timeout", "unreachable"];
const LOOKUP_OUTCOMES: [&str; 2] = ["hit", "miss"];

impl Metrics {
    /// Exports each of those counters at 0 before its first event: Prometheus' `increase()` and `rate()` need a
    /// sample before the change, so a series born at 1 looks flat and an alert on its first event never fires.
    fn export_at_zero(&self) {
        for (result, reason) in NOTIFICATIONS {
            self.notifications.get_or_create(&NotificationLabels { result: result.to_owned(), reason: reason.to_owned() }).inc_by(0);
        }
        for event in KEY_LIMIT_EVENTS {
            self.merchant_key_limit.get_or_create(&KeyLimitLabels { event: event.to_owned() }).inc_by(0);
        }
        for outcome in WEBHOOK_OUTCOMES {
            self.webhook_attempts.get_or_create(&AttemptLabels { outcome: outcome.to_owned() }).inc_by(0);
        }
        for outcome in LOOKUP_OUTCOMES {
            self.token_owner_lookups.get_or_create(&LookupLabels { outcome: outcome.to_owned() }).inc_by(0);
        }
    }
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

/// One look-up of a token's Amazon account in the order-status read's memory (`checkoutchamp/token_owners.rs`).
pub fn token_owner_lookup(hit: bool) {
    let outcome = if hit { "hit" } else { "miss" };
    tracing::debug!(outcome, "token owner lookup");
    metrics().token_owner_lookups.get_or_create(&LookupLabels { outcome: outcome.to_owned() }).inc();
}

/// One event of the merchant API's wrong-key limit (`key_attempts.rs`): `limited`, `refused` or `evicted`.
pub fn merchant_key_limit(event: &str) {
    metrics().merchant_key_limit.get_or_create(&KeyLimitLabels { event: event.to_owned() }).inc();
}

/// One TransactionStatus notification: `result` accepted (a replay too) or refused, with a short `reason`.
pub fn notification(result: &str, reason: &str) {
    metrics().notifications.get_or_create(&NotificationLabels { result: result.to_owned(), reason: reason.to_owned() }).inc();
}

/// One store write, from submission to its answer.
pub fn store_write(durability: &str, elapsed: Duration) {
    metrics().store_writes.get_or_create(&WriteLabels { durability: durability.to_owned() }).observe(elapsed.as_secs_f64());
}

/// One webhook delivery attempt: `outcome` is delivered, rejected (a non-2xx answer), timeout or unreachable.
pub fn webhook_attempt(outcome: &str, elapsed: Duration) {
    let m = metrics();
    m.webhook_attempts.get_or_create(&AttemptLabels { outcome: outcome.to_owned() }).inc();
    m.webhook_attempt_duration.observe(elapsed.as_secs_f64());
}

/// The outbox as the store has it: deliveries waiting, and the age of the oldest waiting event in seconds.
pub fn set_outbox(pending: i64, oldest_age_seconds: i64) {
    let m = metrics();
    m.webhook_pending.set(pending);
    m.webhook_oldest_pending_age.set(oldest_age_seconds.max(0));
}

/// How long the oldest order still `placing` has been so, in seconds (0: none is).
pub fn set_oldest_placing(age_seconds: i64) {
    metrics().oldest_placing_age.set(age_seconds.max(0));
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

#[cfg(test)]
mod tests {
    /// An operator learns what `/metrics` exports from the table in docs/operations.md: every metric the
    /// registry encodes has a row there (counters under their `_total` sample name, as Prometheus shows them).
    #[test]
    fn every_exported_metric_has_a_row_in_the_operations_doc() {
        let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/operations.md")).expect("docs/operations.md reads");
        let text = super::encode().expect("the registry encodes");
        let mut missing = Vec::new();
        let mut seen = 0;
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("# TYPE ") else { continue };
            let mut parts = rest.split_whitespace();
            let (Some(name), Some(kind)) = (parts.next(), parts.next()) else { continue };
            seen += 1;
            let shown = if kind == "counter" { format!("{name}_total") } else { name.to_owned() };
            if !doc.contains(&format!("| `{shown}` |")) {
                missing.push(shown);
            }
        }
        assert!(seen >= 10, "the registry encoded its metrics: {text}");
        assert!(missing.is_empty(), "metrics without a row in docs/operations.md's table: {missing:?}");
    }
}
