//! The one error type of the client.

use crate::keys::KeyError;

/// What went wrong talking to Amazon Pay.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Amazon answered with an error body: its `reasonCode` and `message`, kept as Amazon wrote them.
    #[error("Amazon Pay answered {status} {reason_code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Amazon's `reasonCode` (e.g. `InvalidCheckoutSessionStatus`, `TransactionAmountExceeded`).
        reason_code: String,
        /// Amazon's `message`.
        message: String,
    },
    /// No answer (connection, TLS, timeout), after the allowed attempts.
    #[error("could not reach Amazon Pay: {0}")]
    Transport(#[source] reqwest::Error),
    /// An answer that is not the JSON expected.
    #[error("Amazon Pay answered {status} with a body this client cannot read: {detail}")]
    Decode {
        /// HTTP status.
        status: u16,
        /// What did not parse.
        detail: String,
    },
    /// The private key could not be used.
    #[error("the Amazon Pay private key: {0}")]
    Key(#[from] KeyError),
    /// A setting is unusable (e.g. an endpoint that is not an http(s) URL).
    #[error("Amazon Pay client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Amazon's `reasonCode`, if Amazon answered with one.
    pub fn reason_code(&self) -> Option<&str> {
        match self {
            Self::Api { reason_code, .. } => Some(reason_code),
            _ => None,
        }
    }

    /// The HTTP status, if there was an answer.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } | Self::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Statuses worth another attempt with the same idempotency key (what Amazon's SDKs retry).
pub fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 425 | 429) || status >= 500
}
