//! Signed REST requests: the canonical request as Amazon's SDKs build it, the `authorization` header, and the check
//! the other side (the sandbox's simulator) makes.
//!
//! ```text
//! METHOD \n /path \n canonical-query \n (name:value \n)* \n signed;header;names \n hex(sha256(body))
//! ```
//! Header names are lower-cased and sorted; query keys are sorted and their values percent-encoded the way
//! JavaScript's `encodeURIComponent` does it.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use crate::date;
use crate::keys::{PrivateKey, PublicKey};
use crate::signing::{self, sha256_hex, Algorithm};

/// Characters `encodeURIComponent` escapes: all but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
const URI_COMPONENT: &AsciiSet =
    &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'!').remove(b'~').remove(b'*').remove(b'\'').remove(b'(').remove(b')');

/// The header carrying the request time.
pub const DATE_HEADER: &str = "x-amz-pay-date";
/// The header carrying the idempotency key (POST).
pub const IDEMPOTENCY_HEADER: &str = "x-amz-pay-idempotency-key";

/// The canonical query string: keys sorted, values encoded like `encodeURIComponent`.
pub fn canonical_query(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.iter().map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, URI_COMPONENT))).collect::<Vec<_>>().join("&")
}

/// The canonical request over `headers` (taken in the order given: callers sort them), and the signed header list.
/// `path` starts with `/`.
pub fn canonical_request(method: &str, path: &str, query: &str, headers: &[(String, String)], body: &[u8]) -> (String, String) {
    let signed_headers = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect::<Vec<_>>().join(";");
    let canonical = canonical_request_listing(method, path, query, headers, &signed_headers, body);
    (canonical, signed_headers)
}

/// The canonical request with the signed-header list given as the client wrote it (Amazon's Node SDK keeps the
/// caller's case there while lower-casing the header lines).
fn canonical_request_listing(method: &str, path: &str, query: &str, headers: &[(String, String)], signed_headers: &str, body: &[u8]) -> String {
    let names: Vec<String> = headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    let mut out = format!("{method}\n{path}\n{query}\n");
    for (name, (_, value)) in names.iter().zip(headers) {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(&sha256_hex(body));
    out
}

/// What to sign: one API call.
#[derive(Debug, Clone)]
pub struct RequestToSign<'a> {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'a str,
    /// The path with its leading slash, e.g. `/sandbox/v2/checkoutSessions/abc`.
    pub path: &'a str,
    /// Query parameters (unencoded).
    pub query: &'a [(String, String)],
    /// The value of `x-amz-pay-host` (the host the request goes to, with a port if not 443).
    pub host: &'a str,
    /// `x-amz-pay-region`.
    pub region: &'a str,
    /// Unix seconds for `x-amz-pay-date`.
    pub unix_time: i64,
    /// `x-amz-pay-idempotency-key`, for POSTs.
    pub idempotency_key: Option<&'a str>,
    /// The JSON body (empty for GET and DELETE without body).
    pub body: &'a [u8],
}

/// The headers to send (all of them signed; `authorization` last).
pub fn sign_request(key: &PrivateKey, public_key_id: &str, algorithm: Algorithm, req: &RequestToSign<'_>) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = vec![
        ("accept".into(), "application/json".into()),
        ("content-type".into(), "application/json".into()),
        (DATE_HEADER.into(), date::format_amz_date(req.unix_time)),
        ("x-amz-pay-host".into(), req.host.into()),
        ("x-amz-pay-region".into(), req.region.into()),
    ];
    if let Some(idem) = req.idempotency_key {
        headers.push((IDEMPOTENCY_HEADER.into(), idem.into()));
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    let (canonical, signed_headers) = canonical_request(req.method, req.path, &canonical_query(req.query), &headers, req.body);
    let signature = signing::sign(key, algorithm, canonical.as_bytes());
    headers.push((
        "authorization".into(),
        format!("{} PublicKeyId={public_key_id}, SignedHeaders={signed_headers}, Signature={signature}", algorithm.name()),
    ));
    headers
}

/// A parsed `authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// The algorithm named first.
    pub algorithm: Algorithm,
    /// `PublicKeyId=`.
    pub public_key_id: String,
    /// `SignedHeaders=`, split on `;`, lower-case.
    pub signed_headers: Vec<String>,
    /// `SignedHeaders=` exactly as sent (it is part of the canonical request).
    pub signed_headers_raw: String,
    /// `Signature=` (base64).
    pub signature: String,
}

/// Reads `ALGO PublicKeyId=.., SignedHeaders=.., Signature=..`; `None` if malformed.
pub fn parse_authorization(value: &str) -> Option<Authorization> {
    let (algo, rest) = value.trim().split_once(' ')?;
    let algorithm = Algorithm::from_name(algo)?;
    let (mut id, mut signed, mut sig, mut raw) = (None, None, None, String::new());
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "PublicKeyId" => id = Some(v.to_string()),
            "SignedHeaders" => {
                raw = v.to_string();
                signed = Some(v.split(';').map(str::to_ascii_lowercase).collect::<Vec<_>>());
            }
            // base64 may end in '=': split_once keeps them in v.
            "Signature" => sig = Some(v.to_string()),
            _ => return None,
        }
    }
    let public_key_id = id.filter(|s| !s.is_empty())?;
    let signed_headers = signed.filter(|s| !s.is_empty())?;
    let signature = sig.filter(|s| !s.is_empty())?;
    Some(Authorization { algorithm, public_key_id, signed_headers, signed_headers_raw: raw, signature })
}

/// A received request, as the verifying side sees it.
#[derive(Debug, Clone)]
pub struct ReceivedRequest<'a> {
    /// The method.
    pub method: &'a str,
    /// The path as received (leading slash, no query).
    pub path: &'a str,
    /// Decoded query parameters.
    pub query: &'a [(String, String)],
    /// All headers, names in any case.
    pub headers: &'a [(String, String)],
    /// The raw body.
    pub body: &'a [u8],
}

impl ReceivedRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Why a request was refused, each with the `reasonCode` and HTTP status Amazon answers with.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum RequestAuthError {
    /// No `authorization` header (or not Amazon's form).
    #[error("the authorization header is missing or malformed")]
    MissingAuthorization,
    /// A header named in SignedHeaders, or one Amazon requires, is absent.
    #[error("the header {0} is missing")]
    MissingHeader(String),
    /// `x-amz-pay-date` unreadable.
    #[error("x-amz-pay-date is not a date")]
    BadDate,
    /// `x-amz-pay-date` later than the verifier's clock (Amazon's message, seen in the PHP SDK's issue #19).
    #[error("The value {0} provided for x-amz-pay-date should not be in future")]
    DateInFuture(String),
    /// `x-amz-pay-date` older than the allowed skew.
    #[error("The value {0} provided for x-amz-pay-date is older than {1} seconds")]
    DateExpired(String, i64),
    /// The public key id is not registered.
    #[error("the public key id {0} is not registered")]
    UnknownKey(String),
    /// The signature does not verify; carries the string to sign the server computed, as Amazon reports it.
    #[error("unable to verify signature, signing string [{0}]")]
    BadSignature(String),
}

impl RequestAuthError {
    /// Amazon's `reasonCode` for this refusal.
    pub fn reason_code(&self) -> &'static str {
        match self {
            Self::MissingAuthorization | Self::MissingHeader(_) => "MissingHeader",
            Self::BadDate | Self::DateInFuture(_) | Self::DateExpired(..) => "InvalidHeaderValue",
            Self::UnknownKey(_) => "UnauthorizedAccess",
            Self::BadSignature(_) => "InvalidRequestSignature",
        }
    }

    /// The HTTP status Amazon answers with.
    pub fn status(&self) -> u16 {
        match self {
            Self::MissingAuthorization | Self::MissingHeader(_) | Self::BadDate | Self::DateInFuture(_) | Self::DateExpired(..) => 400,
            Self::UnknownKey(_) | Self::BadSignature(_) => 401,
        }
    }
}

/// How old `x-amz-pay-date` may be (15 minutes, like AWS's signed requests; Amazon Pay does not document it).
pub const MAX_SKEW_SECS: i64 = 15 * 60;
/// How far ahead of the verifier's clock `x-amz-pay-date` may be: Amazon refuses dates in the future; a minute
/// of tolerance for clocks that are almost in step.
pub const MAX_FUTURE_SECS: i64 = 60;

/// Verifies a received request: parses `authorization`, requires `x-amz-pay-date` (at most `max_skew` old, not
/// in the future),
/// `x-amz-pay-host`, `x-amz-pay-region` to be signed, looks the key up and checks the signature over the canonical
/// request rebuilt from the signed headers in the order the client listed them.
pub fn verify_request(
    req: &ReceivedRequest<'_>,
    lookup_key: impl Fn(&str) -> Option<PublicKey>,
    now: i64,
    max_skew: i64,
) -> Result<Authorization, RequestAuthError> {
    let auth = req.header("authorization").and_then(parse_authorization).ok_or(RequestAuthError::MissingAuthorization)?;
    for required in [DATE_HEADER, "x-amz-pay-host", "x-amz-pay-region"] {
        if !auth.signed_headers.iter().any(|h| h == required) || req.header(required).is_none() {
            return Err(RequestAuthError::MissingHeader(required.into()));
        }
    }
    let raw_date = req.header(DATE_HEADER).unwrap_or_default();
    let when = date::parse_amz_date(raw_date).ok_or(RequestAuthError::BadDate)?;
    if when - now > MAX_FUTURE_SECS.min(max_skew) {
        return Err(RequestAuthError::DateInFuture(raw_date.to_owned()));
    }
    if now - when > max_skew {
        return Err(RequestAuthError::DateExpired(raw_date.to_owned(), max_skew));
    }
    let key = lookup_key(&auth.public_key_id).ok_or_else(|| RequestAuthError::UnknownKey(auth.public_key_id.clone()))?;
    let mut headers = Vec::with_capacity(auth.signed_headers.len());
    for name in &auth.signed_headers {
        let value = req.header(name).ok_or_else(|| RequestAuthError::MissingHeader(name.clone()))?;
        headers.push((name.clone(), value.to_string()));
    }
    let query = canonical_query(req.query);
    let canonical = canonical_request_listing(req.method, req.path, &query, &headers, &auth.signed_headers_raw, req.body);
    let to_sign = signing::string_to_sign(auth.algorithm, canonical.as_bytes());
    signing::verify_string(&key, auth.algorithm, &to_sign, &auth.signature).map_err(|_| RequestAuthError::BadSignature(to_sign))?;
    Ok(auth)
}
