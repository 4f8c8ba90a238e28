//! Small pieces the components share: money and addresses shown as text.

use crate::views::common::address_lines;
use amazon_pay_contract::cv2::PostalAddress;
use leptos::prelude::*;

/// An address block.
#[component]
pub fn AddressView(
    /// The address, as Amazon returned it.
    address: PostalAddress,
) -> impl IntoView {
    view! {
        <address class="amazon-pay-address">
            {address_lines(&address).into_iter().map(|line| view! { <span>{line}</span><br /> }).collect_view()}
        </address>
    }
}
