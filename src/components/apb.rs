//! APB: Amazon Pay as the last step of the shop's own checkout. The shop's button authorizes first
//! (through the backend); PAYONE's answer carries the signed payload, and `amazon.Pay.initCheckout` takes
//! the buyer to Amazon to choose a payment method and confirm. No Amazon button is rendered.

use crate::views::button::{render_options, AMAZON_EU_CHECKOUT_JS};
use crate::client::Client;
use crate::embed::events::{emit, WidgetEvent};
use crate::interop::{amazon_pay, script_loader};
use crate::page;
use crate::texts::Text;
use amazon_pay_contract::apb::{ApbBuyer, ApbOrderRequest};
use amazon_pay_contract::cv2::{CartLine, PostalAddress, ProductType};
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::time::Duration;
use wasm_bindgen::JsCast;

/// How the APB button is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ApbOptions {
    pub client: Client,
    pub language: Language,
    pub items: Vec<CartLine>,
    pub product_type: ProductType,
    /// CSS selector of the shop's address form (for `PayAndShip`); fields are read by name: `first_name`,
    /// `last_name`, `street`, `zip`, `city`, `country`, `email`, `phone`.
    pub buyer_form: Option<String>,
    pub script_timeout: Duration,
}

/// Reads and validates the shop's address form; `None` (after the browser shows what is missing) if invalid.
fn read_buyer(selector: &str) -> Option<ApbBuyer> {
    let form = web_sys::window()?
        .document()?
        .query_selector(selector)
        .ok()??
        .dyn_into::<web_sys::HtmlFormElement>()
        .ok()?;
    if !form.report_validity() {
        return None;
    }
    let data = web_sys::FormData::new_with_form(&form).ok()?;
    let field = |name: &str| data.get(name).as_string().unwrap_or_default().trim().to_owned();
    Some(ApbBuyer {
        email: field("email"),
        phone: field("phone"),
        address: PostalAddress {
            first_name: field("first_name"),
            last_name: field("last_name"),
            street: field("street"),
            zip: field("zip"),
            city: field("city"),
            country: field("country"),
            phone: field("phone"),
            ..Default::default()
        },
    })
}

/// The shop's "Pay with Amazon Pay" button for the end of its checkout.
#[component]
pub fn ApbCheckout(options: ApbOptions) -> impl IntoView {
    let lang = options.language;
    let host = NodeRef::<leptos::html::Div>::new();
    let busy = RwSignal::new(false);
    let notice = RwSignal::new(String::new());
    let idempotency_key = StoredValue::new(page::new_idempotency_key());
    let options = StoredValue::new(options);
    let emit_event = move |event: WidgetEvent| {
        if let Some(el) = host.get_untracked() {
            emit(&el, event);
        }
    };
    let fail = move |detail: String, message: String| {
        web_sys::console::error_1(&format!("Amazon Pay APB: {detail}").into());
        emit_event(WidgetEvent::Error { message: detail });
        notice.try_set(message);
        idempotency_key.set_value(page::new_idempotency_key());
        busy.try_set(false);
    };
    let pay = move |_| {
        if busy.get_untracked() {
            return;
        }
        let options = options.get_value();
        let buyer = match (&options.product_type, &options.buyer_form) {
            (ProductType::PayAndShip, Some(selector)) => match read_buyer(selector) {
                Some(buyer) => Some(buyer),
                None => {
                    notice.set(Text::CompleteForm.get(lang).into());
                    return;
                }
            },
            _ => None,
        };
        busy.set(true);
        notice.set(Text::OpeningAmazon.get(lang).into());
        emit_event(WidgetEvent::ButtonClicked);
        leptos::task::spawn_local(async move {
            let request = ApbOrderRequest {
                items: options.items.clone(),
                idempotency_key: idempotency_key.get_value(),
                language: lang,
                product_type: options.product_type,
                buyer,
            };
            let placed = match options.client.place_apb_order(&request).await {
                Ok(placed) => placed,
                Err(err) => {
                    let message = err.api_error().map(|e| e.message.clone());
                    return fail(err.to_string(), message.unwrap_or_else(|| ErrorCode::UpstreamError.buyer_message(lang).into()));
                }
            };
            emit_event(WidgetEvent::OrderPlaced { order_id: placed.order_id.clone() });
            let config = placed.button;
            if !config.sandbox && config.script_url != AMAZON_EU_CHECKOUT_JS {
                return fail(format!("refusing to load {} in live mode", config.script_url), ErrorCode::Internal.buyer_message(lang).into());
            }
            if let Err(err) = script_loader::load_script_with_retry(&config.script_url, options.script_timeout, 2).await {
                return fail(err.to_string(), ErrorCode::Internal.buyer_message(lang).into());
            }
            let mut render = render_options(&config, "Checkout", "Gold");
            render.estimated_order_amount = None;
            emit_event(WidgetEvent::Redirecting { order_id: placed.order_id, url: String::new() });
            if let Err(err) = amazon_pay::init_checkout(&render) {
                fail(err.to_string(), ErrorCode::Internal.buyer_message(lang).into());
            }
        });
    };
    view! {
        <div class="amazon-pay-apb" node_ref=host>
            <button type="button" class="amazon-pay-apb-button" on:click=pay disabled=move || busy.get()
                aria-busy=move || busy.get().to_string()>
                {Text::PayWithAmazon.get(lang)}
            </button>
            <p class="amazon-pay-notice" role="status" aria-live="polite">{move || notice.get()}</p>
        </div>
    }
}
