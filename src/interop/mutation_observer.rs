//! The browser's `MutationObserver`, typed: which elements were added to or removed from a subtree, and which
//! had one attribute changed. The callback is owned by the returned [`Observer`]: dropping it disconnects the
//! observer and frees the callback.

use crate::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, MutationObserver, MutationObserverInit, MutationRecord, Node};

/// What changed in one batch of mutations (one callback). Only element nodes are listed: text and comment
/// nodes are skipped without a look.
#[derive(Debug, Default)]
pub struct Changes {
    /// Elements added (each the root of what was added; look inside for descendants).
    pub added: Vec<Element>,
    /// Whether any element was removed (the caller checks its own elements with `isConnected`).
    pub removed: bool,
    /// Elements whose observed attribute changed (set, changed or removed).
    pub attribute: Vec<Element>,
}

/// A connected observer; dropping it disconnects it.
#[must_use = "dropping an Observer disconnects it at once"]
pub struct Observer {
    observer: MutationObserver,
    _callback: Closure<dyn FnMut(JsValue)>,
}

impl Drop for Observer {
    fn drop(&mut self) {
        self.observer.disconnect();
    }
}

/// Element nodes of a `NodeList`.
fn elements(nodes: &web_sys::NodeList) -> impl Iterator<Item = Element> + '_ {
    (0..nodes.length()).filter_map(|i| nodes.item(i)).filter(|n| n.node_type() == Node::ELEMENT_NODE).filter_map(|n| n.dyn_into().ok())
}

/// Calls `on_changes` after each batch of child-list changes anywhere under `root`, and of changes to
/// `attribute` (only that one: other attributes cost nothing).
pub fn observe(root: &Node, attribute: &str, mut on_changes: impl FnMut(Changes) + 'static) -> Result<Observer, JsValue> {
    let callback = Closure::<dyn FnMut(JsValue)>::new(move |records: JsValue| {
        let records: js_sys::Array = records.unchecked_into();
        let mut changes = Changes::default();
        for record in records.iter() {
            let record: MutationRecord = record.unchecked_into();
            if record.type_() == "attributes" {
                if let Some(target) = record.target().and_then(|t| t.dyn_into::<Element>().ok()) {
                    changes.attribute.push(target);
                }
                continue;
            }
            changes.added.extend(elements(&record.added_nodes()));
            changes.removed |= elements(&record.removed_nodes()).next().is_some();
        }
        if !changes.added.is_empty() || changes.removed || !changes.attribute.is_empty() {
            on_changes(changes);
        }
    });
    let observer = MutationObserver::new(callback.as_ref().unchecked_ref())?;
    let init = MutationObserverInit::new();
    init.set_child_list(true);
    init.set_subtree(true);
    init.set_attribute_filter(&js_sys::Array::of1(&attribute.into()));
    observer.observe_with_options(root, &init)?;
    Ok(Observer { observer, _callback: callback })
}
