//! `GET /readyz`: 200 only when this instance can take traffic; 503 with the reason otherwise, so a balancer
//! or Kubernetes takes it out of rotation. `/healthz` stays the liveness check (the process answers).

use crate::config::Mode;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;

/// The tables [`crate::store::Store::open`] creates; all present means the schema is migrated.
const TABLES: [&str; 7] = ["checkouts", "upstream_calls", "orders", "notifications", "cv1_sessions", "cv1_orders", "checkoutchamp_orders"];

/// The handler.
pub async fn readyz(State(state): State<AppState>) -> (StatusCode, String) {
    match not_ready(&state) {
        None => (StatusCode::OK, "ready".to_owned()),
        Some(reason) => (StatusCode::SERVICE_UNAVAILABLE, format!("not ready: {reason}")),
    }
}

/// Why this instance should get no traffic, if it should not.
pub fn not_ready(state: &AppState) -> Option<String> {
    if state.lifecycle.is_shutting_down() {
        return Some("shutting down".to_owned());
    }
    let found = state.store.read(|c| {
        let mut stmt = c.prepare_cached(match c.dialect() {
            crate::store::db::Dialect::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
            crate::store::db::Dialect::Postgres => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema()",
        })?;
        let names = stmt.query_map([], |r| r.get::<_, String>(0))?;
        names.collect::<crate::store::db::Result<Vec<String>>>()
    });
    match found {
        Err(err) => return Some(format!("the store is not reachable: {err}")),
        Ok(names) => {
            let missing: Vec<&str> = TABLES.iter().copied().filter(|t| !names.iter().any(|n| n == t)).collect();
            if !missing.is_empty() {
                return Some(format!("the store is not migrated: missing tables {}", missing.join(", ")));
            }
        }
    }
    incomplete_config(&state.config)
}

/// Settings the start accepts but without which a flow cannot work.
pub(crate) fn incomplete_config(config: &crate::config::Config) -> Option<String> {
    if config.mode == Mode::Live && config.checkoutchamp.is_some() && config.amazon_client_id.is_none() {
        return Some(
            "CheckoutChamp is configured but AMAZON_CLIENT_ID (--amazon-client-id) is not: the lander cannot sign buyers in; \
             set it to the client id of the Login with Amazon application in Seller Central (amzn1.application-oa2-client.…; \
             PAYONE names one only inside its own CV1 checkout, which the lander does not start)"
                .to_owned(),
        );
    }
    None
}
