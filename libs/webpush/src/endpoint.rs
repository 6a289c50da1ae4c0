//! SSRF guard for push endpoints.
//!
//! A push endpoint comes from a browser, i.e. from a user: without a guard a
//! subscription could make the notifier POST to internal services. Endpoints
//! must be `https` URLs whose host is a public DNS name, unless their origin
//! is explicitly allowed (`PUSH_ALLOWED_ORIGINS`, for local push-service
//! stand-ins in tests and development).
//!
//! Two layers: [`validate_endpoint`] checks the URL and resolves the name
//! (use it when a subscription is registered); the sender's HTTP client uses
//! [`GuardedResolver`], which refuses to connect to a name that resolves to a
//! non-public address at connect time (so DNS rebinding after registration
//! does not help an attacker).

use std::collections::HashSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use url::{Host, Origin, Url};

/// Longest endpoint accepted, in bytes.
pub const MAX_ENDPOINT_LEN: usize = 2048;

/// How long [`validate_endpoint`] waits for DNS.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

/// The kind of non-public address an endpoint pointed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// 10/8, 172.16/12, 192.168/16, and the shared space 100.64/10.
    Private,
    /// 127/8, ::1.
    Loopback,
    /// 169.254/16, fe80::/10.
    LinkLocal,
    /// fc00::/7 (and the deprecated site-local fec0::/10).
    UniqueLocal,
    /// 0.0.0.0/8, ::.
    Unspecified,
    /// 255.255.255.255.
    Broadcast,
    /// 224/4, ff00::/8.
    Multicast,
    /// 192.0.2/24, 198.51.100/24, 203.0.113/24, 2001:db8::/32.
    Documentation,
    /// Other special-purpose ranges: 192.0.0/24, 198.18/15, 240/4, 100::/64.
    Reserved,
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressClass::Private => "private",
            AddressClass::Loopback => "loopback",
            AddressClass::LinkLocal => "link-local",
            AddressClass::UniqueLocal => "unique-local",
            AddressClass::Unspecified => "unspecified",
            AddressClass::Broadcast => "broadcast",
            AddressClass::Multicast => "multicast",
            AddressClass::Documentation => "documentation",
            AddressClass::Reserved => "reserved",
        })
    }
}

/// Why a push endpoint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointError {
    /// Empty string.
    #[error("push endpoint is empty")]
    Empty,
    /// Longer than [`MAX_ENDPOINT_LEN`].
    #[error("push endpoint is {len} bytes, longer than the limit of {max}")]
    TooLong {
        /// Its length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not an absolute URL.
    #[error("push endpoint is not a valid absolute URL: {0}")]
    Parse(String),
    /// Not `https` (and the origin is not allowed).
    #[error("push endpoint must use https")]
    NotHttps,
    /// `user:password@` in the URL.
    #[error("push endpoint must not contain user info")]
    UserInfo,
    /// No host.
    #[error("push endpoint has no host")]
    NoHost,
    /// A public IP literal instead of a DNS name.
    #[error("push endpoint host must be a domain name, not an IP address")]
    IpLiteral,
    /// An IP literal in a non-public range.
    #[error("push endpoint is a {0} address")]
    ForbiddenAddress(AddressClass),
    /// A name that resolves to a non-public address (or `localhost`).
    #[error("push endpoint resolves to a {0} address")]
    ResolvesToForbidden(AddressClass),
    /// DNS failed or timed out.
    #[error("push endpoint host could not be resolved: {0}")]
    Resolve(String),
}

/// Why `PUSH_ALLOWED_ORIGINS` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("PUSH_ALLOWED_ORIGINS entry {entry:?} {reason}")]
pub struct PolicyError {
    /// The offending entry.
    pub entry: String,
    /// What is wrong with it.
    pub reason: String,
}

/// Which endpoints are exempt from the https/public-address rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointPolicy {
    /// Origins (`scheme://host:port`) that may use plain http and private
    /// addresses, e.g. a local push-service stand-in.
    pub allowed_origins: Vec<Origin>,
}

impl EndpointPolicy {
    /// No exemptions: https and public addresses only.
    pub fn strict() -> Self {
        Self::default()
    }

    /// Parses the comma-separated `PUSH_ALLOWED_ORIGINS`, e.g.
    /// `http://127.0.0.1:9443, http://push-stub:8080`. Empty entries are
    /// ignored; each entry must be an http(s) origin without path, query or
    /// user info (a trailing `/` is fine).
    pub fn from_comma_separated(list: &str) -> Result<Self, PolicyError> {
        let mut allowed_origins = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let error = |reason: &str| PolicyError {
                entry: entry.to_owned(),
                reason: reason.to_owned(),
            };
            let url = Url::parse(entry).map_err(|e| error(&format!("is not a URL: {e}")))?;
            if !matches!(url.scheme(), "http" | "https") {
                return Err(error("must use http or https"));
            }
            if url.host().is_none() {
                return Err(error("has no host"));
            }
            if !url.username().is_empty()
                || url.password().is_some()
                || url.path() != "/"
                || url.query().is_some()
                || url.fragment().is_some()
            {
                return Err(error(
                    "must be an origin only (scheme://host:port), without path, query or user info",
                ));
            }
            allowed_origins.push(url.origin());
        }
        Ok(Self { allowed_origins })
    }

    /// Whether `origin` is exempt.
    pub fn allows_origin(&self, origin: &Origin) -> bool {
        self.allowed_origins.iter().any(|o| o == origin)
    }

    /// Domain names of allowed origins (any port); the connect-time resolver
    /// lets these resolve to private addresses.
    fn allowed_domains(&self) -> HashSet<String> {
        self.allowed_origins
            .iter()
            .filter_map(|o| match o {
                Origin::Tuple(_, Host::Domain(d), _) => Some(d.to_ascii_lowercase()),
                _ => None,
            })
            .collect()
    }
}

/// Validates an endpoint without DNS: syntax, length, user info, scheme and
/// IP-literal hosts. Names are checked at connect time by the sender's
/// resolver; [`validate_endpoint`] additionally resolves them now.
pub fn validate_endpoint_without_dns(
    endpoint: &str,
    policy: &EndpointPolicy,
) -> Result<Url, EndpointError> {
    let endpoint = endpoint.trim();
    if endpoint.is_empty() {
        return Err(EndpointError::Empty);
    }
    if endpoint.len() > MAX_ENDPOINT_LEN {
        return Err(EndpointError::TooLong {
            len: endpoint.len(),
            max: MAX_ENDPOINT_LEN,
        });
    }
    let url = Url::parse(endpoint).map_err(|e| EndpointError::Parse(e.to_string()))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(EndpointError::UserInfo);
    }
    if policy.allows_origin(&url.origin()) {
        return Ok(url);
    }
    if url.scheme() != "https" {
        return Err(EndpointError::NotHttps);
    }
    match url.host() {
        None => Err(EndpointError::NoHost),
        Some(Host::Ipv4(ip)) => match classify_ip(IpAddr::V4(ip)) {
            Some(class) => Err(EndpointError::ForbiddenAddress(class)),
            None => Err(EndpointError::IpLiteral),
        },
        Some(Host::Ipv6(ip)) => match classify_ip(IpAddr::V6(ip)) {
            Some(class) => Err(EndpointError::ForbiddenAddress(class)),
            None => Err(EndpointError::IpLiteral),
        },
        Some(Host::Domain(name)) => {
            if is_localhost_name(name) {
                Err(EndpointError::ResolvesToForbidden(AddressClass::Loopback))
            } else {
                Ok(url)
            }
        }
    }
}

/// Validates a push endpoint (SSRF guard): an absolute `https` URL without
/// user info, at most [`MAX_ENDPOINT_LEN`] bytes, whose host is a DNS name
/// all of whose addresses are public — unless its origin is in
/// `policy.allowed_origins`, which allows plain http and private addresses.
pub async fn validate_endpoint(
    endpoint: &str,
    policy: &EndpointPolicy,
) -> Result<Url, EndpointError> {
    let url = validate_endpoint_without_dns(endpoint, policy)?;
    if policy.allows_origin(&url.origin()) {
        return Ok(url);
    }
    if let Some(Host::Domain(name)) = url.host() {
        let port = url.port_or_known_default().unwrap_or(443);
        let addrs = resolve(name, port).await?;
        check_resolved(&addrs)?;
    }
    Ok(url)
}

async fn resolve(name: &str, port: u16) -> Result<Vec<SocketAddr>, EndpointError> {
    let lookup = tokio::net::lookup_host((name, port));
    let addrs: Vec<SocketAddr> = tokio::time::timeout(RESOLVE_TIMEOUT, lookup)
        .await
        .map_err(|_| EndpointError::Resolve("timed out".into()))?
        .map_err(|e| EndpointError::Resolve(e.to_string()))?
        .collect();
    if addrs.is_empty() {
        return Err(EndpointError::Resolve("no addresses".into()));
    }
    Ok(addrs)
}

/// Every resolved address must be public.
fn check_resolved(addrs: &[SocketAddr]) -> Result<(), EndpointError> {
    match addrs.iter().find_map(|a| classify_ip(a.ip())) {
        Some(class) => Err(EndpointError::ResolvesToForbidden(class)),
        None => Ok(()),
    }
}

fn is_localhost_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost")
}

/// Classifies an address that must not be a push target; `None` = public.
pub fn classify_ip(ip: IpAddr) -> Option<AddressClass> {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

fn classify_v4(ip: Ipv4Addr) -> Option<AddressClass> {
    let [a, b, c, _] = ip.octets();
    let class = if ip.is_broadcast() {
        AddressClass::Broadcast
    } else if a == 0 {
        AddressClass::Unspecified
    } else if a == 127 {
        AddressClass::Loopback
    } else if a == 10
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 168)
        || (a == 100 && (64..128).contains(&b))
    {
        AddressClass::Private
    } else if a == 169 && b == 254 {
        AddressClass::LinkLocal
    } else if (224..240).contains(&a) {
        AddressClass::Multicast
    } else if (a == 192 && b == 0 && c == 2)
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
    {
        AddressClass::Documentation
    } else if (a == 192 && b == 0 && c == 0) || (a == 198 && (18..20).contains(&b)) || a >= 240 {
        AddressClass::Reserved
    } else {
        return None;
    };
    Some(class)
}

fn classify_v6(ip: Ipv6Addr) -> Option<AddressClass> {
    // Addresses that embed an IPv4 address: mapped (::ffff:a.b.c.d),
    // the deprecated compatible form (::a.b.c.d) and NAT64 (64:ff9b::/96).
    if let Some(v4) = ip.to_ipv4_mapped() {
        return classify_v4(v4);
    }
    let seg = ip.segments();
    if seg[0] == 0x64 && seg[1] == 0xff9b && seg[2..6] == [0, 0, 0, 0] {
        return classify_v4(Ipv4Addr::from(((seg[6] as u32) << 16) | seg[7] as u32));
    }
    let class = if ip.is_unspecified() {
        AddressClass::Unspecified
    } else if ip.is_loopback() {
        AddressClass::Loopback
    } else if seg[0..6] == [0, 0, 0, 0, 0, 0] {
        return classify_v4(Ipv4Addr::from(((seg[6] as u32) << 16) | seg[7] as u32))
            .or(Some(AddressClass::Reserved));
    } else if seg[0] & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if seg[0] & 0xfe00 == 0xfc00 || seg[0] & 0xffc0 == 0xfec0 {
        AddressClass::UniqueLocal
    } else if seg[0] & 0xff00 == 0xff00 {
        AddressClass::Multicast
    } else if seg[0] == 0x2001 && seg[1] == 0x0db8 {
        AddressClass::Documentation
    } else if seg[0] == 0x0100 && seg[1..4] == [0, 0, 0] {
        AddressClass::Reserved
    } else {
        return None;
    };
    Some(class)
}

/// Error a [`GuardedResolver`] returns for a forbidden name; the sender finds
/// it in the error chain and reports [`EndpointError::ResolvesToForbidden`].
#[derive(Debug, thiserror::Error)]
#[error("push endpoint resolves to a {0} address")]
pub(crate) struct ForbiddenResolution(pub(crate) AddressClass);

/// A reqwest DNS resolver that refuses names resolving to non-public
/// addresses, except the domains of allowed origins. (reqwest does not call
/// the resolver for IP-literal hosts; those are checked before sending.)
pub(crate) struct GuardedResolver {
    allowed_domains: Arc<HashSet<String>>,
}

impl GuardedResolver {
    pub(crate) fn new(policy: &EndpointPolicy) -> Self {
        Self {
            allowed_domains: Arc::new(policy.allowed_domains()),
        }
    }
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_ascii_lowercase();
        let allowed = self.allowed_domains.contains(&host);
        Box::pin(async move {
            if !allowed && is_localhost_name(&host) {
                return Err(ForbiddenResolution(AddressClass::Loopback).into());
            }
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allowed && let Some(class) = addrs.iter().find_map(|a| classify_ip(a.ip())) {
                return Err(ForbiddenResolution(class).into());
            }
            let addrs: reqwest::dns::Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(list: &str) -> EndpointPolicy {
        EndpointPolicy::from_comma_separated(list).unwrap()
    }

    #[test]
    fn endpoint_table() {
        use AddressClass::*;
        use EndpointError as E;
        let strict = EndpointPolicy::strict();
        let local = policy("http://127.0.0.1:9443, https://[::1]:8443,http://push-stub:8080/");
        let long = format!("https://push.example.com/{}", "a".repeat(2048));
        #[rustfmt::skip]
        let cases: Vec<(&str, &EndpointPolicy, Result<(), E>)> = vec![
            ("https://fcm.googleapis.com/fcm/send/abc", &strict, Ok(())),
            ("https://updates.push.services.mozilla.com/wpush/v2/x", &strict, Ok(())),
            ("https://web.push.apple.com:443/Q", &strict, Ok(())),
            ("", &strict, Err(E::Empty)),
            ("/relative/path", &strict, Err(E::Parse("relative URL without a base".into()))),
            ("not a url", &strict, Err(E::Parse("relative URL without a base".into()))),
            (long.as_str(), &strict, Err(E::TooLong { len: long.len(), max: 2048 })),
            ("http://push.example.com/x", &strict, Err(E::NotHttps)),
            ("ftp://push.example.com/x", &strict, Err(E::NotHttps)),
            ("data:text/plain,hi", &strict, Err(E::NotHttps)),
            ("https://user:pw@push.example.com/x", &strict, Err(E::UserInfo)),
            ("https://user@push.example.com/x", &strict, Err(E::UserInfo)),
            ("https://8.8.8.8/x", &strict, Err(E::IpLiteral)),
            ("https://[2606:4700::1111]/x", &strict, Err(E::IpLiteral)),
            ("https://127.0.0.1/x", &strict, Err(E::ForbiddenAddress(Loopback))),
            ("https://2130706433/x", &strict, Err(E::ForbiddenAddress(Loopback))),
            ("https://0x7f.1/x", &strict, Err(E::ForbiddenAddress(Loopback))),
            ("https://10.1.2.3/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://172.16.0.1/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://172.31.255.255/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://172.32.0.1/x", &strict, Err(E::IpLiteral)),
            ("https://192.168.1.1/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://100.64.0.1/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://169.254.169.254/latest/meta-data", &strict, Err(E::ForbiddenAddress(LinkLocal))),
            ("https://0.0.0.0/x", &strict, Err(E::ForbiddenAddress(Unspecified))),
            ("https://255.255.255.255/x", &strict, Err(E::ForbiddenAddress(Broadcast))),
            ("https://224.0.0.1/x", &strict, Err(E::ForbiddenAddress(Multicast))),
            ("https://192.0.2.1/x", &strict, Err(E::ForbiddenAddress(Documentation))),
            ("https://198.51.100.7/x", &strict, Err(E::ForbiddenAddress(Documentation))),
            ("https://203.0.113.9/x", &strict, Err(E::ForbiddenAddress(Documentation))),
            ("https://240.0.0.1/x", &strict, Err(E::ForbiddenAddress(Reserved))),
            ("https://[::1]/x", &strict, Err(E::ForbiddenAddress(Loopback))),
            ("https://[::]/x", &strict, Err(E::ForbiddenAddress(Unspecified))),
            ("https://[fe80::1]/x", &strict, Err(E::ForbiddenAddress(LinkLocal))),
            ("https://[fd00::1]/x", &strict, Err(E::ForbiddenAddress(UniqueLocal))),
            ("https://[fc00::1]/x", &strict, Err(E::ForbiddenAddress(UniqueLocal))),
            ("https://[ff02::1]/x", &strict, Err(E::ForbiddenAddress(Multicast))),
            ("https://[2001:db8::1]/x", &strict, Err(E::ForbiddenAddress(Documentation))),
            ("https://[::ffff:10.0.0.1]/x", &strict, Err(E::ForbiddenAddress(Private))),
            ("https://[::ffff:127.0.0.1]/x", &strict, Err(E::ForbiddenAddress(Loopback))),
            ("https://[64:ff9b::a9fe:a9fe]/x", &strict, Err(E::ForbiddenAddress(LinkLocal))),
            ("https://localhost/x", &strict, Err(E::ResolvesToForbidden(Loopback))),
            ("https://LOCALHOST./x", &strict, Err(E::ResolvesToForbidden(Loopback))),
            ("https://api.localhost/x", &strict, Err(E::ResolvesToForbidden(Loopback))),
            // Allowed origins: exact scheme, host and port.
            ("http://127.0.0.1:9443/push/abc", &local, Ok(())),
            ("http://127.0.0.1:9444/push/abc", &local, Err(E::NotHttps)),
            ("https://127.0.0.1:9443/push/abc", &local, Err(E::ForbiddenAddress(Loopback))),
            ("https://[::1]:8443/push", &local, Ok(())),
            ("http://push-stub:8080/p", &local, Ok(())),
            ("http://user@127.0.0.1:9443/push/abc", &local, Err(E::UserInfo)),
            ("http://127.0.0.1:9443/push/abc", &strict, Err(E::NotHttps)),
        ];
        for (endpoint, policy, expected) in cases {
            let got = validate_endpoint_without_dns(endpoint, policy).map(|_| ());
            assert_eq!(got, expected, "endpoint {endpoint:?}");
        }
    }

    #[test]
    fn error_messages_say_what_is_wrong() {
        let strict = EndpointPolicy::strict();
        let msg = |e: &str| {
            validate_endpoint_without_dns(e, &strict)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            msg("http://push.example.com/"),
            "push endpoint must use https"
        );
        assert_eq!(
            msg("https://10.0.0.1/"),
            "push endpoint is a private address"
        );
        assert_eq!(
            msg("https://localhost/"),
            "push endpoint resolves to a loopback address"
        );
        assert_eq!(
            msg("https://a:b@push.example.com/"),
            "push endpoint must not contain user info"
        );
        assert!(msg("nope").starts_with("push endpoint is not a valid absolute URL"));
    }

    #[tokio::test]
    async fn validate_endpoint_resolves_names() {
        let strict = EndpointPolicy::strict();
        // "localhost" is refused by name, without DNS.
        assert_eq!(
            validate_endpoint("https://localhost:9443/p", &strict).await,
            Err(EndpointError::ResolvesToForbidden(AddressClass::Loopback))
        );
        // IP literals never reach DNS.
        assert_eq!(
            validate_endpoint("https://192.168.0.10/p", &strict).await,
            Err(EndpointError::ForbiddenAddress(AddressClass::Private))
        );
        // An allowed origin skips DNS and address checks.
        let local = policy("http://127.0.0.1:9443");
        let url = validate_endpoint("http://127.0.0.1:9443/push/1", &local)
            .await
            .unwrap();
        assert_eq!(url.as_str(), "http://127.0.0.1:9443/push/1");
    }

    #[test]
    fn check_resolved_requires_every_address_public() {
        let public: SocketAddr = "8.8.8.8:443".parse().unwrap();
        let private: SocketAddr = "10.0.0.8:443".parse().unwrap();
        assert_eq!(check_resolved(&[public]), Ok(()));
        assert_eq!(
            check_resolved(&[public, private]),
            Err(EndpointError::ResolvesToForbidden(AddressClass::Private))
        );
    }

    #[test]
    fn policy_parsing() {
        let p = policy(" http://127.0.0.1:9443 , ,https://push.test ");
        assert_eq!(p.allowed_origins.len(), 2);
        assert!(p.allows_origin(&Url::parse("http://127.0.0.1:9443/x").unwrap().origin()));
        assert!(p.allows_origin(&Url::parse("https://push.test:443/x").unwrap().origin()));
        assert!(!p.allows_origin(&Url::parse("http://push.test/x").unwrap().origin()));
        assert_eq!(p.allowed_domains(), HashSet::from(["push.test".to_owned()]));
        assert_eq!(policy("").allowed_origins, vec![]);

        for (bad, reason) in [
            ("127.0.0.1:9443", "is not a URL"),
            ("nonsense", "is not a URL"),
            ("http://127.0.0.1:9443/push", "must be an origin only"),
            ("http://u@127.0.0.1:9443", "must be an origin only"),
            ("ftp://x.test", "must use http or https"),
        ] {
            let err = EndpointPolicy::from_comma_separated(bad).unwrap_err();
            assert!(err.to_string().contains(reason), "{bad}: {err}");
            assert!(
                err.to_string().starts_with("PUSH_ALLOWED_ORIGINS entry"),
                "{err}"
            );
        }
    }
}
