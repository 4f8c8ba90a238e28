//! A Leptos shop with the widget's components: what a Leptos app that depends on the crate looks like. The
//! buyer changes the cart (adds a mug, changes quantities) and the Amazon Pay button follows it; Amazon returns
//! the buyer to this app's review page, which places the order, and its confirmation page follows the order.
//! Built with Trunk into `dist/` (see `index.html`, `Trunk.toml` and `scripts/build-examples`, which writes the
//! same page as `review.html` and `confirmation.html`: the app picks its page by the address).

// `#[component]` adds an inner `pub fn` that `unreachable_pub` would flag (as in the widget's components).
#[allow(unreachable_pub)]
mod cart;

use amazon_pay_widget::components::{ConfirmationOptions, OrderConfirmation, OrderReview, ReviewOptions, WidgetEvent};
use leptos::prelude::*;

/// The shop's pages, by path: the server's default return pages are `/review.html` and `/confirmation.html`.
#[component]
fn Shop() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let page = match path.as_str() {
        "/review.html" => view! { <Review /> }.into_any(),
        "/confirmation.html" => view! { <Confirmation /> }.into_any(),
        _ => view! { <cart::CartPage /> }.into_any(),
    };
    view! {
        <header class="shop-header">
            <a href="/" class="shop-logo">"Leptos shop"</a>
            <span class="sandbox-badge">"Sandbox"</span>
        </header>
        <main class="shop leptos-shop">{page}</main>
    }
}

/// The review page Amazon returns the buyer to.
#[component]
fn Review() -> impl IntoView {
    let placed = RwSignal::new(None::<String>);
    let on_order_placed = move |event: WidgetEvent| {
        if let WidgetEvent::OrderPlaced { order_id } = event {
            placed.set(Some(order_id));
        }
    };
    let options = ReviewOptions { cart_url: "/".into(), confirmation_url: "/confirmation.html".into(), ..ReviewOptions::default() };
    view! {
        <h1 id="leptos-shop-heading">"Review your order"</h1>
        <OrderReview options=options on_order_placed=on_order_placed />
        <p id="leptos-shop-placed">{move || placed.get().map(|id| format!("Order {id} placed."))}</p>
    }
}

/// The confirmation page: follows the order until Amazon has decided.
#[component]
fn Confirmation() -> impl IntoView {
    let outcome = RwSignal::new(String::new());
    let on_approved = move |_: WidgetEvent| outcome.set("Thank you: your order is confirmed.".into());
    // An order captured before this page first reads it (opened later, or PAYONE's `authorization`) is `paid` only.
    let on_paid = move |_: WidgetEvent| outcome.set("Thank you: your payment has been received.".into());
    let on_declined = move |_: WidgetEvent| outcome.set("Your payment did not go through.".into());
    view! {
        <h1 id="leptos-shop-heading">"Your order"</h1>
        <OrderConfirmation options=ConfirmationOptions::default() on_approved=on_approved on_paid=on_paid on_declined=on_declined />
        <p id="leptos-shop-outcome">{move || outcome.get()}</p>
    }
}

fn main() {
    leptos::mount::mount_to_body(Shop);
}
