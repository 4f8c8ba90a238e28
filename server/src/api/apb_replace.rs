//! A new APB placement from a tab that placed before (`ApbOrderRequest::replaces`): once the new order is
//! placed, the earlier one is given up at once if it still waits for the buyer (`orders/replaced.rs`). A claim
//! that does not hold changes nothing and never fails the new placement; it is logged without its key.

use crate::orders::replaced::Replaced;
use crate::state::AppState;
use amazon_pay_contract::apb::ApbOrderRequest;

/// Gives up the order `request` replaces, for order `new_order`; what happened (`None`: nothing claimed).
pub(crate) async fn give_up_earlier(state: &AppState, request: &ApbOrderRequest, new_order: &str) -> Option<Replaced> {
    let claim = request.replaces.as_ref()?;
    match state.store.give_up_replaced(&claim.order_id, &claim.idempotency_key, new_order).await {
        Ok(Replaced::GivenUp) => {
            tracing::info!(order = %claim.order_id, by = %new_order, "order given up: its tab placed again");
            Some(Replaced::GivenUp)
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
