//! Every Amazon Pay call of the handlers, recorded in the store like PAYONE's (the answer, or the error with
//! Amazon's reasonCode) and counted for the metrics.

use crate::state::AppState;
use crate::store::UpstreamCall;
use amazon_pay_v2::Error;
use serde::Serialize;
use std::future::Future;

/// Runs `call` (Amazon Pay action `action` on `subject`, an id), records the exchange, and returns its result.
/// A failure to record is logged, not returned: the call happened, and its answer matters more.
pub(super) async fn recorded<T: Serialize>(
    state: &AppState,
    action: &str,
    subject: &str,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let started = std::time::Instant::now();
    let result = call.await;
    let (answer, outcome) = match &result {
        Ok(answer) => (serde_json::to_string(answer).unwrap_or_default(), "ok".to_owned()),
        Err(err) => (String::new(), err.reason_code().map_or_else(|| err.to_string(), str::to_owned)),
    };
    let label = if result.is_ok() { "ok" } else { "failed" };
    crate::telemetry::metrics::upstream_call("amazon", action, label, started.elapsed());
    let record = UpstreamCall::new("amazon", action, subject, &answer, &outcome);
    if let Err(err) = state.store.record_upstream_call_then(record, |_| Ok(())).await {
        tracing::error!(%err, action, "cannot record an Amazon Pay call");
    }
    result
}
