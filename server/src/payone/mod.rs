//! PAYONE's Server API: the wire format (shared with the sandbox's simulator) and the client.

mod client;
pub mod sender_range;
pub mod transaction_status;
pub mod wire;

pub use client::{GatewayReply, InProcessGateway, PayoneClient, PayoneError, PayoneTransport};
pub use transaction_status::{TransactionStatus, TsRejection};
pub use wire::{PayoneRequest, PayoneResponse};
