//! APB with Amazon Pay direct: the order is stored first and the button's payload asks for the payment at once
//! (`checkoutMode: ProcessOrder` with the amount, intent and, for physical goods, the address); Amazon's pages
//! then send the buyer to the order's result URL (`result.rs`), which completes the session. Idempotent like
//! CV2 placement.

use super::cv2::{check_currency, intent, price, SCOPES};
use crate::api::ApiJson;
use crate::error::AppError;
use crate::orders::{valid_idempotency_key, OrderRecord, Provider};
use crate::state::AppState;
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::cv2::{DeliveryOption, ProductType};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::ErrorCode;
use amazon_pay_v2::button::{ButtonPayload, ButtonWebCheckoutDetails};
use amazon_pay_v2::models::{Address, MerchantMetadata, PaymentDetails};
use axum::extract::State;

/// `POST /api/apb/orders`.
pub(super) async fn place(State(state): State<AppState>, ApiJson(request): ApiJson<ApbOrderRequest>) -> Result<ApiJson<ApbOrderResponse>, AppError> {
    let amazon = super::account(&state)?;
    let lang = request.language;
    let bad = |detail: &str| AppError::new(ErrorCode::BadRequest, detail.to_owned()).in_language(lang);
    if !valid_idempotency_key(&request.idempotency_key) {
        return Err(bad("idempotency_key must be 8 to 64 URL-safe characters"));
    }
    let placing = state.order_locks.lock(&format!("apb:{}", request.idempotency_key)).await.map_err(|e| AppError::from(e).in_language(lang))?;
    if let Some(existing) = state.store.order_by_key(&request.idempotency_key)? {
        crate::api::same_apb_cart(&state, &existing, &request.items, lang)?;
        return crate::api::apb_replay::replay(&state, &existing, lang);
    }
    crate::api::apb_replay::refuse_new(&request)?;
    if let Some(earlier) = crate::api::apb_replace::authorized_meanwhile(&state, &request)? {
        return Ok(earlier);
    }
    let amount = state.catalogue.price(&request.items, DeliveryOption::default()).map_err(|e| bad(&e.to_string()))?;
    check_currency(amazon, amount).map_err(|e| e.in_language(lang))?;
    // The cart decides: digital goods only is PayOnly (no address sent), anything physical is PayAndShip.
    let product_type = state.catalogue.product_type(&request.items);
    let buyer = crate::api::apb_buyer::checked_buyer(&state, &request, product_type)?;
    let address = buyer.filter(|_| product_type == ProductType::PayAndShip).map(|b| {
        let a = &b.address;
        Address {
            name: Some(format!("{} {}", a.first_name.trim(), a.last_name.trim()).trim().to_owned()),
            address_line1: Some(a.street.clone()),
            address_line2: Some(a.addition.clone()).filter(|l| !l.trim().is_empty()),
            city: Some(a.city.clone()),
            state_or_region: Some(a.state.clone()).filter(|s| !s.trim().is_empty()),
            postal_code: Some(a.zip.clone()),
            country_code: Some(a.country.clone()),
            phone_number: Some(b.phone.clone()),
            ..Address::default()
        }
    });
    // APB has no checkout before the order: the order is its own reference at Amazon.
    let mut order = OrderRecord::placing(Provider::Amazon, None, "apb", &request.idempotency_key, amount);
    // Still ours? (a lost lease must not place: another instance may be placing this order now)
    placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
    state.store.insert_order(&order).await?;
    let pages = state.return_pages.pages(crate::return_urls::Flow::Apb).clone();
    let payload = ButtonPayload {
        web_checkout_details: ButtonWebCheckoutDetails {
            checkout_mode: Some("ProcessOrder".into()),
            checkout_result_return_url: Some(format!("{}{}", state.public_url, super::RESULT_PATH.replace("{order_id}", &order.id))),
            checkout_cancel_url: Some(crate::return_urls::with_query(&pages.cancel_url(), &[("order", &order.id)])),
            ..Default::default()
        },
        store_id: amazon.store_id.clone(),
        scopes: SCOPES.map(str::to_owned).to_vec(),
        payment_details: Some(PaymentDetails {
            payment_intent: Some(intent(&state)),
            can_handle_pending_authorization: Some(true),
            charge_amount: Some(price(amount)),
            ..Default::default()
        }),
        merchant_metadata: Some(MerchantMetadata { merchant_reference_id: Some(super::merchant_reference(&order.id)), ..Default::default() }),
        address_details: address,
        ..Default::default()
    };
    let result = ApbOrderResponse::Checkout {
        order_id: order.id.clone(),
        button: super::button_config(&state, amazon, &payload, order.id.clone(), amount, product_type, lang),
    };
    order.state = OrderState::Redirected;
    order.response_json = serde_json::to_string(&result).ok();
    state.store.finish_placing(&order).await?;
    crate::api::apb_replace::give_up_earlier(&state, &request, &order.id).await;
    Ok(ApiJson(result))
}
