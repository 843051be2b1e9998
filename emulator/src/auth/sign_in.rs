//! The steps every sign-in shares, whatever its flow: the checks before a password is looked
//! at, the lockout bookkeeping after it, and the end of a successful sign-in (a sign-in
//! session and its tokens). A leaf: the flow driver (`flow`) and its steps (`srp_auth`,
//! `new_password`, `mfa`) call it; it calls none of them.

use std::sync::Arc;
use std::time::Duration;

use crate::store::PoolWrite;

use super::tokens::{self, SessionRef, Subject};
use super::{limits, users, SignInClient};
use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{AuthEvent, Credentials, SignInSession, UserPool, UserStatus};
use crate::wire::AuthenticationResultType;
use crate::AppState;

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
pub fn pre_sign_in_checks(
    pool: &UserPool,
    client: &SignInClient,
    username: &str,
    now: Timestamp,
) -> Result<Candidate, ServiceError> {
    let Some(key) = users::find_key(pool, username) else {
        return Err(client.user_not_found());
    };
    let user = &pool.users[&key];
    if limits::locked(user, now) {
        return Err(ServiceError::password_attempts_exceeded());
    }
    if !user.enabled {
        return Err(ServiceError::user_disabled());
    }
    if user.status == UserStatus::Unconfirmed {
        return Err(ServiceError::user_not_confirmed());
    }
    Ok(Candidate {
        username: user.username.clone(),
        credentials: user.credentials.clone(),
        key,
    })
}

/// Takes a guess at the password of the user with `key` (`limits::reserve_guess`), under the
/// pool's write lock and before the slow check.
pub fn reserve_password_guess(
    pool: &mut UserPool,
    key: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let Some(mut user) = pool.users.get_mut(key) else {
        return Err(ServiceError::incorrect_credentials());
    };
    limits::reserve_guess(&mut user, now)
}

/// Records the outcome of a password proof for the user with `key`, whose guess was reserved
/// (`reserve_password_guess`): a failure stays counted and answers `Incorrect username or
/// password.`; a success gives the guess back. The proof was made with no lock held, against
/// `proven_with`: a password changed meanwhile makes it worthless, and a user disabled
/// meanwhile is refused. Then, for a proven password, the status checks that come after it: a
/// user whose password must be reset, and an expired temporary password. The count starts
/// again only when the whole sign-in succeeds (`issue_tokens`), so a right password cannot
/// wipe out wrong MFA codes.
pub fn record_password_proof(
    state: &AppState,
    pool: &mut UserPool,
    key: &str,
    proven_with: Option<&Arc<Credentials>>,
    proven: bool,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let Some(mut user) = pool.users.get_mut(key) else {
        // Deleted meanwhile.
        return Err(ServiceError::incorrect_credentials());
    };
    let same_password = match (proven_with, &user.credentials) {
        (Some(then), Some(current)) => Arc::ptr_eq(then, current),
        _ => false,
    };
    if !proven {
        user.record_auth_event(AuthEvent {
            event_id: state.ids.uuid(),
            created: now,
            response: "Fail",
            challenges: vec![("Password", "Failure")],
        });
        return Err(ServiceError::incorrect_credentials());
    }
    limits::refund_guess(&mut user);
    if !same_password {
        return Err(ServiceError::incorrect_credentials());
    }
    if !user.enabled {
        return Err(ServiceError::user_disabled());
    }
    match user.status {
        UserStatus::ResetRequired => Err(ServiceError::password_reset_required()),
        UserStatus::ForceChangePassword
            if user.temporary_password_expires.is_some_and(|t| now >= t) =>
        {
            Err(ServiceError::temporary_password_expired())
        }
        _ => Ok(()),
    }
}

/// The end of every successful sign-in: a new sign-in session and its tokens, signed after
/// the pool lock (`pool`, held for writing) is released.
pub fn issue_tokens(
    state: &AppState,
    client: &SignInClient,
    mut pool: PoolWrite<'_>,
    key: &str,
    now: Timestamp,
) -> Result<AuthenticationResultType, ServiceError> {
    let event_id = state.ids.uuid();
    let origin_jti = state.ids.uuid();
    let refresh_token = tokens::new_refresh_token(state);
    let refresh_ttl = Duration::from_secs(client.app_client.refresh_token_validity.seconds());
    let expired: Vec<String> = {
        let Some(mut user) = pool.users.get_mut(key) else {
            return Err(ServiceError::incorrect_credentials());
        };
        if !user.enabled {
            return Err(ServiceError::user_disabled());
        }
        limits::clear_failures(&mut user);
        // Forget sign-ins whose refresh tokens can no longer be used, and revoked tokens past
        // their expiry, which need not be told apart any more: O(log n) each, soonest first.
        let mut expired: Vec<String> = user
            .sessions
            .take_expired(now)
            .into_iter()
            .map(|(_, s)| s.refresh_token)
            .collect();
        if let Some(revoked) = &mut user.revoked_refresh_tokens {
            expired.extend(
                revoked
                    .take_expired(now)
                    .into_iter()
                    .map(|(token, _)| token),
            );
            if revoked.is_empty() {
                user.revoked_refresh_tokens = None;
            }
        }
        user.sessions.insert(
            event_id.clone(),
            SignInSession {
                client_id: client.app_client.client_id.clone(),
                origin_jti: origin_jti.clone(),
                refresh_token: refresh_token.clone(),
                auth_time: now,
                refresh_expires: now.plus(refresh_ttl),
            },
        );
        user.record_auth_event(AuthEvent {
            event_id: event_id.clone(),
            created: now,
            response: "Pass",
            challenges: vec![("Password", "Success")],
        });
        expired
    };
    for token in expired {
        pool.users.remove_refresh_token(&token);
    }
    pool.users
        .insert_refresh_token(refresh_token.clone(), key.to_owned(), event_id.clone());
    let subject = Subject::snapshot(&pool, &client.app_client, &pool.users[key]);
    let pool_id = pool.id.clone();
    drop(pool);

    // Sign with no lock held.
    let session = SessionRef {
        event_id: &event_id,
        origin_jti: &origin_jti,
        auth_time: now,
        now,
        refresh_token: Some(&refresh_token),
    };
    Ok(mint(state, client, &pool_id, &subject, &session))
}

/// New ID and access tokens for the live sign-in that `refresh_token` belongs to
/// (REFRESH_TOKEN_AUTH, GetTokensFromRefreshToken). `check_secret` checks the client's
/// secret against the user (the internal username and `sub`), under the lock.
pub fn refresh(
    state: &AppState,
    client: &SignInClient,
    refresh_token: &str,
    check_secret: impl FnOnce(&[&str]) -> Result<(), ServiceError>,
    now: Timestamp,
) -> Result<AuthenticationResultType, ServiceError> {
    let (subject, event_id, origin_jti, auth_time, pool_id) = {
        let pool = client.entry.read();
        let Some((key, event_id)) = pool.users.refresh_token(refresh_token) else {
            return Err(ServiceError::invalid_refresh_token());
        };
        let user = pool
            .users
            .get(key)
            .ok_or_else(ServiceError::invalid_refresh_token)?;
        check_secret(&[&user.username, &user.sub])?;
        let Some(session) = user.sessions.get(event_id) else {
            return Err(ServiceError::refresh_token_revoked());
        };
        if session.client_id != client.app_client.client_id {
            return Err(ServiceError::invalid_refresh_token());
        }
        if now >= session.refresh_expires {
            return Err(ServiceError::not_authorized("Refresh Token has expired"));
        }
        if !user.enabled {
            return Err(ServiceError::user_disabled());
        }
        (
            Subject::snapshot(&pool, &client.app_client, user),
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
    Ok(mint(state, client, &pool_id, &subject, &session))
}

/// Signs the tokens of `client`'s pool, with no lock held.
fn mint(
    state: &AppState,
    client: &SignInClient,
    pool_id: &str,
    subject: &Subject,
    session: &SessionRef<'_>,
) -> AuthenticationResultType {
    tokens::mint(
        state,
        client.entry.keys.get(),
        pool_id,
        &client.app_client,
        subject,
        session,
    )
}

/// Ends sign-in sessions of the user with `key`: all of them, or one.
/// Their refresh tokens stay known (so they answer "has been revoked") until the user goes.
pub fn revoke_sessions(pool: &mut UserPool, key: &str, only: Option<&str>) {
    let Some(mut user) = pool.users.get_mut(key) else {
        return;
    };
    let ended: Vec<(String, SignInSession)> = match only {
        Some(event_id) => user.sessions.remove_entry(event_id).into_iter().collect(),
        None => user.sessions.take_all(),
    };
    if ended.is_empty() {
        return;
    }
    let revoked = user
        .revoked_refresh_tokens
        .get_or_insert_with(Default::default);
    for (event_id, session) in ended {
        revoked.insert(session.refresh_token, (event_id, session.refresh_expires));
    }
}
