//! The sandbox's own key pairs and the public keys it trusts.
//!
//! These keys are published in this repository: they sign nothing but sandbox payloads and must never be
//! configured for a live merchant.

use amazon_pay_v2::{PrivateKey, PublicKey};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The sandbox merchant's public key id (environment-specific, so paths are `/v2/...`).
pub const SANDBOX_PUBLIC_KEY_ID: &str = "SANDBOX-AHWIDGETSANDBOXKEY0001";
/// The sandbox merchant's private key (PKCS#8 PEM). It also signs the PAYONE simulator's button payloads.
pub const SANDBOX_PRIVATE_KEY_PEM: &str = include_str!("keys/sandbox-merchant-key.pem");
/// Its public key (SPKI PEM).
pub const SANDBOX_PUBLIC_KEY_PEM: &str = include_str!("keys/sandbox-merchant-key.pub.pem");
/// The certificate the sandbox signs SNS notifications with (self-signed; trusted only in sandbox mode).
pub const SANDBOX_SNS_CERT_PEM: &str = include_str!("keys/sandbox-sns-cert.pem");
/// Its private key.
pub(crate) const SANDBOX_SNS_KEY_PEM: &str = include_str!("keys/sandbox-sns-key.pem");

/// Why a key could not be registered.
#[derive(Debug, thiserror::Error)]
pub enum KeyRegistryError {
    /// The PEM is not a public key this crate reads.
    #[error("public key '{0}': {1}")]
    BadKey(String, amazon_pay_v2::KeyError),
    /// The id is empty.
    #[error("a public key id may not be empty")]
    EmptyId,
}

/// Public key id → key, shared by the API simulator, the hosted pages and the key endpoint checkout.js uses.
#[derive(Clone, Default)]
pub struct KeyRegistry {
    keys: Arc<RwLock<HashMap<String, PublicKey>>>,
}

impl KeyRegistry {
    /// The sandbox's own key under its id and under PAYONE's public key id (the PAYONE simulator signs with it).
    pub fn with_sandbox_key() -> Self {
        let registry = Self::default();
        if let Ok(key) = PublicKey::from_pem(SANDBOX_PUBLIC_KEY_PEM) {
            registry.insert(SANDBOX_PUBLIC_KEY_ID, key.clone());
            registry.insert(payone_wire::PAYONE_PUBLIC_KEY_ID, key);
        }
        registry
    }

    fn insert(&self, id: &str, key: PublicKey) {
        self.keys.write().unwrap_or_else(|p| p.into_inner()).insert(id.to_owned(), key);
    }

    /// Registers a merchant's public key (SPKI or PKCS#1 PEM) under `id`.
    pub fn register(&self, id: &str, pem: &str) -> Result<(), KeyRegistryError> {
        if id.trim().is_empty() {
            return Err(KeyRegistryError::EmptyId);
        }
        let key = PublicKey::from_pem(pem).map_err(|e| KeyRegistryError::BadKey(id.to_owned(), e))?;
        self.insert(id, key);
        Ok(())
    }

    /// The key registered under `id`.
    pub fn get(&self, id: &str) -> Option<PublicKey> {
        self.keys.read().unwrap_or_else(|p| p.into_inner()).get(id).cloned()
    }
}

/// The sandbox merchant's private key.
pub fn sandbox_private_key() -> PrivateKey {
    // The key is compiled in and checked by a test; a broken build would fail that test, not a buyer.
    PrivateKey::from_pem(SANDBOX_PRIVATE_KEY_PEM).unwrap_or_else(|e| panic!("the sandbox's own key is broken: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_keys_are_sound_and_match() {
        assert_eq!(sandbox_private_key().public_key(), PublicKey::from_pem(SANDBOX_PUBLIC_KEY_PEM).unwrap());
        assert!(amazon_pay_v2::sns::certificate_key(SANDBOX_SNS_CERT_PEM).is_ok());
        assert!(PrivateKey::from_pem(SANDBOX_SNS_KEY_PEM).is_ok());
        let r = KeyRegistry::with_sandbox_key();
        assert!(r.get(SANDBOX_PUBLIC_KEY_ID).is_some() && r.get(payone_wire::PAYONE_PUBLIC_KEY_ID).is_some());
        assert!(matches!(r.register("X", "nope"), Err(KeyRegistryError::BadKey(..))));
        assert!(matches!(r.register(" ", SANDBOX_PUBLIC_KEY_PEM), Err(KeyRegistryError::EmptyId)));
    }
}
