//! The offline sandbox: stand-ins for PAYONE's Server API, CheckoutChamp's order API and Amazon's scripts and
//! hosted pages. `amazon-pay-server --sandbox` serves [`router`] under `/sandbox/`; a server built without its
//! `sandbox` feature has none of this code.
//!
//! The crate needs nothing from the server: it speaks PAYONE's wire format through `payone-wire`, is
//! configured with a [`SandboxConfig`], and sees the server's order store only through an [`Inspector`].

pub mod amazon;
pub mod amazon_v2;
mod bounded;
pub mod checkoutchamp_sim;
pub mod config;
mod form_body;
mod hosted;
mod http;
pub mod inspect;
mod payone_sim;
pub mod scenario;
mod scripts;
mod secret;
mod signer;
pub(crate) use secret::secret_eq;
mod state;

pub use amazon_v2::keys::{KeyRegistryError, SANDBOX_PRIVATE_KEY_PEM};
pub use amazon_v2::{AmazonV2Simulator, KeyRegistry, SANDBOX_PUBLIC_KEY_ID, SANDBOX_PUBLIC_KEY_PEM, SANDBOX_SNS_CERT_PEM};
pub use config::{ButtonSignatures, CheckoutChampAccount, PayoneAccount, SandboxConfig};
pub use http::router;
pub use inspect::{InspectError, Inspector, StoredOrder, UpstreamCall};
pub use payone_sim::{
    AuthKind, Caller, Delivery, LedgerEntry, MfaOutcome, NotificationRecord, PayoneSimulator, SimError, Transaction, TxState, Workorder,
};
pub use payone_wire::sandbox_settings::SimTimings;
pub use payone_wire::PAYONE_PUBLIC_KEY_ID;
pub use state::Sandbox;
