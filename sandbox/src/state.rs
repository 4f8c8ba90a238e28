//! The sandbox's state: the simulators and Amazon's side, shared by every handler. Handlers take the piece
//! they need ([`axum::extract::FromRef`]), so the simulators never import this module.

use crate::amazon::AmazonSandbox;
use crate::amazon_v2::{AmazonV2Simulator, KeyRegistry};
use crate::checkoutchamp_sim::CheckoutChampSimulator;
use crate::config::SandboxConfig;
use crate::inspect::Inspector;
use crate::payone_sim::PayoneSimulator;
use axum::extract::FromRef;
use std::sync::Arc;

/// The sandbox: Amazon's side, the PAYONE and CheckoutChamp simulators, and where buyers reach them.
pub struct Sandbox {
    /// Amazon's side: buyers, checkout sessions, order references, access tokens.
    /// Shared with the PAYONE simulator, which reads the buyer's choices and completes sessions.
    pub amazon: Arc<AmazonSandbox>,
    /// PAYONE's Server API under `/sandbox/payone/`.
    pub payone: PayoneSimulator,
    /// CheckoutChamp's order API under `/sandbox/checkoutchamp/`.
    pub checkoutchamp: Arc<CheckoutChampSimulator>,
    /// Amazon Pay API v2 under `/sandbox/amazon-pay/` (merchants with their own Amazon Pay account).
    pub amazon_v2: AmazonV2Simulator,
    /// Where buyers reach this server (`http://127.0.0.1:PORT`); the fake pages and redirects use it.
    pub public_url: String,
}

impl Sandbox {
    /// A fresh sandbox for `config`, reached at `public_url`.
    /// A merchant's own Amazon key is trusted after `sandbox.amazon_v2.keys().register(id, pem)`.
    pub fn new(config: &SandboxConfig, public_url: &str) -> Sandbox {
        let amazon = Arc::new(AmazonSandbox::default());
        let keys = KeyRegistry::with_sandbox_key();
        let notify_url = match &config.amazon_notify_url {
            Some(url) => Some(url.clone()),
            None => Some(format!("{public_url}/amazon/ipn")),
        };
        let timings = &config.timings;
        let amazon_v2 = AmazonV2Simulator::new(
            amazon.clone(),
            keys,
            public_url,
            timings.settle_delay,
            timings.upstream_hold,
            notify_url,
            &config.amazon_merchant_id,
        );
        Sandbox {
            amazon_v2,
            public_url: public_url.to_owned(),
            payone: PayoneSimulator::new(config, public_url, amazon.clone()),
            amazon,
            checkoutchamp: Arc::new(CheckoutChampSimulator::new(config.checkoutchamp.clone(), timings.upstream_hold, timings.settle_delay)),
        }
    }

    /// The RSA-PSS signature (AMZN-PAY-RSASSA-PSS, the sandbox's key) over a button payload, as PAYONE hands it out.
    pub fn sign(&self, payload: &str) -> String {
        self.payone.sign(payload)
    }

    /// The PAYONE simulator as an in-process gateway (signing like [`Sandbox::sign`]), for the server's PAYONE
    /// client when no endpoint is configured: no loopback HTTP per call, the same form and `key=value` bodies.
    pub fn payone_gateway(&self) -> payone_wire::InProcessGateway {
        let payone = self.payone.clone();
        Arc::new(move |body: &str| payone.gateway(body.as_bytes()))
    }

    /// Whether `signature` is [`Sandbox::sign`]'s for `payload`.
    pub fn verify(&self, payload: &str, signature: &str) -> bool {
        self.payone.verify(payload, signature)
    }

    /// Checks a button's signature as Amazon's hosted page does: the key registered under `public_key_id`, the
    /// algorithm the button named. `Err` carries Amazon's InvalidSignatureError message.
    pub fn verify_button(&self, public_key_id: &str, algorithm: &str, payload: &str, signature: &str) -> Result<(), String> {
        let alg = amazon_pay_v2::Algorithm::from_name(algorithm).ok_or_else(|| format!("Invalid value '{algorithm}' for 'algorithm'."))?;
        let key = self.amazon_v2.keys().get(public_key_id).ok_or_else(|| format!("Public key id '{public_key_id}' is not registered."))?;
        amazon_pay_v2::signing::verify(&key, alg, payload.as_bytes(), signature).map_err(|_| {
            format!(
                "Signature {signature} does not match signedString {} for merchant",
                amazon_pay_v2::signing::string_to_sign(alg, payload.as_bytes()).replace('\n', " ")
            )
        })
    }
}

/// What the router's handlers share: the sandbox and the window into the server's store.
#[derive(Clone)]
pub(crate) struct SandboxState {
    pub(crate) sandbox: Arc<Sandbox>,
    pub(crate) inspector: Arc<dyn Inspector>,
}

impl FromRef<SandboxState> for Arc<Sandbox> {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.clone()
    }
}

impl FromRef<SandboxState> for Arc<dyn Inspector> {
    fn from_ref(state: &SandboxState) -> Self {
        state.inspector.clone()
    }
}

impl FromRef<SandboxState> for PayoneSimulator {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.payone.clone()
    }
}

impl FromRef<SandboxState> for Arc<CheckoutChampSimulator> {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.checkoutchamp.clone()
    }
}

impl FromRef<SandboxState> for AmazonV2Simulator {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.amazon_v2.clone()
    }
}

impl FromRef<SandboxState> for Arc<AmazonSandbox> {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.amazon.clone()
    }
}
