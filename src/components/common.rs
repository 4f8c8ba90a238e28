//! Small pieces the components share: money and addresses shown as text.

use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_contract::{Currency, Language, Money};
use leptos::prelude::*;

/// `24,90 €` in German, French, Italian and Spanish; `€24.90` in English.
pub fn format_money(money: Money, lang: Language) -> String {
    let decimal = money.decimal();
    let symbol = match money.currency {
        Currency::Eur => "€",
        Currency::Gbp => "£",
        Currency::Usd => "$",
        Currency::Jpy => "¥",
    };
    match lang {
        Language::En => match decimal.strip_prefix('-') {
            Some(abs) => format!("-{symbol}{abs}"),
            None => format!("{symbol}{decimal}"),
        },
        _ => format!("{}\u{a0}{symbol}", decimal.replace('.', ",")),
    }
}

/// The address as lines of text (empty parts left out). Rendered as text nodes, never as HTML.
pub fn address_lines(address: &PostalAddress) -> Vec<String> {
    let name = format!("{} {}", address.first_name, address.last_name).trim().to_owned();
    let city = format!("{} {}", address.zip, address.city).trim().to_owned();
    [name, address.company.clone(), address.street.clone(), address.addition.clone(), city, address.country.clone()]
        .into_iter()
        .filter(|line| !line.trim().is_empty())
        .collect()
}

/// An address block.
#[component]
pub fn AddressView(address: PostalAddress) -> impl IntoView {
    view! {
        <address class="amazon-pay-address">
            {address_lines(&address).into_iter().map(|line| view! { <span>{line}</span><br /> }).collect_view()}
        </address>
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
}
