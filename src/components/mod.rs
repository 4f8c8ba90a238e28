//! The Leptos components. Each owns the JS callbacks it registers and drops them when it unmounts.

mod button;

pub use button::{AmazonPayButton, ButtonOptions};
