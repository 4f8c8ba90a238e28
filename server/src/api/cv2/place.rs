//! Placing the order: one (pre)authorization per checkout, however often "Place order" is clicked.

use super::live_checkout;
use super::review::fetch_details;
use crate::address_rules::AddressRules;
use crate::api::ApiJson;
use crate::error::AppError;
use crate::orders::{valid_idempotency_key, OrderRecord, Provider};
use crate::state::AppState;
use amazon_pay_contract::address::AddressProblem;
use amazon_pay_contract::cv2::{PlaceOrderOutcome, PlaceOrderRequest, PlaceOrderResponse};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use axum::extract::{Path, State};

/// `POST /api/cv2/sessions/{workorderId}/orders`.
pub(super) async fn place_order(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    ApiJson(request): ApiJson<PlaceOrderRequest>,
) -> Result<ApiJson<PlaceOrderResponse>, AppError> {
    let lang = request.language;
    if !valid_idempotency_key(&request.idempotency_key) {
        return Err(AppError::new(ErrorCode::BadRequest, "idempotency_key must be 8 to 64 URL-safe characters").in_language(lang));
    }
    let placing = state.order_locks.lock(&workorder_id).await.map_err(|e| AppError::from(e).in_language(lang))?;
    // The attempt this key made, else the checkout's live one (one placed order per checkout): its answer, or,
    // when PAYONE never told its outcome (no answer of its own: none in time, a 5xx, garbage), PAYONE asked again.
    let mut undecided = None;
    if let Some(existing) = state.store.order_by_key(&request.idempotency_key)? {
        if existing.workorder_id != workorder_id {
            return Err(AppError::new(ErrorCode::BadRequest, "this idempotency_key belongs to another checkout").in_language(lang));
        }
        match answer_of(&existing, lang) {
            Some(answer) => return answer,
            None => undecided = Some(existing),
        }
    }
    let checkout = live_checkout(&state, &workorder_id, lang)?;
    if undecided.is_none() {
        let attempts = state.store.orders_for_workorder(&workorder_id)?;
        if let Some(live) = attempts.into_iter().rev().find(|o| !o.allows_retry()) {
            match answer_of(&live, lang) {
                Some(answer) => return answer,
                None => undecided = Some(live),
            }
        }
    }

    let (details, _) = fetch_details(&state, &checkout, lang).await?;
    // The shop's rules, checked on the address as it is now (not as the review page showed it): a refused
    // address or a missing phone number places no order.
    let refused = |problem: AddressProblem| {
        AppError::new(ErrorCode::BadRequest, format!("the checkout cannot be ordered: {}", problem.as_str()))
            .in_language(lang)
            .with_message(problem.buyer_message(lang))
    };
    if let Some(problem) = details.address_problem {
        return Err(refused(problem));
    }
    let rules = &state.config.address_rules;
    let phone = match (&details.shipping_address, &details.billing_address) {
        (Some(shipping), _) => rules.phone(&shipping.phone, request.phone.as_deref()),
        // PayOnly: no delivery, so no phone is required; one the buyer typed is still checked.
        (None, billing) => AddressRules::default().phone(billing.as_ref().map_or("", |b| b.phone.as_str()), request.phone.as_deref()),
    }
    .map_err(refused)?;
    // Asked again, an undecided attempt keeps its order id: PAYONE's `reference`, which PAYONE takes once.
    let asking_again = undecided.is_some();
    let mut order = match undecided {
        Some(order) => order,
        None => OrderRecord::placing(Provider::Payone, Some(&workorder_id), "cv2", &request.idempotency_key, checkout.amount),
    };
    // Amazon's reference for the merchant (merchant API, webhooks): stored before the order, so even its
    // `order.placed` event carries it.
    state.store.set_amazon_checkout_session(&workorder_id, &details.amazon_checkout_session_id).await?;
    // Stored before PAYONE is called: whatever happens next, the store knows this attempt exists.
    // Still ours? (a lost lease must not place: another instance may be placing this checkout now)
    placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
    if !asking_again {
        state.store.insert_order(&order).await?;
    }

    let base = &state.public_url;
    // With the order's token: only these URLs may change the order (`return_token.rs`).
    let path = format!("/api/orders/{}/return", order.id);
    let back = |result: &str| crate::return_token::url(base, &path, result, &state.config.payone.key, &order.id);
    let billing = details.billing_address.as_ref().or(details.shipping_address.as_ref());
    let request_type = state.config.payone_authorization.request();
    let mut call = state.payone.request(request_type);
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("workorderid", &workorder_id)
        .set("reference", &order.id)
        .set("amount", order.amount.minor.to_string())
        .set("currency", order.amount.currency.code())
        .set("language", lang.code())
        .set("successurl", back("success"))
        .set("errorurl", back("error"))
        .set("backurl", back("back"))
        .set("email", &details.email)
        .set("telephonenumber", phone);
    if let Some(billing) = billing {
        call.set("firstname", &billing.first_name)
            .set("lastname", &billing.last_name)
            .set("company", &billing.company)
            .set("street", &billing.street)
            .set("addressaddition", &billing.addition)
            .set("zip", &billing.zip)
            .set("city", &billing.city)
            .set("country", &billing.country);
    }
    // PayOnly sends no shipping fields: PAYONE refuses an address with digital goods (its APB page says so).
    if let Some(shipping) = &details.shipping_address {
        call.set("shipping_firstname", &shipping.first_name)
            .set("shipping_lastname", &shipping.last_name)
            .set("shipping_company", &shipping.company)
            .set("shipping_street", &shipping.street)
            .set("shipping_zip", &shipping.zip)
            .set("shipping_city", &shipping.city)
            .set("shipping_country", &shipping.country);
    }

    let outcome = match crate::api::payone_calls::send_recorded_raw(&state, request_type, &call).await? {
        // PAYONE may have authorized what it did not answer (none in time, a 5xx, a broken connection, garbage;
        // or, asked again, it already has the attempt): the order stays `placing`, so no other key places this
        // checkout while its outcome is unknown. Asked again with the same reference, PAYONE authorizes once.
        Err(err) if crate::api::undecided::after(&err, asking_again) => {
            return Err(crate::api::undecided::leave(&state, &order, OrderState::Placing, &err, lang).await);
        }
        Err(err) => Err(crate::api::payone_calls::payone_error(err)),
        Ok(response) => Ok(response),
    };
    let outcome = match outcome {
        Ok(response) => {
            order.txid = response.get("txid").map(str::to_owned);
            order.userid = response.get("userid").map(str::to_owned);
            // The widget navigates the shop's page to it: a web address only (upstream_redirect.rs).
            let redirect = response.get("redirecturl").map(|url| crate::upstream_redirect::check(url, !state.is_sandbox()));
            match (response.status(), redirect) {
                (Some("REDIRECT"), Some(Ok(url))) => {
                    order.state = OrderState::Redirected;
                    PlaceOrderOutcome::Redirect { url }
                }
                (Some("APPROVED"), _) => {
                    order.state = OrderState::Approved;
                    PlaceOrderOutcome::Approved
                }
                (Some("PENDING"), _) => {
                    order.state = OrderState::Pending;
                    PlaceOrderOutcome::Pending
                }
                (status, redirect) => {
                    order.state = OrderState::UpstreamFailed;
                    order.decline = Some(ErrorCode::UpstreamInvalid);
                    state.store.finish_placing(&order).await?;
                    let why = match redirect {
                        Some(Err(bad)) => format!(" ({bad})"),
                        _ => String::new(),
                    };
                    return Err(AppError::new(
                        ErrorCode::UpstreamInvalid,
                        format!("PAYONE answered the preauthorization with status {status:?} and no usable redirect{why}"),
                    )
                    .in_language(lang));
                }
            }
        }
        Err(err) if matches!(err.code, ErrorCode::SoftDecline | ErrorCode::HardDecline) => {
            tracing::info!(order = %order.id, detail = %err.detail, "payment declined");
            order.state = OrderState::Declined;
            order.decline = Some(err.code);
            PlaceOrderOutcome::Declined { code: err.code, message: err.code.buyer_message(lang).to_owned() }
        }
        Err(err) => {
            order.state = OrderState::UpstreamFailed;
            order.decline = Some(err.code);
            state.store.finish_placing(&order).await?;
            return Err(err.in_language(lang));
        }
    };
    let response = PlaceOrderResponse { order_id: order.id.clone(), outcome };
    order.response_json = serde_json::to_string(&response).ok();
    state.store.finish_placing(&order).await?;
    if let Some(txid) = &order.txid {
        // Notifications that overtook PAYONE's answer are applied now.
        state.store.reconcile(txid).await?;
    }
    Ok(ApiJson(response))
}

/// The answer already due for `order` (the same key again, or another key of a checkout with a live order),
/// or `None` when its outcome is undecided and PAYONE must be asked again.
fn answer_of(order: &OrderRecord, lang: Language) -> Option<Result<ApiJson<PlaceOrderResponse>, AppError>> {
    if order.undecided() {
        return None;
    }
    if let Some(given_up) = crate::api::undecided::given_up(order, lang) {
        return Some(Err(given_up));
    }
    if order.response_json.is_some() || matches!(order.state, OrderState::Placing | OrderState::UpstreamFailed | OrderState::Abandoned) {
        return Some(crate::api::replay_order(order, lang));
    }
    // Undecided when asked, settled since by its TransactionStatus: what it is now.
    let outcome = match order.state {
        OrderState::Pending => PlaceOrderOutcome::Pending,
        OrderState::Declined | OrderState::Failed => {
            let code = order.decline.filter(|c| matches!(c, ErrorCode::SoftDecline | ErrorCode::HardDecline)).unwrap_or(ErrorCode::HardDecline);
            PlaceOrderOutcome::Declined { code, message: code.buyer_message(lang).to_owned() }
        }
        _ => PlaceOrderOutcome::Approved,
    };
    Some(Ok(ApiJson(PlaceOrderResponse { order_id: order.id.clone(), outcome })))
}
