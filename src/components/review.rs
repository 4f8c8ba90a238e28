//! The order-review page of Checkout v2: the buyer's Amazon Pay details, changing address and payment on
//! Amazon's pages, the delivery option (which changes the total), and "Place order" — one order however
//! often it is clicked.

use super::common::{format_money, AddressView};
use crate::client::{Client, ClientError};
use crate::embed::events::{emit, WidgetEvent};
use crate::interop::amazon_pay::{self, ChangeAction};
use crate::interop::script_loader;
use crate::page::{self, ReviewParams};
use crate::texts::Text;
use amazon_pay_contract::cv2::{CheckoutDetails, DeliveryOption, PlaceOrderOutcome, PlaceOrderRequest, UpdateDeliveryRequest};
use amazon_pay_contract::orders::OrderState;
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How the review page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewOptions {
    pub client: Client,
    pub language: Language,
    /// Where "Back to cart" leads.
    pub cart_url: String,
    /// The confirmation page; `?order=<id>` is appended.
    pub confirmation_url: String,
    pub script_timeout: Duration,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            client: Client::default(),
            language: Language::default(),
            cart_url: "/".into(),
            confirmation_url: "/confirmation.html".into(),
            script_timeout: Duration::from_secs(10),
        }
    }
}

/// What the page can show.
#[derive(Debug, Clone, PartialEq)]
enum Phase {
    Loading,
    /// Nothing to review: the checkout is unknown, expired or the address is malformed.
    Fatal(String),
    Ready,
}

static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// The buyer's sentence for a failed backend call.
fn buyer_message(err: &ClientError, lang: Language) -> String {
    match err.api_error() {
        Some(api) => api.message.clone(),
        None => ErrorCode::UpstreamError.buyer_message(lang).to_owned(),
    }
}

fn with_order(url: &str, order_id: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}order={}", amazon_pay_contract::routes::encode_segment(order_id))
}

/// Loads `checkout.js` and binds Amazon's change actions to the two buttons.
async fn bind_changes(details: &CheckoutDetails, ids: (&str, &str), timeout: Duration) -> Result<(), String> {
    if !details.sandbox && details.script_url != crate::views::button::AMAZON_EU_CHECKOUT_JS {
        return Err(format!("refusing to load {} in live mode", details.script_url));
    }
    script_loader::load_script_with_retry(&details.script_url, timeout, 2).await.map_err(|e| e.to_string())?;
    let session = &details.amazon_checkout_session_id;
    amazon_pay::bind_change_action(&format!("#{}", ids.0), session, ChangeAction::ChangeAddress).map_err(|e| e.to_string())?;
    amazon_pay::bind_change_action(&format!("#{}", ids.1), session, ChangeAction::ChangePayment).map_err(|e| e.to_string())?;
    Ok(())
}

/// The order-review page.
#[component]
pub fn OrderReview(options: ReviewOptions) -> impl IntoView {
    let lang = options.language;
    let t = move |text: Text| text.get(lang);
    let n = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let change_address_id = format!("amazon-pay-change-address-{n}");
    let change_payment_id = format!("amazon-pay-change-payment-{n}");

    let host = NodeRef::<leptos::html::Section>::new();
    let phase = RwSignal::new(Phase::Loading);
    let details = RwSignal::new(None::<CheckoutDetails>);
    // Announced through the aria-live region.
    let notice = RwSignal::new(String::new());
    let decline = RwSignal::new(None::<ErrorCode>);
    let busy = RwSignal::new(false);
    let placed = RwSignal::new(None::<String>);
    let idempotency_key = StoredValue::new(page::new_idempotency_key());
    let client = StoredValue::new(options.client.clone());
    let emit_event = move |event: WidgetEvent| {
        if let Some(el) = host.get_untracked() {
            emit(&el, event);
        }
    };

    // Load the checkout, bind the change actions, and explain a return from Amazon's pages.
    {
        let options = options.clone();
        let ids = (change_address_id.clone(), change_payment_id.clone());
        leptos::task::spawn_local(async move {
            let params = match ReviewParams::parse(&page::current_search(), page::stored_workorder()) {
                Ok(p) => p,
                Err(err) => {
                    web_sys::console::error_1(&format!("Amazon Pay review: {err}").into());
                    phase.try_set(Phase::Fatal(t(Text::MissingCheckout).into()));
                    return;
                }
            };
            let Some(workorder_id) = params.workorder_id.clone() else {
                web_sys::console::error_1(&"Amazon Pay review: no workorderId in the address and none stored".into());
                phase.try_set(Phase::Fatal(t(Text::MissingCheckout).into()));
                return;
            };
            let loaded = match options.client.cv2_session(&workorder_id, lang).await {
                Ok(d) => d,
                Err(err) => {
                    web_sys::console::error_1(&format!("Amazon Pay review: {err}").into());
                    emit_event(WidgetEvent::Error { message: err.to_string() });
                    // Back from Amazon after abandoning: the session is closed; say why, not just "expired".
                    let mut message = buyer_message(&err, lang);
                    if let Some(order_id) = &params.order_id {
                        if let Ok(status) = options.client.order_status(order_id, lang).await {
                            if status.state == OrderState::Abandoned {
                                message = t(Text::Abandoned).into();
                            }
                        }
                    }
                    phase.try_set(Phase::Fatal(message));
                    return;
                }
            };
            placed.try_set(loaded.order_id.clone());
            details.try_set(Some(loaded.clone()));
            phase.try_set(Phase::Ready);
            emit_event(WidgetEvent::ReviewReady { workorder_id: workorder_id.clone() });

            if let Some(order_id) = params.order_id {
                if let Ok(status) = options.client.order_status(&order_id, lang).await {
                    match status.state {
                        OrderState::Abandoned => {
                            notice.try_set(t(Text::Abandoned).into());
                        }
                        OrderState::Declined | OrderState::Failed => {
                            decline.try_set(status.decline);
                            notice.try_set(status.message.unwrap_or_default());
                        }
                        _ => {}
                    }
                }
            }
            if let Err(err) = bind_changes(&loaded, (&ids.0, &ids.1), options.script_timeout).await {
                web_sys::console::error_1(&format!("Amazon Pay review: cannot bind change actions: {err}").into());
                emit_event(WidgetEvent::Error { message: err });
            }
        });
    }

    let change_delivery = move |delivery: DeliveryOption| {
        let Some(current) = details.get_untracked() else { return };
        if current.delivery == delivery || busy.get_untracked() {
            return;
        }
        busy.set(true);
        notice.set(t(Text::UpdatingTotal).into());
        let client = client.get_value();
        leptos::task::spawn_local(async move {
            let request = UpdateDeliveryRequest { delivery, language: lang };
            match client.update_delivery(&current.workorder_id, &request).await {
                Ok(updated) => {
                    details.try_set(Some(updated));
                    notice.try_set(t(Text::TotalUpdated).into());
                }
                Err(err) => {
                    web_sys::console::error_1(&format!("Amazon Pay review: {err}").into());
                    // Put the radio buttons back to what the server has.
                    details.try_set(Some(current));
                    notice.try_set(buyer_message(&err, lang));
                }
            }
            busy.try_set(false);
        });
    };

    let confirmation_url = options.confirmation_url.clone();
    let place_order = move |_| {
        if busy.get_untracked() {
            return;
        }
        let Some(current) = details.get_untracked() else { return };
        busy.set(true);
        decline.set(None);
        notice.set(t(Text::Placing).into());
        let client = client.get_value();
        let confirmation_url = confirmation_url.clone();
        leptos::task::spawn_local(async move {
            let request = PlaceOrderRequest { idempotency_key: idempotency_key.get_value(), language: lang };
            match client.place_order(&current.workorder_id, &request).await {
                Ok(response) => {
                    let order_id = response.order_id.clone();
                    emit_event(WidgetEvent::OrderPlaced { order_id: order_id.clone() });
                    match response.outcome {
                        PlaceOrderOutcome::Redirect { url } => {
                            notice.try_set(t(Text::RedirectingToAmazon).into());
                            emit_event(WidgetEvent::Redirecting { order_id, url: url.clone() });
                            page::navigate(&url);
                        }
                        PlaceOrderOutcome::Approved => {
                            emit_event(WidgetEvent::Approved { order_id: order_id.clone() });
                            page::navigate(&with_order(&confirmation_url, &order_id));
                        }
                        PlaceOrderOutcome::Pending => {
                            emit_event(WidgetEvent::Pending { order_id: order_id.clone() });
                            page::navigate(&with_order(&confirmation_url, &order_id));
                        }
                        PlaceOrderOutcome::Declined { code, message } => {
                            emit_event(WidgetEvent::Declined { order_id, code: code.as_str().into(), message: message.clone() });
                            decline.try_set(Some(code));
                            notice.try_set(message);
                            // A new attempt is a new intent.
                            idempotency_key.set_value(page::new_idempotency_key());
                            busy.try_set(false);
                        }
                    }
                }
                Err(err) => {
                    web_sys::console::error_1(&format!("Amazon Pay review: {err}").into());
                    emit_event(WidgetEvent::Error { message: err.to_string() });
                    notice.try_set(buyer_message(&err, lang));
                    idempotency_key.set_value(page::new_idempotency_key());
                    busy.try_set(false);
                }
            }
        });
    };

    let cart_url = options.cart_url.clone();
    let confirmation_link = options.confirmation_url.clone();
    let hard_declined = move || decline.get() == Some(ErrorCode::HardDecline);
    view! {
        <section class="amazon-pay-review" node_ref=host aria-labelledby=format!("amazon-pay-review-title-{n}")>
            <h2 id=format!("amazon-pay-review-title-{n}")>{t(Text::ReviewTitle)}</h2>
            <p class="amazon-pay-notice" role="status" aria-live="polite">{move || notice.get()}</p>
            {move || match phase.get() {
                Phase::Loading => view! { <p class="amazon-pay-loading" aria-busy="true">{t(Text::Loading)}</p> }.into_any(),
                Phase::Fatal(message) => view! {
                    <div class="amazon-pay-fatal" role="alert">
                        <p>{message}</p>
                        <a href=cart_url.clone()>{t(Text::BackToCart)}</a>
                    </div>
                }.into_any(),
                Phase::Ready => ().into_any(),
            }}
            <div class="amazon-pay-review-body" hidden=move || phase.get() != Phase::Ready>
                {move || details.get().map(|d| view! {
                    <div class="amazon-pay-review-grid">
                        <section>
                            <h3>{t(Text::Buyer)}</h3>
                            <p><span class="amazon-pay-buyer-name">{d.buyer_name.clone()}</span><br />
                               <span class="amazon-pay-buyer-email">{d.email.clone()}</span></p>
                        </section>
                        <section>
                            <h3>{t(Text::ShippingAddress)}</h3>
                            <AddressView address=d.shipping_address.clone() />
                        </section>
                        <section>
                            <h3>{t(Text::PaymentMethod)}</h3>
                            <p class="amazon-pay-payment">{d.payment_descriptor.clone().unwrap_or_else(|| t(Text::PaidWithAmazon).into())}</p>
                        </section>
                    </div>
                    <h3>{t(Text::Items)}</h3>
                    <ul class="amazon-pay-items">
                        {d.items.iter().map(|line| view! {
                            <li>{format!("{} × {}", line.quantity, line.name)}" "<span class="amazon-pay-price">{format_money(line.unit_price, lang)}</span></li>
                        }).collect_view()}
                    </ul>
                    <p class="amazon-pay-total">{t(Text::Total)}": "<strong>{format_money(d.amount, lang)}</strong></p>
                })}
                <div class="amazon-pay-change-actions">
                    <button type="button" id=change_address_id.clone() class="amazon-pay-change-address">{t(Text::ChangeAddress)}</button>
                    <button type="button" id=change_payment_id.clone() class="amazon-pay-change-payment">{t(Text::ChangePayment)}</button>
                </div>
                <fieldset class="amazon-pay-delivery" disabled=move || busy.get() || placed.get().is_some()>
                    <legend>{t(Text::Delivery)}</legend>
                    <label>
                        <input type="radio" name=format!("amazon-pay-delivery-{n}") value="standard"
                            prop:checked=move || details.get().map(|d| d.delivery == DeliveryOption::Standard).unwrap_or(true)
                            on:change=move |_| change_delivery(DeliveryOption::Standard) />
                        {t(Text::DeliveryStandard)}
                    </label>
                    <label>
                        <input type="radio" name=format!("amazon-pay-delivery-{n}") value="express"
                            prop:checked=move || details.get().map(|d| d.delivery == DeliveryOption::Express).unwrap_or(false)
                            on:change=move |_| change_delivery(DeliveryOption::Express) />
                        {t(Text::DeliveryExpress)}
                    </label>
                </fieldset>
                {move || placed.get().map(|order_id| view! {
                    <p class="amazon-pay-already-placed">{t(Text::AlreadyPlaced)}" "
                        <a href=with_order(&confirmation_link, &order_id)>{t(Text::ViewOrder)}</a></p>
                })}
                <p class="amazon-pay-decline-help" hidden=move || decline.get() != Some(ErrorCode::SoftDecline)>{t(Text::ChooseAnother)}</p>
                <a class="amazon-pay-back-to-cart" href=options.cart_url.clone() hidden=move || !hard_declined()>{t(Text::BackToCart)}</a>
                <button type="button" class="amazon-pay-place-order"
                    hidden=move || placed.get().is_some() || hard_declined()
                    disabled=move || busy.get()
                    aria-busy=move || busy.get().to_string()
                    on:click=place_order>
                    {t(Text::PlaceOrder)}
                </button>
            </div>
        </section>
    }
}
