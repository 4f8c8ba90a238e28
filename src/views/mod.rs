//! The views, one implementation each, in plain DOM: built once, then updated from their state. The embed
//! API mounts them (`crate::embed`), and with the `leptos` feature `crate::components` wraps them as Leptos
//! components.
//!
//! Conventions: `mount(parent, options)` appends the view and returns [`crate::dom::Mounted`]; the view's
//! state lives in an `Rc` owned by it, and async work holds only a `Weak` between awaits, so an unmounted
//! view's work stops at its next step.

pub mod apb;
pub mod button;
pub mod common;
pub mod confirmation;
pub mod cv1;
pub mod review;
pub(crate) mod skeleton;
