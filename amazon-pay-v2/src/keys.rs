//! RSA keys: the merchant's private key (PKCS#8 or PKCS#1 PEM, as Amazon Seller Central hands it out) and public keys
//! (SPKI or PKCS#1 PEM, also as SPKI DER and JWK for WebCrypto).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, LineEnding};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};

/// Why a key could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    /// Not a PEM block this crate reads.
    #[error("not an RSA key in PEM form (expected 'BEGIN PRIVATE KEY', 'BEGIN RSA PRIVATE KEY', 'BEGIN PUBLIC KEY' or 'BEGIN RSA PUBLIC KEY')")]
    NotPem,
    /// A PEM block of the right kind whose contents do not decode.
    #[error("the {0} PEM block does not hold a valid RSA key")]
    Malformed(&'static str),
    /// Shorter than Amazon's 2048 bits.
    #[error("the RSA key has {0} bits; Amazon Pay keys have 2048")]
    TooShort(usize),
}

/// The smallest modulus accepted: Amazon issues 2048-bit keys.
const MIN_BITS: usize = 2048;

/// A merchant's private key. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct PrivateKey(pub(crate) RsaPrivateKey);

impl std::fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PrivateKey(..)")
    }
}

impl PrivateKey {
    /// Reads a PKCS#8 (`BEGIN PRIVATE KEY`) or PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM. Encrypted keys are refused.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = if pem.contains("-----BEGIN PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs8_pem(pem.trim()).map_err(|_| KeyError::Malformed("PRIVATE KEY"))?
        } else if pem.contains("-----BEGIN RSA PRIVATE KEY-----") {
            RsaPrivateKey::from_pkcs1_pem(pem.trim()).map_err(|_| KeyError::Malformed("RSA PRIVATE KEY"))?
        } else {
            return Err(KeyError::NotPem);
        };
        check_size(key.size() * 8)?;
        Ok(Self(key))
    }

    /// The matching public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey(self.0.to_public_key())
    }
}

/// An RSA public key (a merchant's registered key, or the sandbox's own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey(pub(crate) RsaPublicKey);

impl PublicKey {
    /// Reads an SPKI (`BEGIN PUBLIC KEY`, what Amazon's key tool makes) or PKCS#1 (`BEGIN RSA PUBLIC KEY`) PEM.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = if pem.contains("-----BEGIN PUBLIC KEY-----") {
            RsaPublicKey::from_public_key_pem(pem.trim()).map_err(|_| KeyError::Malformed("PUBLIC KEY"))?
        } else if pem.contains("-----BEGIN RSA PUBLIC KEY-----") {
            RsaPublicKey::from_pkcs1_pem(pem.trim()).map_err(|_| KeyError::Malformed("RSA PUBLIC KEY"))?
        } else {
            return Err(KeyError::NotPem);
        };
        check_size(key.size() * 8)?;
        Ok(Self(key))
    }

    /// Reads an SPKI DER (what WebCrypto's `importKey('spki', ...)` takes).
    pub fn from_spki_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = RsaPublicKey::from_public_key_der(der).map_err(|_| KeyError::Malformed("SPKI DER"))?;
        check_size(key.size() * 8)?;
        Ok(Self(key))
    }

    /// The key as SPKI PEM.
    pub fn to_pem(&self) -> String {
        // Encoding a valid in-memory key cannot fail; fall back to an empty string rather than panic.
        self.0.to_public_key_pem(LineEnding::LF).unwrap_or_default()
    }

    /// The key as SPKI DER.
    pub fn to_spki_der(&self) -> Vec<u8> {
        self.0.to_public_key_der().map(|d| d.as_bytes().to_vec()).unwrap_or_default()
    }

    /// The key as a JWK (`{"kty":"RSA","n":..,"e":..}`), for WebCrypto's `importKey('jwk', ...)`.
    pub fn to_jwk(&self) -> serde_json::Value {
        serde_json::json!({
            "kty": "RSA",
            "n": URL_SAFE_NO_PAD.encode(self.0.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(self.0.e().to_bytes_be()),
        })
    }

    /// The modulus size in bytes (256 for 2048-bit keys): the length of every signature it checks.
    pub fn size(&self) -> usize {
        self.0.size()
    }
}

fn check_size(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_BITS {
        Err(KeyError::TooShort(bits))
    } else {
        Ok(())
    }
}
