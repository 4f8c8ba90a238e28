//! `GET /sandbox/payone/transactions?workorderid=W`: the transactions the simulator opened, as PAYONE's own
//! books would show them. Not PAYONE: a tester's view that counts authorizations on PAYONE's side, so a test
//! can tell "two authorizations reached PAYONE" even when the server that sent one died before storing it.

use super::{AuthKind, PayoneSimulator, TxState};
use axum::extract::{Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

/// One opened transaction, without the buyer's personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LedgerEntry {
    /// PAYONE's transaction id.
    pub txid: String,
    /// The checkout it belongs to (`workorderid`; empty for CV1).
    pub workorder_id: String,
    /// The merchant's `reference` (the server's order id).
    pub reference: String,
    /// Preauthorization or authorization.
    pub kind: AuthKind,
    /// Where it stands.
    pub state: TxState,
}

impl PayoneSimulator {
    /// Every transaction opened for `workorder_id` (all, when `None`), oldest first by txid.
    pub fn ledger(&self, workorder_id: Option<&str>) -> Vec<LedgerEntry> {
        let mut entries: Vec<LedgerEntry> = self
            .lock()
            .transactions
            .values()
            .filter(|tx| workorder_id.is_none_or(|w| tx.workorder_id == w))
            .map(|tx| LedgerEntry {
                txid: tx.txid.clone(),
                workorder_id: tx.workorder_id.clone(),
                reference: tx.reference.clone(),
                kind: tx.kind,
                state: tx.state,
            })
            .collect();
        entries.sort_by(|a, b| a.txid.cmp(&b.txid));
        entries
    }
}

/// Filter of `GET /sandbox/payone/transactions`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct LedgerQuery {
    workorderid: Option<String>,
}

/// `GET /sandbox/payone/transactions[?workorderid=W]`.
pub(crate) async fn transactions(State(payone): State<PayoneSimulator>, Query(query): Query<LedgerQuery>) -> Json<Vec<LedgerEntry>> {
    Json(payone.ledger(query.workorderid.as_deref()))
}
