//! The buyer's return from Amazon's pages (`checkoutResultReturnUrl?amazonCheckoutSessionId=S`): Complete
//! Checkout Session, then the charge's state decides the order's, and the buyer goes to the confirmation page
//! (or, declined or cancelled, back to the review page, which says why).

use super::calls::recorded;
use super::cv2::price;
use crate::amazon::errors::app_error;
use crate::amazon::states::{abandon_reason_for_canceled_session, advance, for_canceled_session, for_charge};
use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::state::AppState;
use crate::store::personal::AmazonPersonal;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::ErrorCode;
use amazon_pay_v2::models::{CheckoutSessionState, CompleteCheckoutSessionRequest};
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use serde::Deserialize;

/// `?amazonCheckoutSessionId=S`, as Amazon appends it.
#[derive(Debug, Deserialize)]
pub(super) struct ResultQuery {
    #[serde(rename = "amazonCheckoutSessionId")]
    amazon_checkout_session_id: String,
}

/// `GET /api/amazon/orders/{orderId}/result?amazonCheckoutSessionId=S`.
pub(super) async fn returned(
    State(state): State<AppState>,
    Path(order_id): Path<String>,
    Query(query): Query<ResultQuery>,
) -> Result<Redirect, AppError> {
    let amazon = super::account(&state)?;
    let session_id = query.amazon_checkout_session_id;
    let order = state.store.order(&order_id)?.ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}")))?;
    // The checkout's lock, as placing it: on PostgreSQL a lease, so a reload on another instance waits too.
    let _placing = state.order_locks.lock(&order.workorder_id).await?;
    // Read again under the lock: a second return (a reload) sees what the first one did.
    let mut order = state.store.order(&order_id)?.ok_or_else(|| AppError::new(ErrorCode::NotFound, format!("unknown order {order_id:?}")))?;
    match state.store.amazon_order(&order.id)? {
        Some(known) if known.checkout_session_id != session_id => {
            return Err(AppError::new(ErrorCode::BadRequest, "amazonCheckoutSessionId is not this order's checkout session"));
        }
        Some(_) => {}
        None => {
            // APB: the session was created by Amazon's button; it names the order as its reference.
            let session = recorded(&state, "getCheckoutSession", &session_id, amazon.client.get_checkout_session(&session_id))
                .await
                .map_err(|e| app_error(&e))?;
            if session.merchant_metadata.merchant_reference_id.as_deref() != Some(order.workorder_id.as_str()) {
                return Err(AppError::new(ErrorCode::BadRequest, "the Amazon checkout session names another order"));
            }
            // Read before completion, while Amazon still answers the buyer and addresses: kept with the order.
            state.store.insert_amazon_order(&order.id, &session_id, &AmazonPersonal::of(&session)).await?;
        }
    }
    // Given up because its tab placed again, and that order is live: completing it would charge the buyer
    // twice. Left uncompleted, Amazon cancels its session unused (`orders/replaced.rs`).
    if order.state == OrderState::Abandoned {
        if let Some(other) = state.store.live_replacement(&order.id)? {
            tracing::warn!(order = %order.id, %other, "a replaced order came back from Amazon's pages: not completed, the buyer paid with the other");
            return leave(&state, &order);
        }
    }
    // A late return of an order given up meanwhile (`redirected` for too long) is completed too: the buyer
    // did finish on Amazon's pages, and Amazon decides whether the session still can be.
    if matches!(order.state, OrderState::Redirected | OrderState::Abandoned) {
        complete(&state, amazon, &mut order, &session_id).await?;
    }
    leave(&state, &order)
}

/// Completes the session and moves the order to what its charge (or the session's cancellation) says.
async fn complete(state: &AppState, amazon: &crate::amazon::AmazonPay, order: &mut OrderRecord, session_id: &str) -> Result<(), AppError> {
    let body = CompleteCheckoutSessionRequest { charge_amount: price(order.amount), total_order_amount: None };
    // One key per order: a reload repeats the same completion, never a second one.
    let key = format!("{}-complete", order.id);
    let completed = recorded(state, "completeCheckoutSession", session_id, amazon.client.complete_checkout_session(session_id, &body, &key)).await;
    let session = match completed {
        Ok(session) => session,
        Err(err) => {
            // Declined, cancelled by the buyer (also: multi-factor authentication abandoned) or expired: the
            // session says which.
            let session = recorded(state, "getCheckoutSession", session_id, amazon.client.get_checkout_session(session_id)).await;
            match session {
                Ok(s) if s.status_details.state == CheckoutSessionState::Canceled => {
                    let reason = s.status_details.reason_code.as_deref().unwrap_or("");
                    let (to, decline) = for_canceled_session(reason);
                    tracing::info!(order = %order.id, reason = ?s.status_details.reason_code, "Amazon cancelled the checkout session");
                    if to == OrderState::Abandoned {
                        return give_up(state, order, abandon_reason_for_canceled_session(reason)).await;
                    }
                    return settle(state, order, to, decline).await;
                }
                Ok(s) if s.status_details.state == CheckoutSessionState::Completed => s,
                _ => return Err(app_error(&err)),
            }
        }
    };
    state.store.set_amazon_charge(&order.id, session.charge_permission_id.clone(), session.charge_id.clone()).await?;
    let Some(charge_id) = session.charge_id.clone() else {
        return Err(AppError::new(ErrorCode::UpstreamInvalid, "Amazon completed the checkout session without a charge"));
    };
    let charge = recorded(state, "getCharge", &charge_id, amazon.client.get_charge(&charge_id)).await.map_err(|e| app_error(&e))?;
    // AuthorizeWithCapture: Amazon has captured already; the merchant API must not capture again.
    super::follow::capture(state, &order.id, &charge).await?;
    match for_charge(&charge) {
        Some((to, decline)) => settle(state, order, to, decline).await,
        None => Ok(()),
    }
}

/// Moves `order` forward to `to` (with the decline's code), storing the change with its event.
async fn settle(state: &AppState, order: &mut OrderRecord, to: OrderState, decline: Option<ErrorCode>) -> Result<(), AppError> {
    let Some(next) = advance(order.state, to) else { return Ok(()) };
    order.state = next;
    if next == OrderState::Declined {
        order.decline = decline;
    }
    state.store.finish_placing(order).await?;
    Ok(())
}

/// Gives `order` up for `reason` (state and reason in one conditional update, with its event), if it may
/// still be given up (`advance`).
async fn give_up(state: &AppState, order: &mut OrderRecord, reason: crate::orders::AbandonReason) -> Result<(), AppError> {
    if advance(order.state, OrderState::Abandoned).is_none() {
        return Ok(());
    }
    if state.store.abandon(&order.id, order.state, reason).await? {
        order.state = OrderState::Abandoned;
    }
    Ok(())
}

/// Where the buyer goes: the confirmation page, or the review page for a decline or a cancelled session.
fn leave(state: &AppState, order: &OrderRecord) -> Result<Redirect, AppError> {
    let pages = state.return_pages.for_checkout(&state.store, &order.workorder_id, &order.flow)?;
    let refused = |e: crate::return_urls::ReturnUrlError| AppError::new(ErrorCode::Configuration, e.to_string());
    let target = match order.state {
        OrderState::Declined | OrderState::Abandoned if order.flow == "cv2" => {
            state.return_pages.redirect(&pages.review, &[("workorderId", order.workorder_id.as_str()), ("order", order.id.as_str())])
        }
        _ => state.return_pages.redirect(&pages.confirmation, &[("order", order.id.as_str())]),
    };
    Ok(Redirect::to(&target.map_err(refused)?))
}
