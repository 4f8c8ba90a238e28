//! What every money action of the merchant API shares, whoever moves the money (PAYONE: `money.rs`, Amazon
//! Pay direct: `amazon_money.rs`): the action, storing the payment with its event, and the JSON answer.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// Which money action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Capture,
    Refund,
    Cancel,
}

impl Action {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Action::Capture => "capture",
            Action::Refund => "refund",
            Action::Cancel => "cancel",
        }
    }
    /// The `order_payments.kind` it stores.
    pub(crate) fn kind(self) -> &'static str {
        match self {
            Action::Capture => "capture",
            Action::Refund => "refund",
            Action::Cancel => "release",
        }
    }
    pub(crate) fn event(self) -> &'static str {
        match self {
            Action::Capture => "order.captured",
            Action::Refund => "order.refunded",
            Action::Cancel => "order.cancelled",
        }
    }
}

/// The stored or fresh JSON answer of a money action (`Idempotent-Replayed: true` for a stored one).
pub(crate) fn json_response(status: StatusCode, body: &str, replayed: bool) -> Response {
    let mut response = (status, [(axum::http::header::CONTENT_TYPE, "application/json")], body.to_owned()).into_response();
    if replayed {
        response.headers_mut().insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// Stores money PAYONE or Amazon moved and its outbox event (kept by the store: Amazon's own captures and
/// declined refunds, learnt outside the merchant API, are stored the same way).
pub(crate) use crate::store::payments::record as record_payment;
