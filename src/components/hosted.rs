//! A Leptos component around one of [`crate::views`]: the view is mounted into the component's own `<div>`
//! once Leptos has put it in the page, and dropped (removed, its callbacks released) when the component is.
//!
//! One implementation of each view serves both the embed bundles, which ship without a framework runtime to
//! stay within their size budget, and Leptos apps, which get ordinary components with the same markup,
//! texts and `amazonpay:*` events, plus `Callback` props read from those events ([`Callbacks`]).

use super::callbacks::Callbacks;
use crate::dom::{Listener, Mounted};
use crate::prelude::*;
use amazon_pay_contract::Language;
use leptos::prelude::*;
use wasm_bindgen::JsValue;

/// What a hosted component owns: its view and its callbacks' listeners.
struct Hosted {
    view: Option<Mounted>,
    _listeners: Vec<Listener>,
}

/// Renders `<div class="amazon-pay-host">` and mounts the view into it with `mount`, in `language` when it is
/// given (else the view's options say). When `language` changes the view is mounted again in the new one:
/// the review and confirmation pages have no session of their own to keep, and load their data again.
pub(crate) fn hosted(
    mount: impl Fn(&web_sys::Element, Option<Language>) -> Result<Mounted, JsValue> + 'static,
    language: Option<Signal<Language>>,
    callbacks: Callbacks,
    ready: &'static str,
) -> impl IntoView {
    let host = NodeRef::<leptos::html::Div>::new();
    let owned = StoredValue::new_local(None::<Hosted>);
    let mount = alloc::rc::Rc::new(mount);
    let first = mount.clone();
    host.on_load(move |element| {
        let listeners = callbacks.listen(&element, ready);
        let view = first(&element, language.map(|l| l.get_untracked())).map_err(log_mount_error).ok();
        owned.set_value(Some(Hosted { view, _listeners: listeners }));
    });
    if let Some(language) = language {
        Effect::new(move |previous: Option<Language>| {
            let now = language.get();
            if previous.is_some_and(|previous| previous != now) {
                if let Some(element) = host.get_untracked() {
                    owned.update_value(|owned| {
                        if let Some(owned) = owned {
                            owned.view = None;
                            owned.view = mount(&element, Some(now)).map_err(log_mount_error).ok();
                        }
                    });
                }
            }
            now
        });
    }
    on_cleanup(move || owned.dispose());
    view! { <div class="amazon-pay-host" node_ref=host></div> }
}

/// A view's options, which carry the buyer's language (review, confirmation, APB).
pub(crate) trait LanguageOptions: Clone + 'static {
    /// The language the view is shown in.
    fn language_mut(&mut self) -> &mut Language;
}

/// [`hosted`] for a view `mount`ed with `options`, in `language` when it is given instead of theirs, and again
/// in each new one.
pub(crate) fn hosted_in_language<O: LanguageOptions>(
    options: O,
    mount: fn(&web_sys::Element, O) -> Result<Mounted, JsValue>,
    language: Option<Signal<Language>>,
    callbacks: Callbacks,
    ready: &'static str,
) -> impl IntoView {
    let mount_in = move |element: &web_sys::Element, language: Option<Language>| {
        let mut options = options.clone();
        if let Some(language) = language {
            *options.language_mut() = language;
        }
        mount(element, options)
    };
    hosted(mount_in, language, callbacks, ready)
}

pub(crate) fn log_mount_error(err: JsValue) {
    web_sys::console::error_2(&"Amazon Pay widget: cannot mount".into(), &err);
}
