//! Authentication: app clients and SECRET_HASH, users and their sign-in names, password
//! policy, the sign-in state machine, access-token verification and token minting.
//! Shared by the public and Admin* operations, so neither copies the other.
//!
//! The sign-in modules form a tree without cycles: `flow` drives; `srp_auth`, `new_password`
//! and `mfa` are its steps; `sign_in` (checks, lockout, tokens) and `challenges` (the session
//! table) are leaves every step uses.

pub mod access;
pub mod challenges;
pub mod codes;
pub mod flow;
pub mod limits;
pub mod mfa;
pub mod new_password;
pub mod policy;
pub mod sign_in;
pub mod srp_auth;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use crate::crypto::credentials::{Credentials, SrpIdentity};
use crate::error::ServiceError;
use crate::model::AppClient;
use crate::store::PoolEntry;
use crate::AppState;

/// An app client and its pool, read once per request.
pub struct SignInClient {
    pub entry: Arc<PoolEntry>,
    pub app_client: AppClient,
}

impl SignInClient {
    pub fn load(state: &AppState, client_id: &str) -> Result<SignInClient, ServiceError> {
        Self::of(state.store.pool_of_client(client_id)?, client_id)
    }

    /// An app client of the pool `user_pool_id` (the Admin* sign-in operations name both).
    pub fn load_in_pool(
        state: &AppState,
        user_pool_id: &str,
        client_id: &str,
    ) -> Result<SignInClient, ServiceError> {
        Self::of(state.store.pool(user_pool_id)?, client_id)
    }

    fn of(entry: Arc<PoolEntry>, client_id: &str) -> Result<SignInClient, ServiceError> {
        let app_client = entry
            .read()
            .clients
            .get(client_id)
            .cloned()
            .ok_or_else(|| ServiceError::client_not_found(client_id))?;
        Ok(SignInClient { entry, app_client })
    }

    /// The error for a user who does not exist, by the client's PreventUserExistenceErrors.
    pub fn user_not_found(&self) -> ServiceError {
        if self.app_client.prevents_user_existence_errors() {
            ServiceError::incorrect_credentials()
        } else {
            ServiceError::user_not_found()
        }
    }

    /// Enforces SECRET_HASH for clients with a secret (wire facts §4), comparing in constant time.
    /// `username` is the name the caller sent (or the internal username for refresh).
    pub fn check_secret_hash(
        &self,
        username: &str,
        provided: Option<&str>,
    ) -> Result<(), ServiceError> {
        let Some(secret) = &self.app_client.client_secret else {
            // AWS: no evidence of a check for clients without a secret; a stray hash is ignored.
            return Ok(());
        };
        let id = &self.app_client.client_id;
        match provided {
            None => Err(ServiceError::not_authorized(format!(
                "Client {id} is configured with secret but SECRET_HASH was not received"
            ))),
            Some(hash)
                if crate::crypto::secret_hash::verify_secret_hash(secret, username, id, hash) =>
            {
                Ok(())
            }
            Some(_) => Err(ServiceError::not_authorized(format!(
                "Unable to verify secret hash for client {id}"
            ))),
        }
    }

    /// Like `check_secret_hash`, accepting a hash over any of `usernames` (REFRESH_TOKEN_AUTH:
    /// the internal username or the `sub`, which AWS both accept per community reports, §4).
    pub fn check_secret_hash_any(
        &self,
        usernames: &[&str],
        provided: Option<&str>,
    ) -> Result<(), ServiceError> {
        let mut last = Ok(());
        for name in usernames {
            last = self.check_secret_hash(name, provided);
            if last.is_ok() {
                return last;
            }
        }
        last
    }
}

/// What the emulator keeps of a new password (see `crypto::credentials` for the two modes),
/// for the internal username (wire facts §5.3). Call with no lock held.
pub fn make_credentials(
    state: &AppState,
    user_pool_id: &str,
    username: &str,
    password: &str,
) -> Arc<Credentials> {
    let identity = SrpIdentity::new(user_pool_id, username);
    let salt = state.ids.bytes::<16>();
    Arc::new(if state.config.strong_password_hashing {
        Credentials::hardened(identity, password, salt, state.ids.bytes::<16>())
    } else {
        Credentials::new(identity, password, salt)
    })
}

/// Whether `password` is the user's; `false` for a user without a password. Slow with
/// `--strong-password-hashing`: call with no lock held.
pub fn password_matches(
    credentials: Option<&Credentials>,
    user_pool_id: &str,
    username: &str,
    password: &str,
) -> bool {
    credentials.is_some_and(|c| c.matches(SrpIdentity::new(user_pool_id, username), password))
}

/// Reads a required entry of `AuthParameters`/`ChallengeResponses`.
pub fn required_param<'a>(
    params: &'a std::collections::HashMap<String, String>,
    name: &str,
) -> Result<&'a str, ServiceError> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        ServiceError::invalid_parameter(format!("Missing required parameter {name}"))
    })
}
