//! The `Host` check against DNS rebinding (README "Safety from web pages"): a page on another
//! site whose name is made to resolve to 127.0.0.1 reaches this emulator as same-origin, and
//! only the `Host` header, which carries that site's name, gives it away. This module decides
//! which names pass; `protocol::check_host` applies it to every route and renders the refusal.

use std::net::IpAddr;

use axum::http::{HeaderMap, Uri};

use crate::Config;

/// The names a request may call this emulator by.
#[derive(Debug, Clone, Default)]
pub struct HostPolicy {
    /// `--allowed-host '*'`: every name passes (the check is off).
    any: bool,
    /// Lowercase names without a port: `--public-url`'s host and the `--allowed-host` values.
    names: Vec<String>,
}

/// What a refused request named, for the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The name as the request gave it, port included, cut to a hostname's longest length.
    pub given: String,
    /// The name alone, lowercase: what `--allowed-host` would take.
    pub name: String,
}

impl HostPolicy {
    pub fn from_config(config: &Config) -> Self {
        let mut policy = HostPolicy::default();
        for value in &config.allowed_hosts {
            if value.trim() == "*" {
                policy.any = true;
            } else if let Some(name) = split_host(value) {
                policy.names.push(name);
            }
        }
        if let Some(name) = config.public_url.as_deref().and_then(url_host) {
            policy.names.push(name);
        }
        policy
    }

    /// Whether `host` (a `Host` header value or a URI authority, port optional) passes:
    /// loopback names, any IP address, the public URL's host and `--allowed-host` values.
    pub fn allows(&self, host: &str) -> bool {
        if self.any {
            return true;
        }
        let Some(name) = split_host(host) else {
            return false;
        };
        // An IP address is never a rebinding: a browser that sends one connected to that
        // address, which is this emulator (or something forwarding to it), not a site's.
        // This covers 127.0.0.0/8, [::1] and the address `--host` binds.
        if name.parse::<IpAddr>().is_ok() {
            return true;
        }
        // RFC 6761 §6.3: `localhost` and names under it resolve to loopback, and browsers
        // resolve them so themselves; nobody can register one for a page of theirs.
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        self.names.contains(&name)
    }

    /// Checks every name `headers` and `uri` give: the `Host` header (HTTP/1.1) and the URI's
    /// authority (HTTP/2's `:authority`, or an absolute-form request). A request with neither
    /// passes: browsers always send one, so it cannot come from a web page (HTTP/1.0 tools and
    /// in-process callers send none). Two `Host` headers are refused.
    pub fn check(&self, headers: &HeaderMap, uri: &Uri) -> Result<(), Refused> {
        let mut hosts = headers.get_all("host").iter();
        let first = hosts.next();
        if hosts.next().is_some() {
            return Err(Refused {
                given: "(several Host headers)".to_owned(),
                name: String::new(),
            });
        }
        let header = first.map(|value| value.to_str().unwrap_or("(not ASCII)"));
        let authority = uri.authority().map(|authority| authority.as_str());
        for given in header.into_iter().chain(authority) {
            if !self.allows(given) {
                return Err(Refused {
                    given: given.chars().take(255).collect(),
                    name: split_host(given).unwrap_or_default(),
                });
            }
        }
        Ok(())
    }
}

impl Refused {
    /// The refusal's text: what was refused, why, and the flag that lets it through.
    pub fn message(&self) -> String {
        let fix = if self.name.is_empty() {
            "Send one Host header naming this emulator.".to_owned()
        } else {
            format!(
                "If clients reach this emulator by that name (a container's or a machine's name), start it with --allowed-host {name} (or COGNITO_EMULATOR_ALLOWED_HOSTS={name}); --allowed-host '*' turns this check off.",
                name = self.name
            )
        };
        format!(
            "Host {given:?} is not allowed: this emulator answers only to localhost, *.localhost, IP addresses, its --public-url host and --allowed-host names, so that a web page on another site cannot reach it by DNS rebinding. {fix}",
            given = self.given
        )
    }
}

/// The lowercase name of `host` without its port or brackets (`[::1]:9229` → `::1`,
/// `Example.COM.:80` → `example.com`); `None` when it is not a plain `host[:port]`.
fn split_host(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        if !(after.is_empty() || after.strip_prefix(':').is_some_and(is_port)) {
            return None;
        }
        inside
    } else {
        match host.rsplit_once(':') {
            Some((name, port)) if is_port(port) => name,
            Some(_) => return None,
            None => host,
        }
    };
    let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
    let plain = name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'));
    (!name.is_empty() && plain).then_some(name)
}

fn is_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

/// The host of a URL such as `http://cognito:9229/base`.
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    split_host(authority)
}

/// Checks one `--allowed-host` value: `*`, or a host name or address, a port allowed and
/// ignored (the check is on names). Refuses URLs and empty values with a message saying so.
pub fn parse_allowed_host(value: &str) -> Result<String, String> {
    let value = value.trim();
    if value == "*" {
        return Ok(value.to_owned());
    }
    if value.contains("://") || value.contains('/') {
        let example = url_host(value).unwrap_or_else(|| "cognito".to_owned());
        return Err(format!(
            "give a host name such as {example}, not a URL ({value:?})"
        ));
    }
    match split_host(value) {
        Some(_) => Ok(value.to_owned()),
        None => Err(format!(
            "{value:?} is not a host name: give a name such as cognito or cognito.internal, an IP address, or '*'"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(allowed: &[&str], public_url: Option<&str>) -> HostPolicy {
        let config = Config {
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            public_url: public_url.map(str::to_owned),
            ..Config::for_tests()
        };
        HostPolicy::from_config(&config)
    }

    #[test]
    fn loopback_names_and_addresses_pass_with_or_without_a_port() {
        let p = policy(&[], None);
        for host in [
            "localhost",
            "localhost:9229",
            "LOCALHOST.",
            "app.localhost:3000",
            "127.0.0.1",
            "127.0.0.1:9229",
            "127.1.2.3:80",
            "[::1]",
            "[::1]:9229",
            "10.0.0.7:9229",
        ] {
            assert!(p.allows(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:9229",
            "localhost.evil.example",
            "notlocalhost",
            "",
            "[::1",
            "a b",
            "localhost:port",
        ] {
            assert!(!p.allows(host), "{host}");
        }
    }

    #[test]
    fn the_public_url_host_and_allowed_hosts_pass() {
        let p = policy(
            &["cognito", "Other.Internal:9229"],
            Some("http://emu.test:9229/"),
        );
        for host in ["cognito", "cognito:9229", "other.internal", "emu.test:80"] {
            assert!(p.allows(host), "{host}");
        }
        assert!(!p.allows("cognito.evil.example"));
        assert!(policy(&["*"], None).allows("anything.example:1"));
    }

    #[test]
    fn allowed_host_values_must_be_names() {
        for good in ["cognito", "cognito:9229", "10.0.0.2", "[::1]", "*"] {
            assert!(parse_allowed_host(good).is_ok(), "{good}");
        }
        for bad in ["http://cognito:9229", "cognito/x", "", "a b"] {
            assert!(parse_allowed_host(bad).is_err(), "{bad}");
        }
    }
}
