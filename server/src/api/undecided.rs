//! A (pre)authorization PAYONE did not answer (CV2's placement, CV1's authorization: none in time, a 5xx, a
//! broken connection, garbage): PAYONE may have authorized it, so the attempt stays `placing`, marked `upstream_timeout` ([`OrderRecord::undecided`]), and
//! no other attempt of its checkout is authorized while it is. Asked again with the same `reference`, PAYONE
//! either takes it now or answers 911 (it has it: still undecided); its TransactionStatus, found by the
//! reference, settles it. CV1's `confirmorderreference` is undecided the same way (asked again, it confirms the
//! same attempt), as its lost answer may have opened the order reference for that attempt alone. APB is not
//! here: its only answer is the button's payload, which the buyer needs to authorize anything, so an APB
//! attempt whose answer was lost (late, a 5xx, garbage) can never move money (docs/api.md).

use crate::error::AppError;
use crate::orders::OrderRecord;
use crate::payone::PayoneError;
use crate::state::AppState;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use std::time::Duration;

/// PAYONE's error code for a `reference` it already has ("Reference number already exists").
const DUPLICATE_REFERENCE: &str = "911";

/// How long after its placement an attempt PAYONE has (911) but never settled is taken for a lost redirect
/// and given up. An answer that approved it or left it pending comes with a TransactionStatus within seconds;
/// a redirect's (Amazon's page, for MFA) never does, as the buyer never got its address.
pub(crate) const LOST_REDIRECT_AFTER: Duration = Duration::from_secs(15 * 60);

/// Whether `err` leaves it open whether a placement's call moved money (CV2's, CV1's authorization and its
/// `confirmorderreference`): any answer that is not PAYONE's ([`unanswered`]), not only a timeout, or, asking
/// again about such an attempt, "Reference number already exists" (PAYONE has it, and its outcome comes with
/// its TransactionStatus). Safe, as asking again cannot act twice (the same `reference`); a CV2 attempt whose
/// lost answer was a `REDIRECT` is given up in [`leave`].
pub(crate) fn after(err: &PayoneError, asking_again: bool) -> bool {
    unanswered(err) || (asking_again && duplicate_reference(err))
}

/// Whether PAYONE may have acted on a request whose answer is not PAYONE's: none in time, a connection that
/// broke (perhaps after PAYONE read the request), a 5xx (PAYONE's, or a proxy's after PAYONE answered it), a
/// body that is not PAYONE's `key=value`. A 4xx is something in front of PAYONE refusing the request, and a
/// PAYONE `ERROR` is an answer: both decided.
pub(crate) fn unanswered(err: &PayoneError) -> bool {
    match err {
        PayoneError::Timeout(_) | PayoneError::Transport(_) | PayoneError::NoStatus(_) => true,
        PayoneError::HttpStatus(status) => *status >= 500,
        PayoneError::Declined { .. } => false,
    }
}

fn duplicate_reference(err: &PayoneError) -> bool {
    matches!(err, PayoneError::Declined { code, .. } if code == DUPLICATE_REFERENCE)
}

/// Leaves `order` (read as `from`) undecided after `err`, and the buyer's answer: 504 `upstream_timeout` (the
/// widget keeps its key and asks again). Not when a notification settled it meanwhile (the next ask answers
/// that). A CV2 attempt PAYONE has had for [`LOST_REDIRECT_AFTER`] with no word is given up instead
/// (`abandoned`, `placement_cut_off`): its lost answer was a redirect, which no press can bring back, so the
/// buyer is told to place the order again, which places a new attempt of the same checkout (if the first were
/// authorized after all, it would be released as a duplicate: `merchant/duplicates.rs`). CV1's authorization
/// never answers a redirect (its MFA came before, in Amazon's confirmation flow).
pub(crate) async fn leave(state: &AppState, order: &OrderRecord, from: OrderState, err: &PayoneError, lang: Language) -> AppError {
    let timeout = || AppError::new(ErrorCode::UpstreamTimeout, format!("order {}: {err}", order.id)).in_language(lang);
    if order.flow == "cv2" && duplicate_reference(err) {
        let before = crate::store::now().saturating_sub(i64::try_from(LOST_REDIRECT_AFTER.as_secs()).unwrap_or(i64::MAX));
        match state.store.give_up_undecided(&order.id, before).await {
            Ok(true) => {
                tracing::warn!(order = %order.id, "an undecided placement PAYONE never settled was given up: its redirect was lost");
                return given_up_error(&order.id, lang);
            }
            Ok(false) => {}
            Err(e) => return AppError::from(e).in_language(lang),
        }
    }
    tracing::warn!(order = %order.id, cause = %err, "placement undecided: PAYONE did not say whether it acted");
    match state.store.leave_undecided(&order.id, from).await {
        Ok(true) => {}
        Ok(false) => tracing::info!(order = %order.id, "a notification settled the placement while PAYONE's answer was late"),
        Err(e) => return AppError::from(e).in_language(lang),
    }
    timeout()
}

/// The answer for an undecided attempt that was given up (a lost redirect, or the `placing` sweep): place the
/// order again. `None` for any other order.
pub(crate) fn given_up(order: &OrderRecord, lang: Language) -> Option<AppError> {
    let undecided_once = order.decline == Some(ErrorCode::UpstreamTimeout) && order.response_json.is_none();
    (order.state == OrderState::Abandoned && undecided_once).then(|| given_up_error(&order.id, lang))
}

/// 502 `upstream_error` (a refusal that decided: the widget's next press is a new attempt) with [`place_again`].
fn given_up_error(order_id: &str, lang: Language) -> AppError {
    AppError::new(ErrorCode::UpstreamError, format!("order {order_id}: PAYONE has it (911) and never settled it; given up"))
        .in_language(lang)
        .with_message(place_again(lang))
}

/// The buyer's sentence once an attempt whose redirect was lost is given up.
fn place_again(lang: Language) -> &'static str {
    match lang {
        Language::De => "Der Zahlungsdienst hat Ihre Bestellung nicht rechtzeitig bestätigt, sie wurde nicht aufgegeben. Bitte bestellen Sie erneut.",
        Language::En => "The payment service did not confirm your order in time, so it was not placed. Please place your order again.",
        Language::Fr => {
            "Le service de paiement n'a pas confirmé votre commande à temps\u{a0}: elle n'a pas été passée. Veuillez passer votre commande à nouveau."
        }
        Language::It => {
            "Il servizio di pagamento non ha confermato il tuo ordine in tempo, quindi non è stato effettuato. Effettua di nuovo l'ordine."
        }
        Language::Es => "El servicio de pago no confirmó tu pedido a tiempo, así que no se ha realizado. Vuelve a realizar tu pedido.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn declined(code: &str) -> PayoneError {
        PayoneError::Declined { code: code.into(), message: "Reference number already exists".into(), customer_message: None }
    }

    #[test]
    fn any_answer_that_is_not_payones_leaves_it_open() {
        for open in [
            PayoneError::Timeout(std::time::Duration::from_millis(400)),
            PayoneError::HttpStatus(500),
            PayoneError::HttpStatus(503),
            PayoneError::Transport("connection closed before message completed".into()),
            PayoneError::NoStatus("<html>".into()),
        ] {
            assert!(after(&open, false), "{open:?}");
        }
        assert!(after(&declined("911"), true), "PAYONE has the attempt: still undecided");
        for decided in [declined("911"), declined("980"), PayoneError::HttpStatus(403)] {
            assert!(!after(&decided, false), "{decided:?}");
        }
        assert!(!after(&PayoneError::HttpStatus(400), true), "refused in front of PAYONE");
    }

    #[test]
    fn only_an_undecided_attempt_given_up_is_answered_place_again() {
        let mut order =
            OrderRecord::placing(crate::orders::Provider::Payone, Some("WO1"), "cv2", "key-00000001", amazon_pay_contract::Money::eur(100));
        order.decline = Some(ErrorCode::UpstreamTimeout);
        assert!(given_up(&order, Language::En).is_none(), "still undecided: asked again");
        order.state = OrderState::Abandoned;
        let err = given_up(&order, Language::Fr).expect("given up");
        assert_eq!(err.code, ErrorCode::UpstreamError);
        order.decline = None;
        assert!(given_up(&order, Language::En).is_none(), "abandoned on Amazon's pages: not this answer");
    }

    #[test]
    fn the_french_sentence_puts_the_no_break_space_before_its_marks() {
        let fr = place_again(Language::Fr);
        assert_eq!(amazon_pay_contract::french::french_spacing_fault(fr), None, "{fr:?}");
    }
}
