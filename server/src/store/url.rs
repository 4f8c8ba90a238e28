//! `--database-url` (`DATABASE_URL`): which database the store is in.

use std::path::PathBuf;

/// Where the store lives. Its `Debug` (and so the configuration's) never shows a PostgreSQL password.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum DatabaseUrl {
    /// `sqlite:` (the default): `amazon-pay.sqlite` under `--data-dir`.
    #[default]
    SqliteDefault,
    /// `sqlite:PATH`: that SQLite file.
    SqliteFile(PathBuf),
    /// `postgres://...` or `postgresql://...`: a PostgreSQL database, shared by every instance.
    Postgres(String),
}

/// A `--database-url` that names no database the server can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDatabaseUrl {
    /// Neither `sqlite:` nor `postgres://`.
    #[error("--database-url (DATABASE_URL) must start with sqlite: or postgres:// (got a value starting with {0:?})")]
    Scheme(String),
    /// A `postgres://` URL that does not parse.
    #[error("--database-url (DATABASE_URL) is not a valid PostgreSQL URL: {0}")]
    Postgres(String),
}

impl std::str::FromStr for DatabaseUrl {
    type Err = BadDatabaseUrl;

    fn from_str(text: &str) -> Result<DatabaseUrl, BadDatabaseUrl> {
        let text = text.trim();
        if let Some(path) = text.strip_prefix("sqlite:") {
            let path = path.strip_prefix("//").unwrap_or(path);
            return Ok(if path.is_empty() { DatabaseUrl::SqliteDefault } else { DatabaseUrl::SqliteFile(PathBuf::from(path)) });
        }
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            // Parsed now, so a typo stops the start with a message instead of a failed first connection. The
            // error names no part of the URL (it may hold a password).
            return text
                .parse::<tokio_postgres::Config>()
                .map(|_| DatabaseUrl::Postgres(text.to_owned()))
                .map_err(|e| BadDatabaseUrl::Postgres(e.to_string()));
        }
        // Only the scheme-ish start: the rest may be a password.
        Err(BadDatabaseUrl::Scheme(text.chars().take_while(|c| *c != ':' && *c != '/').take(16).collect()))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseUrl::SqliteDefault => f.write_str("SqliteDefault"),
            DatabaseUrl::SqliteFile(path) => f.debug_tuple("SqliteFile").field(path).finish(),
            DatabaseUrl::Postgres(_) => f.debug_tuple("Postgres").field(&self.describe()).finish(),
        }
    }
}

impl DatabaseUrl {
    /// The SQLite file this URL names, `--data-dir`'s own for `sqlite:`; `None` for PostgreSQL.
    pub fn sqlite_path(&self, data_dir: &std::path::Path) -> Option<std::path::PathBuf> {
        match self {
            DatabaseUrl::SqliteDefault => Some(data_dir.join("amazon-pay.sqlite")),
            DatabaseUrl::SqliteFile(path) => Some(path.clone()),
            DatabaseUrl::Postgres(_) => None,
        }
    }

    /// For messages: [`DatabaseUrl::describe`], with the file `sqlite:` means under `data_dir` named.
    pub fn location(&self, data_dir: &std::path::Path) -> String {
        match self {
            DatabaseUrl::SqliteDefault => format!("sqlite ({})", data_dir.join("amazon-pay.sqlite").display()),
            other => other.describe(),
        }
    }

    /// For logs: the kind and, for PostgreSQL, no credentials.
    pub fn describe(&self) -> String {
        match self {
            DatabaseUrl::SqliteDefault => "sqlite (under --data-dir)".to_owned(),
            DatabaseUrl::SqliteFile(p) => format!("sqlite ({})", p.display()),
            DatabaseUrl::Postgres(url) => match url.parse::<tokio_postgres::Config>() {
                // Host, port and database as an operator writes them (`db.internal:5432/amazonpay`); never the
                // user's password.
                Ok(c) => {
                    let host = match c.get_hosts().first() {
                        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
                        #[cfg(unix)]
                        Some(tokio_postgres::config::Host::Unix(path)) => path.display().to_string(),
                        None => "localhost".to_owned(),
                    };
                    let port = c.get_ports().first().copied().unwrap_or(5432);
                    format!("postgres ({host}:{port}/{})", c.get_dbname().unwrap_or(""))
                }
                Err(_) => "postgres".to_owned(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_and_postgres_urls_parse_and_anything_else_is_refused_naming_the_setting() {
        assert_eq!("sqlite:".parse(), Ok(DatabaseUrl::SqliteDefault));
        assert_eq!("sqlite:data/a.sqlite".parse(), Ok(DatabaseUrl::SqliteFile("data/a.sqlite".into())));
        assert_eq!("sqlite:///tmp/a.sqlite".parse(), Ok(DatabaseUrl::SqliteFile("/tmp/a.sqlite".into())));
        assert_eq!("postgres://u:p@127.0.0.1:5432/db".parse(), Ok(DatabaseUrl::Postgres("postgres://u:p@127.0.0.1:5432/db".into())));
        let err = "mysql://u:secret@h/db".parse::<DatabaseUrl>().unwrap_err();
        assert!(err.to_string().contains("--database-url (DATABASE_URL)"), "{err}");
        assert!(!err.to_string().contains("secret"), "{err}");
        let err = "postgres://u@h:notaport/db".parse::<DatabaseUrl>().unwrap_err();
        assert!(matches!(err, BadDatabaseUrl::Postgres(_)), "{err}");
    }

    #[test]
    fn a_postgres_url_is_described_by_host_port_and_database_without_its_password() {
        let described = |url: &str| url.parse::<DatabaseUrl>().unwrap().describe();
        assert_eq!(described("postgres://amazonpay:SECRET@db.internal:5433/amazonpay"), "postgres (db.internal:5433/amazonpay)");
        assert_eq!(described("postgres://amazonpay:SECRET@db.internal/amazonpay"), "postgres (db.internal:5432/amazonpay)");
        assert_eq!(described("sqlite:"), "sqlite (under --data-dir)");
    }

    /// `Config` derives `Debug`: a `debug!(?config)` or a panic message must not print the password.
    #[test]
    fn debug_output_hides_the_postgres_password() {
        let url: DatabaseUrl = "postgres://amazonpay:S3CRET@db.internal:5433/amazonpay".parse().unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("S3CRET"), "{shown}");
        assert!(shown.contains("db.internal:5433/amazonpay"), "{shown}");
        assert_eq!(format!("{:?}", DatabaseUrl::SqliteFile("a.sqlite".into())), r#"SqliteFile("a.sqlite")"#);
    }
}
