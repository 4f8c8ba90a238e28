//! The sandbox's stand-in for Amazon's side: buyers with addresses, checkout sessions (CV2), order references
//! and billing agreements (CV1), and Login with Amazon access tokens.
//!
//! The fake hosted pages and the fake widgets change this state when the buyer acts; the PAYONE and
//! CheckoutChamp simulators read it to answer as Amazon's data and the chosen [`Scenario`] say.

use super::scenario::{instrument, Instrument, Scenario, INSTRUMENTS};
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
/// The sandbox's Login with Amazon client id (also the CV2 payload's `storeId`); tokens carry it as `aud`.
pub use payone_wire::sandbox_settings::SANDBOX_CLIENT_ID;

/// A postal address in an Amazon account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Address {
    /// The id.
    pub id: &'static str,
    /// The first name.
    pub first_name: &'static str,
    /// The last name.
    pub last_name: &'static str,
    /// The company.
    pub company: &'static str,
    /// The street.
    pub street: &'static str,
    /// The addition.
    pub addition: &'static str,
    /// The ZIP.
    pub zip: &'static str,
    /// The city.
    pub city: &'static str,
    /// The state.
    pub state: &'static str,
    /// ISO 3166-1 alpha-2.
    pub country: &'static str,
    /// The phone.
    pub phone: &'static str,
}

/// A sandbox Amazon account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Buyer {
    /// The id.
    pub id: &'static str,
    /// The account's name as the profile API returns it (one string; split by the shop).
    pub name: &'static str,
    /// The email.
    pub email: &'static str,
    /// The account's addresses; the first is the default the AddressBook preselects. May be empty.
    pub addresses: &'static [Address],
    /// The account has a default payment method, which the Wallet preselects (the first sandbox instrument).
    pub default_payment: bool,
    /// What is special about the account, for testers (empty for ordinary ones).
    pub note: &'static str,
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

/// Every sandbox buyer. `noah` has no address and `lena` no default payment method (CV1: PAYONE answers 987
/// ShippingAddressNotSet and 986 PaymentPlanNotSet when they go on without choosing). The last one carries
/// markup in every text field: shops must show it as text.
pub const BUYERS: &[Buyer] = &[
    Buyer {
        id: "anna",
        name: "Anna Schmidt",
        email: "anna.schmidt@sandbox.example",
        addresses: &[
            address("anna-home", "Anna", "Schmidt", "Unter den Linden 1", "10117", "Berlin", "DE"),
            address("anna-office", "Anna", "Schmidt", "Marienplatz 8", "80331", "München", "DE"),
        ],
        default_payment: true,
        note: "",
    },
    Buyer {
        id: "jean",
        name: "Jean-Pierre de la Fontaine",
        email: "jp.fontaine@sandbox.example",
        addresses: &[address("jean-home", "Jean-Pierre", "de la Fontaine", "12 Rue de Rivoli", "75001", "Paris", "FR")],
        default_payment: true,
        note: "",
    },
    Buyer {
        id: "giulia",
        name: "Giulia",
        email: "giulia@sandbox.example",
        addresses: &[address("giulia-home", "Giulia", "", "Via del Corso 5", "00186", "Roma", "IT")],
        default_payment: true,
        note: "",
    },
    Buyer {
        id: "noah",
        name: "Noah Weber",
        email: "noah.weber@sandbox.example",
        addresses: &[],
        default_payment: true,
        note: "no address in the account (CV1: 987 ShippingAddressNotSet)",
    },
    Buyer {
        id: "lena",
        name: "Lena Vogel",
        email: "lena.vogel@sandbox.example",
        addresses: &[address("lena-home", "Lena", "Vogel", "Jungfernstieg 7", "20354", "Hamburg", "DE")],
        default_payment: false,
        note: "no default payment method: the Wallet selects none (CV1: 986 PaymentPlanNotSet)",
    },
    Buyer {
        id: "paul",
        name: "Paul Packer",
        email: "paul.packer@sandbox.example",
        addresses: &[
            address("paul-home", "Paul", "Packer", "Alexanderplatz 1", "10178", "Berlin", "DE"),
            address("paul-pobox", "Paul", "Packer", "Postfach 10 10 10", "10117", "Berlin", "DE"),
            Address { addition: "Postnummer 12345678", ..address("paul-packstation", "Paul", "Packer", "Packstation 123", "10117", "Berlin", "DE") },
            address("paul-zurich", "Paul", "Packer", "Bahnhofstrasse 1", "8001", "Zürich", "CH"),
            Address { phone: "", ..address("paul-nophone", "Paul", "Packer", "Friedrichstraße 10", "10117", "Berlin", "DE") },
        ],
        default_payment: true,
        note: "addresses a shop may refuse: a PO box, a Packstation, Switzerland, one without a phone number",
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
        default_payment: true,
        note: "markup in every field",
    },
];

/// The buyer with `id`.
pub fn buyer(id: &str) -> Option<&'static Buyer> {
    BUYERS.iter().find(|b| b.id == id)
}

impl Buyer {
    /// The buyer's address `id`, if they have it.
    pub fn address(&self, id: &str) -> Option<&'static Address> {
        self.addresses.iter().find(|a| a.id == id)
    }

    /// The payment method Amazon preselects for this account: the first sandbox instrument, or none.
    pub fn default_instrument(&self) -> Option<&'static Instrument> {
        INSTRUMENTS.first().filter(|_| self.default_payment)
    }

    /// The profile API's `user_id` (`amzn1.account.…`), stable per buyer.
    pub fn user_id(&self) -> String {
        format!("amzn1.account.SANDBOX{}", self.id.to_ascii_uppercase())
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
    /// The workorder id.
    pub workorder_id: String,
    /// The amount.
    pub amount: Money,
    /// The buyer.
    pub buyer: Option<&'static Buyer>,
    /// The address.
    pub address: Option<&'static Address>,
    /// The instrument.
    pub instrument: Option<&'static Instrument>,
    /// The state.
    pub state: SessionState,
    /// When it was created.
    pub created_at: SystemTime,
    /// The button said `productType: PayOnly` (digital goods): Amazon asks for no shipping address.
    pub pay_only: bool,
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
    /// Order reference.
    OrderReference,
    /// Billing agreement.
    BillingAgreement,
}

/// A CV1 order reference (`S02-…`) or billing agreement (`B02-…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderReference {
    /// The id.
    pub id: String,
    /// The kind.
    pub kind: AgreementType,
    /// The buyer.
    pub buyer: &'static Buyer,
    /// The address.
    pub address: Option<&'static Address>,
    /// The instrument.
    pub instrument: Option<&'static Instrument>,
    /// Billing agreements only: the buyer ticked the consent box.
    pub consent: bool,
    /// The amount.
    pub amount: Option<Money>,
    /// Whether confirmed.
    pub confirmed: bool,
    /// `successurl`/`errorurl` of PAYONE's `confirmorderreference`: where the confirmation flow (MFA) returns.
    pub confirmation_urls: Option<ConfirmationUrls>,
    /// How the buyer left the confirmation flow (`AuthenticationStatus` on the return URL).
    pub authentication: Option<AuthenticationStatus>,
}

/// Where `OffAmazonPayments.initConfirmationFlow` sends the buyer after the MFA step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfirmationUrls {
    /// The success URL.
    pub success_url: String,
    /// The error URL.
    pub error_url: String,
}

/// Amazon's `AuthenticationStatus` query value after the confirmation flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuthenticationStatus {
    /// Success.
    Success,
    /// Abandoned.
    Abandoned,
}

impl AuthenticationStatus {
    /// Amazon's name for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthenticationStatus::Success => "Success",
            AuthenticationStatus::Abandoned => "Abandoned",
        }
    }
}

/// What the CV2 button payload said about the hosted pages' return addresses (kept per checkout session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebCheckout {
    /// The review return URL.
    pub review_return_url: Option<String>,
    /// The result return URL.
    pub result_return_url: Option<String>,
    /// The cancel URL.
    pub cancel_url: Option<String>,
    /// The page the button was on (`origin_url`): where a cancel goes when the payload names no cancel URL.
    pub origin_url: Option<String>,
    /// `checkoutMode: "ProcessOrder"` (APB): the buyer pays on Amazon's pages and returns to the result URL.
    pub process_order: bool,
}

/// A live access token's details, as `tokeninfo` reports them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenInfo {
    /// The buyer.
    pub buyer: &'static Buyer,
    /// The client id.
    pub client_id: String,
    /// The scopes.
    pub scopes: Vec<String>,
    /// When it was issued.
    pub issued_at: SystemTime,
    /// When it expires.
    pub expires_at: SystemTime,
}

/// Why a widget or token operation was refused; `code` is Amazon's widget error code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct AmazonError {
    /// The code.
    pub code: &'static str,
    /// The message.
    pub message: String,
}

impl AmazonError {
    /// An error with Amazon's `code` and `message`.
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        AmazonError { code, message: message.into() }
    }
}

#[derive(Debug, Clone)]
struct Token {
    buyer: &'static Buyer,
    scopes: Vec<String>,
    client_id: String,
    issued_at: SystemTime,
    expires_at: SystemTime,
}

#[derive(Default)]
struct State {
    /// The latest checkout sessions (older ones are forgotten: `bounded.rs`).
    sessions: crate::bounded::Latest<CheckoutSession>,
    order_references: HashMap<String, OrderReference>,
    tokens: HashMap<String, Token>,
    web_checkouts: HashMap<String, WebCheckout>,
    /// PAYONE txid → checkout session id, so the processing page knows the chosen instrument.
    transactions: HashMap<String, String>,
}

/// Amazon's side of the sandbox. All methods are quick and never block on I/O.
#[derive(Default)]
pub struct AmazonSandbox {
    state: Mutex<State>,
    /// Requests to the profile API, answered or refused (tests count what a server asks Amazon).
    profile_reads: std::sync::atomic::AtomicU64,
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
            pay_only: false,
        };
        let id = session.id.clone();
        self.lock().sessions.insert(id.clone(), session);
        id
    }

    /// The checkout session `id`, if it exists.
    pub fn checkout_session(&self, id: &str) -> Option<CheckoutSession> {
        self.lock().sessions.get(id).cloned()
    }

    /// Applies `change` to the session `id`; `None` if there is no such session.
    pub fn update_checkout_session<T>(&self, id: &str, change: impl FnOnce(&mut CheckoutSession) -> T) -> Option<T> {
        self.lock().sessions.get_mut(id).map(change)
    }

    /// The buyer's choice on the hosted pages: account, address and instrument.
    pub fn select(&self, session_id: &str, buyer_id: &str, address_id: &str, instrument_id: &str) -> Result<(), AmazonError> {
        self.select_maybe_address(session_id, buyer_id, Some(address_id), instrument_id)
    }

    /// Like [`Self::select`]; `PayOnly` sessions choose no address (`None`), all others must.
    pub fn select_maybe_address(&self, session_id: &str, buyer_id: &str, address_id: Option<&str>, instrument_id: &str) -> Result<(), AmazonError> {
        let buyer = buyer(buyer_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown buyer"))?;
        let address = match address_id {
            Some(id) => Some(buyer.address(id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown address"))?),
            None if self.checkout_session(session_id).is_some_and(|s| s.pay_only) => None,
            None => return Err(AmazonError::new("InvalidParameterValue", "choose a shipping address")),
        };
        let instrument = instrument(instrument_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown payment instrument"))?;
        self.update_checkout_session(session_id, |s| {
            s.buyer = Some(buyer);
            s.address = address;
            s.instrument = Some(instrument);
            s.state = SessionState::Selected;
        })
        .ok_or_else(|| AmazonError::new("InvalidCheckoutSessionId", "unknown checkout session"))
    }

    /// Issues a Login with Amazon access token (`Atza|…`) for `buyer_id`.
    pub fn issue_token(&self, buyer_id: &str, scopes: &[&str]) -> Result<String, AmazonError> {
        self.issue_token_for_client(buyer_id, scopes, SANDBOX_CLIENT_ID)
    }

    /// Like [`Self::issue_token`], for the LwA client `client_id` (the token's `aud`).
    pub fn issue_token_for_client(&self, buyer_id: &str, scopes: &[&str], client_id: &str) -> Result<String, AmazonError> {
        let buyer = buyer(buyer_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown buyer"))?;
        let token = format!("Atza|sandbox{}{}", buyer.id, uuid().replace('-', ""));
        let now = SystemTime::now();
        let entry = Token {
            buyer,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            client_id: client_id.to_owned(),
            issued_at: now,
            expires_at: now + ACCESS_TOKEN_LIFETIME,
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
            confirmation_urls: None,
            authentication: None,
        };
        self.lock().order_references.insert(reference.id.clone(), reference.clone());
        Ok(reference)
    }

    /// The order reference `id`, if it exists.
    pub fn order_reference(&self, id: &str) -> Option<OrderReference> {
        self.lock().order_references.get(id).cloned()
    }

    /// Applies `change` to the order reference `id`; `None` if there is no such reference.
    pub fn update_order_reference<T>(&self, id: &str, change: impl FnOnce(&mut OrderReference) -> T) -> Option<T> {
        self.lock().order_references.get_mut(id).map(change)
    }

    /// The newest checkout session opened for PAYONE's workorder.
    pub fn session_for_workorder(&self, workorder_id: &str) -> Option<CheckoutSession> {
        let state = self.lock();
        state.sessions.values().filter(|s| s.workorder_id == workorder_id).max_by_key(|s| s.created_at).cloned()
    }

    /// Remembers the return addresses of the button payload that opened session `session_id`.
    pub fn set_web_checkout(&self, session_id: &str, web: WebCheckout) {
        self.lock().web_checkouts.insert(session_id.to_owned(), web);
    }

    /// The hosted-page state of checkout session `session_id`, if it exists.
    pub fn web_checkout(&self, session_id: &str) -> Option<WebCheckout> {
        self.lock().web_checkouts.get(session_id).cloned()
    }

    /// Records that PAYONE transaction `txid` pays for checkout session `session_id` (the PAYONE simulator
    /// calls this when a (pre)authorization answers `REDIRECT`; the processing page reads it back).
    pub fn attach_transaction(&self, session_id: &str, txid: &str) {
        self.lock().transactions.insert(txid.to_owned(), session_id.to_owned());
    }

    /// A PAYONE transaction recorded for checkout session `session_id` (APB's processing step).
    pub fn transaction_for_session(&self, session_id: &str) -> Option<String> {
        self.lock().transactions.iter().find(|(_, s)| s.as_str() == session_id).map(|(txid, _)| txid.clone())
    }

    /// The checkout session PAYONE transaction `txid` pays for.
    pub fn session_for_transaction(&self, txid: &str) -> Option<CheckoutSession> {
        let state = self.lock();
        let id = state.transactions.get(txid)?;
        state.sessions.get(id).cloned()
    }

    /// The buyer changes only the address (`changeAction=changeAddress`) of a session they chose before.
    pub fn change_address(&self, session_id: &str, address_id: &str) -> Result<(), AmazonError> {
        self.change_selection(session_id, |s| {
            let buyer = s.buyer.ok_or_else(|| AmazonError::new("BuyerNotAssociated", "no buyer has signed in to this checkout session"))?;
            s.address = Some(buyer.address(address_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown address"))?);
            Ok(())
        })
    }

    /// The buyer changes only the payment instrument (`changeAction=changePayment`).
    pub fn change_instrument(&self, session_id: &str, instrument_id: &str) -> Result<(), AmazonError> {
        self.change_selection(session_id, |s| {
            s.buyer.ok_or_else(|| AmazonError::new("BuyerNotAssociated", "no buyer has signed in to this checkout session"))?;
            s.instrument = Some(instrument(instrument_id).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown payment instrument"))?);
            Ok(())
        })
    }

    fn change_selection(&self, session_id: &str, change: impl FnOnce(&mut CheckoutSession) -> Result<(), AmazonError>) -> Result<(), AmazonError> {
        self.update_checkout_session(session_id, change)
            .unwrap_or_else(|| Err(AmazonError::new("InvalidCheckoutSessionId", "unknown checkout session")))
    }

    /// One request reached the profile API (`GET /sandbox/amazon/user/profile`).
    pub(crate) fn count_profile_read(&self) {
        self.profile_reads.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// How many requests reached the profile API so far, refused ones included.
    pub fn profile_reads(&self) -> u64 {
        self.profile_reads.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// An unexpired token's details (`tokeninfo`).
    pub fn token_info(&self, token: &str) -> Option<TokenInfo> {
        let state = self.lock();
        let t = state.tokens.get(token)?;
        (t.expires_at > SystemTime::now()).then(|| TokenInfo {
            buyer: t.buyer,
            client_id: t.client_id.clone(),
            scopes: t.scopes.clone(),
            issued_at: t.issued_at,
            expires_at: t.expires_at,
        })
    }

    /// Makes `token` expire now (tests and the "session expired" paths); false if unknown.
    pub fn expire_token(&self, token: &str) -> bool {
        let mut state = self.lock();
        state.tokens.get_mut(token).map(|t| t.expires_at = SystemTime::now() - Duration::from_secs(1)).is_some()
    }

    /// The order reference `id` as the widgets may show it to the holder of `token`.
    pub fn order_reference_for(&self, token: &str, id: &str) -> Result<OrderReference, AmazonError> {
        let buyer = self
            .buyer_for_token(token)
            .ok_or_else(|| AmazonError::new("BuyerSessionExpired", "The buyer's session has expired. Please sign in again."))?;
        let reference = self
            .order_reference(id)
            .ok_or_else(|| AmazonError::new("InvalidOrderReferenceId", format!("The order reference id {id} is invalid.")))?;
        if reference.buyer.id != buyer.id {
            return Err(AmazonError::new("BuyerNotAssociated", "The buyer is not associated with this order reference."));
        }
        Ok(reference)
    }

    /// The AddressBook or Wallet selection; `None` leaves that part as it is.
    pub fn select_for_widget(
        &self,
        token: &str,
        id: &str,
        address_id: Option<&str>,
        instrument_id: Option<&str>,
    ) -> Result<OrderReference, AmazonError> {
        let reference = self.order_reference_for(token, id)?;
        if reference.confirmed {
            let code = if address_id.is_some() { "AddressNotModifiable" } else { "PaymentMethodNotModifiable" };
            return Err(AmazonError::new(code, "The order reference has been confirmed and cannot be changed."));
        }
        let address = match address_id {
            Some(a) => Some(reference.buyer.address(a).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown address"))?),
            None => reference.address,
        };
        let chosen = match instrument_id {
            Some(i) => Some(instrument(i).ok_or_else(|| AmazonError::new("InvalidParameterValue", "unknown payment instrument"))?),
            None => reference.instrument,
        };
        self.update_order_reference(id, |r| {
            r.address = address;
            r.instrument = chosen;
            r.clone()
        })
        .ok_or_else(|| AmazonError::new("InvalidOrderReferenceId", format!("The order reference id {id} is invalid.")))
    }

    /// The Consent widget's checkbox (billing agreements only).
    pub fn set_consent(&self, token: &str, id: &str, consent: bool) -> Result<OrderReference, AmazonError> {
        let reference = self.order_reference_for(token, id)?;
        if reference.kind != AgreementType::BillingAgreement {
            return Err(AmazonError::new("InvalidParameterValue", "Consent applies to billing agreements only."));
        }
        self.update_order_reference(id, |r| {
            r.consent = consent;
            r.clone()
        })
        .ok_or_else(|| AmazonError::new("InvalidOrderReferenceId", format!("The order reference id {id} is invalid.")))
    }

    /// PAYONE's `confirmorderreference` hands these over; the confirmation flow returns to them.
    pub fn set_confirmation_urls(&self, id: &str, success_url: &str, error_url: &str) -> Result<(), AmazonError> {
        self.update_order_reference(id, |r| {
            r.confirmation_urls = Some(ConfirmationUrls { success_url: success_url.to_owned(), error_url: error_url.to_owned() });
        })
        .ok_or_else(|| AmazonError::new("InvalidOrderReferenceId", format!("The order reference id {id} is invalid.")))
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
    fn sessions_are_found_by_workorder_and_transaction() {
        let amazon = AmazonSandbox::default();
        assert!(amazon.session_for_workorder("WO9").is_none());
        let id = amazon.create_checkout_session("WO9", Money::eur(100));
        assert_eq!(amazon.session_for_workorder("WO9").unwrap().id, id);
        amazon.attach_transaction(&id, "T9");
        assert_eq!(amazon.session_for_transaction("T9").unwrap().id, id);
        assert_eq!(amazon.transaction_for_session(&id).as_deref(), Some("T9"));
        assert_eq!(amazon.change_address(&id, "anna-home").unwrap_err().code, "BuyerNotAssociated");
        amazon.select(&id, "anna", "anna-home", "visa-1111").unwrap();
        amazon.change_address(&id, "anna-office").unwrap();
        amazon.change_instrument(&id, "mc-3ds1").unwrap();
        let s = amazon.checkout_session(&id).unwrap();
        assert_eq!((s.address.unwrap().id, s.instrument.unwrap().id), ("anna-office", "mc-3ds1"));
        assert_eq!(amazon.change_instrument("nope", "visa-1111").unwrap_err().code, "InvalidCheckoutSessionId");
    }

    #[test]
    fn tokens_carry_their_client_and_can_expire() {
        let amazon = AmazonSandbox::default();
        let token = amazon.issue_token_for_client("anna", &["profile"], "client-1").unwrap();
        let info = amazon.token_info(&token).unwrap();
        assert_eq!((info.buyer.id, info.client_id.as_str()), ("anna", "client-1"));
        assert_eq!(amazon.token_info(&amazon.issue_token("jean", &[]).unwrap()).unwrap().client_id, SANDBOX_CLIENT_ID);
        assert!(amazon.expire_token(&token));
        assert!(amazon.token_info(&token).is_none() && amazon.buyer_for_token(&token).is_none());
        assert!(!amazon.expire_token("Atza|unknown"));
        assert_eq!(info.buyer.user_id(), "amzn1.account.SANDBOXANNA");
    }

    #[test]
    fn widgets_select_only_for_their_buyer_and_until_confirmed() {
        let amazon = AmazonSandbox::default();
        let anna = amazon.issue_token("anna", &[]).unwrap();
        let jean = amazon.issue_token("jean", &[]).unwrap();
        let r = amazon.create_order_reference(&anna, AgreementType::OrderReference).unwrap();
        assert_eq!(amazon.select_for_widget(&jean, &r.id, Some("jean-home"), None).unwrap_err().code, "BuyerNotAssociated");
        let r2 = amazon.select_for_widget(&anna, &r.id, None, Some("visa-0981")).unwrap();
        assert_eq!((r2.address.unwrap().id, r2.instrument.unwrap().id), ("anna-home", "visa-0981"));
        assert_eq!(amazon.set_consent(&anna, &r.id, true).unwrap_err().code, "InvalidParameterValue");
        amazon.set_confirmation_urls(&r.id, "https://s.example/ok", "https://s.example/err").unwrap();
        amazon.update_order_reference(&r.id, |r| r.confirmed = true);
        assert_eq!(amazon.select_for_widget(&anna, &r.id, Some("anna-office"), None).unwrap_err().code, "AddressNotModifiable");
        assert_eq!(amazon.order_reference(&r.id).unwrap().confirmation_urls.unwrap().error_url, "https://s.example/err");
        assert_eq!(amazon.set_confirmation_urls("S02-x", "a", "b").unwrap_err().code, "InvalidOrderReferenceId");
    }

    #[test]
    fn the_special_buyers_start_without_an_address_or_a_default_payment_method() {
        let amazon = AmazonSandbox::default();
        let noah = amazon.issue_token("noah", &[]).unwrap();
        let r = amazon.create_order_reference(&noah, AgreementType::OrderReference).unwrap();
        assert_eq!((r.address, r.buyer.default_instrument().map(|i| i.id)), (None, Some("visa-1111")));
        assert_eq!(amazon.select_for_widget(&noah, &r.id, Some("anna-home"), None).unwrap_err().code, "InvalidParameterValue");
        let lena = buyer("lena").unwrap();
        assert!(lena.default_instrument().is_none());
        assert_eq!(buyer("anna").unwrap().default_instrument().map(|i| i.id), Some("visa-1111"));
        assert!(BUYERS.iter().filter(|b| b.note.is_empty()).all(|b| b.default_payment && !b.addresses.is_empty()));
    }

    #[test]
    fn uuids_look_like_amazons() {
        let id = uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
    }
}
