//! Amounts as the merchant types and reads them (`12.50 EUR`), checked before anything is sent: a positive
//! amount of the currency's minor units, not above what the action can move.

use amazon_pay_contract::{Currency, Money};

/// `minor` of `currency` as `12.50 EUR` (as the merchant API's refusals write it).
pub(crate) fn format(minor: i64, currency: &str) -> String {
    amazon_pay_contract::merchant::amount_text(minor, currency)
}

/// The amount the merchant typed, in minor units, or the sentence saying why it cannot be sent. `most`: what
/// is left to capture or refund; `limit`: the sentence saying so and why (`amazon_pay_contract::merchant::
/// capture_limit`, `refund_limit`), shown when the amount is above it.
pub(crate) fn parse(text: &str, currency: &str, most: i64, limit: &str) -> Result<i64, String> {
    let Some(currency_kind) = Currency::parse(currency) else {
        return Err(format!("This order's currency {currency} is not one the dashboard knows."));
    };
    let digits = currency_kind.minor_digits();
    let text = text.trim().replace(',', ".");
    if text.is_empty() {
        return Err("Enter an amount.".into());
    }
    let Some(money) = Money::parse_decimal(&text, currency_kind) else {
        return Err(if digits == 0 {
            format!("Enter a whole number of {currency}, like 12.")
        } else {
            format!("Enter an amount of {currency} with at most {digits} decimals, like 12.50.")
        });
    };
    if money.minor <= 0 {
        return Err("The amount must be more than zero.".into());
    }
    if money.minor > most {
        return Err(format!("{} is too much. {limit}", format(money.minor, currency)));
    }
    Ok(money.minor)
}

/// What a capture can still take: what is left of the authorization, except with Amazon Pay (`carrier`) once
/// part was captured, when nothing: Amazon captures a charge once and the server refuses a second capture
/// (`capture_needs_new_charge`), so the rest can only be released (cancel).
pub(crate) fn capturable(carrier: &str, amounts: &amazon_pay_contract::merchant::Amounts) -> i64 {
    if carrier == "Amazon Pay" && amounts.captured > 0 {
        0
    } else {
        amounts.remaining
    }
}

/// `minor` as the input's starting text (`12.50`).
pub(crate) fn input_text(minor: i64, currency: &str) -> String {
    Currency::parse(currency).map(|c| Money::new(minor, c).decimal()).unwrap_or_else(|| minor.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amazon_pay_captures_once_so_a_partly_captured_order_has_nothing_left_to_capture() {
        let amounts = amazon_pay_contract::merchant::Amounts {
            total: 2580,
            authorized: 2580,
            captured: 1000,
            refunded: 0,
            released: 0,
            remaining: 1580,
            refundable: 1000,
        };
        assert_eq!(capturable("Amazon Pay", &amounts), 0, "the server refuses it: capture_needs_new_charge");
        assert_eq!(capturable("PAYONE", &amounts), 1580, "PAYONE captures in parts");
        let untouched = amazon_pay_contract::merchant::Amounts { captured: 0, remaining: 2580, refundable: 0, ..amounts };
        assert_eq!(capturable("Amazon Pay", &untouched), 2580);
    }

    #[test]
    fn amounts_are_checked_before_sending() {
        let limit = amazon_pay_contract::merchant::refund_limit(5160, 2580, "EUR");
        let parse = |text: &str, currency: &str, most: i64| parse(text, currency, most, &limit);
        assert_eq!(parse("12.50", "EUR", 2580), Ok(1250));
        assert_eq!(parse(" 12,5 ", "EUR", 2580), Ok(1250));
        assert_eq!(parse("25.80", "EUR", 2580), Ok(2580));
        assert_eq!(
            parse("25.81", "EUR", 2580).unwrap_err(),
            "25.81 EUR is too much. At most 25.80 EUR can still be refunded: 25.80 EUR of the 51.60 EUR captured were refunded already."
        );
        assert!(parse("0", "EUR", 2580).unwrap_err().contains("more than zero"));
        assert!(parse("-1", "EUR", 2580).unwrap_err().contains("more than zero"));
        assert!(parse("1.234", "EUR", 2580).unwrap_err().contains("2 decimals"));
        assert!(parse("1.5", "JPY", 2580).unwrap_err().contains("whole number"));
        assert!(parse("ten", "EUR", 2580).is_err());
        assert!(parse("", "EUR", 2580).is_err());
        assert!(parse("1", "XXX", 2580).is_err());
        assert_eq!(format(1250, "EUR"), "12.50 EUR");
        assert_eq!(input_text(5, "EUR"), "0.05");
    }
}
