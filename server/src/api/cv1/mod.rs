//! Legacy Amazon Pay Checkout v1 (`Widgets.js`) through PAYONE (reference §4), and the widgets' configuration
//! for pages that talk to Amazon directly (the CheckoutChamp lander).
//!
//! 1. `POST /api/cv1/sessions`: `getconfiguration` starts a workorder and names the Login with Amazon client id
//!    and seller id; the server prices the cart here, once.
//! 2. `POST …/details`: `getorderreferencedetails` with the order reference and the buyer's token.
//! 3. `POST …/confirm` (inside `OffAmazonPayments.initConfirmationFlow`): `getorderreferencedetails` again (the
//!    address may have changed), `setorderreferencedetails` with the server's amount, `confirmorderreference`
//!    with success and error URLs on this server.
//! 4. `GET /api/cv1/orders/{id}/return`: where Amazon's confirmation flow (MFA) returns; on to the widget's page.
//! 5. `POST /api/cv1/orders/{id}/authorize`: the authorization with `wallettype=AMZ`, once per order.
//!
//! Orders are [`crate::orders::OrderRecord`]s (flow `cv1`), so `/api/orders/{id}`, the confirmation page and
//! TransactionStatus notifications work as for Checkout v2. The buyer's token is passed to PAYONE and never
//! stored (the upstream log redacts it).

mod place;
mod session;

use super::payone_calls::{decline_code, payone_error, send_recorded_raw};
use crate::error::AppError;
use crate::payone::{PayoneError, PayoneRequest, PayoneResponse};
use crate::state::AppState;
use crate::store::db::{params, Conn, OptionalExtension};
use crate::store::{Store, StoreError};
use amazon_pay_contract::cv1::{Cv1Decline, WidgetsConfig, AMAZON_EU_WIDGETS_JS};
use amazon_pay_contract::{routes, ErrorCode, Language};
use axum::extract::State;
use axum::routing::{get, post};
use axum::Router;

use super::ApiJson;

/// The CV1 routes. Without PAYONE (`--provider amazon` in live mode without PAYONE's credentials) only
/// `GET /api/cv1/widgets` (which needs no PAYONE: the CheckoutChamp lander) is served; every route of
/// PAYONE's Checkout v1 answers [`without_payone`] instead, so no PAYONE endpoint is reachable.
pub fn router(payone_enabled: bool) -> Router<AppState> {
    let router = Router::new().route(routes::CV1_WIDGETS, get(widgets));
    if !payone_enabled {
        return router.route("/api/cv1/{*rest}", axum::routing::any(without_payone));
    }
    router
        .route(routes::CV1_SESSIONS, post(session::create))
        .route("/api/cv1/sessions/{workorder_id}", get(session::get))
        .route("/api/cv1/sessions/{workorder_id}/details", post(session::details))
        .route("/api/cv1/sessions/{workorder_id}/confirm", post(place::confirm))
        .route("/api/cv1/orders/{order_id}/return", get(place::returned))
        .route("/api/cv1/orders/{order_id}/authorize", post(place::authorize))
}

/// What the Checkout v1 routes answer on a server without PAYONE: 404 with a typed error that says why.
pub const WITHOUT_PAYONE: &str = "Checkout v1 (Widgets.js) goes through PAYONE, and this server runs --provider amazon without \
    PAYONE's credentials: use Checkout v2 (the Amazon Pay button), or set PAYONE_KEY, PAYONE_MID, PAYONE_PORTALID and PAYONE_AID";

async fn without_payone() -> AppError {
    AppError::new(ErrorCode::NotFound, WITHOUT_PAYONE)
}

/// `Widgets.js` for this server's mode: Amazon's own live, the sandbox's fake otherwise.
pub fn script_url(state: &AppState) -> String {
    if state.is_sandbox() {
        format!("{}/sandbox/amazon/Widgets.js", state.public_url)
    } else {
        AMAZON_EU_WIDGETS_JS.to_owned()
    }
}

/// `GET /api/cv1/widgets`: the public ids `Widgets.js` needs when the page talks to Amazon directly.
async fn widgets(State(state): State<AppState>) -> Result<ApiJson<WidgetsConfig>, AppError> {
    let client_id = state.config.amazon_client_id.clone().ok_or_else(|| {
        AppError::new(ErrorCode::Configuration, "AMAZON_CLIENT_ID is not set: the Login with Amazon client id is needed for Widgets.js")
    })?;
    Ok(ApiJson(WidgetsConfig {
        client_id,
        seller_id: state.config.amazon_merchant_id.clone(),
        sandbox: state.is_sandbox(),
        script_url: script_url(&state),
    }))
}

/// A `genericpayment` request of the CV1 family: `clearingtype=wlt`, `wallettype=AMZ`, `add_paydata[action]`.
fn generic(state: &AppState, action: &str) -> PayoneRequest {
    let mut call = state.payone.request("genericpayment");
    call.set("clearingtype", "wlt").set("wallettype", "AMZ").set("add_paydata[action]", action);
    call
}

/// A PAYONE answer as this flow sees it: accepted, a decline the buyer can be told about, or a failure.
enum Answer {
    Ok(PayoneResponse),
    Declined { code: ErrorCode, reason: Option<Cv1Decline>, detail: String },
}

/// Whether PAYONE's refusal says the buyer's Amazon session (token) is gone: then they must sign in again.
fn session_gone(message: &str) -> bool {
    ["BuyerSessionExpired", "InvalidAddressConsentToken", "expired"].iter().any(|m| message.contains(m))
}

/// Sends and records `call`; PAYONE's error codes become [`Answer::Declined`], transport trouble an error.
async fn send(state: &AppState, action: &str, call: &PayoneRequest, lang: Language) -> Result<Answer, AppError> {
    answer(action, send_recorded_raw(state, action, call).await?, lang)
}

/// PAYONE's answer to `action` as this flow sees it (see [`send`]).
fn answer(action: &str, sent: Result<PayoneResponse, PayoneError>, lang: Language) -> Result<Answer, AppError> {
    match sent {
        Ok(response) => Ok(Answer::Ok(response)),
        Err(PayoneError::Declined { code, message, .. }) => {
            let reason = Cv1Decline::from_payone_code(&code);
            let mapped = match reason {
                Some(r) => r.error_code(),
                None if code == "900" && session_gone(&message) => ErrorCode::SessionExpired,
                None => decline_code(&code),
            };
            Ok(Answer::Declined { code: mapped, reason, detail: format!("PAYONE {action} error {code}: {message}") })
        }
        Err(other) => Err(payone_error(other).in_language(lang)),
    }
}

/// Whether `order` is an attempt whose `confirmorderreference` PAYONE did not answer: undecided, and never back
/// from Amazon's confirmation flow (an undecided authorization came back: it needs the return). Such an attempt
/// is confirmed again by the next confirmation of its checkout, and not shown as placed.
fn confirmation_undecided(state: &AppState, order: &crate::orders::OrderRecord) -> Result<bool, AppError> {
    if !order.undecided() || order.flow != "cv1" {
        return Ok(false);
    }
    Ok(state.store.cv1_order(&order.id)?.is_some_and(|row| row.authentication_status.is_none()))
}

/// The buyer's sentence for a decline: Amazon's code when known, else the general one.
fn decline_message(code: ErrorCode, reason: Option<Cv1Decline>, lang: Language) -> &'static str {
    reason.map(|r| r.buyer_message(lang)).unwrap_or_else(|| code.buyer_message(lang))
}

/// A decline that ends the request (no order to attach it to), told precisely.
fn decline_error(code: ErrorCode, reason: Option<Cv1Decline>, detail: String, lang: Language) -> AppError {
    AppError::new(code, detail).in_language(lang).with_message(decline_message(code, reason, lang))
}

/// PAYONE's getconfiguration answer kept for the checkout, and the order reference it is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cv1SessionRow {
    /// The workorder id.
    pub workorder_id: String,
    /// The client id.
    pub client_id: String,
    /// The seller id.
    pub seller_id: String,
    /// The amazon reference id.
    pub amazon_reference_id: Option<String>,
}

/// What the authorization needs of a confirmed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cv1OrderRow {
    /// The order id.
    pub order_id: String,
    /// The amazon reference id.
    pub amazon_reference_id: String,
    /// The page Amazon's confirmation flow returns to: a path on this server, or the absolute URL of the shop's
    /// page that asked (on a return origin).
    pub return_path: String,
    /// `getorderreferencedetails`' buyer data (JSON of [`place::Buyer`]).
    pub buyer_json: String,
    /// The authentication status.
    pub authentication_status: Option<String>,
    /// The authorization's answer, replayed for repeated calls.
    pub authorize_json: Option<String>,
}

/// Inserts a CV1 session row on the writer's connection (inside a job).
fn insert_cv1_session(c: &Conn<'_>, row: &Cv1SessionRow) -> crate::store::db::Result<()> {
    c.prepare_cached("INSERT INTO cv1_sessions (workorder_id, client_id, seller_id, amazon_reference_id) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![row.workorder_id, row.client_id, row.seller_id, row.amazon_reference_id])
        .map(drop)
}

/// [`Store::cv1_session`] on `c`, for a reader's snapshot.
fn cv1_session_in(c: &Conn<'_>, workorder_id: &str) -> crate::store::db::Result<Option<Cv1SessionRow>> {
    c.prepare_cached("SELECT workorder_id, client_id, seller_id, amazon_reference_id FROM cv1_sessions WHERE workorder_id = ?1")?
        .query_row([workorder_id], |r| {
            Ok(Cv1SessionRow { workorder_id: r.get(0)?, client_id: r.get(1)?, seller_id: r.get(2)?, amazon_reference_id: r.get(3)? })
        })
        .optional()
}

impl Store {
    /// Stores a new CV1 session.
    pub async fn insert_cv1_session(&self, row: &Cv1SessionRow) -> Result<(), StoreError> {
        let row = row.clone();
        self.write(move |c| insert_cv1_session(c, &row)).await
    }

    /// The CV1 session of `workorder_id`, if stored.
    pub fn cv1_session(&self, workorder_id: &str) -> Result<Option<Cv1SessionRow>, StoreError> {
        self.read(|c| cv1_session_in(c, workorder_id))
    }

    /// Binds the checkout to its order reference (PAYONE binds the workorder on first use, too).
    pub async fn bind_cv1_reference(&self, workorder_id: &str, reference_id: &str) -> Result<(), StoreError> {
        let (workorder_id, reference_id) = (workorder_id.to_owned(), reference_id.to_owned());
        self.write(move |c| {
            c.prepare_cached("UPDATE cv1_sessions SET amazon_reference_id = ?2 WHERE workorder_id = ?1")?
                .execute(params![workorder_id, reference_id])
                .map(drop)
        })
        .await
    }

    /// Stores a new CV1 order.
    pub async fn insert_cv1_order(&self, row: &Cv1OrderRow) -> Result<(), StoreError> {
        let row = row.clone();
        self.write(move |c| {
            c.prepare_cached(
                "INSERT INTO cv1_orders (order_id, amazon_reference_id, return_path, buyer_json, authentication_status, authorize_json)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![row.order_id, row.amazon_reference_id, row.return_path, row.buyer_json, row.authentication_status, row.authorize_json])
            .map(drop)
        })
        .await
    }

    /// The CV1 order `order_id`, if stored.
    pub fn cv1_order(&self, order_id: &str) -> Result<Option<Cv1OrderRow>, StoreError> {
        self.read(|c| {
            c.prepare_cached(
                "SELECT order_id, amazon_reference_id, return_path, buyer_json, authentication_status, authorize_json
                 FROM cv1_orders WHERE order_id = ?1",
            )?
            .query_row([order_id], |r| {
                Ok(Cv1OrderRow {
                    order_id: r.get(0)?,
                    amazon_reference_id: r.get(1)?,
                    return_path: r.get(2)?,
                    buyer_json: r.get(3)?,
                    authentication_status: r.get(4)?,
                    authorize_json: r.get(5)?,
                })
            })
            .optional()
        })
    }

    /// How the buyer left Amazon's confirmation flow (`AuthenticationStatus`).
    pub async fn set_cv1_authentication(&self, order_id: &str, status: &str) -> Result<(), StoreError> {
        let (order_id, status) = (order_id.to_owned(), status.to_owned());
        self.write(move |c| {
            c.prepare_cached("UPDATE cv1_orders SET authentication_status = ?2 WHERE order_id = ?1")?.execute(params![order_id, status]).map(drop)
        })
        .await
    }

    /// Stores PAYONE's authorization answer for the CV1 order, so a repeated request is answered the same.
    pub async fn set_cv1_authorize_answer(&self, order_id: &str, json: &str) -> Result<(), StoreError> {
        let (order_id, json) = (order_id.to_owned(), json.to_owned());
        self.write(move |c| {
            c.prepare_cached("UPDATE cv1_orders SET authorize_json = ?2 WHERE order_id = ?1")?.execute(params![order_id, json]).map(drop)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn cv1_rows_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let session = Cv1SessionRow { workorder_id: "WO1".into(), client_id: "c".into(), seller_id: "s".into(), amazon_reference_id: None };
        store.insert_cv1_session(&session).await.unwrap();
        store.bind_cv1_reference("WO1", "S02-1234567-7654321").await.unwrap();
        assert_eq!(store.cv1_session("WO1").unwrap().unwrap().amazon_reference_id.as_deref(), Some("S02-1234567-7654321"));
        let order = Cv1OrderRow {
            order_id: "O1".into(),
            amazon_reference_id: "S02-1234567-7654321".into(),
            return_path: "/cv1.html".into(),
            buyer_json: "{}".into(),
            authentication_status: None,
            authorize_json: None,
        };
        store.insert_cv1_order(&order).await.unwrap();
        store.set_cv1_authentication("O1", "Success").await.unwrap();
        store.set_cv1_authorize_answer("O1", "{\"a\":1}").await.unwrap();
        let back = store.cv1_order("O1").unwrap().unwrap();
        assert_eq!((back.authentication_status.as_deref(), back.authorize_json.as_deref()), (Some("Success"), Some("{\"a\":1}")));
        assert!(store.cv1_order("O2").unwrap().is_none());
    }

    #[test]
    fn an_expired_buyer_session_is_told_apart() {
        assert!(session_gone("BuyerSessionExpired: The buyer's session has expired."));
        assert!(!session_gone("InvalidOrderReferenceStatus: canceled"));
    }
}
