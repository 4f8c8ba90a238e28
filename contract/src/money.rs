//! Money as integer minor units plus an ISO 4217 currency.

use crate::prelude::*;
use core::fmt;
use core::str::FromStr;
use serde::{Deserialize, Serialize};

/// The currencies Amazon Pay ledgers know. PAYONE accepts only [`Currency::Eur`]; the server enforces that.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "EUR")]
    /// Euro.
    Eur,
    #[serde(rename = "GBP")]
    /// Pound sterling.
    Gbp,
    #[serde(rename = "USD")]
    /// US dollar.
    Usd,
    #[serde(rename = "JPY")]
    /// Japanese yen.
    Jpy,
}

impl Currency {
    /// The ISO 4217 code, as PAYONE and Amazon spell it.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Usd => "USD",
            Currency::Jpy => "JPY",
        }
    }

    /// Digits after the decimal point (JPY has none).
    pub const ALL: [Currency; 4] = [Currency::Eur, Currency::Gbp, Currency::Usd, Currency::Jpy];

    /// The currency whose ISO code is exactly `code` (as on the wire); `FromStr` is the lenient reader for people.
    pub fn parse(code: &str) -> Option<Currency> {
        Currency::ALL.into_iter().find(|c| c.code() == code)
    }

    /// Digits after the decimal point (2 for EUR).
    pub const fn minor_digits(self) -> u32 {
        match self {
            Currency::Jpy => 0,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A currency code that is not one Amazon Pay supports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported currency {0:?}: Amazon Pay through PAYONE accepts EUR")]
pub struct UnknownCurrency(pub String);

impl FromStr for Currency {
    type Err = UnknownCurrency;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_uppercase().as_str() {
            "EUR" => Ok(Currency::Eur),
            "GBP" => Ok(Currency::Gbp),
            "USD" => Ok(Currency::Usd),
            "JPY" => Ok(Currency::Jpy),
            _ => Err(UnknownCurrency(s.to_owned())),
        }
    }
}

/// An amount of money: integer minor units (cents) and a currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units, e.g. 1999 for 19.99 EUR.
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// `minor` units of `currency`.
    pub const fn new(minor: i64, currency: Currency) -> Self {
        Money { minor, currency }
    }

    /// `minor` euro cents.
    pub const fn eur(minor: i64) -> Self {
        Money::new(minor, Currency::Eur)
    }

    /// The amount as a decimal string with a dot, as Amazon's `estimatedOrderAmount.amount` and PAYONE's
    /// TransactionStatus `price` use it: `1999` EUR becomes `"19.99"`.
    pub fn decimal(&self) -> String {
        // By hand, not `format!`: the widget's wasm has no `core::fmt` for it (crate::digits).
        let places = self.currency.minor_digits();
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        if places == 0 {
            return [sign, &crate::digits(abs)].concat();
        }
        let scale = 10u64.pow(places);
        let fraction = crate::digits(abs % scale);
        let zeros = "0".repeat((places as usize).saturating_sub(fraction.len()));
        [sign, &crate::digits(abs / scale), ".", &zeros, &fraction].concat()
    }

    /// Parses a decimal string (`"19.99"`, `"-1.5"`, `"7"`) into minor units of `currency`.
    pub fn parse_decimal(text: &str, currency: Currency) -> Option<Money> {
        let text = text.trim();
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text),
        };
        let digits = currency.minor_digits() as usize;
        let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        if frac.len() > digits || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let whole: i64 = whole.parse().ok()?;
        let frac_value: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<digits$}").parse().ok()? };
        let minor = whole.checked_mul(10i64.pow(digits as u32))?.checked_add(frac_value)?;
        Some(Money::new(if negative { -minor } else { minor }, currency))
    }

    /// Adds two amounts of the same currency; `None` on a currency mismatch or overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        if self.currency != other.currency {
            return None;
        }
        Some(Money::new(self.minor.checked_add(other.minor)?, self.currency))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_codes_are_serdes_spelling() {
        for c in Currency::ALL {
            assert_eq!(serde_json::to_value(c).unwrap(), c.code());
            assert_eq!(Currency::parse(c.code()), Some(c));
        }
        assert_eq!(Currency::parse("eur"), None);
    }

    #[test]
    fn decimal_round_trips() {
        for (minor, text) in [(1999, "19.99"), (5, "0.05"), (-1000, "-10.00"), (0, "0.00"), (100, "1.00")] {
            assert_eq!(Money::eur(minor).decimal(), text);
            assert_eq!(Money::parse_decimal(text, Currency::Eur), Some(Money::eur(minor)));
        }
        assert_eq!(Money::new(500, Currency::Jpy).decimal(), "500");
        assert_eq!(Money::new(-500, Currency::Jpy).decimal(), "-500");
        assert_eq!(Money::eur(-5).decimal(), "-0.05");
        assert_eq!(Money::eur(i64::MIN).decimal(), "-92233720368547758.08");
    }

    #[test]
    fn parse_rejects_garbage() {
        for bad in ["", "1.234", "abc", "1,50", "--1", ".5", "1.x"] {
            assert_eq!(Money::parse_decimal(bad, Currency::Eur), None, "{bad:?}");
        }
        assert_eq!(Money::parse_decimal("1.5", Currency::Eur), Some(Money::eur(150)));
    }

    #[test]
    fn serializes_as_minor_units_and_code() {
        let json = serde_json::to_string(&Money::eur(1999)).unwrap();
        assert_eq!(json, r#"{"minor":1999,"currency":"EUR"}"#);
        assert!(serde_json::from_str::<Money>(r#"{"minor":1,"currency":"CHF"}"#).is_err());
    }

    #[test]
    fn add_refuses_mixed_currencies() {
        assert_eq!(Money::eur(1).checked_add(Money::eur(2)), Some(Money::eur(3)));
        assert_eq!(Money::eur(1).checked_add(Money::new(2, Currency::Usd)), None);
    }
}
