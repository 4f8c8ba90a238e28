//! The orders list: filters (state, money, flow, dates), a search (order id, buyer, e-mail, references), newest first,
//! a page at a time.

use crate::api::{self, ApiError};
use crate::session::Session;
use crate::{dates, money};
use amazon_pay_contract::merchant::{MerchantOrder, OrderList as Page};
use leptos::prelude::*;

/// The list's filters, kept while the merchant looks at an order and comes back.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Filters {
    state: RwSignal<String>,
    payment: RwSignal<String>,
    flow: RwSignal<String>,
    since: RwSignal<String>,
    until: RwSignal<String>,
    search: RwSignal<String>,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            state: RwSignal::new(String::new()),
            payment: RwSignal::new(String::new()),
            flow: RwSignal::new(String::new()),
            since: RwSignal::new(String::new()),
            until: RwSignal::new(String::new()),
            search: RwSignal::new(String::new()),
        }
    }
}

const STATES: [(&str, &str); 10] = [
    ("", "Any state"),
    ("approved", "Approved (authorized)"),
    ("paid", "Paid"),
    ("pending", "Pending at Amazon"),
    ("redirected", "At Amazon (buyer not back)"),
    ("placing", "Placing"),
    ("declined", "Declined"),
    ("failed", "Failed"),
    ("abandoned", "Abandoned"),
    ("upstream_failed", "PAYONE unreachable"),
];
/// The merchant API's `payment_status`: what capture, refund and cancel did (the state stays the provider's).
const PAYMENTS: [(&str, &str); 8] = [
    ("", "Any money"),
    ("authorized", "Authorized, nothing captured"),
    ("partly_captured", "Part captured"),
    ("captured", "Captured"),
    ("partly_refunded", "Part refunded"),
    ("refunded", "Refunded"),
    ("cancelled", "Cancelled (released)"),
    ("none", "Nothing authorized"),
];

/// The badge of an order's `payment_status` (none for CheckoutChamp's orders: the CRM's).
pub(crate) fn payment_badge(order: &MerchantOrder) -> Option<AnyView> {
    let status = order.payment_status?.as_str();
    let text = PAYMENTS.iter().find(|(value, _)| *value == status).map_or(status, |(_, text)| *text);
    Some(view! { <span class=format!("state payment-{status}") title="Money (payment_status)">{text}</span> }.into_any())
}

const FLOWS: [(&str, &str); 5] =
    [("", "Any flow"), ("cv2", "Checkout v2"), ("apb", "Pay at the end (APB)"), ("cv1", "Legacy widgets (CV1)"), ("checkoutchamp", "CheckoutChamp")];

impl Filters {
    /// The query string, or the sentence saying which filter is wrong.
    fn query(&self, cursor: Option<&str>) -> Result<String, String> {
        let mut parts = vec!["limit=25".to_owned()];
        let enc = |s: &str| String::from(js_sys::encode_uri_component(s));
        for (name, value) in [
            ("state", self.state.get_untracked()),
            ("payment_status", self.payment.get_untracked()),
            ("flow", self.flow.get_untracked()),
            ("q", self.search.get_untracked()),
        ] {
            if !value.trim().is_empty() {
                parts.push(format!("{name}={}", enc(value.trim())));
            }
        }
        let since = self.since.get_untracked();
        if !since.is_empty() {
            let start = dates::day_start(&since).ok_or("The 'from' date is not a date.")?;
            parts.push(format!("created_since={start}"));
        }
        let until = self.until.get_untracked();
        if !until.is_empty() {
            // Up to the end of that day.
            let end = dates::day_start(&until).ok_or("The 'to' date is not a date.")? + 86_400;
            parts.push(format!("created_until={end}"));
        }
        if let Some(cursor) = cursor {
            parts.push(format!("cursor={}", enc(cursor)));
        }
        Ok(parts.join("&"))
    }
}

#[component]
pub(crate) fn OrderList() -> impl IntoView {
    let session = expect_context::<Session>();
    let filters = expect_context::<Filters>();
    let orders = RwSignal::new(Vec::<MerchantOrder>::new());
    let next = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let loading = RwSignal::new(false);
    // Which request the list shows the answer of: only the newest. Answers can come back in another order
    // than their requests went out (a slow search, then a quick one): an older answer is dropped, never shown
    // over a newer one. `next` is cleared while a request runs, so "Older orders" cannot be asked for the
    // page of filters that are no longer the current ones.
    let latest = StoredValue::new(0_u64);
    let load = move |cursor: Option<String>| {
        let query = match filters.query(cursor.as_deref()) {
            Ok(query) => query,
            Err(sentence) => return error.set(Some(sentence)),
        };
        let Some(key) = session.key() else { return };
        latest.update_value(|n| *n += 1);
        let this = latest.get_value();
        loading.set(true);
        error.set(None);
        next.set(None);
        leptos::task::spawn_local(async move {
            let page = api::get::<Page>(&key, &format!("/merchant/api/orders?{query}")).await;
            if latest.try_get_value() != Some(this) {
                return;
            }
            loading.set(false);
            match page {
                Ok(page) => {
                    if cursor.is_some() {
                        orders.update(|o| o.extend(page.data));
                    } else {
                        orders.set(page.data);
                    }
                    next.set(page.next_cursor);
                }
                Err(ApiError::InvalidKey) => session.sign_out(Some(ApiError::InvalidKey.sentence())),
                Err(err) => error.set(Some(err.sentence())),
            }
        });
    };
    load(None);
    let select = |label: &'static str, id: &'static str, signal: RwSignal<String>, options: &'static [(&'static str, &'static str)]| {
        view! {
            <label for=id>{label}</label>
            <select id=id on:change=move |ev| { signal.set(event_target_value(&ev)); load(None); }>
                {options.iter().map(|(value, text)| view! { <option value=*value selected=move || signal.get() == *value>{*text}</option> }).collect_view()}
            </select>
        }
    };
    view! {
        <section class="card">
            <form class="filters" on:submit=move |ev| { ev.prevent_default(); load(None); }>
                <div class="field grow">
                    <label for="search">"Search"</label>
                    <input id="search" type="search" placeholder="Order id, buyer name or e-mail, PAYONE txid, Amazon order reference, charge or charge permission id"
                        prop:value=move || filters.search.get() on:input=move |ev| filters.search.set(event_target_value(&ev))/>
                </div>
                <div class="field">{select("State", "state", filters.state, &STATES)}</div>
                <div class="field">{select("Money", "payment", filters.payment, &PAYMENTS)}</div>
                <div class="field">{select("Flow", "flow", filters.flow, &FLOWS)}</div>
                <div class="field">
                    <label for="since">"From"</label>
                    <input id="since" type="date" prop:value=move || filters.since.get() on:change=move |ev| { filters.since.set(event_target_value(&ev)); load(None); }/>
                </div>
                <div class="field">
                    <label for="until">"To"</label>
                    <input id="until" type="date" prop:value=move || filters.until.get() on:change=move |ev| { filters.until.set(event_target_value(&ev)); load(None); }/>
                </div>
                <button type="submit">"Search"</button>
            </form>
            {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <table class="orders" aria-label="Orders">
                <thead><tr><th>"Order"</th><th>"Placed"</th><th>"Buyer"</th><th>"Flow"</th><th>"State"</th><th>"Money"</th><th class="num">"Total"</th><th class="num">"Captured"</th></tr></thead>
                <tbody>
                    {move || orders.get().into_iter().map(row).collect_view()}
                </tbody>
            </table>
            {move || (orders.with(Vec::is_empty) && !loading.get() && error.with(Option::is_none)).then(|| view! { <p class="empty">"No orders match."</p> })}
            {move || loading.get().then(|| view! { <p class="muted">"Loading…"</p> })}
            <Show when=move || next.with(Option::is_some)>
                <button class="secondary" on:click=move |_| load(next.get_untracked())>"Older orders"</button>
            </Show>
        </section>
    }
}

fn row(order: MerchantOrder) -> impl IntoView {
    let href = format!("#/orders/{}", String::from(js_sys::encode_uri_component(&order.id)));
    let buyer = order
        .buyer
        .as_ref()
        .map(|b| {
            let name = [b.first_name.as_deref(), b.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
            match &b.email {
                Some(email) if name.is_empty() => email.clone(),
                Some(email) => format!("{name} <{email}>"),
                None => name,
            }
        })
        .unwrap_or_default();
    view! {
        <tr>
            <td><a href=href class="order-link">{order.id.clone()}</a></td>
            <td>{dates::format(order.created)}</td>
            <td>{buyer}</td>
            <td>{order.flow.clone()}</td>
            <td><span class=format!("state state-{}", order.state)>{order.state.clone()}</span></td>
            <td>{payment_badge(&order)}</td>
            <td class="num">{money::format(order.amounts.total, &order.currency)}</td>
            <td class="num">{money::format(order.amounts.captured, &order.currency)}</td>
        </tr>
    }
}
