//! One file per `env` action of the tutorial, plus this backend's additions (`signInTotp`,
//! `refresh`, `signOut`). Each returns a `Reply` or a `Failure`, which `dispatch` maps by the
//! action's contract (`error.rs`).

mod change_pass;
mod confirm_account;
mod create_account;
mod delete_acct;
mod qr_init;
mod qr_totp;
mod refresh;
mod resend_code;
mod sign_in;
mod sign_in_totp;
mod sign_out;

use aws_sdk_cognitoidentityprovider::types::AuthenticationResultType;
use axum::http::StatusCode;
use base64::Engine;

use crate::error::{secret_hash_action, token_action, Failure, UNKNOWN_ENV};
use crate::http::{Reply, Request, REFRESH_TOKEN, REFRESH_USER};
use crate::Backend;

/// Runs the request's `env`.
pub async fn dispatch(backend: &Backend, request: &Request) -> Reply {
    let Some(env) = request.env() else {
        return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, UNKNOWN_ENV);
    };
    let (result, secret_hash_contract) = match env {
        "createAccount" => (create_account::run(backend, request).await, true),
        "confirmAccount" => (confirm_account::run(backend, request).await, true),
        "resendCode" => (resend_code::run(backend, request).await, true),
        "signIn" => (sign_in::run(backend, request).await, true),
        "signInTotp" => (sign_in_totp::run(backend, request).await, true),
        "refresh" => (refresh::run(backend, request).await, true),
        "changePass" => (change_pass::run(backend, request).await, false),
        "deleteAcct" => (delete_acct::run(backend, request).await, false),
        "QR_init" => (qr_init::run(backend, request).await, false),
        "QR_TOTP" => (qr_totp::run(backend, request).await, false),
        "signOut" => (sign_out::run(backend, request).await, false),
        _ => return Reply::text(StatusCode::INTERNAL_SERVER_ERROR, UNKNOWN_ENV),
    };
    match result {
        Ok(reply) => {
            tracing::info!(action = env, "answered");
            reply
        }
        Err(failure) if secret_hash_contract => secret_hash_action(env, &failure),
        Err(failure) => token_action(env, &failure),
    }
}

/// A field the action needs.
fn require<'a>(request: &'a Request, name: &str) -> Result<&'a str, Failure> {
    request.field(name).ok_or(Failure::MissingField)
}

/// `{"message": "OK", "access_token": …}`, with the refresh token and the user it belongs to
/// as HttpOnly cookies (deliberate difference: the original computed them and never set them).
fn signed_in(result: Option<&AuthenticationResultType>) -> Result<Reply, Failure> {
    let result = result.ok_or(Failure::Cognito(None))?;
    let access_token = result.access_token().ok_or(Failure::Cognito(None))?;
    let mut reply = Reply::json(serde_json::json!({
        "message": "OK",
        "access_token": access_token,
    }));
    if let Some(refresh_token) = result.refresh_token() {
        reply = reply.cookie(REFRESH_TOKEN, Some(refresh_token.to_owned()));
        // REFRESH_TOKEN_AUTH's SECRET_HASH is over the internal username (the `sub` in a pool
        // whose users sign in with e-mail), which the access token's `username` claim names.
        if let Some(username) = token_username(access_token) {
            reply = reply.cookie(REFRESH_USER, Some(username));
        }
    }
    Ok(reply)
}

/// The `username` claim of a token Cognito just issued (read, not verified: it came from
/// Cognito over this backend's own connection).
fn token_username(jwt: &str) -> Option<String> {
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    claims["username"].as_str().map(str::to_owned)
}
