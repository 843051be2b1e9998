//! `QR_TOTP`: VerifySoftwareToken with the authenticator's code, then (deliberate
//! difference, moved here from QR_init) TOTP MFA turned on and preferred with the admin call
//! AdminSetUserMFAPreference, signed with the STS session credentials.

use aws_sdk_cognitoidentityprovider::types::{
    SoftwareTokenMfaSettingsType, VerifySoftwareTokenResponseType,
};

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let access_token = require(request, "access_token")?;
    let code = request.code("totp").ok_or(Failure::MissingField)?;
    let cognito = &backend.cognito;
    let verified = cognito
        .client
        .verify_software_token()
        .access_token(access_token)
        .user_code(code)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    if verified.status() != Some(&VerifySoftwareTokenResponseType::Success) {
        return Err(Failure::Cognito(None));
    }
    let username = cognito
        .client
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?
        .username()
        .to_owned();
    cognito
        .admin(|| {
            cognito
                .client
                .admin_set_user_mfa_preference()
                .user_pool_id(&cognito.user_pool_id)
                .username(&username)
                .software_token_mfa_settings(
                    SoftwareTokenMfaSettingsType::builder()
                        .enabled(true)
                        .preferred_mfa(true)
                        .build(),
                )
                .send()
        })
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(Reply::ok())
}
