//! A mounted button that follows a changing cart or language without being remounted: the embed API's
//! `handle.update` (minicarts, AJAX carts, re-rendered fragments) and the Leptos `AmazonPayButton`'s signals.
//!
//! One mechanism for both. An update waits [`UPDATE_DEBOUNCE_MS`] for the next one, so ten quantity clicks send
//! one session request. Meanwhile the old button stays where it is, `inert` (a click cannot start a checkout
//! for the old amount) and `aria-busy`. Once the new session and `checkout.js` are there, the new button is
//! built, rendered and put in the old one's place within one task: no frame shows a gap or two buttons. An
//! update overtaken by a newer one (or by a return to the cart already shown) drops its session's answer.

use super::{prepare, replace, request_session, ButtonOptions};
use crate::dom::{set_attr, set_flag, Mounted};
use crate::events::emit;
use alloc::rc::{Rc, Weak};
use core::cell::RefCell;
use wasm_bindgen::JsValue;
use web_sys::Element;

/// How long an update waits for the next one before asking for a session.
pub const UPDATE_DEBOUNCE_MS: u32 = 250;

/// The button of [`super::mount`], able to take a new cart or language ([`LiveButton::update`]).
#[must_use = "dropping a LiveButton removes the button"]
pub struct LiveButton {
    state: Rc<RefCell<State>>,
}

struct State {
    /// Where the button is (it moves with [`LiveButton::move_to`]).
    parent: Element,
    /// The button on the page; `None` only while one task swaps it.
    shown: Option<Mounted>,
    /// What the shown button was made for.
    shown_options: ButtonOptions,
    /// What the latest update asked for.
    wanted: ButtonOptions,
    /// Bumped by every update that changes `wanted`: a task that finds another number was overtaken.
    generation: u32,
}

impl State {
    /// The shown button is inert and busy while it does not show what was asked for.
    fn mark(&self) {
        let Some(shown) = &self.shown else { return };
        let stale = self.wanted != self.shown_options;
        set_flag(shown.root(), "inert", stale);
        set_attr(shown.root(), "aria-busy", if stale { "true" } else { "false" });
    }
}

impl LiveButton {
    /// Appends the button for `options` to `parent` and starts it, as [`super::mount`] does.
    pub fn mount(parent: &Element, options: ButtonOptions) -> Result<LiveButton, JsValue> {
        let shown = super::mount(parent, options.clone())?;
        let state = State { parent: parent.clone(), shown: Some(shown), shown_options: options.clone(), wanted: options, generation: 0 };
        Ok(LiveButton { state: Rc::new(RefCell::new(state)) })
    }

    /// The button for `options` from now on: nothing when it is what was last asked for, else (after
    /// [`UPDATE_DEBOUNCE_MS`] without another update) a new session and a new button in the old one's place.
    pub fn update(&self, options: ButtonOptions) {
        let generation = {
            let mut state = self.state.borrow_mut();
            if options == state.wanted {
                return;
            }
            state.generation = state.generation.wrapping_add(1);
            state.wanted = options;
            state.mark();
            if state.wanted == state.shown_options {
                return;
            }
            state.generation
        };
        wasm_bindgen_futures::spawn_local(follow(Rc::downgrade(&self.state), generation));
    }

    /// Moves the button, as it is, into `parent` (a re-rendered fragment's new element).
    pub fn move_to(&self, parent: &Element) -> Result<(), JsValue> {
        let mut state = self.state.borrow_mut();
        if let Some(shown) = &state.shown {
            crate::dom_calls::append(parent, shown.root());
        }
        state.parent = parent.clone();
        Ok(())
    }

    /// The button's element on the page (`div.amazon-pay-widget`).
    pub fn root(&self) -> Option<Element> {
        self.state.borrow().shown.as_ref().map(|shown| shown.root().clone())
    }

    /// Whether an update is on its way (the shown button is for an older cart or language).
    pub fn is_updating(&self) -> bool {
        let state = self.state.borrow();
        state.wanted != state.shown_options
    }
}

/// The options `generation` asked for, if it is still the latest update and the button still lives.
fn still_wanted(state: &Weak<RefCell<State>>, generation: u32) -> Option<ButtonOptions> {
    let state = state.upgrade()?;
    let state = state.borrow();
    (state.generation == generation).then(|| state.wanted.clone())
}

/// One update's work: the pause, the session, the swap; each step first checks that it is still wanted.
async fn follow(state: Weak<RefCell<State>>, generation: u32) {
    crate::interop::timers::sleep(UPDATE_DEBOUNCE_MS).await;
    let Some(options) = still_wanted(&state, generation) else { return };
    let prepared = prepare(request_session(&options, None), &options).await;
    let Some(state) = state.upgrade() else { return };
    let (parent, old) = {
        let mut current = state.borrow_mut();
        if current.generation != generation {
            return;
        }
        let Some(old) = current.shown.take() else { return };
        (current.parent.clone(), old)
    };
    match replace(&parent, old, prepared, &options) {
        Ok((shown, event)) => {
            let root = shown.root().clone();
            {
                let mut current = state.borrow_mut();
                current.shown = Some(shown);
                current.shown_options = options;
                current.mark();
            }
            // After the state holds the new button: a listener may call `update` again.
            emit(&root, event);
        }
        Err(err) => web_sys::console::error_2(&"Amazon Pay widget: cannot show the updated button".into(), &err),
    }
}
