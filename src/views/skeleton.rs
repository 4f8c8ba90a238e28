//! A view's elements and its async work, shared by the review page and the legacy Checkout v1 views: the
//! skeleton (a table of [`Node`]s, built in one loop), small helpers that add elements, and [`after`], which
//! hands a result to a view only while it is mounted. Nothing here knows a view's state.

use crate::prelude::*;
use crate::texts::Text;
use crate::views::common::format_money;
use alloc::rc::Weak;
use amazon_pay_contract::{Language, Money};
use core::future::Future;
use wasm_bindgen::prelude::*;
use web_sys::Element;

/// One element of a view's skeleton: what the view shows before it knows anything (see [`build`]).
pub(crate) struct Node {
    /// Index of the parent among the nodes before it, or [`NONE`] (the view's `<section>`; or an element
    /// the view places itself).
    pub(crate) parent: u8,
    pub(crate) tag: &'static str,
    pub(crate) class: &'static str,
    /// Attributes; a value starting with `#` is a prefix the view's number is appended to
    /// (`#amazon-pay-wallet-` → `amazon-pay-wallet-7`).
    pub(crate) attrs: &'static [(&'static str, &'static str)],
    pub(crate) text: Option<Text>,
}

/// A skeleton node (short, so the skeletons read as a table).
pub(crate) const fn node(
    parent: u8,
    tag: &'static str,
    class: &'static str,
    attrs: &'static [(&'static str, &'static str)],
    text: Option<Text>,
) -> Node {
    Node { parent, tag, class, attrs, text }
}

/// No parent (see [`Node::parent`]).
pub(crate) const NONE: u8 = u8::MAX;
pub(crate) const HIDDEN: (&str, &str) = ("hidden", "");
pub(crate) const BUTTON: (&str, &str) = ("type", "button");

pub(crate) use crate::dom_calls::create;

/// Builds `nodes` in order, each appended to its parent, the texts in `lang`; `n` numbers the ids.
/// One loop over a table instead of a call chain per element: a small wasm.
pub(crate) fn build(nodes: &[Node], lang: Language, n: &str) -> Result<Vec<Element>, JsValue> {
    crate::dom::document()?;
    let mut built: Vec<Element> = Vec::with_capacity(nodes.len());
    for node in nodes {
        let element = create(node.tag);
        if !node.class.is_empty() {
            element.set_class_name(node.class);
        }
        for &(name, value) in node.attrs {
            match value.strip_prefix('#') {
                Some(prefix) => crate::dom_calls::set_attribute(&element, name, &[prefix, n].concat()),
                None => crate::dom_calls::set_attribute(&element, name, value),
            }
        }
        if let Some(text) = node.text {
            element.set_text_content(Some(text.get(lang)));
        }
        if let Some(parent) = built.get(usize::from(node.parent)) {
            crate::dom_calls::append(parent, &element);
        }
        built.push(element);
    }
    Ok(built)
}

/// Moves keyboard focus to `element` (one of the view's own HTML elements: no type check needed).
pub(crate) fn focus(element: &Element) {
    crate::dom_calls::focus(element);
}

/// A new element at the end of `parent`, with `class` and `text` unless empty. Infallible, as [`build`].
pub(crate) fn add(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let element = create(tag);
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    crate::dom_calls::append(parent, &element);
    element
}

/// `<p class="amazon-pay-total">Total: <strong>…</strong></p>` (also the order number line) in `parent`.
pub(crate) fn add_labelled(parent: &Element, class: &str, label: &str, value: &str) -> Element {
    let line = add(parent, "p", class, &[label, ": "].concat());
    add(&line, "strong", "", value);
    line
}

/// `<ul class="amazon-pay-items">` in `parent`, empty: the view adds [`add_item`] per line as it reads them (no
/// `Vec` of the lines first: a smaller wasm). Shows "2 × Rust mug  25,80 €" per line.
pub(crate) fn add_item_list(parent: &Element) -> Element {
    add(parent, "ul", "amazon-pay-items", "")
}

/// One line of an [`add_item_list`].
pub(crate) fn add_item(list: &Element, quantity: u32, name: &str, price: Money, lang: Language) {
    let line = add(list, "li", "", &[&amazon_pay_contract::digits(quantity.into()), " × ", name, " "].concat());
    add(&line, "span", "amazon-pay-price", &format_money(price, lang));
}

/// Runs `work` and hands its output to `then` with the view, if the view is still mounted by then. Async
/// work is only ever one await long, the rest plain methods: small state machines, a small wasm.
pub(crate) fn after<V: ?Sized + 'static, R: 'static>(me: &Weak<V>, work: impl Future<Output = R> + 'static, then: impl FnOnce(&V, R) + 'static) {
    let me = me.clone();
    spawn(Box::pin(async move {
        let result = work.await;
        if let Some(view) = me.upgrade() {
            then(&view, result);
        }
    }));
}

/// Runs `task` to its end, detached. Every task of the views goes through this one (boxed, not generic)
/// instance of `spawn_local`, whose code for a task (a JSPI branch and the executor's own) is otherwise
/// compiled once per task type.
#[inline(never)]
pub(crate) fn spawn(task: core::pin::Pin<Box<dyn Future<Output = ()>>>) {
    wasm_bindgen_futures::spawn_local(task);
}
