//! A user of a pool, with their credentials, pending codes and sign-in sessions.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

use num_bigint::BigUint;

use super::{Attributes, ExpiringMap};
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

    /// `as_str` lower-cased, as ListUsers compares it (case-insensitively).
    pub fn as_lowercase(self) -> &'static str {
        match self {
            UserStatus::Unconfirmed => "unconfirmed",
            UserStatus::Confirmed => "confirmed",
            UserStatus::ResetRequired => "reset_required",
            UserStatus::ForceChangePassword => "force_change_password",
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

impl super::Expiring for SignInSession {
    fn expires(&self) -> Timestamp {
        self.refresh_expires
    }
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

/// The challenges a sign-in can ask (`ChallengeNameType`), those this emulator implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Challenge {
    /// SRP's proof of the password (`PASSWORD_VERIFIER`).
    PasswordVerifier,
    /// The user signed in with a temporary password and must choose one
    /// (`NEW_PASSWORD_REQUIRED`).
    NewPasswordRequired,
    /// A code from the user's authenticator (`SOFTWARE_TOKEN_MFA`).
    SoftwareTokenMfa,
    /// The pool requires MFA and the user has no factor yet (`MFA_SETUP`).
    MfaSetup,
}

impl Challenge {
    pub fn name(self) -> &'static str {
        match self {
            Challenge::PasswordVerifier => "PASSWORD_VERIFIER",
            Challenge::NewPasswordRequired => "NEW_PASSWORD_REQUIRED",
            Challenge::SoftwareTokenMfa => "SOFTWARE_TOKEN_MFA",
            Challenge::MfaSetup => "MFA_SETUP",
        }
    }

    /// The wire name, for the challenges this emulator implements.
    pub fn parse(name: &str) -> Option<Self> {
        [
            Challenge::PasswordVerifier,
            Challenge::NewPasswordRequired,
            Challenge::SoftwareTokenMfa,
            Challenge::MfaSetup,
        ]
        .into_iter()
        .find(|c| c.name() == name)
    }
}

/// A sign-in between two steps (password and MFA, or temporary password and new password),
/// by the `Session` it was given.
#[derive(Debug, Clone)]
pub struct AuthSession {
    pub client_id: String,
    pub user_key: String,
    /// The user it was opened for: a user deleted and created again under the same name is
    /// someone else (`sub`), and a password set meanwhile ends the session (`credentials`).
    pub sub: String,
    pub credentials: Option<Arc<Credentials>>,
    pub challenge: Challenge,
    pub expires: Timestamp,
    /// Answered: a second answer is refused.
    pub used: bool,
    /// MFA_SETUP: the token AssociateSoftwareToken made with this session, before it is the
    /// user's.
    pub setup_token: Option<SoftwareToken>,
}

/// One entry of AdminListUserAuthEvents: a sign-in attempt and how it ended.
#[derive(Debug, Clone)]
pub struct AuthEvent {
    pub event_id: String,
    pub created: Timestamp,
    /// `Pass`, `Fail` or `InProgress` (`EventResponseType`).
    pub response: &'static str,
    /// `(ChallengeName, ChallengeResponse)`, e.g. `("Password", "Success")`.
    pub challenges: Vec<(&'static str, &'static str)>,
}

impl AuthSession {
    /// A fresh session of `client_id`'s sign-in of `user` (stored under `user_key`), open
    /// until `expires`.
    pub fn new(
        client_id: &str,
        user_key: &str,
        user: &User,
        challenge: Challenge,
        expires: Timestamp,
    ) -> Self {
        AuthSession {
            client_id: client_id.to_owned(),
            user_key: user_key.to_owned(),
            sub: user.sub.clone(),
            credentials: user.credentials.clone(),
            challenge,
            expires,
            used: false,
            setup_token: None,
        }
    }
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
    /// Boxed, like the software tokens below: most users have none, and a user's size counts
    /// a hundred thousand times.
    pub sign_up_code: Option<Box<PendingCode>>,
    pub forgot_password_code: Option<Box<PendingCode>>,
    /// Attribute verification codes by attribute name (`email`, `phone_number`).
    pub attribute_codes: BTreeMap<String, PendingCode>,
    /// Failed sign-ins (passwords, SRP proofs, MFA codes, ChangePassword's PreviousPassword)
    /// since the last successful sign-in or the last 15 quiet minutes.
    pub failed_sign_ins: u32,
    pub locked_until: Option<Timestamp>,
    /// When `failed_sign_ins` last grew: 15 quiet minutes after it, the count starts again.
    pub last_failed_sign_in: Option<Timestamp>,
    /// The user's recent requests that AWS limits per user (codes sent, wrong codes,
    /// ChangePassword calls). Boxed, as most users have none; not saved by `--data-dir`.
    pub limits: Option<Box<RateWindows>>,
    /// Live sign-in sessions by `event_id`, ordered by expiry too.
    pub sessions: ExpiringMap<SignInSession>,
    /// Refresh tokens of sign-ins revoked before their expiry: token → (`event_id`, expiry),
    /// so they answer "has been revoked" (also after a restart) until they would have expired.
    /// Boxed: most users have none.
    pub revoked_refresh_tokens: Option<Box<ExpiringMap<(String, Timestamp)>>>,
    /// The verified software token: the user's MFA factor once turned on.
    pub software_token: Option<Box<SoftwareToken>>,
    /// A token AssociateSoftwareToken made and VerifySoftwareToken has not accepted yet; it
    /// replaces `software_token` when verified.
    pub pending_software_token: Option<Box<SoftwareToken>>,
    /// SetUserMFAPreference: software-token MFA enabled for sign-in, and preferred.
    pub totp_enabled: bool,
    pub totp_preferred: bool,
    /// Names of the groups the user is in (see `UserPool::join_group`).
    pub groups: BTreeSet<String>,
    /// A temporary password (FORCE_CHANGE_PASSWORD) stops working at this time.
    pub temporary_password_expires: Option<Timestamp>,
    /// The latest sign-in attempts, newest last (at most `MAX_AUTH_EVENTS`).
    pub auth_events: VecDeque<AuthEvent>,
}

/// Per-user request windows, by what they count (`auth::limits` names them): the times of
/// the latest requests, oldest first, never more than the window's allowance.
#[derive(Debug, Clone, Default)]
pub struct RateWindows {
    pub windows: BTreeMap<&'static str, VecDeque<Timestamp>>,
}

/// Sign-in events kept per user for AdminListUserAuthEvents.
pub const MAX_AUTH_EVENTS: usize = 50;

impl AuthSession {
    /// Whether `user` is still the one this session was opened for, with the same password.
    pub fn still_for(&self, user: &User) -> bool {
        let same_password = match (&self.credentials, &user.credentials) {
            (Some(then), Some(now)) => Arc::ptr_eq(then, now),
            (None, None) => true,
            _ => false,
        };
        self.sub == user.sub && same_password
    }
}

impl User {
    /// A new user with no password, codes or sessions yet.
    pub fn new(
        username: String,
        sub: String,
        attributes: Attributes,
        status: UserStatus,
        now: Timestamp,
    ) -> Self {
        User {
            username,
            sub,
            attributes,
            status,
            enabled: true,
            created: now,
            last_modified: now,
            credentials: None,
            sign_up_code: None,
            forgot_password_code: None,
            attribute_codes: BTreeMap::new(),
            failed_sign_ins: 0,
            locked_until: None,
            last_failed_sign_in: None,
            limits: None,
            sessions: ExpiringMap::default(),
            revoked_refresh_tokens: None,
            software_token: None,
            pending_software_token: None,
            totp_enabled: false,
            totp_preferred: false,
            groups: BTreeSet::new(),
            temporary_password_expires: None,
            auth_events: VecDeque::new(),
        }
    }

    /// Records a sign-in attempt for AdminListUserAuthEvents, forgetting the oldest.
    pub fn record_auth_event(&mut self, event: AuthEvent) {
        if self.auth_events.len() >= MAX_AUTH_EVENTS {
            self.auth_events.pop_front();
        }
        self.auth_events.push_back(event);
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn is_verified(&self, attribute: &str) -> bool {
        self.attribute(&format!("{attribute}_verified")) == Some("true")
    }
}
