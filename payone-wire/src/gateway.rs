//! A PAYONE gateway called without HTTP. The server's PAYONE client takes one of these in sandbox mode; the
//! sandbox crate provides it. Defined here so the server needs nothing from the sandbox to name it.

use std::sync::Arc;
use std::time::Duration;

/// What an in-process gateway answers one form body with: the body PAYONE's gateway would send, or "hold
/// the line this long" (the sandbox's upstream-timeout scenario).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayReply {
    /// The `key=value` body PAYONE would answer.
    Body(String),
    /// No answer for this long (longer than any client waits).
    Hold(Duration),
}

/// A PAYONE gateway called without HTTP: the sandbox's simulator in the same process. It takes the encoded
/// form body and answers the `key=value` body, so the wire format is exactly the one sent over HTTP.
pub type InProcessGateway = Arc<dyn Fn(&str) -> GatewayReply + Send + Sync>;
