//! The order-review page as a Leptos component (the view is [`crate::views::review`]).

use super::callbacks::Callbacks;
use super::hosted::{hosted_in_language, LanguageOptions};
use crate::events::WidgetEvent;
pub use crate::views::review::ReviewOptions;
use amazon_pay_contract::Language;
use leptos::prelude::*;

/// The order-review page Amazon returns the buyer to.
#[component]
pub fn OrderReview(
    /// How it is set up (see [`ReviewOptions`]); `language`, when given, takes the place of its `language`.
    #[prop(optional)]
    options: ReviewOptions,
    /// The buyer's language, as the shop's state has it: the page is shown again in a new one.
    #[prop(optional, into)]
    language: Option<Signal<Language>>,
    /// The buyer's Amazon Pay details are shown (`WidgetEvent::ReviewReady`, `amazonpay:reviewready`).
    #[prop(optional, into)]
    on_ready: Option<Callback<WidgetEvent>>,
    /// "Place order" reached the backend (`WidgetEvent::OrderPlaced`). Approved or pending, the page then leads to
    /// the confirmation page, whose [`super::OrderConfirmation`] announces it (`on_approved`, `on_pending`): once.
    #[prop(optional, into)]
    on_order_placed: Option<Callback<WidgetEvent>>,
    /// Declined (`WidgetEvent::Declined`, with the buyer's sentence).
    #[prop(optional, into)]
    on_declined: Option<Callback<WidgetEvent>>,
    /// Something failed (`WidgetEvent::Error`).
    #[prop(optional, into)]
    on_error: Option<Callback<WidgetEvent>>,
    /// The buyer cancelled on Amazon's pages and was sent back here with the order (`WidgetEvent::Cancelled`).
    #[prop(optional, into)]
    on_cancelled: Option<Callback<WidgetEvent>>,
) -> impl IntoView {
    let callbacks = Callbacks { on_ready, on_order_placed, on_declined, on_error, on_cancelled, ..Callbacks::default() };
    hosted_in_language(options, crate::views::review::mount, language, callbacks, "amazonpay:reviewready")
}

impl LanguageOptions for ReviewOptions {
    fn language_mut(&mut self) -> &mut Language {
        &mut self.language
    }
}
