//! `GET /merchant/api/orders/{id}/timeline`: what happened to an order, oldest first, for the dashboard's
//! order page: placed, each state it entered, PAYONE's notifications or Amazon's IPN messages, the money moved
//! (by the merchant, or by Amazon: its own captures and refunds it declined), and every webhook delivery with its
//! attempts. Plain text only (the dashboard renders it as text, never as HTML).

use super::MerchantError;
use crate::amazon::records::REFUND_FAILED;
use crate::state::AppState;
use crate::store::db::{params, Conn};
use crate::store::order_view;
use amazon_pay_contract::merchant::{Timeline, TimelineEntry, WebhookAttempt};
use amazon_pay_contract::{Currency, Money};
use axum::extract::{Path, State};
use axum::Json;
use serde_json::Value;

/// The order's timeline, or 404.
pub(super) async fn show(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Timeline>, MerchantError> {
    // One snapshot: the order, its money, its notifications and its deliveries of one moment.
    let timeline = state.store.read_snapshot({
        let id = id.clone();
        let configured = state.config.merchant.webhook_urls.clone();
        move |c| timeline(c, &id, &configured)
    })?;
    timeline.map(Json).ok_or_else(|| MerchantError::not_found("order_not_found", format!("There is no order {id:?}.")))
}

/// Sorted by time; at the same time: placed and states, money, PAYONE, webhooks (the order things happen in).
fn timeline(c: &Conn<'_>, id: &str, configured: &[String]) -> crate::store::db::Result<Option<Timeline>> {
    let Some(order) = order_view::order_json(c, id)? else { return Ok(None) };
    let mut entries = vec![TimelineEntry {
        at_ms: order["created"].as_i64().unwrap_or(0) * 1000,
        source: "order".into(),
        title: format!("placed ({})", order["flow"].as_str().unwrap_or("?")),
        // What was true then: the order and its total. Its state today is the order's own `state`.
        detail: Some(format!("total {}", amount(order["amounts"]["total"].as_i64().unwrap_or(0), &order["currency"]))),
        attempts: Vec::new(),
    }];
    entries.extend(state_changes(c, id)?);
    let amazon = order_view::provider(c, id)? == Some(order_view::Provider::AmazonDirect);
    for payment in order["payments"].as_array().into_iter().flatten() {
        let kind = payment["kind"].as_str().unwrap_or("?");
        let money = amount(payment["amount"].as_i64().unwrap_or(0), &order["currency"]);
        let reason = payment["reason"].as_str().unwrap_or_default();
        let (source, title, detail) = match (amazon, kind) {
            // Amazon's doing, not the merchant's: a refund it declined after accepting it.
            (true, REFUND_FAILED) => ("amazon", format!("refund declined {money}: given back"), reason.to_owned()),
            (true, _) if reason.starts_with("captured by Amazon") => ("amazon", format!("{kind} {money}"), reason.to_owned()),
            (true, _) => ("merchant", format!("{kind} {money}"), format!("through Amazon Pay{}", with_reason(reason))),
            (false, _) => {
                ("merchant", format!("{kind} {money}"), format!("PAYONE sequencenumber {}{}", payment["sequencenumber"], with_reason(reason)))
            }
        };
        entries.push(TimelineEntry {
            at_ms: payment["created"].as_i64().unwrap_or(0) * 1000,
            source: source.into(),
            title,
            detail: Some(detail),
            attempts: Vec::new(),
        });
    }
    // What the merchant asked and the provider refused: nothing moved, but the merchant was told.
    for refused in crate::store::merchant_marks::refusals(c, id)? {
        let provider = match refused.provider.as_str() {
            "payone" => "PAYONE",
            "amazon" => "Amazon Pay",
            other => other,
        };
        entries.push(TimelineEntry {
            at_ms: refused.at * 1000,
            source: "merchant".into(),
            title: format!("{} {} refused", refused.action, amount(refused.amount, &order["currency"])),
            detail: Some(format!("{provider} refused it ({}); nothing moved", refused.message)),
            attempts: Vec::new(),
        });
    }
    // Amazon Pay direct: its IPN messages, as PAYONE's TransactionStatus below.
    for note in crate::amazon::records::notifications_of_order(c, id)? {
        let kind = note.notification_type.as_deref().unwrap_or("notification");
        let detail = match &note.followed_state {
            Some(found) => format!("{} {}: {found}", note.object_type.to_ascii_lowercase().replace('_', " "), note.object_id),
            None => format!("{} {}", note.object_type.to_ascii_lowercase().replace('_', " "), note.object_id),
        };
        entries.push(TimelineEntry {
            at_ms: note.received_at * 1000,
            source: "amazon".into(),
            title: format!("{} {kind}", note.object_type),
            detail: Some(detail),
            attempts: Vec::new(),
        });
    }
    if let Some(txid) = order["payone"]["txid"].as_str() {
        for note in order_view::notifications(c, txid)? {
            let text = |k: &str| note[k].as_str().unwrap_or("").to_owned();
            let mut detail = format!("sequencenumber {}", note["sequencenumber"]);
            for field in ["receivable", "balance", "reasoncode"] {
                if let Some(value) = note[field].as_str().filter(|v| !v.is_empty()) {
                    detail.push_str(&format!(", {field} {value}"));
                }
            }
            let status = text("transaction_status");
            entries.push(TimelineEntry {
                at_ms: note["received"].as_i64().unwrap_or(0) * 1000,
                source: "payone".into(),
                title: if status.is_empty() { text("txaction") } else { format!("{} ({status})", text("txaction")) },
                detail: Some(detail),
                attempts: Vec::new(),
            });
        }
    }
    entries.extend(deliveries(c, id, configured)?);
    let rank = |source: &str| ["order", "merchant", "payone", "amazon", "webhook"].iter().position(|s| *s == source).unwrap_or(4);
    entries.sort_by_key(|e| (e.at_ms, rank(&e.source)));
    Ok(Some(Timeline { order_id: id.to_owned(), entries }))
}

/// `, reason: …` when there is one.
fn with_reason(reason: &str) -> String {
    if reason.is_empty() {
        String::new()
    } else {
        format!(", reason: {reason}")
    }
}

/// `1000` EUR as `10.00 EUR`.
fn amount(minor: i64, currency: &Value) -> String {
    let code = currency.as_str().unwrap_or("");
    match Currency::parse(code) {
        Some(currency) => format!("{} {code}", Money::new(minor, currency).decimal()),
        None => format!("{minor} (minor units) {code}"),
    }
}

/// Each state the order entered after it was placed, at that moment, as its event (`order.<state>`) says, with
/// the decline or the reason it was given up as they were then. Read from the outbox, so as long as the events
/// are kept (`--webhook-retention-days`; an order's last event always is).
fn state_changes(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Vec<TimelineEntry>> {
    use amazon_pay_contract::orders::OrderState;
    let mut stmt = c.prepare_cached("SELECT type, created_at, body FROM events WHERE order_id = ?1 ORDER BY order_sequence")?;
    let rows = stmt
        .query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?
        .collect::<crate::store::db::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    for (kind, created, body) in rows {
        // `order.placed` is the entry above; money events (`order.captured`, ...) are the payments'.
        let Some(state) = kind.strip_prefix("order.").and_then(OrderState::parse).filter(|s| *s != OrderState::Placing) else { continue };
        let order = serde_json::from_str::<Value>(&body).map(|b| b["order"].clone()).unwrap_or(Value::Null);
        let detail = match state {
            OrderState::Declined | OrderState::Failed => order["decline"].as_str().map(|d| format!("declined: {d}")),
            OrderState::Abandoned => order["abandon_reason"].as_str().map(|r| format!("given up: {r}")),
            _ => None,
        };
        out.push(TimelineEntry { at_ms: created * 1000, source: "order".into(), title: state.as_str().to_owned(), detail, attempts: Vec::new() });
    }
    Ok(out)
}

/// How long until a retry, as a merchant reads it: `now`, `in 40 s`, `in 15 min`, `in 3 h 10 min`.
fn wait_text(ms: i64) -> String {
    let s = (ms.max(0) + 999) / 1000;
    match s {
        0 => "now".to_owned(),
        1..=89 => format!("in {s} s"),
        90..=5399 => format!("in {} min", (s + 30) / 60),
        _ => format!("in {} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// Every webhook delivery of the order's events, at its first attempt (or the event's time while none).
fn deliveries(c: &Conn<'_>, id: &str, configured: &[String]) -> crate::store::db::Result<Vec<TimelineEntry>> {
    let mut stmt = c.prepare_cached(
        "SELECT e.seq, e.type, e.created_at, d.url, d.state, d.next_at_ms FROM events e JOIN webhook_deliveries d ON d.event_seq = e.seq
         WHERE e.order_id = ?1 ORDER BY e.seq, d.url",
    )?;
    let rows = stmt
        .query_map([id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?
        .collect::<crate::store::db::Result<Vec<_>>>()?;
    let mut out = Vec::new();
    let now_ms = crate::store::now_ms();
    for (seq, kind, created, url, state, next_at_ms) in rows {
        let attempts = c
            .prepare_cached("SELECT at_ms, status, error, duration_ms FROM webhook_attempts WHERE event_seq = ?1 AND url = ?2 ORDER BY id")?
            .query_map(params![seq, url], |r| Ok(WebhookAttempt { at_ms: r.get(0)?, status: r.get(1)?, error: r.get(2)?, duration_ms: r.get(3)? }))?
            .collect::<crate::store::db::Result<Vec<_>>>()?;
        let at_ms = attempts.first().map_or(created * 1000, |a| a.at_ms);
        let count = attempts.len();
        let tries = format!("{count} attempt{}", if count == 1 { "" } else { "s" });
        let detail = match state.as_str() {
            "delivered" => format!("delivered ({tries})"),
            "pending" if count == 0 => "waiting to be sent".to_owned(),
            "pending" => format!("pending after {tries}; next attempt {}", wait_text(next_at_ms - now_ms)),
            "abandoned" => format!("abandoned, the URL is no longer configured ({tries})"),
            other => format!("{other} after {tries}"),
        };
        // Where it went without what may be the receiver's token, two shown alike told apart by their place (the
        // merchant API's order shows it so too).
        let shown = crate::config::merchant::url_shown_among(&url, configured);
        out.push(TimelineEntry { at_ms, source: "webhook".into(), title: format!("{kind} to {shown}"), detail: Some(detail), attempts });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{events, Store};

    /// Order `id` moved through `states` (with `decline` as the decline code or abandon reason of a declined or
    /// abandoned one), each event a minute after the one before.
    async fn order_through(store: &Store, id: &'static str, states: &'static [&'static str], decline: Option<&'static str>) {
        store
            .write(move |c| {
                c.execute(
                    "INSERT INTO orders (id, workorder_id, flow, idempotency_key, state, amount_minor, currency, created_at, updated_at)
                     VALUES (?1, ?2, 'cv2', ?1, 'placing', 2580, 'EUR', 1000, 1000)",
                    params![id, format!("W{id}")],
                )?;
                events::record(c, id, "order.placed")?;
                for state in states {
                    let reason = |s: &str| decline.filter(|_| *state == s);
                    c.execute(
                        "UPDATE orders SET state = ?2, decline = ?3, abandon_reason = ?4 WHERE id = ?1",
                        params![id, state, reason("declined"), reason("abandoned")],
                    )?;
                    events::record(c, id, &format!("order.{state}"))?;
                }
                c.execute("UPDATE events SET created_at = 1000 + 60 * (order_sequence - 1) WHERE order_id = ?1", [id])?;
                Ok(())
            })
            .await
            .unwrap();
    }

    fn entries(store: &Store, id: &str) -> Vec<(i64, String, String, Option<String>)> {
        let timeline = store.read(|c| timeline(c, id, &[])).unwrap().expect("the order");
        timeline.entries.into_iter().map(|e| (e.at_ms / 1000, e.source, e.title, e.detail)).collect()
    }

    /// Deliveries to two receivers whose URLs differ only in a token were two entries "order.placed to
    /// https://hooks.slack.com/services/[redacted]/[redacted]/[redacted]", alike; each now says which one.
    #[tokio::test]
    async fn deliveries_to_two_urls_shown_alike_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let urls = vec![
            "https://hooks.slack.com/services/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".to_owned(),
            "https://hooks.slack.com/services/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".to_owned(),
        ];
        store.queue_deliveries(urls.clone(), 0).await.unwrap();
        order_through(&store, "O1", &[], None).await;
        assert_eq!(store.queue_deliveries(urls.clone(), 1_000).await.unwrap(), 2);
        let timeline = store.read(|c| timeline(c, "O1", &urls)).unwrap().expect("the order");
        let webhooks: Vec<String> = timeline.entries.into_iter().filter(|e| e.source == "webhook").map(|e| e.title).collect();
        assert_eq!(webhooks.len(), 2, "{webhooks:?}");
        assert_ne!(webhooks[0], webhooks[1], "{webhooks:?}");
        assert!(webhooks.iter().all(|t| !t.contains("Xk9mWq2") && !t.contains("Qw3eRt5")), "{webhooks:?}");
    }

    #[tokio::test]
    async fn each_entry_says_what_happened_at_its_moment_not_the_state_of_today() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        // The placed entry said "total 25.80 EUR; state now paid" of an order approved at placement and paid later.
        order_through(&store, "O1", &["approved", "paid"], None).await;
        let o = |s: &str| s.to_owned();
        assert_eq!(
            entries(&store, "O1"),
            vec![
                (1000, o("order"), o("placed (cv2)"), Some(o("total 25.80 EUR"))),
                (1060, o("order"), o("approved"), None),
                (1120, o("order"), o("paid"), None),
            ]
        );
        // A decline is said when it happened, with its code as it was then.
        order_through(&store, "O2", &["declined"], Some("hard_decline")).await;
        assert_eq!(
            entries(&store, "O2"),
            vec![
                (1000, o("order"), o("placed (cv2)"), Some(o("total 25.80 EUR"))),
                (1060, o("order"), o("declined"), Some(o("declined: hard_decline"))),
            ]
        );
        order_through(&store, "O3", &["redirected", "abandoned"], Some("buyer_did_not_return")).await;
        assert_eq!(
            entries(&store, "O3"),
            vec![
                (1000, o("order"), o("placed (cv2)"), Some(o("total 25.80 EUR"))),
                (1060, o("order"), o("redirected"), None),
                (1120, o("order"), o("abandoned"), Some(o("given up: buyer_did_not_return"))),
            ]
        );
    }
}
