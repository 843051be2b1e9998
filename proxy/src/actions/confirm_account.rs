//! `confirmAccount`: ConfirmSignUp with the code, then the sign-in the tutorial chains to it.

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    // As the original: the code is confirmed first; a missing `pass` fails the sign-in after.
    let user = require(request, "user")?;
    let code = request.code("conf_code").ok_or(Failure::MissingField)?;
    let cognito = &backend.cognito;
    cognito
        .client
        .confirm_sign_up()
        .client_id(&cognito.client_id)
        .username(user)
        .confirmation_code(code)
        .secret_hash(cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    super::sign_in::run(backend, request).await
}
