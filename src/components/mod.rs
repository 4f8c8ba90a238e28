//! The Leptos components (feature `leptos`), for Leptos apps that use the widget as a crate. Each owns the
//! JS callbacks it registers and drops them when it unmounts.

mod apb;
mod button;
mod common;
mod confirmation;
pub mod cv1;
mod hosted;
mod review;

pub use apb::{ApbCheckout, ApbOptions};
pub use button::{AmazonPayButton, ButtonOptions};
pub use common::AddressView;
pub use confirmation::{ConfirmationOptions, OrderConfirmation};
pub use review::{OrderReview, ReviewOptions};
