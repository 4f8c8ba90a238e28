//! The one place the server meets the sandbox crate (only with the `sandbox` feature): the sandbox's
//! configuration taken from the server's, and the window into the order store it serves under `/inspect/`.

use crate::config::{CheckoutChampConfig, Config};
use crate::store::Store;
use amazon_pay_sandbox::{CheckoutChampAccount, InspectError, Inspector, PayoneAccount, SandboxConfig, StoredOrder, UpstreamCall};
use std::path::PathBuf;

/// The sandbox accepts this server's own credentials, so its PAYONE and CheckoutChamp clients get through.
pub(crate) fn sandbox_config(config: &Config) -> SandboxConfig {
    let cc = config.checkoutchamp.clone().unwrap_or_else(CheckoutChampConfig::sandbox);
    SandboxConfig {
        payone: PayoneAccount {
            mid: config.payone.mid.clone(),
            portal_id: config.payone.portal_id.clone(),
            aid: config.payone.aid.clone(),
            key: config.payone.key.clone(),
        },
        amazon_merchant_id: config.amazon_merchant_id.clone(),
        checkoutchamp: CheckoutChampAccount {
            login_id: cc.login_id,
            password: cc.password,
            campaign_id: cc.campaign_id,
            amazon_biller_id: cc.amazon_biller_id,
        },
        timings: config.sandbox_timings.clone(),
        payone_notify_url: config.payone_notify_url.clone(),
        button_signatures: match config.sandbox_button_signatures {
            crate::config::ButtonSignatures::Real => amazon_pay_sandbox::ButtonSignatures::Real,
            crate::config::ButtonSignatures::Placeholder => amazon_pay_sandbox::ButtonSignatures::Placeholder,
        },
        ..SandboxConfig::default()
    }
}

/// In sandbox mode with `--provider amazon` and no key of the merchant's own: the sandbox's merchant key pair
/// (its public key registered with the sandbox's Amazon Pay API simulator) and the simulator's base URL.
/// A merchant key configured in sandbox mode is registered with the simulator too, so it is accepted there.
pub(crate) fn amazon_key(
    sandbox: &amazon_pay_sandbox::Sandbox,
    config: &crate::config::amazon::AmazonConfig,
    public_url: &str,
) -> Result<(String, amazon_pay_v2::PrivateKey, String), crate::amazon::AmazonStartError> {
    let endpoint = format!("{public_url}/sandbox{}", amazon_pay_sandbox::amazon_v2::MOUNT);
    if let (Some(id), Some(pem)) = (&config.public_key_id, &config.private_key) {
        let key = amazon_pay_v2::PrivateKey::from_pem(&pem.0).map_err(amazon_pay_v2::Error::from)?;
        sandbox
            .amazon_v2
            .keys()
            .register(id, &key.public_key().to_pem())
            .map_err(|e| crate::amazon::AmazonStartError::Client(amazon_pay_v2::Error::Config(e.to_string())))?;
        return Ok((id.clone(), key, endpoint));
    }
    let key = amazon_pay_v2::PrivateKey::from_pem(amazon_pay_sandbox::SANDBOX_PRIVATE_KEY_PEM).map_err(amazon_pay_v2::Error::from)?;
    Ok((amazon_pay_sandbox::SANDBOX_PUBLIC_KEY_ID.to_owned(), key, endpoint))
}

/// The order store and page directories, as the sandbox's inspection endpoints see them.
pub(crate) struct StoreInspector {
    pub(crate) store: Store,
    pub(crate) page_dirs: [PathBuf; 2],
    /// `--provider`, which the harness names in its Checkout v2 and APB flows.
    pub(crate) provider: crate::config::amazon::Provider,
}

fn store_error(err: crate::store::StoreError) -> InspectError {
    InspectError(err.to_string())
}

impl Inspector for StoreInspector {
    fn upstream_calls(&self) -> Result<Vec<UpstreamCall>, InspectError> {
        let calls = self.store.upstream_calls().map_err(store_error)?;
        let requests = self.store.upstream_call_requests().map_err(store_error)?;
        let times = self.store.upstream_call_times_ms().map_err(store_error)?;
        Ok(calls
            .into_iter()
            .zip(requests)
            .zip(times)
            .map(|(((service, action, outcome), request), at_ms)| UpstreamCall { service, action, outcome, request, at_ms })
            .collect())
    }

    fn orders(&self, workorder_id: &str) -> Result<Vec<StoredOrder>, InspectError> {
        let orders = self.store.orders_for_workorder(workorder_id).map_err(store_error)?;
        Ok(orders
            .into_iter()
            .map(|o| StoredOrder {
                id: o.id,
                workorder_id: o.workorder_id,
                state: o.state.as_str(),
                amount_minor: o.amount.minor,
                txid: o.txid,
                decline: o.decline.map(|d| d.as_str()),
            })
            .collect())
    }

    fn notifications(&self, after: usize, limit: usize) -> Result<Vec<(String, String, String, i64)>, InspectError> {
        self.store.notification_log_page_ms(after, limit).map_err(store_error)
    }

    fn provider(&self) -> &'static str {
        self.provider.as_str()
    }

    fn pages(&self) -> Vec<String> {
        let mut pages: Vec<String> = self
            .page_dirs
            .iter()
            .filter_map(|dir| std::fs::read_dir(dir).ok())
            .flatten()
            .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
            .filter(|name| name.ends_with(".html"))
            .map(|name| format!("/{name}"))
            .collect();
        pages.sort();
        pages.dedup();
        pages
    }
}
