//! `signInTotp` (this backend's): completes `signIn`'s MFA_REQUIRED with the authenticator's
//! code: RespondToAuthChallenge SOFTWARE_TOKEN_MFA with `session`, `totp` and the `user_id`
//! the challenge named (or `user`), which USERNAME and SECRET_HASH use.

use aws_sdk_cognitoidentityprovider::types::ChallengeNameType;

use super::{require, signed_in};
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let user = request
        .field("user_id")
        .map_or_else(|| require(request, "user"), Ok)?;
    let session = require(request, "session")?;
    let code = request.code("totp").ok_or(Failure::MissingField)?;
    let cognito = &backend.cognito;
    let output = cognito
        .client
        .respond_to_auth_challenge()
        .client_id(&cognito.client_id)
        .challenge_name(ChallengeNameType::SoftwareTokenMfa)
        .session(session)
        .challenge_responses("USERNAME", user)
        .challenge_responses("SOFTWARE_TOKEN_MFA_CODE", code)
        .challenge_responses("SECRET_HASH", cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    signed_in(output.authentication_result())
}
