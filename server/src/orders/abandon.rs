//! Why this server gave an order up (`abandoned`), stored as `orders.abandon_reason` in the same update as the
//! state, so the merchant API, the `order.abandoned` event and the dashboard can say it. Every path that
//! abandons an order names one; docs/merchant-api.md lists them.

/// Why an order was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbandonReason {
    /// `redirected` longer than `--redirected-expiry-seconds`: the buyer never came back from Amazon's pages.
    BuyerDidNotReturn,
    /// `placing` longer than `--placing-expiry-seconds` with no transaction named: the placement was cut off.
    PlacementCutOff,
    /// The buyer came back through PAYONE's error URL (a decline on Amazon's processing page, a failed or
    /// cancelled multi-factor authentication: the URL does not say which).
    BuyerReturnedError,
    /// The buyer cancelled on Amazon's pages: PAYONE's back URL, or Amazon cancelled the checkout session
    /// with `BuyerCanceled` (Amazon Pay direct).
    BuyerCancelled,
    /// CV1: Amazon's confirmation flow came back to PAYONE's error URL with `AuthenticationStatus=Abandoned`
    /// (the buyer left multi-factor authentication).
    AuthenticationAbandoned,
    /// An APB order its own tab placed again (`orders/replaced.rs`).
    Replaced,
    /// Amazon Pay direct: Amazon cancelled the checkout session as `Expired` (not finished within 24 hours).
    SessionExpired,
    /// Amazon Pay direct: Amazon cancelled the checkout session for another reason than a decline.
    AmazonCancelled,
}

impl AbandonReason {
    /// Every reason, for tests and the docs.
    pub const ALL: [AbandonReason; 8] = [
        AbandonReason::BuyerDidNotReturn,
        AbandonReason::PlacementCutOff,
        AbandonReason::BuyerReturnedError,
        AbandonReason::BuyerCancelled,
        AbandonReason::AuthenticationAbandoned,
        AbandonReason::Replaced,
        AbandonReason::SessionExpired,
        AbandonReason::AmazonCancelled,
    ];

    /// `orders.abandon_reason`, as the merchant API and the `order.abandoned` event name it.
    pub fn as_str(self) -> &'static str {
        match self {
            AbandonReason::BuyerDidNotReturn => "buyer_did_not_return",
            AbandonReason::PlacementCutOff => "placement_cut_off",
            AbandonReason::BuyerReturnedError => "buyer_returned_error",
            AbandonReason::BuyerCancelled => "buyer_cancelled",
            AbandonReason::AuthenticationAbandoned => "authentication_abandoned",
            AbandonReason::Replaced => "replaced",
            AbandonReason::SessionExpired => "session_expired",
            AbandonReason::AmazonCancelled => "amazon_cancelled",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reason_has_its_own_name() {
        let mut names: Vec<&str> = AbandonReason::ALL.iter().map(|r| r.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AbandonReason::ALL.len());
        assert!(names.iter().all(|n| n.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')), "{names:?}");
    }
}
