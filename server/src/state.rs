//! What every handler gets: configuration, store and upstream clients. A leaf: it names the parts, it does
//! not route or serve (that is [`crate::app`]).

use crate::catalogue::Catalogue;
use crate::config::{Config, Mode};
use crate::payone::PayoneClient;
use crate::store::Store;
use std::sync::Arc;

/// The shared state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The parts, behind one `Arc`.
    pub inner: Arc<Inner>,
}

/// The parts of [`AppState`].
pub struct Inner {
    /// The validated configuration.
    pub config: Config,
    /// Where buyers reach this server; return URLs are built from it.
    pub public_url: String,
    /// The SQLite order store.
    pub store: Store,
    /// Whether shutdown has begun (`/readyz`).
    pub lifecycle: crate::telemetry::Lifecycle,
    /// The price list.
    pub catalogue: Catalogue,
    /// PAYONE (or the sandbox's simulator).
    pub payone: PayoneClient,
    /// The offline sandbox, in sandbox mode.
    #[cfg(feature = "sandbox")]
    pub sandbox: Option<Arc<amazon_pay_sandbox::Sandbox>>,
    /// Serializes order placement per checkout.
    pub order_locks: crate::orders::OrderLocks,
    /// `None` in live mode when CheckoutChamp is not configured.
    pub checkoutchamp: Option<crate::checkoutchamp::CheckoutChamp>,
    /// The shop's pages buyers return to, per flow, and the origins they may be on.
    pub return_pages: crate::return_urls::ReturnPagesConfig,
    /// The merchant's own Amazon Pay account, with `--provider amazon`.
    pub amazon: Option<crate::amazon::AmazonPay>,
    /// Certificates of SNS signing URLs already fetched (Amazon's IPN), by URL.
    pub sns_certificates: crate::amazon::CertificateCache,
    /// Wrong merchant API keys per client address (the merchant routes refuse an address past the limit).
    pub key_attempts: crate::key_attempts::KeyAttempts,
}

impl Inner {
    /// Whether this server runs in sandbox mode (and so talks to the sandbox's stand-ins).
    pub fn is_sandbox(&self) -> bool {
        self.config.mode == Mode::Sandbox
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}
