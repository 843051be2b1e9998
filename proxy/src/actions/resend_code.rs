//! `resendCode`: ResendConfirmationCode.

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let user = require(request, "user")?;
    let cognito = &backend.cognito;
    cognito
        .client
        .resend_confirmation_code()
        .client_id(&cognito.client_id)
        .username(user)
        .secret_hash(cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(Reply::ok())
}
