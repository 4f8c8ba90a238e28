//! An order's status for the confirmation page, and the landing point of Amazon's return redirects.

use super::payone_calls::LangQuery;
use crate::api::ApiJson;
use crate::config::Authorization;
use crate::error::AppError;
use crate::state::AppState;
use amazon_pay_contract::orders::{BuyerPayment, OrderState, OrderStatus};
use amazon_pay_contract::ErrorCode;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use serde::Deserialize;

/// `GET /api/orders/{orderId}?lang=xx`.
pub(super) async fn status(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    Query(query): Query<LangQuery>,
) -> Result<ApiJson<OrderStatus>, AppError> {
    let lang = query.language();
    let order =
        state.store.order(&order_id)?.ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}")).in_language(lang))?;
    let decline = match order.state {
        OrderState::Declined => order.decline,
        // PAYONE's `failed` names its reason (`reasoncode`) when it can; else a hard decline.
        OrderState::Failed => order.decline.or(Some(ErrorCode::HardDecline)),
        _ => None,
    };
    // What the shop did with the money since (captured, cancelled, refunded): the buyer who reopens the page
    // reads that, not "approved". Only the buyer's part of the merchant's status (no amounts, no partial capture).
    let payment = state.store.payment_status(&order.id)?.and_then(BuyerPayment::of);
    // With a preauthorization `paid` only follows the merchant's capture; with an authorization it follows.
    // A cancel or a full refund ends the order whatever the provider's state.
    let settled = order.state.is_final()
        || order.state == OrderState::UpstreamFailed
        || (order.state == OrderState::Approved && state.config.payone_authorization == Authorization::Preauthorization)
        || matches!(payment, Some(BuyerPayment::Cancelled | BuyerPayment::Refunded));
    Ok(ApiJson(OrderStatus {
        settled,
        order_id: order.id,
        state: order.state,
        amount: order.amount,
        message: decline.map(|code| code.buyer_message(lang).to_owned()),
        decline,
        payment,
    }))
}

#[derive(Debug, Deserialize)]
pub(super) struct ReturnQuery {
    result: String,
    /// The order's token (`return_token.rs`); absent from URLs handed to PAYONE before tokens came.
    token: Option<String>,
}

/// `GET /api/orders/{orderId}/return?result=success|error|back&token=T`: where Amazon (through PAYONE) sends the
/// buyer after processing. Success goes to the confirmation page; error and back (for example abandoned
/// multi-factor authentication) mark a still-open order abandoned (with the order's token only: `return_token::Trust`)
/// and go back to the review page.
/// Notifications stay authoritative: a state they set is never overwritten here (a conditional update), and a
/// later `failed` or `appointed` still moves the abandoned order (`orders::next_state`).
pub(super) async fn returned(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    Query(query): Query<ReturnQuery>,
) -> Result<Redirect, AppError> {
    let trust = crate::return_token::trust(&state.config.payone.key, &order_id, query.token.as_deref())?;
    let order = state.store.order(&order_id)?.ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}")))?;
    // The shop's pages this checkout asked for, else its flow's configured ones; checked again on the way out.
    let pages = state.return_pages.for_checkout(&state.store, &order.workorder_id, &order.flow)?;
    let refused = |e: crate::return_urls::ReturnUrlError| AppError::new(ErrorCode::Configuration, e.to_string());
    let query_result = query.result.as_str();
    match query_result {
        "success" => {
            // PAYONE's word on it is on its way: a new placement of the same tab no longer gives it up, and the
            // APB button's key answers the confirmation page. Only the order's own URL says so: a tokenless one
            // (any page's `<img>`) would end the checkout of a buyer still on Amazon's pages.
            if trust == crate::return_token::Trust::Token {
                state.store.mark_returned(&order.id).await?;
            }
            Ok(Redirect::to(&state.return_pages.redirect(&pages.confirmation, &[("order", &order.id)]).map_err(refused)?))
        }
        "error" | "back" => {
            use crate::orders::AbandonReason::{BuyerCancelled, BuyerReturnedError};
            let reason = if query_result == "back" { BuyerCancelled } else { BuyerReturnedError };
            if trust == crate::return_token::Trust::Token {
                state.store.abandon(&order.id, OrderState::Redirected, reason).await?;
            }
            let mut query = vec![("workorderId", order.workorder_id.as_str()), ("order", order.id.as_str())];
            // PAYONE's `backurl`: the buyer cancelled on Amazon's pages (the error URL says no such thing); the
            // review page tells the shop's script `amazonpay:cancelled`.
            if query_result == "back" {
                query.push((amazon_pay_contract::routes::CANCEL_MARKER, "1"));
            }
            Ok(Redirect::to(&state.return_pages.redirect(&pages.review, &query).map_err(refused)?))
        }
        other => Err(AppError::new(ErrorCode::BadRequest, format!("unknown return result {other:?}"))),
    }
}
