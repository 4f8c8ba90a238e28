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
