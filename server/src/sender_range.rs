//! Which addresses may send TransactionStatus notifications (PAYONE documents 185.60.20.0/24).
//! Optional: the md5 key is the real check; a range adds defence in depth. Behind a balancer the sender is the
//! address the trusted proxies forward (`crate::client_ip`), not the balancer.

use std::net::IpAddr;
use std::str::FromStr;

/// One `address/prefix` range (a bare address is a /32 or /128).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

/// A range that is not `address/prefix`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an IP range such as 185.60.20.0/24")]
pub struct BadRange(pub String);

impl FromStr for IpRange {
    type Err = BadRange;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let bad = || BadRange(text.to_owned());
        let (address, prefix) = match text.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text.trim(), None),
        };
        let network: IpAddr = address.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(IpRange { network, prefix })
    }
}

/// As it is written in the settings (`185.60.20.0/24`), for `check-config`.
impl std::fmt::Display for IpRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

impl IpRange {
    /// Whether `ip` is in the range.
    pub fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 sender seen through an IPv6 socket (::ffff:a.b.c.d) is still that IPv4 sender.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// `true` when `allowed` is empty (no restriction) or one of its ranges contains `ip`.
pub fn allowed(allowed: &[IpRange], ip: IpAddr) -> bool {
    allowed.is_empty() || in_any(allowed, ip)
}

/// Whether `ip` lies in one of `ranges` (none: false), e.g. a peer that is one of our trusted proxies.
pub fn in_any(ranges: &[IpRange], ip: IpAddr) -> bool {
    ranges.iter().any(|r| r.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_what_they_should() {
        let payone: IpRange = "185.60.20.0/24".parse().unwrap();
        assert!(payone.contains("185.60.20.7".parse().unwrap()));
        assert!(payone.contains("::ffff:185.60.20.200".parse().unwrap()));
        assert!(!payone.contains("185.60.21.1".parse().unwrap()));
        let one: IpRange = "127.0.0.1".parse().unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let all: IpRange = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("8.8.8.8".parse().unwrap()));
        assert!("2001:db8::/32".parse::<IpRange>().unwrap().contains("2001:db8::1".parse().unwrap()));
    }

    #[test]
    fn bad_ranges_are_refused() {
        for bad in ["", "185.60.20.0/33", "x/24", "185.60.20.0/-1", "::/129"] {
            assert!(bad.parse::<IpRange>().is_err(), "{bad:?}");
        }
        assert!(allowed(&[], "1.2.3.4".parse().unwrap()));
    }
}
