//! Whom keys stand for (`Identity`, as GetCallerIdentity names it) and the long-term keys
//! given with `--credentials` (`KeySpec`), parsed so that no error or `Debug` shows a secret.

use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

use super::BUILT_IN_ACCESS_KEY_ID;

/// Whom a key stands for, as `GetCallerIdentity` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The account's root user.
    Root,
    /// An IAM user.
    User { name: String },
    /// A session of an IAM role, from `AssumeRole`.
    AssumedRole {
        role_name: String,
        session_name: String,
    },
}

impl Identity {
    /// `arn:aws:iam::{account}:root`, `…:user/{name}` or
    /// `arn:aws:sts::{account}:assumed-role/{role}/{session}`.
    pub fn arn(&self, account: &str) -> String {
        match self {
            Identity::Root => format!("arn:aws:iam::{account}:root"),
            Identity::User { name } => format!("arn:aws:iam::{account}:user/{name}"),
            Identity::AssumedRole {
                role_name,
                session_name,
            } => format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"),
        }
    }

    /// GetCallerIdentity's `UserId`: the account id for root, the user's unique id (`AIDA…`),
    /// or `{role id}:{session}` (`AROA…:name`).
    pub fn user_id(&self, account: &str) -> String {
        match self {
            Identity::Root => account.to_owned(),
            Identity::User { name } => unique_id("AIDA", &format!("{account}:user/{name}")),
            Identity::AssumedRole {
                role_name,
                session_name,
            } => format!(
                "{}:{session_name}",
                role_id(&format!("arn:aws:iam::{account}:role/{role_name}"))
            ),
        }
    }
}

/// AWS: access key ids are word characters, at most 128 (16 at least for AWS's own keys;
/// shorter dummy keys such as `testing` are common in test suites and accepted here).
pub(super) fn well_formed_key_id(key: &str) -> bool {
    (1..=128).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// IAM's names (users, roles, role sessions): 1 to `max` characters of `[\w+=,.@-]`.
pub fn is_iam_name(name: &str, max: usize) -> bool {
    (1..=max).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=,.@-".contains(&b))
}

/// A role's unique id (`AROA…`), the same every time for the same ARN.
pub fn role_id(role_arn: &str) -> String {
    unique_id("AROA", role_arn)
}

/// IAM's unique ids are a four-letter type prefix and 17 upper-case alphanumerics; ours are
/// derived from the name so they are stable across calls and restarts.
fn unique_id(prefix: &str, name: &str) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let digest = Sha256::digest(name.as_bytes());
    let tail: String = digest
        .iter()
        .take(17)
        .map(|b| ALPHABET[usize::from(b % 32)] as char)
        .collect();
    format!("{prefix}{tail}")
}

/// A long-term key from `--credentials`: `KEY:SECRET` (the account's root user) or
/// `KEY:SECRET:user/NAME` (an IAM user). Its `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySpec {
    pub access_key_id: String,
    pub(super) secret: String,
    pub identity: Identity,
}

impl fmt::Debug for KeySpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySpec")
            .field("access_key_id", &self.access_key_id)
            .field("secret", &"<hidden>")
            .field("identity", &self.identity)
            .finish()
    }
}

impl FromStr for KeySpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut parts = text.trim().splitn(3, ':');
        let (Some(key), Some(secret)) = (parts.next(), parts.next()) else {
            return Err("expected KEY:SECRET or KEY:SECRET:user/NAME".to_owned());
        };
        if !well_formed_key_id(key) {
            return Err(
                "the access key id must be 1 to 128 letters, digits or underscores".to_owned(),
            );
        }
        if key == BUILT_IN_ACCESS_KEY_ID {
            // The banner promises test/test; a second secret for it would break that promise.
            return Err(format!(
                "{key} is the built-in key; choose another access key id"
            ));
        }
        if secret.is_empty() {
            return Err(format!("the secret of {key} is empty"));
        }
        let identity = match parts.next() {
            None | Some("root") => Identity::Root,
            Some(spec) => {
                let name = spec
                    .strip_prefix("user/")
                    .filter(|name| is_iam_name(name, 64));
                // The text after the second colon is not echoed: it may be part of a secret.
                let Some(name) = name else {
                    return Err(format!(
                        "the identity of {key} (after its secret) must be `root` or `user/NAME`"
                    ));
                };
                Identity::User {
                    name: name.to_owned(),
                }
            }
        };
        Ok(KeySpec {
            access_key_id: key.to_owned(),
            secret: secret.to_owned(),
            identity,
        })
    }
}

/// The `--credentials` list: comma-separated `KeySpec`s. Parsing never fails in clap (whose
/// error would echo the value, secrets included); `check` reports a bad entry by its key id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeySpecs {
    specs: Vec<KeySpec>,
    error: Option<String>,
}

impl KeySpecs {
    /// The entries, or the first entry's problem (never naming a secret).
    pub fn check(&self) -> Result<&[KeySpec], String> {
        match &self.error {
            Some(error) => Err(error.clone()),
            None => Ok(&self.specs),
        }
    }

    pub fn len(&self) -> usize {
        self.specs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.specs.is_empty()
    }
}

impl FromStr for KeySpecs {
    type Err = std::convert::Infallible;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let parsed: Result<Vec<KeySpec>, String> = text
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .enumerate()
            .map(|(i, entry)| entry.parse().map_err(|e| format!("entry {}: {e}", i + 1)))
            .collect();
        Ok(match parsed {
            Ok(specs) => KeySpecs { specs, error: None },
            Err(error) => KeySpecs {
                specs: Vec::new(),
                error: Some(error),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_specs_name_root_or_an_iam_user() {
        let parsed: KeySpecs = "AKIA1:s3cret, AKIA2:x:user/alice ,AKIA3:z:root"
            .parse()
            .unwrap();
        let specs = parsed.check().unwrap();
        let identities: Vec<(&str, &Identity)> = specs
            .iter()
            .map(|s| (s.access_key_id.as_str(), &s.identity))
            .collect();
        assert_eq!(
            identities,
            [
                ("AKIA1", &Identity::Root),
                (
                    "AKIA2",
                    &Identity::User {
                        name: "alice".to_owned()
                    }
                ),
                ("AKIA3", &Identity::Root),
            ]
        );
        for bad in [
            "nocolon",
            "k:",
            ":s",
            "k:s:group/x",
            "k:s:user/",
            "bad key:s",
            "k:s:user/a b",
        ] {
            assert!(bad.parse::<KeySpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let spec: KeySpec = "AKIAEXAMPLE:wJalrXUtnFEMI:user/bob".parse().unwrap();
        let list: KeySpecs = "AKIAEXAMPLE:wJalrXUtnFEMI:user/bob".parse().unwrap();
        let shown = format!("{spec:?} {list:?}");
        assert!(!shown.contains("wJalrXUtnFEMI"), "{shown}");
        assert!(shown.contains("AKIAEXAMPLE"));
    }

    #[test]
    fn identities_are_named_as_sts_names_them() {
        // Formats from STS's GetCallerIdentity and AssumeRole documentation examples.
        let account = "123456789012";
        assert_eq!(
            Identity::Root.arn(account),
            "arn:aws:iam::123456789012:root"
        );
        assert_eq!(Identity::Root.user_id(account), "123456789012");
        let user = Identity::User {
            name: "Alice".to_owned(),
        };
        assert_eq!(user.arn(account), "arn:aws:iam::123456789012:user/Alice");
        let id = user.user_id(account);
        assert!(id.starts_with("AIDA") && id.len() == 21, "{id}");
        assert_eq!(id, user.user_id(account), "stable");
        let role = Identity::AssumedRole {
            role_name: "demo".to_owned(),
            session_name: "TestAR".to_owned(),
        };
        assert_eq!(
            role.arn(account),
            "arn:aws:sts::123456789012:assumed-role/demo/TestAR"
        );
        let role_user_id = role.user_id(account);
        assert!(role_user_id.starts_with("AROA") && role_user_id.ends_with(":TestAR"));
        assert_eq!(
            role_user_id.split(':').next().unwrap(),
            role_id("arn:aws:iam::123456789012:role/demo")
        );
    }

    #[test]
    fn a_bad_entry_is_named_without_its_secret_and_the_built_in_key_is_not_replaced() {
        let list: KeySpecs = "AKIAGOOD:fine,AKIABAD:hunter2:usr/bob".parse().unwrap();
        let error = list.check().unwrap_err();
        assert!(
            error.starts_with("entry 2: ") && error.contains("AKIABAD"),
            "{error}"
        );
        assert!(!error.contains("hunter2"), "{error}");
        let list: KeySpecs = "test:other".parse().unwrap();
        assert!(list.check().unwrap_err().contains("built-in"));
    }
}
