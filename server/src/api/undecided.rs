//! A (pre)authorization PAYONE did not answer in time (CV2's placement, CV1's authorization): PAYONE may have
//! authorized it, so the attempt stays `placing`, marked `upstream_timeout` ([`OrderRecord::undecided`]), and
//! no other attempt of its checkout is authorized while it is. Asked again with the same `reference`, PAYONE
//! either takes it now or answers 911 (it has it: still undecided); its TransactionStatus, found by the
//! reference, settles it. APB is not here: its only answer is the button's payload, which the buyer needs to
//! authorize anything, so an APB attempt whose answer was lost can never move money (docs/api.md).

use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::payone::PayoneError;
use crate::state::AppState;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};

/// PAYONE's error code for a `reference` it already has ("Reference number already exists").
const DUPLICATE_REFERENCE: &str = "911";

/// Whether `err` leaves it open whether PAYONE authorized: no answer in time, or, asking again about such an
/// attempt, "Reference number already exists" (PAYONE has it, and its outcome comes with its TransactionStatus).
pub(crate) fn after(err: &PayoneError, asking_again: bool) -> bool {
    match err {
        PayoneError::Timeout(_) => true,
        _ => asking_again && duplicate_reference(err),
    }
}

fn duplicate_reference(err: &PayoneError) -> bool {
    matches!(err, PayoneError::Declined { code, .. } if code == DUPLICATE_REFERENCE)
}

/// Leaves `order` (read as `from`) undecided after `err`, and the buyer's answer: 504 `upstream_timeout` (the
/// widget keeps its key and asks again). Not when a notification settled it meanwhile (the next ask answers
/// that).
pub(crate) async fn leave(state: &AppState, order: &OrderRecord, from: OrderState, err: &PayoneError, lang: Language) -> AppError {
    let timeout = || AppError::new(ErrorCode::UpstreamTimeout, format!("order {}: {err}", order.id)).in_language(lang);
    tracing::warn!(order = %order.id, cause = %err, "placement undecided: PAYONE did not say whether it authorized");
    match state.store.leave_undecided(&order.id, from).await {
        Ok(true) => {}
        Ok(false) => tracing::info!(order = %order.id, "a notification settled the placement while PAYONE's answer was late"),
        Err(e) => return AppError::from(e).in_language(lang),
    }
    timeout()
}
