//! Paths of the backend's JSON API, relative to the backend's base URL, so widget and server agree.
//! (Built with `concat`, not `format!`: the widget's wasm is smaller.)

use crate::prelude::*;

/// The query parameter (value `1`) the server adds to the shop's cancel page in Checkout v2's button payload
/// (PAYONE's `backurl`, Amazon's `checkoutCancelUrl`): the widget on that page tells `amazonpay:cancelled`.
pub const CANCEL_MARKER: &str = "amazonPayCancelled";

/// `GET`: liveness.
pub const HEALTHZ: &str = "/healthz";
/// `POST` [`crate::cv2::CreateSessionRequest`] → [`crate::cv2::ButtonConfig`].
pub const CV2_SESSIONS: &str = "/api/cv2/sessions";
/// `POST` [`crate::checkoutchamp::ImportOrderRequest`] → [`crate::checkoutchamp::ImportOrderResponse`].
pub const CHECKOUTCHAMP_ORDERS: &str = "/api/checkoutchamp/orders";
/// `POST` [`crate::checkoutchamp::ImportUpsaleRequest`] → [`crate::checkoutchamp::ImportOrderResponse`].
pub const CHECKOUTCHAMP_UPSALES: &str = "/api/checkoutchamp/upsales";
/// `POST` [`crate::checkoutchamp::CrmStatusRequest`] → [`crate::checkoutchamp::CrmOrderState`].
pub const CHECKOUTCHAMP_ORDER_STATUS: &str = "/api/checkoutchamp/order-status";

/// `GET` → [`crate::cv2::CheckoutDetails`]: the review page's data for PAYONE workorder `id`.
pub fn cv2_session(workorder_id: &str) -> String {
    [CV2_SESSIONS, "/", &encode_segment(workorder_id)].concat()
}

/// `POST` [`crate::cv2::UpdateDeliveryRequest`] → [`crate::cv2::CheckoutDetails`].
pub fn cv2_delivery(workorder_id: &str) -> String {
    cv2_session(workorder_id) + "/delivery"
}

/// `POST` [`crate::cv2::PlaceOrderRequest`] → [`crate::cv2::PlaceOrderResponse`].
pub fn cv2_orders(workorder_id: &str) -> String {
    cv2_session(workorder_id) + "/orders"
}

/// `GET` → [`crate::orders::OrderStatus`].
pub fn order(order_id: &str) -> String {
    ["/api/orders/", &encode_segment(order_id)].concat()
}

/// `POST` [`crate::apb::ApbOrderRequest`] → [`crate::apb::ApbOrderResponse`].
pub const APB_ORDERS: &str = "/api/apb/orders";

/// `GET` → [`crate::cv1::WidgetsConfig`]: `Widgets.js` for integrations that talk to Amazon directly
/// (the CheckoutChamp lander and upsell page).
pub const CV1_WIDGETS: &str = "/api/cv1/widgets";
/// `POST` [`crate::cv1::CreateCv1SessionRequest`] → [`crate::cv1::Cv1Session`] (PAYONE `getconfiguration`).
pub const CV1_SESSIONS: &str = "/api/cv1/sessions";

/// `GET` → [`crate::cv1::Cv1Session`]: a PAYONE CV1 checkout again (after returning from Amazon).
pub fn cv1_session(workorder_id: &str) -> String {
    [CV1_SESSIONS, "/", &encode_segment(workorder_id)].concat()
}

/// `POST` [`crate::cv1::OrderReferenceRequest`] → [`crate::cv1::Cv1Details`] (PAYONE `getorderreferencedetails`).
pub fn cv1_details(workorder_id: &str) -> String {
    cv1_session(workorder_id) + "/details"
}

/// `POST` [`crate::cv1::ConfirmRequest`] → [`crate::cv1::Cv1OrderResponse`] (`setorderreferencedetails`,
/// `confirmorderreference`).
pub fn cv1_confirm(workorder_id: &str) -> String {
    cv1_session(workorder_id) + "/confirm"
}

/// `POST` [`crate::cv1::AuthorizeRequest`] → [`crate::cv1::Cv1OrderResponse`] (authorization, `wallettype=AMZ`).
pub fn cv1_authorize(order_id: &str) -> String {
    ["/api/cv1/orders/", &encode_segment(order_id), "/authorize"].concat()
}

/// `GET ?result=success|error`: where Amazon's confirmation flow returns the buyer (PAYONE's `successurl` and
/// `errorurl`); redirects to the widget's page.
pub fn cv1_return(order_id: &str) -> String {
    ["/api/cv1/orders/", &encode_segment(order_id), "/return"].concat()
}

/// Where PAYONE sends TransactionStatus notifications (configure this URL in PAYONE's PMI).
pub const PAYONE_TRANSACTION_STATUS: &str = "/payone/transaction-status";

/// Percent-encodes everything but unreserved characters, so an id can never change the path.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(cv2_session("WO1"), "/api/cv2/sessions/WO1");
        assert_eq!(order("../x?y"), "/api/orders/..%2Fx%3Fy");
    }
}
