//! PAYONE's Server API: the wire format (shared with the sandbox's simulator) and the client.

mod client;
pub mod sender_range;
pub mod transaction_status;

pub use client::{PayoneClient, PayoneError, PayoneTransport};
pub use payone_wire::{GatewayReply, InProcessGateway};
/// PAYONE's wire format (its own crate, shared with the sandbox).
pub use payone_wire as wire;
pub use transaction_status::{TransactionStatus, TsRejection};
pub use wire::{PayoneRequest, PayoneResponse};
