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

    /// `GET …/user/profile` with `Authorization: bearer <token>`, counted and timed for the metrics.
    pub async fn fetch(&self, token: &str) -> Result<AmazonProfile, ProfileError> {
        let started = std::time::Instant::now();
        let result = self.fetch_untimed(token).await;
        let outcome = if result.is_ok() { "success" } else { "error" };
        crate::telemetry::metrics::upstream_call("amazon_profile", "user_profile", outcome, started.elapsed());
        result
    }

    async fn fetch_untimed(&self, token: &str) -> Result<AmazonProfile, ProfileError> {
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
        parse_profile(&body)
    }
}

/// Amazon's profile answer read. What is wrong with one is said by kind and place only: the answer (and
/// serde's message, which quotes a wrongly typed value) holds the buyer's name and e-mail, and the error goes
/// to the log and to the API's `detail`.
fn parse_profile(body: &str) -> Result<AmazonProfile, ProfileError> {
    let profile: AmazonProfile = serde_json::from_str(body).map_err(|e| {
        use serde_json::error::Category;
        let what = match e.classify() {
            Category::Syntax => "malformed JSON",
            Category::Eof => "JSON cut short",
            Category::Data => "a field is missing or has the wrong type",
            Category::Io => "unreadable",
        };
        ProfileError::Invalid(format!("{what} at line {} column {}", e.line(), e.column()))
    })?;
    if profile.user_id.trim().is_empty() {
        return Err(ProfileError::Invalid("empty user_id".into()));
    }
    Ok(profile)
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
    "de", "del", "della", "dei", "degli", "der", "den", "des", "du", "da", "das", "dos", "di", "la", "le", "lo", "van", "von", "vom", "zu", "zum",
    "zur", "ten", "ter", "af", "av", "st.", "san", "bin", "ibn", "al", "el", "mac",
];
/// Words that join two family names ("García y López", "Silva e Costa"): the family name starts one word earlier.
const JOINERS: &[&str] = &["y", "e", "i"];

/// Marks after a family name, kept with it ("Smith Jr.", "Ford III", "House M.D."), compared without dots.
const SUFFIXES: &[&str] = &["jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "dds", "mba"];

fn is_suffix(word: &str) -> bool {
    let bare: String = word.chars().filter(|c| *c != '.').flat_map(char::to_lowercase).collect();
    SUFFIXES.contains(&bare.as_str())
}

/// Scripts whose names put the family name first (Chinese, Japanese, Korean).
fn family_name_first(word: &str) -> bool {
    word.chars().next().is_some_and(|c| {
        matches!(c, '\u{1100}'..='\u{11FF}' | '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}')
    })
}

/// Moves the trailing suffix words of `words` (keeping at least one word) to the front of `suffixes`.
fn take_suffixes<'a>(words: &mut Vec<&'a str>, suffixes: &mut Vec<&'a str>) {
    while words.len() > 1 && words.last().is_some_and(|w| is_suffix(w)) {
        if let Some(word) = words.pop() {
            suffixes.insert(0, word);
        }
    }
}

/// Splits Amazon's one-string `name` into first and last name, as CheckoutChamp's Import Order needs them.
///
/// - Whitespace of any kind is collapsed; stray commas are dropped; an empty name gives `None` (ask for it
///   rather than send blanks).
/// - Suffixes (Jr., Sr., II, III, IV, PhD, MD, Esq., DDS, MBA) at the end, with or without a comma, stay with
///   the family name: "John Smith, Jr." → "John" + "Smith Jr." (CheckoutChamp has no suffix field).
/// - "Last, First" is turned around only when it is that shape: exactly two comma-separated parts once the
///   suffixes are set aside ("Smith, John, Jr." → "John" + "Smith Jr."). Any other comma is read as a space.
/// - A name in Chinese, Japanese or Korean script with a space is family name first ("山田 太郎" → "太郎" +
///   "山田"); one written without spaces ("山田太郎") is not guessed at and treated as a single word.
/// - Otherwise the family name starts at the first particle after the first word ("Jean-Pierre de la
///   Fontaine" → "Jean-Pierre" + "de la Fontaine"; also "van der", "von", "da", "di", "le", "bin", "al-…"),
///   one word before a joiner ("José García y López" → "José" + "García y López"), else it is the last word
///   ("Anna Maria Schmidt" → "Anna Maria" + "Schmidt"; hyphenated names are one word). This is kinder than
///   the Konnektive SDK's split at the first space, which would file "Maria Schmidt" as the family name.
/// - A single word ("Giulia") is used as both first and last name: CheckoutChamp requires a `lastName` for a
///   new order, and a repeated real name reads better in the CRM and on invoices than a placeholder such as
///   "-". Emails address buyers by `firstName`, so they still read "Dear Giulia".
pub fn split_name(name: &str) -> Option<NameParts> {
    let mut parts: Vec<Vec<&str>> =
        name.split(',').map(|part| part.split_whitespace().collect::<Vec<_>>()).filter(|words| !words.is_empty()).collect();
    // Whole parts after a comma that are only suffixes: "Smith, John, Jr.", "Jane Doe, PhD, MD".
    let mut suffixes: Vec<&str> = Vec::new();
    while parts.len() > 1 && parts.last().is_some_and(|words| words.iter().all(|w| is_suffix(w))) {
        if let Some(words) = parts.pop() {
            suffixes.splice(0..0, words);
        }
    }
    let (first, family) = match parts.as_mut_slice() {
        [] => return None,
        [family, given] => {
            take_suffixes(given, &mut suffixes);
            (given.join(" "), family.join(" "))
        }
        _ => {
            let mut words: Vec<&str> = parts.concat();
            take_suffixes(&mut words, &mut suffixes);
            split_words(&words)
        }
    };
    let last = std::iter::once(family.as_str()).chain(suffixes).collect::<Vec<_>>().join(" ");
    Some(NameParts { first, last })
}

/// Given and family name of a name without commas or suffixes (at least one word).
fn split_words(words: &[&str]) -> (String, String) {
    let n = words.len();
    if n == 1 {
        return (words[0].to_owned(), words[0].to_owned());
    }
    if family_name_first(words[0]) {
        return (words[1..].join(" "), words[0].to_owned());
    }
    let is = |list: &[&str], w: &str| list.iter().any(|p| p.eq_ignore_ascii_case(w));
    let article = |w: &str| w.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("al-"));
    // Only words strictly between the first and the last can open the family name.
    let start = (1..n - 1)
        .find_map(|i| {
            if is(PARTICLES, words[i]) || article(words[i]) {
                Some(i)
            } else if is(JOINERS, words[i]) && i >= 2 {
                Some(i - 1)
            } else {
                None
            }
        })
        .unwrap_or(n - 1);
    (words[..start].join(" "), words[start..].join(" "))
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
        // Not the "Last, First" form: the stray comma is dropped.
        assert_eq!(split("Anna, "), pair("Anna", "Anna"));
    }

    /// Real-world shapes of Amazon's one-string `name` and how CheckoutChamp should receive them.
    #[test]
    fn real_world_name_shapes() {
        let table: &[(&str, &str, &str)] = &[
            // Suffixes stay with the family name, wherever the comma is.
            ("John Smith, Jr.", "John", "Smith Jr."),
            ("John Smith Jr.", "John", "Smith Jr."),
            ("John Smith Jr", "John", "Smith Jr"),
            ("Robert Downey, Sr.", "Robert", "Downey Sr."),
            ("Henry Ford II", "Henry", "Ford II"),
            ("Thurston Howell, III", "Thurston", "Howell III"),
            ("Martin Luther King, Jr.", "Martin Luther", "King Jr."),
            ("Anna Schmidt, PhD", "Anna", "Schmidt PhD"),
            ("Gregory House, M.D.", "Gregory", "House M.D."),
            ("Saul Goodman, Esq.", "Saul", "Goodman Esq."),
            ("Jane Doe, PhD, MD", "Jane", "Doe PhD MD"),
            ("Jean Dupont IV", "Jean", "Dupont IV"),
            // "Last, First" only when it is that shape; a suffix after it stays a suffix.
            ("Smith, John", "John", "Smith"),
            ("Smith, John, Jr.", "John", "Smith Jr."),
            ("Smith Jr., John", "John", "Smith Jr."),
            ("van der Berg, Jan", "Jan", "van der Berg"),
            // Particles open the family name.
            ("Gabriel García de la Torre", "Gabriel García", "de la Torre"),
            ("Jan van der Berg", "Jan", "van der Berg"),
            ("Otto von Bismarck", "Otto", "von Bismarck"),
            ("Paulo da Silva", "Paulo", "da Silva"),
            ("Carlo di Rossi", "Carlo", "di Rossi"),
            ("Marine le Pen", "Marine", "le Pen"),
            ("Mohammed bin Salman", "Mohammed", "bin Salman"),
            ("Ahmed al-Sayed", "Ahmed", "al-Sayed"),
            ("Omar Farouk al-Rashid", "Omar Farouk", "al-Rashid"),
            // Hyphens join, they do not split.
            ("Anna-Lena Müller-Lüdenscheidt", "Anna-Lena", "Müller-Lüdenscheidt"),
            ("Jean-Luc Picard", "Jean-Luc", "Picard"),
            // One word: both fields (CheckoutChamp requires both), whatever the suffix.
            ("Madonna", "Madonna", "Madonna"),
            ("Cher, Jr.", "Cher", "Cher Jr."),
            // Scripts without spaces are not guessed at; with a space, CJK names put the family name first.
            ("山田太郎", "山田太郎", "山田太郎"),
            ("山田 太郎", "太郎", "山田"),
            ("王 小明", "小明", "王"),
            ("김 민준", "민준", "김"),
            ("Иван Петров", "Иван", "Петров"),
            ("Анна Мария Иванова", "Анна Мария", "Иванова"),
            ("محمد علي", "محمد", "علي"),
            // Whitespace of any kind, and stray commas.
            ("  John\t  Smith ,  Jr.  ", "John", "Smith Jr."),
            ("John Smith,", "John", "Smith"),
            (", John Smith", "John", "Smith"),
            ("Smith,,John", "John", "Smith"),
        ];
        for (name, first, last) in table {
            assert_eq!(split(name), pair(first, last), "{name:?}");
        }
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

    /// The profile holds the buyer's name and e-mail; the error goes to the log and to the browser's `detail`.
    #[test]
    fn an_unreadable_profile_is_described_without_the_buyers_data() {
        let bodies = [
            r#"{"name":"Anna Example","email":"anna@example.com"}"#,
            r#"{"user_id":7,"name":"Anna Example","email":"anna@example.com"}"#,
            r#"{"user_id":"amzn1.account.X","name":"Anna Example","email":"anna@example.com","#,
            r#"{"user_id":"amzn1.account.X","name":["Anna Example"],"email":"anna@example.com"}"#,
        ];
        for body in bodies {
            let err = parse_profile(body).unwrap_err().to_string();
            assert!(!err.contains("Anna") && !err.contains("anna@") && !err.contains("amzn1"), "{err}");
            assert!(err.contains("line 1"), "says where: {err}");
        }
        let profile = parse_profile(r#"{"user_id":"amzn1.account.X","name":"Anna Example"}"#).unwrap();
        assert_eq!(profile.name.as_deref(), Some("Anna Example"));
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
