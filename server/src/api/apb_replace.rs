//! A new APB placement from a tab that placed before (`ApbOrderRequest::replaces`): once the new order is
//! placed, the earlier one is given up at once if it still waits for the buyer, or linked to the new one if
//! it was given up before (`orders/replaced.rs`); a page paying again for its own given-up order that was
//! authorized after all gets that order instead (`retry`). A claim
//! that does not hold changes nothing and never fails the new placement; it is logged without its key.

use super::ApiJson;
use crate::error::AppError;
use crate::orders::replaced::{same_key, Replaced};
use crate::state::AppState;
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::orders::OrderState;

/// A page paying again after its own order was given up (`replaces.retry`), whose order was authorized after
/// all meanwhile (Amazon's late word): that order's answer (its confirmation page), and nothing is placed, so
/// one purchase is never paid twice. `None`: place as asked (no retry claim, a claim that does not hold, or
/// an order that moved no money).
pub(crate) fn authorized_meanwhile(state: &AppState, request: &ApbOrderRequest) -> Result<Option<ApiJson<ApbOrderResponse>>, AppError> {
    let Some(claim) = request.replaces.as_ref().filter(|c| c.retry) else { return Ok(None) };
    let Some(earlier) = state.store.order(&claim.order_id)? else { return Ok(None) };
    if earlier.flow != "apb" || !same_key(&earlier.idempotency_key, &claim.idempotency_key) {
        return Ok(None);
    }
    if !matches!(earlier.state, OrderState::Approved | OrderState::Pending | OrderState::Paid) {
        return Ok(None);
    }
    tracing::info!(order = %earlier.id, "a page paid again for an order authorized after all: that order, nothing placed");
    super::apb_replay::replay(state, &earlier, request.language).map(Some)
}

/// Gives up the order `request` replaces, for order `new_order`; what happened (`None`: nothing claimed).
pub(crate) async fn give_up_earlier(state: &AppState, request: &ApbOrderRequest, new_order: &str) -> Option<Replaced> {
    let claim = request.replaces.as_ref()?;
    match state.store.give_up_replaced(&claim.order_id, &claim.idempotency_key, new_order).await {
        Ok(Replaced::GivenUp) => {
            tracing::info!(order = %claim.order_id, by = %new_order, "order given up: its tab placed again");
            Some(Replaced::GivenUp)
        }
        Ok(Replaced::Linked) => {
            tracing::info!(order = %claim.order_id, by = %new_order, "a given-up order linked to the one its tab placed again");
            Some(Replaced::Linked)
        }
        Ok(refused @ (Replaced::Unknown | Replaced::WrongKey)) => {
            tracing::warn!(order = ?claim.order_id, by = %new_order, why = ?refused, "a placement claimed an order it did not place; nothing given up");
            Some(refused)
        }
        Ok(kept) => {
            tracing::debug!(order = %claim.order_id, by = %new_order, why = ?kept, "the replaced order is kept");
            Some(kept)
        }
        Err(err) => {
            // The new order is placed; the earlier one waits for the sweep (`redirect_expiry.rs`).
            tracing::warn!(order = %claim.order_id, by = %new_order, %err, "the replaced order was not given up; the sweep will");
            None
        }
    }
}
