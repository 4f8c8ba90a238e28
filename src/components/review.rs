//! The order-review page as a Leptos component (the view is [`crate::views::review`]).

use super::hosted::hosted;
pub use crate::views::review::ReviewOptions;
use leptos::prelude::*;

/// The order-review page Amazon returns the buyer to.
#[component]
pub fn OrderReview(
    /// How it is set up (see [`ReviewOptions`]).
    options: ReviewOptions,
) -> impl IntoView {
    hosted(move |element| crate::views::review::mount(element, options))
}
