//! Small pieces the views share: money and addresses shown as text, the buyer's sentence for a failure.

use crate::client::ClientError;
use crate::dom::{el, El};
use crate::prelude::*;
use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_contract::orders::{OrderState, OrderStatus};
use amazon_pay_contract::{Currency, ErrorCode, Language, Money};
use wasm_bindgen::JsValue;
use web_sys::Element;

/// `24,90 €` in German, French, Italian and Spanish; `€24.90` in English. Written out by hand (no `format!`,
/// no `replace`): a smaller wasm; `money_reads_as_buyers_expect` compares it with the contract's decimals.
pub fn format_money(money: Money, lang: Language) -> String {
    let symbol = match money.currency {
        Currency::Eur => "€",
        Currency::Gbp => "£",
        Currency::Usd => "$",
        Currency::Jpy => "¥",
    };
    let sign = if money.minor < 0 { "-" } else { "" };
    let abs = money.minor.unsigned_abs();
    let number = if money.currency.minor_digits() == 0 {
        amazon_pay_contract::digits(abs)
    } else {
        let cents = abs % 100;
        let point = if lang == Language::En { "." } else { "," };
        [amazon_pay_contract::digits(abs / 100).as_str(), point, if cents < 10 { "0" } else { "" }, &amazon_pay_contract::digits(cents)].concat()
    };
    match lang {
        Language::En => [sign, symbol, number.as_str()].concat(),
        _ => [sign, number.as_str(), "\u{a0}", symbol].concat(),
    }
}

/// The address as lines of text (empty parts left out).
pub fn address_lines(address: &PostalAddress) -> Vec<String> {
    let mut lines = Vec::new();
    each_address_line(address, |line| lines.push(line.to_owned()));
    lines
}

/// Calls `line` with each line of [`address_lines`], borrowed: for a view that only shows them (no `Vec`, no
/// copies: a smaller wasm). The country is its code ("DE"); the views show its name ([`each_address_line_with`]).
pub fn each_address_line(address: &PostalAddress, line: impl FnMut(&str)) {
    each_address_line_with(address, &address.country, line)
}

/// [`each_address_line`] with `country` as the last line: the country's name in the buyer's language
/// ([`country_name`]).
pub fn each_address_line_with(address: &PostalAddress, country: &str, mut line: impl FnMut(&str)) {
    let name = [address.first_name.as_str(), " ", &address.last_name].concat();
    let city = [address.zip.as_str(), " ", &address.city].concat();
    for text in [name.trim_ascii(), &address.company, &address.street, &address.addition, city.trim_ascii(), country] {
        if !text.trim_ascii().is_empty() {
            line(text);
        }
    }
}

/// The name of `address`'s country in `lang` ("Deutschland" for "DE" in German), from the browser's
/// `Intl.DisplayNames`; its code where the browser cannot name it. A wasm-only call: the tests of this crate's
/// native build use [`address_lines`].
pub fn country_name(address: &PostalAddress, lang: Language) -> String {
    crate::interop::intl::region_name(&address.country, lang).unwrap_or_else(|| address.country.clone())
}

/// `<address class="amazon-pay-address">`, a line of text each.
pub fn address_block(address: &PostalAddress) -> Result<Element, JsValue> {
    let mut block = el("address")?.class("amazon-pay-address");
    for line in address_lines(address) {
        block = block.child(&el("span")?.text(&line).done()).child(&el("br")?.done());
    }
    Ok(block.done())
}

/// `<ul class="amazon-pay-items">`: "2 × Rust mug  25,80 €" per line.
pub fn item_list(lines: impl IntoIterator<Item = (u32, String, Money)>, lang: Language) -> Result<Element, JsValue> {
    let mut list = el("ul")?.class("amazon-pay-items");
    for (quantity, name, price) in lines {
        let price = el("span")?.class("amazon-pay-price").text(&format_money(price, lang)).done();
        list = list.child(&el("li")?.text(&[&amazon_pay_contract::digits(quantity.into()), " × ", &name, " "].concat()).child(&price).done());
    }
    Ok(list.done())
}

/// `<p class="amazon-pay-total">Total: <strong>…</strong></p>` (also the order number line).
pub fn labelled(class: &str, label: &str, value: &Element) -> Result<Element, JsValue> {
    Ok(el("p")?.class(class).add_text(label).add_text(": ").child(value).done())
}

/// A `role=status` `aria-live=polite` paragraph: where a view announces what happens.
pub fn live_region(class: &str) -> Result<El, JsValue> {
    Ok(el("p")?.class(class).attr("role", "status").attr("aria-live", "polite"))
}

/// The buyer's sentence for a failed backend call: the server's own (in the buyer's language) when it sent one.
pub fn buyer_message(err: &ClientError, lang: Language) -> String {
    match err.api_error() {
        Some(api) => api.message.clone(),
        None => ErrorCode::UpstreamError.buyer_message(lang).to_owned(),
    }
}

/// Why the provider turned an order down (`declined` when placing, or `failed` later), in the buyer's words:
/// the sentence `GET /api/orders` sends with the decline's code, in the page's language; `None` for another
/// state or when it names no reason. The review and the confirmation page both read it here, so a buyer reads
/// the same reason on either. (The server's sentence, not `ErrorCode::buyer_message`: that would bring every
/// code's sentences into the review page, 1.2 KB gzip.)
pub fn decline_reason(status: &OrderStatus) -> Option<&str> {
    match status.state {
        OrderState::Declined | OrderState::Failed => status.message.as_deref(),
        _ => None,
    }
}

/// `url` with `order=<id>` appended.
pub fn with_order(url: &str, order_id: &str) -> String {
    let separator = if crate::scan::has(url, b'?') { "&" } else { "?" };
    [url, separator, "order=", &amazon_pay_contract::routes::encode_segment(order_id)].concat()
}

/// The cause, for the developer's console.
pub fn log_error(context: &str, cause: &dyn core::fmt::Display) {
    web_sys::console::error_1(&[context, ": ", &cause.to_string()].concat().into());
}

/// Whether an error answer to a request that may move money (CV2's "Place order", CV1's authorization) leaves
/// the outcome open: `Some(true)` when nothing says how it stands (no answer, a garbled one, the provider's
/// timeout), `Some(false)` when the server's sentence says it (`busy`: another request of the checkout is placing
/// it), `None` for a refusal that decided. An open outcome is asked about again (the same key, the same order),
/// never placed anew.
pub fn undecided(err: &ClientError) -> Option<bool> {
    match err {
        ClientError::Network { .. } | ClientError::Decode { .. } => Some(true),
        ClientError::Api { error, .. } => match error.code {
            ErrorCode::UpstreamTimeout => Some(true),
            ErrorCode::Busy => Some(false),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_reads_as_buyers_expect() {
        assert_eq!(format_money(Money::eur(2490), Language::De), "24,90\u{a0}€");
        assert_eq!(format_money(Money::eur(2490), Language::En), "€24.90");
        assert_eq!(format_money(Money::eur(-5), Language::En), "-€0.05");
        assert_eq!(format_money(Money::eur(100_000), Language::Fr), "1000,00\u{a0}€");
    }

    /// What `format_money` wrote before it was written out by hand: the contract's decimal, respelled.
    fn with_decimal(money: Money, lang: Language) -> String {
        let decimal = money.decimal();
        let symbol = &format_money(Money::new(0, money.currency), Language::En)[..];
        let symbol = symbol.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.');
        match lang {
            Language::En => match decimal.strip_prefix('-') {
                Some(abs) => ["-", symbol, abs].concat(),
                None => [symbol, &decimal].concat(),
            },
            _ => [&decimal.replace('.', ","), "\u{a0}", symbol].concat(),
        }
    }

    #[test]
    fn money_is_the_contract_s_decimal_in_the_buyer_s_spelling() {
        for minor in [0, 5, -5, 10, 99, 100, 2490, -100_000, i64::MIN + 1, i64::MAX] {
            for currency in [Currency::Eur, Currency::Gbp, Currency::Usd, Currency::Jpy] {
                for lang in Language::ALL {
                    let money = Money::new(minor, currency);
                    assert_eq!(format_money(money, lang), with_decimal(money, lang), "{minor} {currency:?} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn address_lines_skip_empty_parts() {
        let a = PostalAddress {
            first_name: "Giulia".into(),
            street: "Via del Corso 5".into(),
            zip: "00186".into(),
            city: "Roma".into(),
            country: "IT".into(),
            ..Default::default()
        };
        assert_eq!(address_lines(&a), ["Giulia", "Via del Corso 5", "00186 Roma", "IT"]);
    }

    #[test]
    fn order_links_keep_their_query() {
        assert_eq!(with_order("/confirmation.html", "O1"), "/confirmation.html?order=O1");
        assert_eq!(with_order("/c?x=1", "A B"), "/c?x=1&order=A%20B");
    }

    #[test]
    fn only_a_refusal_that_decided_is_decided() {
        let api = |code: ErrorCode| ClientError::Api {
            url: "/api/cv2/sessions/W/orders".into(),
            error: amazon_pay_contract::ApiError { code, message: code.buyer_message(Language::En).into(), detail: None },
        };
        assert_eq!(undecided(&ClientError::Network { url: "u".into(), cause: "offline".into() }), Some(true));
        assert_eq!(undecided(&ClientError::Decode { url: "u".into(), status: 502, cause: "html".into() }), Some(true));
        // The provider may have authorized what it answered too late: asked again, never placed anew.
        assert_eq!(undecided(&api(ErrorCode::UpstreamTimeout)), Some(true));
        assert_eq!(undecided(&api(ErrorCode::Busy)), Some(false));
        for decided in
            [ErrorCode::UpstreamError, ErrorCode::UpstreamInvalid, ErrorCode::SoftDecline, ErrorCode::BadRequest, ErrorCode::SessionExpired]
        {
            assert_eq!(undecided(&api(decided)), None, "{decided:?}");
        }
    }
}
