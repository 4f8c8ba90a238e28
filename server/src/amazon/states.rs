//! Amazon's object states as the order's state: what a charge's state (after Complete Checkout Session, or
//! learnt through an IPN and Get Charge) and a cancelled session's reason mean for the order, moved forward only.

use super::errors::code_for_reason;
use crate::orders::AbandonReason;
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::ErrorCode;
use amazon_pay_v2::models::{Charge, ChargeState};

/// Where the charge puts the order, with the decline's code for a declined charge. `None`: the state says
/// nothing about the order (a cancel the merchant asked for, an unknown state).
pub fn for_charge(charge: &Charge) -> Option<(OrderState, Option<ErrorCode>)> {
    let reason = charge.status_details.reason_code.as_deref().unwrap_or("");
    Some(match charge.status_details.state {
        ChargeState::AuthorizationInitiated => (OrderState::Pending, None),
        ChargeState::Authorized | ChargeState::CaptureInitiated => (OrderState::Approved, None),
        ChargeState::Captured => (OrderState::Paid, None),
        ChargeState::Declined => (OrderState::Declined, Some(decline_code(reason))),
        // Expired unused or cancelled by Amazon before it was authorized: the payment failed. A cancel after
        // authorization is the merchant's release, recorded as a payment, not a state.
        ChargeState::Canceled if reason != "MerchantCanceled" => (OrderState::Failed, None),
        ChargeState::Canceled | ChargeState::Unknown => return None,
    })
}

/// What Amazon has captured of `charge`, in minor units, once its capture is under way or done; `None` before.
/// With `AuthorizeWithCapture` Amazon captures by itself and may leave `captureAmount` out: then all of it.
pub fn captured_minor(charge: &Charge) -> Option<i64> {
    match charge.status_details.state {
        ChargeState::Captured | ChargeState::CaptureInitiated => {
            charge.capture_amount.as_ref().unwrap_or(&charge.charge_amount).to_minor().and_then(|m| i64::try_from(m).ok())
        }
        _ => None,
    }
}

/// A declined charge's reason as the widget's decline code (a hard decline unless Amazon says soft).
fn decline_code(reason: &str) -> ErrorCode {
    match code_for_reason(reason) {
        ErrorCode::SoftDecline => ErrorCode::SoftDecline,
        _ => ErrorCode::HardDecline,
    }
}

/// The order's state after Amazon cancelled the checkout session for `reason` (Get Checkout Session's
/// `statusDetails.reasonCode`): the buyer left (cancelled, multi-factor authentication abandoned, expired), or
/// the payment was declined.
pub fn for_canceled_session(reason: &str) -> (OrderState, Option<ErrorCode>) {
    match reason {
        "Declined" | "HardDeclined" | "AmazonRejected" | "ProcessingFailure" => (OrderState::Declined, Some(ErrorCode::HardDecline)),
        "SoftDeclined" => (OrderState::Declined, Some(ErrorCode::SoftDecline)),
        _ => (OrderState::Abandoned, None),
    }
}

/// Why an order is given up when Amazon cancelled its checkout session for `reason` (and
/// [`for_canceled_session`] says `abandoned`).
pub fn abandon_reason_for_canceled_session(reason: &str) -> AbandonReason {
    match reason {
        "BuyerCanceled" => AbandonReason::BuyerCancelled,
        "Expired" => AbandonReason::SessionExpired,
        _ => AbandonReason::AmazonCancelled,
    }
}

/// The state `current` moves to when Amazon says `target`; `None` when it stays (final states never move, an
/// approval never goes back to pending, a decline after pending is a failure). `abandoned` is the one final
/// state that moves: it is this server's conclusion (the buyer left, or never came back in time), so what
/// Amazon says of the charge or session afterwards wins, money that moved above all.
pub fn advance(current: OrderState, target: OrderState) -> Option<OrderState> {
    use OrderState::*;
    let next = match (current, target) {
        (c, t) if c == t => return None,
        (Placing | Redirected, t) => t,
        (Abandoned, t @ (Pending | Approved | Paid | Declined | Failed)) => t,
        (Pending, Declined) => Failed,
        (Pending, t @ (Approved | Paid | Failed)) => t,
        (Approved, Paid) => Paid,
        _ => return None,
    };
    Some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use amazon_pay_v2::models::{Price, StatusDetails};

    fn charge(state: ChargeState, reason: Option<&str>) -> Charge {
        Charge {
            charge_id: "C".into(),
            charge_permission_id: "P".into(),
            charge_amount: Price::from_minor(100, "EUR"),
            capture_amount: None,
            refunded_amount: None,
            soft_descriptor: None,
            status_details: StatusDetails { state, reason_code: reason.map(str::to_owned), reason_description: None, last_updated_timestamp: None },
            creation_timestamp: None,
            expiration_timestamp: None,
            release_environment: None,
        }
    }

    #[test]
    fn charges_move_orders_forward_only() {
        use OrderState::*;
        assert_eq!(for_charge(&charge(ChargeState::Authorized, None)), Some((Approved, None)));
        assert_eq!(for_charge(&charge(ChargeState::AuthorizationInitiated, None)), Some((Pending, None)));
        assert_eq!(for_charge(&charge(ChargeState::Captured, None)), Some((Paid, None)));
        assert_eq!(for_charge(&charge(ChargeState::Declined, Some("SoftDeclined"))), Some((Declined, Some(ErrorCode::SoftDecline))));
        assert_eq!(for_charge(&charge(ChargeState::Declined, Some("AmazonRejected"))), Some((Declined, Some(ErrorCode::HardDecline))));
        assert_eq!(for_charge(&charge(ChargeState::Canceled, Some("MerchantCanceled"))), None);
        assert_eq!(for_charge(&charge(ChargeState::Canceled, Some("ExpiredUnused"))), Some((Failed, None)));
        assert_eq!(advance(Redirected, Pending), Some(Pending));
        assert_eq!(advance(Pending, Approved), Some(Approved));
        assert_eq!(advance(Pending, Declined), Some(Failed), "declined after pending is a failure");
        assert_eq!(advance(Approved, Pending), None);
        assert_eq!(advance(Approved, Paid), Some(Paid));
        assert_eq!(advance(Paid, Failed), None);
        assert_eq!(advance(Abandoned, Approved), Some(Approved), "Amazon authorized after all: the money wins");
        assert_eq!(advance(Abandoned, Declined), Some(Declined), "the real reason");
        assert_eq!(advance(Abandoned, Placing), None);
        assert_eq!(advance(Declined, Approved), None);
        assert_eq!(for_canceled_session("BuyerCanceled"), (Abandoned, None));
        assert_eq!(for_canceled_session("Declined").0, Declined);
        assert_eq!(abandon_reason_for_canceled_session("BuyerCanceled"), AbandonReason::BuyerCancelled);
        assert_eq!(abandon_reason_for_canceled_session("Expired"), AbandonReason::SessionExpired);
        assert_eq!(abandon_reason_for_canceled_session("AmazonCanceled"), AbandonReason::AmazonCancelled);
        assert_eq!(captured_minor(&charge(ChargeState::Authorized, None)), None);
        assert_eq!(captured_minor(&charge(ChargeState::Captured, None)), Some(100), "AuthorizeWithCapture: all of it");
        let partly = Charge { capture_amount: Some(Price::from_minor(40, "EUR")), ..charge(ChargeState::CaptureInitiated, None) };
        assert_eq!(captured_minor(&partly), Some(40));
    }
}
