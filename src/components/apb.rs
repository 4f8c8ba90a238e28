//! APB, Amazon Pay at the end of the shop's own checkout, as a Leptos component (the view is
//! [`crate::views::apb`]).

use super::callbacks::Callbacks;
use super::hosted::{hosted_in_language, LanguageOptions};
use crate::events::WidgetEvent;
pub use crate::views::apb::ApbOptions;
use amazon_pay_contract::Language;
use leptos::prelude::*;

/// The shop's "Pay with Amazon Pay" button for the end of its checkout.
#[component]
pub fn ApbCheckout(
    /// How it is set up (see [`ApbOptions`]); `language`, when given, takes the place of its `language`.
    options: ApbOptions,
    /// The buyer's language, as the shop's state has it: the button is shown again in a new one.
    #[prop(optional, into)]
    language: Option<Signal<Language>>,
    /// The buyer clicked it (`WidgetEvent::ButtonClicked`).
    #[prop(optional, into)]
    on_button_clicked: Option<Callback<WidgetEvent>>,
    /// The order reached the backend (`WidgetEvent::OrderPlaced`).
    #[prop(optional, into)]
    on_order_placed: Option<Callback<WidgetEvent>>,
    /// Something failed (`WidgetEvent::Error`).
    #[prop(optional, into)]
    on_error: Option<Callback<WidgetEvent>>,
) -> impl IntoView {
    let callbacks = Callbacks { on_button_clicked, on_order_placed, on_error, ..Callbacks::default() };
    hosted_in_language(options, crate::views::apb::mount, language, callbacks, "amazonpay:ready")
}

impl LanguageOptions for ApbOptions {
    fn language_mut(&mut self) -> &mut Language {
        &mut self.language
    }
}
