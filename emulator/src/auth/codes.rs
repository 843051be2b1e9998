//! Confirmation and verification codes: 6 digits, single use, AWS's lifetimes, a limit on
//! wrong guesses. A new code replaces the previous one.

use std::time::Duration;

use subtle::ConstantTimeEq;

use crate::clock::Timestamp;
use crate::error::{ErrorKind, ServiceError};
use crate::ids::IdGen;
use crate::model::PendingCode;

/// AWS: sign-up confirmation codes last 24 hours.
pub const SIGN_UP_TTL: Duration = Duration::from_secs(24 * 3600);
/// AWS: attribute verification codes last 24 hours.
pub const ATTRIBUTE_TTL: Duration = Duration::from_secs(24 * 3600);
/// AWS: forgot-password codes last 1 hour.
pub const FORGOT_PASSWORD_TTL: Duration = Duration::from_secs(3600);
/// Wrong guesses allowed per code before further tries are refused with LimitExceededException.
pub const MAX_FAILED_ATTEMPTS: u32 = 5;

pub fn issue(ids: &IdGen, now: Timestamp, ttl: Duration) -> PendingCode {
    PendingCode {
        code: ids.code(),
        expires: now.plus(ttl),
        failed_attempts: 0,
    }
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
/// counted on the code (the caller must commit the change even though this returns an error).
pub fn redeem(
    pending: &mut Option<PendingCode>,
    given: &str,
    now: Timestamp,
) -> Result<(), ServiceError> {
    let Some(code) = pending.as_mut() else {
        return Err(expired());
    };
    if code.failed_attempts >= MAX_FAILED_ATTEMPTS {
        return Err(attempts_exceeded());
    }
    if now >= code.expires {
        return Err(expired());
    }
    if bool::from(code.code.as_bytes().ct_eq(given.as_bytes())) {
        *pending = None;
        Ok(())
    } else {
        code.failed_attempts += 1;
        Err(mismatch())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str) -> Option<PendingCode> {
        Some(PendingCode {
            code: c.to_owned(),
            expires: Timestamp::from_secs(100),
            failed_attempts: 0,
        })
    }

    #[test]
    fn a_code_is_single_use() {
        let mut pending = code("123456");
        redeem(&mut pending, "123456", Timestamp::from_secs(1)).unwrap();
        let err = redeem(&mut pending, "123456", Timestamp::from_secs(2)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::ExpiredCodeException);
    }

    #[test]
    fn wrong_expired_and_exhausted() {
        let mut pending = code("123456");
        assert_eq!(
            redeem(&mut pending, "000000", Timestamp::from_secs(1))
                .unwrap_err()
                .kind,
            ErrorKind::CodeMismatchException
        );
        assert_eq!(
            redeem(&mut pending, "123456", Timestamp::from_secs(100))
                .unwrap_err()
                .kind,
            ErrorKind::ExpiredCodeException
        );
        let mut pending = code("123456");
        for _ in 0..MAX_FAILED_ATTEMPTS {
            redeem(&mut pending, "000000", Timestamp::from_secs(1)).unwrap_err();
        }
        let err = redeem(&mut pending, "123456", Timestamp::from_secs(1)).unwrap_err();
        assert_eq!(err.kind, ErrorKind::LimitExceededException);
        assert_eq!(
            err.message,
            "Attempt limit exceeded, please try after some time."
        );
    }
}
