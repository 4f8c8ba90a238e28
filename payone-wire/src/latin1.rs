//! ISO-8859-1 forms: PAYONE sends TransactionStatus notifications (and answers `encoding=ISO-8859-1` requests)
//! in Latin-1, where every character is one byte. Characters outside Latin-1 become `?`, as a Latin-1 system
//! would store them.

/// The Latin-1 byte of `ch`, or `?` when Latin-1 has no such character.
pub fn byte(ch: char) -> u8 {
    u8::try_from(u32::from(ch)).unwrap_or(b'?')
}

/// `text` as ISO-8859-1 bytes.
pub fn encode(text: &str) -> Vec<u8> {
    text.chars().map(byte).collect()
}

fn push_escaped(out: &mut String, text: &str) {
    for b in text.chars().map(byte) {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

/// An `application/x-www-form-urlencoded` body whose escapes are ISO-8859-1 bytes (`ü` is `%FC`).
/// The result is plain ASCII.
pub fn encode_form(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        push_escaped(&mut out, k);
        out.push('=');
        push_escaped(&mut out, v);
    }
    out
}

fn hex(b: u8) -> Option<u8> {
    char::from(b).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

fn decode_part(part: &[u8]) -> String {
    let mut out = String::with_capacity(part.len());
    let mut i = 0;
    while i < part.len() {
        match part[i] {
            b'+' => out.push(' '),
            b'%' => match (part.get(i + 1).copied().and_then(hex), part.get(i + 2).copied().and_then(hex)) {
                (Some(h), Some(l)) => {
                    out.push(char::from(h * 16 + l));
                    i += 2;
                }
                _ => out.push('%'),
            },
            b => out.push(char::from(b)),
        }
        i += 1;
    }
    out
}

/// Parses a form body whose bytes and escapes are ISO-8859-1. Malformed escapes are kept literally.
pub fn decode_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| match pair.iter().position(|b| *b == b'=') {
            Some(i) => (decode_part(&pair[..i]), decode_part(&pair[i + 1..])),
            None => (decode_part(pair), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_become_single_bytes() {
        let pairs = vec![("lastname".to_owned(), "Müller & Söhne".to_owned()), ("add_paydata[x]".to_owned(), "€".to_owned())];
        let body = encode_form(&pairs);
        assert_eq!(body, "lastname=M%FCller+%26+S%F6hne&add_paydata%5Bx%5D=%3F");
        assert_eq!(encode("Köln"), b"K\xf6ln");
        let back = decode_form(body.as_bytes());
        assert_eq!(back[0], pairs[0]);
        assert_eq!(back[1].1, "?");
    }

    #[test]
    fn decoding_tolerates_broken_escapes() {
        let pairs = decode_form(b"a=%G1&b=%4&c&=x&d=K\xf6ln");
        assert_eq!(pairs[0].1, "%G1");
        assert_eq!(pairs[1].1, "%4");
        assert_eq!(pairs[2], ("c".to_owned(), String::new()));
        assert_eq!(pairs[4].1, "Köln");
    }
}
