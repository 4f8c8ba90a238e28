//! SQLite's schema versions, as PostgreSQL's (`store/pg_schema.rs`): numbered migrations, and the database says
//! which ran in `PRAGMA user_version` (0 in a file no version wrote). Each runs in its own `BEGIN IMMEDIATE`
//! transaction that first re-reads the version, so two processes opening one file at once apply it once. A
//! migration, once released, never changes: a change is a new one.
//!
//! Version 1 is the schema as it was when versions came: every table with `CREATE TABLE IF NOT EXISTS`, and the
//! two tables older files had with AUTOINCREMENT rebuilt without it (`store/migrate.rs`). So a file written by
//! any earlier server (no version, some or all of the tables) is upgraded in place, keeping every row.

use super::{buyer_search, migrate, payment_status, schema, StoreError};
use rusqlite::{Connection, Transaction, TransactionBehavior};

/// One migration: brings the schema from the version before it to its own, inside the caller's transaction.
type Migration = fn(&Transaction<'_>) -> rusqlite::Result<()>;

/// `(version, migration)`, in order.
const MIGRATIONS: &[(i64, Migration)] = &[
    (1, v1),
    (2, v2),
    (3, v3),
    (4, v4),
    (5, v5),
    (6, v6),
    (7, v7),
    (8, v8),
    (9, v9),
    (10, v10),
    (11, v11),
    (12, v12),
    (13, v13),
    (14, v14),
    (15, v15),
    (16, v16),
    (17, v17),
    (18, v18),
];

/// The version a store this server wrote has.
pub const LATEST: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;

fn v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for create in [schema::CHECKOUTS, schema::UPSTREAM_CALLS, schema::ORDERS, schema::NOTIFICATIONS] {
        tx.execute_batch(create)?;
    }
    // Files of older versions: the same tables without AUTOINCREMENT.
    migrate::drop_autoincrement(tx, "upstream_calls", schema::UPSTREAM_CALLS)?;
    migrate::drop_autoincrement(tx, "notifications", schema::NOTIFICATIONS)?;
    for create in [schema::CV1, schema::CHECKOUTCHAMP_ORDERS, schema::RETURN_PAGES, schema::EVENTS] {
        tx.execute_batch(create)?;
    }
    Ok(())
}

/// Amazon's checkout session of a CV2 checkout (PostgreSQL's migration 2).
fn v2(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::AMAZON_CHECKOUT_SESSIONS)
}

/// Amazon Pay direct's tables (PostgreSQL's migration 3).
fn v3(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::AMAZON)
}

/// The buyer's searchable fields of every notification, filled for the rows already there (PostgreSQL's
/// migration 4).
fn v4(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    buyer_search::add_column(tx).map(|_| ())
}

/// The buyer's search text case-folded in Rust, as new rows are (PostgreSQL's migration 5).
fn v5(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    buyer_search::fold_column(tx).map(|_| ())
}

/// Which provider's API moves each order's money (`orders.provider`), filled for the orders already there
/// (PostgreSQL's migration 6). Added only where missing: a store opened before versions came got every table
/// of this server's schema already.
fn v6(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has = has_column(tx, "orders", "provider")?;
    if has {
        return Ok(());
    }
    tx.execute_batch(schema::ORDERS_PROVIDER)
}

/// The charge permission id of Amazon Pay direct's orders indexed (PostgreSQL's migration 7).
fn v7(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::AMAZON_CHARGE_PERMISSION_INDEX)
}

/// Where each order's money stands (`orders.payment_status`, `store/payment_status.rs`), filled for the
/// orders already there (PostgreSQL's migration 8; its rows are filled when the store opens).
/// Added only where missing, as in [`v6`].
fn v8(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has = has_column(tx, "orders", "payment_status")?;
    if !has {
        tx.execute_batch(schema::ORDERS_PAYMENT_STATUS)?;
    }
    match payment_status::backfill(&super::db::Conn::sqlite(tx)) {
        Ok(_) => Ok(()),
        Err(super::db::DbError::Sqlite(e)) => Err(e),
        Err(other) => Err(rusqlite::Error::ToSqlConversionFailure(Box::new(other))),
    }
}

/// Orders by state and last change, for the sweep of orders left `redirected` (PostgreSQL's migration 9).
fn v9(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::ORDERS_BY_STATE)
}

/// The order that replaced a given-up APB order, and when the buyer came back through the success URL
/// (PostgreSQL's migration 10). Added only where missing, as in [`v6`] (a file whose version was set back).
fn v10(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has = has_column(tx, "orders", "replaced_by")?;
    if has {
        return Ok(());
    }
    tx.execute_batch(schema::ORDERS_REPLACED)
}

/// The buyer and addresses an Amazon Pay direct order keeps of its checkout session, and their search text
/// (PostgreSQL's migration 11). Added only where missing, as in [`v6`].
fn v11(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has = has_column(tx, "amazon_orders", "personal")?;
    if has {
        return Ok(());
    }
    tx.execute_batch(schema::AMAZON_ORDERS_PERSONAL)
}

/// When each upstream call and notification happened to the millisecond (PostgreSQL's migration 12). Each
/// column added only where missing, as in [`v6`] (a file whose version was set back may have one of them).
fn v12(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    for (table, column) in schema::EVENT_TIMES_MS {
        let has = has_column(tx, table, column)?;
        if !has {
            // Both names are ours.
            tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} INTEGER"))?;
        }
    }
    Ok(())
}

/// Why this server gave an order up (PostgreSQL's migration 13). Added only where missing, as in [`v6`].
fn v13(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let has = has_column(tx, "orders", "abandon_reason")?;
    if has {
        return Ok(());
    }
    tx.execute_batch(schema::ORDERS_ABANDON_REASON)
}

/// The shop the store belongs to (PostgreSQL's migration 14, `store/shop_identity.rs`).
fn v14(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::SHOP_IDENTITY)
}

/// When each CheckoutChamp order is next asked about (PostgreSQL's migration 15, `checkoutchamp/status.rs`).
fn v15(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    if has_column(tx, "checkoutchamp_orders", "next_query_at_ms")? {
        return Ok(());
    }
    tx.execute_batch(schema::CHECKOUTCHAMP_NEXT_QUERY)
}

/// Import Orders whose outcome is not known yet (PostgreSQL's migration 16, `checkoutchamp/orders.rs`).
fn v16(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::CHECKOUTCHAMP_UNSETTLED)
}

/// The merchant API's per-order lost calls and refusals get tables of their own, and the lists kept before in
/// `merchant_requests` move into them (PostgreSQL's migration 17, `store/merchant_marks.rs`).
fn v17(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::MERCHANT_MARKS)?;
    tx.execute_batch(schema::MERCHANT_MARKS_MOVE)
}

/// Import Upsales whose outcome is not known yet (PostgreSQL's migration 18, `checkoutchamp/orders.rs`).
fn v18(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute_batch(schema::CHECKOUTCHAMP_UNSETTLED_UPSALES)
}

/// Whether `table` has `column`: the migrations that add columns add them only where missing (a file whose
/// version was set back, or one opened before versions came, may have them already).
fn has_column(conn: &Connection, table: &str, column: &str) -> rusqlite::Result<bool> {
    conn.query_row("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", [table, column], |r| r.get::<_, i64>(0)).map(|n| n > 0)
}

fn version(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies the migrations `conn`'s file has not had; refuses a file a newer server wrote (its version is
/// unknown here: running on it could undo what it relies on), changing nothing.
pub(super) fn run(conn: &mut Connection) -> Result<(), StoreError> {
    for (number, migration) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found > LATEST {
            return Err(StoreError::SchemaTooNew { found, known: LATEST });
        }
        if found >= *number {
            continue;
        }
        migration(&tx)?;
        // `PRAGMA` takes no parameters; the number is one of ours.
        tx.execute_batch(&format!("PRAGMA user_version = {number}"))?;
        tx.commit()?;
        tracing::info!(version = number, "store: SQLite schema migrated");
    }
    Ok(())
}
