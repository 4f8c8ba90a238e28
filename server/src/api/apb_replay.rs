//! An APB placement sent again with its idempotency key (a second click, or the page the browser's Back
//! brought back): the answer the key's order calls for now. While its buyer has not finished on Amazon's
//! pages, the same button again, which completes the same order; once past them (back through the success
//! URL, Amazon decided, or the order was given up), the order's confirmation page with its state, so that the
//! buyer is not sent through Amazon's checkout again for an order that is already placed or over.

use super::ApiJson;
use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::state::AppState;
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::cv2::ButtonConfig;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use serde::Deserialize;

/// The placement's stored answer, as every release stored it (`kind` came later and is not needed here).
#[derive(Deserialize)]
struct StoredCheckout {
    order_id: String,
    button: ButtonConfig,
}

/// The answer to key `existing.idempotency_key` sent again.
pub(crate) fn replay(state: &AppState, existing: &OrderRecord, lang: Language) -> Result<ApiJson<ApbOrderResponse>, AppError> {
    let no_result = || {
        let code = existing.decline.unwrap_or(ErrorCode::UpstreamError);
        AppError::new(code, format!("order {} did not reach a result", existing.id)).in_language(lang)
    };
    if matches!(existing.state, OrderState::Placing | OrderState::UpstreamFailed) {
        return Err(no_result());
    }
    // No stored answer: declined when placing (PAYONE's decline), said again as then.
    let stored = existing.response_json.as_deref().ok_or_else(no_result)?;
    if past_amazon(existing.state, || state.store.returned(&existing.id))? {
        let confirmation_url = confirmation_url(state, existing)?;
        return Ok(ApiJson(ApbOrderResponse::Placed { order_id: existing.id.clone(), state: existing.state, confirmation_url }));
    }
    let stored: StoredCheckout = serde_json::from_str(stored)
        .map_err(|e| AppError::new(ErrorCode::Internal, format!("order {} has an unreadable stored answer: {e}", existing.id)).in_language(lang))?;
    Ok(ApiJson(ApbOrderResponse::Checkout { order_id: stored.order_id, button: stored.button }))
}

/// A request that only asks (`replay_only`) for a key that placed nothing: 404, and nothing is placed.
pub(crate) fn refuse_new(request: &ApbOrderRequest) -> Result<(), AppError> {
    if !request.replay_only {
        return Ok(());
    }
    Err(AppError::new(ErrorCode::NotFound, "no order was placed with this idempotency_key (replay_only places nothing)")
        .in_language(request.language))
}

/// Whether an order in `order_state` is past Amazon's checkout: Amazon (or PAYONE) decided, or the buyer came
/// back through the success URL (`returned`, asked only for a `redirected` order). An order given up
/// (`abandoned`: cancelled or declined on Amazon's pages, never finished, replaced) is past it too: its button
/// is not offered again (its checkout is over, and reopening it could only revive an order the shop was told
/// is given up). The widget then pays again with a new key that names it (`replaces` with `retry`), so that
/// a late authorization of it is released (webhooks.md, "Orders that never come back").
fn past_amazon<E>(order_state: OrderState, returned: impl FnOnce() -> Result<bool, E>) -> Result<bool, E> {
    Ok(match order_state {
        OrderState::Approved | OrderState::Pending | OrderState::Paid | OrderState::Failed | OrderState::Declined | OrderState::Abandoned => true,
        OrderState::Redirected => returned()?,
        OrderState::Placing | OrderState::UpstreamFailed => false,
    })
}

/// The order's confirmation page, where the success URL sends its buyer; absolute (the widget's page may be
/// on the shop's origin).
fn confirmation_url(state: &AppState, order: &OrderRecord) -> Result<String, AppError> {
    let pages = state.return_pages.for_checkout(&state.store, &order.workorder_id, &order.flow)?;
    state.return_pages.absolute(&pages.confirmation, &[("order", &order.id)]).map_err(|e| AppError::new(ErrorCode::Configuration, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn past(order_state: OrderState, returned: bool) -> bool {
        past_amazon::<()>(order_state, || Ok(returned)).unwrap_or(false)
    }

    #[test]
    fn only_an_order_whose_buyer_is_still_on_amazons_pages_gets_its_button_again_not_a_given_up_one() {
        for decided in [OrderState::Approved, OrderState::Pending, OrderState::Paid, OrderState::Failed, OrderState::Declined, OrderState::Abandoned]
        {
            assert!(past(decided, false), "{decided:?}");
        }
        assert!(past(OrderState::Redirected, true), "back through the success URL");
        assert!(!past(OrderState::Redirected, false), "still on Amazon's pages (or Back from them)");
    }
}
