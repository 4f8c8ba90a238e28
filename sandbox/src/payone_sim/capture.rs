//! `capture` and `debit` (reference §7): each takes the next `sequencenumber` of its transaction and is followed
//! by notifications (`capture`, then `paid`; `debit`).

use super::auth::{Refusal, NOT_PROCESSED};
use super::messages::Customer;
use super::{money, need, AuthKind, PayoneSimulator, SimError, Transaction, TxState};
use payone_wire::{PayoneRequest, PayoneResponse};

impl PayoneSimulator {
    /// The transaction named by `txid` and the checked `sequencenumber` (the last one + 1).
    fn next_step(&self, req: &PayoneRequest) -> Result<(Transaction, u32), Refusal> {
        let txid = need(req, "txid")?;
        let tx = self.transaction(txid).ok_or_else(|| Refusal::param_because("txid", format!("no transaction {txid}")))?;
        let expected = tx.sequencenumber + 1;
        let sequence: u32 = need(req, "sequencenumber")?.trim().parse().map_err(|_| Refusal::param_because("sequencenumber", "not a number"))?;
        if sequence != expected {
            return Err(Refusal::param_because("sequencenumber", format!("expected {expected} for transaction {txid}, got {sequence}")));
        }
        if tx.state != TxState::Appointed {
            return Err(Refusal::new(
                NOT_PROCESSED,
                format!("Activity not processed: transaction {txid} is {:?}, not authorized", tx.state),
                Customer::Generic,
            ));
        }
        Ok((tx, sequence))
    }

    /// Sandbox scenario: from now on `action` (`capture` or `debit`) on transaction `txid` is refused (`on`)
    /// or accepted again, as when Amazon declines a capture or a refund.
    pub fn refuse(&self, txid: &str, action: &str, on: bool) -> Result<(), SimError> {
        let mut state = self.lock();
        let tx = state.transactions.get_mut(txid).ok_or_else(|| SimError::UnknownTransaction(txid.to_owned()))?;
        match action {
            "capture" => tx.refuse_capture = on,
            "debit" => tx.refuse_debit = on,
            other => return Err(SimError::UnknownAction(other.to_owned())),
        }
        Ok(())
    }

    /// The refusal of a capture or debit the scenario refuses.
    fn refused(tx: &Transaction, action: &str) -> Refusal {
        Refusal::new(
            NOT_PROCESSED,
            format!("Activity not processed: Amazon declined the {action} of transaction {} (sandbox scenario)", tx.txid),
            Customer::Generic,
        )
    }

    fn settleaccount(req: &PayoneRequest) -> &'static str {
        if req.get("settleaccount") == Some("no") {
            "no"
        } else {
            "yes"
        }
    }

    /// `capture` of a preauthorization: `APPROVED`, then notifications `capture` and (later) `paid`. An amount
    /// of 0 with `capturemode=completed` takes nothing and closes the transaction: it releases the rest of
    /// the reservation (the void of PAYONE's Server API); `capture` follows, `paid` does not.
    pub(super) fn capture(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let (tx, sequence) = self.next_step(req)?;
        if tx.refuse_capture {
            return Err(Self::refused(&tx, "capture"));
        }
        let last = req.get("capturemode") == Some("completed");
        let amount = money(req, !last)?;
        if amount.minor < 0 {
            return Err(Refusal::param_because("amount", "must not be negative (a refund is a debit)"));
        }
        if tx.kind != AuthKind::Preauthorization {
            return Err(Refusal::new(
                NOT_PROCESSED,
                format!("Activity not processed: transaction {} is an authorization and was captured with it", tx.txid),
                Customer::Generic,
            ));
        }
        if tx.capture_closed {
            return Err(Refusal::new(
                NOT_PROCESSED,
                format!("Activity not processed: transaction {} had its final capture (capturemode=completed)", tx.txid),
                Customer::Generic,
            ));
        }
        if amount.currency != tx.amount.currency || tx.captured + amount.minor > tx.amount.minor {
            return Err(Refusal::param_because("amount", format!("exceeds what is left of the authorized {}", tx.amount)));
        }
        let first = self.notify(&tx.txid, |t| {
            t.sequencenumber = sequence;
            t.captured += amount.minor;
            t.receivable += amount.minor;
            t.capture_closed = last;
            ("capture", "completed", sequence, None)
        });
        drop(first);
        if amount.minor > 0 {
            let txid = tx.txid.clone();
            self.later(move |sim| sim.pay(&txid, Some(amount.minor), sequence));
        }
        Ok(PayoneResponse::builder().with("status", "APPROVED").with("txid", &tx.txid).with("settleaccount", Self::settleaccount(req)))
    }

    /// `debit` (refund): a negative amount, at most what was captured; `APPROVED`, then notification `debit`.
    pub(super) fn debit(&self, req: &PayoneRequest) -> Result<PayoneResponse, Refusal> {
        let (tx, sequence) = self.next_step(req)?;
        if tx.refuse_debit {
            return Err(Self::refused(&tx, "debit"));
        }
        let amount = money(req, false)?;
        if amount.minor >= 0 {
            return Err(Refusal::param_because("amount", "a debit (refund) amount is negative, e.g. -1000"));
        }
        if amount.currency != tx.amount.currency || -amount.minor > tx.receivable {
            return Err(Refusal::param_because("amount", format!("refunds more than the {} captured", amount_text(tx.receivable, &tx))));
        }
        drop(self.notify(&tx.txid, |t| {
            t.sequencenumber = sequence;
            t.receivable += amount.minor;
            ("debit", "completed", sequence, None)
        }));
        Ok(PayoneResponse::builder().with("status", "APPROVED").with("txid", &tx.txid).with("settleaccount", Self::settleaccount(req)))
    }
}

fn amount_text(minor: i64, tx: &Transaction) -> String {
    amazon_pay_contract::Money::new(minor, tx.amount.currency).to_string()
}

/// `POST /sandbox/payone/transactions/{txid}/refuse/{capture|debit}[?on=false]`: the sandbox scenario
/// "Amazon refuses the capture (or the refund)" for one transaction, for testers and the harness.
pub(crate) async fn refuse_route(
    axum::extract::State(payone): axum::extract::State<PayoneSimulator>,
    axum::extract::Path((txid, action)): axum::extract::Path<(String, String)>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let on = query.get("on").map(String::as_str) != Some("false");
    match payone.refuse(&txid, &action, on) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(err @ SimError::UnknownTransaction(_)) => (StatusCode::NOT_FOUND, err.to_string()).into_response(),
        Err(err) => (StatusCode::BAD_REQUEST, err.to_string()).into_response(),
    }
}
