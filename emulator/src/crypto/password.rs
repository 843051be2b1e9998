//! Slow password hashing (Argon2id, PHC string format) for `--strong-password-hashing`.
//! Does not check password policy and draws no randomness: the caller passes the 16-byte salt.
//! RFC 9106 (Argon2) via the `argon2` crate, with OWASP's parameters (the crate default:
//! 19 MiB, 2 passes, 1 lane). The `argon2` crate earns its place: a reviewed RustCrypto
//! implementation with the PHC string format, which nobody should write by hand.

use std::fmt;

use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// An Argon2id hash in PHC string form (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
///
/// `Debug` never prints the string, so logging a user record does not leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordHash(String);

impl PasswordHash {
    /// The PHC string, for persisting.
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// Re-reads a persisted PHC string; `None` unless it is a complete Argon2id hash
    /// (algorithm, parameters, salt and output).
    pub fn from_phc(phc: String) -> Option<Self> {
        let parsed = argon2::PasswordHash::new(&phc).ok()?;
        let complete = parsed.algorithm == argon2::ARGON2ID_IDENT
            && parsed.salt.is_some()
            && parsed.hash.is_some()
            && Params::try_from(&parsed).is_ok();
        complete.then_some(Self(phc))
    }
}

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(..)")
    }
}

/// Hashes `password` with Argon2id under the given salt. Takes tens of milliseconds.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> PasswordHash {
    let salt = SaltString::encode_b64(salt).expect("16 bytes is a valid PHC salt length");
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
    let hash = hasher
        .hash_password(password.as_bytes(), &salt)
        .expect("valid parameters, salt and output length cannot fail");
    PasswordHash(hash.to_string())
}

/// Whether `password` matches `hash`. The final comparison is constant-time (argon2's `Output`).
/// A malformed hash is simply a mismatch.
pub fn verify_password(password: &str, hash: &PasswordHash) -> bool {
    let Ok(parsed) = argon2::PasswordHash::new(&hash.0) else {
        return false;
    };
    // Algorithm, version and cost parameters are taken from the PHC string itself.
    Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SALT: [u8; 16] = *b"0123456789abcdef";

    fn params_of(hash: &PasswordHash) -> Params {
        let parsed = argon2::PasswordHash::new(hash.as_phc()).unwrap();
        Params::try_from(&parsed).unwrap()
    }

    #[test]
    fn round_trip() {
        let hash = hash_password("Correct horse 1!", &SALT);
        assert!(hash.as_phc().starts_with("$argon2id$v=19$"));
        assert!(verify_password("Correct horse 1!", &hash));
        assert!(!verify_password("Correct horse 1", &hash));
        assert!(!verify_password("", &hash));
    }

    #[test]
    fn non_ascii_password_round_trip() {
        let hash = hash_password("Pässwörd✓", &SALT);
        assert!(verify_password("Pässwörd✓", &hash));
        assert!(!verify_password("Passwörd✓", &hash));
    }

    #[test]
    fn hash_does_not_contain_password_and_debug_hides_it() {
        let password = "SuperSecretPassword123";
        let hash = hash_password(password, &SALT);
        assert!(!hash.as_phc().contains(password));
        let debug = format!("{hash:?}");
        assert_eq!(debug, "PasswordHash(..)");
        assert!(!debug.contains("argon2"));
    }

    #[test]
    fn salt_changes_hash() {
        let a = hash_password("pw", &SALT);
        let b = hash_password("pw", &[7; 16]);
        assert_ne!(a, b);
        assert!(verify_password("pw", &b));
    }

    #[test]
    fn uses_owasp_parameters() {
        // OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
        let params = params_of(&hash_password("pw", &SALT));
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19 * 1024, 2, 1)
        );
    }

    #[test]
    fn malformed_hash_is_a_mismatch() {
        assert!(!verify_password(
            "pw",
            &PasswordHash("not a phc string".into())
        ));
        assert!(PasswordHash::from_phc("$nope".into()).is_none());
        assert!(PasswordHash::from_phc("$argon2id$v=19$m=8,t=1,p=1".into()).is_none());
        let argon2i = "$argon2i$v=19$m=8,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$2H7ZxRVw0wWAKS+ahGBCqQ";
        assert!(PasswordHash::from_phc(argon2i.into()).is_none());
        let good = hash_password("pw", &SALT);
        let reread = PasswordHash::from_phc(good.as_phc().to_owned()).unwrap();
        assert!(verify_password("pw", &reread));
    }
}
