//! The outbox: one event per change of an order, written in the same transaction as the change, so a crash
//! between the change and its webhook loses nothing (the delivery worker, `crate::webhooks`, finds it on
//! the next start). Also the money moved through the merchant API, and the idempotency keys of its calls.
//! The tables are in `store/schema.rs` (`EVENTS`).

use super::order_view;
use crate::store::db::{params, Conn, OptionalExtension};
use serde_json::json;

/// The event type of an order entering `state` (`order.<state>`; a new order is `order.placed`).
pub fn type_for_state(state: amazon_pay_contract::orders::OrderState) -> String {
    use amazon_pay_contract::orders::OrderState;
    match state {
        OrderState::Placing => "order.placed".to_owned(),
        other => format!("order.{}", other.as_str()),
    }
}

fn new_event_id() -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..24).map(|_| CHARS[rng.random_range(0..CHARS.len())] as char).collect();
    format!("evt_{tail}")
}

thread_local! {
    /// Set by [`record`] on the thread running a write, read by `Store::write_with` to wake the webhook
    /// worker once that write has committed.
    static RECORDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether this thread recorded an event since the last call (and clears it).
pub(super) fn take_recorded() -> bool {
    RECORDED.with(|r| r.replace(false))
}

/// Writes event `kind` for `order_id` with the order as it stands in this transaction. Call it after the
/// change, on the connection that made it.
pub fn record(c: &Conn<'_>, order_id: &str, kind: &str) -> crate::store::db::Result<()> {
    let order = order_view::order_json(c, order_id)?.unwrap_or(serde_json::Value::Null);
    // Every change of an order writes an event: the list's `payment_status` filter follows it here, from the
    // money the event's order was just built with (CheckoutChamp's orders have none).
    if let Some(status) = order["payment_status"].as_str().and_then(amazon_pay_contract::merchant::PaymentStatus::parse) {
        super::payment_status::write(c, order_id, status)?;
    }
    let sequence: i64 =
        c.prepare_cached("SELECT coalesce(max(order_sequence), 0) + 1 FROM events WHERE order_id = ?1")?.query_row([order_id], |r| r.get(0))?;
    let id = new_event_id();
    let created = super::now();
    let body = json!({"id": id, "object": "event", "type": kind, "created": created, "sequence": sequence, "order": order}).to_string();
    c.prepare_cached("INSERT INTO events (id, type, order_id, order_sequence, created_at, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
        .execute(params![id, kind, order_id, sequence, created, body])?;
    RECORDED.with(|r| r.set(true));
    Ok(())
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Its place in the outbox (grows with every event).
    pub seq: i64,
    /// `evt_…`, what receivers deduplicate on.
    pub id: String,
    /// `order.placed`, `order.approved`, ...
    pub kind: String,
    /// The order it tells of.
    pub order_id: String,
    /// The JSON delivered, exactly as signed.
    pub body: String,
}

/// A delivery that is due: the event's body and where it goes.
#[derive(Debug, Clone)]
pub struct Due {
    /// The event's [`Event::seq`].
    pub event_seq: i64,
    /// Where it goes.
    pub url: String,
    /// Attempts made before this one.
    pub attempts: i64,
    /// The event's JSON.
    pub body: String,
}

/// The outcome of one attempt, as the worker records it.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The event's [`Event::seq`].
    pub event_seq: i64,
    /// Where it was sent.
    pub url: String,
    /// When it started, in Unix milliseconds.
    pub at_ms: i64,
    /// HTTP status, `None` when there was no answer.
    pub status: Option<u16>,
    /// Why there was no answer (no URL in it).
    pub error: Option<String>,
    /// From sending to the answer (or giving up).
    pub duration_ms: i64,
    /// When to try again; `None`: delivered, or given up when `delivered` is false.
    pub retry_at_ms: Option<i64>,
    /// Answered 2xx.
    pub delivered: bool,
}

/// What [`super::Store::make_deliveries_due`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendNow {
    /// Deliveries that waited for a later retry and are due now.
    pub made_due: usize,
    /// Deliveries still pending to the URLs asked for (due now, on their way, or due within the lease).
    pub pending: usize,
}

impl super::Store {
    /// Every event of `order_id`, oldest first.
    pub fn events_for_order(&self, order_id: &str) -> Result<Vec<Event>, super::StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT seq, id, type, order_id, body FROM events WHERE order_id = ?1 ORDER BY seq")?;
            let rows =
                stmt.query_map([order_id], |r| Ok(Event { seq: r.get(0)?, id: r.get(1)?, kind: r.get(2)?, order_id: r.get(3)?, body: r.get(4)? }))?;
            rows.collect()
        })
    }

    /// The newest event's number (0 when there is none).
    pub fn last_event_seq(&self) -> Result<i64, super::StoreError> {
        self.read(|c| c.query_row("SELECT coalesce(max(seq), 0) FROM events", [], |r| r.get(0)))
    }

    /// Queues a delivery to each of `urls` for every event not yet queued for it. A URL seen for the first
    /// time starts with the events written from now on (a new endpoint does not receive the whole history).
    pub async fn queue_deliveries(&self, urls: Vec<String>, now_ms: i64) -> Result<usize, super::StoreError> {
        // Most rounds find nothing new: a read decides, so they cost the writer nothing.
        let behind = self.read(|c| {
            let last: i64 = c.prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?.query_row([], |r| r.get(0))?;
            let mut stmt = c.prepare_cached("SELECT last_seq FROM webhook_cursors WHERE url = ?1")?;
            for url in &urls {
                match stmt.query_row([url], |r| r.get::<_, i64>(0)).optional()? {
                    Some(cursor) if cursor >= last => {}
                    _ => return Ok(true),
                }
            }
            Ok(false)
        })?;
        if !behind {
            return Ok(0);
        }
        self.write(move |c| {
            let mut queued = 0;
            for url in &urls {
                let cursor: Option<i64> =
                    c.prepare_cached("SELECT last_seq FROM webhook_cursors WHERE url = ?1")?.query_row([url], |r| r.get(0)).optional()?;
                let last: i64 = c.prepare_cached("SELECT coalesce(max(seq), 0) FROM events")?.query_row([], |r| r.get(0))?;
                let Some(cursor) = cursor else {
                    c.prepare_cached("INSERT INTO webhook_cursors (url, last_seq) VALUES (?1, ?2)")?.execute(params![url, last])?;
                    continue;
                };
                if last > cursor {
                    queued += c
                        .prepare_cached(
                            "INSERT OR IGNORE INTO webhook_deliveries (event_seq, url, state, attempts, next_at_ms)
                             SELECT seq, ?1, 'pending', 0, ?2 FROM events WHERE seq > ?3 AND seq <= ?4",
                        )?
                        .execute(params![url, now_ms, cursor, last])?;
                    c.prepare_cached("UPDATE webhook_cursors SET last_seq = ?2 WHERE url = ?1")?.execute(params![url, last])?;
                }
            }
            Ok(queued)
        })
        .await
    }

    /// Up to `limit` deliveries to `urls` due at `now_ms`, oldest event first. A URL no longer configured
    /// gets nothing more.
    pub fn due_deliveries(&self, urls: &[String], now_ms: i64, limit: usize) -> Result<Vec<Due>, super::StoreError> {
        let urls = serde_json::to_string(urls).unwrap_or_else(|_| "[]".to_owned());
        self.read(|c| due_in(c, now_ms, limit, &urls))
    }

    /// The outbox as the metrics show it: deliveries to `urls` waiting to be sent or retried, and when the oldest
    /// of their events was written (Unix seconds, 0 when none waits). A URL no longer configured is not waited
    /// for: its deliveries are never sent, and counting them kept `WebhooksBehind` firing after a URL changed.
    pub fn outbox_backlog(&self, urls: &[String]) -> Result<(i64, i64), super::StoreError> {
        self.read(|c| outbox_backlog(c, urls))
    }

    /// Claims up to `limit` deliveries to `urls` due at `now_ms` for this instance, oldest event first: each
    /// is pushed to `now_ms + lease_ms`, so no other instance takes it meanwhile, and recording its attempt
    /// ([`super::Store::record_attempts`]) sets when it is due next. An instance that dies mid-delivery leaves
    /// its claims to expire: another sends them then (at least once). On PostgreSQL every instance claims at
    /// once (`FOR UPDATE SKIP LOCKED`): none waits for another, none gets a delivery another claimed.
    pub async fn claim_deliveries(&self, urls: &[String], now_ms: i64, limit: usize, lease_ms: i64) -> Result<Vec<Due>, super::StoreError> {
        self.claim_deliveries_taking(urls, now_ms, limit, lease_ms, |_| true).await
    }

    /// [`Self::claim_deliveries`], keeping only the deliveries `take` accepts, decided inside the claiming write.
    /// The webhook worker marks them in flight there: its writes are serialized with the attempts' records, so a
    /// claim never returns a delivery whose attempt was recorded after the claim read it (on SQLite, without a
    /// lease, such a stale claim sent an event twice).
    pub async fn claim_deliveries_taking(
        &self,
        urls: &[String],
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
        take: impl Fn(&Due) -> bool + Send + 'static,
    ) -> Result<Vec<Due>, super::StoreError> {
        let urls = serde_json::to_string(urls).unwrap_or_else(|_| "[]".to_owned());
        self.write(move |c| {
            let until = now_ms + lease_ms;
            let mut due: Vec<Due> = match c.dialect() {
                super::db::Dialect::Sqlite => {
                    let due = due_in(c, now_ms, limit, &urls)?;
                    for d in &due {
                        c.prepare_cached("UPDATE webhook_deliveries SET next_at_ms = ?3 WHERE event_seq = ?1 AND url = ?2")?.execute(params![
                            d.event_seq,
                            d.url,
                            until
                        ])?;
                    }
                    due
                }
                super::db::Dialect::Postgres => c
                    .prepare_cached(
                        "/* parallel-safe */ UPDATE webhook_deliveries d SET next_at_ms = ?4
                         FROM (SELECT event_seq, url FROM webhook_deliveries
                               WHERE state = 'pending' AND next_at_ms <= ?1 AND url IN (SELECT json_array_elements_text(?3::json))
                               ORDER BY next_at_ms, event_seq LIMIT ?2 FOR UPDATE SKIP LOCKED) due, events e
                         WHERE d.event_seq = due.event_seq AND d.url = due.url AND e.seq = d.event_seq
                         RETURNING d.event_seq, d.url, d.attempts, e.body",
                    )?
                    .query_map(params![now_ms, limit as i64, urls, until], |r| {
                        Ok(Due { event_seq: r.get(0)?, url: r.get(1)?, attempts: r.get(2)?, body: r.get(3)? })
                    })?
                    .collect::<super::db::Result<Vec<_>>>()?,
            };
            due.sort_by_key(|d| d.event_seq);
            due.retain(|d| take(d));
            Ok(due)
        })
        .await
    }

    /// Makes every pending delivery to `urls` that is due later than `now_ms + keep_ms` due at `now_ms`
    /// (after a receiver's outage: "send now" instead of each waiting for its next retry). Deliveries due
    /// sooner are left as they are: among them those another instance has claimed (their lease pushed them
    /// at most a lease ahead), which must not be claimed a second time while on their way. Returns how many
    /// were made due, and how many deliveries to `urls` are pending in all. Idempotent: a second call finds
    /// them due already.
    pub async fn make_deliveries_due(&self, urls: Vec<String>, now_ms: i64, keep_ms: i64) -> Result<SendNow, super::StoreError> {
        let urls = serde_json::to_string(&urls).unwrap_or_else(|_| "[]".to_owned());
        self.write(move |c| {
            let sql = format!(
                "UPDATE webhook_deliveries SET next_at_ms = ?2 WHERE state = 'pending' AND next_at_ms > ?3 AND url IN {}",
                json_strings(c, 1)
            );
            let made_due = c.prepare_cached(&sql)?.execute(params![urls, now_ms, now_ms.saturating_add(keep_ms)])?;
            let sql = format!("SELECT count(*) FROM webhook_deliveries WHERE state = 'pending' AND url IN {}", json_strings(c, 1));
            let pending: i64 = c.prepare_cached(&sql)?.query_row(params![urls], |r| r.get(0))?;
            Ok(SendNow { made_due, pending: usize::try_from(pending).unwrap_or(0) })
        })
        .await
    }

    /// When the next pending delivery is due, if any.
    pub fn next_delivery_at(&self) -> Result<Option<i64>, super::StoreError> {
        self.read(|c| c.query_row("SELECT min(next_at_ms) FROM webhook_deliveries WHERE state = 'pending'", [], |r| r.get(0)))
    }

    /// Records attempts and moves their deliveries on (delivered, retried later, or given up), in one write.
    pub async fn record_attempts(&self, attempts: Vec<Attempt>) -> Result<(), super::StoreError> {
        self.write(move |c| {
            for a in &attempts {
                c.prepare_cached("INSERT INTO webhook_attempts (event_seq, url, at_ms, status, error, duration_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
                    .execute(params![a.event_seq, a.url, a.at_ms, a.status, a.error, a.duration_ms])?;
                let (state, next) = match (a.delivered, a.retry_at_ms) {
                    (true, _) => ("delivered", a.at_ms),
                    (false, Some(at)) => ("pending", at),
                    (false, None) => ("failed", a.at_ms),
                };
                // An attempt that was on its way when its URL was removed (another instance, `abandon_removed_receivers`)
                // leaves the delivery abandoned, unless the receiver took it: what it acknowledged is recorded.
                c.prepare_cached(
                    "UPDATE webhook_deliveries SET state = CASE WHEN state = 'abandoned' AND ?3 <> 'delivered' THEN 'abandoned' ELSE ?3 END,
                     attempts = attempts + 1, next_at_ms = ?4 WHERE event_seq = ?1 AND url = ?2",
                )?
                .execute(params![a.event_seq, a.url, state, next])?;
            }
            Ok(())
        })
        .await
    }

    /// The webhook deliveries of `order_id`'s events with every attempt, for the merchant API.
    pub fn deliveries_for_order(&self, order_id: &str) -> Result<Vec<serde_json::Value>, super::StoreError> {
        self.read_snapshot(|c| deliveries_of(c, order_id))
    }
}

/// [`super::Store::deliveries_for_order`] on the caller's connection (its read transaction, so the deliveries
/// agree with the order read beside them).
pub fn deliveries_of(c: &Conn<'_>, order_id: &str) -> crate::store::db::Result<Vec<serde_json::Value>> {
    let mut stmt = c.prepare(
        "SELECT e.seq, e.id, e.type, d.url, d.state, d.attempts, d.next_at_ms FROM events e JOIN webhook_deliveries d ON d.event_seq = e.seq
         WHERE e.order_id = ?1 ORDER BY e.seq, d.url",
    )?;
    let rows = stmt.query_map([order_id], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, i64>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, id, kind, url, state, count, next_at_ms) = row?;
        // When a waiting delivery goes next (a receiver back from an outage waits for it); only then.
        let next_attempt_at_ms = (state == "pending").then_some(next_at_ms);
        let mut attempts =
            c.prepare_cached("SELECT at_ms, status, error, duration_ms FROM webhook_attempts WHERE event_seq = ?1 AND url = ?2 ORDER BY id")?;
        let list = attempts
            .query_map(params![seq, url], |r| {
                Ok(json!({
                    "at_ms": r.get::<_, i64>(0)?,
                    "status": r.get::<_, Option<u16>>(1)?,
                    "error": r.get::<_, Option<String>>(2)?,
                    "duration_ms": r.get::<_, i64>(3)?,
                }))
            })?
            .collect::<crate::store::db::Result<Vec<_>>>()?;
        out.push(json!({
            "event_id": id, "type": kind, "url": url, "state": state, "attempt_count": count,
            "next_attempt_at_ms": next_attempt_at_ms, "attempts": list,
        }));
    }
    Ok(out)
}

/// What one pruning batch deleted ([`super::Store::prune_webhooks`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Finished deliveries (each with its attempts).
    pub deliveries: usize,
    /// Events with no delivery left.
    pub events: usize,
}

impl super::Store {
    /// Deletes up to `batch` deliveries finished (delivered, given up or abandoned) before `before_ms`, with their
    /// attempts, then up to `batch` events written before `before_ms` that no delivery refers to any more.
    /// An event is kept while any configured URL's cursor has not passed it (not yet queued there), while
    /// a delivery of it exists (pending: never deleted), when it is its order's newest (the next event's
    /// `sequence` counts on from it) or the newest of all (SQLite would hand its `seq` out again, and the
    /// cursors compare with it). Small batches keep each write short.
    pub async fn prune_webhooks(&self, urls: Vec<String>, before_ms: i64, batch: usize) -> Result<Pruned, super::StoreError> {
        self.write(move |c| {
            let finished = c
                .prepare_cached(
                    "SELECT event_seq, url FROM webhook_deliveries WHERE state IN ('delivered', 'failed', 'abandoned') AND next_at_ms < ?1
                     ORDER BY next_at_ms, event_seq LIMIT ?2",
                )?
                .query_map(params![before_ms, batch as i64], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                .collect::<super::db::Result<Vec<_>>>()?;
            for (seq, url) in &finished {
                c.prepare_cached("DELETE FROM webhook_attempts WHERE event_seq = ?1 AND url = ?2")?.execute(params![seq, url])?;
                c.prepare_cached("DELETE FROM webhook_deliveries WHERE event_seq = ?1 AND url = ?2")?.execute(params![seq, url])?;
            }
            // The lowest cursor of the configured URLs; none (or one not started): no event is pruned.
            let mut passed: Option<i64> = None;
            for url in &urls {
                let cursor: Option<i64> =
                    c.prepare_cached("SELECT last_seq FROM webhook_cursors WHERE url = ?1")?.query_row([url], |r| r.get(0)).optional()?;
                let Some(cursor) = cursor else { return Ok(Pruned { deliveries: finished.len(), events: 0 }) };
                passed = Some(passed.map_or(cursor, |p: i64| p.min(cursor)));
            }
            let Some(passed) = passed else { return Ok(Pruned { deliveries: finished.len(), events: 0 }) };
            let events = c
                .prepare_cached(
                    "SELECT e.seq FROM events e
                     WHERE e.created_at < ?1 AND e.seq <= ?2 AND e.seq < (SELECT max(seq) FROM events)
                       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq)
                       AND e.order_sequence < (SELECT max(f.order_sequence) FROM events f WHERE f.order_id = e.order_id)
                     ORDER BY e.seq LIMIT ?3",
                )?
                .query_map(params![before_ms.div_euclid(1000), passed, batch as i64], |r| r.get::<_, i64>(0))?
                .collect::<super::db::Result<Vec<_>>>()?;
            for seq in &events {
                c.prepare_cached("DELETE FROM events WHERE seq = ?1")?.execute([*seq])?;
            }
            Ok(Pruned { deliveries: finished.len(), events: events.len() })
        })
        .await
    }
}

impl super::Store {
    /// Ends the deliveries to URLs that are not in `urls` (removed from the configuration): pending ones become
    /// `abandoned` (never sent, pruned like finished ones), and the URL's cursor is deleted, so a URL configured
    /// again later starts with the events written from then on instead of everything written meanwhile.
    /// Returns how many deliveries were abandoned.
    ///
    /// SQLite has one instance, whose configuration is `urls`: every other URL is removed. On PostgreSQL an
    /// instance still running with an older configuration (a rolling change) may still serve a URL this one does
    /// not know, so a URL counts as removed only once no instance has served it for `grace_ms`: its cursor is
    /// gone or has not moved past an event older than that (an instance serving it queues every event within a
    /// poll), or one of its pending deliveries has been due that long without being claimed.
    pub async fn abandon_removed_receivers(&self, urls: Vec<String>, now_ms: i64, grace_ms: i64) -> Result<usize, super::StoreError> {
        let configured = serde_json::to_string(&urls).unwrap_or_else(|_| "[]".to_owned());
        // Most runs find nothing: a read decides, so they cost the writer nothing.
        let others = self.read(|c| removed_urls(c, &configured))?;
        if others.is_empty() {
            return Ok(0);
        }
        self.write(move |c| {
            let mut abandoned = 0;
            for url in removed_urls(c, &configured)? {
                if c.dialect() == super::db::Dialect::Postgres && !unserved_for(c, &url, now_ms, grace_ms)? {
                    continue;
                }
                let ended = c
                    .prepare_cached("UPDATE webhook_deliveries SET state = 'abandoned', next_at_ms = ?2 WHERE url = ?1 AND state = 'pending'")?
                    .execute(params![url, now_ms])?;
                c.prepare_cached("DELETE FROM webhook_cursors WHERE url = ?1")?.execute([&url])?;
                if ended > 0 {
                    tracing::warn!(
                        url = %crate::config::merchant::url_shown(&url),
                        deliveries = ended,
                        "webhooks: deliveries to a URL no longer configured abandoned"
                    );
                }
                abandoned += ended;
            }
            Ok(abandoned)
        })
        .await
    }
}

/// URLs with a cursor or a pending delivery that are not in the JSON array `configured`.
fn removed_urls(c: &Conn<'_>, configured: &str) -> super::db::Result<Vec<String>> {
    let configured_urls = json_strings(c, 1);
    let sql = format!(
        "SELECT url FROM webhook_cursors WHERE url NOT IN {configured_urls}
         UNION SELECT url FROM webhook_deliveries WHERE state = 'pending' AND url NOT IN {configured_urls}"
    );
    c.prepare_cached(&sql)?.query_map([configured], |r| r.get::<_, String>(0))?.collect()
}

/// The strings of the JSON array bound as `?{param}`, as a subquery in the connection's dialect (the URLs of the
/// configuration, passed as one parameter: `url IN` that).
pub(super) fn json_strings(c: &Conn<'_>, param: u8) -> String {
    match c.dialect() {
        super::db::Dialect::Sqlite => format!("(SELECT value FROM json_each(?{param}))"),
        super::db::Dialect::Postgres => format!("(SELECT json_array_elements_text(?{param}::json))"),
    }
}

/// Whether no instance has served `url` for `grace_ms` (see [`super::Store::abandon_removed_receivers`]).
fn unserved_for(c: &Conn<'_>, url: &str, now_ms: i64, grace_ms: i64) -> super::db::Result<bool> {
    let before_ms = now_ms - grace_ms;
    let cursor: Option<i64> = c.prepare_cached("SELECT last_seq FROM webhook_cursors WHERE url = ?1")?.query_row([url], |r| r.get(0)).optional()?;
    let stale_cursor = match cursor {
        None => true,
        Some(last) => {
            c.prepare_cached("SELECT CASE WHEN EXISTS (SELECT 1 FROM events WHERE seq > ?1 AND created_at < ?2) THEN 1 ELSE 0 END")?
                .query_row(params![last, before_ms.div_euclid(1000)], |r| r.get::<_, i64>(0))?
                == 1
        }
    };
    if stale_cursor {
        return Ok(true);
    }
    let overdue = c
        .prepare_cached(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM webhook_deliveries WHERE url = ?1 AND state = 'pending' AND next_at_ms < ?2) THEN 1 ELSE 0 END",
        )?
        .query_row(params![url, before_ms], |r| r.get::<_, i64>(0))?;
    Ok(overdue == 1)
}

/// Pending deliveries due at `now_ms` to the URLs of the JSON array `urls`, oldest first, at most `limit`.
fn due_in(c: &Conn<'_>, now_ms: i64, limit: usize, urls: &str) -> super::db::Result<Vec<Due>> {
    let sql = format!(
        "SELECT d.event_seq, d.url, d.attempts, e.body FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
         WHERE d.state = 'pending' AND d.next_at_ms <= ?1 AND d.url IN {}
         ORDER BY d.next_at_ms, d.event_seq LIMIT ?2",
        json_strings(c, 3)
    );
    c.prepare_cached(&sql)?
        .query_map(params![now_ms, limit as i64, urls], |r| Ok(Due { event_seq: r.get(0)?, url: r.get(1)?, attempts: r.get(2)?, body: r.get(3)? }))?
        .collect()
}

/// [`Store::outbox_backlog`] on `c`, for a reader that needs it beside other figures in one snapshot (`/metrics`).
pub(crate) fn outbox_backlog(c: &Conn<'_>, urls: &[String]) -> crate::store::db::Result<(i64, i64)> {
    let urls = serde_json::to_string(urls).unwrap_or_else(|_| "[]".to_owned());
    let sql = format!(
        "SELECT count(*), coalesce(min(e.created_at), 0) FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
         WHERE d.state = 'pending' AND d.url IN {}",
        json_strings(c, 1)
    );
    c.prepare_cached(&sql)?.query_row(params![urls], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
}
