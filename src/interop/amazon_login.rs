//! Typed wrapper of `amazon.Login` (Login with Amazon, loaded by `Widgets.js`; reference §B.3).
//!
//! `authorize` takes a Rust callback. The closure handed to Amazon is owned by the returned
//! [`Authorization`]: keep it as long as an answer may come (the component that asked), drop it to release it.

use super::js_object::{call_method, get, get_path, object, text};
use crate::prelude::*;
use serde::Serialize;
use wasm_bindgen::prelude::*;

/// A failure of a call into `amazon.Login`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoginError {
    /// The function (named) is missing: the script is not on the page yet.
    NotLoaded(&'static str),
    /// Amazon's script threw; its message.
    Rejected(String),
}

/// The options of `amazon.Login.authorize`, spelled as Amazon spells them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuthorizeOptions {
    /// Space-separated, e.g. `profile payments:widget payments:shipping_address` (a fixed list: no `String`).
    pub scope: &'static str,
    /// `true`: a popup window (must be opened from the click); `false`: the whole page goes to Amazon.
    pub popup: bool,
    /// OAuth's response type; `token` (implicit grant) is the one the widget uses.
    pub response_type: &'static str,
}

impl AuthorizeOptions {
    /// Implicit grant (`response_type=token`) with `scope`, in a popup.
    pub fn popup(scope: &'static str) -> Self {
        AuthorizeOptions { scope, popup: true, response_type: "token" }
    }
}

/// What Amazon answered to `authorize`.
#[derive(Clone, PartialEq, Eq)]
pub enum AuthorizeResponse {
    /// Signed in: the buyer's access token (`Atza|…`) and how many seconds it lives.
    Token {
        /// The token (`Atza|…`): a secret of the buyer, never logged.
        access_token: String,
        /// Its lifetime in seconds, when Amazon says.
        expires_in: Option<u32>,
    },
    /// Not signed in: OAuth's `error` (`access_denied`, `popup_blocked`, …) and its description.
    Failed {
        /// OAuth's error code.
        error: String,
        /// Amazon's description of it.
        description: String,
    },
}

impl core::fmt::Debug for AuthorizeResponse {
    /// Never prints the token.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            AuthorizeResponse::Token { expires_in, .. } => f.debug_struct("Token").field("expires_in", expires_in).finish_non_exhaustive(),
            AuthorizeResponse::Failed { error, description } => {
                f.debug_struct("Failed").field("error", error).field("description", description).finish()
            }
        }
    }
}

impl AuthorizeResponse {
    /// Reads Amazon's answer object (`{status, access_token, expires_in}` or `{error, error_description}`).
    pub fn from_js(value: &JsValue) -> AuthorizeResponse {
        let field = |key: &str| get(value, key);
        let text = |key: &str| field(key).and_then(|v| v.as_string());
        // A number, or a string of digits (query answers); no float parsing or printing (smaller wasm).
        let seconds = field("expires_in").and_then(|v| match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Some(n.min(f64::from(u32::MAX)) as u32),
            _ => v.as_string().and_then(|s| crate::scan::number(s.trim_ascii())).and_then(|n| u32::try_from(n).ok()),
        });
        match (text("access_token"), text("error")) {
            (Some(access_token), None) if !access_token.is_empty() => AuthorizeResponse::Token { access_token, expires_in: seconds },
            (_, error) => AuthorizeResponse::Failed {
                error: error.unwrap_or_else(|| "server_error".to_owned()),
                description: text("error_description").unwrap_or_default(),
            },
        }
    }

    /// The popup could not open (the sandbox reports this; a real browser may block silently).
    pub fn is_popup_blocked(&self) -> bool {
        matches!(self, AuthorizeResponse::Failed { error, .. } if error == "popup_blocked")
    }
}

/// A sign-in in progress. Owns the callback Amazon will call; dropping it releases the callback.
#[must_use = "dropping an Authorization releases the callback Amazon answers to"]
pub struct Authorization {
    _callback: Option<Closure<dyn FnMut(JsValue)>>,
}

fn login(name: &'static str) -> Result<JsValue, LoginError> {
    get_path(&["amazon", "Login"]).filter(|l| get(l, name).is_some_and(|f| f.is_function())).ok_or(LoginError::NotLoaded(name))
}

/// `amazon.Login[name](...args)`, once the script has that function. One copy for every call.
fn call(name: &'static str, args: &[JsValue]) -> Result<JsValue, LoginError> {
    let l = login(name)?;
    call_method(&l, name, args).map_err(|thrown| LoginError::Rejected(super::thrown_text(&thrown)))
}

/// `true` once `amazon.Login.authorize` exists on the page.
pub fn is_loaded() -> bool {
    login("authorize").is_ok()
}

/// `amazon.Login.setClientId(id)`: required before `authorize`.
pub fn set_client_id(client_id: &str) -> Result<(), LoginError> {
    call("setClientId", &[JsValue::from_str(client_id)]).map(drop)
}

/// `amazon.Login.setSandboxMode(on)`.
pub fn set_sandbox_mode(on: bool) -> Result<(), LoginError> {
    call("setSandboxMode", &[JsValue::from_bool(on)]).map(drop)
}

/// `amazon.Login.logout()`: ends the buyer's Login with Amazon session.
pub fn logout() -> Result<(), LoginError> {
    call("logout", &[]).map(drop)
}

/// The options object as Amazon spells it (the `Serialize` names, built without serde: a smaller wasm), in a
/// popup or not.
fn options_object(options: &AuthorizeOptions, popup: bool) -> JsValue {
    object(&[("scope", text(options.scope)), ("popup", Some(JsValue::from_bool(popup))), ("response_type", text(options.response_type))])
}

/// `amazon.Login.authorize(options, callback)`. Call it synchronously from the click that asked for it, or
/// the browser blocks the popup. `on_answer` runs at most once.
pub fn authorize(options: &AuthorizeOptions, on_answer: impl FnOnce(AuthorizeResponse) + 'static) -> Result<Authorization, LoginError> {
    let callback = Closure::once(move |answer: JsValue| on_answer(AuthorizeResponse::from_js(&answer)));
    call("authorize", &[options_object(options, options.popup), callback.as_ref().clone()])?;
    Ok(Authorization { _callback: Some(callback) })
}

/// `amazon.Login.authorize({…, popup: false}, returnUrl)`: the whole page goes to Amazon and comes back to
/// `return_url` with the token in the fragment (`#access_token=…`).
pub fn authorize_redirect(options: &AuthorizeOptions, return_url: &str) -> Result<(), LoginError> {
    call("authorize", &[options_object(options, false), JsValue::from_str(return_url)]).map(drop)
}

/// [`authorize`] in a popup; when the popup is blocked, the same sign-in in this page (redirect mode) back to
/// `return_url`. `on_answer` gets every other answer.
pub fn authorize_with_fallback(
    options: &AuthorizeOptions,
    return_url: &str,
    on_answer: impl FnOnce(AuthorizeResponse) + 'static,
) -> Result<Authorization, LoginError> {
    // The redirect's arguments, made now: the answer's callback keeps no copy of the options.
    let fallback = [options_object(options, false), JsValue::from_str(return_url)];
    authorize(options, move |answer| {
        if !answer.is_popup_blocked() {
            return on_answer(answer);
        }
        web_sys::console::warn_1(&"Amazon Pay: the sign-in popup was blocked; signing in in this window instead".into());
        if let Err(err) = call("authorize", &fallback) {
            on_answer(AuthorizeResponse::Failed { error: "popup_blocked".into(), description: err.text() });
        }
    })
}

impl LoginError {
    /// What went wrong, in words (what `Display` writes), built without a `Formatter`: `to_string` would be one
    /// more generic copy of `ToString` in the bundles.
    pub fn text(&self) -> String {
        match self {
            LoginError::NotLoaded(name) => ["amazon.Login.", name, " is not available: Widgets.js is not loaded"].concat(),
            LoginError::Rejected(cause) => ["amazon.Login rejected the call: ", cause].concat(),
        }
    }
}

impl core::fmt::Display for LoginError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.text())
    }
}
