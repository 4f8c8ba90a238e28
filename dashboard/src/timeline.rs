//! An order's timeline: placed, each state it entered, PAYONE's notifications, the merchant's captures, refunds
//! and releases, and every webhook delivery with its attempts, oldest first.

use crate::dates;
use amazon_pay_contract::merchant::{Timeline, WebhookAttempt};
use leptos::prelude::*;

#[component]
pub(crate) fn TimelineView(timeline: Timeline) -> impl IntoView {
    view! {
        <section class="card">
            <h2>"Timeline"</h2>
            <ol class="timeline" aria-label="Timeline">
                {timeline.entries.into_iter().map(|e| {
                    let source = match e.source.as_str() {
                        "order" => "Order",
                        "payone" => "PAYONE",
                        "amazon" => "Amazon",
                        "merchant" => "You",
                        "webhook" => "Webhook",
                        _ => "Other",
                    };
                    view! {
                        <li class=format!("entry source-{}", e.source)>
                            <span class="when">{dates::format_ms(e.at_ms)}</span>
                            <span class="who">{source}</span>
                            <span class="what">{e.title}</span>
                            {e.detail.map(|d| view! { <span class="detail">{d}</span> })}
                            {(!e.attempts.is_empty()).then(|| view! {
                                <ul class="attempts">{e.attempts.into_iter().map(attempt).collect_view()}</ul>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}

fn attempt(a: WebhookAttempt) -> impl IntoView {
    let outcome = match (a.status, a.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error,
        (None, None) => "no answer".into(),
    };
    view! { <li>{format!("{} · {outcome} · {} ms", dates::format_ms(a.at_ms), a.duration_ms)}</li> }
}
