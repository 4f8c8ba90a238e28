//! The backend's JSON API, seen from the browser. Types come from `amazon-pay-contract`.

use amazon_pay_contract::cv2::{
    ButtonConfig, CheckoutDetails, CreateSessionRequest, PlaceOrderRequest, PlaceOrderResponse, UpdateDeliveryRequest,
};
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::orders::OrderStatus;
use amazon_pay_contract::{checkoutchamp, cv1};
use amazon_pay_contract::{routes, ApiError, Language};
use crate::wire::FromJs;
use serde::Serialize;

/// Why a backend call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The backend could not be reached at all.
    #[error("cannot reach the backend at {url}: {cause}")]
    Network { url: String, cause: String },
    /// The backend answered with its error body.
    #[error("the backend refused {url}: {error}")]
    Api { url: String, error: ApiError },
    /// The backend answered with something that is not the contract's JSON.
    #[error("unexpected answer from {url} (HTTP {status}): {cause}")]
    Decode { url: String, status: u16, cause: String },
}

impl ClientError {
    /// The backend's error, if it sent one (it carries the buyer's message).
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            ClientError::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

mod json;

/// A request's JSON text, written by its `Serialize` (see `client/json.rs`: no JSON library in the wasm).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    json::to_string(value).map_err(|e| e.to_string())
}

/// One request with the browser's `fetch`: POST with a JSON body, or GET. The status and the body's text.
/// Not generic (and no HTTP crate): one small copy in the wasm, whatever the answer's type.
async fn fetch(url: &str, json: Option<String>) -> Result<(u16, String), String> {
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    let thrown = |e: JsValue| crate::interop::thrown_text(&e);
    let window = web_sys::window().ok_or_else(|| "no window".to_owned())?;
    let init = web_sys::RequestInit::new();
    if let Some(json) = json {
        init.set_method("POST");
        let headers = web_sys::Headers::new().map_err(thrown)?;
        headers.set("content-type", "application/json").map_err(thrown)?;
        init.set_headers(&headers);
        init.set_body(&JsValue::from_str(&json));
    }
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.map_err(thrown)?.unchecked_into();
    let text = JsFuture::from(response.text().map_err(thrown)?).await.map_err(thrown)?;
    Ok((response.status(), text.as_string().unwrap_or_default()))
}

/// A client of one backend, at `base_url` (empty for "same origin").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    base_url: String,
}

impl Client {
    pub fn new(base_url: impl Into<String>) -> Self {
        Client { base_url: base_url.into().trim_end_matches('/').to_owned() }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    async fn post<B: Serialize, T: FromJs>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        let url = self.url(path);
        let json = to_json(body).map_err(|cause| ClientError::Network { url: url.clone(), cause })?;
        let (url, status, answer) = Self::answer(url, Some(json)).await?;
        T::from_js(&answer).map_err(|e| ClientError::Decode { url, status, cause: e.to_string() })
    }

    async fn get<T: FromJs>(&self, path: &str) -> Result<T, ClientError> {
        let (url, status, answer) = Self::answer(self.url(path), None).await?;
        T::from_js(&answer).map_err(|e| ClientError::Decode { url, status, cause: e.to_string() })
    }

    /// The parsed JSON of a 2xx answer; the API's error body (or why there is none) otherwise. Not generic:
    /// only reading the answer into its type is.
    async fn answer(url: String, json: Option<String>) -> Result<(String, u16, wasm_bindgen::JsValue), ClientError> {
        let (status, text) = match fetch(&url, json).await {
            Ok(answer) => answer,
            Err(cause) => return Err(ClientError::Network { url, cause }),
        };
        let parsed = js_sys::JSON::parse(&text).map_err(|e| crate::interop::thrown_text(&e));
        match parsed {
            Ok(value) if (200..300).contains(&status) => Ok((url, status, value)),
            Ok(value) => match ApiError::from_js(&value) {
                Ok(error) => Err(ClientError::Api { url, error }),
                Err(e) => Err(ClientError::Decode { url, status, cause: e.to_string() }),
            },
            Err(cause) => Err(ClientError::Decode { url, status, cause }),
        }
    }

    /// Starts a Checkout v2 session for the cart; the server prices it.
    pub async fn create_cv2_session(&self, request: &CreateSessionRequest) -> Result<ButtonConfig, ClientError> {
        self.post(routes::CV2_SESSIONS, request).await
    }

    /// The review page's data: buyer, addresses, payment, cart and total.
    pub async fn cv2_session(&self, workorder_id: &str, lang: Language) -> Result<CheckoutDetails, ClientError> {
        self.get(&format!("{}?lang={}", routes::cv2_session(workorder_id), lang.code())).await
    }

    /// Changes the delivery option; the server re-prices and updates Amazon's session.
    pub async fn update_delivery(&self, workorder_id: &str, request: &UpdateDeliveryRequest) -> Result<CheckoutDetails, ClientError> {
        self.post(&routes::cv2_delivery(workorder_id), request).await
    }

    /// Places the order; the same idempotency key always gets the same answer.
    pub async fn place_order(&self, workorder_id: &str, request: &PlaceOrderRequest) -> Result<PlaceOrderResponse, ClientError> {
        self.post(&routes::cv2_orders(workorder_id), request).await
    }

    /// APB: authorizes first; the answer carries the signed payload that starts Amazon's checkout.
    pub async fn place_apb_order(&self, request: &ApbOrderRequest) -> Result<ApbOrderResponse, ClientError> {
        self.post(routes::APB_ORDERS, request).await
    }

    /// An order's current state.
    pub async fn order_status(&self, order_id: &str, lang: Language) -> Result<OrderStatus, ClientError> {
        self.get(&format!("{}?lang={}", routes::order(order_id), lang.code())).await
    }

    /// `Widgets.js` configuration for pages that talk to Amazon directly (CheckoutChamp).
    pub async fn cv1_widgets(&self) -> Result<cv1::WidgetsConfig, ClientError> {
        self.get(routes::CV1_WIDGETS).await
    }

    /// CheckoutChamp Import Order with the buyer's Amazon order reference (or billing agreement).
    pub async fn import_checkoutchamp_order(&self, request: &checkoutchamp::ImportOrderRequest) -> Result<checkoutchamp::ImportOrderResponse, ClientError> {
        self.post(routes::CHECKOUTCHAMP_ORDERS, request).await
    }

    /// CheckoutChamp Import Upsale on an order the lander imported.
    pub async fn import_checkoutchamp_upsale(&self, request: &checkoutchamp::ImportUpsaleRequest) -> Result<checkoutchamp::ImportOrderResponse, ClientError> {
        self.post(routes::CHECKOUTCHAMP_UPSALES, request).await
    }

    /// Starts a PAYONE CV1 checkout for the cart; the server prices it.
    pub async fn create_cv1_session(&self, request: &cv1::CreateCv1SessionRequest) -> Result<cv1::Cv1Session, ClientError> {
        self.post(routes::CV1_SESSIONS, request).await
    }

    /// A PAYONE CV1 checkout again (back from Amazon's confirmation flow).
    pub async fn cv1_session(&self, workorder_id: &str, lang: Language) -> Result<cv1::Cv1Session, ClientError> {
        self.get(&format!("{}?lang={}", routes::cv1_session(workorder_id), lang.code())).await
    }

    /// The buyer's details behind the order reference (PAYONE `getorderreferencedetails`).
    pub async fn cv1_details(&self, workorder_id: &str, request: &cv1::OrderReferenceRequest) -> Result<cv1::Cv1Details, ClientError> {
        self.post(&routes::cv1_details(workorder_id), request).await
    }

    /// Confirms the order reference (inside Amazon's confirmation flow); the same key gets the same answer.
    pub async fn cv1_confirm(&self, workorder_id: &str, request: &cv1::ConfirmRequest) -> Result<cv1::Cv1OrderResponse, ClientError> {
        self.post(&routes::cv1_confirm(workorder_id), request).await
    }

    /// Authorizes a confirmed CV1 order, once.
    pub async fn cv1_authorize(&self, order_id: &str, request: &cv1::AuthorizeRequest) -> Result<cv1::Cv1OrderResponse, ClientError> {
        self.post(&routes::cv1_authorize(order_id), request).await
    }
}
