//! The button signature the PAYONE simulator hands out (`add_paydata[signature]`): a real RSA-PSS signature
//! with the sandbox's own key (registered under PAYONE's public key id), made by `amazon-pay-v2`. PAYONE's
//! plugins pass no `algorithm` to checkout.js, which then assumes `AMZN-PAY-RSASSA-PSS` (salt 20): so that is
//! the algorithm signed with.
//!
//! For load benchmarks only, [`ButtonSignatures::Placeholder`]: in production PAYONE signs on PAYONE's machines,
//! so a benchmark of this server should not spend its cores on the stand-in's RSA (about 1 ms of CPU a
//! signature, more than the server's own work for a session). The placeholder is one real signature over a
//! fixed text, made once at start and handed out for every payload: the same length and alphabet on the wire,
//! but Amazon's pages (the sandbox's too) refuse every button carrying it. Never the default.

use amazon_pay_v2::{button, signing, Algorithm, PrivateKey};

/// The algorithm PAYONE's signatures are checked with (checkout.js's default).
pub(crate) const PAYONE_ALGORITHM: Algorithm = Algorithm::V1;

/// What the placeholder is a signature of: never a button payload (not JSON).
const PLACEHOLDER_TEXT: &str = "placeholder: in benchmark mode the sandbox's PAYONE signs no button payload";

/// How the PAYONE simulator signs the button payloads it hands out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ButtonSignatures {
    /// A real signature of each payload (the default: checkouts work end to end).
    #[default]
    Real,
    /// One signature made at start over a fixed text, for every payload: for load benchmarks only, Amazon's
    /// pages refuse every button that carries it.
    Placeholder,
}

/// Signs and verifies button payloads with the sandbox's key pair.
#[derive(Clone)]
pub(crate) struct Signer {
    key: PrivateKey,
    /// `Some` in [`ButtonSignatures::Placeholder`] mode.
    placeholder: Option<String>,
}

impl Signer {
    /// A signer with the sandbox's own key.
    pub(crate) fn new(mode: ButtonSignatures) -> Signer {
        let key = crate::amazon_v2::keys::sandbox_private_key();
        let placeholder = match mode {
            ButtonSignatures::Real => None,
            ButtonSignatures::Placeholder => Some(button::sign_button(&key, PAYONE_ALGORITHM, PLACEHOLDER_TEXT)),
        };
        Signer { key, placeholder }
    }

    /// The base64 signature of `payload` (344 characters), or the placeholder in benchmark mode.
    pub(crate) fn sign(&self, payload: &str) -> String {
        match &self.placeholder {
            Some(placeholder) => placeholder.clone(),
            None => button::sign_button(&self.key, PAYONE_ALGORITHM, payload),
        }
    }

    /// Whether `signature` is a valid signature of `payload` by this key.
    pub(crate) fn verify(&self, payload: &str, signature: &str) -> bool {
        signing::verify(&self.key.public_key(), PAYONE_ALGORITHM, payload.as_bytes(), signature).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_signatures_verify_and_differ_per_payload() {
        let signer = Signer::new(ButtonSignatures::Real);
        let (a, b) = (signer.sign("{\"a\":1}"), signer.sign("{\"a\":2}"));
        assert!(signer.verify("{\"a\":1}", &a));
        assert!(!signer.verify("{\"a\":2}", &a));
        assert!(signer.verify("{\"a\":2}", &b));
    }

    #[test]
    fn the_placeholder_is_one_signature_that_fits_no_payload() {
        let signer = Signer::new(ButtonSignatures::Placeholder);
        let (a, b) = (signer.sign("{\"a\":1}"), signer.sign("{\"a\":2}"));
        assert_eq!(a, b, "one signature for every payload");
        assert_eq!(a.len(), Signer::new(ButtonSignatures::Real).sign("{}").len(), "the same length on the wire");
        assert!(!signer.verify("{\"a\":1}", &a));
        assert!(signer.verify(PLACEHOLDER_TEXT, &a), "a real signature, of the fixed text only");
    }
}
