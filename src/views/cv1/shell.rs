//! What every legacy Checkout v1 view shares, and how each of them starts: load `Widgets.js`, then show the
//! widgets for the token the page has, or Amazon's button.
//!
//! A view is a struct of its own elements and state around a [`Shell`] (the section, its status lines, the
//! sign-in part, the phase, the selection and the runtime that owns every callback handed to Amazon), held
//! in an `Rc` owned by [`crate::dom::Mounted`]. Amazon's callbacks and the async work hold only a
//! `Weak<dyn Host>`, so an unmounted view stops.

use super::signin::{self, ButtonStyle, SignInButton, SignInProblem};
use super::token::AccessToken;
use super::widget_state::{BoundWidgets, Selection};
use crate::dom::{on, set_hidden, set_text, Listener};
use crate::events::{emit, WidgetEvent};
use crate::interop::off_amazon_payments::Bound;
use crate::js_error::Cause;
use crate::prelude::*;
use crate::texts::Text;
use crate::views::skeleton::{add, after, create};
use alloc::rc::{Rc, Weak};
use amazon_pay_contract::cv1::WidgetsConfig;
use amazon_pay_contract::{ErrorCode, Language};
use core::cell::{Cell, RefCell};
use core::time::Duration;
use web_sys::{Element, Event, EventTarget};

/// Where a view stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    /// Talking to the backend or loading `Widgets.js`.
    Loading,
    /// Amazon's button is shown.
    SignIn,
    /// Signed in: the widgets (or the offer) are shown.
    Active,
    /// Finished here (ordered, added, or nothing more to do).
    Done,
    /// Cannot go on; the buyer's sentence is shown with a way out.
    Fatal,
}

/// What the view owns besides its elements: the buyer's token and every callback handed to Amazon. Dropped
/// with the view, so nothing registered with Amazon outlives it.
#[derive(Default)]
pub(crate) struct Runtime {
    pub(crate) token: Option<AccessToken>,
    /// The token the page started with, until the view has started.
    start_token: Option<AccessToken>,
    /// From the `Widgets.js` configuration.
    pub(crate) seller_id: String,
    pub(crate) widgets: BoundWidgets,
    pub(crate) button: Option<SignInButton>,
    /// `initConfirmationFlow`'s callback (PAYONE CV1).
    pub(crate) confirmation: Option<Bound>,
}

/// A view as its shared parts see it.
pub(crate) trait Host {
    fn shell(&self) -> &Shell;
    /// The buyer is signed in (the phase is now [`Phase::Active`]): bind the widgets.
    fn show(&self);
    /// A widget reported something; `what` says which parts of the selection changed
    /// (`super::widget_state::changed`).
    fn changed(&self, what: u8);
    /// The buyer clicked the view's action button ("Place order", "Add"): its listener is [`Shell::on`]'s,
    /// one closure type for every button of the view (each `Closure` type of its own is more wasm).
    fn clicked(&self);
}

/// Where a view's skeleton has the parts every view has.
pub(crate) struct Layout {
    /// `aria-live` notice: what happens now.
    pub(crate) notice: usize,
    pub(crate) loading: usize,
    /// Amazon's widget errors in words; the fatal message goes before it.
    pub(crate) problem: usize,
    /// The hint and the element Amazon's button renders into.
    pub(crate) signin: usize,
    /// The signed-in part (widgets or offer), shown in [`Phase::Active`].
    pub(crate) active: usize,
}

/// How a view is set up: its skeleton, built, and how it signs the buyer in.
pub(crate) struct Parts {
    pub(crate) lang: Language,
    /// The skeleton's elements (the first is the view's `<section>`).
    pub(crate) els: Vec<Element>,
    pub(crate) layout: &'static Layout,
    /// The view's number on the page, which ends its element ids (`Shell::id`).
    pub(crate) n: String,
    /// The id of the element Amazon's button renders into, without the number (`amazon-pay-lander-button-`).
    pub(crate) button_id: &'static str,
    /// Where the fatal message leads, and its link text.
    pub(crate) way_out: String,
    pub(crate) way_out_text: Text,
    /// The token the page started with (address bar or this tab).
    pub(crate) token: Option<AccessToken>,
    pub(crate) style: ButtonStyle,
    /// How long to wait for `Widgets.js`.
    pub(crate) timeout: Duration,
}

/// The shared part of a view.
pub(crate) struct Shell {
    pub(crate) lang: Language,
    /// The view itself, for the callbacks and tasks it starts.
    pub(crate) me: Weak<dyn Host>,
    /// The view's `<section>`.
    pub(crate) root: Element,
    /// The skeleton's elements.
    els: Vec<Element>,
    layout: &'static Layout,
    n: String,
    button_id: &'static str,
    way_out: String,
    way_out_text: Text,
    style: ButtonStyle,
    timeout: Duration,
    phase: Cell<Phase>,
    fatal: RefCell<Option<Element>>,
    /// A call to the backend is running (no second click).
    pub(crate) busy: Cell<bool>,
    pub(crate) sel: Selection,
    pub(crate) rt: RefCell<Runtime>,
    listeners: RefCell<Vec<Listener>>,
}

impl Shell {
    pub(crate) fn new(parts: Parts, me: Weak<dyn Host>) -> Shell {
        // The skeletons are constants whose first node is the section.
        let root = parts.els[0].clone();
        Shell {
            lang: parts.lang,
            me,
            root,
            els: parts.els,
            layout: parts.layout,
            n: parts.n,
            button_id: parts.button_id,
            way_out: parts.way_out,
            way_out_text: parts.way_out_text,
            style: parts.style,
            timeout: parts.timeout,
            phase: Cell::new(Phase::Loading),
            fatal: RefCell::new(None),
            busy: Cell::new(false),
            sel: Selection::default(),
            rt: RefCell::new(Runtime { start_token: parts.token, ..Runtime::default() }),
            listeners: RefCell::new(Vec::new()),
        }
    }

    /// The skeleton's element `i`.
    pub(crate) fn el(&self, i: usize) -> &Element {
        &self.els[i]
    }

    /// The id of the view's element whose id starts with `prefix` (`amazon-pay-wallet-` → `amazon-pay-wallet-7`).
    pub(crate) fn id(&self, prefix: &str) -> String {
        [prefix, &self.n].concat()
    }

    pub(crate) fn t(&self, text: Text) -> &'static str {
        text.get(self.lang)
    }

    /// Dispatches a DOM event from the view's element.
    pub(crate) fn emit(&self, event: WidgetEvent) {
        emit(&self.root, event);
    }

    /// Tells the buyer `sentence` (aria-live).
    pub(crate) fn say(&self, sentence: &str) {
        set_text(self.el(self.layout.notice), sentence);
    }

    /// What the notice says now.
    pub(crate) fn said(&self) -> String {
        self.el(self.layout.notice).text_content().unwrap_or_default()
    }

    /// The cause, for the developer's console.
    pub(crate) fn log(&self, cause: &dyn Cause) {
        log_text(&cause.text());
    }

    /// The cause to the console and an `error` event (the page's developer learns what went wrong).
    pub(crate) fn report(&self, cause: &dyn Cause) {
        let cause = cause.text();
        log_text(&cause);
        self.emit(WidgetEvent::Error { message: cause });
    }

    /// A CheckoutChamp import the backend refused: a decline (`soft_decline`, `hard_decline`) is a `declined`
    /// event for `order_id`, which a funnel listens to for offering another way to pay (an outcome, so nothing
    /// on the console); anything else is an `error`. The buyer reads the backend's sentence. Returns the code.
    pub(crate) fn refused(&self, err: &crate::client::ClientError, order_id: &str) -> Option<ErrorCode> {
        let code = err.api_error().map(|e| e.code);
        let message = signin::buyer_message(err, self.lang);
        match code {
            Some(c @ (ErrorCode::SoftDecline | ErrorCode::HardDecline)) => {
                self.emit(WidgetEvent::Declined { order_id: order_id.into(), code: c.as_str().into(), message: message.clone() });
            }
            _ => self.report(err),
        }
        self.say(&message);
        code
    }

    /// The cause to the console and an `error` event, `sentence` to the buyer, and the view stops.
    pub(crate) fn fail(&self, cause: &dyn Cause, sentence: &str) {
        self.report(cause);
        let fatal = create("div");
        fatal.set_class_name("amazon-pay-fatal");
        crate::dom_calls::set_attribute(&fatal, "role", "alert");
        add(&fatal, "p", "", sentence);
        crate::dom_calls::set_attribute(&add(&fatal, "a", "", self.t(self.way_out_text)), "href", &self.way_out);
        crate::dom_calls::insert_before(&self.root, &fatal, Some(self.el(self.layout.problem)));
        if let Some(old) = self.fatal.replace(Some(fatal)) {
            old.remove();
        }
        self.set_phase(Phase::Fatal);
    }

    /// Shows the part of the view that belongs to `phase`.
    pub(crate) fn set_phase(&self, phase: Phase) {
        self.phase.set(phase);
        set_hidden(self.el(self.layout.loading), phase != Phase::Loading);
        set_hidden(self.el(self.layout.signin), phase != Phase::SignIn);
        set_hidden(self.el(self.layout.active), phase != Phase::Active);
        if phase != Phase::Fatal {
            if let Some(old) = self.fatal.take() {
                old.remove();
            }
        }
    }

    /// Inserts `element` where the view shows what was done (before the sign-in part).
    pub(crate) fn show_result(&self, element: &Element) {
        crate::dom_calls::insert_before(&self.root, element, Some(self.el(self.layout.signin)));
    }

    /// Shows the last widget error in words (or nothing).
    pub(crate) fn show_problem(&self) {
        let text = self.sel.problem.borrow().as_ref().map(|e| self.t(if e.needs_sign_in() { Text::SignInAgain } else { Text::WidgetProblem }));
        let problem = self.el(self.layout.problem);
        set_hidden(problem, text.is_none());
        set_text(problem, text.unwrap_or_default());
    }

    /// The buyer's access token itself, for a request to the backend (no copy of the whole token first).
    pub(crate) fn access_token(&self) -> Option<String> {
        self.rt.borrow().token.as_ref().map(|t| t.secret().to_owned())
    }

    pub(crate) fn seller_id(&self) -> String {
        self.rt.borrow().seller_id.clone()
    }

    /// Calls `handler` with the view and the event on every `kind` event at `target`, as long as the view
    /// lives: one closure type for every listener of the legacy views (each type of its own is more wasm).
    pub(crate) fn on(&self, target: &EventTarget, kind: &'static str, handler: fn(&dyn Host, &Event)) {
        let me = self.me.clone();
        let listener = on(target, kind, move |event| {
            if let Some(host) = me.upgrade() {
                handler(&*host, &event);
            }
        });
        self.listeners.borrow_mut().push(listener);
    }

    /// Makes `button` "Sign out of Amazon Pay": Amazon's session and the kept token end, the page starts over.
    pub(crate) fn sign_out_on(&self, button: usize) {
        self.on(self.el(button), "click", |host, _| {
            host.shell().emit(WidgetEvent::SignedOut);
            signin::sign_out();
        });
    }
}

/// `Amazon Pay: <cause>` on the console.
fn log_text(cause: &str) {
    web_sys::console::error_2(&"Amazon Pay:".into(), &cause.into());
}

/// The buyer has a token: keep it and show the signed-in part.
fn shown(host: &dyn Host, token: AccessToken) {
    let shell = host.shell();
    shell.rt.borrow_mut().token = Some(token);
    shell.set_phase(Phase::Active);
    host.show();
}

/// Loads `Widgets.js` for `config`, then shows the signed-in part with the token the page started with
/// (address bar or this tab), or renders Amazon's button whose sign-in leads there.
pub(crate) fn start(shell: &Shell, config: WidgetsConfig) {
    let seller_id = config.seller_id.clone();
    let prepared = signin::prepare(&config, shell.timeout);
    after(&shell.me, prepared, move |host: &(dyn Host + 'static), prepared| prepared_widgets(host, prepared, seller_id));
}

fn prepared_widgets(host: &dyn Host, prepared: Result<(), signin::SetupError>, seller_id: String) {
    let shell = host.shell();
    if let Err(err) = prepared {
        return shell.fail(&err, &err.buyer_message(shell.lang));
    }
    let token = {
        let mut rt = shell.rt.borrow_mut();
        rt.seller_id = seller_id.clone();
        rt.start_token.take()
    };
    if let Some(token) = token {
        return shown(host, token);
    }
    shell.set_phase(Phase::SignIn);
    let me = shell.me.clone();
    let answer = Rc::new(move |answer: signin::SignInAnswer| {
        let Some(host) = me.upgrade() else { return };
        let shell = host.shell();
        match answer {
            Ok(token) => {
                shell.say("");
                shell.emit(WidgetEvent::SignedIn);
                shown(&*host, token);
            }
            Err(p) => {
                web_sys::console::warn_1(&["Amazon Pay sign-in: ", &p.describe()].concat().into());
                shell.say(shell.t(if p == SignInProblem::Cancelled { Text::SignInCancelled } else { Text::WidgetProblem }));
            }
        }
    }) as Rc<dyn Fn(signin::SignInAnswer)>;
    match signin::render_button(&shell.id(shell.button_id), &seller_id, &shell.style, shell.lang, answer) {
        Ok(button) => shell.rt.borrow_mut().button = Some(button),
        Err(err) => shell.fail(&err, shell.t(Text::WidgetProblem)),
    }
}
