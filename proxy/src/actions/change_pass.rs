//! `changePass`: ChangePassword with the access token.

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let old_pass = require(request, "old_pass")?;
    let new_pass = require(request, "new_pass")?;
    let access_token = require(request, "access_token")?;
    backend
        .cognito
        .client
        .change_password()
        .previous_password(old_pass)
        .proposed_password(new_pass)
        .access_token(access_token)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(Reply::ok())
}
