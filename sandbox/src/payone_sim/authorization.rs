//! (Pre)authorization for Amazon Pay (reference §2.5, §4) and what follows it: the buyer's redirect through
//! Amazon's processing page, and the TransactionStatus notifications the scenario calls for (§5).
//!
//! | Scenario | express AMP answer | after the redirect |
//! |---|---|---|
//! | approved, MFA passed | `REDIRECT` | `appointed` (completed); `paid` later for `authorization` |
//! | pending then paid / failed | `REDIRECT` | `appointed` (pending, reasoncode 903); later `appointed` + `paid` / `failed` |
//! | MFA abandoned | `REDIRECT` | errorurl, no notification |
//! | 981 / 982 / 980 / 983 / 984 / 985 | `ERROR` | – |
//! | session expired | `ERROR` 101 | – |
//! | upstream timeout / garbage | held request / HTML page | – |

use super::auth::{
    Refusal, AMAZON_REJECTED, BUYER_EQUALS_SELLER, DUPLICATE_REFERENCE, INVALID_PAYMENT_METHOD, PAYMENT_METHOD_NOT_ALLOWED, PAYMENT_PLAN_NOT_SET,
    PROCESSING_FAILURE, SESSION_EXPIRED, TRANSACTION_TIMED_OUT, UNSPECIFIED,
};
use super::messages::Customer;
use super::{
    money, need, personal_data, random_digits, reference, return_urls, unix_now, Answer, AuthKind, MfaOutcome, PayoneSimulator, ReturnUrls, SimError,
    Transaction, TxState, Workorder,
};
use crate::amazon::{SessionState, SANDBOX_CLIENT_ID};
use crate::scenario::Scenario;
use amazon_pay_contract::Money;
use payone_wire::{notification_key, PayoneRequest, PayoneResponse};
use serde_json::json;
use std::time::SystemTime;
use tokio::sync::oneshot;

/// Amazon's processing page (served by the fake hosted pages); `REDIRECT` answers point there.
pub(super) const PROCESS_PATH: &str = "/sandbox/amazon/checkout/process";

/// `reasoncode` of `appointed` with `transaction_status=pending` when Amazon decides later (the docs' example).
pub(super) const PENDING_REASON: &str = "903";
/// `reasoncode` of the asynchronous soft decline (CV1 with `amazon_timeout=1440`): the buyer must pick another
/// instrument (§5.2).
pub(super) const SOFT_DECLINE_REASON: &str = "981";

/// What the processing page leads to.
enum Finish {
    /// Finished before: the same address again, nothing sent twice.
    Again(String),
    Approve(String),
    Pending {
        url: String,
        succeed: bool,
    },
    /// Abandoned or declined: the buyer goes to the errorurl, no notification.
    Leave(String),
}

fn refusal_for(scenario: Scenario, descriptor: &str) -> Option<Refusal> {
    match scenario {
        Scenario::SoftDecline => Some(Refusal::new(
            INVALID_PAYMENT_METHOD,
            format!("InvalidPaymentMethod: Amazon declined {descriptor}; the buyer may choose another payment method"),
            Customer::InvalidPaymentMethod,
        )),
        Scenario::HardDecline => {
            Some(Refusal::new(AMAZON_REJECTED, format!("AmazonRejected: Amazon rejected the payment with {descriptor}"), Customer::Rejected))
        }
        Scenario::TransactionTimedOut => Some(timed_out()),
        Scenario::ProcessingFailure => Some(Refusal::new(
            PROCESSING_FAILURE,
            format!("ProcessingFailure: Amazon could not process the payment with {descriptor}"),
            Customer::ProcessingFailure,
        )),
        Scenario::BuyerEqualsSeller | Scenario::PaymentMethodNotAllowed => constraint_refusal(scenario, descriptor),
        _ => None,
    }
}

/// Amazon's order reference constraints the instruments simulate (reference §6: 984, 985). They hold whatever
/// the timeout: Amazon refuses at once, at `confirmorderreference` as at the authorization.
pub(super) fn constraint_refusal(scenario: Scenario, descriptor: &str) -> Option<Refusal> {
    match scenario {
        Scenario::BuyerEqualsSeller => Some(Refusal::new(
            BUYER_EQUALS_SELLER,
            format!("BuyerEqualsSeller: the buyer paying with {descriptor} is the seller's own Amazon account"),
            Customer::BuyerEqualsSeller,
        )),
        Scenario::PaymentMethodNotAllowed => Some(Refusal::new(
            PAYMENT_METHOD_NOT_ALLOWED,
            format!("PaymentMethodNotAllowed: {descriptor} is not allowed for this order reference"),
            Customer::PaymentMethodNotAllowed,
        )),
        _ => None,
    }
}

fn timed_out() -> Refusal {
    Refusal::new(TRANSACTION_TIMED_OUT, "TransactionTimedOut: Amazon could not decide in time", Customer::TimedOut)
}

/// `add_paydata[amazon_timeout]`: 0 is synchronous, anything else (Amazon's default 1440) asynchronous.
fn is_synchronous(req: &PayoneRequest) -> Result<bool, Refusal> {
    match req.get("add_paydata[amazon_timeout]").filter(|t| !t.is_empty()) {
        None => Ok(false),
        Some(t) => t
            .trim()
            .parse::<u32>()
            .map(|minutes| minutes == 0)
            .map_err(|_| Refusal::param_because("add_paydata[amazon_timeout]", "minutes: 0 (synchronous) or 1440")),
    }
}

impl PayoneSimulator {
    fn redirect_url(&self, txid: &str) -> String {
        format!("{}{PROCESS_PATH}?txid={txid}", self.setup.public_url)
    }

    fn reference_unused(&self, reference: &str) -> Result<(), Refusal> {
        if self.lock().references.contains(reference) {
            return Err(Refusal::new(DUPLICATE_REFERENCE, format!("Reference number already exists: {reference}"), Customer::Generic));
        }
        Ok(())
    }

    /// A transaction with the request's common fields; `open` gives it its txid.
    fn draft(
        &self,
        req: &PayoneRequest,
        kind: AuthKind,
        wallettype: &'static str,
        workorder_id: &str,
        amount: Money,
        reference: String,
    ) -> Transaction {
        Transaction {
            txid: String::new(),
            userid: random_digits(9),
            kind,
            wallettype,
            workorder_id: workorder_id.to_owned(),
            checkout_session_id: None,
            amazon_reference_id: None,
            reference,
            amount,
            mode: req.get("mode").unwrap_or("test").to_owned(),
            param: req.get("param").filter(|p| !p.is_empty()).map(str::to_owned),
            urls: ReturnUrls::default(),
            scenario: None,
            state: TxState::AwaitingBuyer,
            sequencenumber: 0,
            receivable: 0,
            paid: 0,
            captured: 0,
            capture_closed: false,
            refuse_capture: false,
            refuse_debit: false,
            txtime: unix_now(),
            personal: Vec::new(),
            finished_url: None,
        }
    }

    /// Stores `tx` under a new txid; the reference check and the insert happen under one lock.
    fn open(&self, mut tx: Transaction) -> Result<Transaction, Refusal> {
        let mut state = self.lock();
        if !state.references.insert(tx.reference.clone()) {
            return Err(Refusal::new(DUPLICATE_REFERENCE, format!("Reference number already exists: {}", tx.reference), Customer::Generic));
        }
        tx.txid = loop {
            let txid = random_digits(9);
            if !state.transactions.contains_key(&txid) {
                break txid;
            }
        };
        state.transactions.insert(tx.txid.clone(), tx.clone());
        Ok(tx)
    }

    /// (Pre)authorization with `wallettype=AMP`: express (with `workorderid`) or APB (`checkoutMode=ProcessOrder`).
    pub(super) fn authorize_amp(&self, req: &PayoneRequest, kind: AuthKind, sign: &dyn Fn(&str) -> String) -> Result<Answer, Refusal> {
        if req.get("add_paydata[checkoutMode]") == Some("ProcessOrder") {
            return self.authorize_apb(req, kind, sign);
        }
        if req.get("workorderid").is_none_or(str::is_empty) {
            return Err(Refusal::param_because(
                "workorderid",
                "express checkout needs the workorderid of createCheckoutSessionPayload (APB sends add_paydata[checkoutMode]=ProcessOrder)",
            ));
        }
        let workorder = self.cv2_workorder(req)?;
        let amount = money(req, true)?;
        if amount.minor > workorder.amount.minor {
            return Err(Refusal::param_because(
                "amount",
                format!("exceeds the checkout session's {}; call updateCheckoutSession first", workorder.amount),
            ));
        }
        let reference = reference(req)?;
        let urls = return_urls(req)?;
        let session = self.live_session(&workorder)?;
        let (Some(instrument), SessionState::Selected) = (session.instrument, session.state) else {
            if session.state == SessionState::Completed {
                return Err(Refusal::param_because("workorderid", format!("checkout session {} is already completed", session.id)));
            }
            return Err(Self::not_finished(&session));
        };
        if session.pay_only {
            // As for APB (PAYONE's APB page): an address with digital goods is an error.
            if let Some((field, _)) = req.params().iter().find(|(k, v)| k.starts_with("shipping_") && !v.is_empty()) {
                return Err(Refusal::param_because(field, "must be omitted for productType PayOnly (digital goods)"));
            }
        }
        self.reference_unused(&reference)?;
        match instrument.scenario {
            Scenario::UpstreamTimeout => return Ok(Answer::Hold(self.setup.timings.upstream_hold)),
            Scenario::UpstreamGarbage => return Ok(Answer::Garbage),
            scenario => {
                if let Some(refusal) = refusal_for(scenario, instrument.descriptor) {
                    if scenario == Scenario::HardDecline {
                        self.amazon.update_checkout_session(&session.id, |s| s.state = SessionState::Canceled);
                    }
                    return Err(refusal);
                }
            }
        }
        let mut tx = self.draft(req, kind, "AMP", &workorder.id, amount, reference);
        tx.urls = urls;
        tx.checkout_session_id = Some(session.id.clone());
        tx.scenario = Some(instrument.scenario);
        tx.personal = personal_data(req, session.buyer, session.address);
        let tx = self.open(tx)?;
        // The processing page finds the session (and whether to ask for MFA) by txid.
        self.amazon.attach_transaction(&session.id, &tx.txid);
        Ok(Answer::Reply(
            PayoneResponse::builder()
                .with("status", "REDIRECT")
                .with("redirecturl", self.redirect_url(&tx.txid))
                .with("txid", &tx.txid)
                .with("userid", &tx.userid),
        ))
    }

    /// APB: the authorization opens the Amazon session itself and answers with the button's payload and signature.
    fn authorize_apb(&self, req: &PayoneRequest, kind: AuthKind, sign: &dyn Fn(&str) -> String) -> Result<Answer, Refusal> {
        let product_type = need(req, "add_paydata[productType]")?;
        let ships = match product_type {
            "PayAndShip" => true,
            "PayOnly" => false,
            _ => return Err(Refusal::param_because("add_paydata[productType]", "PayAndShip or PayOnly")),
        };
        let amount = money(req, true)?;
        let reference = reference(req)?;
        let urls = return_urls(req)?;
        if ships {
            // Amazon's ProcessOrder mode needs the whole shipping address and a phone number for physical goods.
            for field in ["shipping_lastname", "shipping_street", "shipping_zip", "shipping_city", "shipping_country", "telephonenumber"] {
                need(req, field).map_err(|_| Refusal::param_because(field, "required for APB with productType PayAndShip"))?;
            }
        } else if let Some((field, _)) = req.params().iter().find(|(k, v)| k.starts_with("shipping_") && !v.is_empty()) {
            return Err(Refusal::param_because(field, "must be omitted for productType PayOnly (digital goods)"));
        }
        self.reference_unused(&reference)?;

        let workorder_id = self.new_workorder_id();
        let session_id = self.amazon.create_checkout_session(&workorder_id, amount);
        let mut payload = json!({
            "webCheckoutDetails": {
                "checkoutResultReturnUrl": urls.success,
                "checkoutCancelUrl": urls.back,
                "checkoutMode": "ProcessOrder",
            },
            "storeId": SANDBOX_CLIENT_ID,
            "scopes": ["name", "email", "phoneNumber", "billingAddress"],
            "chargePermissionType": "OneTime",
            "paymentDetails": {
                "paymentIntent": if kind == AuthKind::Authorization { "AuthorizeWithCapture" } else { "Authorize" },
                "canHandlePendingAuthorization": true,
                "chargeAmount": { "amount": amount.decimal(), "currencyCode": amount.currency.code() },
                "totalOrderAmount": { "amount": amount.decimal(), "currencyCode": amount.currency.code() },
                "presentmentCurrency": amount.currency.code(),
            },
            "merchantMetadata": { "merchantReferenceId": workorder_id },
        });
        if ships {
            let get = |name: &str| req.get(name).unwrap_or_default();
            let name = format!("{} {}", get("shipping_firstname"), get("shipping_lastname")).trim().to_owned();
            payload["addressDetails"] = json!({
                "name": name,
                "addressLine1": get("shipping_street"),
                "postalCode": get("shipping_zip"),
                "city": get("shipping_city"),
                "countryCode": get("shipping_country"),
                "phoneNumber": get("telephonenumber"),
            });
        }
        let payload = payload.to_string();
        let signature = sign(&payload);

        let mut tx = self.draft(req, kind, "AMP", &workorder_id, amount, reference);
        tx.urls = urls.clone();
        tx.checkout_session_id = Some(session_id.clone());
        tx.personal = personal_data(req, None, None);
        let tx = self.open(tx)?;
        self.amazon.attach_transaction(&session_id, &tx.txid);
        let workorder = Workorder {
            id: workorder_id.clone(),
            amount,
            success_url: urls.success,
            error_url: urls.error,
            back_url: urls.back,
            amazon_checkout_session_id: session_id,
            apb: true,
        };
        self.lock().workorders.insert(workorder_id.clone(), workorder);
        Ok(Answer::Reply(
            PayoneResponse::builder()
                .with("status", "REDIRECT")
                .with("txid", &tx.txid)
                .with("userid", &tx.userid)
                .with("workorderid", workorder_id)
                .with("redirecturl", self.redirect_url(&tx.txid))
                .with("add_paydata[payload]", payload)
                .with("add_paydata[signature]", signature),
        ))
    }

    /// (Pre)authorization with `wallettype=AMZ` (CV1): synchronous (`amazon_timeout=0`: `APPROVED` or `ERROR`) or
    /// asynchronous (`PENDING`, the outcome follows as notifications).
    pub(super) fn authorize_amz(&self, req: &PayoneRequest, kind: AuthKind) -> Result<Answer, Refusal> {
        need(req, "workorderid")?;
        let order_reference = self.order_reference(req, false)?;
        let workorder_id = self.cv1_workorder_for(req, &order_reference.id)?;
        let amount = money(req, true)?;
        let reference = reference(req)?;
        let sync = is_synchronous(req)?;
        // CV1 authorizations need no return addresses (M1 sends them, the others do not).
        let urls = return_urls(req).unwrap_or_default();
        if self.is_canceled(&order_reference.id) {
            return Err(Refusal::new(
                UNSPECIFIED,
                format!("InvalidOrderReferenceStatus: order reference {} is canceled", order_reference.id),
                Customer::Generic,
            ));
        }
        if !order_reference.confirmed {
            return Err(Refusal::new(
                UNSPECIFIED,
                format!("InvalidOrderReferenceStatus: order reference {} is not confirmed (confirmorderreference first)", order_reference.id),
                Customer::Generic,
            ));
        }
        let Some(instrument) = order_reference.instrument else {
            return Err(Refusal::new(PAYMENT_PLAN_NOT_SET, "PaymentPlanNotSet: no payment method chosen", Customer::PaymentPlanNotSet));
        };
        self.reference_unused(&reference)?;
        let scenario = instrument.scenario;
        match scenario {
            Scenario::UpstreamTimeout => return Ok(Answer::Hold(self.setup.timings.upstream_hold)),
            Scenario::UpstreamGarbage => return Ok(Answer::Garbage),
            Scenario::SessionExpired => {
                return Err(Refusal::new(
                    SESSION_EXPIRED,
                    format!("order reference {} has expired: start a new checkout", order_reference.id),
                    Customer::SessionExpired,
                ))
            }
            _ => {}
        }
        if let Some(refused) = constraint_refusal(scenario, instrument.descriptor) {
            // A constraint, not a decision Amazon could take later: refused at once, also asynchronously.
            return Err(refused);
        }
        let approves = matches!(scenario, Scenario::Approved | Scenario::MfaPassed | Scenario::MfaAbandoned);
        if sync && !approves {
            // A synchronous authorization cannot wait for a pending decision: Amazon says TransactionTimedOut.
            let refused = refusal_for(scenario, instrument.descriptor).unwrap_or_else(timed_out);
            if refused.code == TRANSACTION_TIMED_OUT && req.get("add_paydata[cancel_on_timeout]") == Some("yes") {
                self.cancel_reference(&order_reference.id);
            }
            return Err(refused);
        }
        let mut tx = self.draft(req, kind, "AMZ", &workorder_id, amount, reference);
        tx.urls = urls;
        tx.amazon_reference_id = Some(order_reference.id.clone());
        tx.scenario = Some(scenario);
        tx.personal = personal_data(req, Some(order_reference.buyer), order_reference.address);
        tx.state = if sync { TxState::Appointed } else { TxState::Pending };
        let tx = self.open(tx)?;
        let status = if sync {
            drop(self.appoint(&tx.txid));
            "APPROVED"
        } else {
            let reason = if scenario == Scenario::SoftDecline { SOFT_DECLINE_REASON } else { PENDING_REASON };
            drop(self.appoint_pending(&tx.txid, reason));
            let succeed = matches!(scenario, Scenario::Approved | Scenario::MfaPassed | Scenario::MfaAbandoned | Scenario::PendingThenPaid);
            let txid = tx.txid.clone();
            self.later(move |sim| sim.settle(&txid, succeed));
            "PENDING"
        };
        Ok(Answer::Reply(PayoneResponse::builder().with("status", status).with("txid", &tx.txid).with("userid", &tx.userid)))
    }

    /// The processing page's last step. Sends `appointed` and waits for its first delivery attempt before
    /// answering (PAYONE notifies before the success redirect), schedules `paid`/`failed`, and returns where the
    /// buyer goes: successurl, or errorurl when MFA was abandoned or (APB) the instrument was declined.
    /// Calling it again returns the same address and sends nothing twice.
    pub async fn finish_redirect(&self, txid: &str, mfa: MfaOutcome) -> Result<String, SimError> {
        match self.decide_redirect(txid, mfa)? {
            Finish::Again(url) | Finish::Leave(url) => Ok(url),
            Finish::Approve(url) => {
                let _ = self.appoint(txid).await;
                Ok(url)
            }
            Finish::Pending { url, succeed } => {
                let _ = self.appoint_pending(txid, PENDING_REASON).await;
                let owned = txid.to_owned();
                self.later(move |sim| sim.settle(&owned, succeed));
                Ok(url)
            }
        }
    }

    /// Decides the redirect's outcome and records it, under one lock so that a second call cannot repeat it.
    fn decide_redirect(&self, txid: &str, mfa: MfaOutcome) -> Result<Finish, SimError> {
        let session_id = self.transaction(txid).ok_or_else(|| SimError::UnknownTransaction(txid.to_owned()))?.checkout_session_id;
        let session = session_id.as_deref().and_then(|id| self.amazon.checkout_session(id));
        let (finish, session_state) = {
            let mut state = self.lock();
            let tx = state.transactions.get_mut(txid).ok_or_else(|| SimError::UnknownTransaction(txid.to_owned()))?;
            if let Some(url) = &tx.finished_url {
                return Ok(Finish::Again(url.clone()));
            }
            if tx.state != TxState::AwaitingBuyer {
                return Err(SimError::NotAwaitingBuyer(txid.to_owned()));
            }
            let chosen = session.as_ref().filter(|s| s.state != SessionState::Open).and_then(|s| s.instrument).map(|i| i.scenario);
            let scenario = tx.scenario.or(chosen).ok_or_else(|| SimError::NoSelection(txid.to_owned()))?;
            let expired = session.as_ref().is_none_or(|s| s.is_expired(SystemTime::now()) || s.state == SessionState::Canceled);
            let abandoned = mfa == MfaOutcome::Abandoned || (mfa == MfaOutcome::NotAsked && scenario == Scenario::MfaAbandoned);
            let (finish, next, session_state) = if abandoned || expired || refusal_for(scenario, "").is_some() {
                (Finish::Leave(tx.urls.error.clone()), TxState::Abandoned, SessionState::Canceled)
            } else {
                match scenario {
                    Scenario::PendingThenPaid | Scenario::PendingThenFailed => (
                        Finish::Pending { url: tx.urls.success.clone(), succeed: scenario == Scenario::PendingThenPaid },
                        TxState::Pending,
                        SessionState::Completed,
                    ),
                    _ => (Finish::Approve(tx.urls.success.clone()), TxState::Appointed, SessionState::Completed),
                }
            };
            tx.scenario = Some(scenario);
            tx.state = next;
            tx.finished_url = Some(match &finish {
                Finish::Again(u) | Finish::Approve(u) | Finish::Leave(u) | Finish::Pending { url: u, .. } => u.clone(),
            });
            (finish, session_state)
        };
        if let Some(id) = session_id {
            self.amazon.update_checkout_session(&id, |s| s.state = session_state);
        }
        Ok(finish)
    }

    /// Runs `job` after the settle delay, in the background.
    pub(super) fn later(&self, job: impl FnOnce(&PayoneSimulator) + Send + 'static) {
        let sim = self.clone();
        let delay = self.setup.timings.settle_delay;
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                tokio::time::sleep(delay).await;
                job(&sim);
            });
        }
    }

    /// The notification fields of §5.2 for `tx` as it stands now, in the order PAYONE sends them: a real
    /// TransactionStatus body (kept as a fixture in academe/OmniPay-Payone) runs key, txaction, portalid, aid,
    /// clearingtype, notify_version, txtime, currency, userid, accessname, accesscode, param, mode, price, txid,
    /// reference, sequencenumber, the buyer's data, transaction_status, balance, receivable. `accessname`,
    /// `accesscode` (PAYONE Access products) and `param` are always there, empty when unused.
    pub(super) fn status_fields(
        &self,
        tx: &Transaction,
        txaction: &str,
        status: &str,
        sequence: u32,
        reasoncode: Option<&str>,
    ) -> Vec<(String, String)> {
        let config = &self.setup.config;
        let decimal = |minor: i64| Money::new(minor, tx.amount.currency).decimal();
        let mut fields: Vec<(String, String)> = vec![
            ("key".into(), notification_key(&config.key)),
            ("txaction".into(), txaction.into()),
            ("portalid".into(), config.portal_id.clone()),
            ("aid".into(), config.aid.clone()),
            ("clearingtype".into(), "wlt".into()),
            ("notify_version".into(), "7.6".into()),
            ("txtime".into(), tx.txtime.to_string()),
            ("currency".into(), tx.amount.currency.code().into()),
            ("userid".into(), tx.userid.clone()),
            ("accessname".into(), String::new()),
            ("accesscode".into(), String::new()),
            ("param".into(), tx.param.clone().unwrap_or_default()),
            ("mode".into(), tx.mode.clone()),
            ("price".into(), decimal(tx.amount.minor)),
            ("txid".into(), tx.txid.clone()),
            ("reference".into(), tx.reference.clone()),
            ("sequencenumber".into(), sequence.to_string()),
        ];
        if let Some(code) = reasoncode {
            fields.push(("reasoncode".into(), code.into()));
        }
        fields.extend(tx.personal.iter().cloned());
        fields.extend([
            ("transaction_status".into(), status.into()),
            ("balance".into(), decimal(tx.receivable - tx.paid)),
            ("receivable".into(), decimal(tx.receivable)),
        ]);
        fields
    }

    /// Sends a notification built from transaction `txid` after `change`; the receiver completes after the
    /// first delivery attempt.
    pub(super) fn notify(
        &self,
        txid: &str,
        change: impl FnOnce(&mut Transaction) -> (&'static str, &'static str, u32, Option<&'static str>),
    ) -> oneshot::Receiver<()> {
        let fields = {
            let mut state = self.lock();
            state.transactions.get_mut(txid).map(|tx| {
                let (txaction, status, sequence, reason) = change(tx);
                self.status_fields(tx, txaction, status, sequence, reason)
            })
        };
        match fields {
            Some(fields) => self.notifier.send(fields),
            None => {
                let (done, rx) = oneshot::channel();
                let _ = done.send(());
                rx
            }
        }
    }

    /// Authorized: `appointed` (completed). An `authorization` is captured at once, so `paid` follows later.
    pub(super) fn appoint(&self, txid: &str) -> oneshot::Receiver<()> {
        let mut kind = AuthKind::Preauthorization;
        let first = self.notify(txid, |tx| {
            tx.state = TxState::Appointed;
            kind = tx.kind;
            if tx.kind == AuthKind::Authorization {
                tx.receivable = tx.amount.minor;
                tx.captured = tx.amount.minor;
            }
            ("appointed", "completed", 0, None)
        });
        if kind == AuthKind::Authorization {
            let owned = txid.to_owned();
            self.later(move |sim| sim.pay(&owned, None, 0));
        }
        first
    }

    /// Amazon decides later: `appointed` with `transaction_status=pending` and `reason`.
    pub(super) fn appoint_pending(&self, txid: &str, reason: &'static str) -> oneshot::Receiver<()> {
        self.notify(txid, |tx| {
            tx.state = TxState::Pending;
            ("appointed", "pending", 0, Some(reason))
        })
    }

    /// The pending decision: approved (`appointed` completed, `paid` for an authorization) or `failed`.
    pub(super) fn settle(&self, txid: &str, succeed: bool) {
        if self.transaction(txid).map(|t| t.state) != Some(TxState::Pending) {
            return;
        }
        if succeed {
            drop(self.appoint(txid));
        } else {
            drop(self.notify(txid, |tx| {
                tx.state = TxState::Failed;
                tx.receivable = 0;
                ("failed", "completed", tx.sequencenumber, None)
            }));
        }
    }

    /// The buyer's money arrived: `paid` for `amount` (all that is outstanding when `None`).
    pub(super) fn pay(&self, txid: &str, amount: Option<i64>, sequence: u32) {
        drop(self.notify(txid, |tx| {
            let outstanding = (tx.receivable - tx.paid).max(0);
            tx.paid += amount.unwrap_or(outstanding).min(outstanding);
            ("paid", "completed", sequence, None)
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_timeout_zero_is_synchronous() {
        let mut req = PayoneRequest::new("authorization");
        assert_eq!(is_synchronous(&req), Ok(false), "Amazon's default is 1440 minutes");
        req.set("add_paydata[amazon_timeout]", "0");
        assert_eq!(is_synchronous(&req), Ok(true));
        req.set("add_paydata[amazon_timeout]", "1440");
        assert_eq!(is_synchronous(&req), Ok(false));
        req.set("add_paydata[amazon_timeout]", "soon");
        assert_eq!(is_synchronous(&req).unwrap_err().code, 1016);
    }

    #[test]
    fn only_the_decline_scenarios_refuse() {
        let codes: Vec<(Scenario, u32)> =
            crate::scenario::INSTRUMENTS.iter().filter_map(|i| refusal_for(i.scenario, i.descriptor).map(|r| (i.scenario, r.code))).collect();
        assert_eq!(
            codes,
            [
                (Scenario::SoftDecline, 981),
                (Scenario::HardDecline, 982),
                (Scenario::TransactionTimedOut, 980),
                (Scenario::ProcessingFailure, 983),
                (Scenario::BuyerEqualsSeller, 984),
                (Scenario::PaymentMethodNotAllowed, 985),
            ]
        );
    }
}
