//! The MFA step of a sign-in (wire facts §6): which challenge a user owes once the password is
//! proven, the `Session` that carries the sign-in across it, and its answers. Software tokens
//! (TOTP) only; SMS and e-mail factors are not implemented.

use serde_json::{json, Map, Value};

use super::challenges::{live_session, open_session, session_ttl, session_user, AuthStep};
use super::{limits, required_param, sign_in, users, SignInClient};
use crate::clock::Timestamp;
use crate::crypto::totp;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{AppClient, AuthSession, Challenge, SoftwareToken, User, UserPool};
use crate::AppState;

/// The challenge `user` owes after the password, by the pool's `MfaConfiguration`: with
/// `OPTIONAL`, a software token the user verified and turned on (SetUserMFAPreference); with
/// `ON`, a verified software token, or else MFA_SETUP.
pub fn required(pool: &UserPool, user: &User) -> Result<Option<Challenge>, ServiceError> {
    let totp_ready =
        pool.software_token_mfa_enabled && user.software_token.as_ref().is_some_and(|t| t.verified);
    match pool.settings.mfa_configuration.as_str() {
        "ON" if totp_ready => Ok(Some(Challenge::SoftwareTokenMfa)),
        "ON" if pool.software_token_mfa_enabled => Ok(Some(Challenge::MfaSetup)),
        "ON" => Err(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            "SMS and e-mail MFA are not implemented by this emulator yet.",
        )),
        "OPTIONAL" if totp_ready && user.totp_enabled => Ok(Some(Challenge::SoftwareTokenMfa)),
        _ => Ok(None),
    }
}

/// Opens the MFA step for the user with `key`: a new session, and the challenge to answer.
pub fn challenge(
    state: &AppState,
    pool: &mut UserPool,
    client: &AppClient,
    key: &str,
    challenge: Challenge,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let user = pool
        .users
        .get(key)
        .ok_or_else(ServiceError::incorrect_credentials)?;
    let mut parameters = Map::new();
    match challenge {
        Challenge::SoftwareTokenMfa => {
            if let Some(name) = user
                .software_token
                .as_ref()
                .and_then(|t| t.friendly_name.clone())
            {
                parameters.insert("FRIENDLY_DEVICE_NAME".into(), Value::String(name));
            }
        }
        Challenge::MfaSetup => {
            // A JSON-encoded list, as a string (§6).
            parameters.insert("MFAS_CAN_SETUP".into(), json!("[\"SOFTWARE_TOKEN_MFA\"]"));
        }
        Challenge::PasswordVerifier | Challenge::NewPasswordRequired => {}
    }
    parameters.insert(
        "USER_ID_FOR_SRP".into(),
        Value::String(user.username.clone()),
    );
    let session = AuthSession::new(
        &client.client_id,
        key,
        user,
        challenge,
        now.plus(session_ttl(client)),
    );
    let session = open_session(state, pool, session, now)?;
    Ok(AuthStep::Challenge {
        challenge,
        parameters,
        session: Some(session),
    })
}

/// The checks an MFA answer shares: its session, `USERNAME` naming the session's user,
/// SECRET_HASH over that name, and the sign-in checks on the user. Returns the user's key.
fn check_answer(
    pool: &mut UserPool,
    cx: &SignInClient,
    session: Option<&str>,
    challenge: Challenge,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<String, ServiceError> {
    let id = session.ok_or_else(ServiceError::missing_session)?;
    let username = required_param(responses, "USERNAME")?;
    let live = live_session(pool, &cx.app_client.client_id, id, challenge, now)?.clone();
    let key = live.user_key.clone();
    let user = session_user(pool, &live)?;
    cx.check_secret_hash_any(
        &[username, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let internal = user.username.clone();
    if users::find_key(pool, username).as_deref() != Some(key.as_str()) {
        return Err(ServiceError::incorrect_credentials());
    }
    // The user must still be allowed in (not locked out, disabled or unconfirmed since).
    sign_in::pre_sign_in_checks(pool, cx, &internal, now)?;
    Ok(key)
}

/// RespondToAuthChallenge SOFTWARE_TOKEN_MFA: `USERNAME`, `SOFTWARE_TOKEN_MFA_CODE`. A wrong
/// code leaves the session open for another try; a code signs in once.
pub fn answer_software_token(
    state: &AppState,
    cx: &SignInClient,
    session: Option<&str>,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = cx.entry.write();
    let key = check_answer(
        &mut pool,
        cx,
        session,
        Challenge::SoftwareTokenMfa,
        responses,
        now,
    )?;
    let code = required_param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
    let Some(mut user) = pool.users.get_mut(&key) else {
        return Err(ServiceError::invalid_session());
    };
    let mismatch = || {
        ServiceError::new(
            ErrorKind::CodeMismatchException,
            "Invalid code or auth state for the user.",
        )
    };
    let token = user
        .software_token
        .as_mut()
        .filter(|t| t.verified)
        .ok_or_else(mismatch)?;
    let Some(step) = totp::matching_step(&token.secret, code, now.secs().max(0) as u64) else {
        // AWS: after five wrong MFA codes the sign-in lockout begins (developer guide, MFA).
        limits::count_failure(&mut user, now);
        return Err(mismatch());
    };
    if token.last_step.is_some_and(|last| step <= last) {
        return Err(ServiceError::new(
            ErrorKind::CodeMismatchException,
            "Your software token has already been used once.",
        ));
    }
    token.last_step = Some(step);
    drop(user);
    if let Some(s) = session.and_then(|id| pool.pending.sessions.get_mut(id)) {
        s.used = true;
    }
    sign_in::issue_tokens(state, cx, pool, &key, now).map(AuthStep::Authenticated)
}

/// RespondToAuthChallenge MFA_SETUP: `USERNAME`, with the session that associated and
/// verified a software token; the token becomes the user's MFA factor.
pub fn answer_setup(
    state: &AppState,
    cx: &SignInClient,
    session: Option<&str>,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = cx.entry.write();
    let key = check_answer(&mut pool, cx, session, Challenge::MfaSetup, responses, now)?;
    let Some(live) = session.and_then(|id| pool.pending.sessions.get_mut(id)) else {
        return Err(ServiceError::invalid_session());
    };
    let Some(token) = live.setup_token.clone().filter(|t| t.verified) else {
        return Err(ServiceError::invalid_parameter(
            "A software token must be associated and verified with this session first.",
        ));
    };
    live.used = true;
    let Some(mut user) = pool.users.get_mut(&key) else {
        return Err(ServiceError::invalid_session());
    };
    user.software_token = Some(Box::new(token));
    user.pending_software_token = None;
    user.totp_enabled = true;
    drop(user);
    sign_in::issue_tokens(state, cx, pool, &key, now).map(AuthStep::Authenticated)
}

/// A new software token: 32 random bytes (a 52-character SecretCode).
pub fn new_software_token(state: &AppState) -> SoftwareToken {
    SoftwareToken {
        secret: state.ids.bytes::<32>().to_vec(),
        verified: false,
        friendly_name: None,
        last_step: None,
    }
}

/// Runs `f` on the live MFA_SETUP session `id` (AssociateSoftwareToken and
/// VerifySoftwareToken called with a `Session`), then moves the session to a new id, which is
/// returned beside `f`'s result: each call hands out the session for the next.
pub fn with_setup_session<R>(
    state: &AppState,
    id: &str,
    now: Timestamp,
    f: impl FnOnce(&UserPool, &mut AuthSession) -> Result<R, ServiceError>,
) -> Result<(R, String), ServiceError> {
    let entry = state
        .store
        .pool_of_session(id)
        .ok_or_else(ServiceError::invalid_session)?;
    let mut pool = entry.write();
    let client_id = pool
        .pending
        .sessions
        .get(id)
        .map(|s| s.client_id.clone())
        .ok_or_else(ServiceError::invalid_session)?;
    let mut session = live_session(&mut pool, &client_id, id, Challenge::MfaSetup, now)?.clone();
    let result = f(&pool, &mut session)?;
    pool.pending.sessions.remove(id);
    let next = open_session(state, &mut pool, session, now)?;
    Ok((result, next))
}

/// Checks `code` against a software token being set up; a match verifies it.
pub fn verify_new_token(
    token: &mut SoftwareToken,
    code: &str,
    friendly_name: Option<&str>,
    now: Timestamp,
) -> Result<(), ServiceError> {
    if totp::matching_step(&token.secret, code, now.secs().max(0) as u64).is_none() {
        return Err(ServiceError::new(
            ErrorKind::EnableSoftwareTokenMFAException,
            "Code mismatch and fail enable Software Token MFA",
        ));
    }
    token.verified = true;
    token.friendly_name = friendly_name.map(str::to_owned);
    Ok(())
}

/// SoftwareTokenMFANotFoundException unless the pool allows software tokens.
pub fn check_pool_allows_totp(pool: &UserPool) -> Result<(), ServiceError> {
    if pool.software_token_mfa_enabled {
        Ok(())
    } else {
        Err(ServiceError::new(
            ErrorKind::SoftwareTokenMFANotFoundException,
            "Software Token MFA has not been enabled by the userPool.",
        ))
    }
}

/// (Admin)SetUserMFAPreference for the user with `key`: turns software-token MFA on or off
/// for their sign-ins and makes it preferred. AWS refuses to turn on a factor the user has not
/// verified (wire facts §6).
pub fn set_preference(
    pool: &mut UserPool,
    key: &str,
    settings: &crate::wire::MfaPreferences,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let others = [
        &settings.sms_mfa_settings,
        &settings.email_mfa_settings,
        &settings.web_authn_mfa_settings,
    ];
    if others
        .iter()
        .any(|s| s.as_ref().is_some_and(|s| s.turns_on()))
    {
        return Err(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            "SMS, e-mail and passkey MFA are not implemented by this emulator yet.",
        ));
    }
    let Some(totp) = &settings.software_token_mfa_settings else {
        return Ok(());
    };
    if totp.turns_on() {
        check_pool_allows_totp(pool)?;
    }
    let Some(mut user) = pool.users.get_mut(key) else {
        return Err(ServiceError::user_not_found());
    };
    let verified = user.software_token.as_ref().is_some_and(|t| t.verified);
    if totp.turns_on() && !verified {
        return Err(ServiceError::invalid_parameter(
            "User has not set up software token mfa",
        ));
    }
    // An explicit `Enabled: false` wins; preferring the factor turns it on.
    user.totp_enabled = match (totp.enabled, totp.preferred_mfa) {
        (Some(false), _) => false,
        (_, Some(true)) => true,
        (Some(true), _) => true,
        (None, _) => user.totp_enabled,
    };
    user.totp_preferred = match totp.preferred_mfa {
        Some(preferred) => preferred && user.totp_enabled,
        None => user.totp_preferred && user.totp_enabled,
    };
    user.last_modified = now;
    Ok(())
}
