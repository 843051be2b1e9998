//! One file per Cognito action, the registry that names each once, and `dispatch`, the one
//! way in for every cognito-idp front door (AWS JSON over HTTP, seed files). `dispatch`
//! validates against the API model, then `call::<O>` decodes the request and encodes the
//! typed response, so an operation file holds only its request/response types and `run`.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;
use crate::error::{ErrorKind, Failure, ProtocolError, ServiceError};
use crate::protocol::schema::{Schema, ValidationError};
use crate::AppState;

mod add_custom_attributes;
mod admin_add_user_to_group;
mod admin_confirm_sign_up;
mod admin_create_user;
mod admin_delete_user;
mod admin_delete_user_attributes;
mod admin_disable_user;
mod admin_enable_user;
mod admin_get_user;
mod admin_initiate_auth;
mod admin_list_groups_for_user;
mod admin_list_user_auth_events;
mod admin_remove_user_from_group;
mod admin_reset_user_password;
mod admin_respond_to_auth_challenge;
mod admin_set_user_mfa_preference;
mod admin_set_user_password;
mod admin_update_user_attributes;
mod admin_user_global_sign_out;
mod associate_software_token;
mod change_password;
mod client_settings;
mod confirm_forgot_password;
mod confirm_sign_up;
mod create_group;
mod create_user_pool;
mod create_user_pool_client;
mod delete_group;
mod delete_user;
mod delete_user_attributes;
mod delete_user_pool;
mod delete_user_pool_client;
mod describe_user_pool;
mod describe_user_pool_client;
mod forgot_password;
mod get_group;
mod get_tokens_from_refresh_token;
mod get_user;
mod get_user_attribute_verification_code;
mod get_user_pool_mfa_config;
mod global_sign_out;
mod initiate_auth;
mod list_groups;
mod list_user_pool_clients;
mod list_user_pools;
mod list_users;
mod list_users_in_group;
mod pool_settings;
mod resend_confirmation_code;
mod respond_to_auth_challenge;
mod revoke_token;
mod set_user_mfa_preference;
mod set_user_pool_mfa_config;
mod sign_up;
mod update_group;
mod update_user_attributes;
mod update_user_pool;
mod update_user_pool_client;
mod verify_software_token;
mod verify_user_attribute;

/// One Cognito API action.
pub(crate) trait Operation {
    /// The name after the dot in `X-Amz-Target`, e.g. `AdminGetUser`.
    const NAME: &'static str;
    type Request: DeserializeOwned;
    type Response: Serialize;
    /// What the operation costs in CPU, which decides where it runs (`dispatch_async`).
    const COST: Cost = Cost::Cheap;
    fn run(cx: &Cx<'_>, request: Self::Request) -> Result<Self::Response, ServiceError>;
}

/// How much CPU an operation can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// Microseconds: runs on the async worker that read the request.
    Cheap,
    /// Milliseconds always: SRP's modular exponentiations or RSA signatures of tokens.
    Crypto,
    /// Hashes a new password: milliseconds with `--strong-password-hashing` (Argon2id),
    /// microseconds without.
    Hashing,
}

pub use crate::credentials::Principal;

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A request whose SigV4 signature was verified (or, for a key the emulator does not
    /// know, accepted without `--strict-credentials`).
    Signed(Principal),
    /// A request without credentials (allowed only for the model's unsigned operations).
    Unsigned,
    /// The emulator itself, replaying a seed file.
    Seed,
}

/// What an operation sees of the request besides its input.
pub struct Cx<'a> {
    pub state: &'a AppState,
    pub now: Timestamp,
    pub caller: Caller,
}

type Handler = fn(&Cx<'_>, Value) -> Result<Value, Failure>;

pub struct Entry {
    pub name: &'static str,
    pub cost: Cost,
    handler: Handler,
}

impl Entry {
    pub fn call(&self, cx: &Cx<'_>, body: Value) -> Result<Value, Failure> {
        (self.handler)(cx, body)
    }
}

fn call<O: Operation>(cx: &Cx<'_>, body: Value) -> Result<Value, Failure> {
    // The model validated types already, so a failure here is a member the model allows
    // but our types do not (e.g. a number out of u64 range): answer as Coral does.
    let request: O::Request = serde_json::from_value(body).map_err(|e| {
        Failure::Protocol(ProtocolError::serialization(format!(
            "Could not decode the {} request: {e}",
            O::NAME
        )))
    })?;
    let response = O::run(cx, request)?;
    serde_json::to_value(response)
        .map_err(|e| Failure::Service(ServiceError::internal(format!("encoding {}: {e}", O::NAME))))
}

const fn entry<O: Operation>() -> Entry {
    Entry {
        name: O::NAME,
        cost: O::COST,
        handler: call::<O>,
    }
}

/// Every implemented operation, one line each, sorted by name (a test keeps it so).
pub static REGISTRY: &[Entry] = &[
    entry::<add_custom_attributes::AddCustomAttributes>(),
    entry::<admin_add_user_to_group::AdminAddUserToGroup>(),
    entry::<admin_confirm_sign_up::AdminConfirmSignUp>(),
    entry::<admin_create_user::AdminCreateUser>(),
    entry::<admin_delete_user::AdminDeleteUser>(),
    entry::<admin_delete_user_attributes::AdminDeleteUserAttributes>(),
    entry::<admin_disable_user::AdminDisableUser>(),
    entry::<admin_enable_user::AdminEnableUser>(),
    entry::<admin_get_user::AdminGetUser>(),
    entry::<admin_initiate_auth::AdminInitiateAuth>(),
    entry::<admin_list_groups_for_user::AdminListGroupsForUser>(),
    entry::<admin_list_user_auth_events::AdminListUserAuthEvents>(),
    entry::<admin_remove_user_from_group::AdminRemoveUserFromGroup>(),
    entry::<admin_reset_user_password::AdminResetUserPassword>(),
    entry::<admin_respond_to_auth_challenge::AdminRespondToAuthChallenge>(),
    entry::<admin_set_user_mfa_preference::AdminSetUserMFAPreference>(),
    entry::<admin_set_user_password::AdminSetUserPassword>(),
    entry::<admin_update_user_attributes::AdminUpdateUserAttributes>(),
    entry::<admin_user_global_sign_out::AdminUserGlobalSignOut>(),
    entry::<associate_software_token::AssociateSoftwareToken>(),
    entry::<change_password::ChangePassword>(),
    entry::<confirm_forgot_password::ConfirmForgotPassword>(),
    entry::<confirm_sign_up::ConfirmSignUp>(),
    entry::<create_group::CreateGroup>(),
    entry::<create_user_pool::CreateUserPool>(),
    entry::<create_user_pool_client::CreateUserPoolClient>(),
    entry::<delete_group::DeleteGroup>(),
    entry::<delete_user::DeleteUser>(),
    entry::<delete_user_attributes::DeleteUserAttributes>(),
    entry::<delete_user_pool::DeleteUserPool>(),
    entry::<delete_user_pool_client::DeleteUserPoolClient>(),
    entry::<describe_user_pool::DescribeUserPool>(),
    entry::<describe_user_pool_client::DescribeUserPoolClient>(),
    entry::<forgot_password::ForgotPassword>(),
    entry::<get_group::GetGroup>(),
    entry::<get_tokens_from_refresh_token::GetTokensFromRefreshToken>(),
    entry::<get_user::GetUser>(),
    entry::<get_user_attribute_verification_code::GetUserAttributeVerificationCode>(),
    entry::<get_user_pool_mfa_config::GetUserPoolMfaConfig>(),
    entry::<global_sign_out::GlobalSignOut>(),
    entry::<initiate_auth::InitiateAuth>(),
    entry::<list_groups::ListGroups>(),
    entry::<list_user_pool_clients::ListUserPoolClients>(),
    entry::<list_user_pools::ListUserPools>(),
    entry::<list_users::ListUsers>(),
    entry::<list_users_in_group::ListUsersInGroup>(),
    entry::<resend_confirmation_code::ResendConfirmationCode>(),
    entry::<respond_to_auth_challenge::RespondToAuthChallenge>(),
    entry::<revoke_token::RevokeToken>(),
    entry::<set_user_mfa_preference::SetUserMFAPreference>(),
    entry::<set_user_pool_mfa_config::SetUserPoolMfaConfig>(),
    entry::<sign_up::SignUp>(),
    entry::<update_group::UpdateGroup>(),
    entry::<update_user_attributes::UpdateUserAttributes>(),
    entry::<update_user_pool::UpdateUserPool>(),
    entry::<update_user_pool_client::UpdateUserPoolClient>(),
    entry::<verify_software_token::VerifySoftwareToken>(),
    entry::<verify_user_attribute::VerifyUserAttribute>(),
];

/// Runs one API call by operation name, with the same validation HTTP requests get.
/// Seed files use this too, so they cannot bypass any check.
pub fn dispatch(
    state: &AppState,
    operation: &str,
    mut body: Value,
    caller: Caller,
) -> Result<Value, Failure> {
    let schema = Schema::get();
    let info = schema.operation(operation).ok_or_else(|| {
        ProtocolError::unknown_operation(format!("Unknown operation {operation}."))
    })?;
    if matches!(caller, Caller::Unsigned) && !info.unsigned {
        return Err(ProtocolError::new(
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
        .into());
    }
    schema.validate(info, &body).map_err(|e| match e {
        ValidationError::Serialization(m) => Failure::Protocol(ProtocolError::serialization(m)),
        ValidationError::InvalidParameter(m) => {
            Failure::Service(ServiceError::invalid_parameter(m))
        }
    })?;
    schema.strip_unknown(info, &mut body);
    let Some(entry) = lookup(operation) else {
        // Known to AWS, not implemented here: a clear, non-retryable client error, never a 500.
        return Err(Failure::Service(ServiceError::new(
            ErrorKind::UnsupportedOperationException,
            format!("{operation} is not implemented by this emulator. See the README for supported operations."),
        )));
    };
    let cx = Cx {
        state,
        now: state.clock.now(),
        caller,
    };
    entry.call(&cx, body)
}

/// `dispatch` for the HTTP front door: costly operations run off the async workers, at most
/// two a core at a time (`AppState::crypto_lanes`), so that the workers stay free for cheap
/// requests however many sign-ins queue up. A panic in an operation is an internal
/// error, never a dropped connection.
pub async fn dispatch_async(
    state: &AppState,
    operation: &str,
    body: Value,
    caller: Caller,
) -> Result<Value, Failure> {
    let costly = lookup(operation).is_some_and(|entry| match entry.cost {
        Cost::Cheap => false,
        Cost::Crypto => true,
        Cost::Hashing => state.config.strong_password_hashing,
    });
    let panicked = || {
        Failure::Service(ServiceError::internal(format!(
            "operation {operation} panicked"
        )))
    };
    if !costly {
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            dispatch(state, operation, body, caller)
        }))
        .unwrap_or_else(|_| Err(panicked()));
    }
    // Waiting here costs nothing but the request's memory; the connection limit bounds it.
    let Ok(_lane) = state.crypto_lanes.acquire().await else {
        return Err(panicked());
    };
    // On the multi-threaded runtime, this thread stops being a worker while the operation runs
    // (its queue of tasks goes to another thread), so the operation keeps its caches and costs
    // no hand-over; measured, that kept sign-ins within 8% of running inline, where a
    // `spawn_blocking` hand-over cost 18%. The current-thread runtime (tests, embedders) cannot
    // give its only worker away: there the operation moves to a blocking thread.
    if tokio::runtime::Handle::current().runtime_flavor()
        == tokio::runtime::RuntimeFlavor::MultiThread
    {
        return tokio::task::block_in_place(|| {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                dispatch(state, operation, body, caller)
            }))
            .unwrap_or_else(|_| Err(panicked()))
        });
    }
    let owned = (state.clone(), operation.to_owned());
    tokio::task::spawn_blocking(move || {
        let (state, operation) = owned;
        dispatch(&state, &operation, body, caller)
    })
    .await
    .unwrap_or_else(|_| Err(panicked()))
}

pub fn lookup(name: &str) -> Option<&'static Entry> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Entry>> = OnceLock::new();
    INDEX
        .get_or_init(|| REGISTRY.iter().map(|e| (e.name, e)).collect())
        .get(name)
        .copied()
}

pub(crate) use crate::wire::AttributeType;

/// Runs `f` on the pool `user_pool_id` (write-locked) with the key of the user an Admin*
/// operation names (username, alias or `sub`; UserNotFoundException otherwise).
pub(crate) fn with_admin_user<R>(
    cx: &Cx<'_>,
    user_pool_id: &str,
    username: &str,
    f: impl FnOnce(&mut crate::model::UserPool, &str) -> Result<R, ServiceError>,
) -> Result<R, ServiceError> {
    let entry = cx.state.store.pool(user_pool_id)?;
    let mut pool = entry.write();
    let key = crate::auth::users::require_admin(&pool, username)?;
    f(&mut pool, &key)
}

/// `with_admin_user` for reads: the pool is read-locked, so readers do not wait for each other.
pub(crate) fn with_admin_user_read<R>(
    cx: &Cx<'_>,
    user_pool_id: &str,
    username: &str,
    f: impl FnOnce(&crate::model::UserPool, &str) -> Result<R, ServiceError>,
) -> Result<R, ServiceError> {
    let entry = cx.state.store.pool(user_pool_id)?;
    let pool = entry.read();
    let key = crate::auth::users::require_admin(&pool, username)?;
    f(&pool, &key)
}

/// The request of the Admin* operations that name only a user.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AdminUserRequest {
    user_pool_id: String,
    username: String,
}

/// The CodeDeliveryDetails AWS invents for an unknown user when PreventUserExistenceErrors
/// is ENABLED (wire facts §7.7), shaped by what the pool would use.
pub(crate) fn simulated_delivery(
    pool: &crate::model::UserPool,
    username: &str,
) -> crate::wire::CodeDeliveryDetailsType {
    use crate::auth::users::{looks_like_email, looks_like_phone};
    let auto = &pool.settings.auto_verified_attributes;
    let by_phone = !auto.iter().any(|a| a == "email") && auto.iter().any(|a| a == "phone_number");
    let delivery = if by_phone {
        crate::auth::codes::Delivery {
            attribute: "phone_number",
            destination: if looks_like_phone(username) {
                username.to_owned()
            } else {
                "+10000000000".to_owned()
            },
        }
    } else {
        crate::auth::codes::Delivery {
            attribute: "email",
            destination: if looks_like_email(username) {
                username.to_owned()
            } else {
                format!("{username}@example.com")
            },
        }
    };
    delivery.details()
}

/// Opaque pagination tokens: the key to resume from, base64url-encoded.
pub(crate) mod page_token {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use crate::error::ServiceError;

    pub fn encode(key: &str) -> String {
        URL_SAFE_NO_PAD.encode(key.as_bytes())
    }

    /// Up to `limit` items of `items`, and the token for the rest when more follow: the key of
    /// the last item returned, so a listing resumes after it whatever changed meanwhile.
    pub fn page<T>(
        items: impl Iterator<Item = T>,
        limit: usize,
        key: impl Fn(&T) -> &str,
    ) -> (Vec<T>, Option<String>) {
        let mut items = items.peekable();
        let page: Vec<T> = items.by_ref().take(limit).collect();
        let next = match (page.last(), items.peek()) {
            (Some(last), Some(_)) => Some(encode(key(last))),
            _ => None,
        };
        (page, next)
    }

    pub fn decode(token: &str) -> Result<String, ServiceError> {
        URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(ServiceError::invalid_pagination_token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_is_sorted_and_unique() {
        let names: Vec<&str> = REGISTRY.iter().map(|e| e.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
    }

    #[test]
    fn every_registered_operation_exists_in_the_api_model() {
        let schema = crate::protocol::schema::Schema::get();
        for e in REGISTRY {
            assert!(
                schema.operation(e.name).is_some(),
                "{} is not in the model",
                e.name
            );
        }
    }
}
