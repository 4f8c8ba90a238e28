//! The Checkout v2 button as a Leptos component (the view is [`crate::views::button`]), following the shop's
//! cart and language through [`LiveButton::update`]: debounced, one new session, the old button kept (inert)
//! until the new one is drawn, the answers of overtaken sessions dropped.

use super::callbacks::Callbacks;
use super::hosted::log_mount_error;
use crate::dom::Listener;
use crate::events::WidgetEvent;
use crate::prelude::*;
use crate::views::button::live::LiveButton;
pub use crate::views::button::ButtonOptions;
use amazon_pay_contract::cv2::CartLine;
use amazon_pay_contract::Language;
use leptos::prelude::*;

/// The Amazon Pay button for a cart.
///
/// ```no_run
/// # use amazon_pay_widget::components::AmazonPayButton;
/// # use amazon_pay_widget::contract::cv2::CartLine;
/// # use leptos::prelude::*;
/// let cart = RwSignal::new(vec![CartLine { sku: "mug".into(), quantity: 1 }]);
/// view! { <AmazonPayButton cart=cart on_ready=Callback::new(|event| leptos::logging::log!("{event:?}")) /> };
/// // The buyer adds a mug: the button follows (one new session once the clicks pause).
/// cart.update(|lines| lines[0].quantity += 1);
/// ```
#[component]
pub fn AmazonPayButton(
    /// How it is set up (see [`ButtonOptions`]); `cart` and `language`, when given, take the place of its
    /// `items` and `language`.
    #[prop(optional)]
    options: ButtonOptions,
    /// The cart (SKUs and quantities; the backend prices them), as the shop's state has it.
    #[prop(optional, into)]
    cart: Option<Signal<Vec<CartLine>>>,
    /// The buyer's language, as the shop's state has it.
    #[prop(optional, into)]
    language: Option<Signal<Language>>,
    /// The button is drawn for the current cart (`WidgetEvent::Ready`, the `amazonpay:ready` event); again
    /// after each change of the cart.
    #[prop(optional, into)]
    on_ready: Option<Callback<WidgetEvent>>,
    /// The buyer clicked it (`WidgetEvent::ButtonClicked`).
    #[prop(optional, into)]
    on_button_clicked: Option<Callback<WidgetEvent>>,
    /// It could not be shown (`WidgetEvent::Error`; the buyer reads a sentence in its place).
    #[prop(optional, into)]
    on_error: Option<Callback<WidgetEvent>>,
    /// The buyer cancelled on Amazon's pages and Amazon sent them back to this page (`WidgetEvent::Cancelled`).
    #[prop(optional, into)]
    on_cancelled: Option<Callback<WidgetEvent>>,
) -> impl IntoView {
    let callbacks = Callbacks { on_ready, on_button_clicked, on_error, on_cancelled, ..Callbacks::default() };
    // The options for the current cart and language (tracked when read inside an effect).
    let current =
        move |options: &ButtonOptions, get: &dyn Fn(Signal<Vec<CartLine>>) -> Vec<CartLine>, lang: &dyn Fn(Signal<Language>) -> Language| {
            let mut options = options.clone();
            if let Some(cart) = cart {
                options.items = get(cart);
            }
            if let Some(language) = language {
                options.language = lang(language);
            }
            options
        };
    let host = NodeRef::<leptos::html::Div>::new();
    let owned = StoredValue::new_local(None::<(LiveButton, Vec<Listener>)>);
    let first = options.clone();
    host.on_load(move |element| {
        let listeners = callbacks.listen(&element, "amazonpay:ready");
        match LiveButton::mount(&element, current(&first, &|c| c.get_untracked(), &|l| l.get_untracked())) {
            Ok(button) => owned.set_value(Some((button, listeners))),
            Err(err) => log_mount_error(err),
        }
    });
    if cart.is_some() || language.is_some() {
        Effect::new(move || {
            let options = current(&options, &|c| c.get(), &|l| l.get());
            owned.with_value(|owned| {
                if let Some((button, _)) = owned {
                    button.update(options);
                }
            });
        });
    }
    on_cleanup(move || owned.dispose());
    view! { <div class="amazon-pay-host" node_ref=host></div> }
}
