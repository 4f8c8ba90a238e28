//! Capture, refund and cancel: the merchant fills in the amount (and a reason), reviews a sentence saying
//! exactly what will happen, and confirms. The amount is checked before anything is sent (positive, in the
//! currency's minor units, not above what is left); each confirmed action gets one Idempotency-Key, kept for
//! its retries, so a retry after a lost answer moves money at most once.

use crate::api::{self, ApiError};
use crate::money;
use crate::session::Session;
use amazon_pay_contract::merchant::{self, MerchantOrder};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Capture,
    Refund,
    Cancel,
}

impl Kind {
    fn path(self) -> &'static str {
        match self {
            Kind::Capture => "capture",
            Kind::Refund => "refund",
            Kind::Cancel => "cancel",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Kind::Capture => "Capture",
            Kind::Refund => "Refund",
            Kind::Cancel => "Cancel order",
        }
    }
}

/// A reviewed action, waiting for the merchant's confirmation or being sent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reviewed {
    kind: Kind,
    /// Minor units (cancel: what is released).
    amount: i64,
    reason: String,
    /// Made at the first confirmation, kept for retries.
    idempotency_key: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Idle,
    Editing(Kind),
    Confirming(Reviewed),
    Sending(Reviewed),
    Done(String),
    Failed { sentence: String, retry: Option<Reviewed> },
}

#[component]
pub(crate) fn Actions(order: RwSignal<Option<MerchantOrder>>, on_done: Callback<()>) -> impl IntoView {
    let session = expect_context::<Session>();
    let step = RwSignal::new(Step::Idle);
    let amount_text = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // The order's id, provider and currency never change; its amounts do (read anew on every refresh).
    let Some(first) = order.get_untracked() else { return ().into_any() };
    let Some(carrier) = first.money_carrier() else {
        return view! {
            <section class="card actions"><h2>"Capture, refund, cancel"</h2>
                <p>"This order's money is handled in CheckoutChamp: capture, refund or cancel it there."</p></section>
        }
        .into_any();
    };
    // Copy handles, so the closures below can be used in every button.
    let (id, currency) = (StoredValue::new(first.id.clone()), StoredValue::new(first.currency.clone()));
    let amounts = move || order.with(|o| o.as_ref().map(|o| o.amounts).unwrap_or_default());
    let most = move |kind: Kind| match kind {
        Kind::Capture => money::capturable(carrier, &amounts()),
        Kind::Cancel => amounts().remaining,
        Kind::Refund => amounts().refundable,
    };
    // Why Capture is off while money is left: Amazon Pay captured this order once already.
    let captured_once = move || {
        (most(Kind::Capture) == 0 && amounts().remaining > 0).then(|| {
        let left = money::format(amounts().remaining, &currency.get_value());
        view! { <p class="muted">{format!("Amazon Pay captures an order once, and part was captured: the {left} left can only be released (Cancel order).")}</p> }
    })
    };
    // How much the action can move and why not more, as the merchant API says it.
    let limit = move |kind: Kind| {
        let (a, currency) = (amounts(), currency.get_value());
        match kind {
            Kind::Capture | Kind::Cancel => merchant::capture_limit(a.authorized, a.captured, a.released, &currency),
            Kind::Refund => merchant::refund_limit(a.captured, a.refunded, &currency),
        }
    };
    let open = move |kind: Kind| {
        amount_text.set(money::input_text(most(kind), &currency.get_value()));
        reason.set(String::new());
        error.set(None);
        step.set(Step::Editing(kind));
    };
    let review = move |kind: Kind| {
        let amount = match kind {
            Kind::Cancel => Ok(most(kind)),
            _ => money::parse(&amount_text.get_untracked(), &currency.get_value(), most(kind), &limit(kind)),
        };
        match amount {
            Ok(amount) => {
                error.set(None);
                step.set(Step::Confirming(Reviewed { kind, amount, reason: reason.get_untracked().trim().to_owned(), idempotency_key: None }));
            }
            Err(sentence) => error.set(Some(sentence)),
        }
    };
    let send = move |mut reviewed: Reviewed| {
        let Some(key) = session.key() else { return };
        let idempotency_key = match reviewed.idempotency_key.clone().map_or_else(api::new_idempotency_key, Ok) {
            Ok(made) => made,
            Err(err) => return step.set(Step::Failed { sentence: err.sentence(), retry: None }),
        };
        reviewed.idempotency_key = Some(idempotency_key.clone());
        let path = format!("/merchant/api/orders/{}/{}", String::from(js_sys::encode_uri_component(&id.get_value())), reviewed.kind.path());
        let mut body = serde_json::Map::new();
        if reviewed.kind != Kind::Cancel {
            body.insert("amount".into(), reviewed.amount.into());
        }
        if reviewed.kind != Kind::Capture && !reviewed.reason.is_empty() {
            body.insert("reason".into(), reviewed.reason.clone().into());
        }
        let body = serde_json::Value::Object(body).to_string();
        step.set(Step::Sending(reviewed.clone()));
        let currency = currency.get_value();
        leptos::task::spawn_local(async move {
            match api::post::<MerchantOrder>(&key, &path, &body, &idempotency_key).await {
                Ok(_) => {
                    let done = match reviewed.kind {
                        Kind::Capture => format!("Captured {}.", money::format(reviewed.amount, &currency)),
                        Kind::Refund => format!("Refunded {}.", money::format(reviewed.amount, &currency)),
                        Kind::Cancel => format!("Cancelled: {} released.", money::format(reviewed.amount, &currency)),
                    };
                    step.set(Step::Done(done));
                    on_done.run(());
                }
                Err(ApiError::InvalidKey) => session.sign_out(Some(ApiError::InvalidKey.sentence())),
                Err(err) => {
                    let retry = err.retry_may_help().then_some(reviewed);
                    step.set(Step::Failed { sentence: err.sentence(), retry });
                    on_done.run(());
                }
            }
        });
    };

    let describe = move |r: &Reviewed| {
        let amount = money::format(r.amount, &currency.get_value());
        match r.kind {
            // Amazon Pay captures a charge once: whatever a partial capture leaves can then only be released.
            Kind::Capture if carrier == "Amazon Pay" && r.amount < most(Kind::Capture) => {
                format!("Capture {amount}? Amazon Pay charges the buyer now, and captures an order once: the rest can then only be released.")
            }
            Kind::Capture => format!("Capture {amount}? {carrier} charges the buyer's Amazon Pay account now."),
            Kind::Refund => format!("Refund {amount}? The buyer gets it back through Amazon Pay; this cannot be undone."),
            Kind::Cancel => {
                format!("Cancel the order and release {amount} that is authorized and not captured? Nothing more can be captured afterwards.")
            }
        }
    };
    let button = move |kind: Kind| {
        view! { <button class="secondary" disabled=move || most(kind) == 0 on:click=move |_| open(kind)>{format!("{}…", kind.label())}</button> }
    };
    view! {
        <section class="card actions">
            <h2>"Capture, refund, cancel"</h2>
            <div class="buttons">{button(Kind::Capture)}{button(Kind::Refund)}{button(Kind::Cancel)}</div>
            {captured_once}
            {move || match step.get() {
                Step::Idle => ().into_any(),
                Step::Editing(kind) => view! {
                    <form class="action-form" on:submit=move |ev| { ev.prevent_default(); review(kind); }>
                        <h3>{kind.label()}</h3>
                        {(kind != Kind::Cancel).then(|| view! {
                            <label for="action-amount">{format!("Amount ({})", currency.get_value())}</label>
                            <input id="action-amount" inputmode="decimal" autocomplete="off"
                                prop:value=move || amount_text.get() on:input=move |ev| amount_text.set(event_target_value(&ev))/>
                            <p class="muted">{limit(kind)}</p>
                        })}
                        {(kind != Kind::Capture).then(|| view! {
                            <label for="action-reason">"Reason (optional, kept with the order)"</label>
                            <input id="action-reason" maxlength="255" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))/>
                        })}
                        {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
                        <div class="buttons">
                            <button type="submit">"Review"</button>
                            <button type="button" class="secondary" on:click=move |_| step.set(Step::Idle)>"Back"</button>
                        </div>
                    </form>
                }.into_any(),
                Step::Confirming(reviewed) => {
                    let confirm = reviewed.clone();
                    let label = format!("Confirm: {}", reviewed.kind.label().to_lowercase());
                    view! {
                        <div class="confirm" role="alertdialog" aria-label="Confirm">
                            <p>{describe(&reviewed)}</p>
                            <div class="buttons">
                                <button class="danger" on:click=move |_| send(confirm.clone())>{label}</button>
                                <button class="secondary" on:click=move |_| step.set(Step::Editing(reviewed.kind))>"Back"</button>
                            </div>
                        </div>
                    }.into_any()
                }
                Step::Sending(_) => view! { <p class="muted" role="status">{format!("Sending to {carrier}…")}</p> }.into_any(),
                Step::Done(sentence) => view! { <p class="ok" role="status">{sentence}</p> }.into_any(),
                Step::Failed { sentence, retry } => view! {
                    <p class="error" role="alert">{sentence}</p>
                    {retry.map(|r| view! { <button on:click=move |_| send(r.clone())>"Try again"</button> })}
                }.into_any(),
            }}
        </section>
    }
    .into_any()
}
