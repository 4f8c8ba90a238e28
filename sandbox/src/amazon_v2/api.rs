//! The HTTP side of the simulator: one handler under `/sandbox/amazon-pay/` that checks the signature, replays
//! idempotent POSTs and dispatches to the store.

use super::store::ApiError;
use super::{render, AmazonV2Simulator, MOUNT};
use crate::scenario::Scenario;
use amazon_pay_v2::models as m;
use amazon_pay_v2::request::{self, ReceivedRequest, IDEMPOTENCY_HEADER};
use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::SystemTime;

fn json_response(status: u16, body: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn error_body(e: &ApiError) -> String {
    serde_json::json!({ "reasonCode": e.reason_code, "message": e.message }).to_string()
}

fn to_json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    let body = if body.is_empty() { b"{}".as_slice() } else { body };
    serde_json::from_slice(body).map_err(|e| ApiError::new(400, "InvalidRequestFormat", format!("The request body is not valid: {e}")))
}

/// The resource after `/v2/` of a path below the mount (`/v2/x`, `/sandbox/v2/x`); live is refused.
fn resource(path: &str) -> Result<&str, ApiError> {
    let rest = path.strip_prefix("/sandbox").unwrap_or(path);
    if rest.starts_with("/live/") {
        return Err(ApiError::new(400, "InvalidParameterValue", "The sandbox simulates Amazon's sandbox environment only, not live."));
    }
    rest.strip_prefix("/v2/").ok_or_else(|| ApiError::new(404, "ResourceNotFound", format!("No API at {path}")))
}

/// Every request below `/sandbox/amazon-pay/`.
pub(crate) async fn api(
    State(sim): State<AmazonV2Simulator>,
    method: Method,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let full = uri.path();
    let Some(at) = full.find(&format!("{MOUNT}/")) else {
        return json_response(404, error_body(&ApiError::not_found("API", full)));
    };
    let path = &full[at + MOUNT.len()..];
    let query: Vec<(String, String)> = uri.query().map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    let hs: Vec<(String, String)> = headers.iter().filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned()))).collect();
    let received = ReceivedRequest { method: method.as_str(), path, query: &query, headers: &hs, body: &body };
    let auth = match request::verify_request(&received, |id| sim.keys().get(id), amazon_pay_v2::date::unix_now(), request::MAX_SKEW_SECS) {
        Ok(a) => a,
        Err(e) => {
            let message = match &e {
                request::RequestAuthError::BadSignature(s) => format!("Unable to verify signature, signing String [{s}]"),
                other => other.to_string(),
            };
            return json_response(e.status(), serde_json::json!({"reasonCode": e.reason_code(), "message": message}).to_string());
        }
    };
    if auth.public_key_id.to_ascii_uppercase().starts_with("LIVE") {
        let e = ApiError::new(400, "InvalidParameterValue", "A LIVE- public key id cannot call Amazon's sandbox.");
        return json_response(e.status, error_body(&e));
    }
    let resource = match resource(path) {
        Ok(r) => r.to_owned(),
        Err(e) => return json_response(e.status, error_body(&e)),
    };
    let idempotency = headers.get(IDEMPOTENCY_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let fingerprint = format!("{method} {resource} {}", amazon_pay_v2::signing::sha256_hex(&body));
    if method == Method::POST {
        if let Some(key) = &idempotency {
            let stored = sim.lock().idempotency.get(&(auth.public_key_id.clone(), key.clone())).cloned();
            if let Some((print, status, body)) = stored {
                if print != fingerprint {
                    let e = ApiError::new(400, "DuplicateIdempotencyKey", "This idempotency key was used for another request.");
                    return json_response(e.status, error_body(&e));
                }
                return json_response(status, body);
            }
        }
    }
    let (status, out) = match dispatch(&sim, &method, &resource, &body, idempotency.is_some()).await {
        Ok((status, out)) => (status, out),
        Err(e) => (e.status, error_body(&e)),
    };
    if method == Method::POST && (200..300).contains(&status) {
        if let Some(key) = idempotency {
            sim.lock().idempotency.insert((auth.public_key_id, key), (fingerprint, status, out.clone()));
        }
    }
    if let Some(delay) = sim.lateness(&format!("{method} {resource}")) {
        tokio::time::sleep(delay).await;
    }
    json_response(status, out)
}

fn session_json(sim: &AmazonV2Simulator, id: &str) -> Result<String, ApiError> {
    let (v2, hosted) = sim.session(id).ok_or_else(|| ApiError::not_found("CheckoutSession", id))?;
    Ok(to_json(&render::checkout_session(&v2, &hosted, &sim.redirect_url(id))))
}

fn web_url(url: &Option<String>, field: &str) -> Result<(), ApiError> {
    match url {
        Some(u) if !(u.starts_with("https://") || u.starts_with("http://")) => {
            Err(ApiError::new(400, "InvalidParameterValue", format!("{field} must be an absolute http(s) URL.")))
        }
        _ => Ok(()),
    }
}

fn valid_price(p: &Option<m::Price>, field: &str) -> Result<(), ApiError> {
    match p {
        Some(price) if price.to_minor().is_none() || amazon_pay_contract::Currency::parse(&price.currency_code).is_none() => {
            Err(ApiError::new(400, "InvalidParameterValue", format!("{field} is not a valid amount.")))
        }
        _ => Ok(()),
    }
}

async fn dispatch(sim: &AmazonV2Simulator, method: &Method, resource: &str, body: &[u8], has_key: bool) -> Result<(u16, String), ApiError> {
    let parts: Vec<&str> = resource.split('/').collect();
    let now = SystemTime::now();
    let need_key = || if has_key { Ok(()) } else { Err(ApiError::new(400, "MissingHeader", format!("{IDEMPOTENCY_HEADER} is required."))) };
    {
        let changes = sim.lock().settle(now);
        if !changes.is_empty() {
            sim.after_change(changes);
        }
    }
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["checkoutSessions"]) => {
            need_key()?;
            let req: m::CheckoutSession = parse(&merge_id(body)?)?;
            web_url(&req.web_checkout_details.checkout_review_return_url, "checkoutReviewReturnUrl")?;
            let id = sim.open_session(
                req.store_id,
                req.web_checkout_details,
                req.payment_details,
                req.merchant_metadata,
                req.product_type.as_deref() == Some("PayOnly"),
            );
            Ok((201, session_json(sim, &id)?))
        }
        ("GET", ["checkoutSessions", id]) => Ok((200, session_json(sim, id)?)),
        ("PATCH", ["checkoutSessions", id]) => {
            let req: m::UpdateCheckoutSessionRequest = parse(body)?;
            let (v2, _) = sim.session(id).ok_or_else(|| ApiError::not_found("CheckoutSession", id))?;
            if v2.state != m::CheckoutSessionState::Open {
                return Err(ApiError::new(
                    422,
                    "InvalidCheckoutSessionStatus",
                    format!("You cannot update a checkout session in the {:?} state.", v2.state),
                ));
            }
            if let Some(w) = &req.web_checkout_details {
                web_url(&w.checkout_result_return_url, "checkoutResultReturnUrl")?;
            }
            if let Some(p) = &req.payment_details {
                valid_price(&p.charge_amount, "chargeAmount")?;
            }
            let mut store = sim.lock();
            if let Some(s) = store.sessions.get_mut(*id) {
                if let Some(w) = req.web_checkout_details {
                    if w.checkout_result_return_url.is_some() {
                        s.web.checkout_result_return_url = w.checkout_result_return_url;
                    }
                }
                if let Some(p) = req.payment_details {
                    let d = &mut s.payment_details;
                    d.payment_intent = p.payment_intent.or(d.payment_intent);
                    d.can_handle_pending_authorization = p.can_handle_pending_authorization.or(d.can_handle_pending_authorization);
                    d.charge_amount = p.charge_amount.or(d.charge_amount.take());
                    d.total_order_amount = p.total_order_amount.or(d.total_order_amount.take());
                    d.soft_descriptor = p.soft_descriptor.or(d.soft_descriptor.take());
                    d.presentment_currency = p.presentment_currency.or(d.presentment_currency.take());
                }
                if let Some(meta) = req.merchant_metadata {
                    s.merchant_metadata = meta;
                }
            }
            drop(store);
            Ok((200, session_json(sim, id)?))
        }
        ("POST", ["checkoutSessions", id, "complete"]) => {
            let req: m::CompleteCheckoutSessionRequest = parse(body)?;
            sim.session(id).ok_or_else(|| ApiError::not_found("CheckoutSession", id))?;
            match sim.scenario(id) {
                Scenario::UpstreamTimeout => {
                    tokio::time::sleep(sim.inner.upstream_hold).await;
                    return Err(ApiError::new(503, "ServiceUnavailable", "The service is temporarily unavailable."));
                }
                Scenario::UpstreamGarbage => return Err(ApiError::new(500, "InternalServerError", "<html>Internal error</html>")),
                _ => {}
            }
            let (status, changes) = sim.lock().complete(id, &req.charge_amount, sim.scenario(id), now, sim.inner.settle_delay)?;
            sim.after_change(changes);
            Ok((status, session_json(sim, id)?))
        }
        ("GET", ["chargePermissions", id]) => charge_permission(sim, id),
        ("DELETE", ["chargePermissions", id, "close"]) => {
            let req: m::CloseChargePermissionRequest = parse(body)?;
            let changes = sim.lock().close(id, req.closure_reason, req.cancel_pending_charges.unwrap_or(false))?;
            sim.after_change(changes);
            charge_permission(sim, id)
        }
        ("GET", ["charges", id]) => charge(sim, id),
        ("POST", ["charges", id, "capture"]) => {
            need_key()?;
            let req: m::CaptureChargeRequest = parse(body)?;
            let changes = sim.lock().capture(id, &req.capture_amount)?;
            sim.after_change(changes);
            charge(sim, id)
        }
        ("DELETE", ["charges", id, "cancel"]) => {
            let req: m::CancelChargeRequest = parse(body)?;
            let changes = sim.lock().cancel_charge(id, req.cancellation_reason)?;
            sim.after_change(changes);
            charge(sim, id)
        }
        ("POST", ["refunds"]) => {
            need_key()?;
            let req: m::CreateRefundRequest = parse(body)?;
            let (rid, changes) = sim.lock().refund(&req.charge_id, &req.refund_amount, now, sim.inner.settle_delay)?;
            sim.after_change(changes);
            let (_, out) = refund(sim, &rid)?;
            Ok((201, out))
        }
        ("GET", ["refunds", id]) => refund(sim, id),
        _ => Err(ApiError::new(404, "ResourceNotFound", format!("{method} /v2/{resource} is not an Amazon Pay API the sandbox simulates."))),
    }
}

/// Create Checkout Session bodies carry no id; give the parser one.
fn merge_id(body: &[u8]) -> Result<Vec<u8>, ApiError> {
    let mut v: serde_json::Value = parse(body)?;
    let obj = v.as_object_mut().ok_or_else(|| ApiError::new(400, "InvalidRequestFormat", "The body must be a JSON object."))?;
    obj.insert("checkoutSessionId".into(), "".into());
    obj.insert("statusDetails".into(), serde_json::json!({"state": "Open"}));
    Ok(v.to_string().into_bytes())
}

fn charge(sim: &AmazonV2Simulator, id: &str) -> Result<(u16, String), ApiError> {
    let store = sim.lock();
    let c = store.charges.get(id).ok_or_else(|| ApiError::not_found("Charge", id))?;
    Ok((200, to_json(&render::charge(c))))
}

fn refund(sim: &AmazonV2Simulator, id: &str) -> Result<(u16, String), ApiError> {
    let store = sim.lock();
    let r = store.refunds.get(id).ok_or_else(|| ApiError::not_found("Refund", id))?;
    Ok((200, to_json(&render::refund(r))))
}

fn charge_permission(sim: &AmazonV2Simulator, id: &str) -> Result<(u16, String), ApiError> {
    let (p, v2) = {
        let store = sim.lock();
        let p = store.permissions.get(id).cloned().ok_or_else(|| ApiError::not_found("ChargePermission", id))?;
        let v2 = store.sessions.get(&p.session_id).cloned();
        (p, v2)
    };
    let hosted = sim.inner.amazon.checkout_session(&p.session_id);
    Ok((200, to_json(&render::permission(&p, v2.as_ref(), hosted.as_ref()))))
}
