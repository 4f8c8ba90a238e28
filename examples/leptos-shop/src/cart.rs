//! The cart page: a cart the buyer changes, and the Amazon Pay button following it through a signal.

use amazon_pay_widget::components::{AmazonPayButton, WidgetEvent};
use amazon_pay_widget::contract::cv2::CartLine;
use leptos::prelude::*;

/// What the shop sells: SKU and name. Prices are the server's (its catalogue): the button sends SKUs and
/// quantities only.
const PRODUCTS: [(&str, &str); 2] = [("mug", "Rust mug"), ("tshirt", "Ferris T-shirt")];

fn name(sku: &str) -> &'static str {
    PRODUCTS.iter().find(|(s, _)| *s == sku).map_or("Product", |(_, name)| name)
}

/// Adds `delta` (may be negative) to the quantity of `sku`; a line that reaches 0 leaves the cart.
fn change(cart: RwSignal<Vec<CartLine>>, sku: &'static str, delta: i32) {
    cart.update(|lines| {
        match lines.iter_mut().find(|line| line.sku == sku) {
            Some(line) => line.quantity = line.quantity.saturating_add_signed(delta),
            None if delta > 0 => lines.push(CartLine { sku: sku.into(), quantity: delta.unsigned_abs() }),
            None => {}
        }
        lines.retain(|line| line.quantity > 0);
    });
}

/// The cart with its lines, buttons to change them, and the Amazon Pay button for it.
#[component]
pub fn CartPage() -> impl IntoView {
    let cart = RwSignal::new(vec![CartLine { sku: "mug".into(), quantity: 2 }]);
    let status = RwSignal::new(String::from("Amazon Pay is loading…"));
    let on_ready = move |event: WidgetEvent| {
        if let WidgetEvent::Ready { workorder_id } = event {
            status.set(format!("Amazon Pay is ready for this cart (checkout {workorder_id})."));
        }
    };
    let on_error = move |_: WidgetEvent| status.set("Amazon Pay is not available right now.".into());
    let lines = move || {
        cart.get()
            .into_iter()
            .map(|line| {
                let sku: &'static str = PRODUCTS.iter().find(|(s, _)| *s == line.sku).map_or("mug", |(s, _)| s);
                view! {
                    <tr>
                        <td>{name(sku)}</td>
                        <td>
                            <button type="button" class="less" aria-label=format!("One {} less", name(sku)) on:click=move |_| change(cart, sku, -1)>"−"</button>
                            " "
                            <span class="quantity" data-sku=sku>{line.quantity}</span>
                            " "
                            <button type="button" class="more" aria-label=format!("One {} more", name(sku)) on:click=move |_| change(cart, sku, 1)>"+"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <h1 id="leptos-shop-heading">"Leptos shop: your cart"</h1>
        <p>
            {PRODUCTS.iter().map(|(sku, name)| view! {
                <button type="button" class="add" data-sku=*sku on:click=move |_| change(cart, sku, 1)>{format!("Add a {name}")}</button>" "
            }).collect_view()}
        </p>
        <table class="cart" aria-label="Cart">
            <thead><tr><th scope="col">"Item"</th><th scope="col">"Quantity"</th></tr></thead>
            <tbody>{lines}</tbody>
        </table>
        <p class="cart-note">"The shop's server prices the cart when you pay; the button follows every change."</p>
        <section class="checkout">
            <h2>"Pay"</h2>
            <Show when=move || !cart.get().is_empty() fallback=|| view! { <p>"Your cart is empty."</p> }>
                <AmazonPayButton cart=cart on_ready=on_ready on_error=on_error />
            </Show>
            <p id="leptos-shop-status" role="status">{move || status.get()}</p>
        </section>
    }
}
