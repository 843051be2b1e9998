//! `signOut` (this backend's): RevokeToken on the `refresh_token` cookie (which ends the
//! access tokens issued from it too), then both cookies cleared.

use crate::error::{token_action, Failure};
use crate::http::{Reply, Request, REFRESH_TOKEN, REFRESH_USER};
use crate::Backend;

/// The cookies are cleared whatever Cognito answers: a browser is signed out even when the
/// revocation fails (a client without token revocation, say), and the failure is still told.
pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let mut reply = Reply::ok();
    if let Some(token) = request.cookie(REFRESH_TOKEN) {
        let cognito = &backend.cognito;
        let revoked = cognito
            .client
            .revoke_token()
            .token(token)
            .client_id(&cognito.client_id)
            .client_secret(cognito.client_secret())
            .send()
            .await;
        if let Err(e) = revoked {
            reply = token_action("signOut", &Failure::of(&e));
        }
    }
    Ok(reply.cookie(REFRESH_TOKEN, None).cookie(REFRESH_USER, None))
}
