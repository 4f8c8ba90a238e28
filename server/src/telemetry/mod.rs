//! The operator's settings, the shutdown flag and the metrics registry (issue #22): a leaf every module may
//! record into without depending on the handlers of the `ops` module (which depends on the rest).

pub mod lifecycle;
pub mod metrics;
pub mod settings;

pub use lifecycle::Lifecycle;
pub use settings::{LogFormat, OpsArgs};
