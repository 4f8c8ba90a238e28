//! `POST /merchant/api/orders/{id}/capture|refund|cancel`: money moved through PAYONE as PAYONE documents it
//! for Amazon Pay (reference §7):
//!
//! - capture: `request=capture`, the transaction's next `sequencenumber` (the authorization is 0), the amount
//!   (at most what is authorized and not yet captured), `capturemode=completed` on the capture that takes
//!   the rest and `notcompleted` on a partial one;
//! - refund: `request=debit` with the next `sequencenumber` and a negative amount (at most what was captured);
//! - cancel: releases the authorized amount not captured: a `capture` of amount 0 with
//!   `capturemode=completed` and `settleaccount=yes` ("settling while taking nothing voids the
//!   authorization"; PAYONE's API has no separate void request for wallets).
//!
//! Each takes an `Idempotency-Key` header: the same key with the same request gets the stored answer, and
//! money moves once. Actions on one order are serialized. What PAYONE approved is stored, with the record
//! of the call, the outbox event and the answer, in one write.
//!
//! A call PAYONE gave no usable answer to may have moved the money. Its `sequencenumber` and amount are kept
//! for the key ([`Lost`]): the retry with the same key is recorded from PAYONE's notification of that
//! `sequencenumber` when it has come (PAYONE is not asked again), else sent again with the same
//! `sequencenumber`, which PAYONE refuses if the first call went through. Taking the next one instead moved
//! the money twice once the notification had arrived. Another key's action on the order first records such a
//! call from its notification, and is refused (`lost_call_pending`) while that has not come.

use super::action::{json_response, record_payment, Action};
use super::MerchantError;
use crate::payone::PayoneError;
use crate::state::AppState;
use crate::store::db::{params, OptionalExtension};
use crate::store::merchant_marks;
use crate::store::order_view::{self, Provider};
use crate::store::{now, UpstreamCall};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `POST /merchant/api/orders/{id}/capture`.
pub(super) async fn capture(state: State<AppState>, id: Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    act(state, id, headers, body, Action::Capture).await
}

/// `POST /merchant/api/orders/{id}/refund`.
pub(super) async fn refund(state: State<AppState>, id: Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    act(state, id, headers, body, Action::Refund).await
}

/// `POST /merchant/api/orders/{id}/cancel`.
pub(super) async fn cancel(state: State<AppState>, id: Path<String>, headers: HeaderMap, body: Bytes) -> Response {
    act(state, id, headers, body, Action::Cancel).await
}

/// `merchant_requests.status` of a call PAYONE gave no usable answer to: not an answer, the [`Lost`] call. Its
/// key is listed among the order's lost calls (`store/merchant_marks.rs`) until it has its answer.
const OUTCOME_UNKNOWN: u16 = 0;

/// A call sent to PAYONE whose answer was lost: what its key's retry must send again, or find notified.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Lost {
    sequencenumber: i64,
    amount: i64,
    /// The order and action (`capture`, `refund`, `cancel`), so another key's action on the order settles it first.
    order: String,
    action: String,
    #[serde(default)]
    reason: Option<String>,
}

impl Lost {
    fn action(&self) -> Action {
        match self.action.as_str() {
            "refund" => Action::Refund,
            "cancel" => Action::Cancel,
            _ => Action::Capture,
        }
    }
}

/// What the request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Ask {
    amount: Option<i64>,
    reason: Option<String>,
}

/// The JSON body: `{}` or nothing, `amount` (a positive integer of minor units) for capture and refund,
/// `reason` (up to 255 characters) for refund and cancel.
fn parse_body(action: Action, body: &[u8]) -> Result<Ask, MerchantError> {
    let bad = |msg: String| MerchantError::bad_request("invalid_body", msg);
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|e| bad(format!("The body is not JSON: {e}.")))?
    };
    let Value::Object(fields) = value else { return Err(bad("The body must be a JSON object.".into())) };
    let mut ask = Ask { amount: None, reason: None };
    for (name, value) in fields {
        match (name.as_str(), action) {
            ("amount", Action::Capture | Action::Refund) => {
                let amount = value.as_i64().filter(|a| *a > 0).ok_or_else(|| {
                    MerchantError::bad_request("invalid_amount", format!("amount must be a positive whole number of cents, got {value}."))
                })?;
                ask.amount = Some(amount);
            }
            ("reason", Action::Refund | Action::Cancel) => {
                // Stored with the payment after PAYONE moved the money and shown as text: a control character
                // (a NUL, which PostgreSQL cannot store, a line break, a terminal escape) is refused up front,
                // as in the buyer's fields.
                let reason = value
                    .as_str()
                    .filter(|r| r.chars().count() <= 255 && !r.chars().any(char::is_control))
                    .ok_or_else(|| bad("reason must be text of at most 255 characters, without control characters (line breaks, tabs).".into()))?;
                ask.reason = Some(reason.to_owned());
            }
            (other, _) => return Err(bad(format!("{other:?} is not a field of {}.", action.name()))),
        }
    }
    Ok(ask)
}

/// What an Idempotency-Key's request is known by: the action, the order and what the body asks, parsed, so a
/// retry whose JSON is spaced or ordered otherwise (another client, another serializer) is the same request.
fn fingerprint(action: Action, id: &str, ask: &Ask) -> String {
    let amount = ask.amount.map(|a| a.to_string()).unwrap_or_default();
    // A reason is tagged, so no reason and an empty one differ.
    let reason = ask.reason.as_deref().map(|r| format!("r{r}")).unwrap_or_default();
    let mut hash = Sha256::new();
    for part in ["v2", action.name(), id, &amount, &reason] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hex::encode(hash.finalize())
}

/// The fingerprint releases before [`fingerprint`] stored: of the raw body. A retry of a request such a release
/// answered still gets its stored answer after an upgrade.
fn raw_body_fingerprint(action: Action, id: &str, body: &[u8]) -> String {
    hex::encode(Sha256::new().chain_update(action.name()).chain_update([0]).chain_update(id).chain_update([0]).chain_update(body).finalize())
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, MerchantError> {
    let mut keys = headers.get_all("idempotency-key").iter();
    let key = keys.next().ok_or_else(|| {
        MerchantError::bad_request(
            "missing_idempotency_key",
            "Send an Idempotency-Key header (8 to 64 letters, digits, - or _) with every money action.",
        )
    })?;
    // Two keys name no one request: taking either would let a retry that lists them the other way round move
    // money again.
    if keys.next().is_some() {
        return Err(MerchantError::bad_request("invalid_idempotency_key", "Send one Idempotency-Key header, not several."));
    }
    let key = key.to_str().unwrap_or_default();
    if !crate::orders::valid_idempotency_key(key) {
        return Err(MerchantError::bad_request("invalid_idempotency_key", "The Idempotency-Key must be 8 to 64 letters, digits, - or _."));
    }
    Ok(key.to_owned())
}

async fn act(State(state): State<AppState>, Path(id): Path<String>, headers: HeaderMap, body: Bytes, action: Action) -> Response {
    match act_inner(&state, &id, &headers, &body, action).await {
        Ok(response) => response,
        Err(err) => err.into_response(),
    }
}

async fn act_inner(state: &AppState, id: &str, headers: &HeaderMap, body: &[u8], action: Action) -> Result<Response, MerchantError> {
    let key = idempotency_key(headers)?;
    let ask = parse_body(action, body)?;
    let fingerprint = fingerprint(action, id, &ask);
    // One request per key at a time, then one action per order at a time.
    let _key = state.order_locks.lock(&format!("merchant-key:{key}")).await?;
    let _order = state.order_locks.lock(&format!("merchant-order:{id}")).await?;

    let stored = state.store.read({
        let key = key.clone();
        move |c| {
            c.prepare_cached("SELECT fingerprint, status, response FROM merchant_requests WHERE idempotency_key = ?1")?
                .query_row([key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?, r.get::<_, String>(2)?)))
                .optional()
        }
    })?;
    let mut lost = None;
    if let Some((stored_fingerprint, status, response)) = stored {
        if stored_fingerprint != fingerprint && stored_fingerprint != raw_body_fingerprint(action, id, body) {
            return Err(MerchantError::unprocessable(
                "idempotency_key_reused",
                "This Idempotency-Key was used for another request; use a new key for a new action.",
            ));
        }
        if status != OUTCOME_UNKNOWN {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(json_response(status, &super::orders::named_answer(state, &response), true));
        }
        let stored: Lost = serde_json::from_str(&response)
            .map_err(|e| MerchantError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", format!("The key's lost call is unreadable: {e}.")))?;
        lost = Some(stored);
    } else {
        settle_lost_calls(state, id).await?;
    }

    // One snapshot: the amounts the action is checked against are sums of rows and the order's state, all of one
    // moment (a notification committed between them could make a capture look allowed that is not).
    let (provider, money) = state.store.read_snapshot({
        let id = id.to_owned();
        move |c| Ok((order_view::provider(c, &id)?, order_view::payone_money(c, &id)?))
    })?;
    let money = match (provider, money) {
        (None, _) | (Some(Provider::Payone | Provider::AmazonDirect), None) => {
            return Err(MerchantError::not_found("order_not_found", format!("There is no order {id:?}.")))
        }
        (Some(Provider::CheckoutChamp), _) => {
            return Err(MerchantError::conflict(
                "managed_by_crm",
                "This order was imported into CheckoutChamp, which owns its money: capture, refund or cancel it in the CRM.",
            ))
        }
        (Some(Provider::Payone | Provider::AmazonDirect), Some(money)) => money,
    };
    // A lost call was checked when it was sent; it may have moved the money since, which the figures do not show.
    let amount = match &lost {
        Some(lost) => lost.amount,
        None => check(action, &money, &ask)?,
    };
    if provider == Some(Provider::AmazonDirect) {
        let request = super::amazon_money::Request { id, action, amount, key: &key, fingerprint: &fingerprint, reason: ask.reason.as_deref() };
        return super::amazon_money::act(state, &money, request).await;
    }
    let Some(txid) = money.txid.clone() else {
        return Err(MerchantError::conflict("not_authorized", "PAYONE has no transaction for this order."));
    };
    if let Some(lost) = &lost {
        if let Some(order) = notified(state, lost.clone(), &key, &fingerprint).await? {
            return Ok(json_response(StatusCode::OK, &super::orders::named_answer(state, &order), false));
        }
    }
    let sequence = lost.as_ref().map_or(money.sequencenumber + 1, |lost| lost.sequencenumber);
    let request = payone_request(state, action, &money, &txid, amount, sequence);
    let result = state.payone.send(&request).await;
    let (answer, outcome) = match &result {
        Ok(r) => (r.to_body(), r.status().unwrap_or("?").to_owned()),
        Err(e) => (String::new(), e.to_string()),
    };
    let call = UpstreamCall::new("payone", &format!("merchant-{}", action.name()), &request.redacted(), &answer, &outcome);
    match result {
        Ok(_) => {
            let (id, reason) = (id.to_owned(), ask.reason.clone());
            let stored = state
                .store
                .record_upstream_call_then(call, move |c| {
                    record_payment(c, &id, action.kind(), amount, sequence, reason.as_deref(), action.event())?;
                    let order = order_view::order_json(c, &id)?.unwrap_or(Value::Null).to_string();
                    keep_answer(c, &id, &key, &fingerprint, 200, &order)?;
                    Ok(order)
                })
                .await?;
            Ok(json_response(StatusCode::OK, &super::orders::named_answer(state, &stored), false))
        }
        Err(PayoneError::Declined { code, message, .. }) if lost.is_some() && !lost_for_good(state, &key, &txid, sequence).await? => {
            // The repeat of a lost call: PAYONE refuses its sequencenumber if the first one went through, so
            // this is not the final word; the notification of the first one decides. Nothing stored.
            state.store.record_upstream_call_then(call, |_| Ok(())).await?;
            Err(MerchantError::new(
                StatusCode::BAD_GATEWAY,
                "payone_unavailable",
                format!(
                    "PAYONE refused the repeated {} (error {code}: {message}): the first call, whose answer was lost, may have \
                     gone through, and PAYONE's notification of it will say so. Retry with the same Idempotency-Key in a minute.",
                    action.name()
                ),
            ))
        }
        Err(PayoneError::Declined { code, message, .. }) => {
            // PAYONE's final word: stored, so the same key gets the same refusal (and nothing moved).
            let err = MerchantError::new(
                StatusCode::BAD_GATEWAY,
                "payone_refused",
                format!("PAYONE refused the {}: error {code}: {message}", action.name()),
            );
            let response = err.body().to_string();
            // The merchant saw it: the order's timeline shows it too.
            let refusal = merchant_marks::Refusal::new("payone", action.name(), amount, &format!("error {code}: {message}"));
            let order = id.to_owned();
            state
                .store
                .record_upstream_call_then(call, move |c| {
                    keep_answer(c, &order, &key, &fingerprint, 502, &response)?;
                    merchant_marks::insert_refusal(c, &order, &key, &refusal)
                })
                .await?;
            Err(err)
        }
        Err(other) => {
            // No answer: PAYONE may or may not have acted. The call is kept for the key (not an answer), so the
            // same key sends the same sequencenumber again or finds PAYONE's notification of it.
            // Kept once, when first lost: its time says how long its notification has been awaited.
            let order = id.to_owned();
            let kept = lost.is_none().then(|| {
                let lost =
                    Lost { sequencenumber: sequence, amount, order: id.to_owned(), action: action.name().to_owned(), reason: ask.reason.clone() };
                serde_json::to_string(&lost).unwrap_or_default()
            });
            state
                .store
                .record_upstream_call_then(call, move |c| match kept {
                    Some(lost) => {
                        keep_answer(c, &order, &key, &fingerprint, OUTCOME_UNKNOWN, &lost)?;
                        merchant_marks::insert_lost_call(c, &order, &key)
                    }
                    None => Ok(()),
                })
                .await?;
            Err(MerchantError::new(
                StatusCode::BAD_GATEWAY,
                "payone_unavailable",
                format!("PAYONE gave no usable answer: {other}. Retry with the same Idempotency-Key."),
            ))
        }
    }
}

/// Stores what `key` answers (or its [`Lost`] call, `OUTCOME_UNKNOWN`), in place of a lost call kept before;
/// an answer takes the key off `order`'s lost calls.
fn keep_answer(
    c: &crate::store::db::Conn<'_>,
    order: &str,
    key: &str,
    fingerprint: &str,
    status: u16,
    response: &str,
) -> crate::store::db::Result<()> {
    if status != OUTCOME_UNKNOWN {
        merchant_marks::delete_lost_call(c, order, key)?;
    }
    c.prepare_cached("DELETE FROM merchant_requests WHERE idempotency_key = ?1")?.execute([key])?;
    c.prepare_cached("INSERT INTO merchant_requests (idempotency_key, fingerprint, status, response, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute(params![key, fingerprint, status, response, now()])?;
    Ok(())
}

/// Whether the lost call of `key` (`sequencenumber` on `txid`) surely never reached PAYONE: kept longer than
/// `--placing-expiry-seconds` (49 h; PAYONE resends a TransactionStatus for 48 hours) with no notification of
/// its `sequencenumber` or a later one. Then PAYONE's refusal of its repeat is the final word (else a lost call
/// that never arrived, whose repeat PAYONE refuses, would hold its key and the order for ever).
async fn lost_for_good(state: &AppState, key: &str, txid: &str, sequencenumber: i64) -> Result<bool, MerchantError> {
    let (key, txid) = (key.to_owned(), txid.to_owned());
    let (kept_at, highest) = state.store.read(move |c| {
        let kept_at: i64 =
            c.prepare_cached("SELECT created_at FROM merchant_requests WHERE idempotency_key = ?1")?.query_row([&key], |r| r.get(0))?;
        let highest = order_view::notifications(c, &txid)?.iter().filter_map(|n| n["sequencenumber"].as_i64()).max().unwrap_or(0);
        Ok((kept_at, highest))
    })?;
    let waited = now().saturating_sub(kept_at);
    Ok(highest < sequencenumber && u64::try_from(waited).unwrap_or(0) >= state.config.placing_expiry.as_secs())
}

/// Settles the lost calls of order `id` kept under other keys before a new key acts on it: each whose
/// notification has come is recorded (its key then answers that); one still unknown refuses the new action,
/// whose figures would not count money PAYONE may have moved.
async fn settle_lost_calls(state: &AppState, id: &str) -> Result<(), MerchantError> {
    let order = id.to_owned();
    let kept: Vec<(String, String, String)> = state.store.read(move |c| {
        let mut kept = Vec::new();
        for key in merchant_marks::lost_calls(c, &order)? {
            let row = c
                .prepare_cached("SELECT fingerprint, status, response FROM merchant_requests WHERE idempotency_key = ?1")?
                .query_row([&key], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u16>(1)?, r.get::<_, String>(2)?)))
                .optional()?;
            // A key answered since (its own retry settled it) is left out.
            if let Some((fingerprint, OUTCOME_UNKNOWN, response)) = row {
                kept.push((key, fingerprint, response));
            }
        }
        Ok(kept)
    })?;
    for (key, fingerprint, response) in kept {
        let Ok(lost) = serde_json::from_str::<Lost>(&response) else { continue };
        let action = lost.action().name();
        if notified(state, lost, &key, &fingerprint).await?.is_none() {
            return Err(MerchantError::conflict(
                "lost_call_pending",
                format!(
                    "PAYONE's answer to the {action} sent with Idempotency-Key {key} was lost and its notification has not \
                     come, so it is not known whether it moved money. Send that key again (it moves the money at most \
                     once) before another action on this order."
                ),
            ));
        }
    }
    Ok(())
}

/// The order after a lost call that PAYONE's notification of its `sequencenumber` shows went through, recorded
/// from it as the lost answer would have been and kept as its key's answer; `None` while no such notification
/// has come.
async fn notified(state: &AppState, lost: Lost, key: &str, fingerprint: &str) -> Result<Option<String>, MerchantError> {
    let action = lost.action();
    // A zero capture (cancel) is notified as `capture` too; a refund as `debit`.
    let txaction = if action == Action::Refund { "debit" } else { "capture" };
    let (key, fingerprint) = (key.to_owned(), fingerprint.to_owned());
    let stored = state
        .store
        .write(move |c| {
            let txid: Option<String> =
                c.prepare_cached("SELECT txid FROM orders WHERE id = ?1")?.query_row([&lost.order], |r| r.get(0)).optional()?.flatten();
            let Some(txid) = txid else { return Ok(None) };
            let came = order_view::notifications(c, &txid)?
                .iter()
                .any(|n| n["txaction"] == txaction && n["sequencenumber"].as_i64() == Some(lost.sequencenumber));
            if !came {
                return Ok(None);
            }
            record_payment(c, &lost.order, action.kind(), lost.amount, lost.sequencenumber, lost.reason.as_deref(), action.event())?;
            let order = order_view::order_json(c, &lost.order)?.unwrap_or(Value::Null).to_string();
            keep_answer(c, &lost.order, &key, &fingerprint, 200, &order)?;
            Ok(Some(order))
        })
        .await?;
    Ok(stored)
}

/// The PAYONE request that moves `amount` of `money` for `action` (see the module's comment).
pub(super) fn payone_request(
    state: &AppState,
    action: Action,
    money: &order_view::Money,
    txid: &str,
    amount: i64,
    sequence: i64,
) -> crate::payone::PayoneRequest {
    let mut request = state.payone.request(if action == Action::Refund { "debit" } else { "capture" });
    request.set("txid", txid).set("sequencenumber", sequence.to_string()).set("currency", &money.currency);
    match action {
        Action::Capture => {
            let last = amount == money.capturable();
            request
                .set("amount", amount.to_string())
                .set("capturemode", if last { "completed" } else { "notcompleted" })
                .set("settleaccount", "auto");
        }
        Action::Refund => {
            request.set("amount", (-amount).to_string());
        }
        Action::Cancel => {
            request.set("amount", "0").set("capturemode", "completed").set("settleaccount", "yes");
        }
    }
    request
}

/// The refusals that need no call: the amount the action moves, or why it cannot.
fn check(action: Action, money: &order_view::Money, ask: &Ask) -> Result<i64, MerchantError> {
    use amazon_pay_contract::merchant;
    use amazon_pay_contract::orders::OrderState;
    let authorized = matches!(money.state, OrderState::Approved | OrderState::Paid);
    match action {
        Action::Capture => {
            if !authorized {
                return Err(MerchantError::conflict(
                    "not_authorized",
                    format!("The order is {}; only an authorized order can be captured.", money.state.as_str()),
                ));
            }
            let left = money.capturable();
            if left == 0 && money.released == 0 {
                return Err(MerchantError::conflict(
                    "already_captured",
                    "Everything authorized is already captured (by a capture here, or by Amazon Pay itself with the \
                     authorization: payment intent AuthorizeWithCapture, --payone-authorization authorization). Nothing \
                     was sent; ship the order, and refund to give money back.",
                ));
            }
            if left == 0 {
                return Err(MerchantError::conflict("nothing_to_capture", "Nothing authorized is left to capture (fully captured or released)."));
            }
            let amount = ask.amount.unwrap_or(left);
            if amount > left {
                let limit = merchant::capture_limit(money.authorized, money.captured, money.released, &money.currency);
                let asked = merchant::amount_text(amount, &money.currency);
                return Err(MerchantError::unprocessable("amount_exceeds_authorized", format!("{asked} is too much. {limit}")));
            }
            Ok(amount)
        }
        Action::Refund => {
            if money.captured == 0 {
                return Err(MerchantError::conflict(
                    "not_captured",
                    "Nothing was captured, so nothing can be refunded; cancel releases an authorization.",
                ));
            }
            let left = money.refundable();
            if left == 0 {
                return Err(MerchantError::conflict("nothing_to_refund", "Everything captured has been refunded."));
            }
            let amount = ask.amount.unwrap_or(left);
            if amount > left {
                let limit = merchant::refund_limit(money.captured, money.refunded, &money.currency);
                let asked = merchant::amount_text(amount, &money.currency);
                return Err(MerchantError::unprocessable("amount_exceeds_captured", format!("{asked} is too much. {limit}")));
            }
            Ok(amount)
        }
        Action::Cancel => {
            if !authorized {
                return Err(MerchantError::conflict(
                    "not_authorized",
                    format!("The order is {}; only an authorized order can be cancelled.", money.state.as_str()),
                ));
            }
            let left = money.capturable();
            if left == 0 {
                return Err(MerchantError::conflict(
                    "nothing_to_release",
                    "Nothing authorized is left to release (fully captured or already cancelled).",
                ));
            }
            Ok(left)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_is_known_by_what_it_asks_not_by_how_its_json_is_written() {
        let ask = |body: &str| parse_body(Action::Refund, body.as_bytes()).unwrap();
        let of = |body: &str| fingerprint(Action::Refund, "O1", &ask(body));
        assert_eq!(of(r#"{"amount":500,"reason":"broken"}"#), of("{ \"reason\": \"broken\",\n  \"amount\": 500 }"));
        assert_ne!(of(r#"{"amount":500}"#), of(r#"{"amount":501}"#));
        assert_ne!(of(r#"{"amount":500}"#), of(r#"{"amount":500,"reason":""}"#));
        assert_ne!(of("{}"), of(r#"{"reason":""}"#));
        assert_ne!(fingerprint(Action::Capture, "O1", &ask("{}")), fingerprint(Action::Cancel, "O1", &ask("{}")));
        assert_ne!(fingerprint(Action::Refund, "O1", &ask("{}")), fingerprint(Action::Refund, "O2", &ask("{}")));
    }

    #[test]
    fn bodies_are_checked() {
        assert_eq!(parse_body(Action::Capture, b"").unwrap(), Ask { amount: None, reason: None });
        assert_eq!(parse_body(Action::Capture, b"{\"amount\": 500}").unwrap().amount, Some(500));
        assert_eq!(parse_body(Action::Refund, b"{\"amount\": 1, \"reason\": \"returned\"}").unwrap().reason.as_deref(), Some("returned"));
        for bad in ["{\"amount\": 0}", "{\"amount\": -5}", "{\"amount\": 1.5}", "{\"amount\": \"5\"}", "{\"amount\": null}"] {
            assert_eq!(parse_body(Action::Capture, bad.as_bytes()).unwrap_err().code, "invalid_amount", "{bad}");
        }
        for bad in ["[1]", "not json", "{\"reason\": \"x\"}", "{\"extra\": 1}"] {
            assert_eq!(parse_body(Action::Capture, bad.as_bytes()).unwrap_err().code, "invalid_body", "{bad}");
        }
        assert_eq!(parse_body(Action::Cancel, b"{\"amount\": 5}").unwrap_err().code, "invalid_body", "cancel releases everything left");
    }
}
