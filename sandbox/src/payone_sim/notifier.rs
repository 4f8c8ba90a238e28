//! TransactionStatus notifications (reference §5): PAYONE POSTs an ISO-8859-1 form to the merchant's URL and
//! counts it delivered only when the answer is exactly `TSOK`.
//!
//! Delivery runs on one queue per `txid`, so notifications of one payment arrive in order and a later one waits
//! behind an unacknowledged one (§5.4). Retries follow [`SimTimings::notify_retry_delays`], PAYONE's
//! 12 tries in 48 hours compressed to minutes; when every try fails, the payment's later notifications are never
//! sent, as PAYONE does.

use payone_wire::latin1;
use payone_wire::sandbox_settings::SimTimings;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{mpsc, oneshot};

/// PAYONE's user agent for notifications.
pub(super) const USER_AGENT: &str = "PAYONE FinanceGate";
/// Notifications are always ISO-8859-1 (§5.1).
pub(super) const CONTENT_TYPE: &str = "application/x-www-form-urlencoded; charset=ISO-8859-1";

/// Where one notification stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Not attempted yet (it may be waiting behind an earlier notification for the same txid).
    Queued,
    /// Attempted without `TSOK`; more attempts follow.
    Retrying,
    /// Answered exactly `TSOK`.
    Delivered,
    /// Every attempt failed; the txid's later notifications are held back for good.
    GaveUp,
    /// Never sent, because an earlier notification for the same txid was never acknowledged.
    Blocked,
    /// No notification URL is configured, so nothing was sent.
    NoUrl,
}

/// One notification as sent, with its delivery status; what [`super::PayoneSimulator::notifications`] lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotificationRecord {
    /// Position in the log, from 0, in the order the simulator created them.
    pub id: usize,
    /// The txid.
    pub txid: String,
    /// The txaction.
    pub txaction: String,
    /// The transaction status.
    pub transaction_status: String,
    /// The notification's sequence number.
    pub sequencenumber: String,
    /// The form fields in the order sent; `key` is redacted (it is md5 of the portal key).
    pub fields: Vec<(String, String)>,
    /// The delivery.
    pub delivery: Delivery,
    /// The attempts.
    pub attempts: u32,
    /// What the last attempt got back (`HTTP 200: TSOK`, or the transport error), at most 200 characters.
    pub last_answer: Option<String>,
    /// Unix milliseconds when the notification was created and when it was acknowledged.
    pub queued_at_ms: u64,
    /// When it was acknowledged (ms since the Unix epoch), if it was.
    pub delivered_at_ms: Option<u64>,
}

impl NotificationRecord {
    /// The value of field `name` in the notification sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

struct Job {
    id: usize,
    body: String,
    first_attempt: oneshot::Sender<()>,
}

struct Inner {
    url: Option<String>,
    http: reqwest::Client,
    retry_delays: Vec<Duration>,
    attempt_timeout: Duration,
    log: Mutex<Vec<NotificationRecord>>,
    queues: Mutex<HashMap<String, mpsc::UnboundedSender<Job>>>,
}

/// Sends TransactionStatus notifications. Cheap to clone.
#[derive(Clone)]
pub(super) struct Notifier {
    inner: Arc<Inner>,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)).unwrap_or(0)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain data behind; carry on with it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn shorten(text: &str) -> String {
    text.chars().take(200).collect()
}

impl Notifier {
    pub(super) fn new(url: Option<String>, timings: &SimTimings) -> Self {
        let http = reqwest::Client::builder().user_agent(USER_AGENT).build().unwrap_or_default();
        Notifier {
            inner: Arc::new(Inner {
                url,
                http,
                retry_delays: timings.notify_retry_delays.clone(),
                attempt_timeout: timings.notify_attempt_timeout,
                log: Mutex::new(Vec::new()),
                queues: Mutex::new(HashMap::new()),
            }),
        }
    }

    pub(super) fn url(&self) -> Option<&str> {
        self.inner.url.as_deref()
    }

    /// Queues a notification behind the earlier ones of its `txid`. The receiver completes after the first
    /// delivery attempt, or at once when the notification will not be sent.
    pub(super) fn send(&self, fields: Vec<(String, String)>) -> oneshot::Receiver<()> {
        let field = |name: &str| fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
        let txid = field("txid");
        let body = latin1::encode_form(&fields);
        let redacted = fields.iter().map(|(k, v)| (k.clone(), if k == "key" { "<redacted>".to_owned() } else { v.clone() })).collect();
        let (first_attempt, done) = oneshot::channel();
        let id = {
            let mut log = lock(&self.inner.log);
            let id = log.len();
            log.push(NotificationRecord {
                id,
                txid: txid.clone(),
                txaction: field("txaction"),
                transaction_status: field("transaction_status"),
                sequencenumber: field("sequencenumber"),
                fields: redacted,
                delivery: Delivery::Queued,
                attempts: 0,
                last_answer: None,
                queued_at_ms: now_ms(),
                delivered_at_ms: None,
            });
            id
        };
        let job = Job { id, body, first_attempt };
        let mut queues = lock(&self.inner.queues);
        let job = match queues.get(&txid) {
            Some(queue) => match queue.send(job) {
                Ok(()) => return done,
                Err(mpsc::error::SendError(job)) => job,
            },
            None => job,
        };
        // The first notification for this txid (or its worker is gone): start a worker.
        match tokio::runtime::Handle::try_current() {
            Ok(runtime) => {
                let (queue, jobs) = mpsc::unbounded_channel();
                // The receiver was just created and is alive, so this cannot fail.
                let _ = queue.send(job);
                queues.insert(txid, queue);
                runtime.spawn(worker(self.inner.clone(), jobs));
            }
            Err(_) => {
                self.inner.update(job.id, |r| {
                    r.delivery = Delivery::GaveUp;
                    r.last_answer = Some("not sent: no async runtime".into());
                });
                let _ = job.first_attempt.send(());
            }
        }
        done
    }

    /// Every notification so far, oldest first.
    pub(super) fn log(&self) -> Vec<NotificationRecord> {
        lock(&self.inner.log).clone()
    }
}

/// Delivers one txid's notifications in order; after one is given up, the rest are blocked.
async fn worker(inner: Arc<Inner>, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut blocked = false;
    while let Some(job) = jobs.recv().await {
        if blocked {
            inner.update(job.id, |r| r.delivery = Delivery::Blocked);
            let _ = job.first_attempt.send(());
            continue;
        }
        blocked = !inner.deliver(job).await;
    }
}

impl Inner {
    fn update(&self, id: usize, change: impl FnOnce(&mut NotificationRecord)) {
        if let Some(record) = lock(&self.log).get_mut(id) {
            change(record);
        }
    }

    /// Tries until `TSOK` or the schedule ends; false when it gave up.
    async fn deliver(&self, job: Job) -> bool {
        let Some(url) = self.url.as_deref() else {
            self.update(job.id, |r| r.delivery = Delivery::NoUrl);
            let _ = job.first_attempt.send(());
            return true;
        };
        let mut first_attempt = Some(job.first_attempt);
        let tries = self.retry_delays.len() + 1;
        for attempt in 0..tries {
            if let Some(wait) = attempt.checked_sub(1).and_then(|i| self.retry_delays.get(i)) {
                tokio::time::sleep(*wait).await;
            }
            let (acknowledged, answer) = self.attempt(url, &job.body).await;
            let last = attempt + 1 == tries;
            self.update(job.id, |r| {
                r.attempts += 1;
                r.last_answer = Some(answer);
                r.delivery = match (acknowledged, last) {
                    (true, _) => Delivery::Delivered,
                    (false, false) => Delivery::Retrying,
                    (false, true) => Delivery::GaveUp,
                };
                if acknowledged {
                    r.delivered_at_ms = Some(now_ms());
                }
            });
            if let Some(signal) = first_attempt.take() {
                let _ = signal.send(());
            }
            if acknowledged {
                return true;
            }
        }
        tracing::warn!(id = job.id, "TransactionStatus notification given up after {tries} tries");
        false
    }

    /// One POST. Only a 2xx answer whose body is exactly `TSOK` counts.
    async fn attempt(&self, url: &str, body: &str) -> (bool, String) {
        let sent =
            self.http.post(url).timeout(self.attempt_timeout).header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE).body(body.to_owned()).send().await;
        match sent {
            Err(err) => (false, shorten(&format!("no answer: {err}"))),
            Ok(response) => {
                let status = response.status();
                match response.text().await {
                    Ok(text) => (status.is_success() && text == "TSOK", shorten(&format!("HTTP {}: {text}", status.as_u16()))),
                    Err(err) => (false, shorten(&format!("HTTP {}, unreadable body: {err}", status.as_u16()))),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_runtime_nothing_is_sent_and_nothing_hangs() {
        let notifier = Notifier::new(Some("http://127.0.0.1:9/".into()), &SimTimings::default());
        let mut done = notifier.send(vec![("key".into(), "abc".into()), ("txid".into(), "1".into())]);
        assert_eq!(done.try_recv(), Ok(()));
        let log = notifier.log();
        assert_eq!(log[0].delivery, Delivery::GaveUp);
        assert_eq!(log[0].get("key"), Some("<redacted>"));
    }
}
