//! PAYONE's Server API: the wire format (shared with the sandbox's simulator) and the client.

mod client;
pub mod transaction_status;

/// Where TransactionStatus notifications may come from (a module of its own: the configuration parses it).
pub use crate::sender_range;
pub use client::{PayoneClient, PayoneError, PayoneTransport};
/// PAYONE's wire format (its own crate, shared with the sandbox).
pub use payone_wire as wire;
pub use payone_wire::{GatewayReply, InProcessGateway};
pub use transaction_status::{TransactionStatus, TsRejection};
pub use wire::{PayoneRequest, PayoneResponse};

/// PAYONE's Amazon error codes (reference §6) as the widget's error codes.
pub fn decline_code(payone_code: &str) -> amazon_pay_contract::ErrorCode {
    use amazon_pay_contract::ErrorCode;
    match payone_code {
        // The buyer can pick another instrument in Amazon Pay.
        "981" | "985" | "986" | "987" => ErrorCode::SoftDecline,
        "982" | "109" | "900" | "980" | "983" | "984" => ErrorCode::HardDecline,
        "923" => ErrorCode::Configuration,
        // No CV2 code for an expired checkout session is documented; the sandbox answers 101.
        "101" => ErrorCode::SessionExpired,
        _ => ErrorCode::UpstreamError,
    }
}
