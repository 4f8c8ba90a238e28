//! APB: the buyer chose Amazon Pay at the end of the shop's own checkout. The (pre)authorization is sent
//! first, with `add_paydata[checkoutMode]=ProcessOrder`; PAYONE answers `REDIRECT` with the button's signed
//! payload, and the widget starts Amazon's checkout with it. Idempotent like CV2 placement.

use super::cv2::script_url;
use super::payone_calls::send_recorded;
use super::ApiJson;
use crate::error::AppError;
use crate::orders::{valid_idempotency_key, OrderRecord, Provider};
use crate::state::AppState;
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::cv2::{ButtonConfig, DeliveryOption, ProductType};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::ErrorCode;
use axum::extract::State;
use payone_wire::PAYONE_PUBLIC_KEY_ID;

/// `POST /api/apb/orders`.
pub(super) async fn place(State(state): State<AppState>, ApiJson(request): ApiJson<ApbOrderRequest>) -> Result<ApiJson<ApbOrderResponse>, AppError> {
    let lang = request.language;
    let bad = |detail: &str| AppError::new(ErrorCode::BadRequest, detail.to_owned()).in_language(lang);
    if !valid_idempotency_key(&request.idempotency_key) {
        return Err(bad("idempotency_key must be 8 to 64 URL-safe characters"));
    }
    let placing = state.order_locks.lock(&format!("apb:{}", request.idempotency_key)).await.map_err(|e| AppError::from(e).in_language(lang))?;
    if let Some(existing) = state.store.order_by_key(&request.idempotency_key)? {
        super::same_apb_cart(&state, &existing, &request.items, lang)?;
        return super::apb_replay::replay(&state, &existing, lang);
    }
    super::apb_replay::refuse_new(&request)?;
    if let Some(earlier) = super::apb_replace::authorized_meanwhile(&state, &request)? {
        return Ok(earlier);
    }
    let amount = state.catalogue.price(&request.items, DeliveryOption::default()).map_err(|e| bad(&e.to_string()))?;
    // The cart decides: digital goods only is PayOnly (no address sent), anything physical is PayAndShip.
    let product_type = state.catalogue.product_type(&request.items);
    let buyer = super::apb_buyer::checked_buyer(&state, &request, product_type)?;

    let mut order = OrderRecord::placing(Provider::Payone, None, "apb", &request.idempotency_key, amount);
    // The cart, as CV2 keeps it (the merchant API's and the webhooks' `items`): under the order's id until
    // PAYONE names the workorder, then moved with the order (`set_order_workorder`).
    state
        .store
        .insert_checkout(&crate::store::Checkout {
            workorder_id: order.id.clone(),
            flow: "apb".into(),
            amount,
            items_json: serde_json::to_string(&request.items).map_err(|e| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang))?,
            delivery: Default::default(),
            created_at: crate::store::now(),
        })
        .await?;
    // Still ours? (a lost lease must not place: another instance may be placing this checkout now)
    placing.confirm().await.map_err(|e| AppError::from(e).in_language(lang))?;
    state.store.insert_order(&order).await?;

    let base = &state.public_url;
    // With the order's token: only these URLs may change the order (`return_token.rs`).
    let path = format!("/api/orders/{}/return", order.id);
    let back = |result: &str| crate::return_token::url(base, &path, result, &state.config.payone.key, &order.id);
    let request_type = state.config.payone_authorization.request();
    let mut call = state.payone.request(request_type);
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("add_paydata[checkoutMode]", "ProcessOrder")
        .set("add_paydata[productType]", product_type.as_str())
        .set("reference", &order.id)
        .set("amount", amount.minor.to_string())
        .set("currency", amount.currency.code())
        .set("language", lang.code())
        .set("successurl", back("success"))
        .set("errorurl", back("error"))
        .set("backurl", back("back"));
    if let Some(b) = buyer {
        let a = &b.address;
        call.set("firstname", &a.first_name)
            .set("lastname", &a.last_name)
            .set("street", &a.street)
            .set("zip", &a.zip)
            .set("city", &a.city)
            .set("country", &a.country)
            .set("email", &b.email)
            .set("telephonenumber", &b.phone);
        if product_type == ProductType::PayAndShip {
            call.set("shipping_firstname", &a.first_name)
                .set("shipping_lastname", &a.last_name)
                .set("shipping_street", &a.street)
                .set("shipping_zip", &a.zip)
                .set("shipping_city", &a.city)
                .set("shipping_country", &a.country);
        }
    }
    let response = match send_recorded(&state, request_type, &call).await {
        Ok(r) => r,
        Err(err) => {
            order.state =
                if matches!(err.code, ErrorCode::SoftDecline | ErrorCode::HardDecline) { OrderState::Declined } else { OrderState::UpstreamFailed };
            order.decline = Some(err.code);
            state.store.finish_placing(&order).await?;
            return Err(err.in_language(lang));
        }
    };
    let missing = |field: &str| AppError::new(ErrorCode::UpstreamInvalid, format!("PAYONE's APB answer lacks {field}")).in_language(lang);
    let (Some("REDIRECT"), Some(payload), Some(signature), Some(workorder_id)) =
        (response.status(), response.paydata("payload"), response.paydata("signature"), response.get("workorderid"))
    else {
        order.state = OrderState::UpstreamFailed;
        order.decline = Some(ErrorCode::UpstreamInvalid);
        state.store.finish_placing(&order).await?;
        return Err(missing("status REDIRECT with payload, signature and workorderid"));
    };
    let sandbox = state.is_sandbox();
    let result = ApbOrderResponse::Checkout {
        order_id: order.id.clone(),
        button: ButtonConfig {
            workorder_id: workorder_id.to_owned(),
            merchant_id: state.config.amazon_merchant_id.clone(),
            public_key_id: response.paydata("publicKeyId").unwrap_or(PAYONE_PUBLIC_KEY_ID).to_owned(),
            payload_json: payload.to_owned(),
            signature: signature.to_owned(),
            sandbox,
            ledger_currency: amount.currency,
            checkout_language: lang.amazon_checkout_language().to_owned(),
            product_type,
            amount,
            script_url: script_url(&state),
            algorithm: None,
        },
    };
    order.state = OrderState::Redirected;
    order.txid = response.get("txid").map(str::to_owned);
    order.userid = response.get("userid").map(str::to_owned);
    order.response_json = serde_json::to_string(&result).ok();
    state.store.finish_placing(&order).await?;
    state.store.set_order_workorder(&order.id, workorder_id).await?;
    super::apb_replace::give_up_earlier(&state, &request, &order.id).await;
    Ok(ApiJson(result))
}
