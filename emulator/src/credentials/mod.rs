//! Who may sign requests, and the check that they did (admin-sigv4-facts §5): the long-term
//! keys the emulator knows (the built-in `test`/`test` pair of the account's root user and
//! `--credentials`), the temporary keys its STS issues, and `Keyring::authenticate`, which
//! every front door calls before dispatch. Operations see only the `Principal` it returns.
//! Secrets are compared in constant time and never logged.

mod keys;
pub mod sigv4;

use keys::well_formed_key_id;
pub use keys::{is_iam_name, role_id, Identity, KeySpec, KeySpecs};

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::ids::IdGen;

/// The pair every local AWS emulator accepts (LocalStack's convention), here the account's
/// root user: printed in the banner, always verified.
pub const BUILT_IN_ACCESS_KEY_ID: &str = "test";
pub const BUILT_IN_SECRET_ACCESS_KEY: &str = "test";

/// AWS's window for a request's `X-Amz-Date` around the server's (wall) clock.
pub const MAX_SKEW: Duration = Duration::from_secs(5 * 60);

/// A signed caller: who signed, in which region, and whether the signature was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub access_key_id: String,
    pub region: String,
    pub identity: Identity,
    /// Temporary (STS) credentials, as AWS tells `ASIA…` keys apart.
    pub temporary: bool,
    /// False for a key the emulator does not know, accepted unchecked (not `--strict-credentials`,
    /// and never from a browser: see `Keyring::authenticate`).
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
pub const REMEMBER_EXPIRED: Duration = Duration::from_secs(24 * 3600);

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
        self.insert(issued.clone(), identity, now);
        issued
    }

    /// Puts back a key issued before a restart (`--data-dir`), under the same limits.
    pub fn restore(&self, issued: Issued, identity: Identity, now: Timestamp) {
        self.insert(issued, identity, now);
    }

    fn insert(&self, issued: Issued, identity: Identity, now: Timestamp) {
        let expiration = issued.expiration;
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
    }

    /// Checks the SigV4 signature of `request` (§5.3) for `service` in `region`. `wall_now`
    /// judges the `X-Amz-Date` skew (clients sign with real time, whatever the emulator's
    /// clock says); `now`, the emulator's clock, judges the expiry of temporary credentials.
    ///
    /// A key nobody issued is accepted unchecked only when not `--strict-credentials` and the
    /// request has no `Origin` header. Browsers send `Origin` on every cross-origin request
    /// and SDKs outside browsers never do, so a web page on another site cannot drive the
    /// admin API with a made-up signature: it gets AWS's answer for an unknown key.
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
            None if self.strict
                || !well_formed_key_id(key)
                || request.headers.contains_key("origin") =>
            {
                return Err(AuthError::UnknownKey)
            }
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
