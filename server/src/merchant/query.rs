//! The query strings of the merchant API's list routes (orders, the webhook outbox), read one way.

use super::MerchantError;

/// The `name=value` pairs of `query`, each name at most once: a repeated one (`state=approved&state=paid`)
/// would otherwise be read as its last value, silently, by a script that meant either. Unreadable: 400
/// `invalid_query`; a name given twice: 400 `twice_code`, the sentence ending in `each_takes_one`.
pub(super) fn query_pairs(query: Option<&str>, twice_code: &'static str, each_takes_one: &str) -> Result<Vec<(String, String)>, MerchantError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|_| MerchantError::bad_request("invalid_query", "The query string cannot be read."))?;
    for (i, (name, _)) in pairs.iter().enumerate() {
        if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
            return Err(MerchantError::bad_request(twice_code, format!("{name} is given twice; {each_takes_one}.")));
        }
    }
    Ok(pairs)
}
