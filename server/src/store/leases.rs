//! Placement leases (PostgreSQL): the per-checkout lock that several instances share. A lease is a row
//! `(lock_key, owner, expires_at_ms)` claimed by one atomic upsert that succeeds only when the row is absent
//! or expired, renewed by its holder while it lives (`orders.rs`' guard, every [`RENEW_EVERY`]), and deleted by
//! its owner when the placement is over. No transaction stays open while the holder waits for PAYONE.
//!
//! Why short and renewed: an instance that dies holding a lease must not block that checkout for long. The
//! buyer's retry lands on a surviving instance, which waits at most [`WAIT`] (well under a balancer's read
//! timeout, nginx's 60 s: a timeout there would count the healthy survivor as failed), and a dead holder's
//! lease frees within [`LEASE`] of its last renewal. A renewal and a release compare the owner token, so a
//! holder whose lease expired and was taken over can neither extend nor delete the new holder's lease.

use super::db::params;
use super::{Store, StoreError};
use std::time::{Duration, Instant};

/// How long a lease lasts without renewal: a few missed renewals, not a whole placement.
pub const LEASE: Duration = Duration::from_secs(10);
/// How often a live holder renews its lease (three tries before it could expire).
pub const RENEW_EVERY: Duration = Duration::from_secs(3);
/// How long a caller waits for a lease another holds before giving up with [`LeaseBusy`] (an HTTP 409: the
/// buyer reads that the order is still being processed): longer than [`LEASE`], so a dead holder's lease frees within it, and well
/// under nginx's `proxy_read_timeout 60s`.
pub const WAIT: Duration = Duration::from_secs(20);
/// Pause between two tries while another instance holds the lease.
const RETRY: Duration = Duration::from_millis(20);

/// A held lease; [`Store::release_lease`] gives it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What it locks (a checkout, `apb:<key>`, `merchant-order:<id>`, ...).
    pub key: String,
    /// Who holds it (random per claim).
    pub owner: String,
}

/// Refused: another holder kept the lease for longer than the wait, or ours was lost (expired and taken over).
#[derive(Debug, thiserror::Error)]
#[error("the placement lock {0} stayed taken")]
pub struct LeaseBusy(pub String);

fn owner() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..16).map(|_| format!("{:02x}", rng.random::<u8>())).collect()
}

impl Store {
    /// One try at lease `key` for `lease`: `Some` when taken (the row was free or expired).
    pub async fn try_lease(&self, key: &str, lease: Duration) -> Result<Option<Lease>, StoreError> {
        let claim = Lease { key: key.to_owned(), owner: owner() };
        let (k, o) = (claim.key.clone(), claim.owner.clone());
        let now = super::now_ms();
        let taken = self
            .write(move |c| {
                c.execute(
                    "/* parallel-safe */ INSERT INTO placement_leases (lock_key, owner, expires_at_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (lock_key) DO UPDATE SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms
                     WHERE placement_leases.expires_at_ms < ?4",
                    params![k, o, now + lease.as_millis() as i64, now],
                )
            })
            .await?;
        Ok((taken == 1).then_some(claim))
    }

    /// Lease `key` for [`LEASE`], waiting (polling) while another holder has it, up to [`WAIT`].
    pub async fn lease(&self, key: &str) -> Result<Lease, StoreError> {
        self.lease_within(key, LEASE, WAIT).await
    }

    /// Lease `key` for `lease`, waiting up to `wait` while another holder has it; [`LeaseBusy`] after that.
    pub async fn lease_within(&self, key: &str, lease: Duration, wait: Duration) -> Result<Lease, StoreError> {
        let deadline = Instant::now() + wait;
        loop {
            if let Some(lease) = self.try_lease(key, lease).await? {
                return Ok(lease);
            }
            if Instant::now() >= deadline {
                return Err(StoreError::Busy(LeaseBusy(key.to_owned())));
            }
            tokio::time::sleep(RETRY).await;
        }
    }

    /// Extends `lease` to `for_` from now, only while it is still ours (same owner token): `false` when another
    /// holder took it over (ours had expired) or it was released.
    pub async fn renew_lease(&self, lease: &Lease, for_: Duration) -> Result<bool, StoreError> {
        let (k, o) = (lease.key.clone(), lease.owner.clone());
        let until = super::now_ms() + for_.as_millis() as i64;
        let renewed = self
            .write(move |c| {
                c.execute(
                    "/* parallel-safe */ UPDATE placement_leases SET expires_at_ms = ?3 WHERE lock_key = ?1 AND owner = ?2",
                    params![k, o, until],
                )
            })
            .await?;
        Ok(renewed == 1)
    }

    /// Gives `lease` back (only if still ours: an expired one may have been claimed by another).
    pub async fn release_lease(&self, lease: Lease) -> Result<(), StoreError> {
        self.write(move |c| {
            c.execute("/* parallel-safe */ DELETE FROM placement_leases WHERE lock_key = ?1 AND owner = ?2", params![lease.key, lease.owner])
                .map(drop)
        })
        .await
    }
}
