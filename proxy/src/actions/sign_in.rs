//! `signIn`: InitiateAuth USER_PASSWORD_AUTH. A user with TOTP MFA gets the challenge
//! (deliberate difference: `{"message": "MFA_REQUIRED", "session": …}`, which `signInTotp`
//! completes, with the `user_id` it names); other challenges are named the same way.

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};

use super::{require, signed_in};
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let user = require(request, "user")?;
    let pass = require(request, "pass")?;
    let cognito = &backend.cognito;
    let output = cognito
        .client
        .initiate_auth()
        .client_id(&cognito.client_id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", user)
        .auth_parameters("PASSWORD", pass)
        .auth_parameters("SECRET_HASH", cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    if let Some(challenge) = output.challenge_name() {
        let message = match challenge {
            ChallengeNameType::SoftwareTokenMfa => "MFA_REQUIRED",
            other => other.as_str(),
        };
        // The internal username (the `sub` in an e-mail pool) names the user in the answer.
        let user_id = output
            .challenge_parameters()
            .and_then(|p| p.get("USER_ID_FOR_SRP"))
            .map(String::as_str);
        return Ok(Reply::json(serde_json::json!({
            "message": message,
            "session": output.session(),
            "user_id": user_id,
        })));
    }
    signed_in(output.authentication_result())
}
