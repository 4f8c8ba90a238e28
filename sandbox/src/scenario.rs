//! Sandbox outcomes, chosen like test cards: each sandbox payment instrument maps to one scenario.
//!
//! The buyer picks an instrument on the fake Amazon pages (or in the fake Wallet widget); the PAYONE and
//! CheckoutChamp simulators then answer as the scenario says. docs/sandbox.md's scenario table is this list.

use serde::Serialize;

/// What happens when a payment with an instrument is authorized.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scenario {
    /// Authorized at once; TransactionStatus `appointed` (completed).
    Approved,
    /// `PENDING`/`appointed` with `transaction_status=pending`, later `paid`.
    PendingThenPaid,
    /// `PENDING`/`appointed` with `transaction_status=pending`, later `failed`.
    PendingThenFailed,
    /// PAYONE error 981 InvalidPaymentMethod: the buyer may pick another instrument.
    SoftDecline,
    /// PAYONE error 982 AmazonRejected: the buyer must pay another way.
    HardDecline,
    /// PAYONE error 980 TransactionTimedOut.
    TransactionTimedOut,
    /// PAYONE error 983 ProcessingFailure: Amazon could not process the authorization; the shop cancels the
    /// order reference and starts over.
    ProcessingFailure,
    /// PAYONE error 984 BuyerEqualsSeller: Amazon's sandbox-style simulation of the shop's own Amazon account
    /// paying (an order reference constraint: it cannot be confirmed).
    BuyerEqualsSeller,
    /// PAYONE error 985 PaymentMethodNotAllowed: an order reference constraint; the buyer picks another method.
    PaymentMethodNotAllowed,
    /// Amazon asks for multi-factor authentication and the buyer abandons it.
    MfaAbandoned,
    /// Amazon asks for multi-factor authentication and the buyer passes it; then approved.
    MfaPassed,
    /// The checkout session has expired (older than 24 hours) by the time the shop reads it.
    SessionExpired,
    /// The upstream service does not answer in time.
    UpstreamTimeout,
    /// The upstream service answers with something that is not its protocol.
    UpstreamGarbage,
}

/// A sandbox payment instrument as the fake Amazon pages show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Instrument {
    /// Stable id used in forms and URLs.
    pub id: &'static str,
    /// What the buyer sees, like Amazon's payment descriptor ("Visa ••••1111").
    pub descriptor: &'static str,
    /// The scenario.
    pub scenario: Scenario,
    /// A short explanation for testers.
    pub outcome: &'static str,
    /// What CheckoutChamp's Import Upsale on an order paid with it answers, when not [`Instrument::scenario`]:
    /// the order's own authorization decides the lander, so without this an upsell page could only be approved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upsale: Option<Scenario>,
}

/// Every sandbox instrument, in the order the fake pages list them.
pub const INSTRUMENTS: &[Instrument] = &[
    Instrument { id: "visa-1111", descriptor: "Visa ••••1111", scenario: Scenario::Approved, outcome: "approved", upsale: None },
    Instrument {
        id: "mc-4444",
        descriptor: "Mastercard ••••4444",
        scenario: Scenario::PendingThenPaid,
        outcome: "pending, then approved (paid once captured)",
        upsale: None,
    },
    Instrument {
        id: "visa-0002", descriptor: "Visa ••••0002", scenario: Scenario::PendingThenFailed, outcome: "pending, then failed", upsale: None
    },
    Instrument {
        id: "visa-0981",
        descriptor: "Visa ••••0981",
        scenario: Scenario::SoftDecline,
        outcome: "soft decline 981 InvalidPaymentMethod",
        upsale: None,
    },
    Instrument {
        id: "amex-0982",
        descriptor: "American Express ••••0982",
        scenario: Scenario::HardDecline,
        outcome: "hard decline 982 AmazonRejected",
        upsale: None,
    },
    Instrument {
        id: "visa-0980",
        descriptor: "Visa ••••0980",
        scenario: Scenario::TransactionTimedOut,
        outcome: "980 TransactionTimedOut",
        upsale: None,
    },
    Instrument {
        id: "visa-0983",
        descriptor: "Visa ••••0983",
        scenario: Scenario::ProcessingFailure,
        outcome: "983 ProcessingFailure at the authorization",
        upsale: None,
    },
    Instrument {
        id: "visa-0984",
        descriptor: "Visa ••••0984",
        scenario: Scenario::BuyerEqualsSeller,
        outcome: "984 BuyerEqualsSeller (as if the shop's own Amazon account paid)",
        upsale: None,
    },
    Instrument {
        id: "visa-0985",
        descriptor: "Visa ••••0985",
        scenario: Scenario::PaymentMethodNotAllowed,
        outcome: "985 PaymentMethodNotAllowed for this order",
        upsale: None,
    },
    Instrument {
        id: "mc-3ds1",
        descriptor: "Mastercard ••••3001",
        scenario: Scenario::MfaPassed,
        outcome: "asks for MFA; passing it approves",
        upsale: None,
    },
    Instrument {
        id: "mc-3ds0",
        descriptor: "Mastercard ••••3000",
        scenario: Scenario::MfaAbandoned,
        outcome: "asks for MFA; the buyer abandons",
        upsale: None,
    },
    Instrument {
        id: "visa-0024",
        descriptor: "Visa ••••0024",
        scenario: Scenario::SessionExpired,
        outcome: "the checkout session has expired",
        upsale: None,
    },
    Instrument {
        id: "visa-0504",
        descriptor: "Visa ••••0504",
        scenario: Scenario::UpstreamTimeout,
        outcome: "PAYONE does not answer in time",
        upsale: None,
    },
    Instrument {
        id: "visa-0500", descriptor: "Visa ••••0500", scenario: Scenario::UpstreamGarbage, outcome: "PAYONE answers garbage", upsale: None
    },
    // Last, so `instrument_for(Approved)` stays `visa-1111`.
    Instrument {
        id: "visa-2982",
        descriptor: "Visa ••••2982",
        scenario: Scenario::Approved,
        outcome: "approved; an upsale on the same order is then declined (AmazonRejected)",
        upsale: Some(Scenario::HardDecline),
    },
];

/// The instrument with `id`.
pub fn instrument(id: &str) -> Option<&'static Instrument> {
    INSTRUMENTS.iter().find(|i| i.id == id)
}

/// The instrument a scenario is reached with (the one whose upsales do the same).
pub fn instrument_for(scenario: Scenario) -> &'static Instrument {
    INSTRUMENTS.iter().find(|i| i.scenario == scenario && i.upsale.is_none()).unwrap_or(&INSTRUMENTS[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_has_exactly_one_instrument() {
        let mut seen = std::collections::HashSet::new();
        for i in INSTRUMENTS.iter().filter(|i| i.upsale.is_none()) {
            assert!(seen.insert(i.scenario), "{:?} appears twice", i.scenario);
            assert_eq!(instrument(i.id), Some(i));
            assert_eq!(instrument_for(i.scenario).id, i.id);
        }
        assert_eq!(seen.len(), 14);
    }

    #[test]
    fn an_upsale_scenario_differs_from_the_order_s_and_has_an_instrument_of_its_own() {
        let upsales: Vec<_> = INSTRUMENTS.iter().filter_map(|i| i.upsale.map(|u| (i, u))).collect();
        assert_eq!(upsales.len(), 1);
        for (i, upsale) in upsales {
            assert_ne!(upsale, i.scenario, "{}: an override that changes nothing", i.id);
            assert_eq!(instrument(i.id), Some(i));
            assert_ne!(instrument_for(i.scenario).id, i.id, "{}: the order's scenario is reached with a plain instrument", i.id);
        }
        let listed = serde_json::to_value(instrument("visa-2982")).unwrap();
        assert_eq!(listed["upsale"], "hard-decline", "the harness reads it from /sandbox/inspect/scenarios");
        assert!(serde_json::to_value(instrument("visa-1111")).unwrap().get("upsale").is_none());
    }
}
