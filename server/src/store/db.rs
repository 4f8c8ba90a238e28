//! One small SQL interface over both store backends (SQLite, PostgreSQL), shaped like the part of rusqlite the
//! store used (`prepare_cached(..)?.query_row(params![..], |r| r.get(0))`), so the store's modules keep their
//! SQL and their structure and run on either database.
//!
//! Values cross it as [`Value`] (NULL, integer, real, text): what the store keeps. The SQL is written for
//! SQLite (`?1` placeholders, `INSERT OR IGNORE`); `store/pg.rs` translates it for PostgreSQL.

use std::fmt;

/// A failure of a statement or of reading its result.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed. Said with its causes: the driver's own text ("error connecting to server") leaves out
    /// why (refused, timed out, a password refused), which is in its source.
    #[error("postgres: {}", with_causes(.0))]
    Postgres(tokio_postgres::Error),
    /// `query_row` found no row.
    #[error("the query returned no rows")]
    NoRows,
    /// A column's value is not what the code reads it as.
    #[error("column {column}: {message}")]
    Conversion {
        /// The column's index.
        column: usize,
        /// What was wrong.
        message: String,
    },
    /// A value could not be encoded for the database (e.g. JSON).
    #[error("cannot encode a value: {0}")]
    Encode(String),
    /// No connection to the database could be had.
    #[error("no database connection: {0}")]
    Connect(String),
}

impl From<tokio_postgres::Error> for DbError {
    fn from(err: tokio_postgres::Error) -> DbError {
        DbError::Postgres(err)
    }
}

/// `err`'s text followed by each cause's, `: `-separated (a cause that repeats the text before it is left out).
pub(crate) fn with_causes(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let said = c.to_string();
        if !text.ends_with(&said) {
            text.push_str(": ");
            text.push_str(&said);
        }
        cause = c.source();
    }
    text
}

impl DbError {
    /// A column `column` that could not be read as wanted.
    pub fn conversion(column: usize, message: impl fmt::Display) -> DbError {
        DbError::Conversion { column, message: message.to_string() }
    }

    /// A unique key or other constraint refused the statement (both backends).
    pub fn is_constraint_violation(&self) -> bool {
        match self {
            DbError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => e.code == rusqlite::ErrorCode::ConstraintViolation,
            DbError::Postgres(e) => e.code().is_some_and(|c| c.code().starts_with("23")),
            _ => false,
        }
    }
}

/// The store's results.
pub type Result<T> = std::result::Result<T, DbError>;

/// Which database a connection talks to, for the few statements that differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// A value as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// NULL.
    Null,
    /// An integer (SQLite INTEGER, PostgreSQL SMALLINT/INT/BIGINT/BOOLEAN).
    Int(i64),
    /// A float.
    Real(f64),
    /// Text.
    Text(String),
}

/// What can be bound to a placeholder.
pub trait ToValue {
    /// The value bound.
    fn to_value(&self) -> Value;
}

macro_rules! int_to_value {
    ($($t:ty),*) => {$(
        impl ToValue for $t {
            fn to_value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )*};
}
int_to_value!(i64, i32, u16, u32, usize, u8);

impl ToValue for bool {
    fn to_value(&self) -> Value {
        Value::Int(i64::from(*self))
    }
}
impl ToValue for f64 {
    fn to_value(&self) -> Value {
        Value::Real(*self)
    }
}
impl ToValue for str {
    fn to_value(&self) -> Value {
        Value::Text(self.to_owned())
    }
}
impl ToValue for String {
    fn to_value(&self) -> Value {
        Value::Text(self.clone())
    }
}
impl ToValue for Value {
    fn to_value(&self) -> Value {
        self.clone()
    }
}
impl<T: ToValue + ?Sized> ToValue for &T {
    fn to_value(&self) -> Value {
        (**self).to_value()
    }
}
impl<T: ToValue> ToValue for Option<T> {
    fn to_value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ToValue::to_value)
    }
}

/// What a column can be read as.
pub trait FromValue: Sized {
    /// Reads `value`, or says why it cannot.
    fn from_value(value: &Value) -> std::result::Result<Self, String>;
}

macro_rules! int_from_value {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> std::result::Result<Self, String> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i).map_err(|_| format!("{i} is out of range for {}", stringify!($t))),
                    other => Err(format!("expected an integer, found {other:?}")),
                }
            }
        }
    )*};
}
int_from_value!(i64, i32, u16, u32, u64, usize);

impl FromValue for bool {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        i64::from_value(value).map(|i| i != 0)
    }
}
impl FromValue for f64 {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Real(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            other => Err(format!("expected a number, found {other:?}")),
        }
    }
}
impl FromValue for String {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Text(s) => Ok(s.clone()),
            other => Err(format!("expected text, found {other:?}")),
        }
    }
}
impl FromValue for Value {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        Ok(value.clone())
    }
}
impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> std::result::Result<Self, String> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// The parameters of a statement: `params![a, b]`, `[a]`, `[]`.
pub trait Params {
    /// The values, in placeholder order.
    fn values(self) -> Vec<Value>;
}

impl Params for &[&dyn ToValue] {
    fn values(self) -> Vec<Value> {
        self.iter().map(|v| v.to_value()).collect()
    }
}
impl Params for [&dyn ToValue; 0] {
    fn values(self) -> Vec<Value> {
        Vec::new()
    }
}
impl Params for Vec<Value> {
    fn values(self) -> Vec<Value> {
        self
    }
}
macro_rules! array_params {
    ($($n:literal),*) => {$(
        impl<T: ToValue> Params for [T; $n] {
            fn values(self) -> Vec<Value> {
                self.iter().map(ToValue::to_value).collect()
            }
        }
    )*};
}
array_params!(1, 2, 3, 4, 5, 6, 7, 8);

/// `params![a, b, c]`: values of different types for one statement.
#[macro_export]
macro_rules! params {
    () => { &[] as &[&dyn $crate::store::db::ToValue] };
    ($($v:expr),+ $(,)?) => { &[$(&$v as &dyn $crate::store::db::ToValue),+] as &[&dyn $crate::store::db::ToValue] };
}
pub use crate::params;

/// One row of a result.
pub struct Row {
    values: Vec<Value>,
}

/// A column index (only positions: the store reads columns by position).
pub trait RowIndex {
    /// The position.
    fn index(self) -> usize;
}
impl RowIndex for usize {
    fn index(self) -> usize {
        self
    }
}

impl Row {
    pub(super) fn new(values: Vec<Value>) -> Row {
        Row { values }
    }

    /// Column `idx` read as `T`.
    pub fn get<I: RowIndex, T: FromValue>(&self, idx: I) -> Result<T> {
        let i = idx.index();
        let value = self.values.get(i).ok_or_else(|| DbError::conversion(i, "no such column"))?;
        T::from_value(value).map_err(|m| DbError::conversion(i, m))
    }
}

/// `.optional()` on a `query_row` result: no row is `None`, not an error.
pub trait OptionalExtension<T> {
    /// `Ok(None)` for [`DbError::NoRows`].
    fn optional(self) -> Result<Option<T>>;
}
impl<T> OptionalExtension<T> for Result<T> {
    fn optional(self) -> Result<Option<T>> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(DbError::NoRows) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// A connection (inside a write's transaction, or for reads) of either backend.
#[derive(Clone, Copy)]
pub struct Conn<'a> {
    inner: Inner<'a>,
}

#[derive(Clone, Copy)]
enum Inner<'a> {
    Sqlite(&'a rusqlite::Connection),
    Postgres(&'a dyn Remote),
}

/// A connection to a database server (PostgreSQL, `store/pg.rs`) that takes the store's SQL as written for
/// SQLite and translates it.
pub(crate) trait Remote {
    /// The rows of `sql`.
    fn query(&self, sql: &str, values: &[Value]) -> Result<Vec<Row>>;
    /// Runs `sql`; rows changed.
    fn execute(&self, sql: &str, values: &[Value]) -> Result<usize>;
    /// Runs statements without parameters.
    fn batch(&self, sql: &str) -> Result<()>;
}

impl<'a> Conn<'a> {
    pub(super) fn sqlite(c: &'a rusqlite::Connection) -> Conn<'a> {
        Conn { inner: Inner::Sqlite(c) }
    }

    pub(super) fn postgres(s: &'a dyn Remote) -> Conn<'a> {
        Conn { inner: Inner::Postgres(s) }
    }

    /// Which database this is.
    pub fn dialect(&self) -> Dialect {
        match self.inner {
            Inner::Sqlite(_) => Dialect::Sqlite,
            Inner::Postgres(_) => Dialect::Postgres,
        }
    }

    /// A statement (prepared once per connection and kept).
    pub fn prepare_cached(&self, sql: &str) -> Result<Stmt<'a>> {
        Ok(Stmt { conn: *self, sql: sql.to_owned() })
    }

    /// A statement.
    pub fn prepare(&self, sql: &str) -> Result<Stmt<'a>> {
        self.prepare_cached(sql)
    }

    /// Runs `sql`; the number of rows it changed.
    pub fn execute<P: Params>(&self, sql: &str, params: P) -> Result<usize> {
        self.prepare_cached(sql)?.execute(params)
    }

    /// The first row of `sql`, read by `f` ([`DbError::NoRows`] when there is none).
    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&self, sql: &str, params: P, f: F) -> Result<T> {
        self.prepare_cached(sql)?.query_row(params, f)
    }

    /// Runs statements without parameters, separated by `;`.
    pub fn execute_batch(&self, sql: &str) -> Result<()> {
        match self.inner {
            Inner::Sqlite(c) => Ok(c.execute_batch(sql)?),
            Inner::Postgres(s) => s.batch(sql),
        }
    }

    fn rows<P: Params>(&self, sql: &str, params: P) -> Result<Vec<Row>> {
        let values = params.values();
        match self.inner {
            Inner::Sqlite(c) => {
                let mut stmt = c.prepare_cached(sql)?;
                let columns = stmt.column_count();
                let mut rows = stmt.query(rusqlite::params_from_iter(values.iter().map(sqlite_value)))?;
                let mut out = Vec::new();
                while let Some(row) = rows.next()? {
                    let mut values = Vec::with_capacity(columns);
                    for i in 0..columns {
                        values.push(from_sqlite(row.get_ref(i)?));
                    }
                    out.push(Row::new(values));
                }
                Ok(out)
            }
            Inner::Postgres(s) => s.query(sql, &values),
        }
    }
}

fn sqlite_value(v: &Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as V;
    match v {
        Value::Null => V::Null,
        Value::Int(i) => V::Integer(*i),
        Value::Real(f) => V::Real(*f),
        Value::Text(s) => V::Text(s.clone()),
    }
}

fn from_sqlite(v: rusqlite::types::ValueRef<'_>) -> Value {
    use rusqlite::types::ValueRef as V;
    match v {
        V::Null => Value::Null,
        V::Integer(i) => Value::Int(i),
        V::Real(f) => Value::Real(f),
        V::Text(t) | V::Blob(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
    }
}

/// A statement on a [`Conn`].
pub struct Stmt<'a> {
    conn: Conn<'a>,
    sql: String,
}

impl Stmt<'_> {
    /// Runs it; the number of rows changed.
    pub fn execute<P: Params>(&mut self, params: P) -> Result<usize> {
        let values = params.values();
        match self.conn.inner {
            Inner::Sqlite(c) => Ok(c.prepare_cached(&self.sql)?.execute(rusqlite::params_from_iter(values.iter().map(sqlite_value)))?),
            Inner::Postgres(s) => s.execute(&self.sql, &values),
        }
    }

    /// The first row, read by `f`.
    pub fn query_row<T, P: Params, F: FnOnce(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<T> {
        let rows = self.conn.rows(&self.sql, params)?;
        rows.first().map_or(Err(DbError::NoRows), f)
    }

    /// Every row, each read by `f`.
    pub fn query_map<T, P: Params, F: FnMut(&Row) -> Result<T>>(&mut self, params: P, f: F) -> Result<std::vec::IntoIter<Result<T>>> {
        let rows = self.conn.rows(&self.sql, params)?;
        Ok(rows.iter().map(f).collect::<Vec<_>>().into_iter())
    }
}
