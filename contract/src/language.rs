//! The five buyer languages and Amazon's spelling of them.

use crate::prelude::*;
use core::str::FromStr;
use serde::{Deserialize, Serialize};

/// A language the buyer-facing texts exist in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// German.
    De,
    #[default]
    /// English.
    En,
    /// French.
    Fr,
    /// Italian.
    It,
    /// Spanish.
    Es,
}

#[cfg(any(
    all(feature = "texts-de", any(feature = "texts-en", feature = "texts-fr", feature = "texts-it", feature = "texts-es")),
    all(feature = "texts-en", any(feature = "texts-fr", feature = "texts-it", feature = "texts-es")),
    all(feature = "texts-fr", any(feature = "texts-it", feature = "texts-es")),
    all(feature = "texts-it", feature = "texts-es"),
))]
compile_error!("at most one of the features texts-de, texts-en, texts-fr, texts-it, texts-es: a build has every language or one");

impl Language {
    /// Every language the widget speaks: scripts/one-language.mjs's `LANGUAGES`, the bundles' features
    /// `texts-<lang>` (tests/scripts/one-language-lists.test.mjs holds them together).
    pub const ALL: [Language; 5] = [Language::De, Language::En, Language::Fr, Language::It, Language::Es];

    /// The one language this build has texts in (feature `texts-de`, …: the widget's one-language bundles), whose
    /// texts are given for any language asked; `None`, the default, when it has all five.
    pub const ONLY: Option<Language> = if cfg!(feature = "texts-de") {
        Some(Language::De)
    } else if cfg!(feature = "texts-en") {
        Some(Language::En)
    } else if cfg!(feature = "texts-fr") {
        Some(Language::Fr)
    } else if cfg!(feature = "texts-it") {
        Some(Language::It)
    } else if cfg!(feature = "texts-es") {
        Some(Language::Es)
    } else {
        None
    };

    /// Two-letter code as PAYONE's `language` parameter and HTML's `lang` use it.
    pub const fn code(self) -> &'static str {
        match self {
            Language::De => "de",
            Language::En => "en",
            Language::Fr => "fr",
            Language::It => "it",
            Language::Es => "es",
        }
    }

    /// `checkoutLanguage` as the EU `checkout.js` accepts it.
    pub const fn amazon_checkout_language(self) -> &'static str {
        match self {
            Language::De => "de_DE",
            Language::En => "en_GB",
            Language::Fr => "fr_FR",
            Language::It => "it_IT",
            Language::Es => "es_ES",
        }
    }

    /// The first supported language among BCP 47 tags such as `navigator.languages` or `<html lang>`.
    /// The language whose code is exactly `code` (as on the wire); `FromStr` reads any spelling of a tag.
    pub fn parse_code(code: &str) -> Option<Language> {
        Language::ALL.into_iter().find(|l| l.code() == code)
    }

    /// The language of a tag (`de`, `de-DE`, `de_DE`, `DE` and the like), if it is one of ours: `str::parse`
    /// without the error's copy of the tag (the widget, which only asks whether, carries this parser).
    pub fn from_tag(tag: &str) -> Option<Language> {
        // The primary subtag, compared in bytes: no `split` with a pattern, no lowercase copy.
        let tag_bytes = tag.trim_ascii().as_bytes();
        let primary = match tag_bytes.iter().position(|&b| b == b'-' || b == b'_') {
            Some(end) => &tag_bytes[..end],
            None => tag_bytes,
        };
        Language::ALL.into_iter().find(|l| primary.eq_ignore_ascii_case(l.code().as_bytes()))
    }

    /// The first of `tags` (BCP 47, most preferred first) that is one of ours.
    pub fn negotiate<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<Language> {
        tags.into_iter().find_map(Language::from_tag)
    }
}

/// A language tag none of whose primary subtag is supported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported language {0:?}: use one of de, en, fr, it, es")]
pub struct UnknownLanguage(pub String);

impl FromStr for Language {
    type Err = UnknownLanguage;

    /// Accepts `de`, `de-DE`, `de_DE`, `DE` and the like ([`Language::from_tag`]).
    fn from_str(tag: &str) -> Result<Self, Self::Err> {
        Language::from_tag(tag).ok_or_else(|| UnknownLanguage(tag.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_serdes_spelling() {
        for lang in Language::ALL {
            assert_eq!(serde_json::to_value(lang).unwrap(), lang.code());
            assert_eq!(Language::parse_code(lang.code()), Some(lang));
        }
        assert_eq!(Language::parse_code("DE"), None);
    }

    #[test]
    fn parses_tags_in_any_spelling() {
        assert_eq!("de-DE".parse(), Ok(Language::De));
        assert_eq!("fr_FR".parse(), Ok(Language::Fr));
        assert_eq!("IT".parse(), Ok(Language::It));
        assert!("nl".parse::<Language>().is_err());
        assert!("".parse::<Language>().is_err());
        assert_eq!(Language::from_tag(" es_ES "), Some(Language::Es));
        assert_eq!(Language::from_tag("nl-NL"), None);
    }

    #[test]
    fn negotiates_first_supported() {
        assert_eq!(Language::negotiate(["nl-NL", "es-ES", "de"]), Some(Language::Es));
        assert_eq!(Language::negotiate(["pl"]), None);
    }

    #[test]
    fn amazon_languages_are_the_eu_build_list() {
        let eu = ["en_GB", "de_DE", "fr_FR", "it_IT", "es_ES"];
        for lang in Language::ALL {
            assert!(eu.contains(&lang.amazon_checkout_language()));
        }
    }
}
