//! Confirming the order reference (inside Amazon's confirmation flow), the buyer's return from it, and the
//! authorization with `wallettype=AMZ`. One order per checkout however often the buyer clicks: placements of a
//! workorder are serialized by [`crate::orders::OrderLocks`], keys are unique, a live order is answered again.

use super::session::{check_reference, check_token, live_cv1, reference_details};
use super::{confirmation_undecided, decline_message, generic, send, Answer, Cv1OrderRow};
use crate::api::payone_calls::send_recorded_raw;
use crate::api::ApiJson;
use crate::config::AmazonMode;
use crate::error::AppError;
use crate::orders::{valid_idempotency_key, AbandonReason, OrderRecord, Provider};
use crate::payone::{PayoneError, PayoneResponse};
use crate::state::AppState;
use amazon_pay_contract::cv1::{AuthorizeRequest, ConfirmRequest, Cv1Decline, Cv1OrderResponse, Cv1Outcome};
use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::routes::{cv1_return, encode_segment};
use amazon_pay_contract::{ErrorCode, Language};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Redirect;
use serde::{Deserialize, Serialize};

/// What the authorization tells PAYONE about the buyer, read from `getorderreferencedetails` at confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct Buyer {
    pub email: String,
    pub billing: PostalAddress,
    pub shipping: PostalAddress,
}

/// A path on this server (`/cv1.html`): never a full URL, so the return cannot lead the buyer elsewhere.
fn valid_return_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path.len() <= 256
        && path.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'\\' | b'?' | b'#' | b'%' | b'"' | b'<' | b'>'))
}

/// Where Amazon's confirmation flow brings the buyer back to: the page that asked, `path` on the origin it is on.
/// A page of this server (or a request without `Origin`) keeps the path; a page on the shop's own origin gets the
/// absolute URL there, as that origin may have return pages (else a configuration error): the same path on this
/// server is not the shop's page (a 404, and the order never authorized).
fn return_target(state: &AppState, headers: &HeaderMap, path: &str) -> Result<String, AppError> {
    let header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    match header(header::ORIGIN) {
        Some(origin) if !crate::security::same_server(origin, header(header::HOST), &state.public_url) => {
            state.return_pages.on_origin(origin, path).map_err(|e| AppError::new(ErrorCode::Configuration, e.to_string()))
        }
        _ => Ok(path.to_owned()),
    }
}

/// `POST /api/cv1/sessions/{workorderId}/confirm`: `setorderreferencedetails` with the server's amount, then
/// `confirmorderreference`; the widget then calls `confirmationFlow.success()` or `.error()`.
pub(super) async fn confirm(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    headers: HeaderMap,
    ApiJson(request): ApiJson<ConfirmRequest>,
) -> Result<ApiJson<Cv1OrderResponse>, AppError> {
    let lang = request.language;
    let bad = |detail: &str| AppError::new(ErrorCode::BadRequest, detail.to_owned()).in_language(lang);
    if !valid_idempotency_key(&request.idempotency_key) {
        return Err(bad("idempotency_key must be 8 to 64 URL-safe characters"));
    }
    if !valid_return_path(&request.return_path) {
        return Err(bad("return_path must be a path on this server such as /cv1.html (no scheme, host, query or fragment)"));
    }
    check_reference(&request.amazon_order_reference_id, lang)?;
    check_token(&request.access_token, lang)?;
    let return_to = return_target(&state, &headers, &request.return_path).map_err(|e| e.in_language(lang))?;

    let placing = state.order_locks.lock(&workorder_id).await.map_err(|e| AppError::from(e).in_language(lang))?;
    // Several reads, not one snapshot, on purpose: under the placement lock no other placement writes, and the
    // writes that can still come (a notification moving an order) only make a later read see more, which is what
    // these checks want before reaching PAYONE.
    if let Some(existing) = state.store.order_by_key(&request.idempotency_key)? {
        if existing.workorder_id != workorder_id {
            return Err(bad("this idempotency_key belongs to another checkout"));
        }
        if !confirmation_undecided(&state, &existing)? {
            return crate::api::replay_order::<Cv1OrderResponse>(&existing, lang);
        }
    }
    let (checkout, row) = live_cv1(&state, &workorder_id, lang)?;
    if let Some(live) = state.store.orders_for_workorder(&workorder_id)?.into_iter().rev().find(|o| !o.allows_retry()) {
        // Another tab or key: a confirmation in progress is answered again, one PAYONE did not answer is asked
        // about again, anything later is shown as it is.
        if live.state == OrderState::Redirected {
            return crate::api::replay_order::<Cv1OrderResponse>(&live, lang);
        }
        if confirmation_undecided(&state, &live)? {
            placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
            return confirm_again(&state, live, &request.amazon_order_reference_id, lang).await;
        }
        return Ok(ApiJson(Cv1OrderResponse { order_id: live.id, outcome: Cv1Outcome::AlreadyPlaced }));
    }

    // Read the buyer's choice again: the address may have changed since the page showed it.
    let reference = &request.amazon_order_reference_id;
    let found = reference_details(&state, &checkout, &row, reference, &request.access_token, lang).await?;
    // The shop's address rules (CV1 has no deliverySpecifications; the buyer picks another address in the
    // AddressBook). A required phone number is not asked for here: the CV1 page has no room for the field.
    if let Some(problem) = state.config.address_rules.check(&found.shipping) {
        return Err(AppError::new(ErrorCode::BadRequest, format!("the address is refused: {}", problem.as_str()))
            .in_language(lang)
            .with_message(problem.form_message(lang)));
    }
    let buyer = Buyer {
        email: found.email.clone(),
        billing: found.billing.clone().unwrap_or_else(|| found.shipping.clone()),
        shipping: found.shipping.clone(),
    };
    let order = OrderRecord::placing(Provider::Payone, Some(&workorder_id), "cv1", &request.idempotency_key, checkout.amount);
    // Stored before PAYONE is called: whatever happens next, the store knows this attempt exists.
    // Still ours? (a lost lease must not place: another instance may be placing this checkout now)
    placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
    state.store.insert_order(&order).await?;
    state
        .store
        .insert_cv1_order(&Cv1OrderRow {
            order_id: order.id.clone(),
            amazon_reference_id: reference.clone(),
            return_path: return_to,
            buyer_json: serde_json::to_string(&buyer).unwrap_or_default(),
            authentication_status: None,
            authorize_json: None,
        })
        .await?;

    // `setorderreferencedetails` first: it only sets the draft order reference's total, moves no money, and may
    // be sent again by a new attempt, so whatever goes wrong with it fails this attempt cleanly.
    let decided = match set_details(&state, &order, reference, &request.access_token, lang).await {
        Ok(Answer::Ok(_)) => None,
        Ok(Answer::Declined { code, reason, detail }) => Some(Ok(Err((code, reason, detail)))),
        Err(err) => Some(Err(err)),
    };
    if let Some(decided) = decided {
        return finish_confirmation(&state, order, decided, lang).await;
    }
    let confirmed = confirm_reference(&state, &order, reference).await?;
    finish_confirmation_after(&state, order, confirmed, lang).await
}

type Decline = (ErrorCode, Option<Cv1Decline>, String);

/// `confirmorderreference` asked again for an attempt PAYONE did not answer ([`confirmation_undecided`]), with
/// the same `add_paydata[reference]` and return URLs: the details were set (that call was answered), and a
/// new attempt would meet an order reference the lost answer may have confirmed for this one. Any key of the
/// checkout gets here, as the widget's next press after an error has a new one.
async fn confirm_again(state: &AppState, order: OrderRecord, asked_for: &str, lang: Language) -> Result<ApiJson<Cv1OrderResponse>, AppError> {
    let missing = || AppError::new(ErrorCode::Internal, format!("order {}: no CV1 row", order.id)).in_language(lang);
    let row = state.store.cv1_order(&order.id)?.ok_or_else(missing)?;
    if row.amazon_reference_id != asked_for {
        return Err(AppError::new(ErrorCode::BadRequest, "this checkout's confirmation belongs to another order reference; start a new checkout")
            .in_language(lang));
    }
    let confirmed = confirm_reference(state, &order, &row.amazon_reference_id).await?;
    finish_confirmation_after(state, order, confirmed, lang).await
}

/// `setorderreferencedetails` with the server's amount.
async fn set_details(state: &AppState, order: &OrderRecord, reference: &str, token: &str, lang: Language) -> Result<Answer, AppError> {
    let mut set = generic(state, "setorderreferencedetails");
    set.set("workorderid", &order.workorder_id)
        .set("add_paydata[amazon_reference_id]", reference)
        .set("add_paydata[amazon_address_token]", token)
        .set("amount", order.amount.minor.to_string())
        .set("currency", order.amount.currency.code());
    send(state, "setorderreferencedetails", &set, lang).await
}

/// `confirmorderreference` with success and error URLs on this server; PAYONE's answer as it came.
async fn confirm_reference(state: &AppState, order: &OrderRecord, reference: &str) -> Result<Result<PayoneResponse, PayoneError>, AppError> {
    // With the order's token: only these URLs may change the order (`return_token.rs`).
    let path = cv1_return(&order.id);
    let back = |result: &str| crate::return_token::url(&state.public_url, &path, result, &state.config.payone.key, &order.id);
    let mut confirm = generic(state, "confirmorderreference");
    confirm
        .set("workorderid", &order.workorder_id)
        .set("add_paydata[amazon_reference_id]", reference)
        .set("add_paydata[reference]", &order.id)
        .set("amount", order.amount.minor.to_string())
        .set("currency", order.amount.currency.code())
        .set("successurl", back("success"))
        .set("errorurl", back("error"));
    send_recorded_raw(state, "confirmorderreference", &confirm).await
}

/// PAYONE's answer to `confirmorderreference`. One that is not PAYONE's (none in time, a 5xx, a broken
/// connection, garbage) leaves the attempt undecided: PAYONE may have confirmed the order reference for it,
/// which then takes no other attempt's details; the next confirmation asks again ([`confirm_again`]).
async fn finish_confirmation_after(
    state: &AppState,
    order: OrderRecord,
    sent: Result<PayoneResponse, PayoneError>,
    lang: Language,
) -> Result<ApiJson<Cv1OrderResponse>, AppError> {
    if let Err(err) = &sent {
        if crate::api::undecided::unanswered(err) {
            return Err(crate::api::undecided::leave(state, &order, OrderState::Placing, err, lang).await);
        }
    }
    let decided = match super::answer("confirmorderreference", sent, lang) {
        Ok(Answer::Ok(_)) => Ok(Ok(())),
        Ok(Answer::Declined { code, reason, detail }) => Ok(Err((code, reason, detail))),
        Err(err) => Err(err),
    };
    finish_confirmation(state, order, decided, lang).await
}

/// Stores how the confirmation ended and answers it: confirmed (the widget lets Amazon's flow go on),
/// declined, or failed (an error, the attempt `upstream_failed`: a new key may confirm again).
async fn finish_confirmation(
    state: &AppState,
    mut order: OrderRecord,
    decided: Result<Result<(), Decline>, AppError>,
    lang: Language,
) -> Result<ApiJson<Cv1OrderResponse>, AppError> {
    let outcome = match decided {
        Ok(Ok(())) => {
            order.state = OrderState::Redirected;
            order.decline = None;
            Cv1Outcome::Confirmed
        }
        Ok(Err((code, reason, detail))) => {
            tracing::info!(order = %order.id, %detail, "CV1 confirmation declined");
            order.state = OrderState::Declined;
            order.decline = Some(code);
            Cv1Outcome::Declined { code, reason, message: decline_message(code, reason, lang).to_owned() }
        }
        Err(err) => {
            order.state = OrderState::UpstreamFailed;
            order.decline = Some(err.code);
            state.store.finish_placing(&order).await?;
            return Err(err);
        }
    };
    let response = Cv1OrderResponse { order_id: order.id.clone(), outcome };
    order.response_json = serde_json::to_string(&response).ok();
    state.store.finish_placing(&order).await?;
    Ok(ApiJson(response))
}

#[derive(Debug, Deserialize)]
pub(super) struct ReturnQuery {
    result: String,
    /// Amazon appends it to the error URL: `Abandoned` (the buyer left MFA) or `Failure`.
    #[serde(rename = "AuthenticationStatus")]
    authentication_status: Option<String>,
    /// The order's token (`return_token.rs`); absent from URLs handed to PAYONE before tokens came.
    token: Option<String>,
}

fn with_params(path: &str, workorder_id: &str, order_id: &str, result: &str) -> String {
    format!("{path}?workorderId={}&order={}&result={result}", encode_segment(workorder_id), encode_segment(order_id))
}

/// `GET /api/cv1/orders/{orderId}/return?result=success|error&token=T[&AuthenticationStatus=…]`: PAYONE's `successurl`
/// and `errorurl`. Records how the buyer left the confirmation flow, marks an unfinished one abandoned, and
/// sends the buyer to the widget's page with `workorderId`, `order` and `result` (`success`, `abandoned`, `failed`).
pub(super) async fn returned(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    Query(query): Query<ReturnQuery>,
) -> Result<Redirect, AppError> {
    let trust = crate::return_token::trust(&state.config.payone.key, &order_id, query.token.as_deref())?;
    let not_found = || AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}"));
    // Two reads need no snapshot: what is used of them (the workorder, the return path) never changes.
    let order = state.store.order(&order_id)?.filter(|o| o.flow == "cv1").ok_or_else(not_found)?;
    let row = state.store.cv1_order(&order.id)?.ok_or_else(not_found)?;
    let _guard = state.order_locks.lock(&order.workorder_id).await?;
    let status = query.authentication_status.as_deref().map(|s| s.chars().filter(char::is_ascii_alphanumeric).take(32).collect::<String>());
    let result = match query.result.as_str() {
        "success" => {
            state.store.set_cv1_authentication(&order.id, status.as_deref().unwrap_or("Success")).await?;
            "success"
        }
        "error" => {
            let status = status.unwrap_or_else(|| "Failure".to_owned());
            let (reason, result) = if status == "Abandoned" {
                (AbandonReason::AuthenticationAbandoned, "abandoned")
            } else {
                (AbandonReason::BuyerReturnedError, "failed")
            };
            // Without the order's token the buyer is only sent on (`return_token::Trust::Legacy`).
            if trust == crate::return_token::Trust::Token {
                state.store.set_cv1_authentication(&order.id, &status).await?;
                state.store.abandon(&order.id, OrderState::Redirected, reason).await?;
            }
            result
        }
        other => return Err(AppError::new(ErrorCode::BadRequest, format!("unknown return result {other:?}"))),
    };
    if row.return_path.starts_with('/') {
        return Ok(Redirect::to(&with_params(&row.return_path, &order.workorder_id, &order.id, result)));
    }
    // The shop's page, checked again (the configuration may have changed since).
    let query = [("workorderId", order.workorder_id.as_str()), ("order", order.id.as_str()), ("result", result)];
    let location = state.return_pages.redirect(&row.return_path, &query).map_err(|e| AppError::new(ErrorCode::Configuration, e.to_string()))?;
    Ok(Redirect::to(&location))
}

/// `add_paydata[amazon_timeout]` for the configured mode: 0 waits for Amazon, 1440 lets it decide later.
fn amazon_timeout(mode: AmazonMode) -> &'static str {
    match mode {
        AmazonMode::Synchronous | AmazonMode::FirstSynchronous => "0",
        AmazonMode::Asynchronous => "1440",
    }
}

/// The stored authorization answer for a repeated call.
fn replay_authorize(row: &Cv1OrderRow, order: &OrderRecord, lang: Language) -> Result<Option<ApiJson<Cv1OrderResponse>>, AppError> {
    if let Some(json) = &row.authorize_json {
        return match serde_json::from_str::<Cv1OrderResponse>(json) {
            Ok(response) => Ok(Some(ApiJson(response))),
            Err(e) => Err(AppError::new(ErrorCode::Internal, format!("order {}: stored answer unreadable: {e}", order.id)).in_language(lang)),
        };
    }
    Ok(None)
}

/// `POST /api/cv1/orders/{orderId}/authorize`: the authorization of a confirmed order, once.
pub(super) async fn authorize(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    ApiJson(request): ApiJson<AuthorizeRequest>,
) -> Result<ApiJson<Cv1OrderResponse>, AppError> {
    let lang = request.language;
    let not_found = || AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}")).in_language(lang);
    let workorder_id = state.store.order(&order_id)?.filter(|o| o.flow == "cv1").ok_or_else(not_found)?.workorder_id;
    let _placing = state.order_locks.lock(&workorder_id).await?;
    // Read again under the lock: a concurrent call may have authorized meanwhile. Not one snapshot, on purpose:
    // the row read after the order sees a stored answer at least as late, and a stored answer is replayed.
    let mut order = state.store.order(&order_id)?.ok_or_else(not_found)?;
    let row = state.store.cv1_order(&order.id)?.ok_or_else(not_found)?;
    if let Some(answer) = replay_authorize(&row, &order, lang)? {
        return Ok(answer);
    }
    match order.state {
        OrderState::Redirected => {}
        // PAYONE did not answer in time: asked again, with the same reference.
        OrderState::Placing if order.undecided() => {}
        OrderState::Abandoned => {
            return Err(AppError::new(ErrorCode::BadRequest, format!("order {} was abandoned in Amazon's confirmation flow", order.id))
                .in_language(lang)
                .with_message(abandoned_message(lang)))
        }
        OrderState::Approved | OrderState::Pending | OrderState::Paid | OrderState::Failed | OrderState::Declined => {
            return Ok(ApiJson(Cv1OrderResponse { order_id: order.id, outcome: Cv1Outcome::AlreadyPlaced }))
        }
        OrderState::Placing | OrderState::UpstreamFailed => {
            let code = order.decline.unwrap_or(ErrorCode::UpstreamError);
            return Err(AppError::new(code, format!("order {} was never confirmed with PAYONE", order.id)).in_language(lang));
        }
    }
    if row.authentication_status.is_none() {
        // Amazon's confirmation flow (and its MFA) must come first; only its return marks the order.
        return Err(
            AppError::new(ErrorCode::BadRequest, format!("order {} has not come back from Amazon's confirmation flow", order.id)).in_language(lang)
        );
    }
    let buyer: Buyer = serde_json::from_str(&row.buyer_json).unwrap_or_default();
    let mode = state.config.payone_amazon_mode;
    let request_type = state.config.payone_authorization.request();
    let mut call = state.payone.request(request_type);
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMZ")
        .set("workorderid", &order.workorder_id)
        .set("reference", &order.id)
        .set("amount", order.amount.minor.to_string())
        .set("currency", order.amount.currency.code())
        .set("language", lang.code())
        .set("add_paydata[amazon_reference_id]", &row.amazon_reference_id)
        .set("add_paydata[amazon_timeout]", amazon_timeout(mode))
        .set("firstname", &buyer.billing.first_name)
        .set("lastname", &buyer.billing.last_name)
        .set("company", &buyer.billing.company)
        .set("street", &buyer.billing.street)
        .set("addressaddition", &buyer.billing.addition)
        .set("zip", &buyer.billing.zip)
        .set("city", &buyer.billing.city)
        .set("country", &buyer.billing.country)
        .set("email", &buyer.email)
        .set("shipping_firstname", &buyer.shipping.first_name)
        .set("shipping_lastname", &buyer.shipping.last_name)
        .set("shipping_company", &buyer.shipping.company)
        .set("shipping_street", &buyer.shipping.street)
        .set("shipping_zip", &buyer.shipping.zip)
        .set("shipping_city", &buyer.shipping.city)
        .set("shipping_country", &buyer.shipping.country);
    if mode == AmazonMode::Synchronous {
        // "Always synchronous": PAYONE cancels the order reference itself when Amazon times out.
        call.set("add_paydata[cancel_on_timeout]", "yes");
    }

    // The state the order was read in: only from it is it left undecided (a notification may settle it first).
    let (from, asking_again) = (order.state, order.undecided());
    let mut sent = send_recorded_raw(&state, request_type, &call).await?;
    if mode == AmazonMode::FirstSynchronous {
        if let Err(PayoneError::Declined { code, .. }) = &sent {
            if Cv1Decline::from_payone_code(code) == Some(Cv1Decline::TransactionTimedOut) {
                // "First synchronous, then asynchronous": the same authorization again; Amazon decides later.
                call.set("add_paydata[amazon_timeout]", "1440");
                sent = send_recorded_raw(&state, request_type, &call).await?;
            }
        }
    }
    if let Err(err) = &sent {
        // Any answer that is not PAYONE's: asked again with the same reference, PAYONE authorizes at most once.
        if crate::api::undecided::after(err, asking_again) {
            // PAYONE may have authorized: no other confirmation of this checkout authorizes while it is open.
            return Err(crate::api::undecided::leave(&state, &order, from, err, lang).await);
        }
    }
    let answer = super::answer(request_type, sent, lang);
    let outcome = match answer {
        Ok(Answer::Ok(response)) => {
            order.txid = response.get("txid").map(str::to_owned);
            order.userid = response.get("userid").map(str::to_owned);
            match response.status() {
                Some("APPROVED") => {
                    order.state = OrderState::Approved;
                    Cv1Outcome::Approved
                }
                Some("PENDING") => {
                    order.state = OrderState::Pending;
                    Cv1Outcome::Pending
                }
                status => {
                    order.state = OrderState::UpstreamFailed;
                    order.decline = Some(ErrorCode::UpstreamInvalid);
                    state.store.finish_placing(&order).await?;
                    return Err(AppError::new(ErrorCode::UpstreamInvalid, format!("PAYONE answered the CV1 authorization with status {status:?}"))
                        .in_language(lang));
                }
            }
        }
        Ok(Answer::Declined { code, reason, detail }) => {
            tracing::info!(order = %order.id, %detail, "CV1 authorization declined");
            order.state = OrderState::Declined;
            order.decline = Some(code);
            if reason == Some(Cv1Decline::ProcessingFailure) {
                cancel_reference(&state, &order, &row.amazon_reference_id, lang).await;
            }
            Cv1Outcome::Declined { code, reason, message: decline_message(code, reason, lang).to_owned() }
        }
        Err(err) => {
            order.state = OrderState::UpstreamFailed;
            order.decline = Some(err.code);
            state.store.finish_placing(&order).await?;
            return Err(err);
        }
    };
    let response = Cv1OrderResponse { order_id: order.id.clone(), outcome };
    state.store.finish_placing(&order).await?;
    if let Ok(json) = serde_json::to_string(&response) {
        state.store.set_cv1_authorize_answer(&order.id, &json).await?;
    }
    if let Some(txid) = &order.txid {
        // Notifications that overtook PAYONE's answer are applied now.
        state.store.reconcile(txid).await?;
    }
    Ok(ApiJson(response))
}

/// `cancelorderreference` after a processing failure (as PAYONE's plugins do); a failure here is only logged:
/// the buyer's answer does not depend on it.
async fn cancel_reference(state: &AppState, order: &OrderRecord, reference: &str, lang: Language) {
    let mut call = generic(state, "cancelorderreference");
    call.set("workorderid", &order.workorder_id).set("add_paydata[amazon_reference_id]", reference).set("add_paydata[reference]", &order.id);
    if let Err(err) = send(state, "cancelorderreference", &call, lang).await {
        tracing::warn!(order = %order.id, detail = %err.detail, "cancelorderreference failed");
    }
}

/// The buyer left Amazon's confirmation (MFA) without finishing.
fn abandoned_message(lang: Language) -> &'static str {
    match lang {
        Language::De => {
            "Sie haben die Bestätigung bei Amazon Pay nicht abgeschlossen. Bitte bestätigen Sie erneut oder wählen Sie eine andere Zahlungsart."
        }
        Language::En => "You did not finish confirming the payment with Amazon Pay. Please confirm again or choose another payment method.",
        Language::Fr => {
            "Vous n'avez pas terminé la confirmation avec Amazon Pay. Veuillez confirmer à nouveau ou choisir un autre moyen de paiement."
        }
        Language::It => "Non hai completato la conferma con Amazon Pay. Conferma di nuovo o scegli un altro metodo di pagamento.",
        Language::Es => "No has terminado la confirmación con Amazon Pay. Vuelve a confirmar o elige otro método de pago.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_paths_stay_on_this_server() {
        assert!(valid_return_path("/cv1.html"));
        assert!(valid_return_path("/funnel/step-2/checkout"));
        for bad in ["cv1.html", "//evil.example/x", "https://evil.example/", "/a?b=c", "/a#b", "/a\\b", "/a b", "/%2F%2Fevil", ""] {
            assert!(!valid_return_path(bad), "{bad}");
        }
    }

    #[test]
    fn the_mode_decides_amazon_timeout() {
        assert_eq!(amazon_timeout(AmazonMode::Synchronous), "0");
        assert_eq!(amazon_timeout(AmazonMode::FirstSynchronous), "0");
        assert_eq!(amazon_timeout(AmazonMode::Asynchronous), "1440");
    }

    #[test]
    fn the_french_sentence_puts_the_no_break_space_before_its_marks() {
        let fr = abandoned_message(Language::Fr);
        assert_eq!(amazon_pay_contract::french::french_spacing_fault(fr), None, "{fr:?}");
    }
}
