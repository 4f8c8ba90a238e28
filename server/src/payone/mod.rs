//! PAYONE's Server API: the wire format (shared with the sandbox's simulator) and the client.

mod client;
pub mod wire;

pub use client::{PayoneClient, PayoneError};
pub use wire::{PayoneRequest, PayoneResponse};
