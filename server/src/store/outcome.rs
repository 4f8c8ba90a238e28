//! What a committed (or failed) transaction tells its jobs: shared by the writer, which commits, and the
//! syncer, which answers `Synced` jobs after the WAL's fsync. A leaf, so neither imports the other's types.

use std::sync::Arc;

/// Why a job's transaction did not end in a durable answer.
#[derive(Debug, Clone)]
pub(super) enum Failure {
    /// The transaction did not commit (neither did the job).
    Commit(Arc<rusqlite::Error>),
    /// It committed, but the WAL could not be synced (the job is stored, maybe not on disk).
    Sync(Arc<std::io::Error>),
}

/// What a transaction reports to each of its jobs.
pub(super) type Outcome = Result<(), Failure>;

/// A job that has run and waits for its transaction's outcome.
pub(super) trait Done: Send {
    fn finish(self: Box<Self>, outcome: &Outcome);
}
