//! Checkout v2 through PAYONE: session, review, delivery update, order placement.

mod create;
mod place;
pub mod review;

use super::payone_calls::{live_checkout, send_recorded, send_recorded_session, SESSION_LIFETIME_SECS};
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

pub use create::AMAZON_EU_CHECKOUT_JS;

/// The CV2 routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(amazon_pay_contract::routes::CV2_SESSIONS, post(create::create_session))
        .route("/api/cv2/sessions/{workorder_id}", get(review::get_session))
        .route("/api/cv2/sessions/{workorder_id}/delivery", post(review::update_delivery))
        .route("/api/cv2/sessions/{workorder_id}/orders", post(place::place_order))
}

/// `checkout.js` for this server's mode: Amazon's own live, the sandbox's fake otherwise.
pub fn script_url(state: &AppState) -> String {
    if state.is_sandbox() {
        format!("{}/sandbox/amazon/checkout.js", state.public_url)
    } else {
        AMAZON_EU_CHECKOUT_JS.to_owned()
    }
}
