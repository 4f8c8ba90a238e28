//! Amazon Pay API v2 directly (`--provider amazon`): the merchant's signed client, Amazon's errors and states
//! in the widget's terms, and the records that tie Amazon's ids to this server's checkouts and orders. The
//! signing, the models and the retries are the `amazon-pay-v2` crate's.

pub mod errors;
pub mod records;
pub mod states;

use crate::config::amazon::{AmazonConfig, Environment, Region};
use amazon_pay_v2::{Client, ClientConfig, PrivateKey};

/// The merchant's Amazon Pay account, ready to sign buttons and calls.
#[derive(Clone, Debug)]
pub struct AmazonPay {
    /// The signed, retrying API client.
    pub client: Client,
    /// The Login with Amazon client id the button payload names.
    pub store_id: String,
    /// The merchant id `checkout.js` is given.
    pub merchant_id: String,
    /// The account's region (its currencies and `checkout.js`).
    pub region: Region,
}

/// Why the Amazon Pay client cannot be built.
#[derive(Debug, thiserror::Error)]
pub enum AmazonStartError {
    /// No key configured and no sandbox to lend one.
    #[error("--provider amazon needs AMAZON_PRIVATE_KEY_PATH and AMAZON_PUBLIC_KEY_ID (or --sandbox)")]
    NoKey,
    /// The key or endpoint was refused by the client.
    #[error("the Amazon Pay client: {0}")]
    Client(#[from] amazon_pay_v2::Error),
}

impl AmazonPay {
    /// Builds the client from the configuration. `lent` (sandbox mode): the key pair the simulator trusts
    /// (the sandbox's own, or the merchant's once registered) and the simulator's base URL.
    pub fn build(config: &AmazonConfig, lent: Option<(String, PrivateKey, String)>) -> Result<AmazonPay, AmazonStartError> {
        let own = match (&config.public_key_id, &config.private_key) {
            (Some(id), Some(pem)) => Some((id.clone(), PrivateKey::from_pem(&pem.0).map_err(amazon_pay_v2::Error::from)?)),
            _ => None,
        };
        // The sandbox's pair (or the merchant's, registered with the simulator) in sandbox mode.
        let (public_key_id, key, endpoint) = match (lent, own) {
            (Some((id, key, url)), _) => (id, key, Some(config.endpoint.clone().unwrap_or(url))),
            (None, Some((id, key))) => (id, key, config.endpoint.clone()),
            (None, None) => return Err(AmazonStartError::NoKey),
        };
        let region = match config.region {
            Region::Eu => amazon_pay_v2::Region::Eu,
            Region::Na => amazon_pay_v2::Region::Na,
            Region::Jp => amazon_pay_v2::Region::Jp,
        };
        let environment = match config.environment {
            Environment::Sandbox => amazon_pay_v2::Environment::Sandbox,
            Environment::Live => amazon_pay_v2::Environment::Live,
        };
        let mut client_config = ClientConfig::new(&public_key_id, key, region, environment);
        client_config.endpoint = endpoint;
        client_config.timeout = config.timeout;
        Ok(AmazonPay {
            client: Client::new(client_config)?,
            store_id: config.store_id.clone(),
            merchant_id: config.merchant_id.clone(),
            region: config.region,
        })
    }

    /// The public key id the button and the calls are signed for.
    pub fn public_key_id(&self) -> &str {
        &self.client.config().public_key_id
    }
}

/// SNS signing certificates by URL, fetched once each (Amazon rotates them rarely).
#[derive(Clone, Default)]
pub struct CertificateCache(pub std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, String>>>);

impl CertificateCache {
    /// How many are kept: Amazon signs with one certificate per region at a time, a few during a rotation.
    /// Anyone can name any `sns.<region>.amazonaws.com` URL (another query each time serves the same file),
    /// so without a bound every message could add one for the life of the process.
    pub const MAX: usize = 16;
}
