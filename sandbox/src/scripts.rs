//! The fake `checkout.js` and `Widgets.js`: same globals and API surface as Amazon's scripts.

use axum::http::header;
use axum::response::IntoResponse;

const CHECKOUT_JS: &str = include_str!("assets/checkout.js");
const WIDGETS_JS: &str = include_str!("assets/Widgets.js");

fn javascript(body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8"), (header::CACHE_CONTROL, "no-cache")], body)
}

pub(crate) async fn checkout_js() -> impl IntoResponse {
    javascript(CHECKOUT_JS)
}

pub(crate) async fn widgets_js() -> impl IntoResponse {
    javascript(WIDGETS_JS)
}
