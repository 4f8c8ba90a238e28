//! Bringing a database written by an older version of the server up to the current schema.
//!
//! `upstream_calls` and `notifications` were created with `INTEGER PRIMARY KEY AUTOINCREMENT`, which makes every
//! insert also update the row of the table in `sqlite_sequence`: one more page written to the WAL by nearly
//! every write job (every session creation records a PAYONE call). AUTOINCREMENT only matters when rows are
//! deleted (it never reuses an id); the store never deletes from either table, so a plain `INTEGER PRIMARY KEY`
//! hands out the same ids in the same order. SQLite cannot drop the keyword in place, so an old table is
//! rebuilt under the current definition, keeping every row and its id, in the migration's transaction
//! (`store/sqlite_migrations.rs`, version 1).

use rusqlite::{Connection, OptionalExtension};

/// Rebuilds `table` from `create` (its current `CREATE TABLE IF NOT EXISTS` statement) when the database has
/// it with AUTOINCREMENT. Returns whether it did. The columns are the same, in the same order: only the key's
/// keyword differs.
pub(super) fn drop_autoincrement(conn: &Connection, table: &str, create: &str) -> rusqlite::Result<bool> {
    let sql: Option<String> = conn.query_row("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?1", [table], |r| r.get(0)).optional()?;
    if !sql.is_some_and(|sql| sql.to_ascii_uppercase().contains("AUTOINCREMENT")) {
        return Ok(false);
    }
    let old = format!("{table}_with_autoincrement");
    conn.execute_batch(&format!(
        "ALTER TABLE {table} RENAME TO {old};
         {create}
         INSERT INTO {table} SELECT * FROM {old};
         DROP TABLE {old};
         DELETE FROM sqlite_sequence WHERE name IN ('{table}', '{old}');"
    ))?;
    tracing::info!(table, "store: table rebuilt without AUTOINCREMENT");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const OLD: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE);";
    const NEW: &str = "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);";

    #[test]
    fn an_old_table_keeps_its_rows_ids_and_constraints() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(OLD).unwrap();
        conn.execute_batch("INSERT INTO t (name) VALUES ('a'), ('b'), ('c'); DELETE FROM t WHERE name = 'b';").unwrap();
        assert!(drop_autoincrement(&conn, "t", NEW).unwrap());
        assert!(!drop_autoincrement(&conn, "t", NEW).unwrap(), "done once");
        let rows: Vec<(i64, String)> = conn
            .prepare("SELECT id, name FROM t ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows, [(1, "a".to_owned()), (3, "c".to_owned())]);
        assert!(conn.execute("INSERT INTO t (name) VALUES ('a')", []).is_err(), "UNIQUE kept");
        conn.execute("INSERT INTO t (name) VALUES ('d')", []).unwrap();
        assert_eq!(conn.last_insert_rowid(), 4, "new ids follow the old ones");
        let sequences: i64 = conn.query_row("SELECT count(*) FROM sqlite_sequence", [], |r| r.get(0)).unwrap();
        assert_eq!(sequences, 0);
    }
}
