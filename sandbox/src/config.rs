//! What the sandbox is started with: the credentials it accepts and its timings. The server fills this in
//! from its own configuration; tests start from [`SandboxConfig::default`].

pub use crate::signer::ButtonSignatures;
use payone_wire::sandbox_settings::{defaults as d, SimTimings};

/// The PAYONE credentials the simulator accepts (the server's own, so its client is accepted).
#[derive(Clone)]
pub struct PayoneAccount {
    /// Merchant id.
    pub mid: String,
    /// Portal id.
    pub portal_id: String,
    /// Sub-account id.
    pub aid: String,
    /// Portal key; requests carry it sha384- (or md5-) hashed.
    pub key: String,
}

impl std::fmt::Debug for PayoneAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayoneAccount")
            .field("mid", &self.mid)
            .field("portal_id", &self.portal_id)
            .field("aid", &self.aid)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// The CheckoutChamp API user and campaign the simulator accepts.
#[derive(Clone)]
pub struct CheckoutChampAccount {
    /// API user.
    pub login_id: String,
    /// API password.
    pub password: String,
    /// Numeric campaign id.
    pub campaign_id: String,
    /// Numeric: the CRM's id of the Amazon Pay MID.
    pub amazon_biller_id: String,
}

impl std::fmt::Debug for CheckoutChampAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutChampAccount")
            .field("login_id", &self.login_id)
            .field("password", &"<redacted>")
            .field("campaign_id", &self.campaign_id)
            .field("amazon_biller_id", &self.amazon_biller_id)
            .finish()
    }
}

/// Everything the sandbox needs to start.
#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// What the PAYONE simulator accepts.
    pub payone: PayoneAccount,
    /// Amazon seller id handed out by CV1 `getconfiguration`.
    pub amazon_merchant_id: String,
    /// What the CheckoutChamp simulator accepts.
    pub checkoutchamp: CheckoutChampAccount,
    /// The simulators' delays.
    pub timings: SimTimings,
    /// Where TransactionStatus notifications go: `None` for the server's own receiver at the public URL,
    /// `Some("")` for nowhere.
    pub payone_notify_url: Option<String>,
    /// Where the Amazon Pay API v2 simulator posts SNS notifications: `None` for the server's own receiver
    /// (`/amazon/ipn` at the public URL), `Some("")` for nowhere.
    pub amazon_notify_url: Option<String>,
    /// How the PAYONE simulator signs button payloads: real signatures unless a load benchmark asks for the
    /// placeholder ([`ButtonSignatures`]).
    pub button_signatures: ButtonSignatures,
}

impl Default for SandboxConfig {
    /// The documented sandbox defaults.
    fn default() -> Self {
        SandboxConfig {
            payone: PayoneAccount {
                mid: d::PAYONE_MID.to_owned(),
                portal_id: d::PAYONE_PORTALID.to_owned(),
                aid: d::PAYONE_AID.to_owned(),
                key: d::PAYONE_KEY.to_owned(),
            },
            amazon_merchant_id: d::AMAZON_MERCHANT_ID.to_owned(),
            checkoutchamp: CheckoutChampAccount {
                login_id: d::CHECKOUTCHAMP_LOGIN_ID.to_owned(),
                password: d::CHECKOUTCHAMP_PASSWORD.to_owned(),
                campaign_id: d::CHECKOUTCHAMP_CAMPAIGN_ID.to_owned(),
                amazon_biller_id: d::CHECKOUTCHAMP_AMAZON_BILLER_ID.to_owned(),
            },
            timings: SimTimings::default(),
            payone_notify_url: None,
            amazon_notify_url: None,
            button_signatures: ButtonSignatures::Real,
        }
    }
}
