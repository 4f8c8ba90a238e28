//! What the fake `Widgets.js` talks to: JSON endpoints behind the AddressBook, Wallet and Consent widgets, and
//! the confirmation-flow page (`OffAmazonPayments.initConfirmationFlow` → `confirmationFlow.success()`), which
//! runs the MFA step and returns to the `successurl`/`errorurl` PAYONE's `confirmorderreference` was given.

use super::page::{html, is_web_url, mfa_page, with_query, Fields, PageError, SANDBOX_MFA_CODE};
use super::see_other;
use crate::amazon::{AgreementType, AmazonError, AuthenticationStatus, OrderReference};
use crate::scenario::{Scenario, INSTRUMENTS};
use crate::state::Sandbox;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Where `confirmationFlow.success()` sends the buyer.
pub(crate) const CONFIRM: &str = "/sandbox/amazon/widgets/confirm";

/// The request body of every widget call; each endpoint uses the fields it needs.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct WidgetRequest {
    access_token: Option<String>,
    seller_id: Option<String>,
    agreement_type: Option<String>,
    id: Option<String>,
    address_id: Option<String>,
    instrument_id: Option<String>,
    consent: Option<bool>,
}

/// A widget error as `onError` reports it (`getErrorCode()`, `getErrorMessage()`).
#[derive(Debug)]
pub(crate) struct WidgetError(AmazonError);

impl From<AmazonError> for WidgetError {
    fn from(e: AmazonError) -> Self {
        WidgetError(e)
    }
}

impl WidgetError {
    fn new(code: &'static str, message: &str) -> Self {
        WidgetError(AmazonError::new(code, message))
    }
}

impl IntoResponse for WidgetError {
    fn into_response(self) -> Response {
        let status = match self.0.code {
            "BuyerSessionExpired" => StatusCode::UNAUTHORIZED,
            "BuyerNotAssociated" => StatusCode::FORBIDDEN,
            "InvalidOrderReferenceId" => StatusCode::NOT_FOUND,
            "AddressNotModifiable" | "PaymentMethodNotModifiable" => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        };
        (status, Json(serde_json::json!({ "code": self.0.code, "message": self.0.message }))).into_response()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct AddressView {
    id: &'static str,
    name: String,
    company: &'static str,
    street: &'static str,
    addition: &'static str,
    city: String,
    state: &'static str,
    country: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct InstrumentView {
    id: &'static str,
    descriptor: &'static str,
    outcome: &'static str,
}

/// What a widget renders: the reference, the buyer's addresses, the sandbox instruments and the choices made.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct WidgetView {
    id: String,
    agreement_type: AgreementType,
    /// This call created the reference (the widget then fires `onOrderReferenceCreate`).
    created: bool,
    buyer_name: &'static str,
    addresses: Vec<AddressView>,
    selected_address_id: Option<&'static str>,
    instruments: Vec<InstrumentView>,
    selected_instrument_id: Option<&'static str>,
    /// The account's default payment method, which a Wallet preselects when nothing is chosen yet.
    default_instrument_id: Option<&'static str>,
    consent: bool,
    confirmed: bool,
}

impl WidgetView {
    fn of(r: &OrderReference, created: bool) -> Json<WidgetView> {
        Json(WidgetView {
            id: r.id.clone(),
            agreement_type: r.kind,
            created,
            buyer_name: r.buyer.name,
            addresses: r
                .buyer
                .addresses
                .iter()
                .map(|a| AddressView {
                    id: a.id,
                    name: format!("{} {}", a.first_name, a.last_name).trim().to_owned(),
                    company: a.company,
                    street: a.street,
                    addition: a.addition,
                    city: format!("{} {}", a.zip, a.city).trim().to_owned(),
                    state: a.state,
                    country: a.country,
                })
                .collect(),
            selected_address_id: r.address.map(|a| a.id),
            instruments: INSTRUMENTS.iter().map(|i| InstrumentView { id: i.id, descriptor: i.descriptor, outcome: i.outcome }).collect(),
            selected_instrument_id: r.instrument.map(|i| i.id),
            default_instrument_id: r.buyer.default_instrument().map(|i| i.id),
            consent: r.consent,
            confirmed: r.confirmed,
        })
    }
}

/// The sandbox, the parsed body and its access token: without a token the buyer is not signed in.
fn parse<'a>(sandbox: &'a Sandbox, body: &str) -> Result<(&'a Sandbox, WidgetRequest, String), WidgetError> {
    let request: WidgetRequest =
        serde_json::from_str(body).map_err(|_| WidgetError::new("InvalidParameterValue", "The request body is not the JSON the widget sends."))?;
    let token = request
        .access_token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| WidgetError::new("BuyerSessionExpired", "The buyer's session has expired. Please sign in again."))?;
    Ok((sandbox, request, token))
}

fn required<'a>(value: &'a Option<String>, name: &str) -> Result<&'a str, WidgetError> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| WidgetError(AmazonError::new("MissingParameter", format!("The parameter {name} is missing."))))
}

/// `POST /sandbox/amazon/widgets/order-reference`: creates the reference (or reads `id` for a re-render).
pub(crate) async fn order_reference(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Json<WidgetView>, WidgetError> {
    let sandbox: &Sandbox = &shared;
    let (sandbox, request, token) = parse(sandbox, &body)?;
    required(&request.seller_id, "sellerId")?;
    if let Some(id) = request.id.as_deref().filter(|i| !i.is_empty()) {
        return Ok(WidgetView::of(&sandbox.amazon.order_reference_for(&token, id)?, false));
    }
    let kind = match request.agreement_type.as_deref() {
        None | Some("OrderReference") => AgreementType::OrderReference,
        Some("BillingAgreement") => AgreementType::BillingAgreement,
        Some(other) => return Err(WidgetError(AmazonError::new("InvalidParameterValue", format!("Invalid agreementType '{other}'.")))),
    };
    Ok(WidgetView::of(&sandbox.amazon.create_order_reference(&token, kind)?, true))
}

/// `POST /sandbox/amazon/widgets/select`: the buyer picked an address (AddressBook) or an instrument (Wallet).
pub(crate) async fn select(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Json<WidgetView>, WidgetError> {
    let sandbox: &Sandbox = &shared;
    let (sandbox, request, token) = parse(sandbox, &body)?;
    let id = required(&request.id, "id")?;
    let reference = sandbox.amazon.select_for_widget(&token, id, request.address_id.as_deref(), request.instrument_id.as_deref())?;
    Ok(WidgetView::of(&reference, false))
}

/// `POST /sandbox/amazon/widgets/consent`: the Consent widget's checkbox.
pub(crate) async fn consent(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Json<WidgetView>, WidgetError> {
    let sandbox: &Sandbox = &shared;
    let (sandbox, request, token) = parse(sandbox, &body)?;
    let id = required(&request.id, "id")?;
    let consent = request.consent.ok_or_else(|| WidgetError::new("MissingParameter", "The parameter consent is missing."))?;
    Ok(WidgetView::of(&sandbox.amazon.set_consent(&token, id, consent)?, false))
}

/// The reference being confirmed and where its flow returns, or a page saying why not.
fn confirming(sandbox: &Sandbox, fields: &Fields) -> Result<(OrderReference, String, String), PageError> {
    let id = fields.require("amazonOrderReferenceId")?;
    let reference = sandbox
        .amazon
        .order_reference(id)
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "InvalidOrderReferenceId", format!("The order reference id {id} is invalid.")))?;
    let urls = reference.confirmation_urls.clone().ok_or_else(|| {
        PageError::new(
            StatusCode::CONFLICT,
            "ConfirmationFlowNotStarted",
            "PAYONE's confirmorderreference has not been called for this order reference.",
        )
    })?;
    if !is_web_url(&urls.success_url) || !is_web_url(&urls.error_url) {
        return Err(PageError::bad_request(
            "InvalidParameterValue",
            "confirmorderreference's successurl and errorurl must be absolute http(s) URLs.",
        ));
    }
    Ok((reference, urls.success_url, urls.error_url))
}

fn finish(sandbox: &Sandbox, reference: &OrderReference, status: AuthenticationStatus, url: &str) -> Response {
    sandbox.amazon.update_order_reference(&reference.id, |r| {
        r.authentication = Some(status);
        if status == AuthenticationStatus::Abandoned {
            // The buyer may now pick another instrument in the Wallet.
            r.confirmed = false;
        }
    });
    see_other(&with_query(url, &[("AuthenticationStatus", status.as_str())]))
}

/// `GET /sandbox/amazon/widgets/confirm?amazonOrderReferenceId=…`: MFA if the instrument asks, then back to the shop.
pub(crate) async fn confirm_page(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let (reference, success, _) = confirming(sandbox, &Fields::from_query(query)?)?;
    let mfa = matches!(reference.instrument.map(|i| i.scenario), Some(Scenario::MfaPassed | Scenario::MfaAbandoned));
    if mfa {
        let action = format!("{}{CONFIRM}", sandbox.public_url);
        return Ok(html(StatusCode::OK, mfa_page(&action, &[("amazonOrderReferenceId", &reference.id)], None)));
    }
    Ok(finish(sandbox, &reference, AuthenticationStatus::Success, &success))
}

/// `POST /sandbox/amazon/widgets/confirm`: Verify or Cancel on the MFA page.
pub(crate) async fn confirm_submit(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let (reference, success, error) = confirming(sandbox, &form)?;
    if form.cancelled() {
        return Ok(finish(sandbox, &reference, AuthenticationStatus::Abandoned, &error));
    }
    if form.get("code").map(str::trim) != Some(SANDBOX_MFA_CODE) {
        let action = format!("{}{CONFIRM}", sandbox.public_url);
        let problem = format!("That code is not correct. In the sandbox the code is {SANDBOX_MFA_CODE}.");
        let page = mfa_page(&action, &[("amazonOrderReferenceId", &reference.id)], Some(&problem));
        return Ok(html(StatusCode::BAD_REQUEST, page));
    }
    Ok(finish(sandbox, &reference, AuthenticationStatus::Success, &success))
}
