//! Fake Amazon hosted pages and endpoints: the CV2 checkout pages, Login with Amazon, the profile API and
//! the JSON behind the fake CV1 widgets. Small server-rendered HTML; every interpolated value is escaped.
//! Their routes are in [`crate::http`].

pub(crate) mod checkout;
pub(crate) mod login;
mod page;
pub(crate) mod pay;
pub(crate) mod widgets;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use page::PageError;

/// `303 See Other` to `url`; a URL no header can carry gets an error page instead of a panic.
fn see_other(url: &str) -> Response {
    match HeaderValue::try_from(url) {
        Ok(location) => {
            (StatusCode::SEE_OTHER, [(header::LOCATION, location), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))]).into_response()
        }
        Err(_) => PageError::bad_request("InvalidParameterValue", "The return URL cannot be used.").into_response(),
    }
}
