//! The JSON API the widget calls. Request and response types come from `amazon-pay-contract`.

mod cv2;
mod json;

use crate::app::AppState;
use axum::routing::post;
use axum::Router;
use amazon_pay_contract::routes;

pub use json::ApiJson;

pub fn router() -> Router<AppState> {
    Router::new().route(routes::CV2_SESSIONS, post(cv2::create_session))
}
