//! JS interop with Amazon's scripts. Nothing outside this module calls into Amazon's globals.

pub mod amazon_login;
pub mod amazon_pay;
pub mod intl;
mod js_object;
pub mod mutation_observer;
pub mod off_amazon_payments;
pub mod prefetch;
pub mod script_loader;
pub mod timers;

// It lives in `crate::js_error` (client, wire and views use it too); its public path here stays.
pub use crate::js_error::thrown_text;
