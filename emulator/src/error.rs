//! Wire errors as data: `ServiceError` is what an operation answers when the caller is wrong.
//! Internal failures are bugs; they are logged and rendered as a generic `InternalErrorException`
//! by the protocol layer, never with their own text.

use std::fmt;

/// The `__type` of a Cognito error. Variant names are the wire names, so they grep against AWS docs.
#[allow(clippy::enum_variant_names)] // AWS names every error `...Exception`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    AliasExistsException,
    CodeDeliveryFailureException,
    CodeMismatchException,
    ConcurrentModificationException,
    EnableSoftwareTokenMFAException,
    ExpiredCodeException,
    GroupExistsException,
    InternalErrorException,
    InvalidParameterException,
    InvalidPasswordException,
    InvalidUserPoolConfigurationException,
    LimitExceededException,
    NotAuthorizedException,
    PasswordResetRequiredException,
    ResourceNotFoundException,
    SoftwareTokenMFANotFoundException,
    TooManyFailedAttemptsException,
    TooManyRequestsException,
    UnauthorizedException,
    UnsupportedOperationException,
    UnsupportedTokenTypeException,
    UserNotConfirmedException,
    UserNotFoundException,
    UsernameExistsException,
}

impl ErrorKind {
    /// The wire name (`__type`).
    pub fn name(self) -> &'static str {
        use ErrorKind::*;
        match self {
            AliasExistsException => "AliasExistsException",
            CodeDeliveryFailureException => "CodeDeliveryFailureException",
            CodeMismatchException => "CodeMismatchException",
            ConcurrentModificationException => "ConcurrentModificationException",
            EnableSoftwareTokenMFAException => "EnableSoftwareTokenMFAException",
            ExpiredCodeException => "ExpiredCodeException",
            GroupExistsException => "GroupExistsException",
            InternalErrorException => "InternalErrorException",
            InvalidParameterException => "InvalidParameterException",
            InvalidPasswordException => "InvalidPasswordException",
            InvalidUserPoolConfigurationException => "InvalidUserPoolConfigurationException",
            LimitExceededException => "LimitExceededException",
            NotAuthorizedException => "NotAuthorizedException",
            PasswordResetRequiredException => "PasswordResetRequiredException",
            ResourceNotFoundException => "ResourceNotFoundException",
            SoftwareTokenMFANotFoundException => "SoftwareTokenMFANotFoundException",
            TooManyFailedAttemptsException => "TooManyFailedAttemptsException",
            TooManyRequestsException => "TooManyRequestsException",
            UnauthorizedException => "UnauthorizedException",
            UnsupportedOperationException => "UnsupportedOperationException",
            UnsupportedTokenTypeException => "UnsupportedTokenTypeException",
            UserNotConfirmedException => "UserNotConfirmedException",
            UserNotFoundException => "UserNotFoundException",
            UsernameExistsException => "UsernameExistsException",
        }
    }

    /// AWS: every Cognito client error is HTTP 400, even throttling; only
    /// `InternalErrorException` (modeled as a fault) is 500 (wire facts §2.3).
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::InternalErrorException => 500,
            _ => 400,
        }
    }
}

/// An error answered to the caller: a wire `__type` and AWS's message text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceError {
    pub kind: ErrorKind,
    pub message: String,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for ServiceError {}

impl ServiceError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameterException, message)
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorizedException, message)
    }

    /// An internal failure: the text is logged, the caller sees a generic message.
    pub fn internal(detail: impl fmt::Display) -> Self {
        tracing::error!(%detail, "internal error");
        Self::new(ErrorKind::InternalErrorException, "Internal error.")
    }

    /// Wire facts §7.4.
    pub fn user_pool_not_found(user_pool_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFoundException,
            format!("User pool {user_pool_id} does not exist."),
        )
    }

    /// Wire facts §7.4.
    pub fn client_not_found(client_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFoundException,
            format!("User pool client {client_id} does not exist."),
        )
    }

    /// Wire facts §7.1 (PreventUserExistenceErrors = LEGACY).
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFoundException, "User does not exist.")
    }

    /// Wire facts §7.1.
    pub fn incorrect_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }
}

/// A request the protocol layer refuses before any operation runs.
/// These are not Cognito errors but the AWS front end's (Coral's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError {
    /// The wire `__type`, e.g. `UnknownOperationException`.
    pub type_name: &'static str,
    pub message: String,
}

impl ProtocolError {
    pub fn new(type_name: &'static str, message: impl Into<String>) -> Self {
        Self {
            type_name,
            message: message.into(),
        }
    }

    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new("SerializationException", message)
    }

    pub fn unknown_operation(message: impl Into<String>) -> Self {
        Self::new("UnknownOperationException", message)
    }
}
