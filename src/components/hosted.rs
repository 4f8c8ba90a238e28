//! A Leptos component around one of [`crate::views`]: the view is mounted into the component's own `<div>`
//! once Leptos has put it in the page, and dropped (removed, its callbacks released) when the component is.
//!
//! One implementation of each view serves both the embed bundles, which ship without a framework runtime to
//! stay within their size budget, and Leptos apps, which get ordinary components with the same markup,
//! texts and `amazonpay:*` events.

use crate::dom::Mounted;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// Renders `<div class="amazon-pay-host">` and mounts the view into it with `mount`.
pub(crate) fn hosted(mount: impl FnOnce(&web_sys::Element) -> Result<Mounted, JsValue> + 'static) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    let mounted = StoredValue::new_local(None::<Mounted>);
    host.on_load(move |element| match mount(&element) {
        Ok(view) => mounted.set_value(Some(view)),
        Err(err) => web_sys::console::error_2(&"Amazon Pay widget: cannot mount".into(), &err),
    });
    on_cleanup(move || mounted.dispose());
    view! { <div class="amazon-pay-host" node_ref=host></div> }
}
