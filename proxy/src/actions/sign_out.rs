//! `signOut` (this backend's): RevokeToken on the `refresh_token` cookie (which ends the
//! access tokens issued from it too), then both cookies cleared.

use crate::error::Failure;
use crate::http::{Reply, Request, REFRESH_TOKEN, REFRESH_USER};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    if let Some(token) = request.cookie(REFRESH_TOKEN) {
        let cognito = &backend.cognito;
        cognito
            .client
            .revoke_token()
            .token(token)
            .client_id(&cognito.client_id)
            .client_secret(cognito.client_secret())
            .send()
            .await
            .map_err(|e| Failure::of(&e))?;
    }
    Ok(Reply::ok()
        .cookie(REFRESH_TOKEN, None)
        .cookie(REFRESH_USER, None))
}
