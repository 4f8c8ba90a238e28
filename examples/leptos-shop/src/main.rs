//! A Leptos shop page with the widget's Amazon Pay button: what a Leptos app that depends on the crate looks like.
//! Built with Trunk into `dist/` (see `index.html` and `Trunk.toml` next to this crate's Cargo.toml).

use amazon_pay_widget::components::{AmazonPayButton, ButtonOptions};
use amazon_pay_widget::contract::cv2::CartLine;
use leptos::prelude::*;

/// The shop's cart page: its own heading (proof that this app's `main` ran) and the Amazon Pay button.
#[component]
fn Shop() -> impl IntoView {
    // The backend prices the cart: the button sends SKUs and quantities only. An empty `backend_url` in the
    // default client means this page's own origin.
    let options = ButtonOptions { items: vec![CartLine { sku: "mug".into(), quantity: 2 }], ..ButtonOptions::default() };
    view! {
        <main class="leptos-shop">
            <h1 id="leptos-shop-heading">"Leptos shop: your cart"</h1>
            <p>"2 × Rust mug"</p>
            <AmazonPayButton options=options />
        </main>
    }
}

fn main() {
    leptos::mount::mount_to_body(Shop);
}
