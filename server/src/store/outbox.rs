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
        self.webhook_outbox_between(urls, only, state, limit, || {})
    }

    /// [`Store::webhook_outbox`], running `between` after the counts are read and before the list is: the test's
    /// seam for a write committed between the two statements.
    fn webhook_outbox_between(
        &self,
        urls: &[String],
        only: &[String],
        state: OutboxState,
        limit: usize,
        between: impl FnOnce(),
    ) -> Result<WebhookOutbox, super::StoreError> {
        let all = serde_json::to_string(urls).unwrap_or_else(|_| "[]".to_owned());
        let chosen = serde_json::to_string(only).unwrap_or_else(|_| "[]".to_owned());
        let urls = urls.to_vec();
        // Shown as the merchant API names them: two that differ only in a token are told apart by their place.
        let shown = crate::config::merchant::urls_shown(&urls);
        // One snapshot: a delivery sent between the two statements would otherwise be counted as waiting and
        // missing from the list ("Nothing waits" beside a count of 1).
        self.read_snapshot(move |c| {
            let shown_of = |url: &str| match urls.iter().position(|u| u == url) {
                Some(i) => shown[i].clone(),
                None => crate::config::merchant::url_shown(url),
            };
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
                    url: shown_of(url),
                    pending: of(url, "pending").map_or(0, |(n, _)| u64::try_from(n).unwrap_or(0)),
                    failed: of(url, "failed").map_or(0, |(n, _)| u64::try_from(n).unwrap_or(0)),
                    next_attempt_at_ms: of(url, "pending").map(|(_, at)| at),
                })
                .collect();
            between();
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
                        url: shown_of(&url),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::events::Attempt;
    use crate::store::Store;

    /// A store with one order whose delivery to `url` waits; a write that delivers it, to run in between.
    async fn one_waiting(store: &Store, url: &str) -> Attempt {
        let urls = vec![url.to_owned()];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        // An event of an order (its row does not matter to the outbox).
        store.write(|c| crate::store::events::record(c, "O1", "order.placed")).await.unwrap();
        assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 1);
        let claimed = store.claim_deliveries(&urls, 1_000, 10, 0).await.unwrap();
        assert_eq!(claimed.len(), 1);
        Attempt {
            event_seq: claimed[0].event_seq,
            url: url.to_owned(),
            at_ms: 1_000,
            status: Some(200),
            error: None,
            duration_ms: 2,
            retry_at_ms: None,
            delivered: true,
        }
    }

    /// The Webhooks page's counts and list come from one snapshot: a delivery sent between the two statements
    /// shows in neither or in both, never as "1 waiting" beside an empty list.
    async fn counts_and_list_agree(store: Store) {
        let url = "http://127.0.0.1:9/hook".to_owned();
        let delivered = one_waiting(&store, &url).await;
        let (writer, runtime) = (store.clone(), tokio::runtime::Handle::current());
        let outbox = tokio::task::spawn_blocking(move || {
            let urls = vec![url];
            let between = || runtime.block_on(writer.record_attempts(vec![delivered])).unwrap();
            store.webhook_outbox_between(&urls, &urls, OutboxState::Pending, 10, between).unwrap()
        })
        .await
        .unwrap();
        assert_eq!((outbox.urls[0].pending, outbox.data.len()), (1, 1), "the count and the list of one moment");
    }

    /// Two receivers whose URLs differ only in a token (two Slack webhooks) were listed as one URL twice, each
    /// `…/services/[redacted]/[redacted]/[redacted]`: the merchant could not tell which one waits, nor name one.
    #[tokio::test]
    async fn two_urls_that_differ_only_in_a_token_are_told_apart_and_each_named_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let urls = vec![
            "https://hooks.slack.com/services/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".to_owned(),
            "https://hooks.slack.com/services/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".to_owned(),
        ];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        store.write(|c| crate::store::events::record(c, "O1", "order.placed")).await.unwrap();
        assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 2);
        let outbox = store.webhook_outbox(&urls, &urls, OutboxState::Pending, 10).unwrap();
        let shown: Vec<&str> = outbox.urls.iter().map(|u| u.url.as_str()).collect();
        assert_ne!(shown[0], shown[1], "{shown:?}");
        for url in &shown {
            assert!(!url.contains("Xk9mWq2") && !url.contains("Qw3eRt5") && !url.contains("T0A1B2C3D"), "no token: {url}");
        }
        let mut listed: Vec<&str> = outbox.data.iter().map(|d| d.url.as_str()).collect();
        listed.sort_unstable();
        let mut expected = shown.clone();
        expected.sort_unstable();
        assert_eq!(listed, expected, "each delivery under its own URL's shown form");
        // Each shown form names its URL alone (what the merchant API's `url` takes).
        for (configured, shown) in urls.iter().zip(&shown) {
            assert_eq!(crate::config::merchant::configured_named(&urls, shown), std::slice::from_ref(configured), "{shown}");
        }
        // Without its place (as the logs show a delivery's URL) the shared form names both, as before.
        let shared = crate::config::merchant::url_shown(&urls[0]);
        assert_eq!(crate::config::merchant::configured_named(&urls, &shared), urls);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_sqlite_the_counts_and_the_list_are_one_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        counts_and_list_agree(Store::open(dir.path()).unwrap()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn on_postgresql_the_counts_and_the_list_are_one_snapshot() {
        let Some(store) = crate::store::test_postgres_store("outbox").await else { return };
        counts_and_list_agree(store).await;
    }
}
