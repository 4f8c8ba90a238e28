//! `amazon-pay-server migrate-store --from sqlite:PATH --to postgres://...`: copies every table of a SQLite
//! store into an empty PostgreSQL one (its schema made by the usual migrations), keeps every id, moves the
//! identity sequences past the copied ids, and checks the row count of every table at the end.

use super::db::{DbError, Value};
use super::pg_schema::TABLES;
use super::{DatabaseUrl, Store, StoreError};

/// Why the copy did not happen (or did not finish).
#[derive(Debug, thiserror::Error)]
pub enum CopyError {
    /// Wrong arguments.
    #[error("usage: amazon-pay-server migrate-store --from sqlite:PATH --to postgres://...: {0}")]
    Usage(String),
    /// The target already holds data.
    #[error("the target database is not empty (table {table} has {rows} rows): migrate-store copies into an empty database only")]
    NotEmpty {
        /// The first table with rows.
        table: &'static str,
        /// How many.
        rows: i64,
    },
    /// A table's count differs after the copy.
    #[error("table {table}: {source_rows} rows in SQLite but {target_rows} in PostgreSQL after the copy")]
    CountMismatch {
        /// The table.
        table: &'static str,
        /// Rows in the source.
        source_rows: i64,
        /// Rows in the target.
        target_rows: i64,
    },
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rusqlite::Error> for CopyError {
    fn from(e: rusqlite::Error) -> CopyError {
        CopyError::Store(e.into())
    }
}

/// Identity columns whose sequences must start after the copied values.
const IDENTITIES: &[(&str, &str)] = &[
    ("upstream_calls", "id"),
    ("notifications", "id"),
    ("events", "seq"),
    ("webhook_attempts", "id"),
    ("order_payments", "id"),
    ("orders", "rowid"),
];

/// Parses `--from X --to Y` (or `--from=X`), opens both and copies; the per-table counts, in [`TABLES`] order.
pub async fn run(args: &[String]) -> Result<Vec<(&'static str, i64)>, CopyError> {
    let (mut from, mut to) = (None, None);
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let value = match value {
            Some(v) => v,
            None => iter.next().cloned().ok_or_else(|| CopyError::Usage(format!("{name} needs a value")))?,
        };
        match name.as_str() {
            "--from" => from = Some(value),
            "--to" => to = Some(value),
            other => return Err(CopyError::Usage(format!("unknown argument {other:?}"))),
        }
    }
    // The parse errors name the server's --database-url; here the argument is named instead.
    let from_shape = || CopyError::Usage("--from must be sqlite:PATH (the SQLite file, e.g. sqlite:data/amazon-pay.sqlite)".into());
    let from: DatabaseUrl = from.ok_or_else(|| CopyError::Usage("--from is missing".into()))?.parse().map_err(|_| from_shape())?;
    let to: DatabaseUrl = to.ok_or_else(|| CopyError::Usage("--to is missing".into()))?.parse().map_err(|e| match e {
        crate::store::BadDatabaseUrl::Postgres(why) => CopyError::Usage(format!("--to is not a valid PostgreSQL URL: {why}")),
        crate::store::BadDatabaseUrl::Scheme(_) => CopyError::Usage("--to must be a postgres:// URL".into()),
    })?;
    let DatabaseUrl::SqliteFile(path) = from else {
        return Err(from_shape());
    };
    if !path.is_file() {
        return Err(CopyError::Usage(format!("--from: there is no file {}", path.display())));
    }
    if !matches!(to, DatabaseUrl::Postgres(_)) {
        return Err(CopyError::Usage("--to must be a postgres:// URL".into()));
    }
    // Opened as the server opens it: an older file gets its schema brought up to date first.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new(".")).to_owned();
    drop(Store::open_url(&DatabaseUrl::SqliteFile(path.clone()), &dir)?);
    let target = Store::open_url(&to, &dir)?;
    copy(&path, &target).await
}

fn count(store: &Store, table: &'static str) -> Result<i64, StoreError> {
    store.read(|c| c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0)))
}

/// Copies every table of the SQLite file `source` into `target` (PostgreSQL, empty).
pub async fn copy(source: &std::path::Path, target: &Store) -> Result<Vec<(&'static str, i64)>, CopyError> {
    for table in TABLES {
        let rows = count(target, table)?;
        if rows > 0 {
            return Err(CopyError::NotEmpty { table, rows });
        }
    }
    let sqlite = rusqlite::Connection::open_with_flags(source, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let mut counts = Vec::new();
    for table in TABLES {
        // `orders` keeps SQLite's hidden rowid too: it orders one checkout's placements.
        let select = if *table == "orders" { format!("SELECT rowid AS rowid, * FROM {table}") } else { format!("SELECT * FROM {table}") };
        let mut stmt = sqlite.prepare(&select)?;
        let columns: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
        let mut rows: Vec<Vec<Value>> = Vec::new();
        let mut query = stmt.query([])?;
        while let Some(row) = query.next()? {
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Value::Null,
                    rusqlite::types::ValueRef::Integer(n) => Value::Int(n),
                    rusqlite::types::ValueRef::Real(f) => Value::Real(f),
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                });
            }
            rows.push(values);
        }
        let source_rows = rows.len() as i64;
        let placeholders: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!("INSERT INTO {table} ({}) VALUES ({})", columns.join(", "), placeholders.join(", "));
        target
            .write(move |c| {
                for row in rows {
                    c.execute(&insert, row)?;
                }
                Ok::<_, DbError>(())
            })
            .await?;
        let target_rows = count(target, table)?;
        if target_rows != source_rows {
            return Err(CopyError::CountMismatch { table, source_rows, target_rows });
        }
        counts.push((*table, target_rows));
    }
    target
        .write(|c| {
            for (table, column) in IDENTITIES {
                c.query_row(
                    &format!("SELECT setval(pg_get_serial_sequence('{table}', '{column}'), coalesce(max({column}), 0) + 1, false) FROM {table}"),
                    [],
                    |_| Ok(()),
                )?;
            }
            Ok(())
        })
        .await?;
    Ok(counts)
}
