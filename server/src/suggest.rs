//! "Did you mean ...?": the known name closest to a mistyped one, for refusals of unknown settings
//! (`config_file.rs`). clap already does this for command-line flags.

/// The known name closest to `typed`, if one is close enough to be a likely typo. Case, `-` for `_` and
/// leading dashes do not count, and a name may be typed without its `AMAZON_PAY_` prefix (`webhook_url` finds
/// `AMAZON_PAY_WEBHOOK_URLS`). Close enough: at most a third of the typed name's characters differ.
pub fn closest<'a>(typed: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let typed = typed.trim_start_matches('-').to_ascii_uppercase().replace('-', "_");
    let limit = (typed.chars().count() / 3).max(1);
    known
        .into_iter()
        .map(|name| {
            let short = name.strip_prefix("AMAZON_PAY_").unwrap_or(name);
            (distance(&typed, name).min(distance(&typed, short)), name)
        })
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, name)| name)
}

/// Levenshtein distance (insertions, deletions, substitutions), by characters.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const KNOWN: [&str; 4] = ["PAYONE_MID", "PAYONE_AID", "AMAZON_PAY_WEBHOOK_URLS", "AMAZON_PAY_LISTEN"];

    #[test]
    fn distance_counts_edits() {
        assert_eq!(distance("", ""), 0);
        assert_eq!(distance("abc", ""), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("PAYONE_MDI", "PAYONE_MID"), 2);
        assert_eq!(distance("ä", "a"), 1, "characters, not bytes");
    }

    #[test]
    fn suggests_the_closest_name_for_typos_case_and_missing_prefix() {
        assert_eq!(closest("PAYONE_MDI", KNOWN), Some("PAYONE_MID"));
        assert_eq!(closest("payone_mid", KNOWN), Some("PAYONE_MID"));
        assert_eq!(closest("webhook_url", KNOWN), Some("AMAZON_PAY_WEBHOOK_URLS"));
        assert_eq!(closest("--webhook-urls", KNOWN), Some("AMAZON_PAY_WEBHOOK_URLS"));
        assert_eq!(closest("AMAZON_PAY_LISTN", KNOWN), Some("AMAZON_PAY_LISTEN"));
    }

    #[test]
    fn suggests_nothing_for_a_name_unlike_any() {
        assert_eq!(closest("DATABASE", KNOWN), None);
        assert_eq!(closest("X", KNOWN), None);
        assert_eq!(closest("payone", KNOWN), None);
        assert_eq!(closest("anything", []), None);
    }
}
