//! PAYONE's Server API as bytes on the wire: form-encoded requests, `key=value` answers, ISO-8859-1 forms and
//! hashed portal keys. The server's PAYONE client and the sandbox's simulator both use this crate, so they
//! agree on the format by construction; neither depends on the other.

pub mod gateway;
pub mod latin1;
pub mod sandbox_settings;
mod wire;

pub use gateway::{GatewayReply, InProcessGateway};
pub use wire::{notification_key, parse_api_version, request_key, PayoneRequest, PayoneResponse, MIN_API_VERSION};

/// The public key id PAYONE's payloads are signed for (every PAYONE plugin uses this constant).
pub const PAYONE_PUBLIC_KEY_ID: &str = "AE5E5B7B2SAERURYEH6DKDAZ";
