//! The backend's JSON API, seen from the browser. Types come from `amazon-pay-contract`.

use amazon_pay_contract::cv2::{
    ButtonConfig, CheckoutDetails, CreateSessionRequest, PlaceOrderRequest, PlaceOrderResponse, UpdateDeliveryRequest,
};
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::orders::OrderStatus;
use amazon_pay_contract::{routes, ApiError, Language};
use gloo_net::http::Request;
use serde::de::DeserializeOwned;
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

/// JSON through the browser's own `JSON` (no JSON library in the wasm: it is smaller).
pub fn to_json<T: Serialize>(value: &T) -> Result<String, String> {
    let js = value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&js).map(String::from).map_err(|e| format!("{e:?}"))
}

/// Parses JSON text into `T` with the browser's `JSON.parse`.
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let js = js_sys::JSON::parse(text).map_err(|e| crate::interop::thrown_text(&e))?;
    serde_wasm_bindgen::from_value(js).map_err(|e| e.to_string())
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

    async fn post<B: Serialize, T: DeserializeOwned>(&self, path: &str, body: &B) -> Result<T, ClientError> {
        let url = self.url(path);
        let json = to_json(body).map_err(|cause| ClientError::Network { url: url.clone(), cause })?;
        let request = Request::post(&url)
            .header("content-type", "application/json")
            .body(json)
            .map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        Self::read(url, request.send().await).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = self.url(path);
        let sent = Request::get(&url).send().await;
        Self::read(url, sent).await
    }

    /// The contract's JSON on success, the API's error body otherwise.
    async fn read<T: DeserializeOwned>(
        url: String,
        sent: Result<gloo_net::http::Response, gloo_net::Error>,
    ) -> Result<T, ClientError> {
        let response = sent.map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| ClientError::Network { url: url.clone(), cause: e.to_string() })?;
        if response.ok() {
            from_json(&text).map_err(|cause| ClientError::Decode { url, status, cause })
        } else {
            match from_json::<ApiError>(&text) {
                Ok(error) => Err(ClientError::Api { url, error }),
                Err(cause) => Err(ClientError::Decode { url, status, cause }),
            }
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
}
