//! Splitting text at an ASCII byte without `core`'s pattern machinery: `split`, `split_once`, `contains` and
//! `trim_*_matches` with a `char` each bring a searcher and `memchr` into the wasm (about 1 KB raw on the CV1
//! page). These are byte loops, one copy each. The separators are ASCII, so every piece is a whole `str`.

/// `text` before the first `sep`, and what follows it when there is one (`str::split_once`, keeping the text
/// when there is no `sep`).
pub(crate) fn cut(text: &str, sep: u8) -> (&str, Option<&str>) {
    match text.bytes().position(|b| b == sep) {
        // `get`, never `&text[..i]`: slicing a `str` can panic, and its panic message brings `char`'s `Debug`
        // and Unicode tables into the wasm (3 KB). The separator is ASCII: both always succeed.
        Some(i) => (text.get(..i).unwrap_or_default(), text.get(i + 1..)),
        None => (text, None),
    }
}

/// Whether `text` has `byte` (`str::contains` with an ASCII `char`).
pub(crate) fn has(text: &str, byte: u8) -> bool {
    cut(text, byte).1.is_some()
}

/// The pieces of `text` between the `sep`s, as `str::split` gives them.
pub(crate) fn pieces(text: &str, sep: u8) -> Pieces<'_> {
    Pieces { rest: Some(text), sep }
}

/// The iterator of [`pieces`].
pub(crate) struct Pieces<'a> {
    rest: Option<&'a str>,
    sep: u8,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        let (piece, rest) = cut(self.rest?, self.sep);
        self.rest = rest;
        Some(piece)
    }
}

/// `text` without the `byte`s it starts with (`str::trim_start_matches` with an ASCII `char`).
pub(crate) fn trim_start(text: &str, byte: u8) -> &str {
    text.get(text.bytes().take_while(|&b| b == byte).count()..).unwrap_or_default()
}

/// `text` without the `byte`s it ends with (`str::trim_end_matches` with an ASCII `char`).
pub(crate) fn trim_end(text: &str, byte: u8) -> &str {
    text.get(..text.len() - text.bytes().rev().take_while(|&b| b == byte).count()).unwrap_or_default()
}

/// The decimal number `text` spells (`str::parse::<u64>`: ASCII digits, an optional leading `+`), without
/// `core`'s integer parser, whose `char` handling and error type add to the wasm.
pub(crate) fn number(text: &str) -> Option<u64> {
    let text = text.strip_prefix('+').unwrap_or(text);
    if text.is_empty() {
        return None;
    }
    // `n * 10 + digit` only when it fits: no `checked_mul`, whose overflow check is a 128-bit multiplication
    // (`__multi3`) on wasm32.
    text.bytes().try_fold(0u64, |n, b| {
        let digit = u64::from(b.wrapping_sub(b'0'));
        (digit < 10 && n <= (u64::MAX - digit) / 10).then(|| n * 10 + digit)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_as_str_with_a_char() {
        for text in ["", "a", "&", "a&b", "&a&&b&", "ä=ö&ü", "==x", "??a?", "x//"] {
            for (sep, c) in [(b'&', '&'), (b'=', '='), (b'?', '?'), (b'/', '/')] {
                assert_eq!(pieces(text, sep).collect::<Vec<_>>(), text.split(c).collect::<Vec<_>>(), "{text:?} {c:?}");
                let (before, after) = cut(text, sep);
                assert_eq!(text.split_once(c), after.map(|a| (before, a)), "{text:?} {c:?}");
                assert_eq!(has(text, sep), text.contains(c));
                assert_eq!(trim_start(text, sep), text.trim_start_matches(c));
                assert_eq!(trim_end(text, sep), text.trim_end_matches(c));
            }
        }
    }

    #[test]
    fn numbers_read_as_str_parse() {
        for text in [
            "",
            "+",
            "0",
            "+7",
            "-1",
            "12a",
            " 1",
            "3600",
            "4294967295",
            "4294967296",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551619",
            "1/",
            "9:",
            "1e3",
            "٣",
            "1_0",
        ] {
            assert_eq!(number(text), text.parse::<u64>().ok(), "{text:?}");
        }
    }
}
