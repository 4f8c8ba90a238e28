//! The Leptos components (feature `leptos`), for Leptos apps that use the widget as a crate. Each owns the
//! JS callbacks it registers and drops them when it unmounts.

// `#[component]` adds a hidden inner function with the component's own visibility: re-exported below under
// the component's name, that inner `pub fn` is unreachable, which `unreachable_pub` would flag in every module.
#[allow(unreachable_pub)]
mod apb;
#[allow(unreachable_pub)]
mod button;
#[allow(unreachable_pub)]
mod common;
#[allow(unreachable_pub)]
mod confirmation;
pub mod cv1;
mod hosted;
#[allow(unreachable_pub)]
mod review;

pub use apb::{ApbCheckout, ApbOptions};
pub use button::{AmazonPayButton, ButtonOptions};
pub use common::AddressView;
pub use confirmation::{ConfirmationOptions, OrderConfirmation};
pub use review::{OrderReview, ReviewOptions};
