//! The merchant API's capture, refund and cancel for Amazon Pay direct orders: Capture Charge (once per order:
//! Amazon captures a charge once), Create Refund, and Cancel Charge with Close Charge Permission (only the close
//! when part was captured). The merchant's
//! `Idempotency-Key` is Amazon's idempotency key too, so a retried request never moves money twice at Amazon
//! either. What Amazon accepted is stored with the call's record, the outbox event and the answer in one write;
//! Amazon's refusal is stored as the key's answer and among the order's refusals (its timeline); no answer is not
//! stored (retry with the same key).

use super::action::{json_response, record_payment, Action};
use super::MerchantError;
use crate::state::AppState;
use crate::store::db::params;
use crate::store::{merchant_marks, now, order_view, UpstreamCall};
use amazon_pay_v2::models::{CancelChargeRequest, CaptureChargeRequest, CloseChargePermissionRequest, CreateRefundRequest, Price};
use amazon_pay_v2::Error;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;

/// One checked money action on an Amazon order.
pub(super) struct Request<'a> {
    pub(super) id: &'a str,
    pub(super) action: Action,
    pub(super) amount: i64,
    pub(super) key: &'a str,
    pub(super) fingerprint: &'a str,
    pub(super) reason: Option<&'a str>,
}

/// Moves the money through Amazon and stores the outcome under the key.
pub(super) async fn act(state: &AppState, money: &order_view::Money, request: Request<'_>) -> Result<Response, MerchantError> {
    let Some(amazon) = state.amazon.as_ref() else {
        return Err(MerchantError::conflict(
            "provider_not_configured",
            "This order was placed with Amazon Pay direct, which this server is not configured for.",
        ));
    };
    let ids = state.store.amazon_order(request.id)?;
    let Some((charge_id, permission_id)) = ids.and_then(|o| Some((o.charge_id?, o.charge_permission_id))) else {
        return Err(MerchantError::conflict("not_authorized", "Amazon has no charge for this order."));
    };
    if request.action == Action::Capture && money.captured > 0 {
        return Err(captured_once(money, &charge_id, permission_id.as_deref()));
    }
    let price = Price::from_minor(request.amount.max(0) as u64, &money.currency);
    let client = &amazon.client;
    let result: Result<(Value, Option<(String, String)>), Error> = match request.action {
        Action::Capture => client
            .capture_charge(&charge_id, &CaptureChargeRequest { capture_amount: price, soft_descriptor: None }, request.key)
            .await
            .map(|c| (serde_json::to_value(c).unwrap_or_default(), None)),
        Action::Refund => client
            .create_refund(&CreateRefundRequest { charge_id: charge_id.clone(), refund_amount: price, soft_descriptor: None }, request.key)
            .await
            .and_then(|r| {
                // Declined at once: nothing is refunded, so it is Amazon's refusal (a later decline: `api/amazon/follow.rs`).
                if r.status_details.state == amazon_pay_v2::models::RefundState::Declined {
                    let reason_code = r.status_details.reason_code.clone().unwrap_or_else(|| "Declined".to_owned());
                    return Err(Error::Api { status: 422, reason_code, message: format!("refund {} was declined", r.refund_id) });
                }
                let refund = Some((r.refund_id.clone(), format!("{:?}", r.status_details.state)));
                Ok((serde_json::to_value(r).unwrap_or_default(), refund))
            }),
        Action::Cancel => cancel(client, &charge_id, permission_id.as_deref(), money.captured > 0, request.reason).await,
    };
    let (answer, outcome) = match &result {
        Ok((value, _)) => (value.to_string(), "ok".to_owned()),
        Err(err) => (String::new(), err.reason_code().map_or_else(|| err.to_string(), str::to_owned)),
    };
    let call = UpstreamCall::new("amazon", &format!("merchant-{}", request.action.name()), &charge_id, &answer, &outcome);
    let (key, fingerprint) = (request.key.to_owned(), request.fingerprint.to_owned());
    match result {
        Ok((_, refund)) => {
            if let Some((refund_id, refund_state)) = refund {
                state.store.upsert_amazon_refund(&refund_id, request.id, request.amount, &refund_state).await?;
            }
            let (id, reason, action, amount) = (request.id.to_owned(), request.reason.map(str::to_owned), request.action, request.amount);
            let sequence = money.sequencenumber + 1;
            let stored = state
                .store
                .record_upstream_call_then(call, move |c| {
                    record_payment(c, &id, action.kind(), amount, sequence, reason.as_deref(), action.event())?;
                    let order = order_view::order_json(c, &id)?.unwrap_or(Value::Null).to_string();
                    c.prepare_cached(
                        "INSERT INTO merchant_requests (idempotency_key, fingerprint, status, response, created_at) VALUES (?1, ?2, 200, ?3, ?4)",
                    )?
                    .execute(params![key, fingerprint, order, now()])?;
                    Ok(order)
                })
                .await?;
            Ok(json_response(StatusCode::OK, &super::orders::named_answer(state, &stored), false))
        }
        Err(Error::Api { reason_code, .. }) if request.action == Action::Capture && reason_code == "InvalidChargeStatus" => {
            // The charge is no longer Authorized: captured or cancelled at Amazon (Seller Central) before its IPN
            // came. Not the key's answer: what Amazon's charge says is recorded, and a retry is refused from that.
            state.store.record_upstream_call_then(call, |_| Ok(())).await?;
            Err(not_capturable(state, client, request.id, &charge_id).await?)
        }
        Err(Error::Api { status, reason_code, message }) if status < 500 && status != 429 => {
            let err = MerchantError::new(
                StatusCode::BAD_GATEWAY,
                "amazon_refused",
                format!("Amazon Pay refused the {}: {reason_code}: {message}", request.action.name()),
            );
            let response = err.body().to_string();
            // The merchant saw it: the order's timeline shows it too, as PAYONE's refusals (`money.rs`).
            let refusal = merchant_marks::Refusal::new("amazon", request.action.name(), request.amount, &format!("{reason_code}: {message}"));
            let order = request.id.to_owned();
            state
                .store
                .record_upstream_call_then(call, move |c| {
                    c.prepare_cached(
                        "INSERT INTO merchant_requests (idempotency_key, fingerprint, status, response, created_at) VALUES (?1, ?2, 502, ?3, ?4)",
                    )?
                    .execute(params![key, fingerprint, response, now()])?;
                    merchant_marks::insert_refusal(c, &order, &key, &refusal)
                })
                .await?;
            Err(err)
        }
        Err(other) => {
            state.store.record_upstream_call_then(call, |_| Ok(())).await?;
            Err(MerchantError::new(
                StatusCode::BAD_GATEWAY,
                "amazon_unavailable",
                format!("Amazon Pay gave no usable answer: {other}. Retry with the same Idempotency-Key."),
            ))
        }
    }
}

/// A second capture: Amazon captures a charge once; what is left of the order's authorization needs a new
/// charge on its charge permission (Create Charge), which this server does not make (refunds, IPNs and the
/// order's books follow one charge per order). Refused before Amazon is asked, saying what can be done.
fn captured_once(money: &order_view::Money, charge_id: &str, permission_id: Option<&str>) -> MerchantError {
    let permission = permission_id.map(|p| format!(" {p}")).unwrap_or_default();
    let text = |minor| amazon_pay_contract::merchant::amount_text(minor, &money.currency);
    MerchantError::conflict(
        "capture_needs_new_charge",
        format!(
            "Amazon Pay captures a charge once, and this order's charge {charge_id} was captured already ({} of the {} \
             authorized). The {} left would need a new charge on the order's charge permission{permission} (Amazon's Create \
             Charge), which this server does not make. Nothing was sent: cancel releases what is left (it closes the charge \
             permission), and the captured amount can be refunded.",
            text(money.captured),
            text(money.authorized),
            text(money.capturable())
        ),
    )
}

/// Why Amazon would not capture `charge_id` of order `order_id` (`InvalidChargeStatus`), as Get Charge says. A
/// charge Amazon captured already (in Seller Central, before its IPN reached this server) is recorded as the IPN
/// would record it, the order moved to paid: `409 already_captured`. Any other state: `409
/// charge_not_capturable` naming it. The order's money lock is held by the caller.
async fn not_capturable(state: &AppState, client: &amazon_pay_v2::Client, order_id: &str, charge_id: &str) -> Result<MerchantError, MerchantError> {
    let charge = client.get_charge(charge_id).await;
    let (answer, outcome) = match &charge {
        Ok(c) => (serde_json::to_string(c).unwrap_or_default(), "ok".to_owned()),
        Err(err) => (String::new(), err.reason_code().map_or_else(|| err.to_string(), str::to_owned)),
    };
    state.store.record_upstream_call_then(UpstreamCall::new("amazon", "getCharge", charge_id, &answer, &outcome), |_| Ok(())).await?;
    let charge = charge.map_err(|err| {
        MerchantError::new(
            StatusCode::BAD_GATEWAY,
            "amazon_unavailable",
            format!("Amazon Pay refused the capture (InvalidChargeStatus), and charge {charge_id} could not be read to say why: {err}. Retry with the same Idempotency-Key."),
        )
    })?;
    if let Some(captured) = crate::amazon::states::captured_minor(&charge) {
        state.store.record_amazon_capture(order_id, captured).await?;
        state.store.move_amazon_order(order_id, &charge).await?;
        return Ok(MerchantError::conflict(
            "already_captured",
            format!(
                "Amazon Pay had captured {} of charge {charge_id} already (in Seller Central, or with the \
                 authorization); the order now shows it. Nothing more was captured; ship the order, and refund to give money back.",
                amazon_pay_contract::merchant::amount_text(captured, &charge.charge_amount.currency_code)
            ),
        ));
    }
    let why = charge.status_details.reason_code.as_deref().map(|r| format!(" ({r})")).unwrap_or_default();
    Ok(MerchantError::conflict(
        "charge_not_capturable",
        format!(
            "Amazon Pay cannot capture charge {charge_id}: it is {:?}{why}, not Authorized. Nothing was captured; see the charge in Seller Central.",
            charge.status_details.state
        ),
    ))
}

/// Releases what is authorized and not captured: Cancel Charge (unless part was captured), then Close Charge
/// Permission so nothing more can be charged.
async fn cancel(
    client: &amazon_pay_v2::Client,
    charge_id: &str,
    permission_id: Option<&str>,
    partly_captured: bool,
    reason: Option<&str>,
) -> Result<(Value, Option<(String, String)>), Error> {
    let mut answer = serde_json::Map::new();
    if !partly_captured {
        let charge = client.cancel_charge(charge_id, &CancelChargeRequest { cancellation_reason: reason.map(str::to_owned) }).await?;
        answer.insert("charge".into(), serde_json::to_value(charge).unwrap_or_default());
    }
    if let Some(permission_id) = permission_id {
        let close = CloseChargePermissionRequest { closure_reason: reason.map(str::to_owned), cancel_pending_charges: Some(true) };
        let permission = client.close_charge_permission(permission_id, &close).await?;
        answer.insert("chargePermission".into(), serde_json::to_value(permission).unwrap_or_default());
    }
    Ok((Value::Object(answer), None))
}
