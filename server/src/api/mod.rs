//! The JSON API the widget calls (types from `amazon-pay-contract`), and PAYONE's notification receiver.

mod checkoutchamp;
mod apb;
pub mod cv1;
pub mod cv2;
mod json;
mod orders;
mod transaction_status;

use crate::app::AppState;
use amazon_pay_contract::routes;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use axum::Router;

pub use json::ApiJson;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(cv2::router())
        .merge(cv1::router())
        .route(routes::APB_ORDERS, post(apb::place))
        .route(routes::CHECKOUTCHAMP_ORDERS, post(checkoutchamp::import_order))
        .route(routes::CHECKOUTCHAMP_UPSALES, post(checkoutchamp::import_upsale))
        .route("/api/orders/{order_id}", get(orders::status))
        .route("/api/orders/{order_id}/return", get(orders::returned))
        .route(
            routes::PAYONE_TRANSACTION_STATUS,
            post(transaction_status::receive).layer(DefaultBodyLimit::max(transaction_status::MAX_BODY)),
        )
        // Requests from the widget are small JSON bodies.
        .layer(DefaultBodyLimit::max(64 * 1024))
}
