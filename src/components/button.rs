//! The Checkout v2 button: asks the backend for a session, loads `checkout.js`, renders Amazon's button.
//!
//! While it loads it holds the button's place (so the page does not jump); on failure it says so in the
//! buyer's language and shows no broken button; the cause goes to the console and to an `error` event.

use crate::client::Client;
use crate::embed::events::{emit, WidgetEvent};
use crate::interop::amazon_pay::{self, CheckoutSessionConfig, EstimatedOrderAmount, RenderButtonOptions};
use crate::interop::script_loader;
use amazon_pay_contract::cv2::{ButtonConfig, CartLine, CreateSessionRequest};
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// Amazon's only EU script; the live widget refuses any other source.
pub const AMAZON_EU_CHECKOUT_JS: &str = "https://static-eu.payments-amazon.com/checkout.js";

/// How the button is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ButtonOptions {
    pub client: Client,
    pub items: Vec<CartLine>,
    pub language: Language,
    /// `Gold`, `LightGray` or `DarkGray`.
    pub color: String,
    /// `Cart`, `Product`, `Checkout`, `Home` or `Other`.
    pub placement: String,
    pub script_timeout: Duration,
}

impl Default for ButtonOptions {
    fn default() -> Self {
        ButtonOptions {
            client: Client::default(),
            items: Vec::new(),
            language: Language::default(),
            color: "Gold".into(),
            placement: "Cart".into(),
            script_timeout: Duration::from_secs(10),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum ButtonState {
    Loading,
    Ready,
    Failed(String),
}

/// Why the button could not be shown.
#[derive(Debug, thiserror::Error)]
enum SetupError {
    #[error(transparent)]
    Backend(#[from] crate::client::ClientError),
    #[error(transparent)]
    Script(#[from] script_loader::ScriptError),
    #[error(transparent)]
    Amazon(#[from] amazon_pay::AmazonPayError),
    #[error("refusing to load {0} in live mode: only Amazon's own checkout.js may run there")]
    UntrustedScript(String),
}

impl SetupError {
    fn buyer_message(&self, language: Language) -> String {
        match self {
            SetupError::Backend(e) => match e.api_error() {
                Some(api) => api.message.clone(),
                None => ErrorCode::UpstreamError.buyer_message(language).to_owned(),
            },
            _ => ErrorCode::Internal.buyer_message(language).to_owned(),
        }
    }
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Amazon's options for a button (or `initCheckout`) from the backend's configuration.
pub(crate) fn render_options(config: &ButtonConfig, placement: &str, color: &str) -> RenderButtonOptions {
    RenderButtonOptions {
        merchant_id: config.merchant_id.clone(),
        ledger_currency: config.ledger_currency.code().to_owned(),
        sandbox: config.sandbox,
        checkout_language: config.checkout_language.clone(),
        product_type: config.product_type.as_str().to_owned(),
        placement: placement.to_owned(),
        button_color: color.to_owned(),
        estimated_order_amount: Some(EstimatedOrderAmount {
            amount: config.amount.decimal(),
            currency_code: config.amount.currency.code().to_owned(),
        }),
        create_checkout_session_config: Some(CheckoutSessionConfig {
            payload_json: config.payload_json.clone(),
            signature: config.signature.clone(),
            public_key_id: config.public_key_id.clone(),
            algorithm: None,
        }),
    }
}

/// Remembers the workorder for the review page, in case the return URL lacks it.
fn remember_workorder(workorder_id: &str) {
    if let Some(storage) = web_sys::window().and_then(|w| w.session_storage().ok().flatten()) {
        let _ = storage.set_item(crate::page::WORKORDER_STORAGE_KEY, workorder_id);
    }
}

async fn setup(selector: &str, options: &ButtonOptions) -> Result<ButtonConfig, SetupError> {
    let request = CreateSessionRequest { items: options.items.clone(), language: options.language };
    let config = options.client.create_cv2_session(&request).await?;
    if !config.sandbox && config.script_url != AMAZON_EU_CHECKOUT_JS {
        return Err(SetupError::UntrustedScript(config.script_url));
    }
    script_loader::load_script_with_retry(&config.script_url, options.script_timeout, 2).await?;
    amazon_pay::render_button(selector, &render_options(&config, &options.placement, &options.color))?;
    remember_workorder(&config.workorder_id);
    Ok(config)
}

/// The Amazon Pay button for a cart.
#[component]
pub fn AmazonPayButton(options: ButtonOptions) -> impl IntoView {
    let id = format!("amazon-pay-button-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let state = RwSignal::new(ButtonState::Loading);
    let host = NodeRef::<leptos::html::Div>::new();
    let selector = format!("#{id}");
    let language = options.language;
    leptos::task::spawn_local(async move {
        match setup(&selector, &options).await {
            Ok(config) => {
                state.try_set(ButtonState::Ready);
                if let Some(el) = host.get_untracked() {
                    emit(&el, WidgetEvent::Ready { workorder_id: config.workorder_id });
                }
            }
            Err(err) => {
                web_sys::console::error_1(&format!("Amazon Pay button: {err}").into());
                state.try_set(ButtonState::Failed(err.buyer_message(language)));
                if let Some(el) = host.get_untracked() {
                    emit(&el, WidgetEvent::Error { message: err.to_string() });
                }
            }
        }
    });
    let failed = move || matches!(state.get(), ButtonState::Failed(_));
    view! {
        <div class="amazon-pay-widget" node_ref=host>
            <div
                on:click=move |_| {
                    if let Some(el) = host.get_untracked() {
                        emit(&el, WidgetEvent::ButtonClicked);
                    }
                }
                id=id
                class="amazon-pay-button"
                class:amazon-pay-placeholder=move || state.get() == ButtonState::Loading
                aria-busy=move || (state.get() == ButtonState::Loading).to_string()
                hidden=failed
            ></div>
            <p class="amazon-pay-status" role="status" aria-live="polite">
                {move || match state.get() {
                    ButtonState::Failed(message) => message,
                    _ => String::new(),
                }}
            </p>
        </div>
    }
}

/// The button mounted by the embed API: what [`AmazonPayButton`] renders (same markup, states, texts and events),
/// built with plain DOM calls. The button bundle (the cart page) then ships without the Leptos runtime, which
/// is most of its size (see BENCHMARKS.md). Dropping it removes the button.
#[cfg_attr(not(feature = "view-button"), allow(dead_code))]
pub struct PlainButton {
    host: web_sys::Element,
    alive: std::rc::Rc<std::cell::Cell<bool>>,
    _click: wasm_bindgen::closure::Closure<dyn FnMut()>,
}

impl Drop for PlainButton {
    fn drop(&mut self) {
        self.alive.set(false);
        self.host.remove();
    }
}

/// Appends the button to `parent` and starts it (session, `checkout.js`, `renderButton`).
#[cfg_attr(not(feature = "view-button"), allow(dead_code))]
pub fn mount_plain(parent: &web_sys::HtmlElement, options: ButtonOptions) -> Result<PlainButton, wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let document = parent.owner_document().ok_or_else(|| wasm_bindgen::JsValue::from_str("the element has no document"))?;
    let id = format!("amazon-pay-button-{}", NEXT_ID.fetch_add(1, Ordering::Relaxed));
    let host = document.create_element("div")?;
    host.set_class_name("amazon-pay-widget");
    let button = document.create_element("div")?;
    button.set_id(&id);
    button.set_class_name("amazon-pay-button amazon-pay-placeholder");
    button.set_attribute("aria-busy", "true")?;
    let status = document.create_element("p")?;
    status.set_class_name("amazon-pay-status");
    status.set_attribute("role", "status")?;
    status.set_attribute("aria-live", "polite")?;
    host.append_child(&button)?;
    host.append_child(&status)?;
    parent.append_child(&host)?;

    let click = wasm_bindgen::closure::Closure::<dyn FnMut()>::new({
        let host = host.clone();
        move || emit(&host, WidgetEvent::ButtonClicked)
    });
    button.add_event_listener_with_callback("click", click.as_ref().unchecked_ref())?;

    let alive = std::rc::Rc::new(std::cell::Cell::new(true));
    {
        let (host, alive) = (host.clone(), alive.clone());
        let language = options.language;
        wasm_bindgen_futures::spawn_local(async move {
            let result = setup(&format!("#{id}"), &options).await;
            if !alive.get() {
                return;
            }
            let _ = button.class_list().remove_1("amazon-pay-placeholder");
            let _ = button.set_attribute("aria-busy", "false");
            match result {
                Ok(config) => emit(&host, WidgetEvent::Ready { workorder_id: config.workorder_id }),
                Err(err) => {
                    web_sys::console::error_1(&format!("Amazon Pay button: {err}").into());
                    let _ = button.set_attribute("hidden", "");
                    status.set_text_content(Some(&err.buyer_message(language)));
                    emit(&host, WidgetEvent::Error { message: err.to_string() });
                }
            }
        });
    }
    Ok(PlainButton { host, alive, _click: click })
}
