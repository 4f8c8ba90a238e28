//! The sandbox's state: the simulators and Amazon's side, shared by every handler. Handlers take the piece
//! they need ([`axum::extract::FromRef`]), so the simulators never import this module.

use crate::amazon::AmazonSandbox;
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
    /// Where buyers reach this server (`http://127.0.0.1:PORT`); the fake pages and redirects use it.
    pub public_url: String,
}

impl Sandbox {
    /// A fresh sandbox for `config`, reached at `public_url`.
    pub fn new(config: &SandboxConfig, public_url: &str) -> Sandbox {
        let amazon = Arc::new(AmazonSandbox::default());
        Sandbox {
            public_url: public_url.to_owned(),
            payone: PayoneSimulator::new(config, public_url, amazon.clone()),
            amazon,
            checkoutchamp: Arc::new(CheckoutChampSimulator::new(config.checkoutchamp.clone(), config.timings.upstream_hold)),
        }
    }

    /// The sandbox's stand-in for Amazon's RSA-PSS signature over a button payload.
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

impl FromRef<SandboxState> for Arc<AmazonSandbox> {
    fn from_ref(state: &SandboxState) -> Self {
        state.sandbox.amazon.clone()
    }
}
