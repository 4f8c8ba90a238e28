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
pub mod types;

pub use client::{AmazonImportOrder, AmazonImportUpsale, CheckoutChampClient, CHECKOUTCHAMP_LIVE_ENDPOINT};
pub use orders::{CheckoutChampOrders, ImportLocks, ImportedOrder, StoredImport};
pub use types::{CrmError, CrmOrder, CrmRequest, DeclineReason};

use crate::amazon_profile::ProfileClient;

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
        let client = CheckoutChampClient::new(cc, &endpoint, store.clone())?;
        Ok(Some(CheckoutChamp { client, profile, orders: CheckoutChampOrders::new(store.clone()), locks: ImportLocks::default() }))
    }
}
