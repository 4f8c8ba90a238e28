//! The confirmation page as a Leptos component (the view is [`crate::views::confirmation`]).

use super::hosted::hosted;
pub use crate::views::confirmation::ConfirmationOptions;
use leptos::prelude::*;

/// The order-status page: follows the order of `?order=` until Amazon has decided.
#[component]
pub fn OrderConfirmation(
    /// How it is set up (see [`ConfirmationOptions`]).
    options: ConfirmationOptions,
) -> impl IntoView {
    hosted(move |element| crate::views::confirmation::mount(element, options))
}
