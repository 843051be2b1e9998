//! The MFA step of a sign-in (wire facts §6): which challenge a user owes once the password is
//! proven, the `Session` that carries the sign-in across it, and its answers. Software tokens
//! (TOTP) only; SMS and e-mail factors are not implemented.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::flow::{self, AuthStep};
use super::{required_param, users, ClientCx};
use crate::clock::Timestamp;
use crate::crypto::totp;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{AppClient, AuthSession, MfaChallenge, SoftwareToken, User, UserPool};
use crate::AppState;

/// AWS: a sign-in session expires after three minutes (wire facts §6).
pub const SESSION_TTL: Duration = Duration::from_secs(180);

/// Past half of this many sessions in a pool, long-expired ones are dropped on each new one.
/// (A session needs a correct password, so there is no hard limit.)
const MAX_OPEN_SESSIONS: usize = 20_000;

/// The challenge `user` owes after the password, by the pool's `MfaConfiguration`: with
/// `OPTIONAL`, a software token the user verified and turned on (SetUserMFAPreference); with
/// `ON`, a verified software token, or else MFA_SETUP.
pub fn required(pool: &UserPool, user: &User) -> Result<Option<MfaChallenge>, ServiceError> {
    let totp_ready =
        pool.software_token_mfa_enabled && user.software_token.as_ref().is_some_and(|t| t.verified);
    match pool.settings.mfa_configuration.as_str() {
        "ON" if totp_ready => Ok(Some(MfaChallenge::SoftwareToken)),
        "ON" if pool.software_token_mfa_enabled => Ok(Some(MfaChallenge::Setup)),
        "ON" => Err(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            "SMS and e-mail MFA are not implemented by this emulator yet.",
        )),
        "OPTIONAL" if totp_ready && user.totp_enabled => Ok(Some(MfaChallenge::SoftwareToken)),
        _ => Ok(None),
    }
}

/// Opens the MFA step for the user with `key`: a new session, and the challenge to answer.
pub fn challenge(
    state: &AppState,
    pool: &mut UserPool,
    client: &AppClient,
    key: &str,
    challenge: MfaChallenge,
    now: Timestamp,
) -> AuthStep {
    let user = &pool.users[key];
    let mut parameters = Map::new();
    match challenge {
        MfaChallenge::SoftwareToken => {
            if let Some(name) = user
                .software_token
                .as_ref()
                .and_then(|t| t.friendly_name.clone())
            {
                parameters.insert("FRIENDLY_DEVICE_NAME".into(), Value::String(name));
            }
        }
        MfaChallenge::Setup => {
            // A JSON-encoded list, as a string (§6).
            parameters.insert("MFAS_CAN_SETUP".into(), json!("[\"SOFTWARE_TOKEN_MFA\"]"));
        }
    }
    parameters.insert(
        "USER_ID_FOR_SRP".into(),
        Value::String(user.username.clone()),
    );
    let session = open_session(
        state,
        pool,
        AuthSession {
            client_id: client.client_id.clone(),
            user_key: key.to_owned(),
            challenge,
            expires: now.plus(SESSION_TTL),
            used: false,
            setup_token: None,
        },
        now,
    );
    AuthStep::Challenge {
        name: challenge.name(),
        parameters: Value::Object(parameters),
        session: Some(session),
    }
}

/// Stores `session` under a new opaque id, forgetting sessions long expired.
pub fn open_session(
    state: &AppState,
    pool: &mut UserPool,
    session: AuthSession,
    now: Timestamp,
) -> String {
    // Expired and used sessions stay a while, so that they are reported as such; they are
    // dropped once the pool holds many.
    // Opaque to clients; the pool id in front lets calls that carry only a Session find it.
    let id = format!("{}.{}", pool.id, STANDARD.encode(state.ids.bytes::<96>()));
    if pool.auth_sessions.len() >= MAX_OPEN_SESSIONS / 2 {
        pool.auth_sessions
            .retain(|_, s| now < s.expires.plus(SESSION_TTL));
    }
    pool.auth_sessions.insert(id.clone(), session);
    id
}

/// The live session `id` of `client`, waiting for `challenge`.
pub fn live_session<'a>(
    pool: &'a mut UserPool,
    client: &AppClient,
    id: &str,
    challenge: MfaChallenge,
    now: Timestamp,
) -> Result<&'a mut AuthSession, ServiceError> {
    let session = pool
        .auth_sessions
        .get_mut(id)
        .filter(|s| s.client_id == client.client_id && s.challenge == challenge)
        .ok_or_else(|| ServiceError::not_authorized("Invalid session for the user."))?;
    if session.used {
        return Err(ServiceError::not_authorized(
            "Invalid session for the user, session can only be used once.",
        ));
    }
    if now >= session.expires {
        return Err(ServiceError::not_authorized(
            "Invalid session for the user, session is expired.",
        ));
    }
    Ok(session)
}

/// The checks an MFA answer shares: its session, `USERNAME` naming the session's user,
/// SECRET_HASH over that name, and the sign-in checks on the user. Returns the user's key.
fn check_answer(
    pool: &mut UserPool,
    cx: &ClientCx,
    session: Option<&str>,
    challenge: MfaChallenge,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<String, ServiceError> {
    let id = session
        .ok_or_else(|| ServiceError::invalid_parameter("Missing required parameter Session"))?;
    let username = required_param(responses, "USERNAME")?;
    let key = live_session(pool, &cx.client, id, challenge, now)?
        .user_key
        .clone();
    let Some(user) = pool.users.get(&key) else {
        return Err(ServiceError::not_authorized(
            "Invalid session for the user.",
        ));
    };
    cx.check_secret_hash_any(
        &[username, &user.username],
        responses.get("SECRET_HASH").map(String::as_str),
    )?;
    let internal = user.username.clone();
    if users::find_key(pool, username).as_deref() != Some(key.as_str()) {
        return Err(ServiceError::incorrect_credentials());
    }
    // The user must still be allowed in (not locked out, disabled or unconfirmed since).
    flow::candidate(pool, cx, &internal, now)?;
    Ok(key)
}

/// RespondToAuthChallenge SOFTWARE_TOKEN_MFA: `USERNAME`, `SOFTWARE_TOKEN_MFA_CODE`. A wrong
/// code leaves the session open for another try; a code signs in once.
pub fn answer_software_token(
    state: &AppState,
    cx: &ClientCx,
    session: Option<&str>,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = cx.entry.state.write();
    let key = check_answer(
        &mut pool,
        cx,
        session,
        MfaChallenge::SoftwareToken,
        responses,
        now,
    )?;
    let code = required_param(responses, "SOFTWARE_TOKEN_MFA_CODE")?;
    let user = pool.users.get_mut(&key).expect("checked above");
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
    let step =
        totp::matching_step(&token.secret, code, now.secs().max(0) as u64).ok_or_else(mismatch)?;
    if token.last_step.is_some_and(|last| step <= last) {
        return Err(ServiceError::new(
            ErrorKind::CodeMismatchException,
            "Your software token has already been used once.",
        ));
    }
    token.last_step = Some(step);
    if let Some(id) = session {
        if let Some(s) = pool.auth_sessions.get_mut(id) {
            s.used = true;
        }
    }
    flow::sign_in(state, cx, pool, &key, now)
}

/// RespondToAuthChallenge MFA_SETUP: `USERNAME`, with the session that associated and
/// verified a software token; the token becomes the user's MFA factor.
pub fn answer_setup(
    state: &AppState,
    cx: &ClientCx,
    session: Option<&str>,
    responses: &std::collections::HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = cx.entry.state.write();
    let key = check_answer(&mut pool, cx, session, MfaChallenge::Setup, responses, now)?;
    let id = session.expect("check_answer requires it");
    let live = pool.auth_sessions.get_mut(id).expect("checked above");
    let Some(token) = live.setup_token.clone().filter(|t| t.verified) else {
        return Err(ServiceError::invalid_parameter(
            "A software token must be associated and verified with this session first.",
        ));
    };
    live.used = true;
    let user = pool.users.get_mut(&key).expect("checked above");
    user.software_token = Some(token);
    user.pending_software_token = None;
    user.totp_enabled = true;
    flow::sign_in(state, cx, pool, &key, now)
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
    let invalid = || ServiceError::not_authorized("Invalid session for the user.");
    let entry = state.store.pool_of_session(id).ok_or_else(invalid)?;
    let mut pool = entry.state.write();
    let client = pool
        .auth_sessions
        .get(id)
        .and_then(|s| pool.clients.get(&s.client_id))
        .cloned()
        .ok_or_else(invalid)?;
    let mut session = live_session(&mut pool, &client, id, MfaChallenge::Setup, now)?.clone();
    let result = f(&pool, &mut session)?;
    pool.auth_sessions.remove(id);
    let next = open_session(state, &mut pool, session, now);
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
