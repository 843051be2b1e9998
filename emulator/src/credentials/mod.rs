//! Who may sign requests, and the check that they did (admin-sigv4-facts §5): the long-term
//! keys the emulator knows (the built-in `test`/`test` pair of the account's root user and
//! `--credentials`), the temporary keys its STS issues, and `Keyring::authenticate`, which
//! every front door calls before dispatch. Operations see only the `Principal` it returns.
//! Secrets are compared in constant time and never logged.

pub mod sigv4;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::ids::IdGen;

/// The pair every local AWS emulator accepts (LocalStack's convention), here the account's
/// root user: printed in the banner, always verified.
pub const BUILT_IN_ACCESS_KEY_ID: &str = "test";
pub const BUILT_IN_SECRET_ACCESS_KEY: &str = "test";

/// AWS's window for a request's `X-Amz-Date` around the server's (wall) clock.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

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
fn well_formed_key_id(key: &str) -> bool {
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
    secret: String,
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

/// A signed caller: who signed, in which region, and whether the signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub access_key_id: String,
    pub region: String,
    pub identity: Identity,
    /// Temporary (STS) credentials, as AWS tells `ASIA…` keys apart.
    pub temporary: bool,
    /// False for a key the emulator does not know, accepted unchecked (not `--strict-credentials`);
    /// what a later rule that trusts only verified callers reads.
    pub verified: bool,
}

/// Why a signed request is refused. Each front door renders it in its own protocol: cognito-idp
/// as JSON 1.1 (§5.1), STS as query XML (§6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthError {
    /// No `Authorization` header.
    Missing,
    /// A header that is not SigV4, or lacks a part; AWS's text.
    Incomplete(String),
    /// A key nobody issued, or a session token that is not the key's.
    UnknownKey,
    /// The signature is not the one the key's secret gives.
    BadSignature,
    /// A scope or time the signature may not have; AWS's text.
    Refused(String),
    /// Temporary credentials past their expiry.
    ExpiredToken,
}

/// AWS's text for a request signed with a secret other than the key's.
const SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

impl AuthError {
    /// AWS's text for this refusal (admin-sigv4-facts §5.1; the same in JSON and query answers,
    /// except `Missing`, which each front door words itself).
    pub fn message(&self) -> String {
        match self {
            AuthError::Missing => "Missing Authentication Token".to_owned(),
            AuthError::Incomplete(message) | AuthError::Refused(message) => message.clone(),
            AuthError::UnknownKey => {
                "The security token included in the request is invalid.".to_owned()
            }
            AuthError::BadSignature => SIGNATURE_MISMATCH.to_owned(),
            AuthError::ExpiredToken => {
                "The security token included in the request is expired".to_owned()
            }
        }
    }
}

/// Credentials STS hands out.
#[derive(Clone, PartialEq, Eq)]
pub struct Issued {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: Timestamp,
}

/// A key's secret, and the signing key last derived from it: a client signs a whole day's
/// requests under one scope, so the four HMACs of the derivation run about once a day.
struct Secret {
    secret: Box<str>,
    derived: Mutex<Option<(String, [u8; 32])>>,
}

impl Secret {
    fn new(secret: &str) -> Arc<Secret> {
        Arc::new(Secret {
            secret: secret.into(),
            derived: Mutex::new(None),
        })
    }

    /// `kSigning` for `auth`'s scope (`scope` is `auth.scope()`).
    fn signing_key(&self, auth: &sigv4::Authorization<'_>, scope: &str) -> [u8; 32] {
        if let Some((cached, key)) = &*self.derived.lock() {
            if cached == scope {
                return *key;
            }
        }
        let key = sigv4::signing_key(&self.secret, auth.date, auth.region, auth.service);
        *self.derived.lock() = Some((scope.to_owned(), key));
        key
    }
}

struct LongTerm {
    secret: Arc<Secret>,
    identity: Identity,
}

struct Temporary {
    secret: Arc<Secret>,
    session_token: String,
    expires: Timestamp,
    identity: Identity,
}

/// How long an expired temporary key is remembered, so its use answers `ExpiredToken`
/// rather than "invalid" as AWS does.
const REMEMBER_EXPIRED: Duration = Duration::from_secs(24 * 3600);

/// At most this many temporary keys are kept (about 600 bytes each); past it, issuing one
/// forgets the key that expires first.
pub const MAX_TEMPORARY_KEYS: usize = 100_000;

/// Unknown keys warned about (one line each); past this many, no more are reported.
const MAX_WARNED_KEYS: usize = 1024;

/// The temporary keys STS issued, with an index by expiry so forgetting is O(log n).
#[derive(Default)]
struct Issuances {
    by_key: HashMap<String, Temporary>,
    by_expiry: BTreeSet<(Timestamp, String)>,
}

/// Every key the emulator can verify.
pub struct Keyring {
    long_term: HashMap<String, LongTerm>,
    temporary: RwLock<Issuances>,
    max_temporary: usize,
    strict: bool,
    warned: Mutex<HashSet<String>>,
}

impl Keyring {
    /// The built-in pair plus `extra` (a later entry for the same key wins).
    pub fn new(extra: &[KeySpec], strict: bool) -> Self {
        Self::with_capacity(extra, strict, MAX_TEMPORARY_KEYS)
    }

    /// `new` keeping at most `max_temporary` temporary keys.
    pub fn with_capacity(extra: &[KeySpec], strict: bool, max_temporary: usize) -> Self {
        let mut long_term = HashMap::new();
        long_term.insert(
            BUILT_IN_ACCESS_KEY_ID.to_owned(),
            LongTerm {
                secret: Secret::new(BUILT_IN_SECRET_ACCESS_KEY),
                identity: Identity::Root,
            },
        );
        for spec in extra {
            long_term.insert(
                spec.access_key_id.clone(),
                LongTerm {
                    secret: Secret::new(&spec.secret),
                    identity: spec.identity.clone(),
                },
            );
        }
        Keyring {
            long_term,
            temporary: RwLock::default(),
            max_temporary: max_temporary.max(1),
            strict,
            warned: Mutex::default(),
        }
    }

    pub fn strict(&self) -> bool {
        self.strict
    }

    /// Issues temporary credentials for `identity`, valid until `expiration` on the
    /// emulator's clock.
    pub fn issue(
        &self,
        ids: &IdGen,
        identity: Identity,
        now: Timestamp,
        expiration: Timestamp,
    ) -> Issued {
        let issued = Issued {
            access_key_id: ids.temporary_access_key_id(),
            secret_access_key: ids.secret_access_key(),
            session_token: ids.session_token(),
            expiration,
        };
        let forget_before = Timestamp(now.0.saturating_sub(REMEMBER_EXPIRED.as_millis() as i64));
        let mut temporary = self.temporary.write();
        let Issuances { by_key, by_expiry } = &mut *temporary;
        // Forget keys long expired, then, at the cap, the one that expires first: memory stays
        // bounded however many are issued, at O(log n) a key.
        while let Some((expires, key)) = by_expiry.first() {
            if *expires >= forget_before && by_key.len() < self.max_temporary {
                break;
            }
            by_key.remove(key);
            by_expiry.pop_first();
        }
        by_expiry.insert((expiration, issued.access_key_id.clone()));
        by_key.insert(
            issued.access_key_id.clone(),
            Temporary {
                secret: Secret::new(&issued.secret_access_key),
                session_token: issued.session_token.clone(),
                expires: expiration,
                identity,
            },
        );
        issued
    }

    /// Checks the SigV4 signature of `request` (§5.3) for `service` in `region`. `wall_now`
    /// judges the `X-Amz-Date` skew (clients sign with real time, whatever the emulator's
    /// clock says); `now`, the emulator's clock, judges the expiry of temporary credentials.
    pub fn authenticate(
        &self,
        request: &sigv4::Request<'_>,
        service: &str,
        region: &str,
        wall_now: Timestamp,
        now: Timestamp,
    ) -> Result<Principal, AuthError> {
        let header = |name: &str| request.headers.get(name).and_then(|v| v.to_str().ok());
        let authorization = header("authorization")
            .filter(|h| !h.trim().is_empty())
            .ok_or(AuthError::Missing)?;
        let auth = sigv4::parse(authorization).map_err(|m| AuthError::Incomplete(m.0))?;
        if !auth.signs("host") {
            return Err(AuthError::Incomplete(
                "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
                    .to_owned(),
            ));
        }
        let amz_date = header("x-amz-date").ok_or_else(|| {
            AuthError::Incomplete(format!("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization={authorization}"))
        })?;
        let signed_at = Timestamp::parse_amz_date(amz_date).ok_or_else(|| {
            AuthError::Incomplete(format!("Date must be in ISO-8601 'basic format'. Got '{amz_date}'. See http://en.wikipedia.org/wiki/ISO_8601"))
        })?;
        let session_token = header("x-amz-security-token");
        let key = auth.access_key_id;
        let (secret, identity, temporary) = match self.lookup(key, session_token, now)? {
            Some(found) => found,
            None if self.strict || !well_formed_key_id(key) => return Err(AuthError::UnknownKey),
            None => {
                self.warn_once(key);
                // An unknown key is an IAM user named after it, so answers about it (and
                // AssumeRole, which the root user may not call) work with dummy keys.
                let identity = Identity::User {
                    name: key.to_owned(),
                };
                (None, identity, key.starts_with("ASIA"))
            }
        };
        check_scope(&auth, amz_date, service, region)?;
        check_skew(amz_date, signed_at, wall_now)?;
        let verified = match secret {
            Some(secret) => {
                let canonical = sigv4::canonical_request(request, auth.signed_headers);
                let scope = auth.scope();
                let to_sign = sigv4::string_to_sign(amz_date, &scope, &canonical);
                let signing_key = secret.signing_key(&auth, &scope);
                let expected = sigv4::signature(&signing_key, &to_sign);
                if !bool::from(expected.as_bytes().ct_eq(auth.signature.as_bytes())) {
                    return Err(AuthError::BadSignature);
                }
                true
            }
            None => false,
        };
        Ok(Principal {
            access_key_id: key.to_owned(),
            region: auth.region.to_owned(),
            identity,
            temporary,
            verified,
        })
    }

    /// The secret, identity and temporariness of `key`; `None` for a key nobody issued.
    #[allow(clippy::type_complexity)] // A private triple, named at its one use.
    fn lookup(
        &self,
        key: &str,
        session_token: Option<&str>,
        now: Timestamp,
    ) -> Result<Option<(Option<Arc<Secret>>, Identity, bool)>, AuthError> {
        if let Some(long_term) = self.long_term.get(key) {
            // AWS: a session token with a long-term key is an invalid token.
            if session_token.is_some() {
                return Err(AuthError::UnknownKey);
            }
            return Ok(Some((
                Some(Arc::clone(&long_term.secret)),
                long_term.identity.clone(),
                false,
            )));
        }
        let temporary = self.temporary.read();
        let Some(issued) = temporary.by_key.get(key) else {
            return Ok(None);
        };
        let token_matches = session_token
            .is_some_and(|t| bool::from(t.as_bytes().ct_eq(issued.session_token.as_bytes())));
        if !token_matches {
            return Err(AuthError::UnknownKey);
        }
        if now >= issued.expires {
            return Err(AuthError::ExpiredToken);
        }
        Ok(Some((
            Some(Arc::clone(&issued.secret)),
            issued.identity.clone(),
            true,
        )))
    }

    fn warn_once(&self, key: &str) {
        let first = {
            let mut warned = self.warned.lock();
            if warned.contains(key) || warned.len() > MAX_WARNED_KEYS {
                None
            } else if warned.len() == MAX_WARNED_KEYS {
                warned.insert(String::new()); // Marks the cap as reported.
                Some(false)
            } else {
                warned.insert(key.to_owned());
                Some(true)
            }
        };
        match first {
            Some(true) => tracing::warn!(
                access_key_id = ?key,
                "accepted a request signed with an access key this emulator does not know, without checking its signature; \
                 start with --strict-credentials to refuse such keys as AWS does, or add the key with --credentials KEY:SECRET to check it"
            ),
            Some(false) => tracing::warn!(
                "{MAX_WARNED_KEYS} unknown access keys reported; further ones are accepted without a warning"
            ),
            None => {}
        }
    }
}

/// The credential scope must carry the request's date, this service and this region.
fn check_scope(
    auth: &sigv4::Authorization<'_>,
    amz_date: &str,
    service: &str,
    region: &str,
) -> Result<(), AuthError> {
    let day = amz_date.get(..8).unwrap_or_default();
    if auth.date != day {
        return Err(AuthError::Refused(format!(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{day}', from '{amz_date}'.",
            auth.date
        )));
    }
    if auth.service != service {
        return Err(AuthError::Refused(format!(
            "Credential should be scoped to correct service: '{service}'. "
        )));
    }
    if auth.region != region {
        return Err(AuthError::Refused(format!(
            "Credential should be scoped to a valid region, not '{}'. ",
            auth.region
        )));
    }
    Ok(())
}

/// `X-Amz-Date` within `MAX_SKEW` of the wall clock, with AWS's texts (§5.1).
fn check_skew(amz_date: &str, signed_at: Timestamp, wall_now: Timestamp) -> Result<(), AuthError> {
    let window = MAX_SKEW.as_millis() as i64;
    let earliest = Timestamp(wall_now.0 - window);
    let latest = Timestamp(wall_now.0 + window);
    if signed_at < earliest {
        return Err(AuthError::Refused(format!(
            "Signature expired: {amz_date} is now earlier than {} ({} - 5 min.)",
            earliest.amz_date(),
            wall_now.amz_date()
        )));
    }
    if signed_at > latest {
        return Err(AuthError::Refused(format!(
            "Signature not yet current: {amz_date} is still later than {} ({} + 5 min.)",
            latest.amz_date(),
            wall_now.amz_date()
        )));
    }
    Ok(())
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

    #[test]
    fn temporary_keys_stay_bounded_and_the_soonest_to_expire_goes_first() {
        let keyring = Keyring::with_capacity(&[], false, 3);
        let ids = IdGen::new(Some(7));
        let now = Timestamp::from_secs(1_700_000_000);
        let at = |secs: i64| Timestamp::from_secs(1_700_000_000 + secs);
        let issued: Vec<Issued> = [900, 3600, 1800, 7200]
            .into_iter()
            .map(|life| keyring.issue(&ids, Identity::Root, now, at(life)))
            .collect();
        let held = |issued: &Issued| {
            keyring
                .temporary
                .read()
                .by_key
                .contains_key(&issued.access_key_id)
        };
        assert_eq!(keyring.temporary.read().by_key.len(), 3);
        assert!(
            !held(&issued[0]),
            "the 900 s key expires first and is forgotten at the cap"
        );
        assert!(held(&issued[1]) && held(&issued[2]) && held(&issued[3]));
        // A day and more after expiry keys are forgotten even below the cap.
        let later = at(7200 + 24 * 3600 + 1);
        let fresh = keyring.issue(&ids, Identity::Root, later, at(7200 + 2 * 24 * 3600));
        assert_eq!(keyring.temporary.read().by_key.len(), 1);
        assert!(held(&fresh));
        assert_eq!(keyring.temporary.read().by_expiry.len(), 1);
    }
}

#[cfg(test)]
mod cost {
    use super::*;
    use axum::http::{HeaderMap, HeaderValue};

    /// Prints what one verification costs (run with `--release --ignored --nocapture`); asserts nothing.
    #[test]
    #[ignore]
    fn print_the_cost_of_authenticate() {
        let keyring = Keyring::new(&[], true);
        let body = br#"{"UserPoolId":"us-east-1_abcdefghi","Username":"user-000123"}"#;
        let now = Timestamp::from_secs(1_796_180_000);
        let amz_date = now.amz_date();
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("127.0.0.1:9229"));
        headers.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        headers.insert(
            "x-amz-target",
            HeaderValue::from_static("AWSCognitoIdentityProviderService.AdminGetUser"),
        );
        headers.insert("x-amz-date", HeaderValue::from_str(&amz_date).unwrap());
        let signed = "content-type;host;x-amz-date;x-amz-target";
        let request = sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let scope = format!("{}/us-east-1/cognito-idp/aws4_request", &amz_date[..8]);
        let key = sigv4::signing_key("test", &amz_date[..8], "us-east-1", "cognito-idp");
        let signature = sigv4::signature(
            &key,
            &sigv4::string_to_sign(
                &amz_date,
                &scope,
                &sigv4::canonical_request(&request, signed),
            ),
        );
        headers.insert(
            "authorization",
            HeaderValue::from_str(&format!("AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={signed}, Signature={signature}")).unwrap(),
        );
        let request = sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let rounds = 200_000;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            keyring
                .authenticate(&request, "cognito-idp", "us-east-1", now, now)
                .unwrap();
        }
        let whole = started.elapsed() / rounds;
        let started = std::time::Instant::now();
        for _ in 0..rounds {
            std::hint::black_box(sigv4::signing_key(
                "test",
                &amz_date[..8],
                "us-east-1",
                "cognito-idp",
            ));
        }
        let derivation = started.elapsed() / rounds;
        println!("authenticate: {whole:?} per request, of which key derivation {derivation:?}");
    }
}
