//! A user of a pool, with their credentials, pending codes and sign-in sessions.

use std::collections::BTreeMap;
use std::sync::Arc;

use num_bigint::BigUint;

use super::Attributes;
use crate::clock::Timestamp;
pub use crate::crypto::credentials::Credentials;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ResetRequired,
    ForceChangePassword,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "UNCONFIRMED",
            UserStatus::Confirmed => "CONFIRMED",
            UserStatus::ResetRequired => "RESET_REQUIRED",
            UserStatus::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
        }
    }
}

/// A code sent to the user and not yet used.
#[derive(Debug, Clone)]
pub struct PendingCode {
    pub code: String,
    pub expires: Timestamp,
    pub failed_attempts: u32,
}

/// One sign-in: the tokens it issued share `event_id` and `origin_jti`, including those
/// minted later from its refresh token. Revoking it revokes them all.
#[derive(Debug, Clone)]
pub struct SignInSession {
    pub client_id: String,
    pub origin_jti: String,
    pub refresh_token: String,
    pub auth_time: Timestamp,
    pub refresh_expires: Timestamp,
}

/// A PASSWORD_VERIFIER challenge that USER_SRP_AUTH handed out, kept by its SECRET_BLOCK
/// until answered or expired (pycognito answers without a Session, so the block is the key).
#[derive(Debug, Clone)]
pub struct SrpChallenge {
    pub client_id: String,
    /// The user's key in `UserPool::users`; `None` for the simulated challenge of an unknown
    /// user (PreventUserExistenceErrors), which no answer can pass.
    pub user_key: Option<String>,
    /// USER_ID_FOR_SRP: the internal username, or a made-up one for an unknown user.
    pub user_id_for_srp: String,
    /// The name the caller signed in with: SECRET_HASH may be computed over it.
    pub username_given: String,
    /// The credentials the challenge was made from: a password changed or reset meanwhile
    /// makes the challenge unanswerable. `None` for a made-up challenge.
    pub credentials: Option<Arc<Credentials>>,
    /// The client's `A`, the server's secret `b` and public `B`, and the verifier they used.
    pub a_pub: BigUint,
    pub b: BigUint,
    pub b_pub: BigUint,
    pub verifier: BigUint,
    pub expires: Timestamp,
    /// Answered once already: a second answer is refused.
    pub answered: bool,
}

/// A software token (TOTP authenticator) from AssociateSoftwareToken.
#[derive(Clone)]
pub struct SoftwareToken {
    pub secret: Vec<u8>,
    /// VerifySoftwareToken accepted a code for it.
    pub verified: bool,
    /// VerifySoftwareToken's `FriendlyDeviceName`.
    pub friendly_name: Option<String>,
    /// The last time step a sign-in accepted, so a code signs in only once.
    pub last_step: Option<u64>,
}

impl std::fmt::Debug for SoftwareToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SoftwareToken")
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

/// What a sign-in still needs after the password: the challenge, and for how long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MfaChallenge {
    /// A code from the user's authenticator (`SOFTWARE_TOKEN_MFA`).
    SoftwareToken,
    /// The pool requires MFA and the user has no factor yet (`MFA_SETUP`).
    Setup,
}

impl MfaChallenge {
    pub fn name(self) -> &'static str {
        match self {
            MfaChallenge::SoftwareToken => "SOFTWARE_TOKEN_MFA",
            MfaChallenge::Setup => "MFA_SETUP",
        }
    }
}

/// A sign-in between its password step and its MFA step, by the `Session` it was given.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub client_id: String,
    pub user_key: String,
    pub challenge: MfaChallenge,
    pub expires: Timestamp,
    /// Answered: a second answer is refused.
    pub used: bool,
    /// MFA_SETUP: the token AssociateSoftwareToken made with this session, before it is the
    /// user's.
    pub setup_token: Option<SoftwareToken>,
}

#[derive(Debug, Clone)]
pub struct User {
    /// The internal username: what the caller chose, or for pools whose users sign in
    /// with email/phone (`UsernameAttributes`) the `sub` UUID.
    pub username: String,
    pub sub: String,
    /// Attribute values as strings (as GetUser returns them), by name; includes `sub`.
    pub attributes: Attributes,
    pub status: UserStatus,
    pub enabled: bool,
    pub created: Timestamp,
    pub last_modified: Timestamp,
    /// Shared, so snapshots taken for hashing outside the lock copy a pointer.
    pub credentials: Option<Arc<Credentials>>,
    pub sign_up_code: Option<PendingCode>,
    pub forgot_password_code: Option<PendingCode>,
    /// Attribute verification codes by attribute name (`email`, `phone_number`).
    pub attribute_codes: BTreeMap<String, PendingCode>,
    pub failed_sign_ins: u32,
    pub locked_until: Option<Timestamp>,
    /// Live sign-in sessions by `event_id`.
    pub sessions: BTreeMap<String, SignInSession>,
    /// The verified software token: the user's MFA factor once turned on.
    pub software_token: Option<SoftwareToken>,
    /// A token AssociateSoftwareToken made and VerifySoftwareToken has not accepted yet; it
    /// replaces `software_token` when verified.
    pub pending_software_token: Option<SoftwareToken>,
    /// SetUserMFAPreference: software-token MFA enabled for sign-in, and preferred.
    pub totp_enabled: bool,
    pub totp_preferred: bool,
}

impl User {
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attribute(&format!("{attribute}_verified")) == Some("true")
    }
}
