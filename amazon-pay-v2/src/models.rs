//! Amazon Pay API v2 objects (the fields this project reads or writes), and request bodies. Unknown fields in
//! Amazon's answers are ignored; absent ones are `None`.

use serde::{Deserialize, Serialize};

pub use crate::money::Price;

/// `statusDetails` of every object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusDetails<S> {
    /// The state.
    pub state: S,
    /// Why (e.g. `BuyerCanceled`, `Declined`, `Expired`, `SoftDeclined`, `HardDeclined`, `MFAFailed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_code: Option<String>,
    /// Amazon's explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason_description: Option<String>,
    /// When the state last changed (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<String>,
}

macro_rules! states {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $v:ident),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $v,)*
            /// A state this crate does not know (Amazon added one).
            #[serde(other)]
            Unknown,
        }
    };
}

states!(
    /// Checkout session states.
    CheckoutSessionState {
        /// The buyer is still in checkout.
        Open,
        /// Complete Checkout Session succeeded.
        Completed,
        /// Canceled (buyer, decline, expiry).
        Canceled,
    }
);
states!(
    /// Charge states.
    ChargeState {
        /// Authorization pending (asynchronous).
        AuthorizationInitiated,
        /// Authorized, not captured.
        Authorized,
        /// Capture pending.
        CaptureInitiated,
        /// Captured.
        Captured,
        /// Canceled (by the merchant or expired).
        Canceled,
        /// Declined.
        Declined,
    }
);
states!(
    /// Charge permission states.
    ChargePermissionState {
        /// Charges may be made.
        Chargeable,
        /// Temporarily not (e.g. payment method declined).
        NonChargeable,
        /// Closed.
        Closed,
    }
);
states!(
    /// Refund states.
    RefundState {
        /// Pending.
        RefundInitiated,
        /// Done.
        Refunded,
        /// Declined.
        Declined,
    }
);

/// A postal address as Amazon returns it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Address {
    /// Full name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Line 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line1: Option<String>,
    /// Line 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line2: Option<String>,
    /// Line 3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address_line3: Option<String>,
    /// City.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    /// County.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub county: Option<String>,
    /// District.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub district: Option<String>,
    /// State or region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_or_region: Option<String>,
    /// Postal code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    /// ISO 3166 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country_code: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// APB `addressDetails` (same fields as [`Address`]).
pub type AddressDetails = Address;

/// The buyer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Buyer {
    /// Amazon's buyer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer_id: Option<String>,
    /// Name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Phone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
}

/// `paymentPreferences[]`: what the buyer chose, as text (e.g. "Visa ****1111").
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentPreference {
    /// Display text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_descriptor: Option<String>,
}

/// `webCheckoutDetails` of a checkout session.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebCheckoutDetails {
    /// Review page URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_review_return_url: Option<String>,
    /// Where Amazon returns the buyer after `amazonPayRedirectUrl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_result_return_url: Option<String>,
    /// Cancel URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_cancel_url: Option<String>,
    /// Set by Amazon once the session is ready: send the buyer there to confirm (MFA, payment).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amazon_pay_redirect_url: Option<String>,
    /// `ProcessOrder` for APB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkout_mode: Option<String>,
}

/// `paymentDetails`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentDetails {
    /// `Confirm`, `Authorize` or `AuthorizeWithCapture`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<PaymentIntent>,
    /// Whether an asynchronous authorization (AuthorizationInitiated) is acceptable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub can_handle_pending_authorization: Option<bool>,
    /// The amount to charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_amount: Option<Price>,
    /// The whole order (when charging less now).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_order_amount: Option<Price>,
    /// Shown on the buyer's statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
    /// Currency shown to the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub presentment_currency: Option<String>,
}

/// `paymentIntent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum PaymentIntent {
    /// Confirm only; charge later.
    Confirm,
    /// Authorize on completion; capture later.
    Authorize,
    /// Authorize and capture on completion.
    AuthorizeWithCapture,
}

/// `merchantMetadata`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantMetadata {
    /// The merchant's order reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_reference_id: Option<String>,
    /// Store name shown to the buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_store_name: Option<String>,
    /// Note in the buyer's email.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note_to_buyer: Option<String>,
    /// Free text for the merchant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_information: Option<String>,
}

/// A Checkout Session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutSession {
    /// Id (`amazonCheckoutSessionId`).
    pub checkout_session_id: String,
    /// URLs.
    #[serde(default)]
    pub web_checkout_details: WebCheckoutDetails,
    /// `PayAndShip` or `PayOnly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_type: Option<String>,
    /// Intent and amounts.
    #[serde(default)]
    pub payment_details: PaymentDetails,
    /// Order reference.
    #[serde(default)]
    pub merchant_metadata: MerchantMetadata,
    /// The buyer (after sign-in).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
    /// Shipping address (PayAndShip).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Billing address (scope `billingAddress`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_address: Option<Address>,
    /// Chosen payment method(s).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_preferences: Vec<PaymentPreference>,
    /// State.
    pub status_details: StatusDetails<CheckoutSessionState>,
    /// What still blocks completion (e.g. `CheckoutResultReturnUrlNotSet`, `ChargeAmountNotSet`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<Constraint>,
    /// Set on completion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_permission_id: Option<String>,
    /// Set on completion (Authorize / AuthorizeWithCapture).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_id: Option<String>,
    /// The store id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_id: Option<String>,
    /// `Sandbox` or `Live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_environment: Option<String>,
}

/// A constraint on a checkout session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Constraint {
    /// e.g. `CheckoutResultReturnUrlNotSet`, `ChargeAmountNotSet`, `PaymentIntentNotSet`, `BuyerNotAssociated`.
    pub constraint_id: String,
    /// Explanation.
    #[serde(default)]
    pub description: String,
}

/// A Charge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Charge {
    /// Id.
    pub charge_id: String,
    /// Its charge permission.
    pub charge_permission_id: String,
    /// Authorized amount.
    pub charge_amount: Price,
    /// Captured amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capture_amount: Option<Price>,
    /// Refunded so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refunded_amount: Option<Price>,
    /// Statement text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
    /// State.
    pub status_details: StatusDetails<ChargeState>,
    /// Created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// Authorization expiry (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_timestamp: Option<String>,
    /// `Sandbox` or `Live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_environment: Option<String>,
}

/// A Charge Permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChargePermission {
    /// Id.
    pub charge_permission_id: String,
    /// `OneTime` or `Recurring`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge_permission_type: Option<String>,
    /// Buyer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buyer: Option<Buyer>,
    /// Shipping address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shipping_address: Option<Address>,
    /// Order reference.
    #[serde(default)]
    pub merchant_metadata: MerchantMetadata,
    /// State.
    pub status_details: StatusDetails<ChargePermissionState>,
    /// `Sandbox` or `Live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_environment: Option<String>,
}

/// A Refund.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Refund {
    /// Id.
    pub refund_id: String,
    /// The refunded charge.
    pub charge_id: String,
    /// Amount.
    pub refund_amount: Price,
    /// Statement text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
    /// State.
    pub status_details: StatusDetails<RefundState>,
    /// Created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creation_timestamp: Option<String>,
    /// `Sandbox` or `Live`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_environment: Option<String>,
}

/// Update Checkout Session body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateCheckoutSessionRequest {
    /// `checkoutResultReturnUrl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub web_checkout_details: Option<WebCheckoutDetails>,
    /// Intent and amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment_details: Option<PaymentDetails>,
    /// Order reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadata>,
}

/// Complete Checkout Session body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteCheckoutSessionRequest {
    /// Must equal the session's chargeAmount.
    pub charge_amount: Price,
    /// Whole order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_order_amount: Option<Price>,
}

/// Capture Charge body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptureChargeRequest {
    /// At most the authorized amount.
    pub capture_amount: Price,
    /// Statement text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
}

/// Create Refund body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateRefundRequest {
    /// A captured charge.
    pub charge_id: String,
    /// At most the captured amount less earlier refunds.
    pub refund_amount: Price,
    /// Statement text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soft_descriptor: Option<String>,
}

/// Cancel Charge body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelChargeRequest {
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<String>,
}

/// Close Charge Permission body.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CloseChargePermissionRequest {
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closure_reason: Option<String>,
    /// Cancel open charges too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_pending_charges: Option<bool>,
}

/// Amazon's error body.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// e.g. `InvalidRequestSignature`, `InvalidCheckoutSessionStatus`, `TransactionAmountExceeded`.
    pub reason_code: String,
    /// Amazon's explanation.
    #[serde(default)]
    pub message: String,
}
