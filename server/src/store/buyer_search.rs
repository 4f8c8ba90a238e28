//! What the merchant API's `q` finds of the buyer: the values of a few fields of PAYONE's notifications (name,
//! e-mail, company; never the field names), kept in `notifications.buyer_search` when a notification is
//! stored, so the order list searches them with plain SQL on both backends (no JSON functions at query time).
//! Notifications stored before the column existed get it from their body when the store opens (SQLite:
//! [`add_column`]; PostgreSQL: migration 4 in `pg_schema.rs`, the same text from the same body).
//!
//! The text is stored case-folded by [`fold`] (Rust's Unicode lowercase), and the search folds its pattern the
//! same way: SQLite's `lower()` folds ASCII only and PostgreSQL's follows the database's locale (ASCII only
//! under `C`), so neither database decides whether `MÜLLER` finds `Müller`. Rows stored unfolded by an older
//! server are folded by migration 5 ([`fold_rows`]), on both backends.

use rusqlite::Connection;

/// The fields whose values are searched, as PAYONE names them.
pub(crate) const FIELDS: [&str; 7] = ["email", "firstname", "lastname", "company", "shipping_firstname", "shipping_lastname", "shipping_company"];

/// The searched text of a notification's fields: the values of [`FIELDS`], in the notification's order,
/// separated by one space, [`fold`]ed.
pub(crate) fn text(fields: &[(String, String)]) -> String {
    fold(&fields.iter().filter(|(k, _)| FIELDS.contains(&k.as_str())).map(|(_, v)| v.as_str()).collect::<Vec<_>>().join(" "))
}

/// `text` case-folded as the stored search text and the search's pattern both are: Unicode lowercase.
pub(crate) fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// The `(id, buyer_search)` of rows whose text is not folded yet, and their folded text: what migration 5
/// writes back (SQLite and PostgreSQL run it alike).
pub(super) fn fold_rows(rows: impl IntoIterator<Item = (i64, String)>) -> Vec<(i64, String)> {
    rows.into_iter().filter_map(|(id, stored)| Some(fold(&stored)).filter(|f| *f != stored).map(|f| (id, f))).collect()
}

/// SQLite's migration 5: folds the text of the rows an older server stored.
pub(super) fn fold_column(conn: &Connection) -> rusqlite::Result<usize> {
    let rows = conn
        .prepare("SELECT id, buyer_search FROM notifications")?
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let changed = fold_rows(rows);
    let mut update = conn.prepare("UPDATE notifications SET buyer_search = ?2 WHERE id = ?1")?;
    for (id, folded) in &changed {
        update.execute(rusqlite::params![id, folded])?;
    }
    Ok(changed.len())
}

/// `('email', 'firstname', ...)`, for the backfills' SQL.
pub(super) fn sql_list() -> String {
    format!("({})", FIELDS.iter().map(|f| format!("'{f}'")).collect::<Vec<_>>().join(", "))
}

/// SQLite: adds `notifications.buyer_search` when the database does not have it yet, filled from every stored
/// body (in the caller's transaction: SQLite's migration 4, `store/sqlite_migrations.rs`); also the index on
/// `txid` the search's subquery and the order page use. Returns whether it added the column.
pub(super) fn add_column(conn: &Connection) -> rusqlite::Result<bool> {
    conn.execute_batch("CREATE INDEX IF NOT EXISTS notifications_by_txid ON notifications (txid);")?;
    let has: bool =
        conn.query_row("SELECT count(*) FROM pragma_table_info('notifications') WHERE name = 'buyer_search'", [], |r| r.get::<_, i64>(0))? > 0;
    if has {
        return Ok(false);
    }
    conn.execute_batch(&format!(
        "ALTER TABLE notifications ADD COLUMN buyer_search TEXT NOT NULL DEFAULT '';
         UPDATE notifications SET buyer_search = coalesce(
             (SELECT group_concat(json_extract(f.value, '$[1]'), ' ') FROM json_each(notifications.body) f
              WHERE json_extract(f.value, '$[0]') IN {}), '')
         WHERE json_valid(body);",
        sql_list()
    ))?;
    tracing::info!("store: notifications.buyer_search added");
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn only_the_buyer_fields_values_in_order() {
        let fields = pairs(&[("txid", "123"), ("firstname", "Anna"), ("lastname", "Muster"), ("email", "a@example.com"), ("city", "Köln")]);
        assert_eq!(text(&fields), "anna muster a@example.com", "folded");
        assert_eq!(text(&pairs(&[("txaction", "paid")])), "");
    }

    #[test]
    fn the_text_is_folded_beyond_ascii() {
        let fields = pairs(&[("firstname", "ÉLODIE"), ("lastname", "ÖZTÜRK"), ("email", "E@Example.COM")]);
        assert_eq!(text(&fields), "élodie öztürk e@example.com");
        assert_eq!(fold_rows([(1, "ÅSA".to_owned()), (2, "åsa".to_owned())]), [(1, "åsa".to_owned())], "only what changes");
    }

    #[test]
    fn an_old_database_gets_the_same_text_as_new_rows() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::schema::NOTIFICATIONS).unwrap();
        let fields = pairs(&[("txid", "1"), ("firstname", "Jürgen"), ("company", "50% Off_Ltd"), ("email", "j@example.com")]);
        let body = serde_json::to_string(&fields).unwrap();
        conn.execute(
            "INSERT INTO notifications (identity, txid, txaction, transaction_status, body, received_at) VALUES ('a', '1', 'paid', '', ?1, 1),
                 ('b', '1', 'paid', '', '[]', 1), ('c', '1', 'paid', '', 'not json', 1)",
            [&body],
        )
        .unwrap();
        assert!(add_column(&conn).unwrap());
        assert!(!add_column(&conn).unwrap(), "once");
        assert_eq!(fold_column(&conn).unwrap(), 1, "Jürgen's row");
        let texts: Vec<String> = conn
            .prepare("SELECT buyer_search FROM notifications ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(texts, [text(&fields), String::new(), String::new()]);
    }
}
