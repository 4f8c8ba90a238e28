//! Follows a CheckoutChamp order Amazon has not decided yet (`pending`), for the lander's follow-up and the
//! upsell page: reads its status from the backend (which only reads its store; the status sweep asks
//! CheckoutChamp), backing off, until it is decided, the view is gone, or a deadline passes. The lander's
//! sentence until then says this page shows the outcome (nobody e-mails the buyer: this server sends no mail),
//! so when the page stops asking undecided it is told (`late`) and says so.

use crate::client::Client;
use crate::interop::timers::sleep;
use crate::prelude::*;
use crate::views::skeleton::spawn;
use alloc::rc::Weak;
use amazon_pay_contract::checkoutchamp::{CrmOrderState, CrmOrderStatus, CrmStatusRequest};
use amazon_pay_contract::ErrorCode;

/// The first wait between two reads; each wait is half as long again, up to [`LONGEST_WAIT`].
const FIRST_WAIT: u32 = 1_000;
/// The longest wait between two reads.
const LONGEST_WAIT: u32 = 15_000;
/// How long a page asks: Amazon decides most pending authorizations within minutes (it may take a day; the
/// shop learns it from the status sweep).
const DEADLINE_MS: f64 = 10.0 * 60.0 * 1000.0;

/// The wait after `wait`.
fn next_wait(wait: u32) -> u32 {
    (wait.saturating_mul(3) / 2).min(LONGEST_WAIT)
}

/// Whether a refused read can never succeed by asking again (a token Amazon no longer takes, an order that is
/// not the buyer's, a request the server refuses): the page stops asking.
fn gives_up_on(code: Option<ErrorCode>) -> bool {
    matches!(code, Some(ErrorCode::NotFound | ErrorCode::SessionExpired | ErrorCode::BadRequest | ErrorCode::Configuration))
}

/// Reads the status of the order `request` names now, and again while it is `pending`; calls `decided` with the
/// view and the first other status, with `was_pending` (whether a read said `pending` first: the lander
/// imported it so, the upsell page may find it decided already); calls `late` (if any) when it stops asking
/// undecided (the deadline passed, or a refusal asking again cannot change). Holds the view only between two
/// waits, so an unmounted page stops it.
pub(super) fn follow<V: 'static>(
    me: &Weak<V>,
    client: Client,
    request: CrmStatusRequest,
    was_pending: bool,
    decided: fn(&V, CrmOrderState, bool),
    late: Option<fn(&V)>,
) {
    let me = me.clone();
    spawn(Box::pin(async move {
        let started = js_sys::Date::now();
        let (mut wait, mut was_pending) = (FIRST_WAIT, was_pending);
        loop {
            let answer = client.checkoutchamp_order_status(&request).await;
            let Some(view) = me.upgrade() else { return };
            match answer {
                Ok(state) if state.status == CrmOrderStatus::Pending => was_pending = true,
                Ok(state) => return decided(&view, state, was_pending),
                Err(err) if gives_up_on(err.api_error().map(|e| e.code)) => {
                    warn(&err.to_string(), "");
                    return late.into_iter().for_each(|late| late(&view));
                }
                Err(err) => warn(&err.to_string(), "; asking again"),
            }
            if js_sys::Date::now() - started > DEADLINE_MS {
                return late.into_iter().for_each(|late| late(&view));
            }
            drop(view);
            sleep(wait).await;
            wait = next_wait(wait);
        }
    }));
}

/// For the developer's console: the page keeps its sentence, nothing went wrong for the buyer.
fn warn(cause: &str, then: &str) {
    web_sys::console::warn_1(&["Amazon Pay order status: ", cause, then].concat().into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_to_the_longest_and_stay_there() {
        assert_eq!(next_wait(FIRST_WAIT), 1_500);
        let (mut wait, mut waited, mut reads) = (FIRST_WAIT, 0.0, 1);
        while waited <= DEADLINE_MS {
            waited += f64::from(wait);
            reads += 1;
            wait = next_wait(wait);
            assert!(wait <= LONGEST_WAIT);
        }
        assert_eq!(wait, LONGEST_WAIT);
        assert!(reads <= 50, "a page asks at most about 50 times: {reads}");
    }

    #[test]
    fn only_what_asking_again_cannot_change_stops_the_page() {
        for code in [ErrorCode::NotFound, ErrorCode::SessionExpired, ErrorCode::BadRequest, ErrorCode::Configuration] {
            assert!(gives_up_on(Some(code)), "{code:?}");
        }
        for code in [None, Some(ErrorCode::UpstreamError), Some(ErrorCode::Internal), Some(ErrorCode::Busy), Some(ErrorCode::UpstreamTimeout)] {
            assert!(!gives_up_on(code), "{code:?}");
        }
    }
}
