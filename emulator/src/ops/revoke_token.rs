use serde::Deserialize;
use serde_json::{json, Value};
use subtle::ConstantTimeEq;

use super::{Cx, Operation};
use crate::auth::{sign_in, SignInClient};
use crate::error::{ErrorKind, ServiceError};

pub struct RevokeToken;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    token: String,
    client_id: String,
    client_secret: Option<String>,
}

impl Operation for RevokeToken {
    const NAME: &'static str = "RevokeToken";
    type Request = Request;
    type Response = Value;

    /// Revokes a refresh token and every access token issued from the same sign-in.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        if let Some(secret) = &client.app_client.client_secret {
            let given = request.client_secret.as_deref().unwrap_or_default();
            if !bool::from(secret.as_bytes().ct_eq(given.as_bytes())) {
                return Err(ServiceError::new(
                    ErrorKind::UnauthorizedException,
                    "Invalid client secret",
                ));
            }
        }
        if !client.app_client.enable_token_revocation {
            return Err(ServiceError::new(
                ErrorKind::UnsupportedOperationException,
                "Token revocation is not enabled for this client",
            ));
        }
        // Access and ID tokens are JWTs (three parts); only refresh tokens can be revoked.
        if request.token.split('.').count() == 3 {
            return Err(ServiceError::new(
                ErrorKind::UnsupportedTokenTypeException,
                "Unsupported token type",
            ));
        }
        let mut pool = client.entry.write();
        let Some((key, event_id)) = pool.users.refresh_token(&request.token).cloned() else {
            // RFC 7009 semantics: an unknown token needs no revoking.
            return Ok(json!({}));
        };
        let owned = pool
            .users
            .get(&key)
            .and_then(|u| u.sessions.get(&event_id))
            .is_none_or(|s| s.client_id == client.app_client.client_id);
        if !owned {
            return Err(ServiceError::new(
                ErrorKind::UnauthorizedException,
                "The token was not issued to this client",
            ));
        }
        sign_in::revoke_sessions(&mut pool, &key, Some(&event_id));
        Ok(json!({}))
    }
}
