//! The client's address as this server sees it: the buyer's for CheckoutChamp's `ipAddress` (the CRM's fraud checks use
//! it), PAYONE's for the TransactionStatus sender check (`PAYONE_NOTIFY_ALLOWED_IPS`).
//!
//! The TCP peer is the buyer unless it is a configured trusted proxy (`--trusted-proxies`). Only then is
//! `X-Forwarded-For` read, from the right: each hop a trusted proxy appended is believed, and the first address
//! that is not itself a trusted proxy is the buyer. Anything a buyer writes into the header themselves sits to
//! the left of that and is never read; a header from an untrusted peer is ignored entirely.

use crate::sender_range::{in_any, IpRange};
use axum::http::HeaderMap;
use std::net::IpAddr;

/// The client's address: `peer`, or what trusted proxies in front of us say it is.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpRange]) -> IpAddr {
    let hops: Vec<&str> =
        headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(str::trim).collect();
    let mut current = peer;
    for hop in hops.iter().rev() {
        if !in_any(trusted, current) {
            break;
        }
        match hop.parse::<IpAddr>() {
            Ok(ip) => current = ip,
            // A hop a trusted proxy would not write: stop at the last address we could believe.
            Err(_) => break,
        }
    }
    current
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_the_header_says() {
        assert_eq!(client_ip(ip("203.0.113.9"), &headers(&["198.51.100.1"]), &[]), ip("203.0.113.9"));
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        assert_eq!(client_ip(ip("203.0.113.9"), &headers(&["198.51.100.1"]), &trusted), ip("203.0.113.9"));
    }

    #[test]
    fn trusted_hops_are_followed_from_the_right_and_spoofed_entries_ignored() {
        let trusted = ["10.0.0.0/8".parse().unwrap()];
        // The buyer wrote "1.2.3.4" themselves; the proxy appended the real address.
        let h = headers(&["1.2.3.4, 198.51.100.7"]);
        assert_eq!(client_ip(ip("10.1.1.1"), &h, &trusted), ip("198.51.100.7"));
        // Two trusted proxies, two header lines.
        let h = headers(&["1.2.3.4, 198.51.100.7", "10.2.2.2"]);
        assert_eq!(client_ip(ip("10.1.1.1"), &h, &trusted), ip("198.51.100.7"));
        // Garbage where the proxy's entry should be: the proxy itself is the last address believed.
        assert_eq!(client_ip(ip("10.1.1.1"), &headers(&["not-an-ip"]), &trusted), ip("10.1.1.1"));
        // No header from a trusted proxy: the proxy's own address.
        assert_eq!(client_ip(ip("10.1.1.1"), &HeaderMap::new(), &trusted), ip("10.1.1.1"));
    }
}
