//! Checkout v2 session actions: `genericpayment` with `clearingtype=wlt`, `wallettype=AMP` (reference §2.2–2.4).

use super::auth::{Refusal, SESSION_EXPIRED, SHIPPING_ADDRESS_NOT_SET, UNSPECIFIED};
use super::messages::Customer;
use super::{address_fields, money, need, return_urls, PayoneSimulator, ReturnUrls, Workorder};
use crate::amazon::{CheckoutSession, SessionState, SANDBOX_CLIENT_ID};
use amazon_pay_contract::Money;
use payone_wire::{PayoneRequest, PayoneResponse};
use serde_json::{json, Value};
use std::time::SystemTime;

/// Amazon's `deliverySpecifications` from SW6's optional `add_paydata[specialRestrictions]` and
/// `add_paydata[addressRestrictions_*]` parameters; `None` when none were sent.
fn delivery_specifications(req: &PayoneRequest) -> Option<Value> {
    let mut spec = serde_json::Map::new();
    if let Some(special) = req.get("add_paydata[specialRestrictions]").filter(|s| !s.is_empty()) {
        let list: Vec<&str> = special.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
        spec.insert("specialRestrictions".into(), json!(list));
    }
    let countries: serde_json::Map<String, Value> = req
        .params()
        .iter()
        .filter(|(k, v)| k.starts_with("add_paydata[addressRestrictions_country_") && !v.is_empty())
        .map(|(_, v)| (v.clone(), json!({})))
        .collect();
    if !countries.is_empty() {
        let kind = req.get("add_paydata[addressRestrictions_type]").unwrap_or("Allowed");
        spec.insert("addressRestrictions".into(), json!({ "type": kind, "restrictions": countries }));
    }
    (!spec.is_empty()).then(|| spec.into())
}

/// The Amazon `createCheckoutSession` payload PAYONE builds and signs for the express button.
fn express_payload(req: &PayoneRequest, workorder_id: &str, amount: Money, urls: &ReturnUrls) -> Value {
    let mut payload = json!({
        "webCheckoutDetails": {
            "checkoutReviewReturnUrl": urls.success,
            "checkoutCancelUrl": urls.back,
        },
        "storeId": SANDBOX_CLIENT_ID,
        "scopes": ["name", "email", "phoneNumber", "billingAddress"],
        "chargePermissionType": "OneTime",
        "paymentDetails": {
            "paymentIntent": "Authorize",
            "canHandlePendingAuthorization": true,
            "chargeAmount": { "amount": amount.decimal(), "currencyCode": amount.currency.code() },
            "totalOrderAmount": { "amount": amount.decimal(), "currencyCode": amount.currency.code() },
        },
        "merchantMetadata": { "merchantReferenceId": workorder_id },
    });
    if let Some(platform) = req.get("add_paydata[platform_id]").filter(|p| !p.is_empty()) {
        payload["platformId"] = json!(platform);
    }
    if let Some(spec) = delivery_specifications(req) {
        payload["deliverySpecifications"] = spec;
    }
    payload
}

impl PayoneSimulator {
    /// The CV2 workorder named by `workorderid`.
    pub(super) fn cv2_workorder(&self, req: &PayoneRequest) -> Result<Workorder, Refusal> {
        let id = need(req, "workorderid")?;
        self.workorder(id).ok_or_else(|| Refusal::param_because("workorderid", format!("no Amazon Pay v2 workorder {id}")))
    }

    /// The workorder's Amazon checkout session, refused once it has expired (24 h, or the "session expired"
    /// instrument) or was canceled: the shop has to start a new checkout.
    pub(super) fn live_session(&self, workorder: &Workorder) -> Result<CheckoutSession, Refusal> {
        let id = &workorder.amazon_checkout_session_id;
        let expired =
            |why: &str| Refusal::new(SESSION_EXPIRED, format!("Amazon checkout session {id} {why}: start a new checkout"), Customer::SessionExpired);
        let session = self.amazon.checkout_session(id).ok_or_else(|| expired("no longer exists"))?;
        if session.is_expired(SystemTime::now()) {
            return Err(expired("has expired (checkout sessions live 24 hours)"));
        }
        if session.state == SessionState::Canceled {
            return Err(expired("was canceled"));
        }
        Ok(session)
    }

    /// Refusal for a session whose buyer has not come back from Amazon's pages yet.
    pub(super) fn not_finished(session: &CheckoutSession) -> Refusal {
        Refusal::new(
            SHIPPING_ADDRESS_NOT_SET,
            format!(
                "ShippingAddressNotSet: the buyer has not finished on Amazon for checkout session {} (no address or payment method chosen yet)",
                session.id
            ),
            Customer::AddressNotSet,
        )
    }

    /// `createCheckoutSessionPayload`: opens the Amazon checkout session and signs the button payload.
    pub(super) fn create_checkout_session(&self, req: &PayoneRequest, sign: &dyn Fn(&str) -> String) -> Result<PayoneResponse, Refusal> {
        let amount = money(req, true)?;
        let urls = return_urls(req)?;
        let id = self.new_workorder_id();
        let session_id = self.amazon.create_checkout_session(&id, amount);
        let payload = express_payload(req, &id, amount, &urls).to_string();
        let signature = sign(&payload);
        let workorder = Workorder {
            id: id.clone(),
            amount,
            success_url: urls.success,
            error_url: urls.error,
            back_url: urls.back,
            amazon_checkout_session_id: session_id,
            apb: false,
        };
        self.lock().workorders.insert(id.clone(), workorder);
        Ok(PayoneResponse::builder()
            .with("status", "OK")
            .with("workorderid", id)
            .with("add_paydata[payload]", payload)
            .with("add_paydata[signature]", signature))
    }

    /// `getCheckoutSession`: the buyer's email, addresses and session id once they are back from Amazon.
    pub(super) fn get_checkout_session(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let workorder = self.cv2_workorder(req)?;
        if req.get("amount").is_some() || req.get("currency").is_some() {
            money(req, true)?;
        }
        let session = self.live_session(&workorder)?;
        let (Some(buyer), Some(instrument)) = (session.buyer, session.instrument) else {
            return Err(Self::not_finished(&session));
        };
        if session.state == SessionState::Open || (session.address.is_none() && !session.pay_only) {
            return Err(Self::not_finished(&session));
        }
        let mut response = PayoneResponse::builder().with("status", "OK").with("workorderid", &workorder.id).with("add_paydata[email]", buyer.email);
        // The sandbox's buyers have one address per session; Amazon's billing address is the instrument's. A
        // PayOnly session has no shipping address; its billing address is the account's first, if any.
        let fields = match (session.address, session.pay_only) {
            (Some(address), false) => {
                address_fields("billing_", address, None).into_iter().chain(address_fields("shipping_", address, None)).collect()
            }
            _ => buyer.addresses.first().map(|a| address_fields("billing_", a, None)).unwrap_or_default(),
        };
        for (k, v) in fields {
            response = response.with(&k, v);
        }
        Ok(response
            .with("add_paydata[amazonCheckoutSessionId]", &session.id)
            // Sandbox extension, not a documented PAYONE field (§2.3 found none): the chosen instrument as Amazon
            // describes it ("Visa ••••1111"), so the review page can show what will be charged.
            .with("add_paydata[paymentDescriptor]", instrument.descriptor))
    }

    /// `updateCheckoutSession`: a new total after the review page was built.
    pub(super) fn update_checkout_session(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let workorder = self.cv2_workorder(req)?;
        let amount = money(req, true)?;
        let session = self.live_session(&workorder)?;
        if session.state == SessionState::Completed {
            return Err(Refusal::new(
                UNSPECIFIED,
                format!("InvalidCheckoutSessionStatus: checkout session {} is already completed", session.id),
                Customer::Generic,
            ));
        }
        self.amazon.update_checkout_session(&session.id, |s| s.amount = amount);
        if let Some(w) = self.lock().workorders.get_mut(&workorder.id) {
            w.amount = amount;
        }
        Ok(PayoneResponse::builder().with("status", "OK").with("workorderid", &workorder.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_carries_restrictions_and_platform() {
        let mut req = PayoneRequest::new("genericpayment");
        req.set("add_paydata[platform_id]", "A1JKLSC6LUW5EW")
            .set("add_paydata[specialRestrictions]", "RestrictPOBoxes, RestrictPackstations")
            .set("add_paydata[addressRestrictions_country_0]", "DE")
            .set("add_paydata[addressRestrictions_country_x]", "AT");
        let urls = ReturnUrls { success: "https://s/ok".into(), error: "https://s/err".into(), back: "https://s/".into() };
        let p = express_payload(&req, "WO1", Money::eur(1290), &urls);
        assert_eq!(p["platformId"], "A1JKLSC6LUW5EW");
        assert_eq!(p["deliverySpecifications"]["specialRestrictions"][1], "RestrictPackstations");
        assert_eq!(p["deliverySpecifications"]["addressRestrictions"]["type"], "Allowed");
        assert!(p["deliverySpecifications"]["addressRestrictions"]["restrictions"]["AT"].is_object());
        assert_eq!(p["webCheckoutDetails"]["checkoutReviewReturnUrl"], "https://s/ok");
        assert_eq!(p["merchantMetadata"]["merchantReferenceId"], "WO1");
        assert_eq!(p["paymentDetails"]["totalOrderAmount"]["amount"], "12.90");
        assert!(express_payload(&PayoneRequest::new("x"), "WO1", Money::eur(1), &urls).get("deliverySpecifications").is_none());
    }
}
