//! The JSON API the widget calls (types from `amazon-pay-contract`), and PAYONE's notification receiver.

pub mod amazon;
mod checkoutchamp;
mod apb;
mod apb_buyer;
pub mod cv1;
pub mod cv2;
mod json;
mod orders;
pub mod payone_calls;
mod transaction_status;

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
    use amazon_pay_contract::{orders::OrderState, ErrorCode};
    use crate::error::AppError;
    if matches!(order.state, OrderState::Placing | OrderState::UpstreamFailed) {
        let code = order.decline.unwrap_or(ErrorCode::UpstreamError);
        return Err(AppError::new(code, format!("order {} did not reach a result with PAYONE", order.id)).in_language(lang));
    }
    match order.response_json.as_deref().map(serde_json::from_str::<T>) {
        Some(Ok(response)) => Ok(ApiJson(response)),
        _ => Err(AppError::new(ErrorCode::Internal, format!("order {} has no stored answer", order.id)).in_language(lang)),
    }
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
        Router::new().route(
            routes::PAYONE_TRANSACTION_STATUS,
            post(transaction_status::receive).layer(DefaultBodyLimit::max(transaction_status::MAX_BODY)),
        )
    } else {
        Router::new()
    };
    router
        .merge(checkout)
        .merge(cv1::router(config.payone_enabled))
        .route(routes::CHECKOUTCHAMP_ORDERS, post(checkoutchamp::import_order))
        .route(routes::CHECKOUTCHAMP_UPSALES, post(checkoutchamp::import_upsale))
        .route("/api/orders/{order_id}", get(orders::status))
        .route("/api/orders/{order_id}/return", get(orders::returned))
        // Requests from the widget are small JSON bodies.
        .layer(DefaultBodyLimit::max(64 * 1024))
}
