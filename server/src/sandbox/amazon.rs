//! The sandbox's stand-in for Amazon's side: buyers with addresses, checkout sessions (CV2), order references
//! and billing agreements (CV1), and Login with Amazon access tokens.
//!
//! The fake hosted pages and the fake widgets change this state when the buyer acts; the PAYONE and
//! CheckoutChamp simulators read it to answer as Amazon's data and the chosen [`Scenario`] say.

use super::scenario::{instrument, Instrument, Scenario};
use amazon_pay_contract::Money;
use rand::Rng;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Amazon's checkout sessions live 24 hours.
pub const CHECKOUT_SESSION_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);
/// Login with Amazon access tokens live one hour.
pub const ACCESS_TOKEN_LIFETIME: Duration = Duration::from_secs(60 * 60);

/// A postal address in an Amazon account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Address {
    pub id: &'static str,
    pub first_name: &'static str,
    pub last_name: &'static str,
    pub company: &'static str,
    pub street: &'static str,
    pub addition: &'static str,
    pub zip: &'static str,
    pub city: &'static str,
    pub state: &'static str,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    pub phone: &'static str,
}

/// A sandbox Amazon account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Buyer {
    pub id: &'static str,
    /// The account's name as the profile API returns it (one string; split by the shop).
    pub name: &'static str,
    pub email: &'static str,
    pub addresses: &'static [Address],
}

const fn address(
    id: &'static str,
    first_name: &'static str,
    last_name: &'static str,
    street: &'static str,
    zip: &'static str,
    city: &'static str,
    country: &'static str,
) -> Address {
    Address { id, first_name, last_name, company: "", street, addition: "", zip, city, state: "", country, phone: "+49 30 1234567" }
}

/// Every sandbox buyer. The last one carries markup in every text field: shops must show it as text.
pub const BUYERS: &[Buyer] = &[
    Buyer {
        id: "anna",
        name: "Anna Schmidt",
        email: "anna.schmidt@sandbox.example",
        addresses: &[
            address("anna-home", "Anna", "Schmidt", "Unter den Linden 1", "10117", "Berlin", "DE"),
            address("anna-office", "Anna", "Schmidt", "Marienplatz 8", "80331", "München", "DE"),
        ],
    },
    Buyer {
        id: "jean",
        name: "Jean-Pierre de la Fontaine",
        email: "jp.fontaine@sandbox.example",
        addresses: &[address("jean-home", "Jean-Pierre", "de la Fontaine", "12 Rue de Rivoli", "75001", "Paris", "FR")],
    },
    Buyer {
        id: "giulia",
        name: "Giulia",
        email: "giulia@sandbox.example",
        addresses: &[address("giulia-home", "Giulia", "", "Via del Corso 5", "00186", "Roma", "IT")],
    },
    Buyer {
        id: "mallory",
        name: "<img src=x onerror=alert(1)> Mallory",
        email: "mallory+<script>@sandbox.example",
        addresses: &[Address {
            id: "mallory-home",
            first_name: "<b>Mallory</b>",
            last_name: "<script>alert('x')</script>",
            company: "\"><svg onload=alert(2)>",
            street: "Calle Mayor 1 <iframe src=javascript:alert(3)>",
            addition: "&amp; &lt;",
            zip: "28013",
            city: "Madrid",
            state: "",
            country: "ES",
            phone: "+34 91 0000000",
        }],
    },
];

/// The buyer with `id`.
pub fn buyer(id: &str) -> Option<&'static Buyer> {
    BUYERS.iter().find(|b| b.id == id)
}

impl Buyer {
    pub fn address(&self, id: &str) -> Option<&'static Address> {
        self.addresses.iter().find(|a| a.id == id)
    }
}

/// Where a CV2 checkout session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// Created; the buyer has not finished on Amazon's pages.
    Open,
    /// The buyer chose address and instrument and returned to the shop.
    Selected,
    /// Payment processing finished (approved or pending).
    Completed,
    /// Declined, abandoned or cancelled.
    Canceled,
}

/// A CV2 checkout session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutSession {
    /// `amazonCheckoutSessionId`, a UUID.
    pub id: String,
    pub workorder_id: String,
    pub amount: Money,
    pub buyer: Option<&'static Buyer>,
    pub address: Option<&'static Address>,
    pub instrument: Option<&'static Instrument>,
    pub state: SessionState,
    pub created_at: SystemTime,
}

impl CheckoutSession {
    /// Older than 24 hours, or the buyer chose the "session expired" instrument.
    pub fn is_expired(&self, now: SystemTime) -> bool {
        let too_old = now.duration_since(self.created_at).map(|age| age > CHECKOUT_SESSION_LIFETIME).unwrap_or(false);
        too_old || self.instrument.map(|i| i.scenario) == Some(Scenario::SessionExpired)
    }
}

/// One-time order reference or recurring billing agreement (CV1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AgreementType {
    OrderReference,
    BillingAgreement,
}

/// A CV1 order reference (`S02-…`) or billing agreement (`B02-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReference {
    pub id: String,
    pub kind: AgreementType,
    pub buyer: &'static Buyer,
    pub address: Option<&'static Address>,
    pub instrument: Option<&'static Instrument>,
    /// Billing agreements only: the buyer ticked the consent box.
    pub consent: bool,
    pub amount: Option<Money>,
    pub confirmed: bool,
}

/// Why a widget or token operation was refused; `code` is Amazon's widget error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AmazonError {
    pub code: &'static str,
    pub message: String,
}

impl AmazonError {
    fn new(code: &'static str, message: impl Into<String>) -> Self {
        AmazonError { code, message: message.into() }
    }
}

#[derive(Debug, Clone)]
struct Token {
    buyer: &'static Buyer,
    scopes: Vec<String>,
    expires_at: SystemTime,
}

#[derive(Default)]
struct State {
    sessions: HashMap<String, CheckoutSession>,
    order_references: HashMap<String, OrderReference>,
    tokens: HashMap<String, Token>,
}

/// Amazon's side of the sandbox. All methods are quick and never block on I/O.
#[derive(Default)]
pub struct AmazonSandbox {
    state: Mutex<State>,
}

fn random_digits(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n).map(|_| char::from(b'0' + rng.random_range(0..10u8))).collect()
}

/// A random RFC 4122-shaped UUID, as Amazon's checkout session ids look.
pub fn uuid() -> String {
    let mut bytes: [u8; 16] = rand::rng().random();
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let h = hex::encode(bytes);
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

impl AmazonSandbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding this lock leaves plain data behind; carry on with it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Opens a checkout session for PAYONE's workorder; returns its `amazonCheckoutSessionId`.
    pub fn create_checkout_session(&self, workorder_id: &str, amount: Money) -> String {
        let session = CheckoutSession {
            id: uuid(),
            workorder_id: workorder_id.to_owned(),
            amount,
            buyer: None,
            address: None,
            instrument: None,
            state: SessionState::Open,
            created_at: SystemTime::now(),
        };
        let id = session.id.clone();
        self.lock().sessions.insert(id.clone(), session);
        id
    }

    pub fn checkout_session(&self, id: &str) -> Option<CheckoutSession> {
        self.lock().sessions.get(id).cloned()
    }

    /// Applies `change` to the session `id`; `None` if there is no such session.
    pub fn update_checkout_session<T>(&self, id: &str, change: impl FnOnce(&mut CheckoutSession) -> T) -> Option<T> {
        self.lock().sessions.get_mut(id).map(change)
    }

    /// The buyer's choice on the hosted pages: account, address and instrument.
    pub fn select(&self, session_id: &str, buyer_id: &str, address_id: &str, instrument_id: &str) -> Result<(), AmazonError> {
        let buyer = buyer(buyer_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown buyer"))?;
        let address = buyer.address(address_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown address"))?;
        let instrument = instrument(instrument_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown payment instrument"))?;
        self.update_checkout_session(session_id, |s| {
            s.buyer = Some(buyer);
            s.address = Some(address);
            s.instrument = Some(instrument);
            s.state = SessionState::Selected;
        })
        .ok_or_else(|| AmazonError::new("InvalidCheckoutSessionId", "unknown checkout session"))
    }

    /// Issues a Login with Amazon access token (`Atza|…`) for `buyer_id`.
    pub fn issue_token(&self, buyer_id: &str, scopes: &[&str]) -> Result<String, AmazonError> {
        let buyer = buyer(buyer_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown buyer"))?;
        let token = format!("Atza|sandbox{}{}", buyer.id, uuid().replace('-', ""));
        let entry = Token {
            buyer,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            expires_at: SystemTime::now() + ACCESS_TOKEN_LIFETIME,
        };
        self.lock().tokens.insert(token.clone(), entry);
        Ok(token)
    }

    /// The buyer an unexpired token belongs to.
    pub fn buyer_for_token(&self, token: &str) -> Option<&'static Buyer> {
        let state = self.lock();
        let entry = state.tokens.get(token)?;
        (entry.expires_at > SystemTime::now()).then_some(entry.buyer)
    }

    /// The scopes a token was granted.
    pub fn token_scopes(&self, token: &str) -> Vec<String> {
        self.lock().tokens.get(token).map(|t| t.scopes.clone()).unwrap_or_default()
    }

    /// Creates an order reference (or billing agreement) for the signed-in buyer, as the AddressBook does.
    pub fn create_order_reference(&self, token: &str, kind: AgreementType) -> Result<OrderReference, AmazonError> {
        let buyer = self
            .buyer_for_token(token)
            .ok_or_else(|| AmazonError::new("BuyerSessionExpired", "The buyer's session has expired. Please sign in again."))?;
        let prefix = match kind {
            AgreementType::OrderReference => "S02",
            AgreementType::BillingAgreement => "B02",
        };
        let reference = OrderReference {
            id: format!("{prefix}-{}-{}", random_digits(7), random_digits(7)),
            kind,
            buyer,
            address: buyer.addresses.first(),
            instrument: None,
            consent: false,
            amount: None,
            confirmed: false,
        };
        self.lock().order_references.insert(reference.id.clone(), reference.clone());
        Ok(reference)
    }

    pub fn order_reference(&self, id: &str) -> Option<OrderReference> {
        self.lock().order_references.get(id).cloned()
    }

    /// Applies `change` to the order reference `id`; `None` if there is no such reference.
    pub fn update_order_reference<T>(&self, id: &str, change: impl FnOnce(&mut OrderReference) -> T) -> Option<T> {
        self.lock().order_references.get_mut(id).map(change)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_records_the_buyers_choice() {
        let amazon = AmazonSandbox::default();
        let id = amazon.create_checkout_session("WO1", Money::eur(100));
        assert_eq!(amazon.checkout_session(&id).unwrap().state, SessionState::Open);
        amazon.select(&id, "anna", "anna-office", "mc-4444").unwrap();
        let s = amazon.checkout_session(&id).unwrap();
        assert_eq!(s.address.unwrap().city, "München");
        assert_eq!(s.instrument.unwrap().scenario, Scenario::PendingThenPaid);
        assert_eq!(amazon.select(&id, "anna", "jean-home", "visa-1111").unwrap_err().code, "InvalidParameterValue");
    }

    #[test]
    fn sessions_expire_after_24_hours_or_by_scenario() {
        let amazon = AmazonSandbox::default();
        let id = amazon.create_checkout_session("WO1", Money::eur(100));
        let s = amazon.checkout_session(&id).unwrap();
        assert!(!s.is_expired(SystemTime::now()));
        assert!(s.is_expired(SystemTime::now() + CHECKOUT_SESSION_LIFETIME + Duration::from_secs(1)));
        amazon.select(&id, "anna", "anna-home", "visa-0024").unwrap();
        assert!(amazon.checkout_session(&id).unwrap().is_expired(SystemTime::now()));
    }

    #[test]
    fn order_references_need_a_live_token() {
        let amazon = AmazonSandbox::default();
        assert_eq!(amazon.create_order_reference("Atza|forged", AgreementType::OrderReference).unwrap_err().code, "BuyerSessionExpired");
        let token = amazon.issue_token("jean", &["profile", "payments:widget"]).unwrap();
        assert!(token.starts_with("Atza|"));
        let reference = amazon.create_order_reference(&token, AgreementType::BillingAgreement).unwrap();
        assert!(reference.id.starts_with("B02-"));
        assert_eq!(reference.buyer.id, "jean");
    }

    #[test]
    fn uuids_look_like_amazons() {
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
