//! The order-review page's data: `getCheckoutSession` through PAYONE, and `updateCheckoutSession` when the
//! delivery option changes the total.

use super::{live_checkout, send_recorded, SESSION_LIFETIME_SECS};
use crate::api::payone_calls::{address, LangQuery};
use crate::api::ApiJson;
use crate::error::AppError;
use crate::payone::PayoneResponse;
use crate::state::AppState;
use crate::store::Checkout;
use amazon_pay_contract::cv2::{CartLine, CheckoutDetails, ProductType, UpdateDeliveryRequest};
use amazon_pay_contract::{ErrorCode, Language};
use axum::extract::{Path, Query, State};

/// Asks PAYONE for the session's buyer, addresses and payment, and combines them with the stored cart.
pub async fn fetch_details(state: &AppState, checkout: &Checkout, lang: Language) -> Result<(CheckoutDetails, PayoneResponse), AppError> {
    let mut call = state.payone.request("genericpayment");
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("add_paydata[action]", "getCheckoutSession")
        .set("workorderid", &checkout.workorder_id)
        .set("amount", checkout.amount.minor.to_string())
        .set("currency", checkout.amount.currency.code())
        .set("language", lang.code());
    let response = send_recorded(state, "getCheckoutSession", &call).await.map_err(|e| e.in_language(lang))?;
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    let product_type = state.catalogue.product_type(&items);
    let billing = address(&response, "billing");
    // PayOnly (digital goods): Amazon asks for no shipping address, and none is shown, checked or sent.
    let shipping_address = match product_type {
        ProductType::PayOnly => None,
        ProductType::PayAndShip => Some(
            address(&response, "shipping")
                .or_else(|| billing.clone())
                .ok_or_else(|| AppError::new(ErrorCode::UpstreamInvalid, "PAYONE's getCheckoutSession answer has no address").in_language(lang))?,
        ),
    };
    let rules = &state.config.address_rules;
    let address_problem = shipping_address.as_ref().and_then(|a| rules.check(a));
    let phone_required = rules.require_phone && shipping_address.as_ref().is_some_and(|a| a.phone.trim().is_empty());
    let amazon_checkout_session_id = response
        .paydata("amazonCheckoutSessionId")
        .ok_or_else(|| AppError::new(ErrorCode::UpstreamInvalid, "PAYONE's answer lacks amazonCheckoutSessionId").in_language(lang))?
        .to_owned();
    let holder = billing.as_ref().or(shipping_address.as_ref());
    let buyer_name = holder.map(|h| format!("{} {}", h.first_name, h.last_name).trim().to_owned()).unwrap_or_default();
    let order_id = state.store.orders_for_workorder(&checkout.workorder_id)?.into_iter().rev().find(|o| !o.allows_retry()).map(|o| o.id);
    let details = CheckoutDetails {
        workorder_id: checkout.workorder_id.clone(),
        amazon_checkout_session_id,
        buyer_name,
        email: response.paydata("email").unwrap_or_default().to_owned(),
        product_type,
        shipping_address,
        address_problem,
        phone_required,
        billing_address: billing,
        payment_descriptor: response.paydata("paymentDescriptor").map(str::to_owned),
        items: state.catalogue.describe(&items),
        delivery: checkout.delivery,
        delivery_fee: state.catalogue.delivery_charge(&items, checkout.delivery),
        delivery_prices: state.catalogue.delivery_prices(product_type),
        amount: checkout.amount,
        expires_at: checkout.created_at + SESSION_LIFETIME_SECS,
        order_id,
        script_url: super::script_url(state),
        sandbox: state.is_sandbox(),
    };
    Ok((details, response))
}

/// `GET /api/cv2/sessions/{workorderId}?lang=xx` (without the buyer once the order exists: `placed_review`).
pub async fn get_session(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<ApiJson<CheckoutDetails>, AppError> {
    let lang = query.language();
    let checkout = live_checkout(&state, &workorder_id, lang)?;
    let (details, _) = fetch_details(&state, &checkout, lang).await?;
    Ok(ApiJson(crate::api::placed_review::answer(details)))
}

/// `POST /api/cv2/sessions/{workorderId}/delivery`: re-prices the cart with the new delivery option and tells
/// PAYONE (`updateCheckoutSession`) before the order can be placed with the new total.
pub async fn update_delivery(
    State(state): State<AppState>,
    Path(workorder_id): Path<String>,
    ApiJson(request): ApiJson<UpdateDeliveryRequest>,
) -> Result<ApiJson<CheckoutDetails>, AppError> {
    let lang = request.language;
    let _placing = state.order_locks.lock(&workorder_id).await?;
    let mut checkout = live_checkout(&state, &workorder_id, lang)?;
    if state.store.orders_for_workorder(&workorder_id)?.iter().any(|o| !o.allows_retry()) {
        return Err(AppError::new(ErrorCode::BadRequest, "the order is already placed; its total cannot change").in_language(lang));
    }
    let items: Vec<CartLine> = serde_json::from_str(&checkout.items_json).unwrap_or_default();
    let amount = state
        .catalogue
        .price_chosen_delivery(&items, request.delivery)
        .map_err(|e| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang))?;
    if amount != checkout.amount {
        let mut call = state.payone.request("genericpayment");
        call.set("clearingtype", "wlt")
            .set("wallettype", "AMP")
            .set("add_paydata[action]", "updateCheckoutSession")
            .set("workorderid", &workorder_id)
            .set("amount", amount.minor.to_string())
            .set("currency", amount.currency.code());
        send_recorded(&state, "updateCheckoutSession", &call).await.map_err(|e| e.in_language(lang))?;
    }
    state.store.update_checkout_delivery(&workorder_id, request.delivery, amount).await?;
    checkout.delivery = request.delivery;
    checkout.amount = amount;
    let (details, _) = fetch_details(&state, &checkout, lang).await?;
    Ok(ApiJson(details))
}
