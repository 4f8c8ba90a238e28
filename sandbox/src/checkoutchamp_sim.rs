//! CheckoutChamp simulator: the order API under `/sandbox/checkoutchamp/`, with the real API's paths.
//!
//! It speaks the protocol of `shared/reference/amazonpay-js.md` §C: `POST /<section>/<action>/` with a
//! trailing slash, parameters form-encoded in the body or in the query string (both accepted, the body wins),
//! `loginId`/`password` on every call, and JSON answers `{"result":"SUCCESS","message":{…}}` or
//! `{"result":"ERROR","message":"…"}`. Amazon Pay orders (`paySource=AMAZON`) are checked against the
//! sandbox's Amazon state as the CRM checks them against Amazon: the order reference or billing agreement
//! must exist, the address consent token must belong to the same buyer, billing agreements need consent, and
//! the reference's payment instrument decides the outcome (see [`crate::scenario`]).
//!
//! Orders live in memory only; prices come from [`CAMPAIGN_PRODUCTS`], never from the request. A `PENDING`
//! order (Amazon's asynchronous authorization: `mc-4444`, `visa-0002`) is decided after the sandbox's settle
//! delay (`SANDBOX_SETTLE_MS`): `COMPLETE` or `DECLINED` as its instrument says, seen by the next call that
//! reads it (`order/query`, an upsale), as a CRM that learnt Amazon's answer meanwhile.

use super::amazon::{AgreementType, AmazonSandbox, OrderReference};
use super::scenario::Scenario;
use crate::config::CheckoutChampAccount;
use amazon_pay_contract::{Currency, Money};
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A product of the sandbox campaign: CheckoutChamp's campaign product id, name and unit price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CampaignProduct {
    /// The id.
    pub id: u32,
    /// The name.
    pub name: &'static str,
    /// Unit price in euro cents.
    pub price: i64,
}

/// The sandbox campaign's products; the first three are the demo shop's catalogue at the same prices.
pub const CAMPAIGN_PRODUCTS: &[CampaignProduct] = &[
    CampaignProduct { id: 101, name: "Rust mug", price: 1290 },
    CampaignProduct { id: 102, name: "Ferris T-shirt", price: 2490 },
    CampaignProduct { id: 103, name: "Sticker pack", price: 450 },
    CampaignProduct { id: 104, name: "Sticker club (monthly)", price: 390 },
];

/// The campaign product with `id`.
pub fn campaign_product(id: u32) -> Option<&'static CampaignProduct> {
    CAMPAIGN_PRODUCTS.iter().find(|p| p.id == id)
}

/// The validating SDK's cap on `loginId` and `password`.
const MAX_CREDENTIAL_LEN: usize = 32;
/// `product1_id` … `product20_id` at most.
const MAX_PRODUCT_LINES: usize = 20;
const PAY_SOURCES: &[&str] = &["CREDITCARD", "CHECK", "ACCTONFILE", "PREPAID", "PAYPAL", "AMAZON", "DIRECTDEBIT", "COD"];
const PAGE_TYPES: &[&str] = &["presellPage", "leadPage", "checkoutPage", "upsellPage1", "upsellPage2", "upsellPage3", "upsellPage4", "thankyouPage"];

/// One line of a simulated order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimLine {
    /// The product.
    pub product: &'static CampaignProduct,
    /// The quantity.
    pub qty: u32,
}

/// An order as the simulated CRM keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimOrder {
    /// The order id.
    pub order_id: String,
    /// The customer id.
    pub customer_id: u64,
    /// `PARTIAL` (lead), `COMPLETE`, `PENDING`, (a pending order Amazon declined later) `DECLINED`, or (the
    /// merchant's action in the CRM, `order/refund`, `order/cancel`) `REFUNDED`, `CANCELLED`.
    pub status: &'static str,
    /// A `PENDING` order's later status and when it takes it.
    pub settles: Option<(Instant, &'static str)>,
    /// The first name.
    pub first_name: String,
    /// The last name.
    pub last_name: String,
    /// The email.
    pub email: String,
    /// The phone.
    pub phone: String,
    /// The pay source.
    pub pay_source: Option<String>,
    /// The Amazon order reference or billing agreement the order is charged to.
    pub amazon_order_id: Option<String>,
    /// The sandbox buyer behind the address consent token.
    pub amazon_buyer: Option<&'static str>,
    /// The shipping address.
    pub ship: Option<super::amazon::Address>,
    /// The items.
    pub items: Vec<SimLine>,
    /// The session id.
    pub session_id: Option<String>,
    /// `/order/confirm/` was called (autoresponder emails "sent").
    pub confirmed: bool,
    /// The buyer's `ipAddress` as the merchant sent it.
    pub ip_address: Option<String>,
    /// `custom1` … `custom5` as the merchant sent them ("custom value to store along with the order record").
    pub custom: Vec<(String, String)>,
    /// The day (UTC, days since 1970-01-01) the order was created: what Order Query's date range filters by.
    pub created_day: i64,
}

impl SimOrder {
    /// The order's total: its lines at the campaign's prices.
    pub fn total(&self) -> Money {
        Money::eur(self.items.iter().map(|l| l.product.price * i64::from(l.qty)).sum())
    }

    fn custom_value(&self, name: &str) -> Option<&str> {
        self.custom.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The `message` object of a SUCCESS answer, with the fields real clients read.
    fn to_json(&self) -> Value {
        let ship = self.ship;
        let s = |f: fn(&super::amazon::Address) -> &'static str| ship.as_ref().map(f).unwrap_or("");
        json!({
            "orderId": self.order_id,
            "customerId": self.customer_id.to_string(),
            "orderStatus": self.status,
            "paySource": self.pay_source,
            "currencyCode": Currency::Eur.code(),
            "totalAmount": self.total().decimal(),
            "baseShipping": "0.00",
            "salesTax": "0.00",
            "firstName": self.first_name,
            "lastName": self.last_name,
            "emailAddress": self.email,
            "phoneNumber": self.phone,
            "address1": s(|a| a.street),
            "address2": s(|a| a.addition),
            "city": s(|a| a.city),
            "state": s(|a| a.state),
            "postalCode": s(|a| a.zip),
            "country": s(|a| a.country),
            "shipFirstName": s(|a| a.first_name),
            "shipLastName": s(|a| a.last_name),
            "shipAddress1": s(|a| a.street),
            "shipAddress2": s(|a| a.addition),
            "shipCity": s(|a| a.city),
            "shipState": s(|a| a.state),
            "shipPostalCode": s(|a| a.zip),
            "shipCountry": s(|a| a.country),
            "amazonOrderId": self.amazon_order_id,
            "custom1": self.custom_value("custom1"),
            "custom2": self.custom_value("custom2"),
            "custom3": self.custom_value("custom3"),
            "custom4": self.custom_value("custom4"),
            "custom5": self.custom_value("custom5"),
            "items": self.items.iter().map(|l| json!({
                "productId": l.product.id.to_string(),
                "name": l.product.name,
                "price": Money::eur(l.product.price).decimal(),
                "qty": l.qty.to_string(),
            })).collect::<Vec<_>>(),
        })
    }
}

/// What the simulator answers: a JSON envelope, an HTML error page (upstream garbage), or nothing for a
/// while (upstream timeout).
#[derive(Debug, Clone, PartialEq)]
pub enum SimAnswer {
    /// JSON.
    Json(Value),
    /// Garbage.
    Garbage,
    /// Hold.
    Hold,
}

fn error(message: impl Into<String>) -> SimAnswer {
    SimAnswer::Json(json!({"result": "ERROR", "message": message.into()}))
}

fn success(message: Value) -> SimAnswer {
    SimAnswer::Json(json!({"result": "SUCCESS", "message": message}))
}

/// The request's parameters: the query string first, then the form body (later values win).
#[derive(Debug, Default, Clone)]
pub struct Params(HashMap<String, String>);

impl Params {
    /// Merges `query` and `body`; `None` when either is not form-encoded.
    pub fn parse(query: Option<&str>, body: &str) -> Option<Params> {
        let mut map = HashMap::new();
        for part in [query.unwrap_or(""), body] {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(part).ok()?;
            map.extend(pairs);
        }
        Some(Params(map))
    }

    /// A non-empty value (the CRM treats empty fields as missing).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    fn require(&self, name: &str) -> Result<&str, SimAnswer> {
        self.get(name).ok_or_else(|| error(format!("{name} is required")))
    }
}

/// The simulated CRM: configuration, orders and lander sessions, all in memory.
pub struct CheckoutChampSimulator {
    config: CheckoutChampAccount,
    hold_ms: AtomicU64,
    late_imports: AtomicU64,
    late_queries: AtomicU64,
    late_upsales: AtomicU64,
    settle_delay: Duration,
    next_customer: AtomicU64,
    orders: Mutex<HashMap<String, SimOrder>>,
    sessions: Mutex<HashSet<String>>,
}

fn random_hex(bytes: usize) -> String {
    use rand::Rng;
    let raw: Vec<u8> = (0..bytes).map(|_| rand::rng().random()).collect();
    hex::encode(raw)
}

fn integer(params: &Params, name: &str) -> Result<Option<u32>, SimAnswer> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| error(format!("{name} must be an integer"))),
    }
}

impl CheckoutChampSimulator {
    /// A simulator that accepts `config`'s credentials and holds "upstream timeout" requests for `hold`
    /// (`SANDBOX_UPSTREAM_HOLD_MS`, like the PAYONE simulator).
    /// A pending order is decided `settle` after its import (`SANDBOX_SETTLE_MS`).
    pub fn new(config: CheckoutChampAccount, hold: Duration, settle: Duration) -> Self {
        CheckoutChampSimulator {
            config,
            hold_ms: AtomicU64::new(hold.as_millis().try_into().unwrap_or(u64::MAX)),
            late_imports: AtomicU64::new(0),
            late_queries: AtomicU64::new(0),
            late_upsales: AtomicU64::new(0),
            settle_delay: settle,
            next_customer: AtomicU64::new(1001),
            orders: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashSet::new()),
        }
    }

    /// How long an "upstream timeout" request is held before the simulator answers.
    pub fn hold(&self) -> Duration {
        Duration::from_millis(self.hold_ms.load(Ordering::Relaxed))
    }

    /// Changes how long an "upstream timeout" request is held (tests shorten it).
    pub fn set_hold(&self, hold: Duration) {
        self.hold_ms.store(hold.as_millis().try_into().unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// The "late answer" fault: the next `count` Import Orders that create an order are answered only after the
    /// hold ([`Self::hold`]), as a CRM whose answer is lost on the way or comes after the caller gave up; the
    /// order exists all the same (the upstream timeout's worst case, `docs/sandbox.md`).
    pub fn answer_late(&self, count: u64) {
        self.late_imports.store(count, Ordering::Relaxed);
    }

    /// The same for Order Query: the next `count` queries are answered after the hold.
    pub fn answer_queries_late(&self, count: u64) {
        self.late_queries.store(count, Ordering::Relaxed);
    }

    /// The same for Import Upsale: the next `count` upsales that add their product (and charge Amazon) are
    /// answered after the hold; the product is on the order all the same.
    pub fn answer_upsales_late(&self, count: u64) {
        self.late_upsales.store(count, Ordering::Relaxed);
    }

    /// Takes one late answer for `action`, if any is left.
    fn take_late(&self, action: &str) -> bool {
        let left = match action {
            "order/import" => &self.late_imports,
            "order/query" => &self.late_queries,
            "upsale/import" => &self.late_upsales,
            _ => return false,
        };
        left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1)).is_ok()
    }

    /// A copy of the order `id` (for tests and the harness).
    pub fn order(&self, id: &str) -> Option<SimOrder> {
        self.lock_orders().get(id).cloned()
    }

    /// Every order, in no particular order.
    pub fn orders(&self) -> Vec<SimOrder> {
        self.lock_orders().values().cloned().collect()
    }

    /// The orders, with every pending one whose time has come decided.
    fn lock_orders(&self) -> std::sync::MutexGuard<'_, HashMap<String, SimOrder>> {
        // Plain data; a panic elsewhere leaves it usable.
        let mut orders = self.orders.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        for order in orders.values_mut() {
            if let Some((_, status)) = order.settles.filter(|(at, _)| *at <= now) {
                order.status = status;
                order.settles = None;
            }
        }
        orders
    }

    /// When a pending charge's outcome (`later`, from [`later_status`]) is decided.
    fn settles(&self, later: Option<&'static str>) -> Option<(Instant, &'static str)> {
        later.map(|status| (Instant::now() + self.settle_delay, status))
    }

    fn authenticate(&self, params: &Params) -> Result<(), SimAnswer> {
        let login = params.get("loginId").unwrap_or("");
        let password = params.get("password").unwrap_or("");
        if login.chars().count() > MAX_CREDENTIAL_LEN {
            return Err(error("loginId must be 32 characters or less"));
        }
        if password.chars().count() > MAX_CREDENTIAL_LEN {
            return Err(error("password must be 32 characters or less"));
        }
        // Both compared, each in constant time, as the real API should.
        let login_ok = crate::secret_eq(login, &self.config.login_id);
        if !(login_ok & crate::secret_eq(password, &self.config.password)) {
            return Err(error("Invalid Login Credentials"));
        }
        Ok(())
    }

    fn campaign(&self, params: &Params) -> Result<(), SimAnswer> {
        let id = integer(params, "campaignId")?.ok_or_else(|| error("campaignId is required"))?;
        if id.to_string() != self.config.campaign_id {
            return Err(error(format!("Invalid campaignId {id}")));
        }
        Ok(())
    }

    /// Answers `action` (`order/import`, `upsale/import`, …) with the sandbox's Amazon state.
    pub fn handle(&self, action: &str, params: &Params, amazon: &AmazonSandbox) -> SimAnswer {
        let result = self.authenticate(params).and_then(|()| match action {
            "order/import" => self.import_order(params, amazon),
            "upsale/import" => self.import_upsale(params, amazon),
            "landers/clicks/import" => self.import_click(params),
            "leads/import" => self.import_lead(params),
            "order/query" => self.query(params),
            "order/confirm" => self.confirm(params),
            "order/refund" => self.refund(params),
            "order/cancel" => self.cancel(params),
            _ => Err(error(format!("Unknown API method {action}"))),
        });
        result.unwrap_or_else(|refusal| refusal)
    }

    fn import_click(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        self.campaign(params)?;
        let page = params.require("pageType")?;
        if !PAGE_TYPES.contains(&page) {
            return Err(error(format!("Invalid pageType {page}")));
        }
        let session = match params.get("sessionId") {
            Some(existing) => self.known_session(existing)?,
            None => {
                let id = random_hex(16);
                self.sessions.lock().unwrap_or_else(|p| p.into_inner()).insert(id.clone());
                id
            }
        };
        Ok(success(json!({"sessionId": session})))
    }

    fn known_session(&self, id: &str) -> Result<String, SimAnswer> {
        if self.sessions.lock().unwrap_or_else(|p| p.into_inner()).contains(id) {
            Ok(id.to_owned())
        } else {
            Err(error("Invalid sessionId"))
        }
    }

    fn import_lead(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        self.campaign(params)?;
        let first = params.require("firstName")?;
        let last = params.require("lastName")?;
        let email = params.get("emailAddress");
        let phone = params.get("phoneNumber");
        if email.is_none() && phone.is_none() {
            return Err(error("emailAddress or phoneNumber is required"));
        }
        if let Some(email) = email {
            check_email(email)?;
        }
        let session_id = params.get("sessionId").map(|s| self.known_session(s)).transpose()?;
        let order = SimOrder {
            order_id: self.new_order_id(),
            customer_id: self.next_customer.fetch_add(1, Ordering::Relaxed),
            status: "PARTIAL",
            settles: None,
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.unwrap_or("").to_owned(),
            phone: phone.unwrap_or("").to_owned(),
            pay_source: None,
            amazon_order_id: None,
            amazon_buyer: None,
            ship: None,
            items: Vec::new(),
            session_id,
            confirmed: false,
            ip_address: params.get("ipAddress").map(str::to_owned),
            custom: custom_fields(params)?,
            created_day: today(),
        };
        let answer = order.to_json();
        self.lock_orders().insert(order.order_id.clone(), order);
        Ok(success(answer))
    }

    fn new_order_id(&self) -> String {
        random_hex(5).to_ascii_uppercase()
    }

    fn import_order(&self, params: &Params, amazon: &AmazonSandbox) -> Result<SimAnswer, SimAnswer> {
        self.campaign(params)?;
        // A lead's orderId carries the names; otherwise they are required here.
        let lead = match params.get("orderId") {
            Some(id) => match self.order(id) {
                Some(o) if o.status == "PARTIAL" => Some(o),
                Some(_) => return Err(error("Order has already been completed")),
                None => return Err(error("Invalid orderId")),
            },
            None => None,
        };
        let (first, last, email) = match &lead {
            Some(o) => (
                params.get("firstName").unwrap_or(&o.first_name).to_owned(),
                params.get("lastName").unwrap_or(&o.last_name).to_owned(),
                params.get("emailAddress").unwrap_or(&o.email).to_owned(),
            ),
            None => (params.require("firstName")?.to_owned(), params.require("lastName")?.to_owned(), params.require("emailAddress")?.to_owned()),
        };
        check_email(&email)?;
        // The CRM's Import Order validation: `ipAddress` is required (a lead's counts) and must be an IP address.
        let ip = match params.get("ipAddress").or(lead.as_ref().and_then(|o| o.ip_address.as_deref())) {
            Some(ip) => ip,
            None => return Err(error("ipAddress is required")),
        };
        if ip.parse::<std::net::IpAddr>().is_err() {
            return Err(error(format!("Invalid ipAddress {ip}")));
        }
        let ip_address = Some(ip.to_owned());
        let items = order_items(params)?;
        let pay_source = params.require("paySource")?;
        if !PAY_SOURCES.contains(&pay_source) {
            return Err(error(format!("Invalid paySource {pay_source}")));
        }
        if pay_source != "AMAZON" {
            return Err(error(format!("paySource {pay_source} is not available in the sandbox; use AMAZON")));
        }
        let amazon_order_id = self.biller_and_order_id(params)?;
        let consent = params.get("amazonAddressConsent").ok_or_else(|| error("amazonAddressConsent is required when paySource is AMAZON"))?;
        let reference = amazon_reference(amazon, amazon_order_id)?;
        let buyer = amazon.buyer_for_token(consent).filter(|b| b.id == reference.buyer.id);
        let Some(buyer) = buyer else {
            return Err(error("Amazon Pay error: InvalidAddressConsentToken"));
        };
        if reference.kind == AgreementType::OrderReference && reference.confirmed {
            return Err(error("Amazon Pay error: InvalidOrderReferenceStatus"));
        }
        let ship = reference.address.ok_or_else(|| error("Amazon Pay error: ShippingAddressNotSet"))?;
        let status = charge(&reference, Charge::Order)?;
        let settles = self.settles(later_status(&reference, Charge::Order));
        let order = SimOrder {
            order_id: lead.as_ref().map(|o| o.order_id.clone()).unwrap_or_else(|| self.new_order_id()),
            customer_id: lead.as_ref().map(|o| o.customer_id).unwrap_or_else(|| self.next_customer.fetch_add(1, Ordering::Relaxed)),
            status,
            settles,
            first_name: first,
            last_name: last,
            email,
            phone: lead.as_ref().map(|o| o.phone.clone()).unwrap_or_default(),
            pay_source: Some(pay_source.to_owned()),
            amazon_order_id: Some(amazon_order_id.to_owned()),
            amazon_buyer: Some(buyer.id),
            ship: Some(*ship),
            items,
            session_id: lead.as_ref().and_then(|o| o.session_id.clone()),
            confirmed: false,
            ip_address,
            custom: custom_fields(params)?,
            created_day: today(),
        };
        let total = order.total();
        amazon.update_order_reference(amazon_order_id, |r| {
            r.confirmed = true;
            r.amount = Some(total);
        });
        let answer = order.to_json();
        self.lock_orders().insert(order.order_id.clone(), order);
        Ok(success(answer))
    }

    /// Checks `amazonBillerId` and returns `amazonOrderId`.
    fn biller_and_order_id<'p>(&self, params: &'p Params) -> Result<&'p str, SimAnswer> {
        let biller = params.get("amazonBillerId").ok_or_else(|| error("amazonBillerId is required when paySource is AMAZON"))?;
        if biller != self.config.amazon_biller_id {
            return Err(error(format!("Invalid amazonBillerId {biller}")));
        }
        params.get("amazonOrderId").ok_or_else(|| error("amazonOrderId is required when paySource is AMAZON"))
    }

    fn import_upsale(&self, params: &Params, amazon: &AmazonSandbox) -> Result<SimAnswer, SimAnswer> {
        let order_id = params.require("orderId")?;
        let order = self.order(order_id).ok_or_else(|| error("Invalid orderId"))?;
        let product_id = integer(params, "productId")?.ok_or_else(|| error("productId is required"))?;
        let product = campaign_product(product_id).ok_or_else(|| error(format!("Invalid productId {product_id}")))?;
        let qty = quantity(params.get("productQty"), "productQty")?;
        if order.status == "PARTIAL" {
            return Err(error("Upsales require a completed order"));
        }
        let (Some(amazon_order_id), Some(buyer)) = (order.amazon_order_id.as_deref(), order.amazon_buyer) else {
            return Err(error("Upsales are simulated for Amazon Pay orders only"));
        };
        // The lander may repeat the Amazon fields (CheckoutChamp's guide says to); they must match the order.
        let repeated = params.get("amazonBillerId").is_some() || params.get("amazonOrderId").is_some();
        if repeated && self.biller_and_order_id(params)? != amazon_order_id {
            return Err(error("Amazon Pay error: InvalidOrderReferenceId"));
        }
        if let Some(consent) = params.get("amazonAddressConsent") {
            if amazon.buyer_for_token(consent).map(|b| b.id) != Some(buyer) {
                return Err(error("Amazon Pay error: InvalidAddressConsentToken"));
            }
        }
        let reference = amazon_reference(amazon, amazon_order_id)?;
        let status = charge(&reference, Charge::Upsale)?;
        let settles = self.settles(later_status(&reference, Charge::Upsale));
        let mut orders = self.lock_orders();
        let Some(stored) = orders.get_mut(order_id) else {
            return Err(error("Invalid orderId"));
        };
        stored.items.push(SimLine { product, qty });
        if status == "PENDING" {
            stored.status = "PENDING";
            stored.settles = settles;
        }
        Ok(success(stored.to_json()))
    }

    /// Order Query: one order by `orderId`, or the orders created from `startDate` to `endDate` (`m/d/Y`,
    /// required without `orderId`, as the validating SDK says), narrowed by `emailAddress`, a page of
    /// `resultsPerPage` (25, at most 200) at `page` (1). Nothing matching is an `ERROR`, as Konnektive answers it.
    fn query(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        let per_page = integer(params, "resultsPerPage")?.unwrap_or(25);
        if !(1..=200).contains(&per_page) {
            return Err(error("resultsPerPage must be between 1 and 200"));
        }
        let page = integer(params, "page")?.unwrap_or(1).max(1);
        let none = || error("No orders matching those parameters");
        if let Some(order_id) = params.get("orderId") {
            let order = self.order(order_id).ok_or_else(none)?;
            return Ok(success(json!({"totalResults": 1, "resultsPerPage": per_page, "page": 1, "data": [order.to_json()]})));
        }
        let start = day_of(params.require("startDate")?).ok_or_else(|| error("startDate must be a date (m/d/Y)"))?;
        let end = day_of(params.require("endDate")?).ok_or_else(|| error("endDate must be a date (m/d/Y)"))?;
        if start > end {
            return Err(error("startDate must be before or equal to endDate"));
        }
        let email = params.get("emailAddress");
        let mut found: Vec<SimOrder> = self
            .orders()
            .into_iter()
            .filter(|o| (start..=end).contains(&o.created_day) && email.is_none_or(|e| o.email.eq_ignore_ascii_case(e)))
            .collect();
        if found.is_empty() {
            return Err(none());
        }
        found.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        let total = found.len();
        let skip = (page as usize - 1).saturating_mul(per_page as usize);
        let data: Vec<Value> = found.iter().skip(skip).take(per_page as usize).map(SimOrder::to_json).collect();
        Ok(success(json!({"totalResults": total, "resultsPerPage": per_page, "page": page, "data": data})))
    }

    fn confirm(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        let order_id = params.require("orderId")?;
        let mut orders = self.lock_orders();
        let order = orders.get_mut(order_id).ok_or_else(|| error("Invalid orderId"))?;
        if order.status == "PARTIAL" {
            return Err(error("Order is not eligible for confirmation"));
        }
        order.confirmed = true;
        Ok(success(order.to_json()))
    }
}

impl CheckoutChampSimulator {
    /// The merchant refunds a paid order in the CRM, in full (`refundType=FULL`, the default; the sandbox has
    /// no partial refunds and says so): it becomes `REFUNDED`, as Order Query then tells.
    fn refund(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        let order_id = params.require("orderId")?;
        match params.get("refundType").unwrap_or("FULL") {
            "FULL" => {}
            "PARTIAL" => return Err(error("The sandbox refunds in full only (refundType=FULL)")),
            other => return Err(error(format!("Invalid refundType {other}"))),
        }
        self.merchant_action(order_id, "REFUNDED", "Order is not eligible for refund")
    }

    /// The merchant cancels a paid or pending order in the CRM: it becomes `CANCELLED` (a pending one is no
    /// longer decided by Amazon).
    fn cancel(&self, params: &Params) -> Result<SimAnswer, SimAnswer> {
        let order_id = params.require("orderId")?;
        self.merchant_action(order_id, "CANCELLED", "Order is not eligible for cancellation")
    }

    fn merchant_action(&self, order_id: &str, to: &'static str, refused: &str) -> Result<SimAnswer, SimAnswer> {
        let mut orders = self.lock_orders();
        let order = orders.get_mut(order_id).ok_or_else(|| error("Invalid orderId"))?;
        let allowed = if to == "REFUNDED" { order.status == "COMPLETE" } else { matches!(order.status, "COMPLETE" | "PENDING") };
        if !allowed {
            return Err(error(refused));
        }
        order.status = to;
        order.settles = None;
        Ok(success(order.to_json()))
    }
}

/// `custom1` … `custom5`, each at most 50 characters (the validating SDK's limit).
fn custom_fields(params: &Params) -> Result<Vec<(String, String)>, SimAnswer> {
    let mut fields = Vec::new();
    for n in 1..=5 {
        let name = format!("custom{n}");
        if let Some(value) = params.get(&name) {
            if value.chars().count() > 50 {
                return Err(error(format!("{name} must be 50 characters or less")));
            }
            fields.push((name, value.to_owned()));
        }
    }
    Ok(fields)
}

/// Today (UTC) in days since 1970-01-01.
fn today() -> i64 {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    i64::try_from(secs / 86_400).unwrap_or(0)
}

/// `m/d/Y` (Order Query's dates) in days since 1970-01-01; `None` when it is no date.
fn day_of(text: &str) -> Option<i64> {
    let mut parts = text.split('/').map(|p| p.parse::<i64>().ok());
    let (month, day, year) = (parts.next()??, parts.next()??, parts.next()??);
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) || !(1000..=9999).contains(&year) {
        return None;
    }
    Some(amazon_pay_contract::calendar::days_from_civil(year, month, day))
}

fn check_email(email: &str) -> Result<(), SimAnswer> {
    match email.split_once('@') {
        Some((local, domain)) if !local.is_empty() && domain.contains('.') && !domain.starts_with('.') => Ok(()),
        _ => Err(error("Invalid emailAddress")),
    }
}

fn quantity(value: Option<&str>, name: &str) -> Result<u32, SimAnswer> {
    match value {
        None => Ok(1),
        Some(v) => match v.parse::<u32>() {
            Ok(q) if (1..=99).contains(&q) => Ok(q),
            _ => Err(error(format!("Invalid {name} {v}"))),
        },
    }
}

/// The products of an Import Order: `orderItems` (JSON `{"<productId>": qty}`) or `productN_id`/`productN_qty`.
fn order_items(params: &Params) -> Result<Vec<SimLine>, SimAnswer> {
    let mut raw: Vec<(String, Option<String>)> = Vec::new();
    if let Some(json) = params.get("orderItems") {
        let map: Map<String, Value> = serde_json::from_str(json).map_err(|_| error("Invalid orderItems"))?;
        for (id, qty) in map {
            let qty = match qty {
                Value::Number(n) => n.to_string(),
                Value::String(s) => s,
                _ => return Err(error("Invalid orderItems")),
            };
            raw.push((id, Some(qty)));
        }
    } else {
        for n in 1..=MAX_PRODUCT_LINES {
            let Some(id) = params.get(&format!("product{n}_id")) else { break };
            raw.push((id.to_owned(), params.get(&format!("product{n}_qty")).map(str::to_owned)));
        }
    }
    if raw.is_empty() {
        return Err(error("No products specified"));
    }
    raw.iter()
        .map(|(id, qty)| {
            let product = id.parse::<u32>().ok().and_then(campaign_product).ok_or_else(|| error(format!("Invalid product {id}")))?;
            Ok(SimLine { product, qty: quantity(qty.as_deref(), "quantity")? })
        })
        .collect()
}

fn amazon_reference(amazon: &AmazonSandbox, id: &str) -> Result<OrderReference, SimAnswer> {
    amazon.order_reference(id).ok_or_else(|| {
        if id.starts_with("B02-") || id.starts_with("C01-") {
            error("Amazon Pay error: InvalidBillingAgreementId")
        } else {
            error("Amazon Pay error: InvalidOrderReferenceId")
        }
    })
}

/// Which charge on an order reference or billing agreement: the order's, or an upsale's on that order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Charge {
    Order,
    Upsale,
}

/// Authorizes on the reference as its instrument's scenario says (an upsale as [`Instrument::upsale`] says,
/// when the instrument has one): the order status, or the CRM's refusal.
///
/// [`Instrument::upsale`]: crate::scenario::Instrument::upsale
fn charge(reference: &OrderReference, which: Charge) -> Result<&'static str, SimAnswer> {
    if reference.kind == AgreementType::BillingAgreement && !reference.consent {
        return Err(error("Amazon Pay error: BillingAgreementConstraintsExist (BuyerConsentNotSet)"));
    }
    let instrument = reference.instrument.ok_or_else(|| error("Amazon Pay error: PaymentPlanNotSet"))?;
    let scenario = match which {
        Charge::Order => instrument.scenario,
        Charge::Upsale => instrument.upsale.unwrap_or(instrument.scenario),
    };
    match scenario {
        Scenario::Approved | Scenario::MfaPassed => Ok("COMPLETE"),
        Scenario::PendingThenPaid | Scenario::PendingThenFailed => Ok("PENDING"),
        Scenario::SoftDecline | Scenario::MfaAbandoned => Err(error("Transaction Declined: InvalidPaymentMethod")),
        Scenario::HardDecline => Err(error("Transaction Declined: AmazonRejected")),
        Scenario::TransactionTimedOut => Err(error("Transaction Declined: TransactionTimedOut")),
        Scenario::ProcessingFailure => Err(error("Transaction Declined: ProcessingFailure")),
        // Amazon's order reference constraints: the CRM cannot authorize on the reference at all.
        Scenario::BuyerEqualsSeller => Err(error("Transaction Declined: BuyerEqualsSeller")),
        Scenario::PaymentMethodNotAllowed => Err(error("Transaction Declined: PaymentMethodNotAllowed")),
        Scenario::SessionExpired => Err(error("Amazon Pay error: InvalidOrderReferenceStatus")),
        Scenario::UpstreamTimeout => Err(SimAnswer::Hold),
        Scenario::UpstreamGarbage => Err(SimAnswer::Garbage),
    }
}

/// What a `PENDING` charge becomes once Amazon decides (`None` for any other charge).
fn later_status(reference: &OrderReference, which: Charge) -> Option<&'static str> {
    let instrument = reference.instrument?;
    let scenario = match which {
        Charge::Order => instrument.scenario,
        Charge::Upsale => instrument.upsale.unwrap_or(instrument.scenario),
    };
    match scenario {
        Scenario::PendingThenPaid => Some("COMPLETE"),
        Scenario::PendingThenFailed => Some("DECLINED"),
        _ => None,
    }
}

/// The HTML a broken proxy in front of the CRM might answer with.
const GARBAGE: &str = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p></body></html>";

async fn respond(crm: &CheckoutChampSimulator, amazon: &AmazonSandbox, action: &'static str, query: Option<String>, body: &str) -> Response {
    let answer = match Params::parse(query.as_deref(), body) {
        Some(params) => crm.handle(action, &params, amazon),
        None => error("Invalid request: parameters must be form-encoded"),
    };
    // A late Import Order (or Upsale) is one that created its order (added its product); a late query is late
    // whatever it answers.
    let created = matches!(&answer, SimAnswer::Json(v) if v["result"] == "SUCCESS");
    if (created || !matches!(action, "order/import" | "upsale/import")) && crm.take_late(action) {
        tokio::time::sleep(crm.hold()).await;
    }
    match answer {
        SimAnswer::Json(value) => ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], value.to_string()).into_response(),
        SimAnswer::Garbage => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], GARBAGE).into_response(),
        SimAnswer::Hold => {
            tokio::time::sleep(crm.hold()).await;
            let late = json!({"result": "ERROR", "message": "Gateway timeout: Amazon Pay did not answer"});
            ([(header::CONTENT_TYPE, "application/json; charset=utf-8")], late.to_string()).into_response()
        }
    }
}

macro_rules! endpoint {
    ($name:ident, $action:literal) => {
        /// One CheckoutChamp endpoint (see [`respond`]).
        pub(crate) async fn $name(
            State(crm): State<Arc<CheckoutChampSimulator>>,
            State(amazon): State<Arc<AmazonSandbox>>,
            RawQuery(query): RawQuery,
            crate::form_body::FormBody(body): crate::form_body::FormBody,
        ) -> Response {
            respond(&crm, &amazon, $action, query, &String::from_utf8_lossy(&body)).await
        }
    };
}

endpoint!(order_import, "order/import");
endpoint!(upsale_import, "upsale/import");
endpoint!(click_import, "landers/clicks/import");
endpoint!(lead_import, "leads/import");
endpoint!(order_query, "order/query");
endpoint!(order_confirm, "order/confirm");
endpoint!(order_refund, "order/refund");
endpoint!(order_cancel, "order/cancel");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_merge_query_and_body_with_the_body_winning() {
        let p = Params::parse(Some("loginId=q&campaignId=1"), "loginId=b&x=").unwrap();
        assert_eq!(p.get("loginId"), Some("b"));
        assert_eq!(p.get("campaignId"), Some("1"));
        assert_eq!(p.get("x"), None, "empty values count as missing");
    }

    #[test]
    fn order_items_accept_both_spellings_and_refuse_unknown_products() {
        let p = Params::parse(None, "orderItems=%7B%22101%22%3A2%7D").unwrap();
        assert_eq!(order_items(&p).unwrap()[0].qty, 2);
        let p = Params::parse(None, "product1_id=102&product1_qty=3&product2_id=103").unwrap();
        let lines = order_items(&p).unwrap();
        assert_eq!((lines[0].product.id, lines[0].qty, lines[1].qty), (102, 3, 1));
        assert!(order_items(&Params::parse(None, "product1_id=999").unwrap()).is_err());
        assert!(order_items(&Params::parse(None, "product1_id=101&product1_qty=0").unwrap()).is_err());
        assert!(order_items(&Params::default()).is_err());
    }

    #[test]
    fn query_dates_are_read_as_month_day_year() {
        assert_eq!(day_of("1/1/1970"), Some(0));
        assert_eq!(day_of("12/31/1969"), Some(-1));
        assert_eq!(day_of("03/01/2000"), Some(11_017));
        assert_eq!(day_of("12/07/2026"), Some(20_794));
        for bad in ["", "2026-12-07", "13/1/2026", "1/32/2026", "1/1/26", "1/1/2026/1", "a/b/c"] {
            assert_eq!(day_of(bad), None, "{bad}");
        }
    }
}
