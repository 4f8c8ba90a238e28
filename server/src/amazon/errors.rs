//! Amazon Pay's errors (`reasonCode`, HTTP status, no answer) as the widget's error codes, so the buyer reads
//! the same sentences as with PAYONE: declines, an expired or cancelled session, Amazon unreachable.

use crate::error::AppError;
use amazon_pay_contract::ErrorCode;
use amazon_pay_v2::Error;

/// The widget's code for an Amazon `reasonCode` (of an error answer, or of a declined or cancelled object).
pub fn code_for_reason(reason: &str) -> ErrorCode {
    match reason {
        // The buyer can pick another instrument in Amazon Pay.
        "SoftDeclined" | "InvalidPaymentMethod" | "PaymentMethodNotAllowed" => ErrorCode::SoftDecline,
        "HardDeclined" | "AmazonRejected" | "ProcessingFailure" | "TransactionTimedOut" | "Declined" => ErrorCode::HardDecline,
        // The session can no longer be used: past its 24 hours, cancelled by the buyer or by Amazon.
        "CheckoutSessionCanceled" | "InvalidCheckoutSessionStatus" | "Expired" | "BuyerCanceled" | "AmazonCanceled" | "ResourceNotFound" => {
            ErrorCode::SessionExpired
        }
        // Our key, key id or signature: the merchant must fix the configuration.
        "InvalidRequestSignature"
        | "InvalidHeaderValue"
        | "MissingHeader"
        | "MissingHeaderValue"
        | "UnauthorizedAccess"
        | "InvalidAuthentication"
        | "InvalidPublicKeyId" => ErrorCode::Configuration,
        "TooManyRequests" | "InternalServerError" | "ServiceUnavailable" => ErrorCode::UpstreamError,
        _ => ErrorCode::UpstreamInvalid,
    }
}

/// An Amazon Pay failure as the handler's error (the detail names Amazon's reasonCode, never a key).
pub fn app_error(err: &Error) -> AppError {
    let code = match err {
        Error::Api { status, reason_code, .. } => match code_for_reason(reason_code) {
            ErrorCode::UpstreamInvalid if *status >= 500 => ErrorCode::UpstreamError,
            code => code,
        },
        Error::Transport(e) if e.is_timeout() => ErrorCode::UpstreamTimeout,
        Error::Transport(_) => ErrorCode::UpstreamError,
        Error::Decode { .. } => ErrorCode::UpstreamInvalid,
        Error::Key(_) | Error::Config(_) => ErrorCode::Configuration,
    };
    AppError::new(code, err.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16, reason: &str) -> Error {
        Error::Api { status, reason_code: reason.into(), message: "m".into() }
    }

    #[test]
    fn amazons_reasons_become_buyer_messages() {
        assert_eq!(app_error(&api(400, "SoftDeclined")).code, ErrorCode::SoftDecline);
        assert_eq!(app_error(&api(400, "HardDeclined")).code, ErrorCode::HardDecline);
        assert_eq!(app_error(&api(400, "AmazonRejected")).code, ErrorCode::HardDecline);
        assert_eq!(app_error(&api(422, "CheckoutSessionCanceled")).code, ErrorCode::SessionExpired);
        assert_eq!(app_error(&api(404, "ResourceNotFound")).code, ErrorCode::SessionExpired);
        assert_eq!(app_error(&api(401, "InvalidRequestSignature")).code, ErrorCode::Configuration);
        assert_eq!(app_error(&api(503, "ServiceUnavailable")).code, ErrorCode::UpstreamError);
        assert_eq!(app_error(&api(502, "Whatever")).code, ErrorCode::UpstreamError);
        assert_eq!(app_error(&api(400, "Whatever")).code, ErrorCode::UpstreamInvalid);
        assert_eq!(app_error(&Error::Decode { status: 200, detail: "x".into() }).code, ErrorCode::UpstreamInvalid);
        assert!(app_error(&api(400, "SoftDeclined")).detail.contains("SoftDeclined"));
    }
}
