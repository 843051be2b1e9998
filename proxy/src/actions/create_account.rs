//! `createAccount`: SignUp with the SECRET_HASH; the code goes to the user's e-mail.

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let user = require(request, "user")?;
    let pass = require(request, "pass")?;
    let cognito = &backend.cognito;
    cognito
        .client
        .sign_up()
        .client_id(&cognito.client_id)
        .username(user)
        .password(pass)
        .secret_hash(cognito.secret_hash(user))
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(Reply::ok())
}
