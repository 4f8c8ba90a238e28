//! The CheckoutChamp order API client: credentials on every call, timeouts, and every call in the store.

use super::types::{parse_answer, CrmError, CrmOrder, CrmRequest};
use crate::config::CheckoutChampConfig;
use crate::store::Store;
use amazon_pay_contract::checkoutchamp::CampaignLine;
use amazon_pay_contract::Currency;
use std::time::Duration;

/// CheckoutChamp's API host (defined with the configuration, which defaults to it).
pub use crate::config::CHECKOUTCHAMP_LIVE_ENDPOINT;

/// Import Order with Amazon Pay, as CheckoutChamp's Amazon Pay guide lists the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonImportOrder {
    /// Order reference (`S02-…`) or billing agreement (`B02-…`) id.
    pub amazon_order_id: String,
    /// The buyer's `access_token` (`amazonAddressConsent`): the CRM reads the shipping address with it.
    pub access_token: String,
    /// The first name.
    pub first_name: String,
    /// The last name.
    pub last_name: String,
    /// The email.
    pub email: String,
    /// The items.
    pub items: Vec<CampaignLine>,
    /// The buyer's address as this server saw it (`ipAddress`, required by the CRM's Import Order).
    pub ip_address: std::net::IpAddr,
    /// This import's own tag, sent as [`REFERENCE_FIELD`]: Order Query finds the order by it when the answer
    /// never came ([`CheckoutChampClient::find_import`]).
    pub reference: String,
}

/// The Import Order field that carries this server's reference. CheckoutChamp stores `custom1` … `custom5`
/// "along with the order record" (50 characters each); that Order Query's answer carries them is inferred, not
/// documented (`docs/api.md`). This server uses the last, so a merchant's own funnel keeps `custom1` … `custom4`.
pub const REFERENCE_FIELD: &str = "custom5";

/// How many pages of one buyer's orders [`CheckoutChampClient::find_import`] reads at most (200 orders each).
const MAX_QUERY_PAGES: u32 = 5;

/// Import Upsale on an order imported before; the Amazon fields are repeated as the guide says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AmazonImportUpsale {
    /// The order id.
    pub order_id: String,
    /// The amazon order id.
    pub amazon_order_id: String,
    /// The access token.
    pub access_token: String,
    /// The product id.
    pub product_id: u32,
    /// The quantity.
    pub quantity: u32,
    /// The buyer's address as this server saw it (`ipAddress`).
    pub ip_address: std::net::IpAddr,
}

/// Talks to CheckoutChamp (or the sandbox's simulator, which speaks the same protocol).
#[derive(Clone)]
pub struct CheckoutChampClient {
    config: CheckoutChampConfig,
    endpoint: String,
    http: reqwest::Client,
    store: Store,
}

impl CheckoutChampClient {
    /// `endpoint` is the API's base, e.g. [`CHECKOUTCHAMP_LIVE_ENDPOINT`] or `http://127.0.0.1:8080/sandbox/checkoutchamp`.
    pub fn new(config: CheckoutChampConfig, endpoint: &str, store: Store) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(config.timeout).connect_timeout(config.timeout.min(Duration::from_secs(10))).build()?;
        Ok(CheckoutChampClient { endpoint: endpoint.trim_end_matches('/').to_owned(), config, http, store })
    }

    /// The API base URL calls go to.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// How often pending orders are queried (`CHECKOUTCHAMP_STATUS_EVERY_MS`).
    pub fn status_every(&self) -> Duration {
        self.config.status_every
    }

    /// The currency CheckoutChamp's amounts are read in when the answer does not name one.
    pub fn currency(&self) -> Currency {
        Currency::Eur
    }

    /// A request with `loginId`, `password` and `campaignId` filled in.
    pub fn request(&self) -> CrmRequest {
        let mut r = CrmRequest::default();
        r.set("loginId", &self.config.login_id).set("password", &self.config.password).set("campaignId", &self.config.campaign_id);
        r
    }

    /// `POST {endpoint}/{path}/` and the `message` of a `SUCCESS`. Every call is recorded in the store with its
    /// secrets redacted, whatever its outcome.
    pub async fn call(&self, path: &str, request: &CrmRequest) -> Result<serde_json::Value, CrmError> {
        let url = format!("{}/{}/", self.endpoint, path.trim_matches('/'));
        let started = std::time::Instant::now();
        let (result, body) = self.exchange(&url, request).await;
        let label = if result.is_ok() { "success" } else { "error" };
        crate::telemetry::metrics::upstream_call("checkoutchamp", path, label, started.elapsed());
        let outcome = match &result {
            Ok(_) => "SUCCESS".to_owned(),
            Err(e) => e.to_string(),
        };
        // Logged once, by `upstream_call` above; the outcome's detail is in the record below.
        if let Err(e) = self.store.record_upstream_call("checkoutchamp", path, &request.redacted(), &body, &outcome).await {
            // The call happened; losing its log line must not turn an imported order into an error.
            tracing::error!(error = %e, path, "cannot record a CheckoutChamp call");
        }
        result
    }

    async fn exchange(&self, url: &str, request: &CrmRequest) -> (Result<serde_json::Value, CrmError>, String) {
        let timeout = self.config.timeout;
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                CrmError::Timeout(timeout)
            } else {
                CrmError::Transport(e.without_url().to_string())
            }
        };
        let sent = self
            .http
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(request.encode())
            .send()
            .await;
        let response = match sent {
            Ok(r) => r,
            Err(e) => return (Err(transport(e)), String::new()),
        };
        let status = response.status().as_u16();
        match response.text().await {
            Ok(body) => (parse_answer(status, &body), body.chars().take(8000).collect()),
            Err(e) => (Err(transport(e)), String::new()),
        }
    }

    /// Import Order with `paySource=AMAZON`. Prices are CheckoutChamp's: only product ids and quantities are sent.
    pub async fn import_order(&self, order: &AmazonImportOrder) -> Result<CrmOrder, CrmError> {
        let mut r = self.request();
        r.set("paySource", "AMAZON")
            .set("amazonBillerId", &self.config.amazon_biller_id)
            .set("amazonOrderId", &order.amazon_order_id)
            .set("amazonAddressConsent", &order.access_token)
            .set("firstName", &order.first_name)
            .set("lastName", &order.last_name)
            .set("emailAddress", &order.email)
            .set("ipAddress", order.ip_address.to_string())
            .set(REFERENCE_FIELD, &order.reference);
        for (n, line) in order.items.iter().enumerate() {
            r.set(&format!("product{}_id", n + 1), line.product_id.to_string()).set(&format!("product{}_qty", n + 1), line.quantity.to_string());
        }
        let message = self.call("order/import", &r).await?;
        self.order_from(&message, "order/import")
    }

    /// Import Upsale: one more product on an imported order, charged to the same Amazon order or agreement.
    pub async fn import_upsale(&self, upsale: &AmazonImportUpsale) -> Result<CrmOrder, CrmError> {
        let mut r = self.request();
        r.set("orderId", &upsale.order_id)
            .set("productId", upsale.product_id.to_string())
            .set("productQty", upsale.quantity.to_string())
            .set("amazonBillerId", &self.config.amazon_biller_id)
            .set("amazonOrderId", &upsale.amazon_order_id)
            .set("amazonAddressConsent", &upsale.access_token)
            .set("ipAddress", upsale.ip_address.to_string());
        let message = self.call("upsale/import", &r).await?;
        self.order_from(&message, "upsale/import")
    }

    /// Order Query (`order/query` with `orderId`): the order as the CRM has it now. The answer is a page of
    /// orders (`{"totalResults": 1, "data": [order]}`, as Konnektive's query calls answer); an answer without
    /// this order is [`CrmError::Garbage`], CheckoutChamp's "no orders matching" an `ERROR` ([`CrmError::Refused`]).
    pub async fn query_order(&self, order_id: &str) -> Result<CrmOrder, CrmError> {
        let mut r = self.request();
        r.set("orderId", order_id);
        let message = self.call("order/query", &r).await?;
        self.order_from(&super::types::order_in_page(message, order_id)?, "order/query")
    }

    /// The order an earlier Import Order tagged `reference` created, if CheckoutChamp has one: Order Query for
    /// the buyer's `email` from the day before `since_ms` to the day after today (UTC; the CRM's time zone is
    /// its own), read for [`REFERENCE_FIELD`]. CheckoutChamp's "no orders matching" is `None`; a failed query is
    /// the error (nothing is known yet).
    pub async fn find_import(&self, reference: &str, email: &str, since_ms: i64) -> Result<Option<CrmOrder>, CrmError> {
        const DAY_MS: i64 = 86_400_000;
        let today = crate::store::now_ms().div_euclid(DAY_MS);
        let (start, end) = (since_ms.div_euclid(DAY_MS).min(today) - 1, today + 1);
        for page in 1..=MAX_QUERY_PAGES {
            let mut r = self.request();
            r.set("emailAddress", email)
                .set("startDate", super::types::month_day_year(start))
                .set("endDate", super::types::month_day_year(end))
                .set("resultsPerPage", "200")
                .set("page", page.to_string());
            let message = match self.call("order/query", &r).await {
                Ok(message) => message,
                Err(CrmError::Refused(m)) if m.contains("No orders matching") => return Ok(None),
                Err(e) => return Err(e),
            };
            let (found, more) = super::types::tagged_order(message, REFERENCE_FIELD, reference, page, 200)?;
            if let Some(order) = found {
                return self.order_from(&order, "order/query").map(Some);
            }
            if !more {
                break;
            }
        }
        Ok(None)
    }

    fn order_from(&self, message: &serde_json::Value, path: &str) -> Result<CrmOrder, CrmError> {
        // The CRM said SUCCESS but the order is unreadable: say so loudly, the order may exist upstream.
        CrmOrder::from_message(message, self.currency()).inspect_err(|e| tracing::error!(error = %e, path, "unreadable CheckoutChamp order"))
    }
}
