//! The buyer's Amazon profile, read by the server with the buyer's Login with Amazon `access_token`.
//!
//! The CheckoutChamp lander must send the buyer's name and email with Import Order. The browser could send
//! them, but then any page could claim any name; so the server asks Amazon itself
//! (`GET {endpoint}/user/profile`, `Authorization: bearer <token>`, reference §B.8) and splits the name.

use std::time::Duration;

/// Amazon's EU profile host (`/user/profile` is appended).
pub const AMAZON_PROFILE_LIVE_ENDPOINT: &str = "https://api.amazon.de";

/// What the profile endpoint returns (`profile` scope).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct AmazonProfile {
    /// `amzn1.account.…`, stable per Amazon account.
    pub user_id: String,
    #[serde(default)]
    /// The name.
    pub name: Option<String>,
    #[serde(default)]
    /// The email.
    pub email: Option<String>,
}

/// Why no profile could be read.
#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    /// Amazon refused the token (expired, revoked, forged) or it is not shaped like one.
    #[error("Amazon refused the access token")]
    InvalidToken,
    /// The token is valid but was not granted the `profile` scope: the lander's login asks for too little.
    #[error("the access token lacks the `profile` scope; request it in amazon.Login.authorize")]
    InsufficientScope,
    #[error("Amazon's profile endpoint did not answer within {0:?}")]
    /// Timeout.
    Timeout(Duration),
    #[error("cannot reach Amazon's profile endpoint: {0}")]
    /// Transport.
    Transport(String),
    #[error("Amazon's profile endpoint answered HTTP {0}")]
    /// HTTP status.
    HttpStatus(u16),
    #[error("Amazon's profile answer is not a profile: {0}")]
    /// Invalid.
    Invalid(String),
}

/// Reads profiles from Amazon (or the sandbox's stand-in, which speaks the same protocol).
#[derive(Clone)]
pub struct ProfileClient {
    url: String,
    http: reqwest::Client,
    timeout: Duration,
}

/// Longest token we pass on; Amazon's are a few hundred characters.
const MAX_TOKEN_LEN: usize = 2048;

/// A token can only go into the `Authorization` header if it is printable ASCII without spaces.
pub fn token_is_well_formed(token: &str) -> bool {
    !token.is_empty() && token.len() <= MAX_TOKEN_LEN && token.bytes().all(|b| b.is_ascii_graphic())
}

impl ProfileClient {
    /// `endpoint` is the host part, e.g. [`AMAZON_PROFILE_LIVE_ENDPOINT`] or `http://127.0.0.1:8080/sandbox/amazon`.
    pub fn new(endpoint: &str, timeout: Duration) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder().timeout(timeout).connect_timeout(timeout.min(Duration::from_secs(10))).build()?;
        Ok(ProfileClient { url: format!("{}/user/profile", endpoint.trim_end_matches('/')), http, timeout })
    }

    /// `GET …/user/profile` with `Authorization: bearer <token>`.
    pub async fn fetch(&self, token: &str) -> Result<AmazonProfile, ProfileError> {
        if !token_is_well_formed(token) {
            return Err(ProfileError::InvalidToken);
        }
        let transport = |e: reqwest::Error| {
            if e.is_timeout() {
                ProfileError::Timeout(self.timeout)
            } else {
                ProfileError::Transport(e.without_url().to_string())
            }
        };
        let response = self
            .http
            .get(&self.url)
            .header("authorization", format!("bearer {token}"))
            .header("accept", "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::BAD_REQUEST {
            return Err(ProfileError::InvalidToken);
        }
        if status == reqwest::StatusCode::FORBIDDEN {
            return Err(ProfileError::InsufficientScope);
        }
        if !status.is_success() {
            return Err(ProfileError::HttpStatus(status.as_u16()));
        }
        let body = response.text().await.map_err(transport)?;
        let profile: AmazonProfile =
            serde_json::from_str(&body).map_err(|e| ProfileError::Invalid(format!("{e}: {}", body.chars().take(120).collect::<String>())))?;
        if profile.user_id.trim().is_empty() {
            return Err(ProfileError::Invalid("empty user_id".into()));
        }
        Ok(profile)
    }
}

/// A name split for CheckoutChamp's `firstName` and `lastName`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameParts {
    /// The first name (`firstName`).
    pub first: String,
    /// The last name (`lastName`).
    pub last: String,
}

/// Words that start a family name when they follow the given name(s): "de la Fontaine", "van Beethoven".
const PARTICLES: &[&str] = &[
    "de", "del", "della", "dei", "degli", "der", "den", "des", "du", "da", "das", "dos", "di", "la", "le", "lo",
    "van", "von", "vom", "zu", "zum", "zur", "ten", "ter", "af", "av", "st.", "san", "bin", "ibn", "al", "el", "mac",
];
/// Words that join two family names ("García y López", "Silva e Costa"): the family name starts one word earlier.
const JOINERS: &[&str] = &["y", "e", "i"];

/// Splits Amazon's one-string `name` into first and last name, as CheckoutChamp's Import Order needs them.
///
/// - Whitespace of any kind is collapsed; an empty name gives `None` (ask for it rather than send blanks).
/// - "Last, First" (one comma) is turned around.
/// - The family name starts at the first particle after the first word ("Jean-Pierre de la Fontaine" →
///   "Jean-Pierre" + "de la Fontaine"), one word before a joiner ("José García y López" → "José" +
///   "García y López"), otherwise it is the last word ("Anna Maria Schmidt" → "Anna Maria" + "Schmidt").
///   This is kinder than the Konnektive SDK's split at the first space, which would file "Maria Schmidt" as
///   the family name.
/// - A single word ("Giulia") is used as both first and last name: CheckoutChamp requires a `lastName` for a
///   new order, and a repeated real name reads better in the CRM and on invoices than a placeholder such as
///   "-". Emails address buyers by `firstName`, so they still read "Dear Giulia".
pub fn split_name(name: &str) -> Option<NameParts> {
    let (given, family) = match name.split_once(',') {
        Some((family, given)) if !given.contains(',') && !family.trim().is_empty() && !given.trim().is_empty() => {
            (given, Some(family))
        }
        _ => (name, None),
    };
    if let Some(family) = family {
        return Some(NameParts { first: collapse(given), last: collapse(family) });
    }
    let words: Vec<&str> = given.split_whitespace().collect();
    match words.len() {
        0 => None,
        1 => Some(NameParts { first: words[0].to_owned(), last: words[0].to_owned() }),
        n => {
            let is = |list: &[&str], w: &str| list.iter().any(|p| p.eq_ignore_ascii_case(w));
            // Only words strictly between the first and the last can open the family name.
            let start = (1..n - 1)
                .find_map(|i| {
                    if is(PARTICLES, words[i]) {
                        Some(i)
                    } else if is(JOINERS, words[i]) && i >= 2 {
                        Some(i - 1)
                    } else {
                        None
                    }
                })
                .unwrap_or(n - 1);
            Some(NameParts { first: words[..start].join(" "), last: words[start..].join(" ") })
        }
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(name: &str) -> Option<(String, String)> {
        split_name(name).map(|p| (p.first, p.last))
    }

    fn pair(first: &str, last: &str) -> Option<(String, String)> {
        Some((first.to_owned(), last.to_owned()))
    }

    #[test]
    fn two_words_are_first_and_last() {
        assert_eq!(split("Anna Schmidt"), pair("Anna", "Schmidt"));
        assert_eq!(split("John Doe"), pair("John", "Doe"));
    }

    #[test]
    fn several_given_names_stay_together() {
        assert_eq!(split("Anna Maria Schmidt"), pair("Anna Maria", "Schmidt"));
        assert_eq!(split("Hans Peter Georg Müller"), pair("Hans Peter Georg", "Müller"));
    }

    #[test]
    fn particles_belong_to_the_family_name() {
        assert_eq!(split("Jean-Pierre de la Fontaine"), pair("Jean-Pierre", "de la Fontaine"));
        assert_eq!(split("Ludwig van Beethoven"), pair("Ludwig", "van Beethoven"));
        assert_eq!(split("Ursula von der Leyen"), pair("Ursula", "von der Leyen"));
        assert_eq!(split("Vincent Van Gogh"), pair("Vincent", "Van Gogh"));
        assert_eq!(split("Maria Luisa di Stefano"), pair("Maria Luisa", "di Stefano"));
        assert_eq!(split("Leonardo da Vinci"), pair("Leonardo", "da Vinci"));
    }

    #[test]
    fn joined_family_names_stay_together() {
        assert_eq!(split("José María García y López"), pair("José María", "García y López"));
        assert_eq!(split("Ana Silva e Costa"), pair("Ana", "Silva e Costa"));
    }

    #[test]
    fn a_particle_first_or_last_is_an_ordinary_word() {
        // "Al" and "Le" as given names; a trailing particle is not a family name on its own.
        assert_eq!(split("Al Pacino"), pair("Al", "Pacino"));
        assert_eq!(split("Le Anh Tuan"), pair("Le Anh", "Tuan"));
        assert_eq!(split("Anna de"), pair("Anna", "de"));
    }

    #[test]
    fn a_single_name_is_both_first_and_last() {
        assert_eq!(split("Giulia"), pair("Giulia", "Giulia"));
        assert_eq!(split("  Giulia \n"), pair("Giulia", "Giulia"));
    }

    #[test]
    fn whitespace_is_collapsed() {
        assert_eq!(split("  Anna \t  Maria\u{a0}Schmidt  "), pair("Anna Maria", "Schmidt"));
        assert_eq!(split("Jean-Pierre   de  la\nFontaine"), pair("Jean-Pierre", "de la Fontaine"));
    }

    #[test]
    fn last_comma_first_is_turned_around() {
        assert_eq!(split("Schmidt, Anna Maria"), pair("Anna Maria", "Schmidt"));
        assert_eq!(split("de la Fontaine,  Jean-Pierre"), pair("Jean-Pierre", "de la Fontaine"));
        // Not the "Last, First" form: handled as words.
        assert_eq!(split("Anna, "), pair("Anna,", "Anna,"));
    }

    #[test]
    fn empty_names_are_refused() {
        assert_eq!(split(""), None);
        assert_eq!(split("   \t\n"), None);
    }

    #[test]
    fn markup_is_kept_as_text() {
        // Splitting never interprets content; shops must escape it when they show it.
        assert_eq!(split("<img src=x onerror=alert(1)> Mallory"), pair("<img src=x onerror=alert(1)>", "Mallory"));
    }

    #[test]
    fn tokens_must_be_header_safe() {
        assert!(token_is_well_formed("Atza|IwEBIJ-abc"));
        assert!(!token_is_well_formed(""));
        assert!(!token_is_well_formed("Atza|a b"));
        assert!(!token_is_well_formed("Atza|a\r\nX-Evil: 1"));
        assert!(!token_is_well_formed(&"A".repeat(MAX_TOKEN_LEN + 1)));
    }
}
