//! Legacy Amazon Pay Checkout v1 (`Widgets.js`) as Leptos components: the CheckoutChamp lander (one-time and
//! recurring), its upsell page, and the PAYONE CV1 checkout. Each wraps its plain-DOM view in
//! [`crate::views::cv1`] (same options, markup, texts and `amazonpay:*` events).

use super::callbacks::Callbacks;
use super::hosted::hosted;
pub use crate::views::cv1::{ButtonStyle, Cv1Options, LanderOptions, UpsellOptions};
use leptos::prelude::*;

/// The CheckoutChamp lander, one-time or recurring (the view is [`crate::views::cv1::lander`]).
#[component]
pub fn CheckoutChampLander(
    /// How it is set up (see [`LanderOptions`]).
    options: LanderOptions,
) -> impl IntoView {
    hosted(move |element, _| crate::views::cv1::lander::mount(element, options.clone()), None, Callbacks::default(), "amazonpay:ready")
}

/// The CheckoutChamp upsell page's offer (the view is [`crate::views::cv1::upsell`]).
#[component]
pub fn CheckoutChampUpsell(
    /// How it is set up (see [`UpsellOptions`]).
    options: UpsellOptions,
) -> impl IntoView {
    hosted(move |element, _| crate::views::cv1::upsell::mount(element, options.clone()), None, Callbacks::default(), "amazonpay:ready")
}

/// The PAYONE CV1 checkout (the view is [`crate::views::cv1::payone`]).
#[component]
pub fn PayoneCv1Checkout(
    /// How it is set up (see [`Cv1Options`]).
    options: Cv1Options,
) -> impl IntoView {
    hosted(move |element, _| crate::views::cv1::payone::mount(element, options.clone()), None, Callbacks::default(), "amazonpay:ready")
}
