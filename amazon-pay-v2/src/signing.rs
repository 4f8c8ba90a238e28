//! Amazon Pay's signatures: RSASSA-PSS over SHA-256 with MGF1-SHA-256, salt 32 (`AMZN-PAY-RSASSA-PSS-V2`) or 20
//! (`AMZN-PAY-RSASSA-PSS`), over `algorithm + "\n" + hex(sha256(message))`, base64 encoded.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::signature::{RandomizedSigner, SignatureEncoding, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::keys::{PrivateKey, PublicKey};

/// The two signature algorithms Amazon accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Algorithm {
    /// `AMZN-PAY-RSASSA-PSS-V2`: salt length 32. What Amazon recommends.
    #[default]
    #[serde(rename = "AMZN-PAY-RSASSA-PSS-V2")]
    V2,
    /// `AMZN-PAY-RSASSA-PSS`: salt length 20. The SDKs' default when none is configured, and what checkout.js
    /// assumes when a button config names no algorithm.
    #[serde(rename = "AMZN-PAY-RSASSA-PSS")]
    V1,
}

impl Algorithm {
    /// The name in headers and button configs.
    pub fn name(self) -> &'static str {
        match self {
            Self::V2 => "AMZN-PAY-RSASSA-PSS-V2",
            Self::V1 => "AMZN-PAY-RSASSA-PSS",
        }
    }

    /// The PSS salt length in bytes.
    pub fn salt_len(self) -> usize {
        match self {
            Self::V2 => 32,
            Self::V1 => 20,
        }
    }

    /// The algorithm with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "AMZN-PAY-RSASSA-PSS-V2" => Some(Self::V2),
            "AMZN-PAY-RSASSA-PSS" => Some(Self::V1),
            _ => None,
        }
    }
}

/// Lower-case hex SHA-256, as the canonical request and the string to sign use it.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// The string that is signed for `message` (a canonical request, or a button's payloadJSON).
pub fn string_to_sign(algorithm: Algorithm, message: &[u8]) -> String {
    format!("{}\n{}", algorithm.name(), sha256_hex(message))
}

/// Signs `message` (hashing it into the string to sign first) and returns the base64 signature.
pub fn sign(key: &PrivateKey, algorithm: Algorithm, message: &[u8]) -> String {
    sign_string(key, algorithm, &string_to_sign(algorithm, message))
}

/// Signs an already built string to sign.
pub fn sign_string(key: &PrivateKey, algorithm: Algorithm, string_to_sign: &str) -> String {
    let signer = rsa::pss::SigningKey::<Sha256>::new_with_salt_len(key.0.clone(), algorithm.salt_len());
    let signature = signer.sign_with_rng(&mut rsa::rand_core::OsRng, string_to_sign.as_bytes());
    STANDARD.encode(signature.to_bytes())
}

/// Why a signature was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// Not base64, or not the key's length.
    #[error("the signature is not base64 of {0} bytes")]
    Encoding(usize),
    /// Well formed but made with another key, over another message, or with another salt length.
    #[error("the signature does not match")]
    Mismatch,
}

/// Checks a base64 signature over `message` made with `algorithm` by the holder of `key`'s private half.
pub fn verify(key: &PublicKey, algorithm: Algorithm, message: &[u8], signature_b64: &str) -> Result<(), VerifyError> {
    verify_string(key, algorithm, &string_to_sign(algorithm, message), signature_b64)
}

/// Checks a base64 signature over an already built string to sign.
pub fn verify_string(key: &PublicKey, algorithm: Algorithm, string_to_sign: &str, signature_b64: &str) -> Result<(), VerifyError> {
    let bytes = STANDARD.decode(signature_b64.trim()).map_err(|_| VerifyError::Encoding(key.size()))?;
    if bytes.len() != key.size() {
        return Err(VerifyError::Encoding(key.size()));
    }
    let signature = rsa::pss::Signature::try_from(bytes.as_slice()).map_err(|_| VerifyError::Encoding(key.size()))?;
    let verifier = rsa::pss::VerifyingKey::<Sha256>::new_with_salt_len(key.0.clone(), algorithm.salt_len());
    verifier.verify(string_to_sign.as_bytes(), &signature).map_err(|_| VerifyError::Mismatch)
}
