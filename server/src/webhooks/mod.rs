//! Delivers the outbox (`store/events.rs`) to the shop's webhook URLs: at least once, signed
//! ([`sign`]), retried with growing waits for days.
//!
//! The worker is one tokio task. Each round it queues new events for every URL, then sends what is due,
//! each delivery in a task of its own (at most [`MAX_IN_FLIGHT`] at once), and records every attempt (time,
//! HTTP status or error, duration). 2xx within the timeout is delivered; anything else is retried after the
//! next wait of the schedule, and given up after the last. A delivery is marked delivered only after the
//! receiver answered, so a crash before that sends it again on the next start.
//!
//! A round starts when a write of this process that recorded an event has committed (`Store::event_committed`),
//! or after the poll interval (retries that fell due, events of other instances). Finished deliveries older
//! than the retention are deleted in small batches, and events none refers to any more.

mod in_flight;
pub mod receiver;
pub mod sign;

use crate::config::merchant::MerchantConfig;
use crate::store::events::{Attempt, Due};
use crate::store::now_ms;
use crate::store::Store;
use in_flight::InFlight;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Deliveries sent at once.
pub const MAX_IN_FLIGHT: usize = 128;

/// Deliveries (and events) deleted per pruning write: small, so it never holds the writer long.
pub const PRUNE_BATCH: usize = 200;

/// Starts the worker when webhooks are configured (else only the task that abandons the deliveries to URLs no
/// longer configured). It runs until the runtime stops.
pub fn spawn(store: Store, config: &MerchantConfig) -> Option<tokio::task::JoinHandle<()>> {
    if !config.webhooks_enabled() {
        let (urls, grace) = (config.webhook_urls.clone(), config.webhook_removed_grace);
        return Some(tokio::spawn(async move {
            loop {
                abandon_removed(&store, &urls, grace).await;
                tokio::time::sleep(sweep_every(grace)).await;
            }
        }));
    }
    let secrets: Vec<Vec<u8>> = config.webhook_secrets().into_iter().map(|s| s.as_bytes().to_vec()).collect();
    let http = match reqwest::Client::builder().timeout(config.webhook_timeout).redirect(reqwest::redirect::Policy::none()).build() {
        Ok(http) => http,
        Err(err) => {
            tracing::error!(%err, "webhooks: cannot build the HTTP client; no webhooks will be sent");
            return None;
        }
    };
    log_waiting(&store, &config.webhook_urls);
    let worker = Worker {
        store,
        http,
        secrets: Arc::from(secrets),
        urls: config.webhook_urls.clone(),
        retries: Arc::from(config.webhook_retries.clone()),
        poll: config.webhook_poll,
        retention: config.webhook_retention,
        removed_grace: config.webhook_removed_grace,
        timeout: config.webhook_timeout,
        in_flight: InFlight::default(),
    };
    Some(tokio::spawn(worker.run()))
}

/// How far a claim pushes a delivery. Shared database: longer than an attempt can take, so no other instance
/// sends it meanwhile; if this one dies, another sends it after. SQLite has one instance, whose in-flight set
/// is enough: no lease, and after a crash everything pending is due at once, as before.
pub fn lease_ms(dialect: crate::store::db::Dialect, timeout: Duration) -> i64 {
    match dialect {
        crate::store::db::Dialect::Postgres => 2 * timeout.as_millis() as i64 + 30_000,
        crate::store::db::Dialect::Sqlite => 0,
    }
}

/// "Send now" (`Store::make_deliveries_due`) leaves alone what is due within this: twice the lease, so a
/// delivery another instance claimed (even one whose clock is some seconds ahead) is never made due while it
/// is on its way. On SQLite nothing: its one instance's in-flight set keeps a claimed delivery from going twice.
pub fn send_now_keep_ms(dialect: crate::store::db::Dialect, timeout: Duration) -> i64 {
    2 * lease_ms(dialect, timeout)
}

/// Makes the pending deliveries to `urls` due now (the merchant API's "send now"); the workers of every
/// instance send them at their next round (a poll: at most [`MerchantConfig::webhook_poll`] away).
pub async fn send_now(store: &Store, config: &MerchantConfig, urls: Vec<String>) -> Result<crate::store::events::SendNow, crate::store::StoreError> {
    let keep_ms = send_now_keep_ms(store.dialect(), config.webhook_timeout);
    let done = store.make_deliveries_due(urls, now_ms(), keep_ms).await?;
    tracing::info!(made_due = done.made_due, pending = done.pending, "webhooks: waiting deliveries made due now (send now)");
    Ok(done)
}

/// One INFO line at start: how many deliveries wait (after an outage or a restart the operator sees at once
/// whether the receivers have catching up to do, and can send them now: docs/webhooks.md).
fn log_waiting(store: &Store, urls: &[String]) {
    match store.outbox_backlog(urls) {
        Ok((waiting, oldest)) => {
            let oldest_age_s = if waiting > 0 { crate::store::now() - oldest } else { 0 };
            tracing::info!(waiting, oldest_age_s, "webhooks: deliveries waiting at start");
        }
        Err(err) => tracing::warn!(%err, "webhooks: cannot count the deliveries waiting at start"),
    }
}

#[derive(Clone)]
struct Worker {
    store: Store,
    http: reqwest::Client,
    /// The secret, and the second one during a rotation: each delivery carries a signature with each.
    secrets: Arc<[Vec<u8>]>,
    urls: Vec<String>,
    retries: Arc<[Duration]>,
    poll: Duration,
    retention: Duration,
    removed_grace: Duration,
    timeout: Duration,
    in_flight: InFlight,
}

impl Worker {
    async fn run(self) {
        let mut prune_at = Instant::now();
        let mut sweep_at = Instant::now();
        let mut outbox = OutboxHealth::default();
        loop {
            if Instant::now() >= sweep_at {
                abandon_removed(&self.store, &self.urls, self.removed_grace).await;
                sweep_at = Instant::now() + sweep_every(self.removed_grace);
            }
            match self.round().await {
                Ok(()) => {
                    if let Some(down) = outbox.recovered() {
                        tracing::info!(down_s = down.as_secs(), "webhooks: the outbox can be read again; deliveries go on");
                    }
                }
                Err(err) => {
                    if let Some(down) = outbox.failed(Instant::now()) {
                        tracing::error!(
                            %err,
                            down_s = down.as_secs(),
                            "webhooks: the outbox cannot be read (is the database reachable?); nothing is lost, trying again every second"
                        );
                    }
                }
            }
            if Instant::now() >= prune_at {
                prune_at = Instant::now() + self.prune().await;
            }
            // Woken by an event this process committed; the poll finds retries that fell due and events
            // other instances wrote (a shared PostgreSQL: no LISTEN/NOTIFY yet). While the store fails, once a
            // second: polling a database that is down every 50 ms only floods the log.
            let wait = if outbox.failing() { OutboxHealth::RETRY } else { self.poll };
            tokio::select! {
                () = self.store.event_committed() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// One batch of pruning (`Store::prune_webhooks`); how long until the next: at once while batches come
    /// back full, else a tenth of the retention, at most a minute.
    async fn prune(&self) -> Duration {
        let before_ms = now_ms().saturating_sub(self.retention.as_millis() as i64);
        let calm = (self.retention / 10).min(Duration::from_secs(60));
        match self.store.prune_webhooks(self.urls.clone(), before_ms, PRUNE_BATCH).await {
            Ok(pruned) => {
                if pruned.deliveries > 0 || pruned.events > 0 {
                    tracing::debug!(deliveries = pruned.deliveries, events = pruned.events, "webhooks: old deliveries pruned");
                }
                if pruned.deliveries == PRUNE_BATCH || pruned.events == PRUNE_BATCH {
                    Duration::ZERO
                } else {
                    calm
                }
            }
            Err(err) => {
                tracing::error!(%err, "webhooks: old deliveries cannot be pruned; trying again later");
                calm
            }
        }
    }

    /// Queues new events and starts every due delivery that is not already on its way.
    async fn round(&self) -> Result<(), crate::store::StoreError> {
        let now = now_ms();
        self.store.queue_deliveries(self.urls.clone(), now).await?;
        let free = self.in_flight.free();
        if free == 0 {
            return Ok(());
        }
        let lease_ms = lease_ms(self.store.dialect(), self.timeout);
        // Marked in flight inside the claiming write, which the attempts' records queue behind: a delivery whose
        // attempt is recorded after the claim read it is still in flight then, so it is not taken twice.
        let (in_flight, taken) = (self.in_flight.clone(), Arc::new(Mutex::new(Vec::new())));
        let marked = taken.clone();
        let claimed = self
            .store
            .claim_deliveries_taking(&self.urls, now, free, lease_ms, move |due| {
                let key = (due.event_seq, due.url.clone());
                let take = in_flight.take(key.clone());
                if take {
                    marked.lock().unwrap_or_else(|p| p.into_inner()).push(key);
                }
                take
            })
            .await;
        let claimed = match claimed {
            Ok(claimed) => claimed,
            Err(err) => {
                // Nothing was claimed: what the write marked is not on its way.
                self.in_flight.release(taken.lock().unwrap_or_else(|p| p.into_inner()).iter());
                return Err(err);
            }
        };
        for due in claimed {
            let key = (due.event_seq, due.url.clone());
            let worker = self.clone();
            tokio::spawn(async move {
                let attempt = worker.attempt(due).await;
                if let Err(err) = worker.store.record_attempts(vec![attempt]).await {
                    // Not recorded: the delivery stays pending and is sent again (at least once).
                    tracing::error!(%err, "webhooks: cannot record an attempt");
                }
                worker.in_flight.release([&key]);
            });
        }
        Ok(())
    }

    /// One POST of `due`'s event, and what to do next.
    async fn attempt(&self, due: Due) -> Attempt {
        let at_ms = now_ms();
        let started = Instant::now();
        let signature = sign::sign_all(&self.secrets, at_ms / 1000, due.body.as_bytes());
        let sent = self
            .http
            .post(&due.url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(reqwest::header::USER_AGENT, concat!("amazon-pay-server/", env!("CARGO_PKG_VERSION"), " webhooks"))
            .header(sign::HEADER, signature)
            .body(due.body.clone())
            .send()
            .await;
        let duration_ms = started.elapsed().as_millis() as i64;
        let (status, error, outcome) = match sent {
            Ok(response) if response.status().is_success() => (Some(response.status().as_u16()), None, "delivered"),
            Ok(response) => (Some(response.status().as_u16()), None, "rejected"),
            Err(err) if err.is_timeout() => (None, Some(format!("no answer within {} s", seconds(self.timeout))), "timeout"),
            Err(err) => (None, Some(format!("cannot reach the receiver: {}", without_url(&err))), "unreachable"),
        };
        crate::telemetry::metrics::webhook_attempt(outcome, started.elapsed());
        let delivered = outcome == "delivered";
        let retry_at_ms = match (delivered, self.retries.get(due.attempts as usize)) {
            (false, Some(wait)) => Some(now_ms() + wait.as_millis() as i64),
            _ => None,
        };
        if !delivered {
            let event = EventHead::of(&due.body);
            // As the merchant pages show it: two URLs that redact alike (two Slack webhooks) by their place too.
            let url = crate::config::merchant::url_shown_among(&due.url, &self.urls);
            let attempt = due.attempts + 1;
            match retry_at_ms {
                // When the next try is, so an operator whose receiver is back knows how long the event waits.
                Some(at) => tracing::info!(
                    event = %event.id,
                    event_type = %event.kind,
                    url = %url,
                    status = status.map(u64::from),
                    error = error.as_deref().unwrap_or(""),
                    retry = true,
                    attempt,
                    retry_in_s = ((at - now_ms()).max(0) / 100) as f64 / 10.0,
                    "webhook not delivered"
                ),
                // The last of the schedule: the shop never gets this event unless it reads the order itself.
                None => tracing::warn!(
                    event = %event.id,
                    event_type = %event.kind,
                    url = %url,
                    status = status.map(u64::from),
                    error = error.as_deref().unwrap_or(""),
                    retry = false,
                    attempt,
                    "webhook not delivered"
                ),
            }
        }
        Attempt { event_seq: due.event_seq, url: due.url, at_ms, status, error, duration_ms, retry_at_ms, delivered }
    }
}

/// Whether the outbox could be read in the last round, and when its failure was last logged: a store that is
/// down is logged when it starts failing, once a minute while it fails, and when it recovers.
#[derive(Default)]
struct OutboxHealth {
    /// Since when it fails, and when that was last logged.
    down: Option<(Instant, Instant)>,
}

impl OutboxHealth {
    /// The wait between rounds while the outbox cannot be read.
    const RETRY: Duration = Duration::from_secs(1);
    /// How often a lasting failure is logged again.
    const LOG_EVERY: Duration = Duration::from_secs(60);

    fn failing(&self) -> bool {
        self.down.is_some()
    }

    /// A round failed at `now`: how long the outbox has been failing, when this failure is to be logged.
    fn failed(&mut self, now: Instant) -> Option<Duration> {
        match &mut self.down {
            None => {
                self.down = Some((now, now));
                Some(Duration::ZERO)
            }
            Some((since, logged)) if now.duration_since(*logged) >= Self::LOG_EVERY => {
                *logged = now;
                Some(now.duration_since(*since))
            }
            Some(_) => None,
        }
    }

    /// A round succeeded: how long the outbox had been failing, if it had.
    fn recovered(&mut self) -> Option<Duration> {
        self.down.take().map(|(since, _)| since.elapsed())
    }
}

/// How often deliveries to removed URLs are looked for: at start, then a few times per `grace`, at most a minute apart.
fn sweep_every(grace: Duration) -> Duration {
    (grace / 4).clamp(Duration::from_millis(10), Duration::from_secs(60))
}

/// Abandons the deliveries to URLs not in `urls` (`Store::abandon_removed_receivers`); an error is logged and
/// the next sweep tries again.
async fn abandon_removed(store: &Store, urls: &[String], grace: Duration) {
    if let Err(err) = store.abandon_removed_receivers(urls.to_vec(), now_ms(), grace.as_millis() as i64).await {
        tracing::error!(%err, "webhooks: deliveries to removed URLs cannot be abandoned; trying again later");
    }
}

/// What a log line names an event by: its `id` (what the receiver and the merchant API show) and `type`.
#[derive(Default, serde::Deserialize)]
struct EventHead {
    #[serde(default)]
    id: String,
    #[serde(default, rename = "type")]
    kind: String,
}

impl EventHead {
    fn of(body: &str) -> EventHead {
        serde_json::from_str(body).unwrap_or_default()
    }
}

/// `d` in seconds as people write them: `10`, `0.3`.
fn seconds(d: Duration) -> String {
    let tenths = d.as_millis().div_ceil(100);
    if tenths % 10 == 0 {
        (tenths / 10).to_string()
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// reqwest's error text with its causes (its own says only "error sending request": the refused connection,
/// the name that did not resolve, the TLS failure are in its sources), without the URL (which may carry a
/// token in its query).
fn without_url(err: &reqwest::Error) -> String {
    let mut text = err.to_string();
    let mut cause = std::error::Error::source(err);
    while let Some(source) = cause {
        text = format!("{text}: {source}");
        cause = source.source();
    }
    if let Some(url) = err.url() {
        text = text.replace(url.as_str(), "<url>");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log's `webhook not delivered` said only "cannot reach the receiver: error sending request for url
    /// (<url>)" for a receiver that was down (walked): reqwest's own text leaves out why. Its causes are kept.
    #[tokio::test]
    async fn an_unreachable_receiver_is_logged_with_why_and_without_its_url() {
        // A port nothing listens on: bound, then closed.
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("binds").local_addr().expect("an address").port();
        let url = format!("http://127.0.0.1:{port}/hook?token=s3cr3t");
        let err = reqwest::Client::new().post(&url).send().await.expect_err("nothing listens");
        let text = without_url(&err);
        assert!(text.to_ascii_lowercase().contains("connection refused"), "{text}");
        assert!(!text.contains("s3cr3t") && !text.contains(&port.to_string()), "{text}");
    }

    #[test]
    fn a_store_that_is_down_is_logged_when_it_fails_once_a_minute_and_when_it_recovers() {
        let mut outbox = OutboxHealth::default();
        let start = Instant::now();
        assert!(!outbox.failing());
        assert_eq!(outbox.failed(start), Some(Duration::ZERO), "the first failure is logged");
        assert!(outbox.failing());
        for ms in [50, 100, 1_000, 59_999] {
            assert_eq!(outbox.failed(start + Duration::from_millis(ms)), None, "not again at {ms} ms");
        }
        assert_eq!(outbox.failed(start + Duration::from_secs(60)), Some(Duration::from_secs(60)), "again after a minute");
        assert_eq!(outbox.failed(start + Duration::from_secs(61)), None);
        assert!(outbox.recovered().is_some(), "the recovery is logged");
        assert!(!outbox.failing());
        assert_eq!(outbox.recovered(), None, "a round that was fine before says nothing");
    }

    /// Two receivers whose URLs differ only in a token (two Slack webhooks) were logged alike, so an operator
    /// could not tell which one refused; the line says the URL as the merchant pages do, with its place.
    #[tokio::test]
    async fn a_refused_delivery_is_logged_with_the_url_as_the_merchant_pages_show_it() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/services", listener.local_addr().unwrap());
        let refuses = axum::Router::new().fallback(|| async { axum::http::StatusCode::INTERNAL_SERVER_ERROR });
        tokio::spawn(async move { axum::serve(listener, refuses).await });
        let urls = vec![format!("{base}/T0A1B2C3D/Xk9mWq2LpZ7rTn4YbV6cHs1J"), format!("{base}/T9Z8Y7X6W/Qw3eRt5yUi7oPa9sDf2gHj4K")];
        let shown = crate::config::merchant::urls_shown(&urls);
        assert_eq!(crate::config::merchant::url_shown(&urls[0]), crate::config::merchant::url_shown(&urls[1]), "they redact alike");
        let dir = tempfile::tempdir().unwrap();
        let worker = Worker {
            store: Store::open(dir.path()).unwrap(),
            http: reqwest::Client::new(),
            secrets: Arc::from(vec![b"secret".to_vec()]),
            urls: urls.clone(),
            retries: Arc::from(vec![Duration::from_secs(60)]),
            poll: Duration::from_secs(1),
            retention: Duration::from_secs(3600),
            removed_grace: Duration::from_secs(3600),
            timeout: Duration::from_secs(5),
            in_flight: InFlight::default(),
        };
        let log = Captured::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt().json().flatten_event(true).with_writer(move || writer.clone()).finish();
        let _logging = tracing::subscriber::set_default(subscriber);
        for url in &urls {
            let body = r#"{"id":"evt_1","type":"order.approved","order":{"id":"O1"}}"#.to_owned();
            let attempt = worker.attempt(Due { event_seq: 1, url: url.clone(), attempts: 0, body }).await;
            assert!(!attempt.delivered);
        }
        let lines: Vec<serde_json::Value> = log.text().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let logged: Vec<&str> = lines.iter().filter(|l| l["message"] == "webhook not delivered").filter_map(|l| l["url"].as_str()).collect();
        assert_eq!(logged, [shown[0].as_str(), shown[1].as_str()], "{lines:?}");
        assert!(logged[1].ends_with(" (webhook URL 2)") && !logged[1].contains("Qw3eRt5y"), "{logged:?}");
    }

    /// Every byte a test's subscriber writes.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Captured {
        fn text(&self) -> String {
            String::from_utf8_lossy(&self.0.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
        }
    }

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_logged_event_is_named_by_its_id_and_type() {
        let head = EventHead::of(r#"{"id":"evt_abc","object":"event","type":"order.paid","order":{"id":"O1"}}"#);
        assert_eq!((head.id.as_str(), head.kind.as_str()), ("evt_abc", "order.paid"));
        assert_eq!(EventHead::of("not json").id, "");
    }
}
