//! French typography of the buyer texts: which no-break space goes before `:` `;` `!` `?` `»` and after `«`.
//!
//! One convention for every text table (the widget's `Text`, the contract's, the server's and the sandbox's
//! sentences), the one the widget's labels chose first ("Total : 50,70 €"): a no-break space (U+00A0, as wide
//! as a word space) before `:` and inside « », a narrow no-break space (U+202F) before `;` `!` `?`, as French
//! typesetting does. Either way the mark never starts a line of its own. Each table's tests walk their French
//! sentences through [`french_spacing_fault`].

/// No-break space: before `:` and `»`, after `«`.
pub const NO_BREAK_SPACE: char = '\u{a0}';
/// Narrow no-break space: before `;`, `!` and `?`.
pub const NARROW_NO_BREAK_SPACE: char = '\u{202f}';

/// The space French puts before `mark` (after it, for `«`); `None` for any other character.
pub const fn french_space(mark: char) -> Option<char> {
    match mark {
        ':' | '»' | '«' => Some(NO_BREAK_SPACE),
        ';' | '!' | '?' => Some(NARROW_NO_BREAK_SPACE),
        _ => None,
    }
}

/// Where the French sentence `text` breaks the convention: the byte offset of the first mark with a plain space,
/// the other no-break space or none beside it; `None` when it keeps it. A mark inside a token (`10:30`,
/// `https://`, `?a=b`: followed by a letter, digit or `/`) is no punctuation and is skipped.
pub fn french_spacing_fault(text: &str) -> Option<usize> {
    text.char_indices().find_map(|(at, mark)| {
        let space = french_space(mark)?;
        let after = text[at + mark.len_utf8()..].chars().next();
        if mark == '«' {
            return (after != Some(space)).then_some(at);
        }
        let before = text[..at].chars().next_back();
        let in_token = before.is_some_and(|c| !c.is_whitespace()) && after.is_some_and(|c| c.is_alphanumeric() || c == '/');
        (!in_token && before != Some(space)).then_some(at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_mark_takes_its_own_no_break_space() {
        for good in [
            "Total\u{a0}: 50,70\u{a0}€",
            "Merci\u{202f}! Votre commande\u{202f}? Oui\u{202f}; non.",
            "cliquez sur «\u{a0}Commander et payer\u{a0}».",
            "Livraison\u{a0}",
            "à 10:30, voir https://example.com/?a=b",
        ] {
            assert_eq!(french_spacing_fault(good), None, "{good:?}");
        }
        for (bad, at) in [
            ("Total : 50 €", 6),
            ("Total: 50 €", 5),
            ("débité\u{202f}: le montant", 11),
            ("Merci ! Votre", 6),
            ("Merci\u{a0}! Votre", 7),
            ("Merci!", 5),
            ("avec « Modifier\u{a0}».", 5),
            ("avec «\u{a0}Modifier »", 18),
            ("Amazon Pay :", 11),
        ] {
            assert_eq!(french_spacing_fault(bad), Some(at), "{bad:?}");
        }
    }
}
