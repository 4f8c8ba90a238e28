//! Legacy Checkout v1 actions: `genericpayment` with `clearingtype=wlt`, `wallettype=AMZ` and lower-case action
//! names (reference §4). Amazon's side (order references, tokens) lives in [`crate::amazon`].

use super::auth::{Refusal, INVALID_PAYMENT_METHOD, PAYMENT_PLAN_NOT_SET, SHIPPING_ADDRESS_NOT_SET, UNSPECIFIED};
use super::authorization::constraint_refusal;
use super::messages::Customer;
use super::{address_fields, currency, money, need, return_urls, Cv1Workorder, PayoneSimulator};
use crate::amazon::{AgreementType, AmazonError, OrderReference, SANDBOX_CLIENT_ID};
use crate::scenario::Scenario;
use payone_wire::{PayoneRequest, PayoneResponse};

/// Amazon refused something about the order reference; PAYONE passes it on as 900 UnspecifiedError.
pub(super) fn amazon_refusal(err: AmazonError) -> Refusal {
    let customer = if err.code == "BuyerSessionExpired" { Customer::SessionExpired } else { Customer::Generic };
    Refusal::new(UNSPECIFIED, format!("{}: {}", err.code, err.message), customer)
}

fn invalid_status(reference: &OrderReference, why: &str) -> Refusal {
    Refusal::new(UNSPECIFIED, format!("InvalidOrderReferenceStatus: order reference {} {why}", reference.id), Customer::Generic)
}

impl PayoneSimulator {
    /// The CV1 workorder for `reference_id`: the one named by `workorderid` (bound to the reference on first
    /// use), or a new one when the request names none.
    pub(super) fn cv1_workorder_for(&self, req: &PayoneRequest, reference_id: &str) -> Result<String, Refusal> {
        let mut state = self.lock();
        match req.get("workorderid").filter(|w| !w.is_empty()) {
            Some(id) => {
                let workorder = state
                    .cv1_workorders
                    .get_mut(id)
                    .ok_or_else(|| Refusal::param_because("workorderid", format!("no Amazon Pay v1 workorder {id}")))?;
                match &workorder.amazon_reference_id {
                    Some(bound) if bound != reference_id => {
                        Err(Refusal::param_because("workorderid", format!("workorder {id} belongs to order reference {bound}")))
                    }
                    _ => {
                        workorder.amazon_reference_id = Some(reference_id.to_owned());
                        Ok(id.to_owned())
                    }
                }
            }
            None => {
                let id = self.new_workorder_id();
                let workorder = Cv1Workorder { id: id.clone(), amazon_reference_id: Some(reference_id.to_owned()), canceled: false };
                state.cv1_workorders.insert(id.clone(), workorder);
                Ok(id)
            }
        }
    }

    /// The order reference of `add_paydata[amazon_reference_id]`, checked against the address consent token
    /// when one is sent.
    pub(super) fn order_reference(&self, req: &PayoneRequest, token_required: bool) -> Result<OrderReference, Refusal> {
        let id = need(req, "add_paydata[amazon_reference_id]")?;
        let token = if token_required {
            Some(need(req, "add_paydata[amazon_address_token]")?)
        } else {
            req.get("add_paydata[amazon_address_token]").filter(|t| !t.is_empty())
        };
        match token {
            Some(token) => self.amazon.order_reference_for(token, id).map_err(amazon_refusal),
            None => self.amazon.order_reference(id).ok_or_else(|| {
                Refusal::new(UNSPECIFIED, format!("InvalidOrderReferenceId: the order reference id {id} is invalid"), Customer::Generic)
            }),
        }
    }

    pub(super) fn is_canceled(&self, reference_id: &str) -> bool {
        self.lock().cv1_workorders.values().any(|w| w.canceled && w.amazon_reference_id.as_deref() == Some(reference_id))
    }

    /// `getconfiguration`: starts a workorder and hands out the Login with Amazon client id and seller id.
    pub(super) fn get_configuration(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        if req.get("currency").is_some() {
            currency(req)?;
        }
        let id = self.new_workorder_id();
        self.lock().cv1_workorders.insert(id.clone(), Cv1Workorder { id: id.clone(), amazon_reference_id: None, canceled: false });
        Ok(PayoneResponse::builder()
            .with("status", "OK")
            .with("workorderid", id)
            .with("add_paydata[client_id]", SANDBOX_CLIENT_ID)
            .with("add_paydata[seller_id]", &self.setup.seller_id))
    }

    /// `getorderreferencedetails`: the buyer's email and addresses; the token must belong to the same buyer.
    pub(super) fn get_order_reference_details(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let reference = self.order_reference(req, true)?;
        if req.get("amount").is_some() {
            money(req, true)?;
        }
        let workorder_id = self.cv1_workorder_for(req, &reference.id)?;
        let Some(address) = reference.address else {
            return Err(Refusal::new(
                SHIPPING_ADDRESS_NOT_SET,
                format!("ShippingAddressNotSet: no address chosen for order reference {}", reference.id),
                Customer::AddressNotSet,
            ));
        };
        let mut response =
            PayoneResponse::builder().with("status", "OK").with("workorderid", workorder_id).with("add_paydata[email]", reference.buyer.email);
        // PAYONE's CV1 answers carry the literal `Empty` for a blank state (§4): shops must not show it.
        for (k, v) in address_fields("billing_", address, Some("Empty")).into_iter().chain(address_fields("shipping_", address, Some("Empty"))) {
            response = response.with(&k, v);
        }
        Ok(response)
    }

    /// `setorderreferencedetails`: the order total, allowed while the reference is a draft.
    pub(super) fn set_order_reference_details(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let reference = self.order_reference(req, false)?;
        let amount = money(req, true)?;
        let workorder_id = self.cv1_workorder_for(req, &reference.id)?;
        if reference.confirmed {
            return Err(invalid_status(&reference, "is confirmed: its details can no longer change"));
        }
        if self.is_canceled(&reference.id) {
            return Err(invalid_status(&reference, "is canceled"));
        }
        self.amazon.update_order_reference(&reference.id, |r| r.amount = Some(amount));
        Ok(PayoneResponse::builder().with("status", "OK").with("workorderid", workorder_id))
    }

    /// `confirmorderreference`: checks Amazon's constraints (987 no address, 986 no payment method, 984
    /// BuyerEqualsSeller, 985 PaymentMethodNotAllowed, a billing agreement's consent), confirms, and stores where
    /// the confirmation flow (MFA) returns to. The soft-decline instrument is refused here with 981 so the shop
    /// reopens the wallet. Nothing is confirmed when it refuses.
    pub(super) fn confirm_order_reference(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let reference = self.order_reference(req, false)?;
        need(req, "add_paydata[reference]")?;
        let amount = money(req, true)?;
        let urls = return_urls(req)?;
        if req.get("errorurl").is_none_or(str::is_empty) {
            return Err(Refusal::param_because("errorurl", "the confirmation flow returns failures there"));
        }
        let workorder_id = self.cv1_workorder_for(req, &reference.id)?;
        if self.is_canceled(&reference.id) {
            return Err(invalid_status(&reference, "is canceled"));
        }
        if reference.address.is_none() && reference.kind == AgreementType::OrderReference {
            return Err(Refusal::new(
                SHIPPING_ADDRESS_NOT_SET,
                format!("ShippingAddressNotSet: order reference {} has no address", reference.id),
                Customer::AddressNotSet,
            ));
        }
        let Some(instrument) = reference.instrument else {
            return Err(Refusal::new(
                PAYMENT_PLAN_NOT_SET,
                format!("PaymentPlanNotSet: no payment method chosen for order reference {}", reference.id),
                Customer::PaymentPlanNotSet,
            ));
        };
        // Amazon's order reference constraints (ConstraintsExist): the instruments that simulate them.
        if let Some(refused) = constraint_refusal(instrument.scenario, instrument.descriptor) {
            return Err(refused);
        }
        if reference.kind == AgreementType::BillingAgreement && !reference.consent {
            return Err(Refusal::new(
                UNSPECIFIED,
                format!("BuyerConsentNotSet: the buyer has not consented to billing agreement {}", reference.id),
                Customer::Generic,
            ));
        }
        if instrument.scenario == Scenario::SoftDecline {
            return Err(Refusal::new(
                INVALID_PAYMENT_METHOD,
                format!("InvalidPaymentMethod: {} was declined; let the buyer choose another one", instrument.descriptor),
                Customer::InvalidPaymentMethod,
            ));
        }
        self.amazon.update_order_reference(&reference.id, |r| {
            r.amount = Some(amount);
            r.confirmed = true;
        });
        self.amazon.set_confirmation_urls(&reference.id, &urls.success, &urls.error).map_err(amazon_refusal)?;
        Ok(PayoneResponse::builder().with("status", "OK").with("workorderid", workorder_id))
    }

    /// `cancelorderreference`: no authorization is possible afterwards.
    pub(super) fn cancel_order_reference(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let reference = self.order_reference(req, false)?;
        let workorder_id = self.cv1_workorder_for(req, &reference.id)?;
        self.cancel_reference(&reference.id);
        Ok(PayoneResponse::builder().with("status", "OK").with("workorderid", workorder_id))
    }

    /// Marks every workorder of `reference_id` canceled: no authorization is possible afterwards.
    pub(super) fn cancel_reference(&self, reference_id: &str) {
        let mut state = self.lock();
        for w in state.cv1_workorders.values_mut().filter(|w| w.amazon_reference_id.as_deref() == Some(reference_id)) {
            w.canceled = true;
        }
    }
}
