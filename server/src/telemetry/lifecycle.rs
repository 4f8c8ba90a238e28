//! Whether the server is shutting down: `/readyz` answers 503 from the moment SIGTERM arrives.

use std::sync::atomic::{AtomicBool, Ordering};

/// Shared by the readiness check and the shutdown sequence.
#[derive(Debug, Default)]
pub struct Lifecycle {
    shutting_down: AtomicBool,
}

impl Lifecycle {
    /// From now on the server is not ready.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::Release);
    }

    /// Whether shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }
}
