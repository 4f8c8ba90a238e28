//! The fake Amazon hosted checkout (CV2): the page the button's form POST opens (sign in, choose address and
//! instrument), the change pages `bindChangeAction` opens, and the processing page (MFA) that PAYONE's
//! `redirecturl` points at. Every step returns to the URL the real flow returns to.

use super::page::{
    actions, actions_blocked, fieldset, hidden, html, is_web_url, layout, mfa_page, radio, with_query, Fields, PageError, SANDBOX_MFA_CODE,
};
use super::see_other;
use crate::amazon::{self, Address, Buyer, CheckoutSession, SessionState, WebCheckout, BUYERS, CHECKOUT_SESSION_LIFETIME};
use crate::payone_sim::{MfaOutcome, SimError};
use crate::scenario::{Instrument, Scenario, INSTRUMENTS};
use crate::state::Sandbox;
use amazon_pay_contract::{Currency, Money};
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use payone_wire::PAYONE_PUBLIC_KEY_ID;
use serde_json::Value;
use std::sync::Arc;
use std::time::SystemTime;

const SIGNIN: &str = "/sandbox/amazon/checkout/signin";
const CHOOSE: &str = "/sandbox/amazon/checkout/choose";
const CHANGE: &str = "/sandbox/amazon/checkout/change";
/// The processing page; PAYONE's simulator answers (pre)authorizations with `redirecturl` = this `?txid=`.
pub(crate) const PROCESS: &str = "/sandbox/amazon/checkout/process";

fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str).filter(|s| !s.trim().is_empty())
}

/// A return URL from the payload: absent is fine, anything but an absolute http(s) URL is refused.
fn url_at(payload: &Value, pointer: &str) -> Result<Option<String>, PageError> {
    match text_at(payload, pointer) {
        None => Ok(None),
        Some(url) if is_web_url(url) => Ok(Some(url.to_owned())),
        Some(_) => Err(PageError::bad_request("InvalidParameterValue", format!("{pointer} must be an absolute http(s) URL."))),
    }
}

fn web_checkout(payload: &Value, origin_url: Option<&str>) -> Result<WebCheckout, PageError> {
    let web = WebCheckout {
        review_return_url: url_at(payload, "/webCheckoutDetails/checkoutReviewReturnUrl")?,
        result_return_url: url_at(payload, "/webCheckoutDetails/checkoutResultReturnUrl")?,
        cancel_url: url_at(payload, "/webCheckoutDetails/checkoutCancelUrl")?,
        origin_url: origin_url.filter(|u| is_web_url(u)).map(str::to_owned),
        process_order: text_at(payload, "/webCheckoutDetails/checkoutMode") == Some("ProcessOrder"),
    };
    if web.process_order && web.result_return_url.is_none() {
        return Err(PageError::missing("webCheckoutDetails.checkoutResultReturnUrl"));
    }
    if !web.process_order && web.review_return_url.is_none() {
        return Err(PageError::missing("webCheckoutDetails.checkoutReviewReturnUrl"));
    }
    Ok(web)
}

/// `paymentDetails.chargeAmount` (or `totalOrderAmount`) as money.
fn payload_amount(payload: &Value) -> Option<Money> {
    ["/paymentDetails/chargeAmount", "/paymentDetails/totalOrderAmount"].iter().find_map(|at| {
        let currency: Currency = text_at(payload, &format!("{at}/currencyCode"))?.parse().ok()?;
        Money::parse_decimal(text_at(payload, &format!("{at}/amount"))?, currency).filter(|m| m.minor > 0)
    })
}

fn too_old(session: &CheckoutSession) -> bool {
    SystemTime::now().duration_since(session.created_at).map(|age| age > CHECKOUT_SESSION_LIFETIME).unwrap_or(false)
}

fn expired() -> PageError {
    PageError::new(
        StatusCode::GONE,
        "CheckoutSessionExpired",
        "This checkout session has expired (they live 24 hours). Please start the checkout again from the shop.",
    )
}

/// The session `id` if the buyer may still act on it. `strict` also refuses the "session expired" instrument.
fn usable_session(sandbox: &Sandbox, id: &str, strict: bool) -> Result<CheckoutSession, PageError> {
    let session = sandbox
        .amazon
        .checkout_session(id)
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "InvalidCheckoutSessionId", format!("There is no checkout session '{id}'.")))?;
    if session.state == SessionState::Completed {
        return Err(PageError::new(StatusCode::CONFLICT, "CheckoutSessionCompleted", "This checkout has already been paid."));
    }
    if too_old(&session) || (strict && session.is_expired(SystemTime::now())) {
        return Err(expired());
    }
    Ok(session)
}

/// The session for PAYONE's workorder, opened now if the simulator has not opened one.
fn open_session(sandbox: &Sandbox, workorder_id: &str, payload: &Value) -> Result<CheckoutSession, PageError> {
    if let Some(session) = sandbox.amazon.session_for_workorder(workorder_id) {
        let session = usable_session(sandbox, &session.id, false)?;
        if session.state == SessionState::Canceled {
            sandbox.amazon.update_checkout_session(&session.id, |s| s.state = SessionState::Open);
        }
        return Ok(session);
    }
    let amount = payload_amount(payload).ok_or_else(|| PageError::missing("paymentDetails.chargeAmount"))?;
    let id = sandbox.amazon.create_checkout_session(workorder_id, amount);
    usable_session(sandbox, &id, false)
}

/// A click on a button signed with a merchant's own key: opens the API session and shows the sign-in page.
fn open_direct(sandbox: &Sandbox, payload: &Value, origin_url: Option<&str>, pay_only: bool) -> Result<Response, PageError> {
    let web = web_checkout(payload, origin_url)?;
    let details = amazon_pay_v2::models::WebCheckoutDetails {
        checkout_review_return_url: web.review_return_url.clone(),
        checkout_result_return_url: web.result_return_url.clone(),
        checkout_cancel_url: web.cancel_url.clone(),
        amazon_pay_redirect_url: None,
        checkout_mode: web.process_order.then(|| "ProcessOrder".to_owned()),
    };
    let read = |pointer: &str| payload.pointer(pointer).cloned().unwrap_or(Value::Null);
    let payment: amazon_pay_v2::models::PaymentDetails = serde_json::from_value(read("/paymentDetails")).unwrap_or_default();
    let meta: amazon_pay_v2::models::MerchantMetadata = serde_json::from_value(read("/merchantMetadata")).unwrap_or_default();
    if web.process_order && (payment.charge_amount.is_none() || payment.payment_intent.is_none()) {
        return Err(PageError::missing("paymentDetails.chargeAmount and paymentDetails.paymentIntent"));
    }
    let store_id = payload.get("storeId").and_then(Value::as_str).map(str::to_owned);
    let id = sandbox.amazon_v2.open_session(store_id, details, payment, meta, pay_only);
    sandbox.amazon.set_web_checkout(&id, web);
    let session = sandbox.amazon.checkout_session(&id).ok_or_else(|| PageError::missing("amazonCheckoutSessionId"))?;
    Ok(html(StatusCode::OK, signin_page(sandbox, &session)))
}

/// `POST /sandbox/amazon/checkout/initiate`: the form `checkout.js` submits on a button click.
pub(crate) async fn initiate(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let payload_json = form.require("payloadJSON")?;
    let signature = form.require("signature")?;
    let key_id = form.require("publicKeyId")?;
    // checkout.js sends the config's algorithm, or Amazon's default when the config names none.
    let algorithm = form.get("algorithm").unwrap_or("AMZN-PAY-RSASSA-PSS");
    if let Err(message) = sandbox.verify_button(key_id, algorithm, payload_json, signature) {
        let merchant = form.get("merchantId").unwrap_or("");
        return Err(PageError::bad_request("InvalidSignatureError", format!("{message} {merchant}").trim_end().to_owned()));
    }
    if form.get("environment") == Some("LIVE") {
        return Err(PageError::bad_request("ReleaseEnvironmentMismatch", "The sandbox takes only sandbox checkouts (environment SANDBOX)."));
    }
    let payload: Value =
        serde_json::from_str(payload_json).map_err(|_| PageError::bad_request("InvalidParameterValue", "payloadJSON is not valid JSON."))?;
    if payload.get("signInReturnUrl").is_some() {
        return Err(PageError::bad_request("InvalidParameterValue", "Sign-in payloads (signInConfig) are not simulated by the sandbox."));
    }
    if key_id != PAYONE_PUBLIC_KEY_ID {
        return open_direct(sandbox, &payload, form.get("origin_url"), form.get("productType") == Some("PayOnly"));
    }
    let workorder_id =
        text_at(&payload, "/merchantMetadata/merchantReferenceId").ok_or_else(|| PageError::missing("merchantMetadata.merchantReferenceId"))?;
    let web = web_checkout(&payload, form.get("origin_url"))?;
    let session = open_session(sandbox, workorder_id, &payload)?;
    let pay_only = form.get("productType") == Some("PayOnly");
    sandbox.amazon.update_checkout_session(&session.id, |s| s.pay_only = pay_only);
    let session = CheckoutSession { pay_only, ..session };
    sandbox.amazon.set_web_checkout(&session.id, web);
    Ok(html(StatusCode::OK, signin_page(sandbox, &session)))
}

fn signin_page(sandbox: &Sandbox, session: &CheckoutSession) -> String {
    let buyers: String = BUYERS
        .iter()
        .enumerate()
        .map(|(i, b)| radio("buyer", b.id, session.buyer.map_or(i == 0, |s| s.id == b.id), &[b.name, b.email, b.note]))
        .collect();
    let body = format!(
        "<p>Sandbox: choose the Amazon test account that pays <strong>{amount}</strong>.</p>\
<form method=\"post\" action=\"{action}\">{hidden}{buyers}{actions}</form>",
        amount = super::page::html_escape(&session.amount.to_string()),
        action = super::page::html_escape(&format!("{}{SIGNIN}", sandbox.public_url)),
        hidden = hidden(&[("amazonCheckoutSessionId", &session.id)]),
        buyers = fieldset("Amazon test account", &buyers),
        actions = actions("Continue", "Cancel and return to the shop"),
    );
    layout("Sign in", &body)
}

/// `POST /sandbox/amazon/checkout/signin`: the account is chosen; show addresses and instruments.
pub(crate) async fn signin(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let session = usable_session(sandbox, form.require("amazonCheckoutSessionId")?, false)?;
    if form.cancelled() {
        return cancel(sandbox, &session);
    }
    let buyer = known_buyer(form.require("buyer")?)?;
    let process_order = sandbox.amazon.web_checkout(&session.id).is_some_and(|w| w.process_order);
    Ok(html(StatusCode::OK, choose_page(sandbox, &session, buyer, process_order)))
}

fn known_buyer(id: &str) -> Result<&'static Buyer, PageError> {
    amazon::buyer(id).ok_or_else(|| PageError::bad_request("InvalidParameterValue", format!("There is no sandbox buyer '{id}'.")))
}

fn address_lines(a: &Address) -> Vec<String> {
    let name = format!("{} {}", a.first_name, a.last_name).trim().to_owned();
    let city = format!("{} {}", a.zip, a.city).trim().to_owned();
    [name, a.company.into(), a.street.into(), a.addition.into(), city, a.state.into(), a.country.into()].into_iter().collect()
}

fn address_radios(buyer: &Buyer, selected: Option<&Address>) -> String {
    if buyer.addresses.is_empty() {
        // Amazon asks for an address before the buyer can go on; the sandbox has no form to add one.
        return "<p id=\"no-address\">There is no address in this Amazon account, and this order needs one: cancel and \
sign in as another buyer (in Checkout v1 this buyer rehearses 987 ShippingAddressNotSet).</p>"
            .to_owned();
    }
    buyer
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let lines = address_lines(a);
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            radio("address", a.id, selected.map_or(i == 0, |s| s.id == a.id), &lines)
        })
        .collect()
}

/// The instruments, `selected` (else the account's default payment method, if it has one) checked.
pub(super) fn instrument_radios(selected: Option<&Instrument>, default: Option<&Instrument>) -> String {
    let checked = selected.or(default);
    INSTRUMENTS
        .iter()
        .map(|ins| {
            let hint = format!("Sandbox outcome: {}", ins.outcome);
            radio("instrument", ins.id, checked.is_some_and(|s| s.id == ins.id), &[ins.descriptor, &hint])
        })
        .collect()
}

fn choose_page(sandbox: &Sandbox, session: &CheckoutSession, buyer: &Buyer, process_order: bool) -> String {
    let same_buyer = session.buyer.is_some_and(|b| b.id == buyer.id);
    // No address to ship to: no way on (a Continue would end on a MissingParameterValue page), only Cancel.
    let stuck = !session.pay_only && buyer.addresses.is_empty();
    // PayOnly (digital goods): Amazon asks for no shipping address.
    let addresses = if session.pay_only {
        "<p>Digital goods (PayOnly): no shipping address is needed.</p>".to_owned()
    } else {
        fieldset("Shipping address", &address_radios(buyer, session.address.filter(|_| same_buyer)))
    };
    let body = format!(
        "<p>Signed in as <strong>{name}</strong> ({email}). Amount: <strong>{amount}</strong>.</p>\
<form method=\"post\" action=\"{action}\">{hidden}{addresses}{instruments}{actions}</form>",
        name = super::page::html_escape(buyer.name),
        email = super::page::html_escape(buyer.email),
        amount = super::page::html_escape(&session.amount.to_string()),
        action = super::page::html_escape(&format!("{}{CHOOSE}", sandbox.public_url)),
        hidden = hidden(&[("amazonCheckoutSessionId", &session.id), ("buyer", buyer.id)]),
        instruments = fieldset("Payment method", &instrument_radios(session.instrument.filter(|_| same_buyer), buyer.default_instrument())),
        actions = match (stuck, if process_order { "Pay now" } else { "Continue" }) {
            (true, primary) => actions_blocked(primary, "Cancel and return to the shop", "no-address"),
            (false, primary) => actions(primary, "Cancel and return to the shop"),
        },
    );
    layout("Choose how to pay", &body)
}

/// `POST /sandbox/amazon/checkout/choose`: records the choice and returns to the shop's review page (or, in
/// `ProcessOrder` mode, goes on to processing).
pub(crate) async fn choose(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let session = usable_session(sandbox, form.require("amazonCheckoutSessionId")?, false)?;
    if form.cancelled() {
        return cancel(sandbox, &session);
    }
    let address = if session.pay_only { None } else { Some(form.require("address")?) };
    sandbox.amazon.select_maybe_address(&session.id, form.require("buyer")?, address, form.require("instrument")?)?;
    let web = sandbox.amazon.web_checkout(&session.id).ok_or_else(no_return_url)?;
    if web.process_order && sandbox.amazon_v2.has_session(&session.id) {
        return Ok(see_other(&sandbox.amazon_v2.redirect_url(&session.id)));
    }
    if web.process_order {
        return to_processing(sandbox, &session, &web);
    }
    back_to_review(&session, &web)
}

fn no_return_url() -> PageError {
    PageError::new(
        StatusCode::CONFLICT,
        "InvalidCheckoutSessionState",
        "This checkout session was not opened from a button, so there is no page to return to.",
    )
}

pub(super) fn back_to_review(session: &CheckoutSession, web: &WebCheckout) -> Result<Response, PageError> {
    let review = web.review_return_url.as_deref().ok_or_else(no_return_url)?;
    if session.workorder_id.is_empty() {
        // A merchant's own session (Amazon Pay API v2): Amazon adds only the session id.
        return Ok(see_other(&with_query(review, &[("amazonCheckoutSessionId", &session.id)])));
    }
    Ok(see_other(&with_query(review, &[("workorderId", &session.workorder_id), ("amazonCheckoutSessionId", &session.id)])))
}

/// APB: the buyer has chosen; the processing page runs (MFA if the instrument asks), then PAYONE's redirect.
fn to_processing(sandbox: &Sandbox, session: &CheckoutSession, web: &WebCheckout) -> Result<Response, PageError> {
    let result = web.result_return_url.as_deref().ok_or_else(no_return_url)?;
    let processing = format!("{}{PROCESS}", sandbox.public_url);
    if result.starts_with(&processing) {
        return Ok(see_other(&with_query(result, &[("amazonCheckoutSessionId", &session.id)])));
    }
    match sandbox.amazon.transaction_for_session(&session.id) {
        Some(txid) => Ok(see_other(&with_query(&processing, &[("txid", &txid), ("amazonCheckoutSessionId", &session.id)]))),
        None => Ok(see_other(&with_query(result, &[("amazonCheckoutSessionId", &session.id)]))),
    }
}

fn cancel(sandbox: &Sandbox, session: &CheckoutSession) -> Result<Response, PageError> {
    sandbox.amazon.update_checkout_session(&session.id, |s| s.state = SessionState::Canceled);
    let web = sandbox.amazon.web_checkout(&session.id).ok_or_else(no_return_url)?;
    let url = web.cancel_url.or(web.origin_url).or(web.review_return_url).ok_or_else(no_return_url)?;
    Ok(see_other(&url))
}

/// Which part `bindChangeAction` lets the buyer change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ChangeAction {
    Address,
    Payment,
}

impl ChangeAction {
    fn parse(value: &str) -> Result<Self, PageError> {
        match value {
            "changeAddress" => Ok(ChangeAction::Address),
            "changePayment" => Ok(ChangeAction::Payment),
            other => Err(PageError::bad_request(
                "InvalidParameterValue",
                format!("Invalid value '{other}' for 'changeAction', please use one of the available values: changeAddress, changePayment."),
            )),
        }
    }

    fn name(self) -> &'static str {
        match self {
            ChangeAction::Address => "changeAddress",
            ChangeAction::Payment => "changePayment",
        }
    }
}

/// `GET /sandbox/amazon/checkout/initiate_auth?amazonCheckoutSessionId=…&changeAction=…`.
pub(crate) async fn initiate_auth(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let query = Fields::from_query(query)?;
    let session_id = query.require("amazonCheckoutSessionId")?;
    let change = ChangeAction::parse(query.require("changeAction")?)?;
    let session = usable_session(sandbox, session_id, true)?;
    let buyer = session.buyer.ok_or_else(not_signed_in)?;
    let (title, content, primary) = match change {
        ChangeAction::Address if session.pay_only => {
            return Err(PageError::bad_request("InvalidParameterValue", "This checkout (PayOnly) has no shipping address to change."));
        }
        ChangeAction::Address => {
            ("Change the shipping address", fieldset("Shipping address", &address_radios(buyer, session.address)), "Use this address")
        }
        ChangeAction::Payment => (
            "Change the payment method",
            fieldset("Payment method", &instrument_radios(session.instrument, buyer.default_instrument())),
            "Use this payment method",
        ),
    };
    let body = format!(
        "<p>Signed in as <strong>{name}</strong>.</p><form method=\"post\" action=\"{action}\">{hidden}{content}{actions}</form>",
        name = super::page::html_escape(buyer.name),
        action = super::page::html_escape(&format!("{}{CHANGE}", sandbox.public_url)),
        hidden = hidden(&[("amazonCheckoutSessionId", &session.id), ("changeAction", change.name())]),
        actions = actions(primary, "Cancel"),
    );
    Ok(html(StatusCode::OK, layout(title, &body)))
}

fn not_signed_in() -> PageError {
    PageError::new(StatusCode::CONFLICT, "BuyerNotAssociated", "No buyer has completed the checkout for this session yet.")
}

/// `POST /sandbox/amazon/checkout/change`: applies the change and returns to the review page.
pub(crate) async fn change(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let session = usable_session(sandbox, form.require("amazonCheckoutSessionId")?, true)?;
    let change = ChangeAction::parse(form.require("changeAction")?)?;
    if !form.cancelled() {
        match change {
            ChangeAction::Address => sandbox.amazon.change_address(&session.id, form.require("address")?)?,
            ChangeAction::Payment => sandbox.amazon.change_instrument(&session.id, form.require("instrument")?)?,
        }
    }
    let web = sandbox.amazon.web_checkout(&session.id).ok_or_else(no_return_url)?;
    back_to_review(&session, &web)
}

/// The session a PAYONE transaction pays for: as the simulator recorded it, or as the URL names it.
fn session_for_txid(sandbox: &Sandbox, txid: &str, named: Option<&str>) -> Option<CheckoutSession> {
    sandbox.amazon.session_for_transaction(txid).or_else(|| named.and_then(|id| sandbox.amazon.checkout_session(id)))
}

fn asks_for_mfa(session: Option<&CheckoutSession>) -> bool {
    matches!(session.and_then(|s| s.instrument).map(|i| i.scenario), Some(Scenario::MfaPassed | Scenario::MfaAbandoned))
}

/// `GET /sandbox/amazon/checkout/process?txid=…`: MFA first if the instrument asks for it, then PAYONE's redirect.
pub(crate) async fn process(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let query = Fields::from_query(query)?;
    let txid = query.require("txid")?;
    let session = session_for_txid(sandbox, txid, query.get("amazonCheckoutSessionId"));
    if asks_for_mfa(session.as_ref()) {
        let action = format!("{}{PROCESS}", sandbox.public_url);
        return Ok(html(StatusCode::OK, mfa_page(&action, &[("txid", txid)], None)));
    }
    finish(sandbox, txid, MfaOutcome::NotAsked).await
}

/// `POST /sandbox/amazon/checkout/process`: Verify (with the code) or Cancel on the MFA page.
pub(crate) async fn process_submit(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let txid = form.require("txid")?;
    if form.cancelled() {
        return finish(sandbox, txid, MfaOutcome::Abandoned).await;
    }
    if form.get("code").map(str::trim) != Some(SANDBOX_MFA_CODE) {
        let action = format!("{}{PROCESS}", sandbox.public_url);
        let problem = format!("That code is not correct. In the sandbox the code is {SANDBOX_MFA_CODE}.");
        return Ok(html(StatusCode::BAD_REQUEST, mfa_page(&action, &[("txid", txid)], Some(&problem))));
    }
    finish(sandbox, txid, MfaOutcome::Passed).await
}

async fn finish(sandbox: &Sandbox, txid: &str, mfa: MfaOutcome) -> Result<Response, PageError> {
    let url = sandbox.payone.finish_redirect(txid, mfa).await.map_err(|e| {
        let status = if matches!(e, SimError::UnknownTransaction(_)) { StatusCode::NOT_FOUND } else { StatusCode::CONFLICT };
        PageError::new(status, "InvalidTransaction", e.to_string())
    })?;
    if !is_web_url(&url) {
        return Err(PageError::new(StatusCode::BAD_GATEWAY, "InvalidReturnUrl", "PAYONE named no valid page to return to."));
    }
    Ok(see_other(&url))
}

/// `GET /sandbox/amazon/keys/{publicKeyId}`: the public key checkout.js checks button signatures with, as a JWK
/// and as base64 SPKI (what WebCrypto's `importKey` takes). Public keys only; 404 for an unknown id.
pub(crate) async fn public_key(
    State(shared): State<Arc<Sandbox>>,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let key = shared
        .amazon_v2
        .keys()
        .get(&id)
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "InvalidPublicKeyId", format!("No public key is registered as '{id}'.")))?;
    use base64::Engine as _;
    let spki = base64::engine::general_purpose::STANDARD.encode(key.to_spki_der());
    Ok(Json(serde_json::json!({ "publicKeyId": id, "jwk": key.to_jwk(), "spki": spki })).into_response())
}

/// `GET /sandbox/amazon/checkout/error?reasonCode=…&message=…`: Amazon's error page, where checkout.js sends the
/// buyer when the button's signature does not verify (Amazon shows its hosted error page and no checkout).
pub(crate) async fn error_page(RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let query = Fields::from_query(query)?;
    let code = match query.get("reasonCode") {
        Some("InvalidSignatureError") => "InvalidSignatureError",
        _ => "InvalidRequest",
    };
    Err(PageError::bad_request(code, query.get("message").unwrap_or("The checkout could not be started.").to_owned()))
}

/// `GET /sandbox/amazon/checkout/signout`: what `amazon.Pay.signout()` calls; the sandbox keeps no Amazon login.
pub(crate) async fn signout() -> impl IntoResponse {
    Json(serde_json::json!({ "result": "SignedOut" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_amount_and_the_return_urls_of_a_payload() {
        let payload = serde_json::json!({
            "webCheckoutDetails": {"checkoutReviewReturnUrl": "https://shop.example/review?x=1", "checkoutCancelUrl": "https://shop.example/"},
            "paymentDetails": {"chargeAmount": {"amount": "12.34", "currencyCode": "EUR"}},
        });
        assert_eq!(payload_amount(&payload), Some(Money::eur(1234)));
        let web = web_checkout(&payload, Some("javascript:alert(1)")).unwrap();
        assert_eq!(web.review_return_url.as_deref(), Some("https://shop.example/review?x=1"));
        assert_eq!(web.origin_url, None);
        assert!(!web.process_order);
        let apb = serde_json::json!({"webCheckoutDetails": {"checkoutMode": "ProcessOrder"}});
        assert_eq!(web_checkout(&apb, None).unwrap_err().code, "MissingParameterValue");
        let evil = serde_json::json!({"webCheckoutDetails": {"checkoutReviewReturnUrl": "javascript:alert(1)"}});
        assert_eq!(web_checkout(&evil, None).unwrap_err().code, "InvalidParameterValue");
    }

    #[test]
    fn change_actions_are_amazons_two() {
        assert_eq!(ChangeAction::parse("changePayment").unwrap(), ChangeAction::Payment);
        assert!(ChangeAction::parse("x").unwrap_err().message.contains("Invalid value 'x' for 'changeAction'"));
    }
}
