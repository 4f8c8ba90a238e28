//! The Leptos components. Each owns the JS callbacks it registers and drops them when it unmounts.

mod apb;
pub(crate) mod button;
mod common;
mod confirmation;
pub mod cv1;
mod review;

pub use apb::{ApbCheckout, ApbOptions};
pub use button::{AmazonPayButton, ButtonOptions};
pub use common::{format_money, AddressView};
pub use confirmation::{ConfirmationOptions, OrderConfirmation};
pub use review::{OrderReview, ReviewOptions};
