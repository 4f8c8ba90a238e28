//! The JSON API the widget calls (types from `amazon-pay-contract`), and PAYONE's notification receiver.

pub mod amazon;
mod apb;
mod apb_buyer;
mod apb_replace;
mod apb_replay;
mod checkoutchamp;
pub mod cv1;
pub mod cv2;
mod json;
mod orders;
pub mod payone_calls;
mod placed_review;
mod transaction_status;
mod undecided;

use crate::state::AppState;
use amazon_pay_contract::routes;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use json::ApiJson;

/// The answer already given for `order`, for a repeated request with its idempotency key: PAYONE's stored
/// answer, or the same error when the placement never reached a result.
pub(crate) fn replay_order<T: serde::de::DeserializeOwned>(
    order: &crate::orders::OrderRecord,
    lang: amazon_pay_contract::Language,
) -> Result<ApiJson<T>, crate::error::AppError> {
    use crate::error::AppError;
    use amazon_pay_contract::{orders::OrderState, ErrorCode};
    if matches!(order.state, OrderState::Placing | OrderState::UpstreamFailed) {
        let code = order.decline.unwrap_or(ErrorCode::UpstreamError);
        return Err(AppError::new(code, format!("order {} did not reach a result with PAYONE", order.id)).in_language(lang));
    }
    match order.response_json.as_deref().map(serde_json::from_str::<T>) {
        Some(Ok(response)) => Ok(ApiJson(response)),
        _ => Err(AppError::new(ErrorCode::Internal, format!("order {} has no stored answer", order.id)).in_language(lang)),
    }
}

/// An APB placement sent again with its idempotency key must ask for the same cart: the stored answer is the
/// first cart's button and amount, so another cart under that key is refused instead of being answered with a
/// payment for something else. The amount is compared always, the cart's lines where they are kept (PAYONE's
/// orders), as the merchant API refuses a key reused for another request.
pub(crate) fn same_apb_cart(
    state: &crate::state::AppState,
    existing: &crate::orders::OrderRecord,
    items: &[amazon_pay_contract::cv2::CartLine],
    lang: amazon_pay_contract::Language,
) -> Result<(), crate::error::AppError> {
    use crate::error::AppError;
    let amount = state.catalogue.price(items, amazon_pay_contract::cv2::DeliveryOption::default()).ok();
    let lines = state.store.checkout(&existing.workorder_id)?.map(|c| c.items_json);
    let same_lines = lines.is_none_or(|stored| serde_json::to_string(items).is_ok_and(|asked| asked == stored));
    if existing.flow == "apb" && amount == Some(existing.amount) && same_lines {
        return Ok(());
    }
    Err(AppError::new(
        amazon_pay_contract::ErrorCode::BadRequest,
        "this idempotency_key was already used for another cart; send a new key with a new cart",
    )
    .in_language(lang))
}

/// The answer of checkout `workorder_id`'s placed order, if it has one: one placed order per checkout, so
/// another tab or key gets the order that exists. Call it holding the checkout's lock.
pub(crate) fn replay_placed<T: serde::de::DeserializeOwned>(
    state: &crate::state::AppState,
    workorder_id: &str,
    lang: amazon_pay_contract::Language,
) -> Result<Option<ApiJson<T>>, crate::error::AppError> {
    let attempts = state.store.orders_for_workorder(workorder_id)?;
    attempts.iter().rev().find(|o| !o.allows_retry()).map(|live| replay_order(live, lang)).transpose()
}

/// Every route of the JSON API and the notification receivers. The seam between the providers: Checkout v2
/// and APB are served by PAYONE's handlers or by Amazon Pay direct's (`amazon/`), on the same paths with the
/// same contract, so the widget does not know which.
pub fn router(config: &crate::config::Config) -> Router<AppState> {
    let checkout = match config.provider {
        crate::config::amazon::Provider::Payone => cv2::router().route(routes::APB_ORDERS, post(apb::place)),
        crate::config::amazon::Provider::Amazon => amazon::router(),
    };
    let router = if config.payone_enabled {
        Router::new()
            .route(routes::PAYONE_TRANSACTION_STATUS, post(transaction_status::receive).layer(DefaultBodyLimit::max(transaction_status::MAX_BODY)))
    } else {
        Router::new()
    };
    router
        .merge(checkout)
        .merge(cv1::router(config.payone_enabled))
        .route(routes::CHECKOUTCHAMP_ORDERS, post(checkoutchamp::import_order))
        .route(routes::CHECKOUTCHAMP_UPSALES, post(checkoutchamp::import_upsale))
        .route(routes::CHECKOUTCHAMP_ORDER_STATUS, post(checkoutchamp::order_status))
        .route("/api/orders/{order_id}", get(orders::status))
        .route("/api/orders/{order_id}/return", get(orders::returned))
        // Requests from the widget are small JSON bodies.
        .layer(DefaultBodyLimit::max(64 * 1024))
}
