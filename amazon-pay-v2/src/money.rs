//! Amazon's `{"amount":"10.00","currencyCode":"EUR"}` from integer minor units, and back.

use serde::{Deserialize, Serialize};

/// A price as Amazon writes it. Build it from minor units with [`Price::from_minor`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Price {
    /// Decimal string (`"10.00"`, `"1000"` for JPY).
    pub amount: String,
    /// ISO 4217 code.
    pub currency_code: String,
}

/// Decimal places Amazon uses for a currency (JPY none, the others two).
pub fn decimals(currency: &str) -> u32 {
    if currency.eq_ignore_ascii_case("JPY") {
        0
    } else {
        2
    }
}

impl Price {
    /// `minor` units of `currency` (e.g. 1999 EUR → `"19.99"`).
    pub fn from_minor(minor: u64, currency: &str) -> Self {
        let amount = match decimals(currency) {
            0 => minor.to_string(),
            d => {
                let scale = 10u64.pow(d);
                format!("{}.{:0width$}", minor / scale, minor % scale, width = d as usize)
            }
        };
        Self { amount, currency_code: currency.to_ascii_uppercase() }
    }

    /// Back to minor units; `None` if the amount is not a plain non-negative decimal with at most the currency's
    /// decimal places.
    pub fn to_minor(&self) -> Option<u64> {
        let d = decimals(&self.currency_code) as usize;
        let (int, frac) = self.amount.split_once('.').unwrap_or((&self.amount, ""));
        if int.is_empty() || frac.len() > d || !int.bytes().chain(frac.bytes()).all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut digits = format!("{int}{frac}");
        digits.extend(std::iter::repeat_n('0', d - frac.len()));
        digits.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_round_trip() {
        assert_eq!(Price::from_minor(1999, "eur").amount, "19.99");
        assert_eq!(Price::from_minor(5, "GBP").amount, "0.05");
        assert_eq!(Price::from_minor(1000, "JPY").amount, "1000");
        assert_eq!(Price::from_minor(1999, "EUR").to_minor(), Some(1999));
        let p = Price { amount: "12.5".into(), currency_code: "USD".into() };
        assert_eq!(p.to_minor(), Some(1250));
    }

    #[test]
    fn bad_amounts_are_refused() {
        for a in ["", "-1.00", "1.234", "1e3", "abc", ".5"] {
            assert_eq!(Price { amount: a.into(), currency_code: "EUR".into() }.to_minor(), None, "{a}");
        }
        assert_eq!(Price { amount: "10.5".into(), currency_code: "JPY".into() }.to_minor(), None);
    }
}
