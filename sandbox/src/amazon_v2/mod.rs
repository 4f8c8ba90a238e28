//! Amazon Pay API v2 simulator: what a merchant talking to Amazon directly (`--provider amazon`) calls.
//!
//! Mounted at `/sandbox/amazon-pay/`: a client's endpoint is `http://HOST:PORT/sandbox/amazon-pay`, and the
//! signed paths after it are Amazon's own (`/v2/...` for `SANDBOX-` key ids, `/sandbox/v2/...` otherwise).
//! Every request's signature is checked against the registered public keys ([`KeyRegistry`]); refusals carry
//! Amazon's reasonCodes (see `amazon_pay_v2::request::RequestAuthError`). The buyer-facing part (sign-in,
//! `amazonPayRedirectUrl`, MFA) is in `hosted::pay_redirect`; notifications are SNS messages signed with the
//! sandbox's certificate ([`notify`]).

mod api;
pub mod keys;
pub mod notify;
mod render;
pub mod store;

pub(crate) use api::api;
pub use keys::{KeyRegistry, SANDBOX_PUBLIC_KEY_ID, SANDBOX_PUBLIC_KEY_PEM, SANDBOX_SNS_CERT_PEM};

use crate::amazon::{AmazonSandbox, CheckoutSession as HostedSession, SessionState};
use crate::scenario::Scenario;
use amazon_pay_contract::{Currency, Money};
use amazon_pay_v2::models::{CheckoutSessionState, MerchantMetadata, PaymentDetails, WebCheckoutDetails};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};
use store::{Processing, Store, V2Session};

/// Where the API is mounted, relative to the sandbox.
pub const MOUNT: &str = "/amazon-pay";
/// The buyer-facing page `amazonPayRedirectUrl` points at (relative to the public URL).
pub const REDIRECT_PAGE: &str = "/sandbox/amazon/checkout/pay";

/// The simulator (cheap to clone).
#[derive(Clone)]
pub struct AmazonV2Simulator {
    inner: Arc<Inner>,
}

struct Inner {
    store: Mutex<Store>,
    keys: KeyRegistry,
    amazon: Arc<AmazonSandbox>,
    public_url: String,
    settle_delay: Duration,
    upstream_hold: Duration,
    notifier: notify::Notifier,
    /// Requests whose resource contains the text are answered this much later, after acting ([`Self::answer_late`]).
    late: Mutex<Option<(String, Duration)>>,
}

impl AmazonV2Simulator {
    /// A simulator sharing Amazon's side with the hosted pages; notifications go to `notify_url` (none if `None`)
    /// and name `merchant_id` (the server's, which refuses notifications about another merchant).
    pub fn new(
        amazon: Arc<AmazonSandbox>,
        keys: KeyRegistry,
        public_url: &str,
        settle_delay: Duration,
        upstream_hold: Duration,
        notify_url: Option<String>,
        merchant_id: &str,
    ) -> Self {
        let notifier = notify::Notifier::new(public_url, notify_url, merchant_id);
        Self {
            inner: Arc::new(Inner {
                store: Mutex::new(Store::default()),
                keys,
                amazon,
                public_url: public_url.to_owned(),
                settle_delay,
                upstream_hold,
                notifier,
                late: Mutex::new(None),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        // Plain data behind the lock: carry on after a panic elsewhere.
        self.inner.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// From now on, requests whose method and resource (`POST checkoutSessions/S/complete`, …) contain `needle` are carried out
    /// and answered `delay` later: Amazon acted, and its answer outlives the caller's timeout. `None` ends it.
    pub fn answer_late(&self, late: Option<(&str, Duration)>) {
        *self.inner.late.lock().unwrap_or_else(|p| p.into_inner()) = late.map(|(needle, delay)| (needle.to_owned(), delay));
    }

    /// How late to answer `request` (its method and resource: [`Self::answer_late`]).
    pub(crate) fn lateness(&self, request: &str) -> Option<Duration> {
        let late = self.inner.late.lock().unwrap_or_else(|p| p.into_inner());
        late.as_ref().filter(|(needle, _)| request.contains(needle.as_str())).map(|(_, delay)| *delay)
    }

    /// How many charges were authorized on checkout session `id` (tests: money moved once).
    pub fn charges_of_session(&self, id: &str) -> usize {
        let store = self.lock();
        store.charges.values().filter(|c| store.permissions.get(&c.permission_id).is_some_and(|p| p.session_id == id)).count()
    }

    /// The public keys the simulator trusts.
    pub fn keys(&self) -> &KeyRegistry {
        &self.inner.keys
    }

    /// The `amazonPayRedirectUrl` of session `id`.
    pub fn redirect_url(&self, id: &str) -> String {
        format!("{}{REDIRECT_PAGE}?amazonCheckoutSessionId={id}", self.inner.public_url)
    }

    /// Opens a session for a button click (the hosted pages call this for a merchant's own signed payload).
    pub fn open_session(
        &self,
        store_id: Option<String>,
        web: WebCheckoutDetails,
        payment: PaymentDetails,
        meta: MerchantMetadata,
        pay_only: bool,
    ) -> String {
        let amount = payment
            .charge_amount
            .as_ref()
            .and_then(|p| Some(Money { minor: i64::try_from(p.to_minor()?).ok()?, currency: Currency::parse(&p.currency_code)? }))
            .unwrap_or(Money { minor: 0, currency: Currency::Eur });
        let id = self.inner.amazon.create_checkout_session("", amount);
        let session = V2Session {
            id: id.clone(),
            store_id,
            web,
            payment_details: payment,
            merchant_metadata: meta,
            state: CheckoutSessionState::Open,
            reason: None,
            processing: Processing::NotYet,
            charge_permission_id: None,
            charge_id: None,
            product_type: if pay_only { "PayOnly" } else { "PayAndShip" }.to_owned(),
        };
        self.lock().sessions.insert(id.clone(), session);
        id
    }

    /// Whether `id` is a session of this API (not one PAYONE opened).
    pub fn has_session(&self, id: &str) -> bool {
        self.lock().sessions.contains_key(id)
    }

    /// The session (API part and hosted part), after applying what the buyer did on the pages.
    pub(crate) fn session(&self, id: &str) -> Option<(V2Session, HostedSession)> {
        let hosted = self.inner.amazon.checkout_session(id)?;
        let mut store = self.lock();
        let v2 = store.sessions.get_mut(id)?;
        if v2.state == CheckoutSessionState::Open {
            if hosted.state == SessionState::Canceled {
                v2.state = CheckoutSessionState::Canceled;
                v2.reason.get_or_insert(("BuyerCanceled".into(), "The buyer canceled the checkout.".into()));
            } else if hosted.is_expired(SystemTime::now()) {
                v2.state = CheckoutSessionState::Canceled;
                v2.reason = Some(("Expired".into(), "The checkout session expired.".into()));
            }
        }
        Some((v2.clone(), hosted))
    }

    /// The scenario of the instrument the buyer chose (approved if none).
    pub(crate) fn scenario(&self, id: &str) -> Scenario {
        self.inner.amazon.checkout_session(id).and_then(|s| s.instrument).map_or(Scenario::Approved, |i| i.scenario)
    }

    /// The buyer's visit to `amazonPayRedirectUrl` ended: ready to complete, or canceled with Amazon's reason.
    pub(crate) fn finish_processing(&self, id: &str, outcome: Result<(), (&str, &str)>) {
        let mut store = self.lock();
        if let Some(s) = store.sessions.get_mut(id) {
            match outcome {
                Ok(()) => s.processing = Processing::Ready,
                Err((code, description)) => {
                    s.state = CheckoutSessionState::Canceled;
                    s.reason = Some((code.to_owned(), description.to_owned()));
                }
            }
        }
    }

    /// Declines pending refund `id` as Amazon may after accepting it, and notifies (the tester's control).
    pub fn decline_refund(&self, id: &str) -> Result<(), store::ApiError> {
        let changes = self.lock().decline_refund(id)?;
        self.after_change(changes);
        Ok(())
    }

    /// What the merchant did in Seller Central to charge `id` (the tester's control): `capture` all of it, or
    /// `cancel` it. Its IPN is held back, as one that is late or lost: the server learns of it only when it
    /// asks Amazon.
    pub fn seller_central(&self, id: &str, action: &str) -> Result<(), store::ApiError> {
        let mut store = self.lock();
        match action {
            "capture" => {
                let amount = store.charges.get(id).map(|c| c.amount.clone()).ok_or_else(|| store::ApiError::not_found("Charge", id))?;
                store.capture(id, &amount).map(drop)
            }
            "cancel" => store.cancel_charge(id, Some("Canceled in Seller Central".into())).map(drop),
            other => Err(store::ApiError::new(404, "ResourceNotFound", format!("Seller Central has no {other:?} for a charge: capture or cancel."))),
        }
    }

    /// Settles what is due and notifies; schedules another look if something is still pending.
    pub(crate) fn after_change(&self, changes: Vec<store::Change>) {
        self.inner.notifier.send(changes);
        let pending = {
            let store = self.lock();
            store.charges.values().any(|c| c.pending.is_some())
                || store.refunds.values().any(|r| r.state == amazon_pay_v2::models::RefundState::RefundInitiated)
        };
        if pending {
            let sim = self.clone();
            let delay = self.inner.settle_delay + Duration::from_millis(20);
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let changes = sim.lock().settle(SystemTime::now());
                if !changes.is_empty() {
                    sim.after_change(changes);
                }
            });
        }
    }
}

/// `POST /sandbox/amazon/refunds/{refundId}/decline`: Amazon declines a refund it accepted (204; 404 for an
/// unknown refund, 422 for one that is no longer pending).
pub(crate) async fn decline_refund_route(
    axum::extract::State(sim): axum::extract::State<AmazonV2Simulator>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match sim.decline_refund(&id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => {
            (StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST), format!("{}: {}", err.reason_code, err.message)).into_response()
        }
    }
}

/// `POST /sandbox/amazon/charges/{chargeId}/seller-central/{capture|cancel}`: the merchant captures or cancels the
/// charge in Seller Central, and its IPN does not arrive (204; 404 for an unknown charge or action, 422
/// `InvalidChargeStatus` for a charge Amazon would not capture or cancel).
pub(crate) async fn seller_central_route(
    axum::extract::State(sim): axum::extract::State<AmazonV2Simulator>,
    axum::extract::Path((id, action)): axum::extract::Path<(String, String)>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    match sim.seller_central(&id, &action) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err) => {
            (StatusCode::from_u16(err.status).unwrap_or(StatusCode::BAD_REQUEST), format!("{}: {}", err.reason_code, err.message)).into_response()
        }
    }
}
