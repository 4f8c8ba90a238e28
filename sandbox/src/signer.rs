//! The sandbox's stand-in for Amazon's RSA-PSS signature over a button payload: a keyed SHA-256. The PAYONE
//! simulator signs the payloads it hands out; the fake hosted pages verify them.

use sha2::{Digest, Sha256};

/// Signs and verifies button payloads with a secret derived from the PAYONE portal key.
#[derive(Clone)]
pub(crate) struct Signer {
    secret: String,
}

impl Signer {
    /// A signer whose secret is derived from `portal_key`.
    pub(crate) fn new(portal_key: &str) -> Signer {
        Signer { secret: format!("sandbox-signing:{portal_key}") }
    }

    /// The signature of `payload`.
    pub(crate) fn sign(&self, payload: &str) -> String {
        let mut hasher = Sha256::new();
        hasher.update(self.secret.as_bytes());
        hasher.update(b"\n");
        hasher.update(payload.as_bytes());
        hex::encode(hasher.finalize())
    }
}
