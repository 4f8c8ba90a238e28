//! `GET /merchant/api/orders/{id}/timeline`: what happened to an order, oldest first, for the dashboard's
//! order page: placed, PAYONE's notifications or Amazon's IPN messages, the money moved (by the merchant, or by
//! Amazon: its own captures and refunds it declined), and every webhook delivery with
//! its attempts. Plain text only (the dashboard renders it as text, never as HTML).

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
        move |c| timeline(c, &id)
    })?;
    timeline.map(Json).ok_or_else(|| MerchantError::not_found("order_not_found", format!("There is no order {id:?}.")))
}

/// Sorted by time; at the same time: placed, money, PAYONE, webhooks (the order things happen in).
fn timeline(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Option<Timeline>> {
    let Some(order) = order_view::order_json(c, id)? else { return Ok(None) };
    let mut entries = vec![TimelineEntry {
        at_ms: order["created"].as_i64().unwrap_or(0) * 1000,
        source: "order".into(),
        title: format!("placed ({})", order["flow"].as_str().unwrap_or("?")),
        detail: Some(format!("total {}; {}", amount(order["amounts"]["total"].as_i64().unwrap_or(0), &order["currency"]), state_detail(&order))),
        attempts: Vec::new(),
    }];
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
    entries.extend(deliveries(c, id)?);
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

/// The order's state today, said as such: "25.80 EUR now paid" read as money paid at placement.
fn state_detail(order: &Value) -> String {
    match order["decline"].as_str() {
        Some(decline) => format!("state now {}, declined: {decline}", order["state"].as_str().unwrap_or("?")),
        None => format!("state now {}", order["state"].as_str().unwrap_or("?")),
    }
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
fn deliveries(c: &Conn<'_>, id: &str) -> crate::store::db::Result<Vec<TimelineEntry>> {
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
        // Where it went without what may be the receiver's token (the merchant API's order shows it so too).
        let shown = crate::config::merchant::url_shown(&url);
        out.push(TimelineEntry { at_ms, source: "webhook".into(), title: format!("{kind} to {shown}"), detail: Some(detail), attempts });
    }
    Ok(out)
}
