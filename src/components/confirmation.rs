//! The confirmation page: follows the order's status until Amazon has decided (or a deadline passes).

use crate::client::Client;
use crate::embed::events::{emit, WidgetEvent};
use crate::interop::timers::sleep;
use crate::page;
use crate::texts::Text;
use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::{ErrorCode, Language};
use leptos::prelude::*;
use std::time::Duration;

/// How the confirmation page is set up.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmationOptions {
    pub client: Client,
    pub language: Language,
    pub cart_url: String,
    /// First wait between two status reads; it grows to four times that.
    pub poll_interval: Duration,
    /// When to stop following a pending order and say so.
    pub deadline: Duration,
}

impl Default for ConfirmationOptions {
    fn default() -> Self {
        ConfirmationOptions {
            client: Client::default(),
            language: Language::default(),
            cart_url: "/".into(),
            poll_interval: Duration::from_millis(500),
            deadline: Duration::from_secs(120),
        }
    }
}

fn sentence(status: &OrderStatus, lang: Language) -> String {
    match status.state {
        OrderState::Approved => Text::Approved.get(lang).into(),
        OrderState::Paid => Text::Paid.get(lang).into(),
        OrderState::Pending | OrderState::Placing | OrderState::Redirected => Text::Pending.get(lang).into(),
        OrderState::Failed => Text::Failed.get(lang).into(),
        OrderState::Abandoned => Text::Abandoned.get(lang).into(),
        OrderState::Declined | OrderState::UpstreamFailed => status
            .message
            .clone()
            .unwrap_or_else(|| status.decline.unwrap_or(ErrorCode::UpstreamError).buyer_message(lang).into()),
    }
}

/// The order-status page.
#[component]
pub fn OrderConfirmation(options: ConfirmationOptions) -> impl IntoView {
    let lang = options.language;
    let host = NodeRef::<leptos::html::Section>::new();
    let status = RwSignal::new(None::<OrderStatus>);
    let message = RwSignal::new(Text::Pending.get(lang).to_owned());
    let failed = RwSignal::new(false);
    let emit_event = move |event: WidgetEvent| {
        if let Some(el) = host.get_untracked() {
            emit(&el, event);
        }
    };
    {
        let options = options.clone();
        leptos::task::spawn_local(async move {
            let order_id = match page::order_param(&page::current_search()) {
                Ok(Some(id)) => id,
                _ => {
                    message.try_set(Text::UnknownOrder.get(lang).into());
                    failed.try_set(true);
                    return;
                }
            };
            let started = js_sys::Date::now();
            let mut wait = options.poll_interval.as_millis() as u32;
            let mut announced = None;
            loop {
                match options.client.order_status(&order_id, lang).await {
                    Ok(current) => {
                        if announced != Some(current.state) {
                            announced = Some(current.state);
                            message.try_set(sentence(&current, lang));
                            let id = current.order_id.clone();
                            match current.state {
                                OrderState::Approved => emit_event(WidgetEvent::Approved { order_id: id }),
                                OrderState::Paid => emit_event(WidgetEvent::Paid { order_id: id }),
                                OrderState::Pending => emit_event(WidgetEvent::Pending { order_id: id }),
                                OrderState::Failed | OrderState::Declined | OrderState::Abandoned => {
                                    failed.try_set(true);
                                    emit_event(WidgetEvent::Declined {
                                        order_id: id,
                                        code: current.state.as_str().into(),
                                        message: sentence(&current, lang),
                                    });
                                }
                                _ => {}
                            }
                        }
                        let done = current.settled;
                        if status.try_set(Some(current)).is_some() {
                            // The component is gone; stop polling.
                            return;
                        }
                        if done {
                            return;
                        }
                    }
                    Err(err) if err.api_error().map(|e| e.code) == Some(ErrorCode::NotFound) => {
                        message.try_set(Text::UnknownOrder.get(lang).into());
                        failed.try_set(true);
                        return;
                    }
                    Err(err) => web_sys::console::warn_1(&format!("Amazon Pay confirmation: {err}; retrying").into()),
                }
                if js_sys::Date::now() - started > options.deadline.as_millis() as f64 {
                    message.try_set(Text::TakingLong.get(lang).into());
                    return;
                }
                sleep(wait).await;
                wait = (wait * 3 / 2).min(options.poll_interval.as_millis() as u32 * 4);
            }
        });
    }
    view! {
        <section class="amazon-pay-confirmation" node_ref=host>
            <h2>{Text::StatusTitle.get(lang)}</h2>
            <p class="amazon-pay-order-state" role="status" aria-live="polite"
               data-state=move || status.get().map(|s| s.state.as_str()).unwrap_or("loading")>
                {move || message.get()}
            </p>
            {move || status.get().map(|s| view! {
                <p class="amazon-pay-order-number">{Text::OrderNumber.get(lang)}": "<strong>{s.order_id}</strong></p>
            })}
            <a href=options.cart_url.clone() hidden=move || !failed.get()>{Text::BackToCart.get(lang)}</a>
        </section>
    }
}
