use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;

use super::{Cx, Operation};
use crate::auth::{sign_in, SignInClient};
use crate::error::ServiceError;
use crate::wire::AuthenticationResultType;

pub struct GetTokensFromRefreshToken;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    refresh_token: String,
    client_id: String,
    client_secret: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    authentication_result: AuthenticationResultType,
}

impl Operation for GetTokensFromRefreshToken {
    const NAME: &'static str = "GetTokensFromRefreshToken";
    const COST: super::Cost = super::Cost::Crypto;
    type Request = Request;
    type Response = Response;

    /// New ID and access tokens, as REFRESH_TOKEN_AUTH gives them. The client proves itself
    /// with its secret rather than a SECRET_HASH (API reference, `ClientSecret`).
    /// Deviation: refresh token rotation is not implemented, so no new refresh token is issued
    /// ("If refresh token rotation is disabled, issues new ID and access tokens only").
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        if !client.app_client.allows_flow("ALLOW_REFRESH_TOKEN_AUTH") {
            return Err(ServiceError::flow_not_enabled("Refresh Token"));
        }
        if let Some(secret) = &client.app_client.client_secret {
            let given = request.client_secret.as_deref().unwrap_or_default();
            if !bool::from(secret.as_bytes().ct_eq(given.as_bytes())) {
                return Err(ServiceError::not_authorized(format!(
                    "Unable to verify secret for client {}",
                    client.app_client.client_id
                )));
            }
        }
        let authentication_result = sign_in::refresh(
            cx.state,
            &client,
            &request.refresh_token,
            |_| Ok(()),
            cx.now,
        )?;
        Ok(Response {
            authentication_result,
        })
    }
}
