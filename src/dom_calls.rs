//! The DOM methods the widget calls on its own elements, bound without catching exceptions.
//!
//! web-sys binds each of them with `catch` (a `Result`): a wrapper per method in the JS glue and a check of the
//! exception slot after every call in the wasm, for calls that cannot throw here. `setAttribute` throws only
//! for an invalid attribute name (the widget's are constants), `appendChild` and `insertBefore` only for a node
//! put inside itself or a reference that is not a child (the widget's own fresh elements, placed in its own
//! parents), `addEventListener`, `removeEventListener`, `dispatchEvent` (a new event each time), `focus` and the
//! page's own `location`'s parts and `history` not at all, `crypto.getRandomValues` only for an array of more
//! than 65 536 bytes or not of integers; `querySelectorAll` throws only for an
//! invalid selector (the widget's are constants); `history.replaceState` only for a URL of another origin (the
//! page's own address, changed in its query).

use crate::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Event, EventTarget, History, Location, Node, NodeList, Window};

#[wasm_bindgen]
extern "C" {
    /// `document.createElement`, which throws only for an invalid name (the widget's are constants).
    #[wasm_bindgen(js_namespace = document, js_name = createElement)]
    pub(crate) fn create(tag: &str) -> Element;

    /// `crypto.getRandomValues`, which every context has: not `crypto.randomUUID`, which a page that is not a
    /// secure context (plain HTTP under a name other than localhost) lacks.
    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues)]
    pub(crate) fn random_values(bytes: &mut [u8]);

    /// `new CustomEvent(kind, init)`, which throws only for arguments of the wrong type.
    #[wasm_bindgen(js_name = CustomEvent)]
    type NewCustomEvent;

    #[wasm_bindgen(constructor, js_class = "CustomEvent")]
    fn new(kind: &str, init: &web_sys::CustomEventInit) -> NewCustomEvent;

    /// Any DOM node or event target, seen only through these methods (never checked with `instanceof`).
    type Dom;

    #[wasm_bindgen(method, js_name = setAttribute)]
    fn set_attribute(this: &Dom, name: &str, value: &str);

    #[wasm_bindgen(method, js_name = removeAttribute)]
    fn remove_attribute(this: &Dom, name: &str);

    #[wasm_bindgen(method, js_name = appendChild)]
    fn append_child(this: &Dom, child: &Node);

    #[wasm_bindgen(method, js_name = insertBefore)]
    fn insert_before(this: &Dom, child: &Node, before: Option<&Node>);

    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_event_listener(this: &Dom, kind: &str, listener: &js_sys::Function);

    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_event_listener(this: &Dom, kind: &str, listener: &js_sys::Function);

    #[wasm_bindgen(method, js_name = dispatchEvent)]
    fn dispatch_event(this: &Dom, event: &Event);

    #[wasm_bindgen(method)]
    fn focus(this: &Dom);

    #[wasm_bindgen(method, js_name = querySelectorAll)]
    fn query_selector_all(this: &Dom, selectors: &str) -> NodeList;

    #[wasm_bindgen(method, getter)]
    fn history(this: &Dom) -> History;

    #[wasm_bindgen(method, getter)]
    fn href(this: &Dom) -> String;

    #[wasm_bindgen(method, getter)]
    fn pathname(this: &Dom) -> String;

    #[wasm_bindgen(method, getter)]
    fn search(this: &Dom) -> String;

    #[wasm_bindgen(method, getter)]
    fn hash(this: &Dom) -> String;

    #[wasm_bindgen(method, getter)]
    fn persisted(this: &Dom) -> bool;

    /// `performance.getEntriesByType(kind)`, which does not throw (an unknown kind gives an empty list).
    #[wasm_bindgen(js_namespace = performance, js_name = getEntriesByType)]
    fn entries_by_type(kind: &str) -> js_sys::Array;

    #[wasm_bindgen(method, getter, js_name = type)]
    fn entry_type(this: &Dom) -> String;

    /// The browser's own `application/x-www-form-urlencoded` parser; `new URLSearchParams(text)` does not throw.
    type SearchParams;

    #[wasm_bindgen(constructor, js_class = "URLSearchParams")]
    fn new(query: &str) -> SearchParams;

    #[wasm_bindgen(method)]
    fn get(this: &SearchParams, name: &str) -> Option<String>;

    #[wasm_bindgen(method)]
    fn has(this: &SearchParams, name: &str) -> bool;

    #[wasm_bindgen(method)]
    fn delete(this: &SearchParams, name: &str);

    /// The page's own address as the browser parses it: `new URL(location)` (a `Location` reads as its `href`,
    /// which parses; no string crosses into the wasm).
    type PageUrl;

    #[wasm_bindgen(constructor, js_class = "URL")]
    fn new(location: &Location) -> PageUrl;

    #[wasm_bindgen(method, getter, js_name = searchParams)]
    fn search_params(this: &PageUrl) -> SearchParams;

    /// `history.replaceState(data, unused, url)`, the URL object read as its `href`.
    #[wasm_bindgen(method, js_name = replaceState)]
    fn replace_state(this: &Dom, data: &JsValue, unused: &str, url: &PageUrl);
}

fn dom(value: &JsValue) -> &Dom {
    value.unchecked_ref()
}

/// `element.setAttribute(name, value)`.
pub(crate) fn set_attribute(element: &Element, name: &str, value: &str) {
    dom(element).set_attribute(name, value);
}

/// `element.removeAttribute(name)`.
pub(crate) fn remove_attribute(element: &Element, name: &str) {
    dom(element).remove_attribute(name);
}

/// `parent.appendChild(child)`.
pub(crate) fn append(parent: &Node, child: &Node) {
    dom(parent).append_child(child);
}

/// `parent.insertBefore(child, before)` (at the end when `before` is `None`).
pub(crate) fn insert_before(parent: &Node, child: &Node, before: Option<&Node>) {
    dom(parent).insert_before(child, before);
}

/// `target.addEventListener(kind, listener)`.
pub(crate) fn listen(target: &EventTarget, kind: &str, listener: &js_sys::Function) {
    dom(target).add_event_listener(kind, listener);
}

/// `target.removeEventListener(kind, listener)`.
pub(crate) fn unlisten(target: &EventTarget, kind: &str, listener: &js_sys::Function) {
    dom(target).remove_event_listener(kind, listener);
}

/// `target.dispatchEvent(event)`.
pub(crate) fn dispatch(target: &EventTarget, event: &Event) {
    dom(target).dispatch_event(event);
}

/// `element.focus()`.
pub(crate) fn focus(element: &Element) {
    dom(element).focus();
}

/// `event.persisted` of a `pageshow` event: the page came back from the back/forward cache (`false` for any
/// other event, whose `persisted` is `undefined`).
pub(crate) fn persisted(event: &Event) -> bool {
    dom(event).persisted()
}

/// How the browser loaded this document (`navigate`, `reload`, `back_forward`, `prerender`): the type of
/// `performance`'s navigation entry; empty when there is none.
pub(crate) fn navigation_type() -> String {
    let entries = entries_by_type("navigation");
    if entries.length() == 0 {
        return String::new();
    }
    dom(&entries.get(0)).entry_type()
}

/// `location.href`.
pub(crate) fn href(location: &Location) -> String {
    dom(location).href()
}

/// `location.pathname`.
pub(crate) fn pathname(location: &Location) -> String {
    dom(location).pathname()
}

/// `location.search`.
pub(crate) fn search(location: &Location) -> String {
    dom(location).search()
}

/// `location.hash`.
pub(crate) fn hash(location: &Location) -> String {
    dom(location).hash()
}

/// `root.querySelectorAll(selectors)`.
pub(crate) fn query_all(root: &JsValue, selectors: &str) -> NodeList {
    dom(root).query_selector_all(selectors)
}

/// `window.history`.
pub(crate) fn history(window: &Window) -> History {
    dom(window).history()
}

/// `new CustomEvent(kind, init)`.
pub(crate) fn custom_event(kind: &str, init: &web_sys::CustomEventInit) -> Event {
    NewCustomEvent::new(kind, init).unchecked_into()
}

/// Takes the query parameter `name` out of the page's address (`history.replaceState`, the rest as it was) and
/// returns the parameter `also` of that address; `None` when the address has no `name` (nothing changed). All
/// in the browser's URL parser: no query parsing of our own in the wasm.
pub(crate) fn take_param(window: &Window, name: &str, also: &str) -> Option<Option<String>> {
    let url = PageUrl::new(&window.location());
    let params = url.search_params();
    if !params.has(name) {
        return None;
    }
    params.delete(name);
    dom(&history(window)).replace_state(&JsValue::NULL, "", &url);
    Some(params.get(also))
}

/// `new URLSearchParams(query).get(name)`: the first value of `name`, as the browser decodes it.
#[cfg(target_arch = "wasm32")]
pub(crate) fn query_value(query: &str, name: &str) -> Option<String> {
    SearchParams::new(query).get(name)
}
