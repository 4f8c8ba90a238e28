//! PAYONE's TransactionStatus notification: an ISO-8859-1 form POST whose `key` is md5 of the portal key.

use payone_wire::notification_key;

/// One parsed notification. Keeps every field, in order, as PAYONE sent it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionStatus {
    fields: Vec<(String, String)>,
}

/// Why a notification is refused. PAYONE retries anything that is not answered `TSOK`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TsRejection {
    #[error("the notification's key does not match the portal key")]
    /// Wrong key.
    WrongKey,
    #[error("the notification is for portal {0:?}, not ours")]
    /// Wrong portal.
    WrongPortal(String),
    #[error("the notification is for sub-account {0:?}, not ours")]
    /// Wrong account.
    WrongAccount(String),
    #[error("the notification lacks {0}")]
    /// Missing.
    Missing(&'static str),
    #[error("the notification is for mode {0:?}, but this server talks to PAYONE in the other mode")]
    /// Wrong mode.
    WrongMode(String),
}

impl TsRejection {
    /// A metrics label: one word per kind of refusal (never the notification's values).
    pub fn reason(&self) -> &'static str {
        match self {
            TsRejection::WrongKey => "wrong_key",
            TsRejection::WrongPortal(_) => "wrong_portal",
            TsRejection::WrongAccount(_) => "wrong_account",
            TsRejection::Missing(_) => "missing_field",
            TsRejection::WrongMode(_) => "wrong_mode",
        }
    }
}

impl TransactionStatus {
    /// Parses a notification body. Never fails: missing fields are reported by [`Self::verify`].
    pub fn parse(body: &[u8]) -> TransactionStatus {
        // ISO-8859-1 form: each byte one character; a malformed escape is kept literally rather than failing.
        TransactionStatus { fields: payone_wire::latin1::decode_form(body) }
    }

    /// A notification from already decoded fields (as the store keeps them).
    pub fn from_fields(fields: Vec<(String, String)>) -> TransactionStatus {
        TransactionStatus { fields }
    }

    /// The value of field `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Every field, in the order sent.
    pub fn fields(&self) -> &[(String, String)] {
        &self.fields
    }

    /// `txaction` (`appointed`, `paid`, `failed`, …).
    pub fn txaction(&self) -> Option<&str> {
        self.get("txaction")
    }

    /// PAYONE's transaction id.
    pub fn txid(&self) -> Option<&str> {
        self.get("txid")
    }

    /// `completed` or `pending` (notify_version ≥ 7.4); absent means completed.
    pub fn transaction_status(&self) -> &str {
        self.get("transaction_status").unwrap_or("completed")
    }

    /// Checks `key` (md5 of the portal key, compared in constant time), portal id and sub-account id.
    pub fn verify(&self, portal_key: &str, portal_id: &str, aid: &str) -> Result<(), TsRejection> {
        let key = self.get("key").ok_or(TsRejection::Missing("key"))?;
        if !constant_time_eq(key.to_ascii_lowercase().as_bytes(), notification_key(portal_key).as_bytes()) {
            return Err(TsRejection::WrongKey);
        }
        let portal = self.get("portalid").ok_or(TsRejection::Missing("portalid"))?;
        if portal != portal_id {
            return Err(TsRejection::WrongPortal(portal.to_owned()));
        }
        if let Some(account) = self.get("aid") {
            if account != aid {
                return Err(TsRejection::WrongAccount(account.to_owned()));
            }
        }
        self.txaction().ok_or(TsRejection::Missing("txaction"))?;
        self.txid().ok_or(TsRejection::Missing("txid"))?;
        Ok(())
    }

    /// Checks `mode` (`test` or `live`) against the mode this server sends: a test notification must not move
    /// a live order, nor the other way round. A notification without `mode` passes (old notify versions).
    pub fn verify_mode(&self, expected: &str) -> Result<(), TsRejection> {
        match self.get("mode") {
            Some(mode) if mode != expected => Err(TsRejection::WrongMode(mode.to_owned())),
            _ => Ok(()),
        }
    }

    /// What makes two notifications the same one (a replay): transaction, action, status and sequence.
    pub fn identity(&self) -> String {
        format!(
            "{}|{}|{}|{}",
            self.txid().unwrap_or(""),
            self.txaction().unwrap_or(""),
            self.transaction_status(),
            self.get("sequencenumber").unwrap_or("")
        )
    }
}

/// `subtle`'s comparison: no early exit on the first differing byte (the length is not secret).
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.ct_eq(b).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_iso_8859_1_and_odd_input() {
        // "Müller" in ISO-8859-1: ü = 0xFC.
        let ts = TransactionStatus::parse(b"lastname=M%FCller&city=K\xf6ln&txaction=paid&broken=%G1&tail=%4&empty&=x");
        assert_eq!(ts.get("lastname"), Some("Müller"));
        assert_eq!(ts.get("city"), Some("Köln"));
        assert_eq!(ts.get("broken"), Some("%G1"));
        assert_eq!(ts.get("tail"), Some("%4"));
        assert_eq!(ts.get("empty"), Some(""));
        assert_eq!(ts.txaction(), Some("paid"));
    }

    #[test]
    fn verifies_key_portal_and_account() {
        let body = format!("key={}&portalid=2000000&aid=10001&txaction=appointed&txid=123", notification_key("secret"));
        let ts = TransactionStatus::parse(body.as_bytes());
        assert_eq!(ts.verify("secret", "2000000", "10001"), Ok(()));
        assert_eq!(ts.verify("other", "2000000", "10001"), Err(TsRejection::WrongKey));
        assert_eq!(ts.verify("secret", "2000001", "10001"), Err(TsRejection::WrongPortal("2000000".into())));
        assert_eq!(ts.verify("secret", "2000000", "10002"), Err(TsRejection::WrongAccount("10001".into())));
        let no_key = TransactionStatus::parse(b"portalid=2000000&txaction=paid&txid=1");
        assert_eq!(no_key.verify("secret", "2000000", "10001"), Err(TsRejection::Missing("key")));
    }

    #[test]
    fn the_mode_must_match() {
        let ts = TransactionStatus::parse(b"mode=live&txaction=paid");
        assert_eq!(ts.verify_mode("live"), Ok(()));
        assert_eq!(ts.verify_mode("test"), Err(TsRejection::WrongMode("live".into())));
        assert_eq!(TransactionStatus::parse(b"txaction=paid").verify_mode("test"), Ok(()));
    }

    #[test]
    fn identity_tells_replays_from_new_notifications() {
        let a = TransactionStatus::parse(b"txid=1&txaction=appointed&transaction_status=pending&sequencenumber=0");
        let b = TransactionStatus::parse(b"txid=1&txaction=appointed&transaction_status=completed&sequencenumber=0");
        assert_ne!(a.identity(), b.identity());
        assert_eq!(a.identity(), TransactionStatus::parse(b"txid=1&txaction=appointed&transaction_status=pending&sequencenumber=0").identity());
    }
}
