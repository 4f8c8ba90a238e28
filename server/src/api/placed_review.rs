//! What the review endpoint answers once the checkout's order exists: the order and the cart, never the buyer.
//! The checkout id is in the review page's address (history, shared links, screenshots) and Amazon's session id
//! names the checkout too; after placement no page needs the buyer's name, e-mail, addresses or instrument (the
//! review page then only leads to the confirmation, which reads `/api/orders/{id}`), so a leaked address must not
//! reveal them.

use amazon_pay_contract::cv2::CheckoutDetails;

/// `details` as answered while an order exists: the buyer's fields empty, the rest (order, items, total) kept.
pub(crate) fn answer(details: CheckoutDetails) -> CheckoutDetails {
    if details.order_id.is_none() {
        return details;
    }
    CheckoutDetails {
        buyer_name: String::new(),
        email: String::new(),
        shipping_address: None,
        address_problem: None,
        phone_required: false,
        billing_address: None,
        payment_descriptor: None,
        ..details
    }
}
