//! What every legacy Checkout v1 view shares: loading `Widgets.js` (refusing the sandbox's script in live
//! mode), the access token the page starts with, Amazon's button that signs the buyer in (popup, or this
//! window when the popup is blocked), and signing out.

use super::token::{self, AccessToken};
use crate::client::ClientError;
use crate::interop::amazon_login::{self, Authorization, AuthorizeOptions, AuthorizeResponse};
use crate::interop::off_amazon_payments::{self, AmazonWidgetError, Bound, ButtonOptions, WidgetsError};
use crate::prelude::*;
use alloc::rc::Rc;
use amazon_pay_contract::cv1::{WidgetsConfig, AMAZON_EU_WIDGETS_JS};
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::Cell;
use core::future::Future;
use core::time::Duration;

/// The Login with Amazon scopes the widgets need (CheckoutChamp's kit and Magento's EU set).
pub const LOGIN_SCOPE: &str = "profile payments:widget payments:shipping_address payments:billing_address";

/// Why a CV1 view could not start.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The backend did not give the widgets' configuration.
    Backend(#[from] ClientError),
    /// Amazon's `Widgets.js` did not load or refused the call.
    Widgets(#[from] WidgetsError),
    /// Live mode and a script that is not Amazon's own (the URL).
    UntrustedScript(String),
}

impl SetupError {
    /// The buyer's sentence: the backend's when it sent one, else "not available right now".
    pub fn buyer_message(&self, lang: Language) -> String {
        match self {
            SetupError::Backend(e) => buyer_message(e, lang),
            _ => ErrorCode::Internal.buyer_message(lang).to_owned(),
        }
    }
}

pub use crate::views::common::buyer_message;

/// Loads `Widgets.js` for `config`; in live mode only from Amazon.
pub fn prepare(config: &WidgetsConfig, timeout: Duration) -> impl Future<Output = Result<(), SetupError>> + 'static {
    let untrusted = !config.sandbox && config.script_url != AMAZON_EU_WIDGETS_JS;
    let (url, client_id, sandbox) = (config.script_url.clone(), config.client_id.clone(), config.sandbox);
    async move {
        if untrusted {
            return Err(SetupError::UntrustedScript(url));
        }
        off_amazon_payments::load(&url, &client_id, sandbox, timeout).await?;
        Ok(())
    }
}

/// The token the page starts with: from the address bar (taken out at once) or kept in this tab; and the
/// sign-in error Amazon put in the address, if any.
pub fn start_token() -> (Option<AccessToken>, Option<String>) {
    let found = token::take_from_address_bar();
    let from_url = found.token.is_some();
    let current = found.token.or_else(token::recall);
    if let Some(t) = &current {
        if from_url {
            token::remember(t);
        }
        // Amazon's script did not hand this token out on this page: tell it (reference §B.3).
        token::share_with_widgets(t);
    }
    (current, found.error)
}

/// How Amazon's button looks and signs in. The values are Amazon's fixed names: `&'static str`, so a style is
/// copied, not allocated (a smaller wasm).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonStyle {
    /// `PwA`, `Pay`, `A`, `LwA` or `Login`.
    pub button_type: &'static str,
    /// `Gold`, `LightGray` or `DarkGray`.
    pub color: &'static str,
    /// `small`, `medium`, `large` or `x-large`.
    pub size: &'static str,
    /// Sign in in a popup (falling back to this window when it is blocked); `false`: always this window.
    pub popup: bool,
}

impl Default for ButtonStyle {
    fn default() -> Self {
        ButtonStyle { button_type: "PwA", color: "Gold", size: "medium", popup: true }
    }
}

/// Why signing in did not work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInProblem {
    /// The buyer cancelled on Amazon's page.
    Cancelled,
    /// Anything else; the cause is for the developer.
    Failed(String),
    /// Amazon's button reported an error (`onError`).
    Widget(AmazonWidgetError),
}

impl SignInProblem {
    /// For the developer's console.
    pub fn describe(&self) -> String {
        match self {
            SignInProblem::Cancelled => "cancelled by the buyer".into(),
            SignInProblem::Failed(cause) => cause.clone(),
            SignInProblem::Widget(err) => ["Amazon's button: ", &err.code, ": ", &err.message].concat(),
        }
    }
}

/// Amazon's button on the page, with the sign-in it may have started. Keep it as long as the view lives.
#[must_use = "dropping a SignInButton releases the button's and the sign-in's callbacks"]
pub struct SignInButton {
    _button: Bound,
    _pending: Rc<Cell<Option<Authorization>>>,
}

/// Amazon's spelling of the buyer's language for the button.
fn button_language(lang: Language) -> &'static str {
    match lang {
        Language::De => "de-DE",
        Language::En => "en-GB",
        Language::Fr => "fr-FR",
        Language::It => "it-IT",
        Language::Es => "es-ES",
    }
}

/// This page's address without its fragment: where a redirect-mode sign-in comes back to.
fn return_url() -> String {
    let href = web_sys::window().map(|w| crate::dom_calls::href(&w.location())).unwrap_or_default();
    crate::scan::cut(&href, b'#').0.to_owned()
}

/// What came of a click on Amazon's button: the buyer's token (already kept for this tab), or why not.
pub type SignInAnswer = Result<AccessToken, SignInProblem>;

/// Renders `OffAmazonPayments.Button` into `container_id`. A click signs the buyer in; `on_answer` hears how
/// that went (one callback for every outcome: a smaller wasm).
pub fn render_button(
    container_id: &str,
    seller_id: &str,
    style: &ButtonStyle,
    lang: Language,
    on_answer: Rc<dyn Fn(SignInAnswer)>,
) -> Result<SignInButton, WidgetsError> {
    let pending: Rc<Cell<Option<Authorization>>> = Rc::default();
    let options = ButtonOptions {
        button_type: style.button_type,
        color: style.color,
        size: style.size,
        language: Some(button_language(lang)),
        use_amazon_address_book: true,
        agreement_type: None,
    };
    let popup = style.popup;
    let (started, answered) = (pending.clone(), on_answer.clone());
    // Runs inside the buyer's click: `authorize` must be called synchronously from here.
    let authorization = move || {
        let options = AuthorizeOptions::popup(LOGIN_SCOPE);
        let tell = answered.clone();
        let answer = move |response: AuthorizeResponse| {
            tell(match response {
                AuthorizeResponse::Token { access_token, expires_in } => match AccessToken::parse(&access_token, expires_in, token::now_ms()) {
                    Some(token) => {
                        token::remember(&token);
                        Ok(token)
                    }
                    None => Err(SignInProblem::Failed("Amazon returned a malformed access token".into())),
                },
                AuthorizeResponse::Failed { error, .. } if error == "access_denied" => Err(SignInProblem::Cancelled),
                AuthorizeResponse::Failed { error, description } => Err(SignInProblem::Failed([error.as_str(), ": ", &description].concat())),
            })
        };
        let result = if popup {
            amazon_login::authorize_with_fallback(&options, &return_url(), answer).map(Some)
        } else {
            amazon_login::authorize_redirect(&options, &return_url()).map(|()| None)
        };
        match result {
            // A newer sign-in replaces an older one whose popup the buyer closed (Amazon never says so).
            Ok(authorization) => started.set(authorization),
            Err(err) => answered(Err(SignInProblem::Failed(err.text()))),
        }
    };
    let on_error = move |err: AmazonWidgetError| on_answer(Err(SignInProblem::Widget(err)));
    let button = off_amazon_payments::button(container_id, seller_id, &options, authorization, on_error)?;
    Ok(SignInButton { _button: button, _pending: pending })
}

/// Signs the buyer out of Amazon and this tab, and reloads the page without the checkout's own parameters:
/// the view starts over with Amazon's button (as CheckoutChamp's lander does).
pub fn sign_out() {
    if let Err(err) = amazon_login::logout() {
        web_sys::console::warn_1(&["Amazon Pay: ", &err.text()].concat().into());
    }
    token::forget();
    restart();
}

/// Reloads this page without the checkout's return parameters (a new checkout), in place of it in the history.
pub fn restart() {
    let Some(location) = web_sys::window().map(|w| w.location()) else { return };
    let path = crate::dom_calls::pathname(&location);
    let search = crate::dom_calls::search(&location);
    let kept = token::without_keys(crate::scan::trim_start(&search, b'?'), "?", &["workorderId", "order", "result", "AuthenticationStatus"]);
    crate::page::replace_with(&[path.as_str(), &kept].concat());
}

impl core::fmt::Display for SetupError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&crate::js_error::Cause::text(self))
    }
}

impl crate::js_error::Cause for SetupError {
    fn text(&self) -> String {
        match self {
            SetupError::Backend(e) => e.text(),
            SetupError::Widgets(e) => e.text(),
            SetupError::UntrustedScript(url) => ["refusing to load ", url, " in live mode: only Amazon's own Widgets.js may run there"].concat(),
        }
    }
}

#[cfg(test)]
mod cause_tests {
    use super::SetupError;
    use crate::client::ClientError;
    use crate::interop::amazon_login::LoginError;
    use crate::interop::off_amazon_payments::WidgetsError;
    use crate::interop::script_loader::ScriptError;
    use crate::js_error::Cause;
    use amazon_pay_contract::{ApiError, ErrorCode};

    /// `Cause::text` (the legacy views' console and `error` events) says what `Display` says, for every variant.
    #[test]
    fn every_cause_reads_as_its_display() {
        let api =
            |detail: Option<&str>| ApiError { code: ErrorCode::SoftDecline, message: "Choose another card.".into(), detail: detail.map(Into::into) };
        let clients = [
            ClientError::Network { url: "/api/x".into(), cause: "Failed to fetch".into() },
            ClientError::Api { url: "/api/x".into(), error: api(None) },
            ClientError::Api { url: "/api/x".into(), error: api(Some("unknown item")) },
            ClientError::Decode { url: "/api/x".into(), status: 502, cause: "not JSON".into() },
        ];
        let scripts = [
            ScriptError::Failed { url: "https://w.example/Widgets.js".into() },
            ScriptError::TimedOut { url: "https://w.example/Widgets.js".into(), millis: 8000 },
        ];
        let widgets = [
            WidgetsError::NotLoaded("Widget"),
            WidgetsError::Rejected("bad seller".into()),
            WidgetsError::Script(scripts[1].clone()),
            WidgetsError::NotReady(5000),
        ];
        for e in &clients {
            assert_eq!(e.text(), e.to_string());
            let setup = SetupError::Backend(e.clone());
            assert_eq!(setup.text(), setup.to_string());
        }
        for e in &scripts {
            assert_eq!(e.text(), e.to_string());
        }
        for e in &widgets {
            assert_eq!(e.text(), e.to_string());
            let setup = SetupError::Widgets(e.clone());
            assert_eq!(setup.text(), setup.to_string());
        }
        let untrusted = SetupError::UntrustedScript("https://evil.example/w.js".into());
        assert_eq!(untrusted.to_string(), "refusing to load https://evil.example/w.js in live mode: only Amazon's own Widgets.js may run there");
        for e in [LoginError::NotLoaded("authorize"), LoginError::Rejected("no client id".into())] {
            assert!(e.to_string().starts_with("amazon.Login"));
            assert_eq!(e.text(), e.to_string());
        }
        assert_eq!(clients[3].text(), "HTTP 502 from /api/x, not the API's JSON: not JSON");
        assert_eq!(widgets[3].text(), "Widgets.js loaded but did not call onAmazonPaymentsReady within 5000 ms");
    }
}
