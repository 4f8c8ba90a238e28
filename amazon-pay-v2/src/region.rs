//! Where a request goes: Amazon's region hosts and the environment path segment.

use serde::{Deserialize, Serialize};

/// An Amazon Pay region. It picks the API host and the `x-amz-pay-region` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Region {
    /// Europe and the UK (`pay-api.amazon.eu`); takes EUR and GBP ledgers.
    Eu,
    /// North America (`pay-api.amazon.com`); takes USD.
    Na,
    /// Japan (`pay-api.amazon.jp`); takes JPY.
    Jp,
}

impl Region {
    /// Parses Amazon SDK region names (`eu`, `de`, `uk`, `na`, `us`, `jp`), case-insensitively.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "eu" | "de" | "uk" => Some(Self::Eu),
            "na" | "us" => Some(Self::Na),
            "jp" => Some(Self::Jp),
            _ => None,
        }
    }

    /// The `x-amz-pay-region` value.
    pub fn code(self) -> &'static str {
        match self {
            Self::Eu => "eu",
            Self::Na => "na",
            Self::Jp => "jp",
        }
    }

    /// Amazon's API host for this region.
    pub fn host(self) -> &'static str {
        match self {
            Self::Eu => "pay-api.amazon.eu",
            Self::Na => "pay-api.amazon.com",
            Self::Jp => "pay-api.amazon.jp",
        }
    }

    /// The ledger currencies a merchant account of this region takes.
    pub fn currencies(self) -> &'static [&'static str] {
        match self {
            Self::Eu => &["EUR", "GBP"],
            Self::Na => &["USD"],
            Self::Jp => &["JPY"],
        }
    }
}

/// Sandbox or live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    /// Amazon's sandbox: no money moves.
    Sandbox,
    /// Production.
    Live,
}

impl Environment {
    /// The path segment (`sandbox` or `live`).
    pub fn segment(self) -> &'static str {
        match self {
            Self::Sandbox => "sandbox",
            Self::Live => "live",
        }
    }
}

/// Whether a public key id names its environment itself (`LIVE-…`, `SANDBOX-…`); such keys use `/v2/...` paths with
/// no environment segment. Case-insensitive prefix test, as Amazon's Node SDK does it.
pub fn is_environment_specific(public_key_id: &str) -> bool {
    let upper = public_key_id.to_ascii_uppercase();
    upper.starts_with("LIVE") || upper.starts_with("SANDBOX")
}

/// The environment an environment-specific key id names, if it names one.
pub fn environment_of_key(public_key_id: &str) -> Option<Environment> {
    let upper = public_key_id.to_ascii_uppercase();
    if upper.starts_with("SANDBOX") {
        Some(Environment::Sandbox)
    } else if upper.starts_with("LIVE") {
        Some(Environment::Live)
    } else {
        None
    }
}

/// The request path for `resource` (e.g. `checkoutSessions/abc`), without a leading slash:
/// `v2/{resource}` for environment-specific keys, `{sandbox|live}/v2/{resource}` for the others.
pub fn path_for(public_key_id: &str, environment: Environment, resource: &str) -> String {
    if is_environment_specific(public_key_id) {
        format!("v2/{resource}")
    } else {
        format!("{}/v2/{resource}", environment.segment())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_specific_keys_need_no_segment() {
        assert_eq!(path_for("SANDBOX-AB12", Environment::Live, "charges/1"), "v2/charges/1");
        assert_eq!(path_for("live-AB12", Environment::Sandbox, "charges/1"), "v2/charges/1");
        assert_eq!(path_for("AB12", Environment::Sandbox, "charges/1"), "sandbox/v2/charges/1");
        assert_eq!(path_for("AB12", Environment::Live, "refunds"), "live/v2/refunds");
    }

    #[test]
    fn regions_parse_sdk_names() {
        assert_eq!(Region::parse("DE"), Some(Region::Eu));
        assert_eq!(Region::parse("us").map(Region::host), Some("pay-api.amazon.com"));
        assert_eq!(Region::parse("jp").map(Region::code), Some("jp"));
        assert_eq!(Region::parse("fr"), None);
    }

    #[test]
    fn key_prefix_names_environment() {
        assert_eq!(environment_of_key("SANDBOX-X"), Some(Environment::Sandbox));
        assert_eq!(environment_of_key("LIVE-X"), Some(Environment::Live));
        assert_eq!(environment_of_key("AXYZ"), None);
    }
}
