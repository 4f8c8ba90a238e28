//! The Amazon Pay button's `createCheckoutSessionConfig`: the payload (what Create Checkout Session would take),
//! its exact JSON string and the signature over it.

use serde::{Deserialize, Serialize};

use crate::keys::PrivateKey;
use crate::models::{AddressDetails, MerchantMetadata, PaymentDetails};
use crate::signing::{self, Algorithm};

/// `webCheckoutDetails` of the button payload.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ButtonWebCheckoutDetails {
    /// Where Amazon sends the buyer after sign-in (CV2 review page); with `amazonCheckoutSessionId` in the query.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_review_return_url: Option<String>,
    /// APB (`checkoutMode: ProcessOrder`): where Amazon sends the buyer after payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_result_return_url: Option<String>,
    /// Where a canceling buyer goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_cancel_url: Option<String>,
    /// `ProcessOrder` for APB; absent for the review-page flow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkout_mode: Option<String>,
}

/// `deliverySpecifications`: restrictions on the shipping address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliverySpecifications {
    /// e.g. `["RestrictPOBoxes", "RestrictPackstations"]`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub special_restrictions: Vec<String>,
    /// `{"restrictionType":"Allowed","restrictions":{"DE":{}, ...}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_restrictions: Option<serde_json::Value>,
}

impl DeliverySpecifications {
    /// Only these countries (ISO 3166 alpha-2) may be shipped to.
    pub fn allowed_countries(countries: &[&str]) -> Self {
        let restrictions: serde_json::Map<String, serde_json::Value> =
            countries.iter().map(|c| (c.to_ascii_uppercase(), serde_json::json!({}))).collect();
        Self {
            special_restrictions: Vec::new(),
            address_restrictions: Some(serde_json::json!({"restrictionType": "Allowed", "restrictions": restrictions})),
        }
    }
}

/// The payload the button carries (`payloadJSON`). Field order here is the order in the JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ButtonPayload {
    /// Return URLs and mode.
    pub web_checkout_details: ButtonWebCheckoutDetails,
    /// The Login with Amazon client id (`amzn1.application-oa2-client.…`).
    pub store_id: String,
    /// Buyer data asked for: `name`, `email`, `phoneNumber`, `billingAddress`.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub scopes: Vec<String>,
    /// Shipping restrictions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_specifications: Option<DeliverySpecifications>,
    /// APB: intent and amount.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_details: Option<PaymentDetails>,
    /// APB: the order reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merchant_metadata: Option<MerchantMetadata>,
    /// APB PayAndShip: the shipping address the merchant already has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address_details: Option<AddressDetails>,
}

/// What the page needs for `createCheckoutSessionConfig`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedButton {
    /// The exact string that was signed; pass it to checkout.js unchanged.
    #[serde(rename = "payloadJSON")]
    pub payload_json: String,
    /// Base64 RSA-PSS signature (344 characters for a 2048-bit key).
    pub signature: String,
    /// The merchant's public key id.
    pub public_key_id: String,
    /// The algorithm name.
    pub algorithm: Algorithm,
}

/// The JSON string of `payload` (serde_json's compact form: no spaces, `/` not escaped).
pub fn button_payload(payload: &ButtonPayload) -> String {
    // Serializing a struct of strings, vectors and JSON values cannot fail.
    serde_json::to_string(payload).unwrap_or_default()
}

/// The signature over `payload_json` exactly as given.
pub fn sign_button(key: &PrivateKey, algorithm: Algorithm, payload_json: &str) -> String {
    signing::sign(key, algorithm, payload_json.as_bytes())
}

/// Serializes, signs and bundles `payload` for the page.
pub fn signed_button(key: &PrivateKey, public_key_id: &str, algorithm: Algorithm, payload: &ButtonPayload) -> SignedButton {
    let payload_json = button_payload(payload);
    let signature = sign_button(key, algorithm, &payload_json);
    SignedButton { payload_json, signature, public_key_id: public_key_id.to_string(), algorithm }
}
