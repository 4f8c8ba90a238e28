//! The button signature the PAYONE simulator hands out (`add_paydata[signature]`): a real RSA-PSS signature
//! with the sandbox's own key (registered under PAYONE's public key id), made by `amazon-pay-v2`. PAYONE's
//! plugins pass no `algorithm` to checkout.js, which then assumes `AMZN-PAY-RSASSA-PSS` (salt 20): so that is
//! the algorithm signed with.

use amazon_pay_v2::{button, signing, Algorithm, PrivateKey};

/// The algorithm PAYONE's signatures are checked with (checkout.js's default).
pub(crate) const PAYONE_ALGORITHM: Algorithm = Algorithm::V1;

/// Signs and verifies button payloads with the sandbox's key pair.
#[derive(Clone)]
pub(crate) struct Signer {
    key: PrivateKey,
}

impl Signer {
    /// A signer with the sandbox's own key.
    pub(crate) fn new() -> Signer {
        Signer { key: crate::amazon_v2::keys::sandbox_private_key() }
    }

    /// The base64 signature of `payload` (344 characters).
    pub(crate) fn sign(&self, payload: &str) -> String {
        button::sign_button(&self.key, PAYONE_ALGORITHM, payload)
    }

    /// Whether `signature` is a valid signature of `payload` by this key.
    pub(crate) fn verify(&self, payload: &str, signature: &str) -> bool {
        signing::verify(&self.key.public_key(), PAYONE_ALGORITHM, payload.as_bytes(), signature).is_ok()
    }
}
