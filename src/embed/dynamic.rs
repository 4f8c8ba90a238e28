//! Widgets that change after they are mounted (feature `dynamic`): `handle.update(config)`, and one widget per
//! element however often a page mounts into it.
//!
//! The button follows a new configuration through [`LiveButton::update`] (debounced, one new session, the
//! old button kept until the new one is drawn). Other views are mounted again when their configuration
//! changed: the new one first, then the old one removed, so a refused configuration changes nothing.

use super::{invalid, mount_view, ConfigError, View, WidgetConfig, WidgetHandle};
use crate::prelude::*;
#[cfg(feature = "view-button")]
use crate::views::button::live::LiveButton;
use alloc::rc::Rc;
use core::any::Any;
use core::cell::RefCell;
use wasm_bindgen::prelude::*;
use web_sys::HtmlElement;

/// A mounted widget as its handles share it.
pub(super) struct Live {
    /// The element it is mounted into (a re-rendered fragment's new element after [`Live::move_to`]).
    element: RefCell<HtmlElement>,
    /// The configuration it shows.
    config: RefCell<WidgetConfig>,
    /// The view; `None` once unmounted.
    shown: RefCell<Option<Box<dyn Any>>>,
}

thread_local! {
    /// Every mounted widget, to find the one in an element, and to keep it: a widget lives until `unmount`, not
    /// until its last handle is dropped, because a JS handle is dropped when the page's garbage collector frees
    /// it (a script that did not keep the handle would see its button vanish at some later collection).
    static MOUNTED: RefCell<Vec<Rc<Live>>> = const { RefCell::new(Vec::new()) };
}

/// The widget in `element`, if there is one.
pub(super) fn find(element: &HtmlElement) -> Option<Rc<Live>> {
    MOUNTED.with(|all| all.borrow().iter().find(|live| *live.element.borrow() == *element).cloned())
}

/// `config` in `element`: the widget already there takes it (same view), or replaces it (another view), or a
/// new one is mounted.
pub(super) fn mount(element: HtmlElement, config: WidgetConfig) -> Result<Rc<Live>, JsError> {
    if let Some(existing) = find(&element) {
        if existing.config.borrow().view == config.view {
            existing.apply(config)?;
            return Ok(existing);
        }
        let shown = mount_view(&element, &config)?;
        existing.shown.replace(Some(shown));
        existing.config.replace(config);
        return Ok(existing);
    }
    let shown = mount_view(&element, &config)?;
    let live = Rc::new(Live { element: RefCell::new(element), config: RefCell::new(config), shown: RefCell::new(Some(shown)) });
    MOUNTED.with(|all| all.borrow_mut().push(live.clone()));
    Ok(live)
}

impl Live {
    /// Whether the widget is still on the page (not unmounted).
    pub(super) fn is_mounted(&self) -> bool {
        self.shown.borrow().is_some()
    }

    /// The element it is mounted into.
    pub(super) fn element(&self) -> HtmlElement {
        self.element.borrow().clone()
    }

    /// The view it shows.
    pub(super) fn view(&self) -> View {
        self.config.borrow().view
    }

    /// Removes the widget (every handle to it sees that) and lets it go.
    pub(super) fn unmount(&self) {
        // Taken out first: dropping the view runs no code of ours, but keep the borrow short anyway.
        let shown = self.shown.borrow_mut().take();
        drop(shown);
        MOUNTED.with(|all| all.borrow_mut().retain(|live| live.is_mounted()));
    }

    /// Shows `config` from now on (see the module's comment).
    pub(super) fn apply(&self, config: WidgetConfig) -> Result<(), JsError> {
        if !self.is_mounted() {
            return Err(JsError::new("the widget was unmounted: mount it again"));
        }
        if *self.config.borrow() == config {
            return Ok(());
        }
        #[cfg(feature = "view-button")]
        if config.view == View::Button && self.view() == View::Button {
            let options = config.button_options().map_err(invalid)?;
            if let Some(button) = self.shown.borrow().as_ref().and_then(|shown| shown.downcast_ref::<LiveButton>()) {
                button.update(options);
            }
            self.config.replace(config);
            return Ok(());
        }
        // Another view: the new one is mounted before the old one goes, so a refused configuration changes
        // nothing; both are in the same element, so the new one ends up where the old one was.
        let shown = mount_view(&self.element(), &config)?;
        let old = self.shown.replace(Some(shown));
        drop(old);
        self.config.replace(config);
        Ok(())
    }

    /// Takes a re-rendered fragment's new `element` for its own, moving the view there as it is, then shows
    /// `config` (the button: a new session only if the cart or language changed).
    #[cfg_attr(not(feature = "auto-mount"), allow(dead_code))]
    pub(super) fn move_to(&self, element: HtmlElement, config: WidgetConfig) -> Result<(), JsError> {
        #[cfg(feature = "view-button")]
        if let Some(button) = self.shown.borrow().as_ref().and_then(|shown| shown.downcast_ref::<LiveButton>()) {
            button.move_to(&element).map_err(|e| JsError::new(&crate::js_error::thrown_text(&e)))?;
        }
        self.element.replace(element);
        self.apply(config)
    }
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Shows a new configuration without remounting: the keys `config` has replace the current ones (a key
    /// left out, or `null`, keeps its value); a JS object or JSON text, as `mount` takes. The button asks for a
    /// new session once the updates pause for 250 ms, keeps the old button (inert) until the new one is drawn,
    /// and drops the answers of sessions overtaken by a newer update. Throws, changing nothing, when the result
    /// is not a valid configuration or the widget was unmounted.
    pub fn update(&self, config: JsValue) -> Result<(), JsError> {
        let config = if let Some(json) = config.as_string() {
            js_sys::JSON::parse(&json).map_err(|e| invalid(ConfigError::Invalid(crate::js_error::thrown_text(&e))))?
        } else {
            config
        };
        let mut next = self.live.config.borrow().clone();
        if !(config.is_undefined() || config.is_null()) {
            next.merge_js(&config).map_err(|e| invalid(ConfigError::Invalid(e.into_text())))?;
        }
        self.live.apply(next)
    }
}
