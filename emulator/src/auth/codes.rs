//! Confirmation and verification codes: 6 digits, single use, AWS's lifetimes, a limit on
//! wrong guesses. A new code replaces the previous one.

use std::time::Duration;

use subtle::ConstantTimeEq;

use super::limits::{self, Window};
use super::users;
use crate::clock::Timestamp;
use crate::error::{ErrorKind, ServiceError};
use crate::ids::IdGen;
use crate::model::{PendingCode, RateWindows, User};
use crate::outbox::Message;
use crate::wire::CodeDeliveryDetailsType;

/// Wrong guesses allowed per code before further tries are refused with LimitExceededException.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

/// What a code is for: its lifetime and the outbox's `purpose`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    SignUp,
    ForgotPassword,
    VerifyAttribute,
}

/// The outbox `purpose` of AdminCreateUser's invitation, whose `code` is the temporary password.
pub const INVITATION: &str = "INVITATION";

impl Purpose {
    /// AWS: sign-up and attribute verification codes last 24 hours, forgot-password codes 1 hour.
    pub fn ttl(self) -> Duration {
        match self {
            Purpose::SignUp | Purpose::VerifyAttribute => Duration::from_secs(24 * 3600),
            Purpose::ForgotPassword => Duration::from_secs(3600),
        }
    }

    /// The outbox's `purpose`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::SignUp => "SIGN_UP",
            Purpose::ForgotPassword => "FORGOT_PASSWORD",
            Purpose::VerifyAttribute => "VERIFY_ATTRIBUTE",
        }
    }
}

/// An outbox `medium` read back from `--data-dir`, as the static word the outbox keeps.
pub fn medium_word(text: &str) -> Option<&'static str> {
    ["EMAIL", "SMS"].into_iter().find(|w| *w == text)
}

/// An outbox `purpose` read back from `--data-dir`.
pub fn purpose_word(text: &str) -> Option<&'static str> {
    [
        Purpose::SignUp,
        Purpose::ForgotPassword,
        Purpose::VerifyAttribute,
    ]
    .into_iter()
    .map(Purpose::as_str)
    .chain([INVITATION])
    .find(|w| *w == text)
}

/// Where a code goes: an e-mail address or a phone number, and the attribute it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// `email` or `phone_number`.
    pub attribute: &'static str,
    /// The unmasked address or number.
    pub destination: String,
}

impl Delivery {
    /// A delivery to the verifiable attribute `name`; `None` for any other attribute.
    pub fn to_attribute(name: &str, destination: &str) -> Option<Delivery> {
        let attribute = match name {
            "email" => "email",
            "phone_number" => "phone_number",
            _ => return None,
        };
        Some(Delivery {
            attribute,
            destination: destination.to_owned(),
        })
    }

    /// `EMAIL` or `SMS`.
    pub fn medium(&self) -> &'static str {
        if self.attribute == "email" {
            "EMAIL"
        } else {
            "SMS"
        }
    }

    /// `CodeDeliveryDetails`, with the destination masked as AWS shows it.
    pub fn details(&self) -> CodeDeliveryDetailsType {
        CodeDeliveryDetailsType {
            destination: users::mask(self.medium(), &self.destination),
            delivery_medium: self.medium(),
            attribute_name: self.attribute,
        }
    }
}

/// Where a password-reset code goes (ForgotPassword, AdminResetUserPassword): a verified
/// e-mail, else a verified phone number; `None` when the user has neither.
pub fn reset_destination(user: &crate::model::User) -> Option<Delivery> {
    ["email", "phone_number"].into_iter().find_map(|name| {
        user.is_verified(name)
            .then(|| Delivery::to_attribute(name, user.attribute(name).unwrap_or_default()))?
    })
}

/// A fresh code for `purpose` and the outbox message that delivers it, within `user`'s
/// allowance of codes for the purpose (past it, LimitExceededException). The caller keeps the
/// code on the user and sends the message once the pool lock is released.
pub fn issue(
    ids: &IdGen,
    now: Timestamp,
    user: &mut User,
    user_pool_id: &str,
    delivery: &Delivery,
    purpose: Purpose,
) -> Result<(PendingCode, Message), ServiceError> {
    limits::admit(&mut user.limits, Window::CodeSent(purpose), now)?;
    let username = user.username.as_str();
    let code = PendingCode {
        code: ids.code(),
        expires: now.plus(purpose.ttl()),
        failed_attempts: 0,
    };
    let message = Message {
        user_pool_id: user_pool_id.to_owned(),
        username: username.to_owned(),
        medium: delivery.medium(),
        destination: delivery.destination.clone(),
        code: code.code.clone(),
        purpose: purpose.as_str(),
        sent_at: now.millis(),
    };
    Ok((code, message))
}

pub fn mismatch() -> ServiceError {
    ServiceError::new(
        ErrorKind::CodeMismatchException,
        "Invalid verification code provided, please try again.",
    )
}

pub fn expired() -> ServiceError {
    ServiceError::new(
        ErrorKind::ExpiredCodeException,
        "Invalid code provided, please request a code again.",
    )
}

pub fn attempts_exceeded() -> ServiceError {
    ServiceError::new(
        ErrorKind::LimitExceededException,
        "Attempt limit exceeded, please try after some time.",
    )
}

/// Checks `given` against the pending code and consumes it on success. A wrong guess is
/// counted on the code and in the user's wrong codes for `purpose` (`limits`, the user's
/// `User::limits`), and the caller must commit the change even though this returns an error.
pub fn redeem(
    pending: &mut Option<Box<PendingCode>>,
    limits: &mut Option<Box<RateWindows>>,
    purpose: Purpose,
    given: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let Some(code) = pending.as_mut() else {
        return Err(expired());
    };
    if code.failed_attempts >= MAX_FAILED_ATTEMPTS {
        return Err(attempts_exceeded());
    }
    limits::check(limits, Window::WrongCode(purpose), now)?;
    if now >= code.expires {
        return Err(expired());
    }
    if bool::from(code.code.as_bytes().ct_eq(given.as_bytes())) {
        *pending = None;
        Ok(())
    } else {
        code.failed_attempts += 1;
        limits::record(limits, Window::WrongCode(purpose), now);
        Err(mismatch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> Option<Box<PendingCode>> {
        Some(Box::new(PendingCode {
            code: c.to_owned(),
            expires: Timestamp::from_secs(100),
            failed_attempts: 0,
        }))
    }

    #[test]
    fn lifetimes_and_deliveries() {
        // AWS docs: confirmation and verification codes are valid for 24 hours, ForgotPassword
        // codes for 1 hour.
        assert_eq!(Purpose::SignUp.ttl(), Duration::from_secs(24 * 3600));
        assert_eq!(
            Purpose::VerifyAttribute.ttl(),
            Duration::from_secs(24 * 3600)
        );
        assert_eq!(Purpose::ForgotPassword.ttl(), Duration::from_secs(3600));
        // Recorded real SignUp responses: `t***@e***` for test@example.com.
        let email = Delivery::to_attribute("email", "test@example.com").unwrap();
        assert_eq!(
            serde_json::to_value(email.details()).unwrap(),
            serde_json::json!({"Destination": "t***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
        );
        let phone = Delivery::to_attribute("phone_number", "+15555550123").unwrap();
        assert_eq!(phone.medium(), "SMS");
        assert!(Delivery::to_attribute("name", "Alice").is_none());
    }

    #[test]
    fn a_code_is_single_use() {
        let mut pending = code("123456");
        redeem(
            &mut pending,
            &mut None,
            Purpose::SignUp,
            "123456",
            Timestamp::from_secs(1),
        )
        .unwrap();
        let err = redeem(
            &mut pending,
            &mut None,
            Purpose::SignUp,
            "123456",
            Timestamp::from_secs(2),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::ExpiredCodeException);
    }

    #[test]
    fn wrong_expired_and_exhausted() {
        let mut pending = code("123456");
        assert_eq!(
            redeem(
                &mut pending,
                &mut None,
                Purpose::SignUp,
                "000000",
                Timestamp::from_secs(1)
            )
            .unwrap_err()
            .kind,
            ErrorKind::CodeMismatchException
        );
        assert_eq!(
            redeem(
                &mut pending,
                &mut None,
                Purpose::SignUp,
                "123456",
                Timestamp::from_secs(100)
            )
            .unwrap_err()
            .kind,
            ErrorKind::ExpiredCodeException
        );
        let mut pending = code("123456");
        for _ in 0..MAX_FAILED_ATTEMPTS {
            redeem(
                &mut pending,
                &mut None,
                Purpose::SignUp,
                "000000",
                Timestamp::from_secs(1),
            )
            .unwrap_err();
        }
        let err = redeem(
            &mut pending,
            &mut None,
            Purpose::SignUp,
            "123456",
            Timestamp::from_secs(1),
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
        assert_eq!(
            err.message,
            "Attempt limit exceeded, please try after some time."
        );
    }
}
