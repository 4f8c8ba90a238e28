//! Amazon Pay API v2 objects in the sandbox and their transitions: checkout sessions (Open → Completed |
//! Canceled), charge permissions (Chargeable → Closed), charges (AuthorizationInitiated → Authorized →
//! Captured, or Declined / Canceled) and refunds (RefundInitiated → Refunded | Declined). Pending states settle
//! when their time has come, checked on every read, so nothing depends on a timer having fired.
//!
//! The buyer's account, address and instrument live in [`crate::amazon::AmazonSandbox`] (the hosted pages set
//! them); this store keeps what the API adds on top, under the same checkout session id.

use amazon_pay_v2::models::{
    ChargePermissionState, ChargeState, CheckoutSessionState, MerchantMetadata, PaymentDetails, PaymentIntent, Price, RefundState, WebCheckoutDetails,
};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use crate::scenario::Scenario;

/// An API error as Amazon sends it: status, `reasonCode`, `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// Amazon's reasonCode.
    pub reason_code: &'static str,
    /// Explanation.
    pub message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, reason_code: &'static str, message: impl Into<String>) -> Self {
        Self { status, reason_code, message: message.into() }
    }
    pub(crate) fn not_found(kind: &str, id: &str) -> Self {
        Self::new(404, "ResourceNotFound", format!("{kind} '{id}' does not exist"))
    }
}

/// What the buyer's visit to `amazonPayRedirectUrl` ended with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processing {
    /// Not visited yet.
    NotYet,
    /// The payment may be completed.
    Ready,
}

/// The API's part of a checkout session.
#[derive(Debug, Clone)]
pub struct V2Session {
    /// Id.
    pub id: String,
    /// The public key id that opened it (the merchant).
    pub store_id: Option<String>,
    /// URLs.
    pub web: WebCheckoutDetails,
    /// Amount and intent (Update).
    pub payment_details: PaymentDetails,
    /// Reference (Update).
    pub merchant_metadata: MerchantMetadata,
    /// State (Open until completed or canceled).
    pub state: CheckoutSessionState,
    /// Why it was canceled: (reasonCode, description).
    pub reason: Option<(String, String)>,
    /// The buyer's visit to amazonPayRedirectUrl.
    pub processing: Processing,
    /// Set on completion.
    pub charge_permission_id: Option<String>,
    /// Set on completion.
    pub charge_id: Option<String>,
    /// `PayAndShip` or `PayOnly`.
    pub product_type: String,
}

/// A charge.
#[derive(Debug, Clone)]
pub struct ChargeRec {
    /// Id.
    pub id: String,
    /// Its permission.
    pub permission_id: String,
    /// Authorized amount.
    pub amount: Price,
    /// Captured amount.
    pub captured: Option<Price>,
    /// Refunded so far (minor units).
    pub refunded_minor: u64,
    /// State.
    pub state: ChargeState,
    /// (reasonCode, description) of the last change.
    pub reason: Option<(String, String)>,
    /// When a pending authorization settles, and into what.
    pub pending: Option<(SystemTime, ChargeState)>,
    /// Capture as soon as authorized (AuthorizeWithCapture).
    pub capture_on_auth: bool,
    /// Created.
    pub created: SystemTime,
}

/// A charge permission.
#[derive(Debug, Clone)]
pub struct PermissionRec {
    /// Id.
    pub id: String,
    /// The session it came from.
    pub session_id: String,
    /// State.
    pub state: ChargePermissionState,
    /// (reasonCode, description).
    pub reason: Option<(String, String)>,
}

/// A refund.
#[derive(Debug, Clone)]
pub struct RefundRec {
    /// Id.
    pub id: String,
    /// The refunded charge.
    pub charge_id: String,
    /// Amount.
    pub amount: Price,
    /// State.
    pub state: RefundState,
    /// When it settles.
    pub settles_at: SystemTime,
    /// Created.
    pub created: SystemTime,
}

/// A state change to notify the merchant of (Amazon's IPN `ObjectType`/`ObjectId`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// `CHARGE`, `REFUND` or `CHARGE_PERMISSION`.
    pub object_type: &'static str,
    /// Its id.
    pub object_id: String,
    /// The charge permission it belongs to.
    pub charge_permission_id: String,
}

/// Everything the API keeps.
#[derive(Default)]
pub struct Store {
    /// Sessions by id.
    pub sessions: HashMap<String, V2Session>,
    /// Charges by id.
    pub charges: HashMap<String, ChargeRec>,
    /// Permissions by id.
    pub permissions: HashMap<String, PermissionRec>,
    /// Refunds by id.
    pub refunds: HashMap<String, RefundRec>,
    /// POST replays: (key id, idempotency key) → (request fingerprint, status, body).
    pub idempotency: HashMap<(String, String), (String, u16, String)>,
}

/// Ids shaped like Amazon's (`S02-1234567-1234567`, `P02-…`, `R02-…`); `prefix` is S, P or R.
pub fn amazon_id(prefix: char, rest: Option<&str>) -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    let base =
        rest.map(str::to_owned).unwrap_or_else(|| format!("{:07}-{:07}", rng.random_range(0..10_000_000u32), rng.random_range(0..10_000_000u32)));
    format!("{prefix}02-{base}")
}

impl Store {
    /// Moves every pending charge and refund whose time has come; returns what changed.
    pub fn settle(&mut self, now: SystemTime) -> Vec<Change> {
        let mut changes = Vec::new();
        for charge in self.charges.values_mut() {
            if let Some((when, outcome)) = charge.pending {
                if when <= now {
                    charge.pending = None;
                    charge.state = outcome;
                    if outcome == ChargeState::Authorized && charge.capture_on_auth {
                        charge.state = ChargeState::Captured;
                        charge.captured = Some(charge.amount.clone());
                    }
                    if outcome == ChargeState::Declined {
                        charge.reason = Some(("Declined".into(), "The authorization was declined.".into()));
                        if let Some(p) = self.permissions.get_mut(&charge.permission_id) {
                            p.state = ChargePermissionState::NonChargeable;
                        }
                    }
                    changes.push(Change { object_type: "CHARGE", object_id: charge.id.clone(), charge_permission_id: charge.permission_id.clone() });
                }
            }
        }
        for refund in self.refunds.values_mut() {
            if refund.state == RefundState::RefundInitiated && refund.settles_at <= now {
                refund.state = RefundState::Refunded;
                let permission = self.charges.get(&refund.charge_id).map(|c| c.permission_id.clone()).unwrap_or_default();
                changes.push(Change { object_type: "REFUND", object_id: refund.id.clone(), charge_permission_id: permission });
            }
        }
        changes
    }

    /// Complete Checkout Session: creates the permission and (per intent and scenario) the charge.
    pub fn complete(
        &mut self,
        session_id: &str,
        charge_amount: &Price,
        scenario: Scenario,
        now: SystemTime,
        settle_delay: Duration,
    ) -> Result<(u16, Vec<Change>), ApiError> {
        let session = self.sessions.get(session_id).ok_or_else(|| ApiError::not_found("CheckoutSession", session_id))?;
        match session.state {
            CheckoutSessionState::Completed => return Ok((200, Vec::new())),
            CheckoutSessionState::Canceled => {
                let (code, _) = session.reason.clone().unwrap_or_default();
                return Err(ApiError::new(422, "CheckoutSessionCanceled", format!("The checkout session was canceled ({code}).")));
            }
            _ => {}
        }
        if session.processing != Processing::Ready {
            return Err(ApiError::new(
                422,
                "InvalidCheckoutSessionStatus",
                "The buyer has not been redirected to amazonPayRedirectUrl yet; redirect the buyer before completing.",
            ));
        }
        let expected = session.payment_details.charge_amount.clone();
        if expected.as_ref() != Some(charge_amount) {
            return Err(ApiError::new(400, "InvalidParameterValue", "chargeAmount does not match the chargeAmount of the checkout session."));
        }
        let intent = session.payment_details.payment_intent.unwrap_or(PaymentIntent::Authorize);
        let can_pend = session.payment_details.can_handle_pending_authorization == Some(true);
        let permission_id = amazon_id('P', None);
        let suffix = permission_id.trim_start_matches("P02-").to_owned();
        self.permissions.insert(
            permission_id.clone(),
            PermissionRec { id: permission_id.clone(), session_id: session_id.into(), state: ChargePermissionState::Chargeable, reason: None },
        );
        let mut charge_id = None;
        let mut status = 200;
        let mut changes = Vec::new();
        if intent != PaymentIntent::Confirm {
            let id = amazon_id('S', Some(&format!("{suffix}-C00001")));
            let capture = intent == PaymentIntent::AuthorizeWithCapture;
            let pending = matches!(scenario, Scenario::PendingThenPaid | Scenario::PendingThenFailed);
            let outcome = if scenario == Scenario::PendingThenFailed { ChargeState::Declined } else { ChargeState::Authorized };
            let mut charge = ChargeRec {
                id: id.clone(),
                permission_id: permission_id.clone(),
                amount: charge_amount.clone(),
                captured: None,
                refunded_minor: 0,
                state: ChargeState::AuthorizationInitiated,
                reason: None,
                pending: None,
                capture_on_auth: capture,
                created: now,
            };
            if pending && can_pend {
                charge.pending = Some((now + settle_delay, outcome));
                status = 202;
            } else {
                charge.pending = Some((now, outcome));
            }
            self.charges.insert(id.clone(), charge);
            changes.extend(self.settle(now));
            charge_id = Some(id);
        }
        if let Some(s) = self.sessions.get_mut(session_id) {
            s.state = CheckoutSessionState::Completed;
            s.charge_permission_id = Some(permission_id);
            s.charge_id = charge_id;
        }
        Ok((status, changes))
    }

    /// Capture Charge: once per charge, up to its authorized amount.
    pub fn capture(&mut self, id: &str, amount: &Price) -> Result<Vec<Change>, ApiError> {
        let charge = self.charges.get_mut(id).ok_or_else(|| ApiError::not_found("Charge", id))?;
        // Amazon captures a charge once (a repeat with the same idempotency key gets the first answer: `api.rs`);
        // a further capture needs a new charge on the charge permission.
        if charge.state != ChargeState::Authorized {
            return Err(ApiError::new(422, "InvalidChargeStatus", format!("You cannot capture a Charge in the {:?} state.", charge.state)));
        }
        if amount.currency_code != charge.amount.currency_code {
            return Err(ApiError::new(400, "CurrencyMismatch", "captureAmount's currency differs from the charge's."));
        }
        match (amount.to_minor(), charge.amount.to_minor()) {
            (Some(a), Some(max)) if a > 0 && a <= max => {}
            (Some(_), Some(_)) => return Err(ApiError::new(400, "TransactionAmountExceeded", "captureAmount exceeds the authorized amount.")),
            _ => return Err(ApiError::new(400, "InvalidParameterValue", "captureAmount.amount is not a valid amount.")),
        }
        charge.state = ChargeState::Captured;
        charge.captured = Some(amount.clone());
        Ok(vec![Change { object_type: "CHARGE", object_id: id.into(), charge_permission_id: charge.permission_id.clone() }])
    }

    /// Cancel Charge.
    pub fn cancel_charge(&mut self, id: &str, reason: Option<String>) -> Result<Vec<Change>, ApiError> {
        let charge = self.charges.get_mut(id).ok_or_else(|| ApiError::not_found("Charge", id))?;
        match charge.state {
            ChargeState::Canceled => return Ok(Vec::new()),
            ChargeState::Authorized | ChargeState::AuthorizationInitiated => {}
            other => return Err(ApiError::new(422, "InvalidChargeStatus", format!("You cannot cancel a Charge in the {other:?} state."))),
        }
        charge.state = ChargeState::Canceled;
        charge.pending = None;
        charge.reason = Some(("MerchantCanceled".into(), reason.unwrap_or_default()));
        Ok(vec![Change { object_type: "CHARGE", object_id: id.into(), charge_permission_id: charge.permission_id.clone() }])
    }

    /// Create Refund.
    pub fn refund(&mut self, charge_id: &str, amount: &Price, now: SystemTime, delay: Duration) -> Result<(String, Vec<Change>), ApiError> {
        let charge = self.charges.get_mut(charge_id).ok_or_else(|| ApiError::not_found("Charge", charge_id))?;
        if charge.state != ChargeState::Captured {
            return Err(ApiError::new(422, "InvalidChargeStatus", format!("You cannot refund a Charge in the {:?} state.", charge.state)));
        }
        if amount.currency_code != charge.amount.currency_code {
            return Err(ApiError::new(400, "CurrencyMismatch", "refundAmount's currency differs from the charge's."));
        }
        let captured = charge.captured.as_ref().and_then(Price::to_minor).unwrap_or(0);
        let minor = amount
            .to_minor()
            .filter(|m| *m > 0)
            .ok_or_else(|| ApiError::new(400, "InvalidParameterValue", "refundAmount.amount is not a valid amount."))?;
        if charge.refunded_minor + minor > captured {
            return Err(ApiError::new(400, "TransactionAmountExceeded", "The refund would exceed the captured amount."));
        }
        charge.refunded_minor += minor;
        let id = format!("{}-R{:05}", charge_id.replacen("S02", "R02", 1), self.refunds.len() + 1);
        self.refunds.insert(
            id.clone(),
            RefundRec {
                id: id.clone(),
                charge_id: charge_id.into(),
                amount: amount.clone(),
                state: RefundState::RefundInitiated,
                settles_at: now + delay,
                created: now,
            },
        );
        let changes = self.settle(now);
        Ok((id, changes))
    }

    /// Amazon declines refund `id` it had accepted (the tester's control, `POST /sandbox/amazon/refunds/{id}/decline`):
    /// only a refund still `RefundInitiated`; the charge may be refunded that amount again.
    pub fn decline_refund(&mut self, id: &str) -> Result<Vec<Change>, ApiError> {
        let refund = self.refunds.get_mut(id).ok_or_else(|| ApiError::not_found("Refund", id))?;
        if refund.state != RefundState::RefundInitiated {
            return Err(ApiError::new(
                422,
                "InvalidRefundStatus",
                format!("Refund '{id}' is {:?}; only a RefundInitiated refund can be declined.", refund.state),
            ));
        }
        refund.state = RefundState::Declined;
        let (charge_id, minor) = (refund.charge_id.clone(), refund.amount.to_minor().unwrap_or(0));
        let permission = match self.charges.get_mut(&charge_id) {
            Some(charge) => {
                charge.refunded_minor = charge.refunded_minor.saturating_sub(minor);
                charge.permission_id.clone()
            }
            None => String::new(),
        };
        Ok(vec![Change { object_type: "REFUND", object_id: id.into(), charge_permission_id: permission }])
    }

    /// Close Charge Permission (optionally canceling open charges).
    pub fn close(&mut self, id: &str, reason: Option<String>, cancel_pending: bool) -> Result<Vec<Change>, ApiError> {
        let permission = self.permissions.get_mut(id).ok_or_else(|| ApiError::not_found("ChargePermission", id))?;
        permission.state = ChargePermissionState::Closed;
        permission.reason = Some(("MerchantClosed".into(), reason.unwrap_or_default()));
        let mut changes = vec![Change { object_type: "CHARGE_PERMISSION", object_id: id.into(), charge_permission_id: id.into() }];
        if cancel_pending {
            let open: Vec<String> = self
                .charges
                .values()
                .filter(|c| c.permission_id == id && matches!(c.state, ChargeState::Authorized | ChargeState::AuthorizationInitiated))
                .map(|c| c.id.clone())
                .collect();
            for c in open {
                changes.extend(self.cancel_charge(&c, Some("Charge permission closed".into()))?);
            }
        }
        Ok(changes)
    }
}
