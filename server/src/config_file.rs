//! `--config FILE`: a TOML file whose keys are the environment variables of `amazon-pay-server --help`.
//!
//! ```toml
//! PAYONE_MID = "12345"
//! PAYONE_PORTALID = "1234567"
//! MERCHANT_COUNTRY = "DE"
//! ```
//!
//! Precedence: command line, then the environment, then the file, then the defaults. The file is read before
//! the arguments are parsed and fills in only variables the environment does not set, so one parser (clap)
//! validates every source the same way.

use clap::CommandFactory;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The configuration file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigFileError {
    #[error("cannot read the configuration file {path}: {source}")]
    /// Read.
    Read {
        /// The path.
        path: String,
        /// The source.
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid TOML: {message}")]
    /// Syntax.
    Syntax {
        /// The path.
        path: String,
        /// The message.
        message: String,
    },
    #[error(
        "the configuration file {path} sets {key}, which is not a setting{} (see amazon-pay-server --help for the names)",
        suggestion.as_ref().map(|name| format!("; did you mean `{name}`?")).unwrap_or_default()
    )]
    /// Unknown key.
    UnknownKey {
        /// The path.
        path: String,
        /// The key.
        key: String,
        /// The closest known name, when one is close ([`crate::suggest::closest`]).
        suggestion: Option<String>,
    },
    #[error(
        "the configuration file {path} sets {key} to a table or list; use a string, number or boolean (a list is written \
         as in the environment, one comma-separated string: {key} = \"a,b\")"
    )]
    /// Not scalar.
    NotScalar {
        /// The path.
        path: String,
        /// The key.
        key: String,
    },
}

/// Every environment variable the server reads.
pub fn known_variables() -> Vec<String> {
    crate::config::Args::command().get_arguments().filter_map(|arg| arg.get_env()).map(|env| env.to_string_lossy().into_owned()).collect()
}

/// The `KEY = value` pairs of a configuration file, checked against the known variables.
pub fn read(path: &Path) -> Result<BTreeMap<String, String>, ConfigFileError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ConfigFileError::Read { path: shown.clone(), source })?;
    parse(&text, &shown)
}

/// Parses the file's text (separate from I/O for tests).
pub fn parse(text: &str, shown: &str) -> Result<BTreeMap<String, String>, ConfigFileError> {
    let table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| ConfigFileError::Syntax { path: shown.to_owned(), message: e.message().to_owned() })?;
    let known = known_variables();
    let mut values = BTreeMap::new();
    for (key, value) in table {
        if !known.contains(&key) || key == "AMAZON_PAY_CONFIG" {
            let usable = known.iter().map(String::as_str).filter(|name| *name != "AMAZON_PAY_CONFIG");
            let suggestion = crate::suggest::closest(&key, usable).map(str::to_owned);
            return Err(ConfigFileError::UnknownKey { path: shown.to_owned(), key, suggestion });
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Float(f) => f.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Datetime(d) => d.to_string(),
            toml::Value::Array(_) | toml::Value::Table(_) => {
                return Err(ConfigFileError::NotScalar { path: shown.to_owned(), key });
            }
        };
        values.insert(key, text);
    }
    Ok(values)
}

/// The `--config`/`--config=`/`AMAZON_PAY_CONFIG` path, found before clap parses the rest.
pub fn path_from(args: &[String], env: Option<String>) -> Option<PathBuf> {
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if arg == "--config" {
            return iter.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    env.filter(|e| !e.is_empty()).map(PathBuf::from)
}

/// Reads the file named by the arguments or the environment and sets the variables it gives that the
/// environment does not already set. Call once, at start, before any thread is spawned.
pub fn apply(args: &[String]) -> Result<Option<PathBuf>, ConfigFileError> {
    let Some(path) = path_from(args, std::env::var("AMAZON_PAY_CONFIG").ok()) else { return Ok(None) };
    for (key, value) in read(&path)? {
        if std::env::var_os(&key).is_none() {
            // Single-threaded at this point (see the doc comment), so changing the environment is sound.
            std::env::set_var(&key, value);
        }
    }
    Ok(Some(path))
}

/// The server's prefixes: a variable with one that is no setting is likely a typo of one.
const PREFIXES: [&str; 5] = ["AMAZON_PAY_", "AMAZON_", "PAYONE_", "CHECKOUTCHAMP_", "SANDBOX_"];

/// Warnings for the environment variables `names` that carry the server's prefixes, are no setting and are
/// at most two edits from one: the server ignores them, so such a typo would go unnoticed. Only close ones,
/// so other tools' variables (`AMAZON_PAY_SERVER_BIN`) are not mistaken for typos.
pub fn mistyped_environment<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let known = known_variables();
    let usable = || known.iter().map(String::as_str).filter(|name| *name != "AMAZON_PAY_CONFIG");
    let mut warnings: Vec<String> = names
        .into_iter()
        .filter(|name| PREFIXES.iter().any(|prefix| name.starts_with(prefix)) && !known.iter().any(|k| k == name))
        .filter_map(|name| {
            let suggestion = crate::suggest::closest(name, usable())?;
            (crate::suggest::distance(name, suggestion) <= 2)
                .then(|| format!("warning: {name} is set in the environment but is not a setting; did you mean `{suggestion}`?"))
        })
        .collect();
    warnings.sort();
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_typos_in_the_environment_are_said_and_other_variables_are_not() {
        let warnings = mistyped_environment(["AMAZON_PAY_WEBHOOK_URL", "PAYONE_MDI", "PAYONE_MID", "AMAZON_PAY_SERVER_BIN", "PATH", "payone_mid"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].starts_with("warning: AMAZON_PAY_WEBHOOK_URL ") && warnings[0].ends_with("`AMAZON_PAY_WEBHOOK_URLS`?"));
        assert!(warnings[1].ends_with("did you mean `PAYONE_MID`?"), "{warnings:?}");
    }

    #[test]
    fn reads_known_settings_as_strings() {
        let values = parse("PAYONE_MID = 12345\nPAYONE_KEY = \"secret\"\nAMAZON_PAY_LISTEN = \"127.0.0.1:9000\"\n", "t.toml").unwrap();
        assert_eq!(values["PAYONE_MID"], "12345");
        assert_eq!(values["PAYONE_KEY"], "secret");
    }

    #[test]
    fn refuses_typos_tables_and_bad_syntax() {
        assert!(matches!(parse("PAYONE_MDI = 1", "t").unwrap_err(), ConfigFileError::UnknownKey { key, .. } if key == "PAYONE_MDI"));
        assert!(matches!(parse("[payone]\nmid = 1", "t").unwrap_err(), ConfigFileError::UnknownKey { .. }));
        assert!(matches!(parse("PAYONE_MID = [1]", "t").unwrap_err(), ConfigFileError::NotScalar { .. }));
        let list = parse("AMAZON_PAY_MERCHANT_API_KEYS = [\"a\", \"b\"]", "t").unwrap_err().to_string();
        assert!(list.contains(r#"one comma-separated string: AMAZON_PAY_MERCHANT_API_KEYS = "a,b""#), "{list}");
        assert!(matches!(parse("PAYONE_MID = ", "t").unwrap_err(), ConfigFileError::Syntax { .. }));
    }

    #[test]
    fn finds_the_path_in_any_spelling() {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(path_from(&args(&["x", "--config", "a.toml"]), None), Some(PathBuf::from("a.toml")));
        assert_eq!(path_from(&args(&["x", "--config=b.toml"]), None), Some(PathBuf::from("b.toml")));
        assert_eq!(path_from(&args(&["x"]), Some("c.toml".into())), Some(PathBuf::from("c.toml")));
        assert_eq!(path_from(&args(&["x"]), None), None);
    }
}
