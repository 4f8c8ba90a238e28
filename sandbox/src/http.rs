//! The sandbox's routes, all in one table: the simulators and pages export handlers, only this module
//! assembles them (so no simulator needs the router's state type).

use crate::inspect::Inspector;
use crate::state::{Sandbox, SandboxState};
use crate::{amazon_v2, checkoutchamp_sim as crm, hosted, inspect, payone_sim, scripts};
use axum::routing::{any, get, post};
use axum::Router;
use std::sync::Arc;
use tower_http::cors::CorsLayer;

/// Every route of the sandbox, relative to where it is nested (the server nests it at `/sandbox`).
/// `inspector` is the window into the server's order store behind `/inspect/`.
pub fn router<S: Clone + Send + Sync + 'static>(sandbox: Arc<Sandbox>, inspector: Arc<dyn Inspector>) -> Router<S> {
    Router::new()
        .route("/payone/post-gateway/", post(payone_sim::post_gateway))
        .route("/payone/notifications", get(payone_sim::notifications))
        .route("/payone/transactions", get(payone_sim::transactions))
        .route("/payone/transactions/{txid}/refuse/{action}", post(payone_sim::refuse_route))
        .route("/amazon/checkout.js", get(scripts::checkout_js))
        .route("/amazon/Widgets.js", get(scripts::widgets_js))
        .route("/amazon-pay/sns/SimpleNotificationService-sandbox.pem", get(amazon_v2::notify::certificate))
        .route("/amazon-pay/{*rest}", any(amazon_v2::api))
        .route("/amazon/refunds/{refund_id}/decline", post(amazon_v2::decline_refund_route))
        .route("/amazon/charges/{charge_id}/seller-central/{action}", post(amazon_v2::seller_central_route))
        .route("/checkoutchamp/order/import/", post(crm::order_import))
        .route("/checkoutchamp/upsale/import/", post(crm::upsale_import))
        .route("/checkoutchamp/landers/clicks/import/", post(crm::click_import))
        .route("/checkoutchamp/leads/import/", post(crm::lead_import))
        .route("/checkoutchamp/order/query/", post(crm::order_query))
        .route("/checkoutchamp/order/confirm/", post(crm::order_confirm))
        .route("/checkoutchamp/order/refund/", post(crm::order_refund))
        .route("/checkoutchamp/order/cancel/", post(crm::order_cancel))
        .merge(hosted_pages())
        .route("/inspect/upstream-calls", get(inspect::upstream_calls))
        .route("/inspect/workorders/{workorder_id}/orders", get(inspect::orders))
        .route("/inspect/notifications", get(inspect::notifications))
        .route("/inspect/scenarios", get(inspect::scenarios))
        .with_state(SandboxState { sandbox, inspector })
}

/// The fake Amazon pages and APIs.
fn hosted_pages() -> Router<SandboxState> {
    use hosted::{checkout, login, widgets};
    // Amazon's APIs answer cross-origin calls; so do these (no cookies are involved).
    let apis = Router::new()
        .route("/amazon/user/profile", get(login::profile))
        .route("/amazon/auth/o2/tokeninfo", get(login::tokeninfo))
        .route("/amazon/widgets/order-reference", post(widgets::order_reference))
        .route("/amazon/widgets/select", post(widgets::select))
        .route("/amazon/widgets/consent", post(widgets::consent))
        .route("/amazon/checkout/signout", get(checkout::signout))
        .route("/amazon/keys/{public_key_id}", get(checkout::public_key))
        .layer(CorsLayer::permissive());
    Router::new()
        .route("/amazon/checkout/initiate", post(checkout::initiate))
        .route("/amazon/checkout/signin", post(checkout::signin))
        .route("/amazon/checkout/choose", post(checkout::choose))
        .route("/amazon/checkout/initiate_auth", get(checkout::initiate_auth))
        .route("/amazon/checkout/change", post(checkout::change))
        .route("/amazon/checkout/pay", get(hosted::pay::page).post(hosted::pay::submit))
        .route("/amazon/checkout/error", get(checkout::error_page))
        .route(checkout::PROCESS.trim_start_matches("/sandbox"), get(checkout::process).post(checkout::process_submit))
        .route("/amazon/ap/signin", get(login::signin_page).post(login::signin_submit))
        .route(widgets::CONFIRM.trim_start_matches("/sandbox"), get(widgets::confirm_page).post(widgets::confirm_submit))
        .merge(apis)
}
