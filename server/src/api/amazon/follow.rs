//! What Amazon's charge or refund says about one of our orders' money, learnt on the buyer's return
//! (`result.rs`) or from an IPN (`ipn.rs`). Serialized with the merchant API's money actions on the same order
//! (their lock), so a capture or refund the merchant API is recording right now is never counted twice.

use crate::amazon::states::captured_minor;
use crate::state::AppState;
use crate::store::StoreError;
use amazon_pay_v2::models::{Charge, Refund};

/// The lock the merchant API's money actions on `order_id` take (`merchant/money.rs`).
fn money_lock(order_id: &str) -> String {
    format!("merchant-order:{order_id}")
}

/// Records what Amazon captured of `charge` by itself (`AuthorizeWithCapture`, Seller Central), so the order
/// shows it captured and the merchant API refuses to capture it again.
pub(super) async fn capture(state: &AppState, order_id: &str, charge: &Charge) -> Result<bool, StoreError> {
    let Some(captured) = captured_minor(charge) else { return Ok(false) };
    let _money = state.order_locks.lock(&money_lock(order_id)).await?;
    state.store.record_amazon_capture(order_id, captured).await
}

/// Stores `refund`'s state; a declined refund gives its amount back to the order (once).
pub(super) async fn refund(state: &AppState, order_id: &str, refund: &Refund) -> Result<&'static str, StoreError> {
    let amount = refund.refund_amount.to_minor().and_then(|m| i64::try_from(m).ok()).unwrap_or_default();
    let state_name = format!("{:?}", refund.status_details.state);
    let reason = refund.status_details.reason_code.as_deref().unwrap_or("no reason given");
    let _money = state.order_locks.lock(&money_lock(order_id)).await?;
    let reversed = state.store.follow_amazon_refund(&refund.refund_id, order_id, amount, &state_name, reason).await?;
    Ok(if reversed { "declined refund given back" } else { "refund state stored" })
}
