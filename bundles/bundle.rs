//! A per-page bundle of the widget: the same embed API as `amazon-pay-widget.js` (`mount`, auto-mounting
//! `[data-amazon-pay-widget]` elements, the `amazonpay:*` events) with only the views its Cargo features
//! enable, so a page downloads only the view it shows. `static/widget-init.js` picks the bundle for a page.

#![no_std]

pub use amazon_pay_widget::embed::{mount, WidgetHandle};
