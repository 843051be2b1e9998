//! `deleteAcct`: DeleteUser with the access token; the refresh cookies go with the account.

use super::require;
use crate::error::Failure;
use crate::http::{Reply, Request, REFRESH_TOKEN, REFRESH_USER};
use crate::Backend;

pub async fn run(backend: &Backend, request: &Request) -> Result<Reply, Failure> {
    let access_token = require(request, "access_token")?;
    backend
        .cognito
        .client
        .delete_user()
        .access_token(access_token)
        .send()
        .await
        .map_err(|e| Failure::of(&e))?;
    Ok(Reply::ok()
        .cookie(REFRESH_TOKEN, None)
        .cookie(REFRESH_USER, None))
}
