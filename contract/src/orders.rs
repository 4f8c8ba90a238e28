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

    /// The state named `text`, if it is one.
    pub fn parse(text: &str) -> Option<OrderState> {
        const ALL: [OrderState; 9] = [
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
        ALL.into_iter().find(|s| s.as_str() == text)
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
    fn states_round_trip_through_text() {
        for s in ["placing", "redirected", "approved", "pending", "paid", "failed", "declined", "abandoned", "upstream_failed"] {
            assert_eq!(OrderState::parse(s).unwrap().as_str(), s);
        }
        assert_eq!(OrderState::parse("nope"), None);
    }
}
