//! Declared widgets that come and go with the page (features `auto-mount` and `dynamic`): a `MutationObserver`
//! on the document mounts `[data-amazon-pay-widget]` elements added later, unmounts those removed, and applies
//! a changed `data-amazon-pay-widget` attribute as a new configuration (like `handle.update`, but the whole
//! configuration: a key taken out returns to its default).
//!
//! A minicart re-rendered from HTML (the old fragment removed, a new one with the same declaration added in
//! one go) keeps its button: the widget whose element left moves into the new element and takes the new
//! configuration, so an unchanged cart sends no new session and a changed one sends one (debounced).
//!
//! Cheap when nothing of ours changes: the observer looks at added and removed element nodes only (text nodes
//! are skipped), and at no attribute but the declaration.

use super::dynamic::{self, Live};
use super::{declaration_failed, mount_declaration, read_config, WidgetHandle, DECLARATION};
use crate::interop::mutation_observer::{observe, Changes, Observer};
use crate::prelude::*;
use alloc::rc::Rc;
use core::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, HtmlElement};

thread_local! {
    /// The declared widgets: each lives while its element is in the page.
    static DECLARED: RefCell<Vec<WidgetHandle>> = const { RefCell::new(Vec::new()) };
    /// The page's observer, for the page's lifetime.
    static OBSERVER: RefCell<Option<Observer>> = const { RefCell::new(None) };
}

/// Keeps a declared widget's handle (once per widget).
pub(super) fn keep(handle: WidgetHandle) {
    DECLARED.with(|declared| {
        let mut declared = declared.borrow_mut();
        if !declared.iter().any(|kept| Rc::ptr_eq(&kept.live, &handle.live)) {
            declared.push(handle);
        }
    });
}

/// Whether this is the page's first copy of the widget to start. A page that loads two bundles (`widget.js` and
/// an import of its own, or one bundle from two URLs) has two copies, each with its own registry: both would
/// mount every declaration, two buttons in one element and two sessions. The second leaves the declarations to
/// the first (its `mount` still works) and says why in the console.
pub(super) fn first_copy() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let key = JsValue::from_str("__amazonPayDeclarations");
    if js_sys::Reflect::has(&window, &key).unwrap_or(false) {
        web_sys::console::warn_1(
            &"Amazon Pay widget: loaded twice; this copy leaves the page's declarations to the first (load one bundle, once)".into(),
        );
        return false;
    }
    js_sys::Reflect::set(&window, &key, &JsValue::TRUE).is_ok()
}

/// Starts following the page (once).
pub(super) fn start() {
    let Some(root) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) else { return };
    if OBSERVER.with(|o| o.borrow().is_some()) {
        return;
    }
    match observe(&root, DECLARATION, on_changes) {
        Ok(observer) => OBSERVER.with(|o| *o.borrow_mut() = Some(observer)),
        Err(err) => web_sys::console::error_2(&"Amazon Pay widget: cannot follow the page's changes".into(), &err),
    }
}

/// `root` if it declares a widget, and every declaring element inside it.
fn declarations_in(root: &Element) -> Vec<HtmlElement> {
    let selector = "[data-amazon-pay-widget]";
    let mut found: Vec<Element> = Vec::new();
    if root.matches(selector).unwrap_or(false) {
        found.push(root.clone());
    }
    if root.child_element_count() > 0 {
        let nodes = crate::dom_calls::query_all(root, selector);
        found.extend((0..nodes.length()).filter_map(|i| nodes.item(i)).filter_map(|n| n.dyn_into().ok()));
    }
    found.into_iter().filter_map(|e| e.dyn_into().ok()).collect()
}

/// The declared widgets whose element is no longer in the page, taken out of the list.
fn take_gone() -> Vec<WidgetHandle> {
    DECLARED.with(|declared| {
        let all = core::mem::take(&mut *declared.borrow_mut());
        let (gone, kept): (Vec<_>, Vec<_>) = all.into_iter().partition(|h| !h.live.element().is_connected());
        *declared.borrow_mut() = kept;
        gone
    })
}

/// Drops the declared widget `live`, if it is one (unmounting it unless a page's handle still holds it).
fn forget(live: &Rc<Live>) {
    let dropped: Vec<WidgetHandle> = DECLARED.with(|declared| {
        let mut declared = declared.borrow_mut();
        let (dropped, kept): (Vec<_>, Vec<_>) = core::mem::take(&mut *declared).into_iter().partition(|h| Rc::ptr_eq(&h.live, live));
        *declared = kept;
        dropped
    });
    for mut handle in dropped {
        handle.unmount();
    }
}

/// The element's declaration as a configuration.
fn declared_config(element: &HtmlElement) -> Result<super::WidgetConfig, JsValue> {
    let json = element.get_attribute(DECLARATION).unwrap_or_default();
    let config = if json.trim_ascii().is_empty() { JsValue::UNDEFINED } else { JsValue::from_str(&json) };
    read_config(&config).map_err(JsValue::from)
}

/// Mounts `element`'s declaration and keeps the widget.
fn mount_new(element: &HtmlElement) {
    match mount_declaration(element) {
        Ok(handle) => keep(handle),
        Err(err) => declaration_failed(element, &err),
    }
}

fn on_changes(changes: Changes) {
    // A changed declaration: a new configuration for the widget there; a removed one: no widget there.
    for element in changes.attribute {
        let Ok(element) = element.dyn_into::<HtmlElement>() else { continue };
        if !element.is_connected() {
            continue;
        }
        match (dynamic::find(&element), element.has_attribute(DECLARATION)) {
            (Some(live), true) => {
                if let Err(err) = declared_config(&element).and_then(|config| live.apply(config).map_err(JsValue::from)) {
                    declaration_failed(&element, &err);
                }
            }
            (Some(live), false) => forget(&live),
            (None, true) => mount_new(&element),
            (None, false) => {}
        }
    }
    let mut gone = if changes.removed { take_gone() } else { Vec::new() };
    for root in &changes.added {
        for element in declarations_in(root) {
            if !element.is_connected() || dynamic::find(&element).is_some() {
                continue;
            }
            let config = match declared_config(&element) {
                Ok(config) => config,
                Err(err) => {
                    declaration_failed(&element, &err);
                    continue;
                }
            };
            // A re-rendered fragment: the widget of the same view that just left takes the new element.
            match gone.iter().position(|h| h.live.view() == config.view) {
                Some(index) => {
                    let handle = gone.remove(index);
                    match handle.live.move_to(element.clone(), config) {
                        Ok(()) => keep(handle),
                        Err(err) => {
                            declaration_failed(&element, &err.into());
                            let mut handle = handle;
                            handle.unmount();
                            mount_new(&element);
                        }
                    }
                }
                None => mount_new(&element),
            }
        }
    }
    // Declared widgets that left the page and were not taken over: unmounted.
    for mut handle in gone {
        handle.unmount();
    }
}
