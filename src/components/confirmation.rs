//! The confirmation page as a Leptos component (the view is [`crate::views::confirmation`]).

use super::callbacks::Callbacks;
use super::hosted::{hosted_in_language, LanguageOptions};
use crate::events::WidgetEvent;
pub use crate::views::confirmation::ConfirmationOptions;
use amazon_pay_contract::Language;
use leptos::prelude::*;

/// The order-status page: follows the order of `?order=` until Amazon has decided.
#[component]
pub fn OrderConfirmation(
    /// How it is set up (see [`ConfirmationOptions`]); `language`, when given, takes the place of its
    /// `language`.
    #[prop(optional)]
    options: ConfirmationOptions,
    /// The buyer's language, as the shop's state has it: the page is shown again in a new one.
    #[prop(optional, into)]
    language: Option<Signal<Language>>,
    /// The payment is still being decided (`WidgetEvent::Pending`).
    #[prop(optional, into)]
    on_pending: Option<Callback<WidgetEvent>>,
    /// The payment is authorized (`WidgetEvent::Approved`).
    #[prop(optional, into)]
    on_approved: Option<Callback<WidgetEvent>>,
    /// The money is captured (`WidgetEvent::Paid`): an order already `paid` when the page first reads it (opened
    /// after a capture, or with `--payone-authorization authorization` once PAYONE said `paid`) is announced with
    /// this alone, never with `on_approved`.
    #[prop(optional, into)]
    on_paid: Option<Callback<WidgetEvent>>,
    /// Declined or failed (`WidgetEvent::Declined`).
    #[prop(optional, into)]
    on_declined: Option<Callback<WidgetEvent>>,
    /// Something failed (`WidgetEvent::Error`).
    #[prop(optional, into)]
    on_error: Option<Callback<WidgetEvent>>,
) -> impl IntoView {
    let callbacks = Callbacks { on_pending, on_approved, on_paid, on_declined, on_error, ..Callbacks::default() };
    hosted_in_language(options, crate::views::confirmation::mount, language, callbacks, "amazonpay:ready")
}

impl LanguageOptions for ConfirmationOptions {
    fn language_mut(&mut self) -> &mut Language {
        &mut self.language
    }
}
