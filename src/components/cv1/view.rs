//! The state every legacy Checkout v1 view shares, and how each of them starts: load `Widgets.js`, then show
//! the widgets for the token the page has, or Amazon's button. One set of types for all three views keeps the
//! WebAssembly small (each distinct signal or view type is code of its own).

use super::signin::{self, ButtonStyle, SignInButton, SignInProblem};
use super::token::AccessToken;
use super::widgets::{BoundWidgets, Selection};
use crate::embed::events::{emit, WidgetEvent};
use crate::interop::off_amazon_payments::Bound;
use crate::texts::Text;
use amazon_pay_contract::cv1::WidgetsConfig;
use amazon_pay_contract::Language;
use leptos::prelude::*;
use std::rc::Rc;
use std::time::Duration;

/// Where a view stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Talking to the backend or loading `Widgets.js`.
    Loading,
    /// Amazon's button is shown.
    SignIn,
    /// Signed in: the widgets (or the offer) are shown.
    Active,
    /// Finished here (ordered, added, or nothing more to do).
    Done,
    /// Cannot go on; the buyer's sentence.
    Fatal(String),
}

/// What the view owns outside the reactive graph: the buyer's token and every callback handed to Amazon.
/// Dropped with the view, so nothing registered with Amazon outlives it.
#[derive(Default)]
pub struct Runtime {
    pub token: Option<AccessToken>,
    pub config: Option<WidgetsConfig>,
    pub widgets: BoundWidgets,
    pub button: Option<SignInButton>,
    /// `initConfirmationFlow`'s callback (PAYONE CV1).
    pub confirmation: Option<Bound>,
}

/// A view's signals and runtime; `Copy`, so every closure of the view can hold it.
#[derive(Clone, Copy)]
pub struct Ctx {
    pub lang: Language,
    pub host: NodeRef<leptos::html::Section>,
    pub phase: RwSignal<Phase>,
    /// Announced through the view's `aria-live` region.
    pub notice: RwSignal<String>,
    pub busy: RwSignal<bool>,
    pub selection: Selection,
    pub runtime: StoredValue<Runtime, LocalStorage>,
}

impl Ctx {
    pub fn new(lang: Language) -> Ctx {
        Ctx {
            lang,
            host: NodeRef::new(),
            phase: RwSignal::new(Phase::Loading),
            notice: RwSignal::new(String::new()),
            busy: RwSignal::new(false),
            selection: Selection::new(),
            runtime: StoredValue::new_local(Runtime::default()),
        }
    }

    pub fn t(&self, text: Text) -> &'static str {
        text.get(self.lang)
    }

    /// Dispatches a DOM event from the view's element.
    pub fn emit(&self, event: WidgetEvent) {
        if let Some(el) = self.host.get_untracked() {
            emit(&el, event);
        }
    }

    /// Tells the buyer `sentence` (aria-live).
    pub fn say(&self, sentence: impl Into<String>) {
        self.notice.try_set(sentence.into());
    }

    /// The cause to the console and an `error` event, `sentence` to the buyer, and the view stops.
    pub fn fail(&self, cause: &dyn std::fmt::Display, sentence: String) {
        self.log(cause);
        self.emit(WidgetEvent::Error { message: cause.to_string() });
        self.phase.try_set(Phase::Fatal(sentence));
    }

    pub fn log(&self, cause: &dyn std::fmt::Display) {
        web_sys::console::error_1(&format!("Amazon Pay: {cause}").into());
    }

    pub fn token(&self) -> Option<AccessToken> {
        self.runtime.try_with_value(|r| r.token.clone()).flatten()
    }

    pub fn seller_id(&self) -> String {
        self.runtime.try_with_value(|r| r.config.as_ref().map(|c| c.seller_id.clone())).flatten().unwrap_or_default()
    }

    /// The view's sentence for the last widget error, if any.
    pub fn widget_problem(&self) -> Option<&'static str> {
        self.selection.problem.get().map(|e| self.t(if e.needs_sign_in() { Text::SignInAgain } else { Text::WidgetProblem }))
    }
}

/// How a view starts once it knows its `Widgets.js` configuration.
pub struct Start {
    pub config: WidgetsConfig,
    /// The token the page started with (address bar or this tab).
    pub token: Option<AccessToken>,
    pub button_id: String,
    pub style: ButtonStyle,
    pub timeout: Duration,
    /// Shows the signed-in part of the view (the widgets bind here).
    pub show: Rc<dyn Fn(AccessToken)>,
}

/// Loads `Widgets.js`, then calls `show` with the token the page has, or renders Amazon's button whose
/// sign-in leads to `show`.
pub async fn start(ctx: Ctx, s: Start) {
    if let Err(err) = signin::prepare(&s.config, s.timeout).await {
        ctx.fail(&err, err.buyer_message(ctx.lang));
        return;
    }
    let seller_id = s.config.seller_id.clone();
    ctx.runtime.update_value(|r| r.config = Some(s.config));
    let show = s.show;
    let shown = {
        let show = show.clone();
        move |token: AccessToken| {
            ctx.runtime.update_value(|r| r.token = Some(token.clone()));
            ctx.phase.try_set(Phase::Active);
            show(token);
        }
    };
    if let Some(token) = s.token {
        shown(token);
        return;
    }
    ctx.phase.try_set(Phase::SignIn);
    let signed_in = Rc::new(move |token: AccessToken| {
        ctx.say("");
        ctx.emit(WidgetEvent::SignedIn);
        shown(token);
    }) as Rc<dyn Fn(AccessToken)>;
    let problem = Rc::new(move |p: SignInProblem| {
        web_sys::console::warn_1(&format!("Amazon Pay sign-in: {p:?}").into());
        ctx.say(ctx.t(if p == SignInProblem::Cancelled { Text::SignInCancelled } else { Text::WidgetProblem }));
    }) as Rc<dyn Fn(SignInProblem)>;
    match signin::render_button(&s.button_id, &seller_id, &s.style, ctx.lang, signed_in, problem) {
        Ok(button) => ctx.runtime.update_value(|r| r.button = Some(button)),
        Err(err) => ctx.fail(&err, ctx.t(Text::WidgetProblem).into()),
    }
}

/// The sign-in part of a view: a hint and the element Amazon's button renders into.
pub fn sign_in_view(ctx: Ctx, button_id: String) -> impl IntoView {
    view! {
        <div class="amazon-pay-signin" hidden=move || ctx.phase.get() != Phase::SignIn>
            <p>{ctx.t(Text::SignInHint)}</p>
            <div id=button_id class="amazon-pay-cv1-button"></div>
        </div>
    }
}

/// "Sign out of Amazon Pay": Amazon's session and the kept token end, the page starts over.
pub fn sign_out_button(ctx: Ctx) -> impl IntoView {
    view! {
        <button type="button" class="amazon-pay-sign-out" on:click=move |_| {
            ctx.emit(WidgetEvent::SignedOut);
            signin::sign_out();
        }>{ctx.t(Text::SignOut)}</button>
    }
}

/// The view's `aria-live` notice, its loading line and its fatal message (with a way out).
pub fn status_view(ctx: Ctx, way_out: String, way_out_text: Text) -> impl IntoView {
    view! {
        <p class="amazon-pay-notice" role="status" aria-live="polite">{move || ctx.notice.get()}</p>
        <p class="amazon-pay-loading" aria-busy="true" hidden=move || ctx.phase.get() != Phase::Loading>{ctx.t(Text::Loading)}</p>
        {move || match ctx.phase.get() {
            Phase::Fatal(message) => Some(view! {
                <div class="amazon-pay-fatal" role="alert"><p>{message}</p><a href=way_out.clone()>{ctx.t(way_out_text)}</a></div>
            }),
            _ => None,
        }}
        <p class="amazon-pay-widget-problem" role="alert" hidden=move || ctx.widget_problem().is_none()>
            {move || ctx.widget_problem().unwrap_or_default()}
        </p>
    }
}
