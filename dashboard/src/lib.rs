//! The merchant dashboard: a Leptos app served by amazon-pay-server at `/merchant/` (docs/merchant-dashboard.md).
//! The merchant signs in with a merchant API key (kept in this tab's sessionStorage only), finds orders,
//! reads an order's items, money, buyer, addresses and timeline, and captures, refunds or cancels it after a
//! confirmation step; it also reads the webhook outbox and sends what waits now after a receiver's outage.
//! Everything goes through the merchant API of the same origin; everything from it is
//! rendered as text.

// `#[component]` expands to an inner `pub fn` named after the component, unreachable from outside this
// crate; `unreachable_pub` would flag it in every module that has a component.
#[allow(unreachable_pub)]
mod actions;
mod api;
mod dates;
#[allow(unreachable_pub)]
mod list;
mod money;
#[allow(unreachable_pub)]
mod order;
#[allow(unreachable_pub)]
mod outbox;
mod session;
#[allow(unreachable_pub)]
mod signin;
#[allow(unreachable_pub)]
mod timeline;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Which page the location's hash names: `#/orders/<id>`, `#/webhooks` or the list.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    List,
    Order(String),
    Webhooks,
}

fn current_route() -> Route {
    let hash = web_sys::window().and_then(|w| w.location().hash().ok()).unwrap_or_default();
    if hash == "#/webhooks" {
        return Route::Webhooks;
    }
    match hash.strip_prefix("#/orders/") {
        Some(id) if !id.is_empty() => Route::Order(js_sys::decode_uri_component(id).ok().and_then(|s| s.as_string()).unwrap_or_default()),
        _ => Route::List,
    }
}

/// Mounts the dashboard into the page's body.
#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let session = session::Session::new();
    provide_context(session);
    provide_context(list::Filters::default());
    let route = RwSignal::new(current_route());
    let listener = window_event_listener(leptos::ev::hashchange, move |_| route.set(current_route()));
    on_cleanup(move || listener.remove());
    view! {
        <header class="bar">
            <a class="brand" href="#/">"Orders"</a>
            <Show when=move || session.signed_in()>
                <a class="nav" href="#/webhooks">"Webhooks"</a>
            </Show>
            <span class="subtitle">"Amazon Pay merchant dashboard"</span>
            <Show when=move || session.signed_in()>
                <button class="secondary" on:click=move |_| session.sign_out(None)>"Sign out"</button>
            </Show>
        </header>
        <main>
            {move || match (session.signed_in(), route.get()) {
                (false, _) => view! { <signin::SignIn/> }.into_any(),
                (true, Route::List) => view! { <list::OrderList/> }.into_any(),
                (true, Route::Order(id)) => view! { <order::OrderPage id=id/> }.into_any(),
                (true, Route::Webhooks) => view! { <outbox::OutboxPage/> }.into_any(),
            }}
        </main>
    }
}
