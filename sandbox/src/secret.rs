//! Comparing secrets (portal keys, CRM passwords) in constant time, as the real services should: a plain
//! `==` stops at the first differing byte, which tells an attacker how much of a guess was right.

use subtle::ConstantTimeEq;

/// Whether `given` is `expected`, in time that depends on the lengths only.
pub(crate) fn secret_eq(given: &str, expected: &str) -> bool {
    given.as_bytes().ct_eq(expected.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::secret_eq;

    #[test]
    fn equal_only_when_every_byte_and_the_length_match() {
        assert!(secret_eq("PortalKey-1", "PortalKey-1"));
        assert!(!secret_eq("PortalKey-2", "PortalKey-1"));
        assert!(!secret_eq("PortalKey-", "PortalKey-1"));
        assert!(!secret_eq("", "PortalKey-1"));
        assert!(secret_eq("", ""));
    }
}
