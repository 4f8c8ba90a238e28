//! The few DOM calls the views make, as small non-generic helpers.
//!
//! A view builds its elements once and then sets texts, `hidden` and `disabled` from its state (see
//! `views/`). No framework runtime: the embed bundles stay within their size budget (BENCHMARKS.md). Text is
//! only ever set as text (`textContent`), never parsed as HTML, whatever Amazon or the backend sent.

use crate::prelude::*;
use core::any::Any;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Document, Element, Event, EventTarget};

/// The page's document.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window().and_then(|w| w.document()).ok_or_else(|| JsValue::from_str("no document"))
}

/// A new element, configured with the builder methods and placed with [`El::child`]. `Err` only without a
/// document; the tag is one of the views' constants (`createElement` is bound without catch: see `dom_calls`).
pub fn el(tag: &str) -> Result<El, JsValue> {
    document()?;
    Ok(El(crate::dom_calls::create(tag)))
}

/// An element being built. The setters cannot fail for the constant names the views use, so they do not
/// return errors.
pub struct El(pub Element);

impl El {
    /// Sets the `class` attribute (replacing any class).
    pub fn class(self, class: &str) -> El {
        self.0.set_class_name(class);
        self
    }

    /// Sets an attribute.
    pub fn attr(self, name: &str, value: &str) -> El {
        crate::dom_calls::set_attribute(&self.0, name, value);
        self
    }

    /// Sets the text content (replacing any children).
    pub fn text(self, text: &str) -> El {
        self.0.set_text_content(Some(text));
        self
    }

    /// Starts hidden (`hidden` attribute).
    pub fn hidden(self) -> El {
        set_hidden(&self.0, true);
        self
    }

    /// Appends `child`.
    pub fn child(self, child: &Element) -> El {
        crate::dom_calls::append(&self.0, child);
        self
    }

    /// Appends a text node.
    pub fn add_text(self, text: &str) -> El {
        let _ = self.0.append_with_str_1(text);
        self
    }

    /// The built element.
    pub fn done(self) -> Element {
        self.0
    }
}

/// Sets the text if it differs, so an `aria-live` region is not announced again for the same sentence.
pub fn set_text(element: &Element, text: &str) {
    if element.text_content().as_deref() != Some(text) {
        element.set_text_content(Some(text));
    }
}

/// Shows or hides `element` with the `hidden` attribute (touched only when it changes).
pub fn set_hidden(element: &Element, hidden: bool) {
    set_flag(element, "hidden", hidden);
}

/// `disabled` on a button, input or fieldset.
pub fn set_disabled(element: &Element, disabled: bool) {
    set_flag(element, "disabled", disabled);
}

/// A boolean attribute: present (`""`) or absent.
pub fn set_flag(element: &Element, name: &str, on: bool) {
    if on != element.has_attribute(name) {
        if on {
            crate::dom_calls::set_attribute(element, name, "");
        } else {
            crate::dom_calls::remove_attribute(element, name);
        }
    }
}

/// An attribute, set only if it differs.
pub fn set_attr(element: &Element, name: &str, value: &str) {
    if element.get_attribute(name).as_deref() != Some(value) {
        crate::dom_calls::set_attribute(element, name, value);
    }
}

/// Removes every child of `element`.
pub fn clear(element: &Element) {
    element.set_text_content(None);
}

/// Moves keyboard focus to `element` (the part the buyer should look at again).
pub fn focus(element: &Element) {
    if element.dyn_ref::<web_sys::HtmlElement>().is_some() {
        crate::dom_calls::focus(element);
    }
}

/// An event listener; dropping it removes it from its target and frees the callback.
#[must_use = "dropping a Listener removes the listener at once"]
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    /// Takes the event as a plain `JsValue`: the same closure signature as the callbacks handed to Amazon's
    /// scripts, so the bundles carry one closure shim fewer.
    callback: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        crate::dom_calls::unlisten(&self.target, self.kind, self.callback.as_ref().unchecked_ref());
    }
}

/// Calls `handler` on every `kind` event at `target` until the returned [`Listener`] is dropped.
pub fn on(target: &EventTarget, kind: &'static str, mut handler: impl FnMut(Event) + 'static) -> Listener {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| handler(event.unchecked_into()));
    crate::dom_calls::listen(target, kind, callback.as_ref().unchecked_ref());
    Listener { target: target.clone(), kind, callback }
}

/// Calls `restored` when the browser shows the page again from its back/forward cache (`pageshow` with
/// `persisted`), as the buyer's Back from Amazon's pages does: the page comes back as it was left (busy, its
/// buttons disabled), so a view that was waiting on Amazon starts over. `None` without a window.
pub fn on_restored(mut restored: impl FnMut() + 'static) -> Option<Listener> {
    let window = web_sys::window()?;
    Some(on(&window, "pageshow", move |event| {
        if crate::dom_calls::persisted(&event) {
            restored();
        }
    }))
}

/// A view on the page. Dropping it removes the view's element and everything the view owns (its state,
/// listeners and the callbacks it handed to Amazon); its async work sees that and stops.
#[must_use = "dropping a Mounted removes the view from the page"]
pub struct Mounted {
    root: Element,
    _owned: Box<dyn Any>,
}

impl Mounted {
    /// `root` is the view's element in the page; `owned` is what lives as long as it (usually an `Rc` of the
    /// view, whose tasks hold only a `Weak`).
    pub fn new(root: Element, owned: Box<dyn Any>) -> Mounted {
        Mounted { root, _owned: owned }
    }

    /// The view's element in the page.
    pub fn root(&self) -> &Element {
        &self.root
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}
