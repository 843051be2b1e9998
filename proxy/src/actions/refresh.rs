//! `refresh` (this backend's): a new access token from the `refresh_token` cookie
//! (InitiateAuth REFRESH_TOKEN_AUTH, SECRET_HASH over the `refresh_user` cookie).

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

use crate::error::Failure;
use crate::http::{Reply, Request, REFRESH_TOKEN, REFRESH_USER};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let token = request.cookie(REFRESH_TOKEN).ok_or(Failure::MissingField)?;
    let user = request.cookie(REFRESH_USER).ok_or(Failure::MissingField)?;
    let cognito = &backend.cognito;
    let output = cognito
        .client
        .initiate_auth()
        .client_id(&cognito.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .auth_parameters("SECRET_HASH", cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    let access_token = output
        .authentication_result()
        .and_then(|r| r.access_token())
        .ok_or(Failure::Cognito(None))?;
    Ok(Reply::json(serde_json::json!({
        "message": "OK",
        "access_token": access_token,
    })))
}
