//! The InitiateAuth / RespondToAuthChallenge state machine. A flow either ends in tokens or
//! asks a challenge (SRP's PASSWORD_VERIFIER, see `auth::srp_auth`); MFA and
//! NEW_PASSWORD_REQUIRED are further challenges on the same path.
//!
//! Every flow follows the same locking discipline: read a snapshot under the pool lock,
//! verify passwords and sign tokens with no lock held, then lock again to commit.

use std::sync::Arc;
use std::time::Duration;

use parking_lot::RwLockWriteGuard;

use serde_json::{json, Value};

use super::tokens::{self, SessionRef, Subject};
use super::{mfa, password_matches, users, ClientCx};
use crate::clock::Timestamp;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{Credentials, SignInSession, UserPool, UserStatus};
use crate::AppState;

/// AWS: five failed sign-ins are free; then a lockout starting at 1 second and doubling,
/// up to about 15 minutes (developer guide, authentication flow notes).
const FREE_FAILURES: u32 = 5;
const MAX_LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// Where an authentication stands after a step.
pub enum AuthStep {
    /// Signed in: an `AuthenticationResultType`.
    Authenticated(Value),
    /// The caller must answer `name` with RespondToAuthChallenge.
    Challenge {
        name: &'static str,
        /// `ChallengeParameters`: strings only.
        parameters: Value,
        /// The `Session` to send back, for challenges that need one.
        session: Option<String>,
    },
}

impl AuthStep {
    /// The InitiateAuth / RespondToAuthChallenge response.
    pub fn into_response(self) -> Value {
        match self {
            AuthStep::Authenticated(result) => {
                json!({"ChallengeParameters": {}, "AuthenticationResult": result})
            }
            AuthStep::Challenge {
                name,
                parameters,
                session,
            } => {
                let mut out = json!({"ChallengeName": name, "ChallengeParameters": parameters});
                if let Some(session) = session {
                    out["Session"] = Value::String(session);
                }
                out
            }
        }
    }
}

/// A user about to prove their password, as read under the pool lock.
pub struct Candidate {
    /// The user's key in `UserPool::users`.
    pub key: String,
    /// The internal username (USER_ID_FOR_SRP).
    pub username: String,
    pub credentials: Option<Arc<Credentials>>,
}

/// The checks every sign-in makes before looking at the password, in AWS's order: an unknown
/// user (hidden behind `Incorrect username or password.` when the client prevents user
/// existence errors), a lockout, a disabled user, an unconfirmed one (reported even when the
/// password would be wrong).
pub fn candidate(
    pool: &UserPool,
    cx: &ClientCx,
    username: &str,
    now: Timestamp,
) -> Result<Candidate, ServiceError> {
    let Some(key) = users::find_key(pool, username) else {
        return Err(if cx.client.prevents_user_existence_errors() {
            ServiceError::incorrect_credentials()
        } else {
            ServiceError::user_not_found()
        });
    };
    let user = &pool.users[&key];
    if user.locked_until.is_some_and(|until| now < until) {
        return Err(ServiceError::not_authorized("Password attempts exceeded"));
    }
    if !user.enabled {
        return Err(ServiceError::not_authorized("User is disabled."));
    }
    if user.status == UserStatus::Unconfirmed {
        return Err(ServiceError::new(
            ErrorKind::UserNotConfirmedException,
            "User is not confirmed.",
        ));
    }
    Ok(Candidate {
        username: user.username.clone(),
        credentials: user.credentials.clone(),
        key,
    })
}

fn lockout_after(failures: u32) -> Duration {
    let exponent = failures.saturating_sub(FREE_FAILURES).min(20);
    Duration::from_secs(1u64 << exponent).min(MAX_LOCKOUT)
}

/// USER_PASSWORD_AUTH (and, later, ADMIN_USER_PASSWORD_AUTH): username and password.
pub fn password_auth(
    state: &AppState,
    cx: &ClientCx,
    username: &str,
    password_given: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    // 1. Snapshot under the read lock.
    let Candidate {
        key,
        username,
        credentials,
    } = candidate(&cx.entry.state.read(), cx, username, now)?;

    // 2. The slow part, with no lock held.
    let proven = password_matches(
        credentials.as_deref(),
        &cx.client.user_pool_id,
        &username,
        password_given,
    );
    conclude(state, cx, &key, proven, now)
}

/// Records the outcome of a password proof for the user with `key`: a failure counts toward
/// the lockout; a success ends in the next challenge or in tokens.
pub fn conclude(
    state: &AppState,
    cx: &ClientCx,
    key: &str,
    proven: bool,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    // 3. Commit.
    let mut pool = cx.entry.state.write();
    let Some(user) = pool.users.get_mut(key) else {
        // Deleted meanwhile.
        return Err(ServiceError::incorrect_credentials());
    };
    if !proven {
        user.failed_sign_ins += 1;
        if user.failed_sign_ins >= FREE_FAILURES {
            user.locked_until = Some(now.plus(lockout_after(user.failed_sign_ins)));
        }
        return Err(ServiceError::incorrect_credentials());
    }
    user.failed_sign_ins = 0;
    user.locked_until = None;
    match user.status {
        UserStatus::ResetRequired => {
            return Err(ServiceError::new(
                ErrorKind::PasswordResetRequiredException,
                "Password reset required for the user",
            ))
        }
        UserStatus::ForceChangePassword => {
            // NEW_PASSWORD_REQUIRED arrives with the admin operations that create such users.
            return Err(ServiceError::new(
                ErrorKind::UnsupportedOperationException,
                "NEW_PASSWORD_REQUIRED challenges are not implemented by this emulator yet.",
            ));
        }
        UserStatus::Confirmed | UserStatus::Unconfirmed => {}
    }
    if let Some(challenge) = mfa::required(&pool, &pool.users[key])? {
        return Ok(mfa::challenge(
            state, &mut pool, &cx.client, key, challenge, now,
        ));
    }
    sign_in(state, cx, pool, key, now)
}

/// The end of every successful sign-in: a new sign-in session and its tokens, signed after
/// the pool lock (`pool`, held for writing) is released.
pub fn sign_in(
    state: &AppState,
    cx: &ClientCx,
    mut pool: RwLockWriteGuard<'_, UserPool>,
    key: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let Some(user) = pool.users.get_mut(key) else {
        return Err(ServiceError::incorrect_credentials());
    };
    let event_id = state.ids.uuid();
    let origin_jti = state.ids.uuid();
    let refresh_token = tokens::new_refresh_token(state);
    let refresh_ttl = Duration::from_secs(cx.client.refresh_token_validity.seconds());
    // Forget sign-ins whose refresh tokens can no longer be used.
    let expired: Vec<(String, String)> = user
        .sessions
        .iter()
        .filter(|(_, s)| s.refresh_expires <= now)
        .map(|(id, s)| (id.clone(), s.refresh_token.clone()))
        .collect();
    for (id, _) in &expired {
        user.sessions.remove(id);
    }
    user.sessions.insert(
        event_id.clone(),
        SignInSession {
            client_id: cx.client.client_id.clone(),
            origin_jti: origin_jti.clone(),
            refresh_token: refresh_token.clone(),
            auth_time: now,
            refresh_expires: now.plus(refresh_ttl),
        },
    );
    let user = &pool.users[key];
    let subject = Subject::snapshot(&pool, &cx.client, user);
    for (_, token) in expired {
        pool.refresh_tokens.remove(&token);
    }
    pool.refresh_tokens
        .insert(refresh_token.clone(), (key.to_owned(), event_id.clone()));
    let pool_id = pool.id.clone();
    drop(pool);

    // 4. Sign with no lock held.
    let session = SessionRef {
        event_id: &event_id,
        origin_jti: &origin_jti,
        auth_time: now,
        now,
        refresh_token: Some(&refresh_token),
    };
    Ok(AuthStep::Authenticated(tokens::mint(
        state,
        cx.entry.keys.get(),
        &pool_id,
        &cx.client,
        &subject,
        &session,
    )))
}

fn invalid_refresh() -> ServiceError {
    ServiceError::not_authorized("Invalid Refresh Token")
}

/// REFRESH_TOKEN_AUTH / REFRESH_TOKEN: new ID and access tokens for a live sign-in.
pub fn refresh_auth(
    state: &AppState,
    cx: &ClientCx,
    refresh_token: &str,
    secret_hash: Option<&str>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let (subject, event_id, origin_jti, auth_time, pool_id) = {
        let pool = cx.entry.state.read();
        let Some((key, event_id)) = pool.refresh_tokens.get(refresh_token) else {
            return Err(invalid_refresh());
        };
        let user = pool.users.get(key).ok_or_else(invalid_refresh)?;
        // SECRET_HASH over the internal username (or sub): wire facts §4.
        cx.check_secret_hash_any(&[&user.username, &user.sub], secret_hash)?;
        let Some(session) = user.sessions.get(event_id) else {
            return Err(ServiceError::not_authorized(
                "Refresh Token has been revoked",
            ));
        };
        if session.client_id != cx.client.client_id {
            return Err(invalid_refresh());
        }
        if now >= session.refresh_expires {
            return Err(ServiceError::not_authorized("Refresh Token has expired"));
        }
        if !user.enabled {
            return Err(ServiceError::not_authorized("User is disabled."));
        }
        (
            Subject::snapshot(&pool, &cx.client, user),
            event_id.clone(),
            session.origin_jti.clone(),
            session.auth_time,
            pool.id.clone(),
        )
    };
    let session = SessionRef {
        event_id: &event_id,
        origin_jti: &origin_jti,
        auth_time,
        now,
        refresh_token: None,
    };
    Ok(AuthStep::Authenticated(tokens::mint(
        state,
        cx.entry.keys.get(),
        &pool_id,
        &cx.client,
        &subject,
        &session,
    )))
}

/// Ends sign-in sessions of the user with `key`: all of them, or one.
/// Their refresh tokens stay known (so they answer "has been revoked") until the user goes.
pub fn revoke_sessions(pool: &mut crate::model::UserPool, key: &str, only: Option<&str>) {
    let Some(user) = pool.users.get_mut(key) else {
        return;
    };
    match only {
        Some(event_id) => {
            user.sessions.remove(event_id);
        }
        None => user.sessions.clear(),
    }
}
