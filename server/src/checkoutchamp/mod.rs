//! CheckoutChamp (formerly Konnektive CRM) with Amazon Pay: the API client, its wire format, and what this
//! server remembers about the orders it imported.
//!
//! The flow of CheckoutChamp's Amazon Pay guide: the lander gets the buyer's `access_token` and an order
//! reference (or billing agreement) id from Amazon's widgets; this server reads the buyer's profile with the
//! token, and sends Import Order with `paySource=AMAZON`, `amazonBillerId`, `amazonOrderId` and
//! `amazonAddressConsent`. Upsell pages send Import Upsale on the same order.

pub mod client;
pub mod orders;
pub mod status;
pub mod token_owners;
pub mod types;

pub use client::{AmazonImportOrder, AmazonImportUpsale, CheckoutChampClient, CHECKOUTCHAMP_LIVE_ENDPOINT};
pub use orders::{CheckoutChampOrders, Claimed, Follow, ImportLocks, ImportedOrder, StoredImport, Unsettled, UnsettledUpsale};
pub use types::{CrmError, CrmOrder, CrmRequest, DeclineReason};

use crate::amazon_profile::{AmazonProfile, ProfileClient, ProfileError};

/// Everything the CheckoutChamp endpoints need, built once at start; cheap to clone (the status sweep holds one).
#[derive(Clone)]
pub struct CheckoutChamp {
    /// The client.
    pub client: CheckoutChampClient,
    /// Reads the buyer's name and email from Amazon with their token.
    pub profile: ProfileClient,
    /// The orders.
    pub orders: CheckoutChampOrders,
    /// The locks.
    pub locks: ImportLocks,
    /// Which Amazon account a token was accepted for lately: the order-status read's answer without Amazon.
    pub token_owners: token_owners::TokenOwners,
}

impl CheckoutChamp {
    /// The client, profile reader and tables for `config`; `None` when CheckoutChamp is not configured. In
    /// sandbox mode both upstreams default to this server's own simulators at `addr`.
    pub fn build(config: &crate::config::Config, addr: std::net::SocketAddr, store: &crate::store::Store) -> anyhow::Result<Option<CheckoutChamp>> {
        let Some(cc) = config.checkoutchamp.clone() else { return Ok(None) };
        let endpoint = cc.endpoint.clone().unwrap_or_else(|| format!("http://{addr}/sandbox/checkoutchamp"));
        let profile_endpoint = config.amazon_profile_endpoint.clone().unwrap_or_else(|| format!("http://{addr}/sandbox/amazon"));
        // A profile read is one small GET: it never needs longer than CheckoutChamp, nor than 10 s.
        let profile = ProfileClient::new(&profile_endpoint, cc.timeout.min(std::time::Duration::from_secs(10)))?;
        let orders = CheckoutChampOrders::following(store.clone(), orders::Follow::of_server(&cc, config.placing_expiry));
        let client = CheckoutChampClient::new(cc, &endpoint, store.clone())?;
        Ok(Some(CheckoutChamp { client, profile, orders, locks: ImportLocks::default(), token_owners: Default::default() }))
    }
}

impl CheckoutChamp {
    /// The buyer's profile, asked of Amazon now (Import Order needs the name; Import Upsale moves money and
    /// trusts no memory). What Amazon answered updates [`Self::token_owners`]: accepted is remembered,
    /// refused is forgotten.
    pub async fn fresh_profile(&self, token: &str) -> Result<AmazonProfile, ProfileError> {
        let answer = self.profile.fetch(token).await;
        match &answer {
            Ok(profile) => self.token_owners.remember(token, &profile.user_id, self.token_owners.now()),
            Err(ProfileError::InvalidToken) => self.token_owners.forget(token),
            Err(_) => {}
        }
        answer
    }

    /// The Amazon account (`user_id`) `token` belongs to: remembered if Amazon accepted it within the
    /// lifetime, else asked of Amazon. Only for reads that move no money (the order's status).
    pub async fn token_owner(&self, token: &str) -> Result<String, ProfileError> {
        if let Some(user_id) = self.token_owners.owner(token, self.token_owners.now()) {
            return Ok(user_id);
        }
        self.fresh_profile(token).await.map(|profile| profile.user_id)
    }
}
