//! Signing in: the merchant pastes a merchant API key; it is tried on the API before it is kept, so a wrong
//! key gets a sentence instead of an empty dashboard.

use crate::api::{self, ApiError};
use crate::session::Session;
use amazon_pay_contract::merchant::OrderList;
use leptos::prelude::*;

#[component]
pub(crate) fn SignIn() -> impl IntoView {
    let session = expect_context::<Session>();
    let key = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let candidate = key.get_untracked().trim().to_owned();
        if candidate.is_empty() {
            error.set(Some("Enter your merchant API key.".into()));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let tried = api::get::<OrderList>(&candidate, "/merchant/api/orders?limit=1").await;
            busy.set(false);
            match tried {
                Ok(_) => {
                    key.set(String::new());
                    session.sign_in(candidate);
                }
                Err(err @ ApiError::InvalidKey) => error.set(Some(err.sentence())),
                Err(err) => error.set(Some(format!("Could not sign in. {}", err.sentence()))),
            }
        });
    };
    view! {
        <section class="card signin">
            <h2>"Sign in"</h2>
            <p>"Sign in with a merchant API key of this shop. It is kept in this browser tab only and forgotten when the tab closes."</p>
            {move || session.notice.get().map(|n| view! { <p class="notice" role="status">{n}</p> })}
            // action="#": nothing is ever posted anywhere (the CSP's form-action 'none'); submit is handled here.
            <form on:submit=submit>
                <label for="merchant-key">"Merchant API key"</label>
                <input id="merchant-key" type="password" autocomplete="off" spellcheck="false"
                    prop:value=move || key.get() on:input=move |ev| key.set(event_target_value(&ev))/>
                <button type="submit" disabled=move || busy.get()>"Sign in"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
        </section>
    }
}
