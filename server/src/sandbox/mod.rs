//! The offline sandbox: stand-ins for PAYONE's Server API and Amazon's scripts and hosted pages, served by
//! `amazon-pay-server --sandbox` under `/sandbox/`. Live mode serves none of it (see [`refuse_router`]).

pub mod amazon;
pub mod checkoutchamp_sim;
mod hosted;
mod payone_sim;
pub mod scenario;
pub mod inspect;
mod scripts;

use crate::app::AppState;
use crate::config::Config;
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::Router;
use sha2::{Digest, Sha256};
use std::sync::Arc;

pub use payone_sim::{
    AuthKind, Delivery, MfaOutcome, NotificationRecord, PayoneSimulator, SimError, SimTimings, Transaction, TxState, Workorder,
};

/// The sandbox's state: the simulator's workorders and the key it "signs" button payloads with.
pub struct Sandbox {
    /// Amazon's side: buyers, checkout sessions, order references, access tokens.
    /// Shared with the PAYONE simulator, which reads the buyer's choices and completes sessions.
    pub amazon: Arc<amazon::AmazonSandbox>,
    pub payone: PayoneSimulator,
    /// CheckoutChamp's order API under `/sandbox/checkoutchamp/`.
    pub checkoutchamp: checkoutchamp_sim::CheckoutChampSimulator,
    /// Where buyers reach this server (`http://127.0.0.1:PORT`); the fake pages and redirects use it.
    pub public_url: String,
    signing_secret: String,
}

impl Sandbox {
    pub fn new(config: &Config, public_url: &str) -> Sandbox {
        let amazon = Arc::new(amazon::AmazonSandbox::default());
        Sandbox {
            public_url: public_url.to_owned(),
            payone: PayoneSimulator::new(config, public_url, amazon.clone()),
            amazon,
            checkoutchamp: checkoutchamp_sim::CheckoutChampSimulator::new(
                config.checkoutchamp.clone().unwrap_or_else(crate::config::CheckoutChampConfig::sandbox),
                config.sandbox_timings.upstream_hold,
            ),
            signing_secret: format!("sandbox-signing:{}", config.payone.key),
        }
    }

    /// The sandbox's stand-in for Amazon's RSA-PSS signature over a button payload.
    pub fn sign(&self, payload: &str) -> String {
        sign_with(&self.signing_secret, payload)
    }

    /// The PAYONE simulator as an in-process gateway (signing like [`Sandbox::sign`]), for the server's PAYONE
    /// client when no endpoint is configured: no loopback HTTP per call, the same form and `key=value` bodies.
    pub fn payone_gateway(&self) -> crate::payone::InProcessGateway {
        let payone = self.payone.clone();
        let secret = self.signing_secret.clone();
        std::sync::Arc::new(move |body: &str| payone.gateway(body.as_bytes(), &|payload| sign_with(&secret, payload)))
    }

    pub fn verify(&self, payload: &str, signature: &str) -> bool {
        self.sign(payload) == signature
    }
}

fn sign_with(secret: &str, payload: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret.as_bytes());
    hasher.update(b"\n");
    hasher.update(payload.as_bytes());
    hex::encode(hasher.finalize())
}

/// The public key id PAYONE's payloads are signed for (every PAYONE plugin uses this constant).
pub const PAYONE_PUBLIC_KEY_ID: &str = "AE5E5B7B2SAERURYEH6DKDAZ";

/// Routes under `/sandbox` in sandbox mode.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/payone/post-gateway/", post(payone_sim::post_gateway))
        .route("/payone/notifications", get(payone_sim::notifications))
        .route("/amazon/checkout.js", get(scripts::checkout_js))
        .route("/amazon/Widgets.js", get(scripts::widgets_js))
        .merge(checkoutchamp_sim::router())
        .merge(hosted::router())
        .merge(inspect::router())
}

/// Routes under `/sandbox` in live mode: every path is refused, so a page can never load a fake script.
pub fn refuse_router() -> Router<AppState> {
    Router::new().fallback(|| async {
        (StatusCode::NOT_FOUND, "The sandbox is disabled: this server runs in live mode.")
    })
}
