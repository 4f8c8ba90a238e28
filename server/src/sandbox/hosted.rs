//! Fake Amazon hosted pages and endpoints: the CV2 checkout pages, Login with Amazon, the profile API and
//! the JSON behind the fake CV1 widgets. Small server-rendered HTML; every interpolated value is escaped.

mod checkout;
mod login;
mod page;
mod widgets;

use crate::app::AppState;
use crate::sandbox::Sandbox;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use page::PageError;
use tower_http::cors::CorsLayer;

/// Routes under `/sandbox` (merged into [`super::router`]).
pub fn router() -> Router<AppState> {
    // Amazon's APIs answer cross-origin calls; so do these (no cookies are involved).
    let apis = Router::new()
        .route("/amazon/user/profile", get(login::profile))
        .route("/amazon/auth/o2/tokeninfo", get(login::tokeninfo))
        .route("/amazon/widgets/order-reference", post(widgets::order_reference))
        .route("/amazon/widgets/select", post(widgets::select))
        .route("/amazon/widgets/consent", post(widgets::consent))
        .route("/amazon/checkout/signout", get(checkout::signout))
        .layer(CorsLayer::permissive());
    Router::new()
        .route("/amazon/checkout/initiate", post(checkout::initiate))
        .route("/amazon/checkout/signin", post(checkout::signin))
        .route("/amazon/checkout/choose", post(checkout::choose))
        .route("/amazon/checkout/initiate_auth", get(checkout::initiate_auth))
        .route("/amazon/checkout/change", post(checkout::change))
        .route(checkout::PROCESS.trim_start_matches("/sandbox"), get(checkout::process).post(checkout::process_submit))
        .route("/amazon/ap/signin", get(login::signin_page).post(login::signin_submit))
        .route(widgets::CONFIRM.trim_start_matches("/sandbox"), get(widgets::confirm_page).post(widgets::confirm_submit))
        .merge(apis)
}

fn sandbox(state: &AppState) -> Result<&Sandbox, PageError> {
    state.sandbox.as_ref().ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "SandboxDisabled", "The sandbox is disabled."))
}

/// `303 See Other` to `url`; a URL no header can carry gets an error page instead of a panic.
fn see_other(url: &str) -> Response {
    match HeaderValue::try_from(url) {
        Ok(location) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))])
                .into_response()
        }
        Err(_) => PageError::bad_request("InvalidParameterValue", "The return URL cannot be used.").into_response(),
    }
}
