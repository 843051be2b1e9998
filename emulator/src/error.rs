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
    UnsupportedUserStateException,
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
            UnsupportedUserStateException => "UnsupportedUserStateException",
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

    // Sign-in (wire facts §7.1).

    pub fn user_disabled() -> Self {
        Self::not_authorized("User is disabled.")
    }

    pub fn password_attempts_exceeded() -> Self {
        Self::not_authorized("Password attempts exceeded")
    }

    pub fn user_not_confirmed() -> Self {
        Self::new(
            ErrorKind::UserNotConfirmedException,
            "User is not confirmed.",
        )
    }

    /// Wire facts §7.1 records the type; the text is unconfirmed (admin-sigv4-facts §1.9).
    pub fn password_reset_required() -> Self {
        Self::new(
            ErrorKind::PasswordResetRequiredException,
            "Password reset required for the user",
        )
    }

    pub fn temporary_password_expired() -> Self {
        Self::not_authorized(
            "Temporary password has expired and must be reset by an administrator.",
        )
    }

    pub fn invalid_refresh_token() -> Self {
        Self::not_authorized("Invalid Refresh Token")
    }

    /// Wire facts §7.4.
    pub fn refresh_token_revoked() -> Self {
        Self::not_authorized("Refresh Token has been revoked")
    }

    pub fn invalid_session() -> Self {
        Self::not_authorized("Invalid session for the user.")
    }

    pub fn session_used() -> Self {
        Self::not_authorized("Invalid session for the user, session can only be used once.")
    }

    pub fn session_expired() -> Self {
        Self::not_authorized("Invalid session for the user, session is expired.")
    }

    /// Throttling, as AWS words it.
    pub fn rate_exceeded() -> Self {
        Self::new(ErrorKind::TooManyRequestsException, "Rate exceeded")
    }

    /// A flow on the wrong API: USER_PASSWORD_AUTH on AdminInitiateAuth, ADMIN_USER_PASSWORD_AUTH
    /// on InitiateAuth (admin-sigv4-facts §1.12).
    pub fn initiate_auth_method_not_supported() -> Self {
        Self::invalid_parameter("Initiate Auth method not supported.")
    }

    /// A flow the app client does not allow (wire facts §7.1), e.g. `USER_PASSWORD_AUTH`.
    pub fn flow_not_enabled(flow_label: &str) -> Self {
        Self::invalid_parameter(format!("{flow_label} flow not enabled for this client"))
    }

    /// NEW_PASSWORD_REQUIRED answered with an attribute the user already has
    /// (admin-sigv4-facts §2, recorded CLI output).
    pub fn cannot_modify_provided(attribute: &str) -> Self {
        Self::not_authorized(format!("Cannot modify an already provided {attribute}"))
    }

    /// NEW_PASSWORD_REQUIRED answered without a required attribute (admin-sigv4-facts §2).
    pub fn required_attribute_missing(attribute: &str) -> Self {
        Self::invalid_parameter(format!("Invalid attributes given, {attribute} is missing"))
    }

    /// A sign-in step answered without its `Session`.
    pub fn missing_session() -> Self {
        Self::invalid_parameter("Missing required parameter Session")
    }

    // Users and aliases (wire facts §7.2).

    /// (Admin)ConfirmSignUp for a user who is not UNCONFIRMED.
    pub fn cannot_confirm(status: &str) -> Self {
        Self::not_authorized(format!(
            "User cannot be confirmed. Current status is {status}"
        ))
    }

    /// ForgotPassword and AdminResetUserPassword for a user still on a temporary password
    /// (recorded CLI output, admin-sigv4-facts §1.2).
    pub fn password_cannot_be_reset() -> Self {
        Self::not_authorized("User password cannot be reset in the current state.")
    }

    /// ForgotPassword and AdminResetUserPassword for a user with nowhere to send the code
    /// (re:Post, admin-sigv4-facts §1.9).
    pub fn no_verified_channel() -> Self {
        Self::invalid_parameter(
            "Cannot reset password for the user as there is no registered/verified email or phone_number",
        )
    }

    // Attributes (wire facts §7.6).

    /// A client writing an attribute it may not (developer-only, `sub`, or outside its
    /// WriteAttributes).
    pub fn unauthorized_attribute_write() -> Self {
        Self::not_authorized("A client attempted to write unauthorized attribute")
    }

    pub fn immutable_attribute(name: &str) -> Self {
        Self::invalid_parameter(format!(
            "Invalid user attributes: {name}: Attribute cannot be updated. (changing an immutable attribute)"
        ))
    }

    // Software tokens (wire facts §6).

    /// AssociateSoftwareToken / VerifySoftwareToken with both or neither of AccessToken and
    /// Session. The message is ours.
    pub fn access_token_or_session() -> Self {
        Self::invalid_parameter("Either AccessToken or Session must be provided, not both.")
    }

    /// A verified e-mail or phone number another user holds.
    pub fn alias_exists(attribute: &str) -> Self {
        Self::new(
            ErrorKind::AliasExistsException,
            format!("An account with the {attribute} already exists."),
        )
    }

    // Groups (wire facts §7.6, admin-sigv4-facts §3.2).

    pub fn group_exists() -> Self {
        Self::new(
            ErrorKind::GroupExistsException,
            "A group with the name already exists.",
        )
    }

    pub fn group_not_found() -> Self {
        Self::new(ErrorKind::ResourceNotFoundException, "Group not found.")
    }

    /// A `NextToken` this emulator did not issue for the listing. The message is ours.
    pub fn invalid_pagination_token() -> Self {
        Self::invalid_parameter("Invalid pagination token.")
    }

    // ListUsers (admin-sigv4-facts §4.1).

    pub fn filter_unparsable() -> Self {
        Self::invalid_parameter("Error while parsing filter.")
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

/// Any error a request can end in: a Cognito error, or the front end's. Rendered by one
/// function per protocol.
#[derive(Debug)]
pub enum Failure {
    Service(ServiceError),
    Protocol(ProtocolError),
}

impl From<ProtocolError> for Failure {
    fn from(e: ProtocolError) -> Self {
        Failure::Protocol(e)
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Self {
        Failure::Service(e)
    }
}

impl Failure {
    pub fn type_name(&self) -> &'static str {
        match self {
            Failure::Service(s) => s.kind.name(),
            Failure::Protocol(p) => p.type_name,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Failure::Service(s) => &s.message,
            Failure::Protocol(p) => &p.message,
        }
    }

    /// The HTTP status: Cognito's per kind (wire facts §2.3); 400 for the front end's.
    pub fn status(&self) -> u16 {
        match self {
            Failure::Service(s) => s.kind.status(),
            Failure::Protocol(_) => 400,
        }
    }
}
