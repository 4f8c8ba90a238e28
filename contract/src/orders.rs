//! An order's status as the confirmation page follows it.

use crate::prelude::*;
use crate::Money;
use serde::{Deserialize, Serialize};

/// Where an order stands. PAYONE's TransactionStatus notifications move it; only they say "paid".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderState {
    /// Sent to PAYONE; no answer yet (or the answer was lost: see the upstream call log).
    Placing,
    /// The buyer is on Amazon's pages (processing, multi-factor authentication).
    Redirected,
    /// Authorized.
    Approved,
    /// Amazon has not decided yet.
    Pending,
    /// The money has arrived.
    Paid,
    /// Amazon declined after all (after pending), or the payment failed later.
    Failed,
    /// Declined when placing; a soft decline may be retried with another payment method.
    Declined,
    /// The buyer left Amazon's pages without finishing (for example abandoned multi-factor authentication).
    Abandoned,
    /// PAYONE could not be reached or answered garbage; nothing is known to be authorized.
    UpstreamFailed,
}

impl OrderState {
    /// The wire and store name.
    pub const fn as_str(self) -> &'static str {
        match self {
            OrderState::Placing => "placing",
            OrderState::Redirected => "redirected",
            OrderState::Approved => "approved",
            OrderState::Pending => "pending",
            OrderState::Paid => "paid",
            OrderState::Failed => "failed",
            OrderState::Declined => "declined",
            OrderState::Abandoned => "abandoned",
            OrderState::UpstreamFailed => "upstream_failed",
        }
    }

    /// Every state (the merchant API names them when a filter asks for another).
    pub const ALL: [OrderState; 9] = [
        OrderState::Placing,
        OrderState::Redirected,
        OrderState::Approved,
        OrderState::Pending,
        OrderState::Paid,
        OrderState::Failed,
        OrderState::Declined,
        OrderState::Abandoned,
        OrderState::UpstreamFailed,
    ];

    /// The state named `text`, if it is one.
    pub fn parse(text: &str) -> Option<OrderState> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// No notification will change this state any more.
    pub const fn is_final(self) -> bool {
        matches!(self, OrderState::Paid | OrderState::Failed | OrderState::Declined | OrderState::Abandoned)
    }
}

/// `GET /api/orders/{orderId}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderStatus {
    /// The order id.
    pub order_id: String,
    /// The state.
    pub state: OrderState,
    /// The amount.
    pub amount: Money,
    /// For declines: the buyer's sentence, in the requested language.
    pub message: Option<String>,
    /// The decline's code, when declined.
    pub decline: Option<crate::ErrorCode>,
    /// Nothing more will happen by itself (Amazon has decided; only the merchant's capture or refund would
    /// change the state). The confirmation page stops following the order then.
    pub settled: bool,
    /// What the shop has since done with the authorized money (charged, cancelled, refunded), when it did
    /// something: the confirmation page says that rather than the provider's state. `None` before any
    /// capture, refund or cancel, and from a server that does not tell.
    #[serde(default)]
    pub payment: Option<BuyerPayment>,
}

/// What the shop did with an order's authorized money, as its buyer may read it: the merchant's
/// `merchant::PaymentStatus` less what is the merchant's alone (a capture in part, the amounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BuyerPayment {
    /// Charged (captured, all or part), nothing refunded.
    Charged,
    /// Released without any charge: the shop cancelled the order.
    Cancelled,
    /// Part of what was charged given back.
    PartlyRefunded,
    /// Everything charged given back, nothing left to charge.
    Refunded,
}

impl BuyerPayment {
    /// The wire name.
    pub const fn as_str(self) -> &'static str {
        match self {
            BuyerPayment::Charged => "charged",
            BuyerPayment::Cancelled => "cancelled",
            BuyerPayment::PartlyRefunded => "partly_refunded",
            BuyerPayment::Refunded => "refunded",
        }
    }

    /// The value named `text`, if it is one.
    pub fn parse(text: &str) -> Option<BuyerPayment> {
        [BuyerPayment::Charged, BuyerPayment::Cancelled, BuyerPayment::PartlyRefunded, BuyerPayment::Refunded]
            .into_iter()
            .find(|p| p.as_str() == text)
    }

    /// What the buyer may read of the merchant's `status`; `None` while the shop has done nothing with the
    /// money (or there is none).
    pub const fn of(status: crate::merchant::PaymentStatus) -> Option<BuyerPayment> {
        use crate::merchant::PaymentStatus as S;
        match status {
            S::None | S::Authorized => None,
            S::PartlyCaptured | S::Captured => Some(BuyerPayment::Charged),
            S::PartlyRefunded => Some(BuyerPayment::PartlyRefunded),
            S::Refunded => Some(BuyerPayment::Refunded),
            S::Cancelled => Some(BuyerPayment::Cancelled),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_are_serdes_spelling() {
        for s in ["placing", "redirected", "approved", "pending", "paid", "failed", "declined", "abandoned", "upstream_failed"] {
            let state = OrderState::parse(s).unwrap();
            assert_eq!(serde_json::to_value(state).unwrap(), s);
        }
    }

    #[test]
    fn buyer_payments_are_serdes_spelling_and_hide_the_merchants_detail() {
        use crate::merchant::PaymentStatus;
        for p in [BuyerPayment::Charged, BuyerPayment::Cancelled, BuyerPayment::PartlyRefunded, BuyerPayment::Refunded] {
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
            assert_eq!(BuyerPayment::parse(p.as_str()), Some(p));
        }
        assert_eq!(BuyerPayment::parse("captured"), None);
        assert_eq!(BuyerPayment::of(PaymentStatus::Authorized), None);
        assert_eq!(BuyerPayment::of(PaymentStatus::None), None);
        assert_eq!(BuyerPayment::of(PaymentStatus::PartlyCaptured), Some(BuyerPayment::Charged));
        assert_eq!(BuyerPayment::of(PaymentStatus::Captured), Some(BuyerPayment::Charged));
        assert_eq!(BuyerPayment::of(PaymentStatus::Cancelled), Some(BuyerPayment::Cancelled));
        assert_eq!(BuyerPayment::of(PaymentStatus::Refunded), Some(BuyerPayment::Refunded));
        assert_eq!(BuyerPayment::of(PaymentStatus::PartlyRefunded), Some(BuyerPayment::PartlyRefunded));
    }

    #[test]
    fn states_round_trip_through_text() {
        for s in ["placing", "redirected", "approved", "pending", "paid", "failed", "declined", "abandoned", "upstream_failed"] {
            assert_eq!(OrderState::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(OrderState::parse("nope"), None);
    }
}
