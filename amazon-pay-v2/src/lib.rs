//! Amazon Pay API v2 without an intermediary: signatures, the button, a client, and what a simulator needs to check
//! them. Facts follow Amazon's official SDKs (the Node SDK 2.3.4 is run against the sandbox by
//! `tests/sdk/amazon_sdk.test.mjs`).
//!
//! # API summary
//! - [`signing`]: [`Algorithm`] (`AMZN-PAY-RSASSA-PSS-V2`, salt 32; `AMZN-PAY-RSASSA-PSS`, salt 20),
//!   [`signing::string_to_sign`], [`signing::sign`], [`signing::verify`] (RSASSA-PSS, SHA-256, MGF1-SHA-256, base64).
//! - [`keys`]: [`PrivateKey::from_pem`] (PKCS#8 or PKCS#1), [`PublicKey::from_pem`] (SPKI or PKCS#1),
//!   [`PublicKey::to_jwk`] / [`PublicKey::to_spki_der`] for WebCrypto.
//! - [`region`]: [`Region`] (eu, na, jp: host, `x-amz-pay-region`, currencies), [`Environment`],
//!   [`region::path_for`] (`LIVE-`/`SANDBOX-` key ids use `/v2/...`, the others `/{sandbox|live}/v2/...`).
//! - [`request`]: [`request::canonical_request`], [`request::sign_request`] (the headers incl. `authorization`),
//!   [`request::parse_authorization`], [`request::verify_request`] with [`request::RequestAuthError`] carrying
//!   Amazon's `reasonCode` and status (the simulator's side).
//! - [`button`]: [`ButtonPayload`] → [`button::button_payload`] (payloadJSON) → [`button::sign_button`];
//!   [`button::signed_button`] gives the whole `createCheckoutSessionConfig` ([`SignedButton`]).
//! - [`models`]: serde types (CheckoutSession, Charge, ChargePermission, Refund, their states, request bodies).
//! - [`Client`] ([`ClientConfig`], [`RetryPolicy`]): get/update/complete checkout session, get/close charge
//!   permission, get/capture/cancel charge, create/get refund. POSTs take an idempotency key that every retry
//!   reuses; 408/425/429/5xx and transport errors are retried with doubling backoff up to `max_attempts`.
//!   Errors: [`Error`] (`Api { status, reason_code, message }` keeps Amazon's answer).
//! - [`sns`]: SNS messages (Amazon Pay IPN): [`sns::SnsMessage`], [`sns::verify`] with the signing certificate
//!   (SignatureVersion 2), [`sns::is_amazon_sns_cert_url`] (the receiver's host check), the `Message` as
//!   [`sns::AmazonPayNotification`], [`sns::sign`] for the sandbox.
//! - [`date`]: `x-amz-pay-date` formatting and parsing; [`money::Price`]: minor units ↔ Amazon's decimal strings.
//!
//! The sandbox's simulator serves this API under `/sandbox/amazon-pay/` (so a client's endpoint is
//! `http://HOST:PORT/sandbox/amazon-pay`, signed paths stay `/v2/...` or `/{sandbox|live}/v2/...`); its own key
//! pair is `amazon_pay_sandbox::{SANDBOX_PUBLIC_KEY_ID, SANDBOX_PRIVATE_KEY_PEM}`, other keys are trusted after
//! `sandbox.amazon_v2.keys().register(id, public_pem)`; notifications go to the server's `/amazon/ipn`, signed with
//! `amazon_pay_sandbox::SANDBOX_SNS_CERT_PEM` (docs/sandbox.md, "Amazon Pay API v2 simulator").
//!
//! Cryptography: RustCrypto's `rsa` 0.9 with `sha2` 0.10 (PSS with either salt length, PKCS#8 and PKCS#1 PEM, pure
//! Rust); `x509-cert` for the SNS certificate.

pub mod button;
pub mod client;
pub mod date;
pub mod error;
pub mod keys;
pub mod models;
pub mod money;
pub mod region;
pub mod request;
pub mod signing;
pub mod sns;

pub use button::{ButtonPayload, SignedButton};
pub use client::{Client, ClientConfig, RetryPolicy};
pub use error::Error;
pub use keys::{KeyError, PrivateKey, PublicKey};
pub use region::{Environment, Region};
pub use signing::Algorithm;
