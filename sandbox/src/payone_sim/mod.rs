//! PAYONE simulator: speaks PAYONE's Server API at `POST /sandbox/payone/post-gateway/` closely enough that a
//! real PAYONE client cannot tell the difference (facts: `shared/reference/payone-amazonpay.md`).
//!
//! - [`auth`]: credential checks (mid, portalid, aid, key as sha384 or md5, mode, api_version) and refusals;
//! - [`cv2`]: `genericpayment` with `wallettype=AMP` (checkout sessions);
//! - [`cv1`]: `genericpayment` with `wallettype=AMZ` (order references);
//! - [`authorization`]: (pre)authorization (express, APB, CV1), the buyer's redirect and the outcomes that follow;
//! - [`capture`]: capture and debit;
//! - [`notifier`]: TransactionStatus notifications.
//!
//! Outcomes follow the buyer's sandbox payment instrument ([`crate::scenario`]); Amazon's side of every
//! session lives in [`AmazonSandbox`], which the fake hosted pages change as the buyer acts.

mod auth;
mod authorization;
mod caller;
mod capture;
mod cv1;
mod cv2;
mod ledger;
mod messages;
mod notifier;

pub(crate) use auth::Refusal;
pub use caller::Caller;
pub(crate) use capture::refuse_route;
pub use notifier::{Delivery, NotificationRecord};

use super::amazon::{Address, AmazonSandbox, Buyer};
use super::scenario::Scenario;
use crate::config::{PayoneAccount, SandboxConfig};
use crate::signer::Signer;
use amazon_pay_contract::{Currency, Language, Money};
use auth::CURRENCY_NOT_AVAILABLE;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
pub(crate) use ledger::transactions;
pub use ledger::LedgerEntry;
use messages::Customer;
use notifier::Notifier;
use payone_wire::sandbox_settings::SimTimings;
use payone_wire::{PayoneRequest, PayoneResponse};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the buyer left Amazon's multi-factor authentication step on the processing page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MfaOutcome {
    /// The page did not ask (the instrument needs no MFA).
    NotAsked,
    /// Passed.
    Passed,
    /// Abandoned.
    Abandoned,
}

/// Why the simulator cannot finish a buyer's redirect.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimError {
    #[error("no transaction {0}")]
    /// Unknown transaction.
    UnknownTransaction(String),
    #[error("transaction {0} is not waiting for the buyer on Amazon's pages")]
    /// Not awaiting buyer.
    NotAwaitingBuyer(String),
    #[error("the buyer has not chosen a payment instrument for transaction {0}")]
    /// No selection.
    NoSelection(String),
    #[error("{0:?} is not an action the sandbox can refuse (capture or debit)")]
    /// Not `capture` or `debit`.
    UnknownAction(String),
}

/// What the simulator remembers about one CV2 workorder (one Amazon checkout session).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workorder {
    /// The id.
    pub id: String,
    /// The amount.
    pub amount: Money,
    /// The success URL.
    pub success_url: String,
    /// The error URL.
    pub error_url: String,
    /// The back URL.
    pub back_url: String,
    /// The amazon checkout session id.
    pub amazon_checkout_session_id: String,
    /// Opened by an APB (pre)authorization rather than by `createCheckoutSessionPayload`.
    pub apb: bool,
}

/// A CV1 workorder: PAYONE's handle for one Amazon order reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cv1Workorder {
    pub id: String,
    pub amazon_reference_id: Option<String>,
    pub canceled: bool,
}

/// `preauthorization` (capture later) or `authorization` (captured at once).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthKind {
    /// Preauthorization.
    Preauthorization,
    /// Authorization.
    Authorization,
}

/// Where a transaction stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TxState {
    /// `REDIRECT` answered; the buyer is on Amazon's processing page.
    AwaitingBuyer,
    /// `appointed` with `transaction_status=pending` (or a CV1 `PENDING` answer): Amazon decides later.
    Pending,
    /// Authorized (`appointed`, completed).
    Appointed,
    /// Declined after all (`failed`).
    Failed,
    /// The buyer abandoned MFA or was declined on the processing page; no notification.
    Abandoned,
}

/// The return addresses of a request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReturnUrls {
    pub success: String,
    pub error: String,
    pub back: String,
}

/// One PAYONE transaction (`txid`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Transaction {
    /// The txid.
    pub txid: String,
    /// PAYONE's user id.
    pub userid: String,
    /// The kind.
    pub kind: AuthKind,
    /// `AMP` (CV2) or `AMZ` (CV1).
    pub wallettype: &'static str,
    /// The workorder id.
    pub workorder_id: String,
    /// The checkout session id.
    pub checkout_session_id: Option<String>,
    /// The amazon reference id.
    pub amazon_reference_id: Option<String>,
    /// The reference.
    pub reference: String,
    /// The amount.
    pub amount: Money,
    /// The mode.
    pub mode: String,
    /// Echoed in notifications, as PAYONE does with the request's `param`.
    pub param: Option<String>,
    /// The URLs.
    pub urls: ReturnUrls,
    /// Known at authorization for express and CV1; for APB only once the buyer has chosen on Amazon.
    pub scenario: Option<Scenario>,
    /// The state.
    pub state: TxState,
    /// The last sequence number used: 0 for the (pre)authorization, +1 per capture or debit.
    pub sequencenumber: u32,
    /// Minor units the merchant has claimed (authorized-and-captured, minus debits) and has been paid.
    pub receivable: i64,
    /// Minor units the buyer has paid so far (`receivable - paid` is the `balance` notified).
    pub paid: i64,
    /// Minor units captured so far.
    pub captured: i64,
    /// `capturemode=completed` was sent: no further captures.
    pub capture_closed: bool,
    /// Sandbox scenario: captures (`capture`) of this transaction are refused, as Amazon may.
    pub refuse_capture: bool,
    /// Sandbox scenario: refunds (`debit`) of this transaction are refused.
    pub refuse_debit: bool,
    /// Unix seconds when the payment process started.
    pub txtime: u64,
    /// The buyer's data the notifications carry (firstname, lastname, …, shipping_*).
    pub personal: Vec<(String, String)>,
    /// Where the buyer was sent when the redirect finished (repeated calls get the same answer).
    pub finished_url: Option<String>,
}

#[derive(Default)]
struct SimState {
    /// The latest workorders (older ones are forgotten: `bounded.rs`).
    workorders: crate::bounded::Latest<Workorder>,
    cv1_workorders: HashMap<String, Cv1Workorder>,
    transactions: HashMap<String, Transaction>,
    /// Every `reference` a transaction was opened with: PAYONE refuses duplicates.
    references: HashSet<String>,
    /// The identification of the latest request (see [`Caller`]).
    last_caller: Option<Caller>,
}

/// What the simulator answers one request with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    Reply(PayoneResponse),
    /// Hold the connection this long, then answer nothing useful ("upstream timeout").
    Hold(Duration),
    /// An HTML page without a status line ("upstream garbage").
    Garbage,
}

/// What the "upstream garbage" scenario answers: a proxy's error page where the key=value lines should be.
pub(crate) const GARBAGE_BODY: &str = "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n\
<body><h1>Service Temporarily Unavailable</h1><p>The server is temporarily unable to service your request due to \
maintenance downtime or capacity problems. Please try again later.</p></body></html>\n";

struct Setup {
    config: PayoneAccount,
    /// Signs the button payloads the simulator hands out.
    signer: Signer,
    /// Amazon seller id handed out by CV1 `getconfiguration`.
    seller_id: String,
    public_url: String,
    timings: SimTimings,
}

/// The simulator: workorders, transactions and notifications. Cheap to clone (shared state).
#[derive(Clone)]
pub struct PayoneSimulator {
    setup: Arc<Setup>,
    amazon: Arc<AmazonSandbox>,
    state: Arc<Mutex<SimState>>,
    notifier: Notifier,
}

fn random_digits(n: usize) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..n).map(|i| char::from(b'0' + rng.random_range(if i == 0 { 1..10u8 } else { 0..10u8 }))).collect()
}

fn random_id(len: usize) -> String {
    use rand::Rng;
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    (0..len).map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())])).collect()
}

fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A non-empty parameter (PAYONE treats empty values as missing).
fn need<'a>(req: &'a PayoneRequest, name: &str) -> Result<&'a str, Refusal> {
    req.get(name).filter(|v| !v.trim().is_empty()).ok_or_else(|| Refusal::param(name))
}

fn language(req: &PayoneRequest) -> Language {
    req.get("language").and_then(|l| l.parse().ok()).unwrap_or_default()
}

/// `currency`: EUR only (923 for any other ISO code).
fn currency(req: &PayoneRequest) -> Result<Currency, Refusal> {
    let code = need(req, "currency")?;
    if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(Refusal::param("currency"));
    }
    match code.parse::<Currency>() {
        Ok(Currency::Eur) => Ok(Currency::Eur),
        _ => Err(Refusal::new(
            CURRENCY_NOT_AVAILABLE,
            format!("Payment type not available for this currency ({code}): Amazon Pay through PAYONE accepts EUR"),
            Customer::Currency,
        )),
    }
}

/// `amount` (integer minor units) and `currency`; `positive` refuses zero and negative amounts.
fn money(req: &PayoneRequest, positive: bool) -> Result<Money, Refusal> {
    let minor: i64 = need(req, "amount")?.trim().parse().map_err(|_| Refusal::param_because("amount", "not an integer of minor units"))?;
    if positive && minor <= 0 {
        return Err(Refusal::param_because("amount", "must be positive"));
    }
    Ok(Money::new(minor, currency(req)?))
}

/// `successurl` (required, 1041), `errorurl` and `backurl` (both default to the one before).
fn return_urls(req: &PayoneRequest) -> Result<ReturnUrls, Refusal> {
    let url = |name: &str| -> Result<Option<String>, Refusal> {
        match req.get(name).filter(|v| !v.is_empty()) {
            None => Ok(None),
            Some(v) if v.starts_with("https://") || v.starts_with("http://") => Ok(Some(v.to_owned())),
            Some(_) => Err(Refusal::param_because(name, "not an http(s) URL")),
        }
    };
    let success = url("successurl")?.ok_or_else(|| Refusal::param("successurl"))?;
    let error = url("errorurl")?.unwrap_or_else(|| success.clone());
    let back = url("backurl")?.unwrap_or_else(|| error.clone());
    Ok(ReturnUrls { success, error, back })
}

/// The merchant's `reference`: 1 to 20 characters of letters, digits and `.-_/` **[uncertain limit, §2.5]**.
fn reference(req: &PayoneRequest) -> Result<String, Refusal> {
    let r = need(req, "reference")?;
    let ok = r.len() <= 20 && r.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'/'));
    if ok {
        Ok(r.to_owned())
    } else {
        Err(Refusal::param_because("reference", "1 to 20 characters of letters, digits and .-_/"))
    }
}

/// The eleven address fields of §2.3 under `prefix` (`billing_` or `shipping_`), empty ones left out.
fn address_fields(prefix: &str, a: &Address, empty_state: Option<&str>) -> Vec<(String, String)> {
    let state = if a.state.is_empty() { empty_state.unwrap_or("") } else { a.state };
    [
        ("firstname", a.first_name),
        ("lastname", a.last_name),
        ("company", a.company),
        ("street", a.street),
        ("addressaddition", a.addition),
        ("zip", a.zip),
        ("city", a.city),
        ("state", state),
        ("country", a.country),
        ("telephonenumber", a.phone),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| (format!("add_paydata[{prefix}{k}]"), v.to_owned()))
    .collect()
}

/// The personal data a notification carries: what the merchant sent, else what Amazon knows.
fn personal_data(req: &PayoneRequest, buyer: Option<&Buyer>, address: Option<&Address>) -> Vec<(String, String)> {
    let amazon = |name: &str| -> String {
        let a = address;
        let value = match name.trim_start_matches("shipping_") {
            "firstname" => a.map(|a| a.first_name),
            "lastname" => a.map(|a| a.last_name),
            "company" => a.map(|a| a.company),
            "street" => a.map(|a| a.street),
            "zip" => a.map(|a| a.zip),
            "city" => a.map(|a| a.city),
            "country" => a.map(|a| a.country),
            "email" => buyer.map(|b| b.email),
            _ => None,
        };
        value.unwrap_or_default().to_owned()
    };
    const FIELDS: [&str; 15] = [
        "firstname",
        "lastname",
        "company",
        "street",
        "zip",
        "city",
        "country",
        "email",
        "shipping_firstname",
        "shipping_lastname",
        "shipping_company",
        "shipping_street",
        "shipping_zip",
        "shipping_city",
        "shipping_country",
    ];
    FIELDS
        .iter()
        .map(|name| (name.to_string(), req.get(name).filter(|v| !v.is_empty()).map(str::to_owned).unwrap_or_else(|| amazon(name))))
        .filter(|(_, v)| !v.is_empty())
        .collect()
}

impl PayoneSimulator {
    /// A simulator for `config`'s PAYONE credentials; notifications go to `config.payone_notify_url`, or when
    /// that is unset to this server's own receiver at `{public_url}/payone/transaction-status`.
    pub(crate) fn new(config: &SandboxConfig, public_url: &str, amazon: Arc<AmazonSandbox>) -> Self {
        let public_url = public_url.trim_end_matches('/').to_owned();
        let notify_url = match config.payone_notify_url.as_deref() {
            Some("") => None,
            Some(url) => Some(url.to_owned()),
            None => Some(format!("{public_url}{}", amazon_pay_contract::routes::PAYONE_TRANSACTION_STATUS)),
        };
        let timings = config.timings.clone();
        PayoneSimulator {
            notifier: Notifier::new(notify_url, &timings),
            setup: Arc::new(Setup {
                config: config.payone.clone(),
                signer: Signer::new(config.button_signatures),
                seller_id: config.amazon_merchant_id.clone(),
                public_url,
                timings,
            }),
            amazon,
            state: Arc::new(Mutex::new(SimState::default())),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; carry on with it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The sandbox's stand-in for Amazon's signature over a button payload.
    pub fn sign(&self, payload: &str) -> String {
        self.setup.signer.sign(payload)
    }

    /// Whether `signature` is [`Self::sign`]'s for `payload`.
    pub fn verify(&self, payload: &str, signature: &str) -> bool {
        self.setup.signer.verify(payload, signature)
    }

    /// The simulator's delays.
    pub fn timings(&self) -> &SimTimings {
        &self.setup.timings
    }

    /// Where notifications go (`None`: nowhere).
    pub fn notify_url(&self) -> Option<&str> {
        self.notifier.url()
    }

    /// The CV2/APB workorder `id`, if it exists.
    pub fn workorder(&self, id: &str) -> Option<Workorder> {
        self.lock().workorders.get(id).cloned()
    }

    /// The CV1 workorder `id`, if it exists.
    pub fn cv1_workorder(&self, id: &str) -> Option<Cv1Workorder> {
        self.lock().cv1_workorders.get(id).cloned()
    }

    /// The transaction `txid`, if it exists.
    pub fn transaction(&self, txid: &str) -> Option<Transaction> {
        self.lock().transactions.get(txid).cloned()
    }

    /// Every transaction opened with the merchant's `reference` (tests: what became of an attempt whose answer was lost).
    pub fn transactions_for_reference(&self, reference: &str) -> Vec<Transaction> {
        self.lock().transactions.values().filter(|t| t.reference == reference).cloned().collect()
    }

    /// Every transaction opened on the Amazon checkout session `session_id` (tests: how often it was authorized).
    pub fn transactions_for_session(&self, session_id: &str) -> Vec<Transaction> {
        self.lock().transactions.values().filter(|t| t.checkout_session_id.as_deref() == Some(session_id)).cloned().collect()
    }

    /// The newest transaction opened on the Amazon checkout session `session_id` (the processing page's lookup).
    pub fn transaction_for_session(&self, session_id: &str) -> Option<Transaction> {
        let state = self.lock();
        state
            .transactions
            .values()
            .filter(|t| t.checkout_session_id.as_deref() == Some(session_id))
            .max_by_key(|t| (t.txtime, t.txid.clone()))
            .cloned()
    }

    /// Every TransactionStatus notification so far with its delivery status, oldest first.
    pub fn notifications(&self) -> Vec<NotificationRecord> {
        self.notifier.log()
    }

    /// Who sent the latest request, as its `integrator_*`/`solution_*` parameters say.
    pub fn last_caller(&self) -> Option<Caller> {
        self.lock().last_caller.clone()
    }

    fn new_workorder_id(&self) -> String {
        // "WO" + 14 characters: PAYONE's workorderid is at most 16 characters.
        format!("WO{}", random_id(14))
    }

    /// Answers one Server API request. `sign` is the sandbox's stand-in for Amazon's payload signature.
    pub fn handle(&self, req: &PayoneRequest, sign: &dyn Fn(&str) -> String) -> Answer {
        self.lock().last_caller = Some(Caller::of(req));
        match self.dispatch(req, sign) {
            Ok(answer) => answer,
            Err(refusal) => {
                tracing::info!(code = refusal.code, detail = %refusal.message, "PAYONE simulator refused a request");
                Answer::Reply(refusal.to_response(language(req)))
            }
        }
    }

    fn dispatch(&self, req: &PayoneRequest, sign: &dyn Fn(&str) -> String) -> Result<Answer, Refusal> {
        auth::check_credentials(&self.setup.config, req)?;
        let request = need(req, "request")?;
        let wallet = || -> Result<&str, Refusal> {
            if req.get("clearingtype") != Some("wlt") {
                return Err(Refusal::param_because("clearingtype", "Amazon Pay is clearingtype wlt"));
            }
            match req.get("wallettype") {
                Some(w @ ("AMP" | "AMZ")) => Ok(w),
                _ => Err(Refusal::param_because("wallettype", "AMP (Checkout v2) or AMZ (v1)")),
            }
        };
        match request {
            "genericpayment" => {
                let wallettype = wallet()?;
                let action = need(req, "add_paydata[action]")?;
                let reply = match (wallettype, action) {
                    ("AMP", "createCheckoutSessionPayload") => self.create_checkout_session(req, sign),
                    ("AMP", "getCheckoutSession") => self.get_checkout_session(req),
                    ("AMP", "updateCheckoutSession") => self.update_checkout_session(req),
                    ("AMZ", "getconfiguration") => self.get_configuration(req),
                    ("AMZ", "getorderreferencedetails") => self.get_order_reference_details(req),
                    ("AMZ", "setorderreferencedetails") => self.set_order_reference_details(req),
                    ("AMZ", "confirmorderreference") => self.confirm_order_reference(req),
                    ("AMZ", "cancelorderreference") => self.cancel_order_reference(req),
                    _ => Err(Refusal::param_because(
                        "add_paydata[action]",
                        format!("{action} is not a genericpayment action of wallettype {wallettype}"),
                    )),
                };
                reply.map(Answer::Reply)
            }
            "preauthorization" | "authorization" => {
                let kind = if request == "authorization" { AuthKind::Authorization } else { AuthKind::Preauthorization };
                match wallet()? {
                    "AMP" => self.authorize_amp(req, kind, sign),
                    _ => self.authorize_amz(req, kind),
                }
            }
            "capture" => self.capture(req).map(Answer::Reply),
            "debit" => self.debit(req).map(Answer::Reply),
            other => Err(Refusal::param_because(
                "request",
                format!("{other} is not simulated: Amazon Pay uses genericpayment, preauthorization, authorization, capture and debit"),
            )),
        }
    }
}

/// Parses a form body; `encoding=ISO-8859-1` bodies are read as Latin-1, everything else as UTF-8.
fn parse_body(body: &[u8]) -> (PayoneRequest, bool) {
    // Whether a pair says ISO-8859-1 does not depend on how the other bytes are read (the name and the value
    // compared are ASCII), so the lazy, mostly borrowing parse decides it, and a UTF-8 body is decoded once.
    let is_latin1 = form_urlencoded::parse(body).any(|(k, v)| k == "encoding" && v.eq_ignore_ascii_case("ISO-8859-1"));
    if is_latin1 {
        let latin1_pairs = payone_wire::latin1::decode_form(body);
        let mut req = PayoneRequest::default();
        for (k, v) in &latin1_pairs {
            req.set(k, v.as_str());
        }
        return (req, true);
    }
    let text = String::from_utf8_lossy(body);
    (PayoneRequest::decode(&text).unwrap_or_default(), false)
}

/// SW6 asks for JSON: top-level keys lower-cased, `add_paydata[x]` nested under `addpaydata` (§1.5).
fn to_json(response: &PayoneResponse) -> serde_json::Value {
    let mut top = serde_json::Map::new();
    let mut paydata = serde_json::Map::new();
    for (k, v) in response.fields() {
        match k.strip_prefix("add_paydata[").and_then(|rest| rest.strip_suffix(']')) {
            Some(name) => paydata.insert(name.to_owned(), v.clone().into()),
            None => top.insert(k.to_ascii_lowercase(), v.clone().into()),
        };
    }
    if !paydata.is_empty() {
        top.insert("addpaydata".into(), paydata.into());
    }
    top.into()
}

fn render(response: &PayoneResponse, json: bool, latin1: bool) -> Response {
    if json {
        return Json(to_json(response)).into_response();
    }
    if latin1 {
        let body = payone_wire::latin1::encode(&response.to_body());
        return ([(header::CONTENT_TYPE, "text/plain; charset=ISO-8859-1")], body).into_response();
    }
    ([(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], response.to_body()).into_response()
}

impl PayoneSimulator {
    /// The gateway without HTTP, for the server's in-process PAYONE transport: the form body in, the body
    /// [`post_gateway`] would answer out (its `key=value` text; Latin-1 requests answered as text too).
    pub fn gateway(&self, body: &[u8]) -> payone_wire::GatewayReply {
        use payone_wire::GatewayReply;
        let (req, _latin1) = parse_body(body);
        match self.handle(&req, &|payload| self.setup.signer.sign(payload)) {
            Answer::Reply(response) => GatewayReply::Body(response.to_body()),
            Answer::Hold(hold) => GatewayReply::Hold(hold),
            Answer::Garbage => GatewayReply::Body(GARBAGE_BODY.to_owned()),
        }
    }
}

/// `POST /sandbox/payone/post-gateway/`.
pub(crate) async fn post_gateway(
    State(payone): State<PayoneSimulator>,
    headers: HeaderMap,
    crate::form_body::FormBody(body): crate::form_body::FormBody,
) -> Response {
    let json = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("application/json"));
    let (req, latin1) = parse_body(&body);
    match payone.handle(&req, &|payload| payone.sign(payload)) {
        Answer::Reply(response) => render(&response, json, latin1),
        Answer::Hold(hold) => {
            tokio::time::sleep(hold).await;
            (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain; charset=UTF-8")], "").into_response()
        }
        Answer::Garbage => (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=UTF-8")], GARBAGE_BODY).into_response(),
    }
}

/// Filter of `GET /sandbox/payone/notifications`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct NotificationQuery {
    pub txid: Option<String>,
}

/// `GET /sandbox/payone/notifications[?txid=T]`: what was sent, and whether it was acknowledged.
pub(crate) async fn notifications(State(payone): State<PayoneSimulator>, Query(query): Query<NotificationQuery>) -> Response {
    let list: Vec<NotificationRecord> = payone.notifications().into_iter().filter(|n| query.txid.as_deref().is_none_or(|t| n.txid == t)).collect();
    Json(list).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_answers_nest_add_paydata() {
        let r = PayoneResponse::builder().with("status", "OK").with("workorderid", "WO1").with("add_paydata[payload]", "{}");
        let json = to_json(&r);
        assert_eq!(json["status"], "OK");
        assert_eq!(json["addpaydata"]["payload"], "{}");
    }

    #[test]
    fn latin1_requests_are_recognised_by_their_encoding_field() {
        let (req, latin1) = parse_body(b"request=genericpayment&encoding=ISO-8859-1&lastname=M%FCller");
        assert!(latin1);
        assert_eq!(req.get("lastname"), Some("Müller"));
        let (req, latin1) = parse_body("request=x&lastname=M%C3%BCller".as_bytes());
        assert!(!latin1);
        assert_eq!(req.get("lastname"), Some("Müller"));
    }

    #[test]
    fn references_and_urls_are_checked() {
        let mut req = PayoneRequest::new("authorization");
        req.set("reference", "O12345.1");
        assert_eq!(reference(&req), Ok("O12345.1".to_owned()));
        req.set("reference", "has space");
        assert_eq!(reference(&req).unwrap_err().code, 1007);
        req.set("successurl", "javascript:alert(1)");
        assert_eq!(return_urls(&req).unwrap_err().code, 1041);
        req.set("successurl", "https://shop.example/ok");
        let urls = return_urls(&req).unwrap();
        assert_eq!((urls.error.as_str(), urls.back.as_str()), ("https://shop.example/ok", "https://shop.example/ok"));
    }

    #[test]
    fn money_is_eur_minor_units() {
        let mut req = PayoneRequest::new("authorization");
        req.set("amount", "1290").set("currency", "EUR");
        assert_eq!(money(&req, true), Ok(Money::eur(1290)));
        req.set("amount", "-5");
        assert_eq!(money(&req, true).unwrap_err().code, 1008);
        assert_eq!(money(&req, false), Ok(Money::eur(-5)));
        req.set("currency", "GBP");
        assert_eq!(money(&req, false).unwrap_err().code, CURRENCY_NOT_AVAILABLE);
        req.set("currency", "eu");
        assert_eq!(money(&req, false).unwrap_err().code, 1009);
    }

    #[test]
    fn notifications_carry_what_the_merchant_sent_else_what_amazon_knows() {
        let anna = crate::amazon::buyer("anna").unwrap();
        let office = anna.address("anna-office").unwrap();
        let mut req = PayoneRequest::new("authorization");
        req.set("lastname", "Müller").set("shipping_city", "");
        let personal = personal_data(&req, Some(anna), Some(office));
        let get = |k: &str| personal.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("lastname"), Some("Müller"));
        assert_eq!(get("firstname"), Some("Anna"));
        assert_eq!(get("shipping_city"), Some("München"));
        assert_eq!(get("email"), Some("anna.schmidt@sandbox.example"));
        assert_eq!(get("company"), None, "empty values are left out");
        assert!(personal_data(&PayoneRequest::new("x"), None, None).is_empty());
    }

    #[test]
    fn ids_have_payones_shapes() {
        let txid = random_digits(9);
        assert_eq!(txid.len(), 9);
        assert!(!txid.starts_with('0'));
        assert_eq!(format!("WO{}", random_id(14)).len(), 16);
    }
}
