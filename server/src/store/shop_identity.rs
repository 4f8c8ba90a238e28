//! Which shop a store belongs to. Two shops' servers pointed at one database (or one SQLite file) by mistake
//! would each list, capture and send webhooks for the other's orders; so the first server to start writes its
//! shop into `shop_identity` (one row), and a server of another shop refuses to start on it. Instances of one
//! shop share the row, since they run with the same account and currency (docs/operations.md#several-shops).

use super::db::{params, OptionalExtension};
use super::{Store, StoreError};

/// Why a server may not use this store.
#[derive(Debug, thiserror::Error)]
pub enum ShopClaimError {
    /// The store holds another shop's orders.
    #[error(
        "this store ({location}) already belongs to another shop ({stored}), and this server is {this}: \
         two shops on one store would list, capture and send webhooks for each other's orders. Give each shop a \
         database of its own (DATABASE_URL, or --data-dir for SQLite; docs/operations.md#several-shops). If it \
         is the same shop and its account or currency changed on purpose, delete the row of the table \
         shop_identity once; the next start writes this server's"
    )]
    AnotherShop {
        /// Where the store is, without a password.
        location: String,
        /// The shop that wrote the row.
        stored: String,
        /// This server's shop.
        this: String,
    },
    /// The store could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl ShopClaimError {
    /// The refusal when `stored` (the store's shop, if any) is not `this`.
    pub fn unless_same(location: &str, stored: Option<String>, this: &str) -> Result<(), ShopClaimError> {
        match stored {
            Some(stored) if stored != this => Err(ShopClaimError::AnotherShop { location: location.to_owned(), stored, this: this.to_owned() }),
            _ => Ok(()),
        }
    }
}

/// The shop of the SQLite store at `path`, read without writing (`check-config`): `None` when there is no file,
/// no table or no row yet.
pub fn stored_in_sqlite(path: &std::path::Path) -> rusqlite::Result<Option<String>> {
    use rusqlite::OptionalExtension as _;
    if !path.exists() {
        return Ok(None);
    }
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let owned: i64 = conn.query_row("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'shop_identity'", [], |r| r.get(0))?;
    if owned == 0 {
        return Ok(None);
    }
    conn.query_row("SELECT shop FROM shop_identity WHERE id = 1", [], |r| r.get(0)).optional()
}

impl Store {
    /// Writes `shop` as the store's owner if it has none yet, then checks that the owner is `shop`;
    /// `location` names the store in the refusal. Changes nothing when it refuses.
    pub async fn claim_for_shop(&self, shop: &str, location: &str) -> Result<(), ShopClaimError> {
        let claimed = shop.to_owned();
        let stored = self
            .write(move |c| {
                c.execute("INSERT OR IGNORE INTO shop_identity (id, shop, claimed_at) VALUES (1, ?1, ?2)", params![claimed, super::now()])?;
                c.query_row("SELECT shop FROM shop_identity WHERE id = 1", [], |r| r.get::<_, String>(0)).optional()
            })
            .await?;
        ShopClaimError::unless_same(location, stored, shop)
    }
}
