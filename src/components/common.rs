//! Small pieces the components share: money and addresses shown as text.

use crate::views::common::{country_name, each_address_line_with};
use amazon_pay_contract::cv2::PostalAddress;
use amazon_pay_contract::Language;
use leptos::prelude::*;

/// An address block, its country named in `language` (the code where the browser cannot name it).
#[component]
pub fn AddressView(
    /// The address, as Amazon returned it.
    address: PostalAddress,
    /// The buyer's language, for the country's name.
    #[prop(optional)]
    language: Language,
) -> impl IntoView {
    let mut lines = Vec::new();
    each_address_line_with(&address, &country_name(&address, language), |line| lines.push(line.to_owned()));
    view! {
        <address class="amazon-pay-address">
            {lines.into_iter().map(|line| view! { <span>{line}</span><br /> }).collect_view()}
        </address>
    }
}
