//! Where an upstream answer may send the buyer's browser. PAYONE's `redirecturl` and Amazon's
//! `amazonPayRedirectUrl` reach the widget, which navigates the shop's page there (`location.assign`): a
//! `javascript:` or `data:` "URL" from a compromised, spoofed or buggy upstream would run in the shop's origin.
//! So only a web address is passed on: absolute, http(s), a host, no credentials, and https in live mode (a
//! loopback host excepted, as for return pages).

use reqwest::Url;

/// Why an upstream's redirect is not passed on to the browser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadRedirect {
    /// Not an absolute http(s) URL with a host (`javascript:`, `data:`, a path, garbage).
    #[error("the redirect is not an absolute http(s) URL")]
    NotWeb,
    /// Carries a user name or password.
    #[error("the redirect carries credentials")]
    Credentials,
    /// Plain http in live mode.
    #[error("the redirect is not https")]
    NotHttps,
}

/// `url` when a browser may be sent there; the error names the rule, never the URL (it may carry a token).
pub fn check(url: &str, live: bool) -> Result<String, BadRedirect> {
    let parsed = Url::parse(url.trim()).map_err(|_| BadRedirect::NotWeb)?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none_or(str::is_empty) {
        return Err(BadRedirect::NotWeb);
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(BadRedirect::Credentials);
    }
    if live && parsed.scheme() != "https" && !loopback(&parsed) {
        return Err(BadRedirect::NotHttps);
    }
    Ok(parsed.into())
}

/// A live server tried out against a stand-in on this machine.
fn loopback(url: &Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    let ip = host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>();
    host == "localhost" || ip.is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_pass() {
        let amazon = "https://payments.amazon.de/checkout/processing?amazonCheckoutSessionId=abc";
        assert_eq!(check(amazon, true).as_deref(), Ok(amazon));
        assert!(check("http://127.0.0.1:8080/sandbox/amazon/mfa?x=1", true).is_ok(), "loopback in live mode");
        assert!(check("http://shop.example/sandbox/amazon/mfa", false).is_ok(), "http in sandbox mode");
        for bad in ["javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,<script>x</script>", "/relative", "", "https://"] {
            assert_eq!(check(bad, false), Err(BadRedirect::NotWeb), "{bad}");
        }
        assert_eq!(check("https://u:p@payments.amazon.de/", false), Err(BadRedirect::Credentials));
        assert_eq!(check("http://payments.amazon.de/", true), Err(BadRedirect::NotHttps));
    }
}
