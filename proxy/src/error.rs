//! The tutorial's error contract (tutorial-backend.md "Errors"): which Cognito error becomes
//! which status and text. Codes come from the SDK (`ProvideErrorMetadata::code`); nothing
//! about a failure but its code is logged.

use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use axum::http::StatusCode;

use crate::http::Reply;

/// The original's catch-all text, typo included: clients may match on it.
pub const GENERIC: &str = "an error occured check the output from the backend";
/// The answer to an unknown `env`.
pub const UNKNOWN_ENV: &str =
    "Check the backend env dictionary you did set it so the backend didnt do anything";

/// Why a call failed, as far as the contract cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A required field was missing or empty (the original's SDK refused it client-side).
    MissingField,
    /// Cognito (or the transport) answered an error; the code when there is one.
    Cognito(Option<String>),
}

impl Failure {
    /// The failure of an SDK call.
    pub fn of<E, R>(error: &SdkError<E, R>) -> Self
    where
        E: ProvideErrorMetadata,
    {
        match error {
            SdkError::ConstructionFailure(_) => Failure::MissingField,
            _ => Failure::Cognito(error.code().map(str::to_owned)),
        }
    }
}

/// The contract of the actions that compute a SECRET_HASH: createAccount, confirmAccount,
/// resendCode, signIn (and this backend's MFA step and refresh).
pub fn secret_hash_action(action: &str, failure: &Failure) -> Reply {
    log(action, failure);
    let (status, text) = match failure {
        Failure::MissingField => (StatusCode::UNAUTHORIZED, "Unauthenticated"),
        Failure::Cognito(code) => match code.as_deref() {
            Some("NotAuthorizedException") => (StatusCode::UNAUTHORIZED, "Unauthenticated"),
            Some("LimitExceededException") => (StatusCode::INTERNAL_SERVER_ERROR, "Limit Exceeded"),
            Some("InvalidParameterException") => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "Format the target string properly",
            ),
            Some("CodeMismatchException") => (StatusCode::NOT_FOUND, "Code Mismatch"),
            Some("UsernameExistsException") => {
                (StatusCode::INTERNAL_SERVER_ERROR, "Username Exists")
            }
            _ => (StatusCode::NOT_FOUND, GENERIC),
        },
    };
    Reply::text(status, text)
}

/// The contract of the actions with an access token (changePass, deleteAcct, QR_TOTP, and,
/// as a deliberate difference, QR_init, whose failures were an HTML 500): 404 and the
/// catch-all text.
pub fn token_action(action: &str, failure: &Failure) -> Reply {
    log(action, failure);
    Reply::text(StatusCode::NOT_FOUND, GENERIC)
}

fn log(action: &str, failure: &Failure) {
    match failure {
        Failure::MissingField => tracing::info!(action, "refused: a required field is missing"),
        Failure::Cognito(code) => tracing::info!(
            action,
            error = code.as_deref().unwrap_or("no answer"),
            "Cognito refused"
        ),
    }
}
