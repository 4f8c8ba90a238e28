//! The backend's JSON API, seen from the browser. Types come from `amazon-pay-contract`.

use crate::json_requests::ToJson;
use crate::prelude::*;
use crate::wire::FromJs;
use amazon_pay_contract::apb::{ApbOrderRequest, ApbOrderResponse};
use amazon_pay_contract::cv2::{ButtonConfig, CheckoutDetails, CreateSessionRequest, PlaceOrderRequest, PlaceOrderResponse, UpdateDeliveryRequest};
use amazon_pay_contract::orders::OrderStatus;
use amazon_pay_contract::{checkoutchamp, cv1};
use amazon_pay_contract::{routes, ApiError, Language};
use core::future::Future;
use serde::Serialize;

/// Why a backend call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ClientError {
    /// The backend could not be reached at all.
    Network {
        /// The URL requested.
        url: String,
        /// What the browser said (`fetch`'s error).
        cause: String,
    },
    /// The backend answered with its error body.
    Api {
        /// The URL requested.
        url: String,
        /// The backend's error body, with the buyer's message.
        error: ApiError,
    },
    /// The backend answered with something that is not the contract's JSON.
    Decode {
        /// The URL requested.
        url: String,
        /// The answer's HTTP status.
        status: u16,
        /// Why the body could not be read.
        cause: String,
    },
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

// It lives in `crate::json` (the interop writes Amazon's options with it too); its public path here stays.
pub use crate::json::to_json;

/// Sends one request with the browser's `fetch` now: POST with a JSON body, or GET. The promise of its response.
/// Not generic (and no HTTP crate): one small copy in the wasm, whatever the answer's type.
fn send(url: &str, json: Option<String>) -> Result<js_sys::Promise, String> {
    use wasm_bindgen::JsValue;
    let window = web_sys::window().ok_or_else(|| "no window".to_owned())?;
    let init = web_sys::RequestInit::new();
    if let Some(json) = json {
        init.set_method("POST");
        // `[["content-type", "application/json"]]`: what `fetch` takes for headers, without a `Headers` object
        // (its constructor and `set` are bound with catch, a check per call in the wasm).
        init.set_headers(&js_sys::Array::of1(&js_sys::Array::of2(&"content-type".into(), &"application/json".into())));
        init.set_body(&JsValue::from_str(&json));
    }
    Ok(window.fetch_with_str_and_init(url, &init))
}

/// What a browser API threw, as text for [`ClientError`].
fn thrown(e: wasm_bindgen::JsValue) -> String {
    crate::js_error::thrown_text(&e)
}

/// A client of one backend, at `base_url` (empty for "same origin").
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    base_url: String,
}

impl Client {
    /// A client of the backend at `base_url` (empty: the page's own origin); a trailing `/` is dropped.
    pub fn new(base_url: impl Into<String>) -> Self {
        Client { base_url: crate::scan::trim_end(&base_url.into(), b'/').to_owned() }
    }

    /// The absolute URL of an API path (`/api/...`) on this backend.
    pub fn url(&self, path: &str) -> String {
        [self.base_url.as_str(), path].concat()
    }

    /// A POST of `body` whose answer is read as `T`. The request is sent now, like `fetch` (not when the future
    /// is first polled: the button sends its session request before it builds its placeholder), so the future
    /// borrows nothing; only reading the answer is generic (the waiting is [`Client::answer`], one copy in the wasm).
    fn post<B: Serialize, T: FromJs>(&self, path: &str, body: &B) -> impl Future<Output = Result<T, ClientError>> + 'static {
        self.request(path, to_json(body).map(Some))
    }

    /// A POST of a legacy Checkout v1 request, its JSON written by hand (`crate::json_requests`: no serde
    /// serializer in those bundles), whose answer is read as `T`; sent now, as [`Client::post`].
    fn post_text<T: FromJs>(&self, path: &str, json: String) -> impl Future<Output = Result<T, ClientError>> + 'static {
        self.request(path, Ok(Some(json)))
    }

    /// A GET whose answer is read as `T`, sent now.
    fn get<T: FromJs>(&self, path: &str) -> impl Future<Output = Result<T, ClientError>> + 'static {
        self.request(path, Ok(None))
    }

    /// The request whose body could not be written (`Err`), is ready (`Some`, a POST) or is none (a GET), sent
    /// now, and its answer read as `T`: one future type per answer type, whichever the method (the CV1 session
    /// is both created with a POST and read again with a GET).
    fn request<T: FromJs>(&self, path: &str, json: Result<Option<String>, String>) -> impl Future<Output = Result<T, ClientError>> + 'static {
        let call = Self::call(self.url(path), json);
        async move { Self::read(call.await) }
    }

    /// Sends the request whose body could not be written (`Err`) or is ready; [`Client::answer`] waits for it.
    fn call(
        url: String,
        json: Result<Option<String>, String>,
    ) -> impl Future<Output = Result<(String, u16, wasm_bindgen::JsValue), ClientError>> + 'static {
        let sent = json.and_then(|json| send(&url, json));
        Self::answer(url, sent)
    }

    fn read<T: FromJs>(answer: Result<(String, u16, wasm_bindgen::JsValue), ClientError>) -> Result<T, ClientError> {
        let (url, status, answer) = answer?;
        T::from_js(&answer).map_err(|e| ClientError::Decode { url, status, cause: e.into_text() })
    }

    /// The parsed JSON of a 2xx answer; the API's error body (or why there is none) otherwise. Not generic:
    /// only reading the answer into its type is.
    async fn answer(url: String, sent: Result<js_sys::Promise, String>) -> Result<(String, u16, wasm_bindgen::JsValue), ClientError> {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        // The response, then its body read by the browser's JSON parser (`Response.json()`), both awaited in this
        // one state machine (an `async fn` for them would be one more in the wasm). A request that fails before
        // its answer is `Network`; a body that is not JSON is an unexpected answer (`Decode`, with the status).
        let received = match sent {
            Ok(response) => match JsFuture::from(response).await {
                Ok(response) => {
                    let response: web_sys::Response = response.unchecked_into();
                    let body = match response.json() {
                        Ok(body) => JsFuture::from(body).await.map_err(thrown),
                        Err(e) => Err(thrown(e)),
                    };
                    Ok((response.status(), body))
                }
                Err(e) => Err(thrown(e)),
            },
            Err(cause) => Err(cause),
        };
        let (status, parsed) = match received {
            Ok(answer) => answer,
            Err(cause) => return Err(ClientError::Network { url, cause }),
        };
        match parsed {
            Ok(value) if (200..300).contains(&status) => Ok((url, status, value)),
            Ok(value) => match ApiError::from_js(&value) {
                Ok(error) => Err(ClientError::Api { url, error }),
                Err(e) => Err(ClientError::Decode { url, status, cause: e.into_text() }),
            },
            Err(cause) => Err(ClientError::Decode { url, status, cause }),
        }
    }

    /// Starts a Checkout v2 session for the cart; the server prices it.
    pub fn create_cv2_session(&self, request: &CreateSessionRequest) -> impl Future<Output = Result<ButtonConfig, ClientError>> + 'static {
        self.create_cv2_session_with(request, |_, _| None)
    }

    /// [`Client::create_cv2_session`], answered by `sent(url, body)`'s response when it has one: a request
    /// with exactly this URL and JSON body that is already on its way (the loader's, `interop::prefetch`).
    pub fn create_cv2_session_with(
        &self,
        request: &CreateSessionRequest,
        sent: impl FnOnce(&str, &str) -> Option<js_sys::Promise>,
    ) -> impl Future<Output = Result<ButtonConfig, ClientError>> + 'static {
        let url = self.url(routes::CV2_SESSIONS);
        let response = to_json(request).and_then(|json| match sent(&url, &json) {
            Some(response) => Ok(response),
            None => send(&url, Some(json)),
        });
        let call = Self::answer(url, response);
        async move { Self::read(call.await) }
    }

    /// The review page's data: buyer, addresses, payment, cart and total. `checkout_session`: the
    /// `amazonCheckoutSessionId` Amazon appended to the page's address (Amazon Pay direct needs it; an id-safe
    /// value, checked by [`crate::page::ReviewParams`]).
    pub fn cv2_session(
        &self,
        workorder_id: &str,
        checkout_session: Option<&str>,
        lang: Language,
    ) -> impl Future<Output = Result<CheckoutDetails, ClientError>> + 'static {
        let session = checkout_session.map(|s| ["&amazonCheckoutSessionId=", s].concat()).unwrap_or_default();
        self.get(&[&routes::cv2_session(workorder_id), "?lang=", lang.code(), &session].concat())
    }

    /// Changes the delivery option; the server re-prices and updates Amazon's session.
    pub fn update_delivery(
        &self,
        workorder_id: &str,
        request: &UpdateDeliveryRequest,
    ) -> impl Future<Output = Result<CheckoutDetails, ClientError>> + 'static {
        self.post(&routes::cv2_delivery(workorder_id), request)
    }

    /// Places the order; the same idempotency key always gets the same answer.
    pub fn place_order(
        &self,
        workorder_id: &str,
        request: &PlaceOrderRequest,
    ) -> impl Future<Output = Result<PlaceOrderResponse, ClientError>> + 'static {
        self.post(&routes::cv2_orders(workorder_id), request)
    }

    /// APB: authorizes first; the answer carries the signed payload that starts Amazon's checkout.
    pub fn place_apb_order(&self, request: &ApbOrderRequest) -> impl Future<Output = Result<ApbOrderResponse, ClientError>> + 'static {
        self.post(routes::APB_ORDERS, request)
    }

    /// An order's current state.
    pub fn order_status(&self, order_id: &str, lang: Language) -> impl Future<Output = Result<OrderStatus, ClientError>> + 'static {
        self.get(&[&routes::order(order_id), "?lang=", lang.code()].concat())
    }

    /// `Widgets.js` configuration for pages that talk to Amazon directly (CheckoutChamp).
    pub fn cv1_widgets(&self) -> impl Future<Output = Result<cv1::WidgetsConfig, ClientError>> + 'static {
        self.get(routes::CV1_WIDGETS)
    }

    /// CheckoutChamp Import Order with the buyer's Amazon order reference (or billing agreement).
    pub fn import_checkoutchamp_order(
        &self,
        request: &checkoutchamp::ImportOrderRequest,
    ) -> impl Future<Output = Result<checkoutchamp::ImportOrderResponse, ClientError>> + 'static {
        self.post_text(routes::CHECKOUTCHAMP_ORDERS, request.to_json())
    }

    /// CheckoutChamp Import Upsale on an order the lander imported.
    pub fn import_checkoutchamp_upsale(
        &self,
        request: &checkoutchamp::ImportUpsaleRequest,
    ) -> impl Future<Output = Result<checkoutchamp::ImportOrderResponse, ClientError>> + 'static {
        self.post_text(routes::CHECKOUTCHAMP_UPSALES, request.to_json())
    }

    /// What the server last learnt of a CheckoutChamp order (the buyer's own, by its token) while Amazon decides.
    pub fn checkoutchamp_order_status(
        &self,
        request: &checkoutchamp::CrmStatusRequest,
    ) -> impl Future<Output = Result<checkoutchamp::CrmOrderState, ClientError>> + 'static {
        self.post_text(routes::CHECKOUTCHAMP_ORDER_STATUS, request.to_json())
    }

    /// Starts a PAYONE CV1 checkout for the cart; the server prices it.
    pub fn create_cv1_session(&self, request: &cv1::CreateCv1SessionRequest) -> impl Future<Output = Result<cv1::Cv1Session, ClientError>> + 'static {
        self.post_text(routes::CV1_SESSIONS, request.to_json())
    }

    /// A PAYONE CV1 checkout again (back from Amazon's confirmation flow).
    pub fn cv1_session(&self, workorder_id: &str, lang: Language) -> impl Future<Output = Result<cv1::Cv1Session, ClientError>> + 'static {
        self.get(&[&routes::cv1_session(workorder_id), "?lang=", lang.code()].concat())
    }

    /// The buyer's details behind the order reference (PAYONE `getorderreferencedetails`).
    pub fn cv1_details(
        &self,
        workorder_id: &str,
        request: &cv1::OrderReferenceRequest,
    ) -> impl Future<Output = Result<cv1::Cv1Details, ClientError>> + 'static {
        self.post_text(&routes::cv1_details(workorder_id), request.to_json())
    }

    /// Confirms the order reference (inside Amazon's confirmation flow); the same key gets the same answer.
    pub fn cv1_confirm(
        &self,
        workorder_id: &str,
        request: &cv1::ConfirmRequest,
    ) -> impl Future<Output = Result<cv1::Cv1OrderResponse, ClientError>> + 'static {
        self.post_text(&routes::cv1_confirm(workorder_id), request.to_json())
    }

    /// Authorizes a confirmed CV1 order, once.
    pub fn cv1_authorize(
        &self,
        order_id: &str,
        request: &cv1::AuthorizeRequest,
    ) -> impl Future<Output = Result<cv1::Cv1OrderResponse, ClientError>> + 'static {
        self.post_text(&routes::cv1_authorize(order_id), request.to_json())
    }
}

impl core::fmt::Display for ClientError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use crate::js_error::write_parts as w;
        match self {
            ClientError::Network { url, cause } => w(f, &["cannot reach the backend at ", url, ": ", cause]),
            // The API's own code (`bad_request`, as its JSON and the server's log spell it, so a developer can grep
            // for it) and the backend's cause for the developer (`detail`: an unknown SKU, a return page off the
            // allowed origins, ...), else its buyer's sentence; written without `write!`.
            ClientError::Api { url, error } => {
                w(f, &["the backend refused ", url, ": ", error.code.as_str(), ": ", error.detail.as_deref().unwrap_or(&error.message)])
            }
            // The status first, plainly (a proxy's 503 page reads as one); the parser's words last, for the console.
            ClientError::Decode { url, status, cause } => {
                w(f, &["HTTP ", &amazon_pay_contract::digits((*status).into()), " from ", url, ", not the API's JSON: ", cause])
            }
        }
    }
}

/// The same words as `Display` (a test holds them equal), concatenated: the legacy views log with it and carry no
/// `Formatter` (`crate::js_error::Cause`); the other bundles keep `Display`.
impl crate::js_error::Cause for ClientError {
    fn text(&self) -> String {
        match self {
            ClientError::Network { url, cause } => ["cannot reach the backend at ", url, ": ", cause].concat(),
            // The API's own code (`bad_request`, as its JSON and the server's log spell it, so a developer can grep
            // for it) and the backend's cause for the developer (`detail`: an unknown SKU, a return page off the
            // allowed origins, ...), else its buyer's sentence; written without `write!`.
            ClientError::Api { url, error } => {
                ["the backend refused ", url, ": ", error.code.as_str(), ": ", error.detail.as_deref().unwrap_or(&error.message)].concat()
            }
            ClientError::Decode { url, status, cause } => {
                ["HTTP ", &amazon_pay_contract::digits((*status).into()), " from ", url, ", not the API's JSON: ", cause].concat()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_refusal_names_the_backends_cause_for_the_developer() {
        use super::ClientError;
        use amazon_pay_contract::{ApiError, ErrorCode};
        let refused = |detail: Option<&str>| ClientError::Api {
            url: "https://pay.shop.example/api/cv2/sessions".into(),
            error: ApiError { code: ErrorCode::BadRequest, message: "Amazon Pay is not available right now.".into(), detail: detail.map(Into::into) },
        };
        assert_eq!(
            refused(Some("unknown item \"mugg\"")).to_string(),
            "the backend refused https://pay.shop.example/api/cv2/sessions: bad_request: unknown item \"mugg\""
        );
        assert_eq!(
            refused(None).to_string(),
            "the backend refused https://pay.shop.example/api/cv2/sessions: bad_request: Amazon Pay is not available right now."
        );
    }

    #[test]
    fn an_answer_that_is_not_the_api_s_names_its_status_first_and_the_parser_s_words_last() {
        let proxy_page = super::ClientError::Decode {
            url: "https://pay.shop.example/api/cv2/sessions".into(),
            status: 503,
            cause: "Unexpected token '<', \"<h1>503 Se\"... is not valid JSON".into(),
        };
        assert_eq!(
            proxy_page.to_string(),
            "HTTP 503 from https://pay.shop.example/api/cv2/sessions, not the API's JSON: Unexpected token '<', \"<h1>503 Se\"... is not valid JSON"
        );
    }

    #[test]
    fn every_code_is_printed_as_the_api_spells_it() {
        use amazon_pay_contract::{ApiError, ErrorCode};
        for code in ErrorCode::ALL {
            let error = ApiError { code, message: "m".into(), detail: None };
            let printed = super::ClientError::Api { url: "/api/x".into(), error }.to_string();
            assert_eq!(printed, ["the backend refused /api/x: ", code.as_str(), ": m"].concat());
        }
    }
}
