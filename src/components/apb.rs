//! APB, Amazon Pay at the end of the shop's own checkout, as a Leptos component (the view is
//! [`crate::views::apb`]).

use super::hosted::hosted;
pub use crate::views::apb::ApbOptions;
use leptos::prelude::*;

/// The shop's "Pay with Amazon Pay" button for the end of its checkout.
#[component]
pub fn ApbCheckout(
    /// How it is set up (see [`ApbOptions`]).
    options: ApbOptions,
) -> impl IntoView {
    hosted(move |element| crate::views::apb::mount(element, options))
}
