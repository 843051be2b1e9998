//! The challenge half of a sign-in: where a step stands (`AuthStep`), and the one table of
//! open challenge sessions (`Session` ids for MFA and NEW_PASSWORD_REQUIRED, SECRET_BLOCKs for
//! SRP), with one lifetime, one bound and one set of messages. A leaf, like `sign_in`.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{Map, Value};

use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{AuthSession, Challenge, SrpChallenge, UserPool};
use crate::wire::{AuthenticationResultType, InitiateAuthResponse};
use crate::AppState;

/// AWS: a sign-in session expires after three minutes by default (wire facts §6, "session is
/// expired"); an app client's `AuthSessionValidity` (3 to 15 minutes) sets it.
pub const SESSION_TTL: Duration = Duration::from_secs(180);

/// How long a challenge of `client` can be answered.
pub fn session_ttl(client: &crate::model::AppClient) -> Duration {
    Duration::from_secs(u64::from(client.auth_session_validity.clamp(3, 15)) * 60)
}

/// Open challenges a pool keeps, of each kind. Past half of it, long-expired ones are dropped
/// on each new one; at the limit, a new challenge is throttled as AWS throttles a flood.
pub const MAX_OPEN: usize = 20_000;

/// Where an authentication stands after a step.
pub enum AuthStep {
    /// Signed in.
    Authenticated(AuthenticationResultType),
    /// The caller must answer `challenge` with (Admin)RespondToAuthChallenge.
    Challenge {
        challenge: Challenge,
        /// `ChallengeParameters`: strings only.
        parameters: Map<String, Value>,
        /// The `Session` to send back, for challenges that need one.
        session: Option<String>,
    },
}

impl AuthStep {
    /// The (Admin)InitiateAuth / (Admin)RespondToAuthChallenge response.
    pub fn into_response(self) -> InitiateAuthResponse {
        match self {
            AuthStep::Authenticated(result) => InitiateAuthResponse {
                challenge_name: None,
                session: None,
                challenge_parameters: Map::new(),
                authentication_result: Some(result),
            },
            AuthStep::Challenge {
                challenge,
                parameters,
                session,
            } => InitiateAuthResponse {
                challenge_name: Some(challenge.name()),
                session,
                challenge_parameters: parameters,
                authentication_result: None,
            },
        }
    }
}

/// What every open challenge has: an owner client, an expiry and a used flag.
pub trait Open {
    fn client_id(&self) -> &str;
    fn expires(&self) -> Timestamp;
    fn used(&self) -> bool;
}

impl Open for AuthSession {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn expires(&self) -> Timestamp {
        self.expires
    }
    fn used(&self) -> bool {
        self.used
    }
}

impl Open for SrpChallenge {
    fn client_id(&self) -> &str {
        &self.client_id
    }
    fn expires(&self) -> Timestamp {
        self.expires
    }
    fn used(&self) -> bool {
        self.answered
    }
}

/// Makes room for one more entry in `table`: past half of `MAX_OPEN`, entries expired for a
/// lifetime are dropped (until then they answer "expired" rather than "invalid"), at most once
/// a second (`next_sweep`), so that a flood at the limit is refused without a walk over the
/// table each time; at the limit, TooManyRequestsException.
pub fn make_room<T: Open>(
    table: &mut HashMap<String, T>,
    next_sweep: &mut Option<Timestamp>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if table.len() >= MAX_OPEN / 2 && next_sweep.is_none_or(|t| now >= t) {
        table.retain(|_, open| now < open.expires().plus(SESSION_TTL));
        *next_sweep = Some(now.plus(Duration::from_secs(1)));
    }
    if table.len() >= MAX_OPEN {
        return Err(ServiceError::rate_exceeded());
    }
    Ok(())
}

/// The open entry `id` of `table` for `client_id`, unanswered and unexpired (wire facts §7.1).
/// `unknown` is the error for an id the table does not hold for this client.
pub fn live<'a, T: Open>(
    table: &'a mut HashMap<String, T>,
    id: &str,
    client_id: &str,
    now: Timestamp,
    unknown: fn() -> ServiceError,
) -> Result<&'a mut T, ServiceError> {
    let open = table
        .get_mut(id)
        .filter(|open| open.client_id() == client_id)
        .ok_or_else(unknown)?;
    if open.used() {
        return Err(ServiceError::session_used());
    }
    if now >= open.expires() {
        return Err(ServiceError::session_expired());
    }
    Ok(open)
}

/// Stores `session` under a new opaque id and returns it. The pool id in front lets calls
/// that carry only a `Session` (AssociateSoftwareToken) find its pool.
pub fn open_session(
    state: &AppState,
    pool: &mut UserPool,
    session: AuthSession,
    now: Timestamp,
) -> Result<String, ServiceError> {
    let pending = &mut pool.pending;
    make_room(&mut pending.sessions, &mut pending.sessions_next_sweep, now)?;
    let id = format!("{}.{}", pool.id, STANDARD.encode(state.ids.bytes::<96>()));
    pool.pending.sessions.insert(id.clone(), session);
    Ok(id)
}

/// The open challenge session `id` of `client_id`, waiting for `challenge`.
pub fn live_session<'a>(
    pool: &'a mut UserPool,
    client_id: &str,
    id: &str,
    challenge: Challenge,
    now: Timestamp,
) -> Result<&'a mut AuthSession, ServiceError> {
    let session = live(
        &mut pool.pending.sessions,
        id,
        client_id,
        now,
        ServiceError::invalid_session,
    )?;
    if session.challenge != challenge {
        return Err(ServiceError::invalid_session());
    }
    Ok(session)
}

/// The user a live session was opened for, if they are still that user with that password
/// (not deleted, re-created or given a new password since).
pub fn session_user<'p>(
    pool: &'p UserPool,
    session: &AuthSession,
) -> Result<&'p crate::model::User, ServiceError> {
    pool.users
        .get(&session.user_key)
        .filter(|user| session.still_for(user))
        .ok_or_else(ServiceError::invalid_session)
}
