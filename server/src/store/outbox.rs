//! The webhook outbox as the merchant reads it (`GET /merchant/api/webhooks/deliveries`, the dashboard's
//! Webhooks page): per configured URL how many deliveries wait or were given up and when the next is tried,
//! and the deliveries in one state with their last attempt. Read only; `send-now` is what moves them.

use super::events::json_strings;
use crate::store::db::params;
use amazon_pay_contract::merchant::{OutboxDelivery, OutboxUrl, WebhookAttempt, WebhookOutbox};

/// Which deliveries to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutboxState {
    /// Waiting to be sent or retried.
    Pending,
    /// Given up after the last retry.
    Failed,
}

impl OutboxState {
    /// `pending`, `failed`: as stored and as the API takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Failed => "failed",
        }
    }

    /// The state named `text`, if it is one of these.
    pub fn parse(text: &str) -> Option<OutboxState> {
        [OutboxState::Pending, OutboxState::Failed].into_iter().find(|s| s.as_str() == text)
    }
}

impl super::Store {
    /// The outbox of `urls` (as configured): each URL's counts, shown without its secrets, then up to `limit`
    /// of the deliveries to `only` (one of `urls`, or all of them) in `state`, next due first.
    pub fn webhook_outbox(&self, urls: &[String], only: &[String], state: OutboxState, limit: usize) -> Result<WebhookOutbox, super::StoreError> {
        let all = serde_json::to_string(urls).unwrap_or_else(|_| "[]".to_owned());
        let chosen = serde_json::to_string(only).unwrap_or_else(|_| "[]".to_owned());
        let urls = urls.to_vec();
        self.read(move |c| {
            let sql = format!(
                "SELECT url, state, count(*), min(next_at_ms) FROM webhook_deliveries
                 WHERE state IN ('pending', 'failed') AND url IN {} GROUP BY url, state",
                json_strings(c, 1)
            );
            let counts: Vec<(String, String, i64, i64)> =
                c.prepare_cached(&sql)?.query_map([&all], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?.collect::<super::db::Result<_>>()?;
            let of = |url: &str, state: &str| counts.iter().find(|(u, s, _, _)| u == url && s == state).map(|(_, _, n, at)| (*n, *at));
            let summary = urls
                .iter()
                .map(|url| OutboxUrl {
                    url: crate::config::merchant::url_shown(url),
                    pending: of(url, "pending").map_or(0, |(n, _)| u64::try_from(n).unwrap_or(0)),
                    failed: of(url, "failed").map_or(0, |(n, _)| u64::try_from(n).unwrap_or(0)),
                    next_attempt_at_ms: of(url, "pending").map(|(_, at)| at),
                })
                .collect();
            // One more than asked for tells whether there are more.
            let sql = format!(
                "SELECT e.id, e.type, e.order_id, d.url, d.state, d.attempts, d.next_at_ms, a.at_ms, a.status, a.error, a.duration_ms
                 FROM webhook_deliveries d JOIN events e ON e.seq = d.event_seq
                 LEFT JOIN webhook_attempts a ON a.id = (SELECT max(id) FROM webhook_attempts WHERE event_seq = d.event_seq AND url = d.url)
                 WHERE d.state = ?1 AND d.url IN {} ORDER BY d.next_at_ms, d.event_seq LIMIT ?3",
                json_strings(c, 2)
            );
            let asked = i64::try_from(limit).unwrap_or(i64::MAX - 1) + 1;
            let mut data = c
                .prepare_cached(&sql)?
                .query_map(params![state.as_str(), chosen, asked], |r| {
                    let last = match r.get::<_, Option<i64>>(7)? {
                        Some(at_ms) => Some(WebhookAttempt { at_ms, status: r.get(8)?, error: r.get(9)?, duration_ms: r.get(10)? }),
                        None => None,
                    };
                    let url: String = r.get(3)?;
                    let state: String = r.get(4)?;
                    let next_at_ms: i64 = r.get(6)?;
                    Ok(OutboxDelivery {
                        event_id: r.get(0)?,
                        kind: r.get(1)?,
                        order_id: r.get(2)?,
                        url: crate::config::merchant::url_shown(&url),
                        next_attempt_at_ms: (state == "pending").then_some(next_at_ms),
                        state,
                        attempt_count: r.get(5)?,
                        last_attempt: last,
                    })
                })?
                .collect::<super::db::Result<Vec<_>>>()?;
            let has_more = data.len() > limit;
            data.truncate(limit);
            Ok(WebhookOutbox { urls: summary, data, has_more })
        })
    }
}
