//! Create the checkout session and hand the widget its button configuration.

use crate::api::ApiJson;
use crate::error::AppError;
use crate::return_urls::Flow;
use crate::state::AppState;
use crate::store::db::Conn;
use crate::store::{insert_checkout, Checkout};
use amazon_pay_contract::cv2::{ButtonConfig, CreateSessionRequest, DeliveryOption, ProductType};
use amazon_pay_contract::ErrorCode;
use axum::extract::State;
use payone_wire::PAYONE_PUBLIC_KEY_ID;

/// Amazon's EU `checkout.js`, the one every PAYONE merchant uses.
pub const AMAZON_EU_CHECKOUT_JS: &str = "https://static-eu.payments-amazon.com/checkout.js";

/// `POST /api/cv2/sessions`: prices the cart, asks PAYONE for a checkout session, returns the button config.
///
/// The cart decides the product type: only digital products make it `PayOnly` (Amazon asks for no address).
/// PAYONE documents no product type for `createCheckoutSessionPayload` (its CV2 page sets it only as the
/// button's `renderButton` option), so it goes to the widget alone. A `PayAndShip` checkout carries the
/// shop's address rules as Amazon's `deliverySpecifications` (see `address_rules.rs`).
pub(super) async fn create_session(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<CreateSessionRequest>,
) -> Result<ApiJson<ButtonConfig>, AppError> {
    let lang = request.language;
    let amount = state
        .catalogue
        .price(&request.items, DeliveryOption::default())
        .map_err(|e| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang))?;

    // The shop's pages (configured, or named by this request): refused unless on an allowed origin.
    let refused = |e: crate::return_urls::ReturnUrlError| AppError::new(ErrorCode::BadRequest, e.to_string()).in_language(lang);
    let pages = state.return_pages.for_request(Flow::Cv2, &request.return_pages).map_err(refused)?;
    let [success, error, back] = pages.session_urls().map_err(refused)?;
    let asked_pages = !request.return_pages.is_empty();
    let mut call = state.payone.request("genericpayment");
    call.set("clearingtype", "wlt")
        .set("wallettype", "AMP")
        .set("add_paydata[action]", "createCheckoutSessionPayload")
        .set("amount", amount.minor.to_string())
        .set("currency", amount.currency.code())
        .set("language", lang.code())
        .set("successurl", success)
        .set("errorurl", error)
        .set("backurl", back);
    let product_type = state.catalogue.product_type(&request.items);
    if product_type == ProductType::PayAndShip {
        state.config.address_rules.set_payone_fields(&mut call);
    }
    // PAYONE's answer and the checkout it created are stored in one write, as a new session (on PostgreSQL its
    // commit does not wait for the disk: `Durability::Session`).
    let (workorder_id, payload_json, signature, public_key_id) =
        super::send_recorded_session(&state, "createCheckoutSessionPayload", &call, |response| {
            let missing = |field: &str| AppError::new(ErrorCode::UpstreamInvalid, format!("PAYONE's answer lacks {field}"));
            let workorder_id = response.get("workorderid").ok_or_else(|| missing("workorderid"))?.to_owned();
            let payload_json = response.paydata("payload").ok_or_else(|| missing("add_paydata[payload]"))?.to_owned();
            let signature = response.paydata("signature").ok_or_else(|| missing("add_paydata[signature]"))?.to_owned();
            let public_key_id = response.paydata("publicKeyId").unwrap_or(PAYONE_PUBLIC_KEY_ID).to_owned();
            let checkout = Checkout::started(workorder_id.clone(), "cv2", amount, &request.items);
            let store = move |c: &Conn<'_>| {
                insert_checkout(c, &checkout)?;
                // Kept for the buyer's return after placing the order (see `api/orders.rs`).
                if asked_pages {
                    crate::return_urls::insert(c, &checkout.workorder_id, &pages)
                } else {
                    Ok(())
                }
            };
            Ok(((workorder_id, payload_json, signature, public_key_id), store))
        })
        .await
        .map_err(|e| e.in_language(lang))?;

    let sandbox = state.is_sandbox();
    Ok(ApiJson(ButtonConfig {
        workorder_id,
        merchant_id: state.config.amazon_merchant_id.clone(),
        public_key_id,
        payload_json,
        signature,
        sandbox,
        ledger_currency: amount.currency,
        checkout_language: lang.amazon_checkout_language().to_owned(),
        product_type,
        amount,
        script_url: super::script_url(&state),
        algorithm: None,
    }))
}
