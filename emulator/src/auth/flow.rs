//! The sign-in state machine, driven from one place for InitiateAuth, AdminInitiateAuth,
//! RespondToAuthChallenge and AdminRespondToAuthChallenge. A flow either ends in tokens or
//! asks a challenge; each answer leads to the next step, in this order:
//!
//! 1. the checks before the password (`sign_in::pre_sign_in_checks`);
//! 2. the password, directly or by SRP's PASSWORD_VERIFIER (`srp_auth`);
//! 3. its bookkeeping: lockout, RESET_REQUIRED, an expired temporary password
//!    (`sign_in::record_password_proof`);
//! 4. NEW_PASSWORD_REQUIRED for a temporary password (`new_password`);
//! 5. MFA: SOFTWARE_TOKEN_MFA or MFA_SETUP (`mfa`);
//! 6. a sign-in session and its tokens (`sign_in::issue_tokens`).
//!
//! Every step follows the same locking discipline: read a snapshot under the pool lock,
//! verify passwords and sign tokens with no lock held, then lock again to commit.

use std::collections::HashMap;

use super::challenges::AuthStep;
use super::SignInClient;
use super::{mfa, new_password, password_matches, required_param, sign_in, srp_auth};
use crate::clock::Timestamp;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{Challenge, UserStatus};
use crate::AppState;

/// Which family of operations is asking: some flows belong to one of them only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// InitiateAuth / RespondToAuthChallenge: unsigned, for apps.
    Public,
    /// AdminInitiateAuth / AdminRespondToAuthChallenge: signed, for servers.
    Admin,
}

/// The `AuthFlow`s this emulator implements (`AuthFlowType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFlow {
    /// `USER_PASSWORD_AUTH` (InitiateAuth only).
    UserPassword,
    /// `ADMIN_USER_PASSWORD_AUTH` and its legacy name `ADMIN_NO_SRP_AUTH` (AdminInitiateAuth only).
    AdminUserPassword,
    /// `USER_SRP_AUTH`.
    UserSrp,
    /// `REFRESH_TOKEN_AUTH` and `REFRESH_TOKEN`.
    RefreshToken,
}

impl AuthFlow {
    /// `None` for a flow AWS has and this emulator does not implement.
    fn parse(name: &str) -> Option<AuthFlow> {
        match name {
            "USER_PASSWORD_AUTH" => Some(AuthFlow::UserPassword),
            "ADMIN_USER_PASSWORD_AUTH" | "ADMIN_NO_SRP_AUTH" => Some(AuthFlow::AdminUserPassword),
            "USER_SRP_AUTH" => Some(AuthFlow::UserSrp),
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => Some(AuthFlow::RefreshToken),
            _ => None,
        }
    }

    /// The `ExplicitAuthFlows` value a client needs for this flow.
    fn client_flag(self) -> &'static str {
        match self {
            AuthFlow::UserPassword => "ALLOW_USER_PASSWORD_AUTH",
            AuthFlow::AdminUserPassword => "ALLOW_ADMIN_USER_PASSWORD_AUTH",
            AuthFlow::UserSrp => "ALLOW_USER_SRP_AUTH",
            AuthFlow::RefreshToken => "ALLOW_REFRESH_TOKEN_AUTH",
        }
    }

    /// How the "not enabled for this client" message names the flow (wire facts §7.1).
    fn label(self) -> &'static str {
        match self {
            AuthFlow::UserPassword => "USER_PASSWORD_AUTH",
            AuthFlow::AdminUserPassword => "Auth",
            AuthFlow::UserSrp => "USER_SRP_AUTH",
            AuthFlow::RefreshToken => "Refresh Token",
        }
    }

    fn belongs_to(self, api: Api) -> bool {
        match self {
            AuthFlow::UserPassword => api == Api::Public,
            AuthFlow::AdminUserPassword => api == Api::Admin,
            AuthFlow::UserSrp | AuthFlow::RefreshToken => true,
        }
    }
}

fn secret_hash(params: &HashMap<String, String>) -> Option<&str> {
    params.get("SECRET_HASH").map(String::as_str)
}

/// (Admin)InitiateAuth.
pub fn initiate(
    state: &AppState,
    client: &SignInClient,
    api: Api,
    flow_name: &str,
    params: &HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let Some(flow) = AuthFlow::parse(flow_name) else {
        return Err(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            format!("The {flow_name} flow is not implemented by this emulator yet."),
        ));
    };
    // AWS: a flow of the other API is refused before the client's flows are looked at.
    if !flow.belongs_to(api) {
        return Err(ServiceError::initiate_auth_method_not_supported());
    }
    if !client.app_client.allows_flow(flow.client_flag()) {
        return Err(ServiceError::flow_not_enabled(flow.label()));
    }
    match flow {
        AuthFlow::UserPassword | AuthFlow::AdminUserPassword => {
            let username = required_param(params, "USERNAME")?;
            let password = required_param(params, "PASSWORD")?;
            client.check_secret_hash(username, secret_hash(params))?;
            password_auth(state, client, username, password, now)
        }
        AuthFlow::UserSrp => {
            let username = required_param(params, "USERNAME")?;
            let srp_a = required_param(params, "SRP_A")?;
            client.check_secret_hash(username, secret_hash(params))?;
            srp_auth::start(state, client, username, srp_a, now)
        }
        AuthFlow::RefreshToken => {
            let token = required_param(params, "REFRESH_TOKEN")?;
            let result = sign_in::refresh(
                state,
                client,
                token,
                |names| client.check_secret_hash_any(names, secret_hash(params)),
                now,
            )?;
            Ok(AuthStep::Authenticated(result))
        }
    }
}

/// (Admin)RespondToAuthChallenge.
pub fn respond(
    state: &AppState,
    client: &SignInClient,
    challenge_name: &str,
    session: Option<&str>,
    responses: &HashMap<String, String>,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let Some(challenge) = Challenge::parse(challenge_name) else {
        return Err(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            format!("The {challenge_name} challenge is not implemented by this emulator yet."),
        ));
    };
    match challenge {
        // The SECRET_BLOCK identifies the challenge; a Session, if sent, is not needed.
        Challenge::PasswordVerifier => {
            let key = srp_auth::answer(state, client, responses, now)?;
            after_password(state, client, &key, now)
        }
        Challenge::NewPasswordRequired => {
            let key = new_password::answer(state, client, session, responses, now)?;
            mfa_or_tokens(state, client, &key, now)
        }
        Challenge::SoftwareTokenMfa => {
            mfa::answer_software_token(state, client, session, responses, now)
        }
        Challenge::MfaSetup => mfa::answer_setup(state, client, session, responses, now),
    }
}

/// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH: username and password.
fn password_auth(
    state: &AppState,
    client: &SignInClient,
    username: &str,
    password_given: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let candidate = {
        let mut pool = client.entry.write();
        let candidate = sign_in::pre_sign_in_checks(&pool, client, username, now)?;
        sign_in::reserve_password_guess(&mut pool, &candidate.key, now)?;
        candidate
    };
    // The slow part, with no lock held.
    let proven = password_matches(
        candidate.credentials.as_deref(),
        &client.app_client.user_pool_id,
        &candidate.username,
        password_given,
    );
    {
        let mut pool = client.entry.write();
        sign_in::record_password_proof(
            state,
            &mut pool,
            &candidate.key,
            candidate.credentials.as_ref(),
            proven,
            now,
        )?;
    }
    after_password(state, client, &candidate.key, now)
}

/// Steps 4 to 6 for a user whose password was just proven.
fn after_password(
    state: &AppState,
    client: &SignInClient,
    key: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = client.entry.write();
    let status = pool
        .users
        .get(key)
        .map(|u| u.status)
        .ok_or_else(ServiceError::incorrect_credentials)?;
    if status == UserStatus::ForceChangePassword {
        return new_password::challenge(state, &mut pool, &client.app_client, key, now);
    }
    drop(pool);
    mfa_or_tokens(state, client, key, now)
}

/// Steps 5 and 6.
fn mfa_or_tokens(
    state: &AppState,
    client: &SignInClient,
    key: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let mut pool = client.entry.write();
    let user = pool
        .users
        .get(key)
        .ok_or_else(ServiceError::incorrect_credentials)?;
    if let Some(challenge) = mfa::required(&pool, user)? {
        return mfa::challenge(state, &mut pool, &client.app_client, key, challenge, now);
    }
    sign_in::issue_tokens(state, client, pool, key, now).map(AuthStep::Authenticated)
}
