//! Keeping webhooks away from internal networks (SSRF): only https URLs whose every
//! address is public, checked when a subscription is registered and again at every
//! connection (DNS may change). Plain http to loopback can be allowed for development
//! and tests only.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefused {
    #[error("not a valid absolute URL")]
    Invalid,
    #[error("webhook URLs must use https")]
    NotHttps,
    #[error("webhook URLs must not carry credentials")]
    Credentials,
    #[error("the address {0} is loopback, private, link-local or otherwise internal")]
    Internal(IpAddr),
    #[error("the host does not resolve")]
    Unresolvable,
}

fn internal_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local() // 169.254/16, with the cloud metadata address
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && ip.octets()[2] == 0) // IETF protocol assignments
        || a >= 240 // reserved
}

fn internal_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return internal_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
}

/// Whether a webhook may not connect to `ip`.
pub fn is_forbidden(ip: IpAddr, allow_loopback: bool) -> bool {
    if allow_loopback && ip.is_loopback() {
        return false;
    }
    match ip {
        IpAddr::V4(v4) => internal_v4(v4),
        IpAddr::V6(v6) => internal_v6(v6),
    }
}

/// Checks a URL's form: https (or http to loopback when allowed), no credentials, and a
/// public address if the host is an IP literal.
pub fn check(text: &str, allow_loopback: bool) -> Result<Url, UrlRefused> {
    let url = Url::parse(text).map_err(|_| UrlRefused::Invalid)?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlRefused::Credentials);
    }
    let host = url.host().ok_or(UrlRefused::Invalid)?;
    let literal = match host {
        Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
        Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
        Host::Domain(_) => None,
    };
    let loopback_host =
        literal.is_some_and(|ip| ip.is_loopback()) || url.host_str() == Some("localhost");
    match url.scheme() {
        "https" => {}
        "http" if allow_loopback && loopback_host => {}
        _ => return Err(UrlRefused::NotHttps),
    }
    if let Some(ip) = literal
        && is_forbidden(ip, allow_loopback)
    {
        return Err(UrlRefused::Internal(ip));
    }
    // `localhost` names loopback whatever DNS says (RFC 6761).
    let local_name = url.host_str().is_some_and(|h| {
        h.eq_ignore_ascii_case("localhost") || h.to_ascii_lowercase().ends_with(".localhost")
    });
    if local_name && !allow_loopback {
        return Err(UrlRefused::Internal(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    Ok(url)
}

/// Resolves the URL's host and refuses it if any address is internal.
pub async fn check_resolved(url: &Url, allow_loopback: bool) -> Result<(), UrlRefused> {
    let host = url.host_str().ok_or(UrlRefused::Invalid)?;
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.trim_matches(['[', ']']), port))
        .await
        .map_err(|_| UrlRefused::Unresolvable)?
        .collect();
    if addrs.is_empty() {
        return Err(UrlRefused::Unresolvable);
    }
    match addrs.iter().find(|a| is_forbidden(a.ip(), allow_loopback)) {
        Some(bad) => Err(UrlRefused::Internal(bad.ip())),
        None => Ok(()),
    }
}

/// The resolver the webhook client connects through: it drops internal addresses, so a
/// name that re-resolves to one after registration still cannot be reached.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver {
    pub allow_loopback: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_loopback = self.allow_loopback;
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0))
                .await?
                .filter(|a| !is_forbidden(a.ip(), allow_loopback))
                .collect();
            if addrs.is_empty() {
                return Err(
                    Box::new(UrlRefused::Internal(IpAddr::V4(Ipv4Addr::UNSPECIFIED))) as Box<_>,
                );
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// A shareable resolver for `reqwest::ClientBuilder::dns_resolver`.
pub fn resolver(allow_loopback: bool) -> Arc<GuardedResolver> {
    Arc::new(GuardedResolver { allow_loopback })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn internal_and_plain_http_urls_are_refused() {
        for url in [
            "http://example.org/hook",
            "https://127.0.0.1/hook",
            "https://localhost:8443/hook",
            "https://10.1.2.3/hook",
            "https://172.16.0.1/hook",
            "https://192.168.1.10/hook",
            "https://169.254.169.254/latest/meta-data",
            "https://[::1]/hook",
            "https://[fd00::1]/hook",
            "https://[fe80::1]/hook",
            "https://[::ffff:10.0.0.1]/hook",
            "https://100.64.0.1/hook",
            "https://0.0.0.0/hook",
            "https://user:pass@example.org/hook",
            "ftp://example.org/hook",
            "not a url",
        ] {
            assert!(check(url, false).is_err(), "{url} must be refused");
        }
        assert!(check("https://example.org/hook", false).is_ok());
        assert!(check("https://93.184.216.34/hook", false).is_ok());
    }

    #[test]
    fn development_mode_allows_http_to_loopback_only() {
        assert!(check("http://127.0.0.1:9000/hook", true).is_ok());
        assert!(check("http://localhost:9000/hook", true).is_ok());
        assert!(check("http://10.0.0.1/hook", true).is_err());
        assert!(check("http://example.org/hook", true).is_err());
    }
}
