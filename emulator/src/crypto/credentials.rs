//! What the emulator keeps of a user's password: never the password, always what SRP needs.
//!
//! SRP (USER_SRP_AUTH) needs the salt and the verifier `v = g^x mod N`, where `x` is a salted,
//! double SHA-256 of the password (wire facts §5.2); password flows (USER_PASSWORD_AUTH,
//! ChangePassword) need a way to check a password. Two modes:
//!
//! - Default: keep the salt and `x`. A password is checked by recomputing `x` (two SHA-256 calls)
//!   and comparing in constant time; `v` is derived from `x` on first SRP use. `x` is as strong
//!   as a salted SHA-256 and is the weakest thing kept in this mode, so a slow hash beside it
//!   would cost every sign-up without protecting anything: this mode has none.
//! - Hardened (`--strong-password-hashing`): keep an Argon2id hash (OWASP parameters) for
//!   password checks and `v` itself, computed at once, and drop `x`. Nothing kept is cheaper to
//!   attack than Argon2id or the discrete logarithm, at the price of tens of milliseconds for
//!   every new password and every password check.

use std::fmt;
use std::sync::OnceLock;

use subtle::ConstantTimeEq;

use super::password::{self, PasswordHash};
use super::srp::{self, SrpVerifier};

/// A user's password material. Build it with no lock held: both constructors hash.
pub struct Credentials {
    salt: [u8; 16],
    kept: Kept,
}

enum Kept {
    Default {
        x: [u8; 32],
        /// Boxed, here and below: a user's credentials count a million times, and most users
        /// never sign in with SRP.
        verifier: OnceLock<Box<SrpVerifier>>,
    },
    Hardened {
        hash: PasswordHash,
        verifier: Box<SrpVerifier>,
    },
}

/// The inputs of `x` besides the salt: the pool name (the part of the pool id after `_`) and
/// the internal username (USER_ID_FOR_SRP, never an alias).
#[derive(Clone, Copy)]
pub struct SrpIdentity<'a> {
    pub pool_name: &'a str,
    pub user_id: &'a str,
}

impl<'a> SrpIdentity<'a> {
    pub fn new(user_pool_id: &'a str, username: &'a str) -> Self {
        SrpIdentity {
            pool_name: srp::pool_name(user_pool_id),
            user_id: username,
        }
    }
}

impl Credentials {
    /// Default mode: the SRP salt and `x`. Microseconds.
    pub fn new(identity: SrpIdentity<'_>, password: &str, salt: [u8; 16]) -> Self {
        let x = srp::private_key(identity.pool_name, identity.user_id, password, &salt);
        Credentials {
            salt,
            kept: Kept::Default {
                x,
                verifier: OnceLock::new(),
            },
        }
    }

    /// Hardened mode: an Argon2id hash under `argon2_salt` and the SRP verifier. Tens of
    /// milliseconds.
    pub fn hardened(
        identity: SrpIdentity<'_>,
        password: &str,
        salt: [u8; 16],
        argon2_salt: [u8; 16],
    ) -> Self {
        let x = srp::private_key(identity.pool_name, identity.user_id, password, &salt);
        Credentials {
            salt,
            kept: Kept::Hardened {
                hash: password::hash_password(password, &argon2_salt),
                verifier: Box::new(SrpVerifier {
                    salt: salt.to_vec(),
                    verifier: srp::verifier_from_key(&x),
                }),
            },
        }
    }

    /// Whether `password` is this user's, with the same identity the credentials were made for.
    /// Constant-time in the comparison; slow in hardened mode.
    pub fn matches(&self, identity: SrpIdentity<'_>, password: &str) -> bool {
        match &self.kept {
            Kept::Default { x, .. } => {
                let given =
                    srp::private_key(identity.pool_name, identity.user_id, password, &self.salt);
                given.ct_eq(x).into()
            }
            Kept::Hardened { hash, .. } => password::verify_password(password, hash),
        }
    }

    /// The salt and verifier for USER_SRP_AUTH. The first call in default mode does a 3072-bit
    /// modular exponentiation (about 1.4 ms): call with no lock held.
    pub fn srp_verifier(&self) -> &SrpVerifier {
        match &self.kept {
            Kept::Default { x, verifier } => verifier.get_or_init(|| {
                Box::new(SrpVerifier {
                    salt: self.salt.to_vec(),
                    verifier: srp::verifier_from_key(x),
                })
            }),
            Kept::Hardened { verifier, .. } => verifier,
        }
    }
}

/// What `Credentials` keep, as plain values, for `--data-dir`: never the password.
#[derive(Clone, PartialEq, Eq)]
pub enum StoredCredentials {
    /// The SRP salt and private key `x`.
    Default { salt: [u8; 16], x: [u8; 32] },
    /// The SRP salt, the Argon2id PHC string and the SRP verifier `v` (big-endian bytes).
    Hardened {
        salt: [u8; 16],
        phc: String,
        verifier: Vec<u8>,
    },
}

impl Credentials {
    /// The values to persist.
    pub fn to_stored(&self) -> StoredCredentials {
        match &self.kept {
            Kept::Default { x, .. } => StoredCredentials::Default {
                salt: self.salt,
                x: *x,
            },
            Kept::Hardened { hash, verifier } => StoredCredentials::Hardened {
                salt: self.salt,
                phc: hash.as_phc().to_owned(),
                verifier: verifier.verifier.to_bytes_be(),
            },
        }
    }

    /// Credentials read back from `to_stored`'s values; `None` for an incomplete PHC string.
    pub fn from_stored(stored: StoredCredentials) -> Option<Self> {
        Some(match stored {
            StoredCredentials::Default { salt, x } => Credentials {
                salt,
                kept: Kept::Default {
                    x,
                    verifier: OnceLock::new(),
                },
            },
            StoredCredentials::Hardened {
                salt,
                phc,
                verifier,
            } => Credentials {
                salt,
                kept: Kept::Hardened {
                    hash: PasswordHash::from_phc(phc)?,
                    verifier: Box::new(SrpVerifier {
                        salt: salt.to_vec(),
                        verifier: num_bigint::BigUint::from_bytes_be(&verifier),
                    }),
                },
            },
        })
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Credentials(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOL_ID: &str = "us-east-1_AbC123";
    const SALT: [u8; 16] = [7; 16];

    fn alice() -> SrpIdentity<'static> {
        SrpIdentity::new(POOL_ID, "alice")
    }

    #[test]
    fn default_mode_checks_the_password_and_derives_the_verifier() {
        let credentials = Credentials::new(alice(), "Correct-Horse-1", SALT);
        assert!(credentials.matches(alice(), "Correct-Horse-1"));
        assert!(!credentials.matches(alice(), "Correct-Horse-2"));
        assert!(!credentials.matches(alice(), ""));
        // x binds the pool and the username too.
        assert!(!credentials.matches(SrpIdentity::new(POOL_ID, "bob"), "Correct-Horse-1"));
        assert!(!credentials.matches(
            SrpIdentity::new("us-east-1_Other", "alice"),
            "Correct-Horse-1"
        ));
        let expected = srp::compute_verifier("AbC123", "alice", "Correct-Horse-1", &SALT);
        assert_eq!(credentials.srp_verifier(), &expected);
    }

    #[test]
    fn hardened_mode_keeps_argon2_and_the_verifier_only() {
        let credentials = Credentials::hardened(alice(), "Correct-Horse-1", SALT, [9; 16]);
        assert!(matches!(credentials.kept, Kept::Hardened { .. }));
        assert!(credentials.matches(alice(), "Correct-Horse-1"));
        assert!(!credentials.matches(alice(), "Correct-Horse-2"));
        let expected = srp::compute_verifier("AbC123", "alice", "Correct-Horse-1", &SALT);
        assert_eq!(credentials.srp_verifier(), &expected);
    }

    #[test]
    fn stored_values_give_back_credentials_that_check_the_same_password() {
        for credentials in [
            Credentials::new(alice(), "Correct-Horse-1", SALT),
            Credentials::hardened(alice(), "Correct-Horse-1", SALT, [9; 16]),
        ] {
            let stored = credentials.to_stored();
            let back = Credentials::from_stored(stored.clone()).unwrap();
            assert!(back.matches(alice(), "Correct-Horse-1"));
            assert!(!back.matches(alice(), "Correct-Horse-2"));
            let expected = srp::compute_verifier("AbC123", "alice", "Correct-Horse-1", &SALT);
            assert_eq!(back.srp_verifier(), &expected);
            assert!(back.to_stored() == stored);
        }
        let broken = StoredCredentials::Hardened {
            salt: SALT,
            phc: "$argon2id$v=19$incomplete".to_owned(),
            verifier: vec![1],
        };
        assert!(Credentials::from_stored(broken).is_none());
    }

    #[test]
    fn debug_shows_nothing() {
        let credentials = Credentials::new(alice(), "Correct-Horse-1", SALT);
        assert_eq!(format!("{credentials:?}"), "Credentials(..)");
    }
}
