//! The Checkout v2 button as a Leptos component (the view is [`crate::views::button`]).

use super::hosted::hosted;
pub use crate::views::button::ButtonOptions;
use leptos::prelude::*;

/// The Amazon Pay button for a cart.
#[component]
pub fn AmazonPayButton(
    /// How it is set up (see [`ButtonOptions`]).
    options: ButtonOptions,
) -> impl IntoView {
    hosted(move |element| crate::views::button::mount(element, options))
}
