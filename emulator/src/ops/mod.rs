//! One file per Cognito action, and the registry that names each once.
//! `call::<O>` does all decoding and encoding, so an operation file holds only its
//! request/response types and `run`. Validation against the API model happened before.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::clock::Timestamp;
use crate::error::{ProtocolError, ServiceError};
use crate::protocol::sigv4::Signer;
use crate::AppState;

mod add_custom_attributes;
mod admin_confirm_sign_up;
mod associate_software_token;
mod change_password;
mod client_settings;
mod confirm_forgot_password;
mod confirm_sign_up;
mod create_user_pool;
mod create_user_pool_client;
mod delete_user;
mod delete_user_attributes;
mod delete_user_pool;
mod delete_user_pool_client;
mod describe_user_pool;
mod describe_user_pool_client;
mod forgot_password;
mod get_user;
mod get_user_attribute_verification_code;
mod get_user_pool_mfa_config;
mod global_sign_out;
mod initiate_auth;
mod list_user_pool_clients;
mod list_user_pools;
mod pool_settings;
mod resend_confirmation_code;
mod respond_to_auth_challenge;
mod revoke_token;
mod set_user_mfa_preference;
mod set_user_pool_mfa_config;
mod sign_up;
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
    fn run(cx: &Cx<'_>, request: Self::Request) -> Result<Self::Response, ServiceError>;
}

/// Who is calling.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A request with a well-formed SigV4 `Authorization` header.
    Signed(Signer),
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

/// Why a call failed: a Cognito error, or the input could not be decoded.
#[derive(Debug)]
pub enum CallError {
    Service(ServiceError),
    Protocol(ProtocolError),
}

impl From<ServiceError> for CallError {
    fn from(e: ServiceError) -> Self {
        CallError::Service(e)
    }
}

type Handler = fn(&Cx<'_>, Value) -> Result<Value, CallError>;

pub struct Entry {
    pub name: &'static str,
    handler: Handler,
}

impl Entry {
    pub fn call(&self, cx: &Cx<'_>, body: Value) -> Result<Value, CallError> {
        (self.handler)(cx, body)
    }
}

fn call<O: Operation>(cx: &Cx<'_>, body: Value) -> Result<Value, CallError> {
    // The model validated types already, so a failure here is a member the model allows
    // but our types do not (e.g. a number out of u64 range): answer as Coral does.
    let request: O::Request = serde_json::from_value(body).map_err(|e| {
        CallError::Protocol(ProtocolError::serialization(format!(
            "Could not decode the {} request: {e}",
            O::NAME
        )))
    })?;
    let response = O::run(cx, request)?;
    serde_json::to_value(response).map_err(|e| {
        CallError::Service(ServiceError::internal(format!("encoding {}: {e}", O::NAME)))
    })
}

const fn entry<O: Operation>() -> Entry {
    Entry {
        name: O::NAME,
        handler: call::<O>,
    }
}

/// Every implemented operation, one line each, sorted by name (a test keeps it so).
pub static REGISTRY: &[Entry] = &[
    entry::<add_custom_attributes::AddCustomAttributes>(),
    entry::<admin_confirm_sign_up::AdminConfirmSignUp>(),
    entry::<associate_software_token::AssociateSoftwareToken>(),
    entry::<change_password::ChangePassword>(),
    entry::<confirm_forgot_password::ConfirmForgotPassword>(),
    entry::<confirm_sign_up::ConfirmSignUp>(),
    entry::<create_user_pool::CreateUserPool>(),
    entry::<create_user_pool_client::CreateUserPoolClient>(),
    entry::<delete_user::DeleteUser>(),
    entry::<delete_user_attributes::DeleteUserAttributes>(),
    entry::<delete_user_pool::DeleteUserPool>(),
    entry::<delete_user_pool_client::DeleteUserPoolClient>(),
    entry::<describe_user_pool::DescribeUserPool>(),
    entry::<describe_user_pool_client::DescribeUserPoolClient>(),
    entry::<forgot_password::ForgotPassword>(),
    entry::<get_user::GetUser>(),
    entry::<get_user_attribute_verification_code::GetUserAttributeVerificationCode>(),
    entry::<get_user_pool_mfa_config::GetUserPoolMfaConfig>(),
    entry::<global_sign_out::GlobalSignOut>(),
    entry::<initiate_auth::InitiateAuth>(),
    entry::<list_user_pool_clients::ListUserPoolClients>(),
    entry::<list_user_pools::ListUserPools>(),
    entry::<resend_confirmation_code::ResendConfirmationCode>(),
    entry::<respond_to_auth_challenge::RespondToAuthChallenge>(),
    entry::<revoke_token::RevokeToken>(),
    entry::<set_user_mfa_preference::SetUserMFAPreference>(),
    entry::<set_user_pool_mfa_config::SetUserPoolMfaConfig>(),
    entry::<sign_up::SignUp>(),
    entry::<update_user_attributes::UpdateUserAttributes>(),
    entry::<update_user_pool::UpdateUserPool>(),
    entry::<update_user_pool_client::UpdateUserPoolClient>(),
    entry::<verify_software_token::VerifySoftwareToken>(),
    entry::<verify_user_attribute::VerifyUserAttribute>(),
];

pub fn lookup(name: &str) -> Option<&'static Entry> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Entry>> = OnceLock::new();
    INDEX
        .get_or_init(|| REGISTRY.iter().map(|e| (e.name, e)).collect())
        .get(name)
        .copied()
}

/// `AttributeType` on the wire: `{"Name": ..., "Value": ...}`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeType {
    name: String,
    #[serde(default)]
    value: String,
}

/// Stores `user` after a verification, giving it the aliases it now has a right to.
/// A verified alias held by another user is refused with AliasExistsException unless
/// `force` (ForceAliasCreation), which moves it.
pub(crate) fn claim_aliases(
    pool: &mut crate::model::UserPool,
    user: crate::model::User,
    force: bool,
) -> Result<(), ServiceError> {
    use crate::auth::users;
    if let Some((attribute, holder)) = users::alias_conflict(pool, &user) {
        if !force {
            return Err(confirm_sign_up::alias_exists(&attribute));
        }
        if let Some(mut other) = pool.users.get(&holder).cloned() {
            other
                .attributes
                .insert(format!("{attribute}_verified"), "false".to_owned());
            users::put_user(pool, other);
        }
    }
    users::put_user(pool, user);
    Ok(())
}

/// The CodeDeliveryDetails AWS invents for an unknown user when PreventUserExistenceErrors
/// is ENABLED (wire facts §7.7), shaped by what the pool would use.
pub(crate) fn simulated_delivery(pool: &crate::model::UserPool, username: &str) -> Value {
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

    pub fn decode(token: &str) -> Result<String, ServiceError> {
        URL_SAFE_NO_PAD
            .decode(token)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .ok_or_else(|| ServiceError::invalid_parameter("Invalid pagination token."))
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
