//! The fake Amazon pages of a merchant's own checkout (Amazon Pay API v2): the button click opens a session
//! (`checkout::open_direct`; the sign-in and choose pages are the CV2 pages), and `amazonPayRedirectUrl` leads here,
//! where Amazon confirms the payment: MFA when the instrument asks, another instrument after a soft decline,
//! then back to `checkoutResultReturnUrl` with the session id (canceled with Amazon's reason when it fails).

use super::checkout::instrument_radios;
use super::page::{actions, fieldset, hidden, html, layout, mfa_page, with_query, Fields, PageError, SANDBOX_MFA_CODE};
use super::see_other;
use crate::amazon_v2::REDIRECT_PAGE;
use crate::scenario::{Scenario, INSTRUMENTS};
use crate::state::Sandbox;
use amazon_pay_v2::models::CheckoutSessionState;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use std::sync::Arc;

fn action_url(sandbox: &Sandbox) -> String {
    format!("{}{REDIRECT_PAGE}", sandbox.public_url)
}

/// The result URL of an open API session whose redirect may run.
fn ready_session(sandbox: &Sandbox, id: &str) -> Result<String, PageError> {
    let (v2, hosted) = sandbox
        .amazon_v2
        .session(id)
        .ok_or_else(|| PageError::new(StatusCode::NOT_FOUND, "InvalidCheckoutSessionId", format!("There is no checkout session '{id}'.")))?;
    if v2.state != CheckoutSessionState::Open {
        return Err(PageError::new(StatusCode::CONFLICT, "InvalidCheckoutSessionStatus", format!("This checkout session is {:?}.", v2.state)));
    }
    if hosted.buyer.is_none() || v2.payment_details.charge_amount.is_none() || v2.payment_details.payment_intent.is_none() {
        return Err(PageError::new(
            StatusCode::CONFLICT,
            "InvalidCheckoutSessionStatus",
            "The shop has not set chargeAmount, paymentIntent and checkoutResultReturnUrl yet.",
        ));
    }
    v2.web.checkout_result_return_url.ok_or_else(|| PageError::missing("checkoutResultReturnUrl"))
}

fn back(result: &str, id: &str) -> Response {
    see_other(&with_query(result, &[("amazonCheckoutSessionId", id)]))
}

fn declined_page(sandbox: &Sandbox, id: &str, problem: &str) -> Response {
    let choices: String = instrument_radios(None, None);
    let body = format!(
        "<div class=\"error\" role=\"alert\"><p>{problem}</p></div><form method=\"post\" action=\"{action}\">{hidden}{list}{actions}</form>",
        problem = super::page::html_escape(problem),
        action = super::page::html_escape(&action_url(sandbox)),
        hidden = hidden(&[("amazonCheckoutSessionId", id)]),
        list = fieldset("Payment method", &choices),
        actions = actions("Use this payment method", "Cancel and return to the shop"),
    );
    html(StatusCode::OK, layout("Choose another payment method", &body))
}

/// `GET /sandbox/amazon/checkout/pay?amazonCheckoutSessionId=…` (`amazonPayRedirectUrl`).
pub(crate) async fn page(State(shared): State<Arc<Sandbox>>, RawQuery(query): RawQuery) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let query = Fields::from_query(query)?;
    let id = query.require("amazonCheckoutSessionId")?;
    let result = ready_session(sandbox, id)?;
    let sim = &sandbox.amazon_v2;
    let outcome = match sim.scenario(id) {
        Scenario::MfaPassed | Scenario::MfaAbandoned => {
            return Ok(html(StatusCode::OK, mfa_page(&action_url(sandbox), &[("amazonCheckoutSessionId", id)], None)));
        }
        Scenario::SoftDecline | Scenario::PaymentMethodNotAllowed => {
            return Ok(declined_page(sandbox, id, "Your payment method was declined. Please choose another payment method."));
        }
        Scenario::HardDecline => Err(("Declined", "HardDeclined: the payment was declined.")),
        Scenario::ProcessingFailure => Err(("Declined", "ProcessingFailure: Amazon could not process the payment.")),
        Scenario::TransactionTimedOut => Err(("Declined", "TransactionTimedOut: the authorization timed out.")),
        Scenario::BuyerEqualsSeller => Err(("Declined", "The buyer's account is the merchant's own.")),
        Scenario::SessionExpired => Err(("Expired", "The checkout session expired.")),
        _ => Ok(()),
    };
    sim.finish_processing(id, outcome);
    Ok(back(&result, id))
}

/// `POST /sandbox/amazon/checkout/pay`: the MFA page (Verify/Cancel) or another instrument after a decline.
pub(crate) async fn submit(State(shared): State<Arc<Sandbox>>, body: String) -> Result<Response, PageError> {
    let sandbox: &Sandbox = &shared;
    let form = Fields::parse(&body)?;
    let id = form.require("amazonCheckoutSessionId")?;
    let result = ready_session(sandbox, id)?;
    let sim = &sandbox.amazon_v2;
    if form.cancelled() {
        sim.finish_processing(id, Err(("BuyerCanceled", "The buyer canceled on Amazon's page.")));
        return Ok(back(&result, id));
    }
    if let Some(instrument) = form.get("instrument") {
        if !INSTRUMENTS.iter().any(|i| i.id == instrument) {
            return Err(PageError::bad_request("InvalidParameterValue", format!("There is no sandbox instrument '{instrument}'.")));
        }
        sandbox.amazon.change_instrument(id, instrument)?;
        return Ok(see_other(&sim.redirect_url(id)));
    }
    if !matches!(sim.scenario(id), Scenario::MfaPassed | Scenario::MfaAbandoned) {
        return Err(PageError::bad_request("InvalidParameterValue", "Nothing to confirm for this payment."));
    }
    if form.get("code").map(str::trim) != Some(SANDBOX_MFA_CODE) {
        let problem = format!("That code is not correct. In the sandbox the code is {SANDBOX_MFA_CODE}.");
        return Ok(html(StatusCode::BAD_REQUEST, mfa_page(&action_url(sandbox), &[("amazonCheckoutSessionId", id)], Some(&problem))));
    }
    sim.finish_processing(id, Ok(()));
    Ok(back(&result, id))
}
