//! The webhook outbox (`#/webhooks`): per configured URL how many deliveries wait or were given up and when the
//! next is tried, the waiting (or given-up) deliveries with their attempts and last answer, and "Send now"
//! per URL after a confirmation (`POST /merchant/api/webhooks/send-now`), for a receiver back from an outage.
//! Read again every few seconds while open, so deliveries sent or added meanwhile show by themselves.

use crate::api::{self, ApiError};
use crate::dates;
use crate::session::Session;
use amazon_pay_contract::merchant::{OutboxDelivery, OutboxUrl, WebhookAttempt, WebhookOutbox, WebhookSendNow};
use leptos::prelude::*;
use std::time::Duration;

/// How often the page reads the outbox again.
const REFRESH: Duration = Duration::from_secs(3);

/// The deliveries listed: the API's `state`, and what the merchant reads.
const STATES: [(&str, &str); 2] = [("pending", "Waiting to be sent or retried"), ("failed", "Given up after the last retry")];

/// Where "Send now" stands for one URL.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Idle,
    /// Asked, waiting for the merchant's confirmation: the URL and how many wait.
    Confirming(String, u64),
    Sending(String),
    Done(String),
    Failed(String),
}

#[component]
pub(crate) fn OutboxPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let outbox = RwSignal::new(None::<WebhookOutbox>);
    let error = RwSignal::new(None::<String>);
    let state = RwSignal::new("pending".to_owned());
    let step = RwSignal::new(Step::Idle);
    // Only the newest request's answer is shown (a slow one must not replace a newer filter's answer).
    let latest = StoredValue::new(0_u64);
    let reload = Callback::new(move |()| {
        let Some(key) = session.key() else { return };
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        let path = format!("/merchant/api/webhooks/deliveries?state={}", state.get_untracked());
        leptos::task::spawn_local(async move {
            let read = api::get::<WebhookOutbox>(&key, &path).await;
            if latest.try_get_value() != Some(this) {
                return;
            }
            match read {
                Ok(read) => {
                    error.set(None);
                    if outbox.with_untracked(|o| o.as_ref() != Some(&read)) {
                        outbox.set(Some(read));
                    }
                }
                Err(ApiError::InvalidKey) => session.sign_out(Some(ApiError::InvalidKey.sentence())),
                Err(err) => error.set(Some(err.sentence())),
            }
        });
    });
    reload.run(());
    if let Ok(handle) = set_interval_with_handle(move || reload.run(()), REFRESH) {
        on_cleanup(move || handle.clear());
    }
    let send = move |url: String| {
        let Some(key) = session.key() else { return };
        step.set(Step::Sending(url.clone()));
        let body = serde_json::json!({ "url": url }).to_string();
        leptos::task::spawn_local(async move {
            match api::post_plain::<WebhookSendNow>(&key, "/merchant/api/webhooks/send-now", &body).await {
                Ok(done) => {
                    let sentence = match done.made_due {
                        0 => "Nothing was waiting for a later retry: every waiting delivery is being sent already.".to_owned(),
                        1 => "1 delivery is due now and goes out within a second.".to_owned(),
                        n => format!("{n} deliveries are due now and go out within a second."),
                    };
                    step.set(Step::Done(sentence));
                    reload.run(());
                }
                Err(ApiError::InvalidKey) => session.sign_out(Some(ApiError::InvalidKey.sentence())),
                Err(err) => step.set(Step::Failed(err.sentence())),
            }
        });
    };
    view! {
        <p><a href="#/" class="back">"← All orders"</a></p>
        <section class="card">
            <h2>"Webhooks"</h2>
            <p class="muted">"Each event is signed and sent to every URL below; a delivery the receiver did not take is retried later. After an outage, Send now sends what waits at once instead."</p>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <table class="outbox-urls" aria-label="Webhook URLs">
                <thead><tr><th>"URL"</th><th class="num">"Waiting"</th><th class="num">"Given up"</th><th>"Next attempt"</th><th></th></tr></thead>
                <tbody>{move || outbox.get().map(|o| o.urls.into_iter().map(|u| url_row(u, step)).collect_view())}</tbody>
            </table>
            {move || match step.get() {
                Step::Idle => ().into_any(),
                Step::Confirming(url, waiting) => {
                    let confirm = url.clone();
                    let ask = format!(
                        "Send the {waiting} waiting deliver{} to {url} now? Each is signed and sent at once instead of at its next retry; one the receiver refuses again waits for its next retry.",
                        if waiting == 1 { "y" } else { "ies" }
                    );
                    view! {
                        <div class="confirm" role="alertdialog" aria-label="Confirm">
                            <p>{ask}</p>
                            <div class="buttons">
                                <button class="danger" on:click=move |_| send(confirm.clone())>"Confirm: send now"</button>
                                <button class="secondary" on:click=move |_| step.set(Step::Idle)>"Back"</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Step::Sending(_) => view! { <p class="muted" role="status">"Sending…"</p> }.into_any(),
                Step::Done(sentence) => view! { <p class="ok" role="status">{sentence}</p> }.into_any(),
                Step::Failed(sentence) => view! { <p class="error" role="alert">{sentence}</p> }.into_any(),
            }}
        </section>
        <section class="card">
            <h2>"Deliveries"</h2>
            <div class="filters">
                <div class="field">
                    <label for="outbox-state">"Show"</label>
                    <select id="outbox-state" on:change=move |ev| { state.set(event_target_value(&ev)); outbox.set(None); reload.run(()); }>
                        {STATES.iter().map(|(value, text)| view! { <option value=*value selected=move || state.get() == *value>{*text}</option> }).collect_view()}
                    </select>
                </div>
            </div>
            <table class="outbox" aria-label="Deliveries">
                <thead><tr><th>"Event"</th><th>"Order"</th><th>"URL"</th><th class="num">"Attempts"</th><th>"Last attempt"</th><th>"Next attempt"</th></tr></thead>
                <tbody>{move || outbox.get().map(|o| o.data.into_iter().map(delivery_row).collect_view())}</tbody>
            </table>
            {move || outbox.with(|o| o.as_ref().is_some_and(|o| o.data.is_empty())).then(|| {
                let none = if state.get() == "failed" { "No delivery was given up." } else { "Nothing waits: every event was delivered." };
                view! { <p class="empty">{none}</p> }
            })}
            {move || outbox.with(|o| o.as_ref().is_some_and(|o| o.has_more)).then(|| view! {
                <p class="muted">"More are waiting than shown here (the first 50, next due first)."</p>
            })}
        </section>
    }
}

/// One configured URL with its counts and its "Send now" button (off while nothing waits).
fn url_row(u: OutboxUrl, step: RwSignal<Step>) -> impl IntoView {
    let (url, waiting) = (u.url.clone(), u.pending);
    let next = u.next_attempt_at_ms.map(dates::format_ms).unwrap_or_default();
    view! {
        <tr>
            <td class="mono">{u.url}</td>
            <td class="num">{u.pending}</td>
            <td class="num">{u.failed}</td>
            <td>{next}</td>
            <td><button class="secondary" disabled=move || waiting == 0 || matches!(step.get(), Step::Sending(_))
                on:click=move |_| step.set(Step::Confirming(url.clone(), waiting))>"Send now…"</button></td>
        </tr>
    }
}

fn delivery_row(d: OutboxDelivery) -> impl IntoView {
    let href = format!("#/orders/{}", String::from(js_sys::encode_uri_component(&d.order_id)));
    view! {
        <tr>
            <td>{d.kind}</td>
            <td><a href=href class="order-link">{d.order_id}</a></td>
            <td class="mono">{d.url}</td>
            <td class="num">{d.attempt_count}</td>
            <td>{d.last_attempt.map_or_else(|| "not tried yet".to_owned(), attempt_text)}</td>
            <td>{d.next_attempt_at_ms.map(dates::format_ms).unwrap_or_default()}</td>
        </tr>
    }
}

/// `2026-12-06 04:05:06 UTC · HTTP 503`, or the error when there was no answer.
fn attempt_text(a: WebhookAttempt) -> String {
    let outcome = match (a.status, a.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error,
        (None, None) => "no answer".into(),
    };
    format!("{} · {outcome}", dates::format_ms(a.at_ms))
}
