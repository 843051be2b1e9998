//! The pool's password policy, with AWS's two wordings (wire facts §7.3).

use crate::error::{ErrorKind, ServiceError};
use crate::model::PasswordPolicy;

/// Which operation family is asking: the public ones and the admin ones word errors differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wording {
    /// SignUp, ChangePassword, ConfirmForgotPassword, RespondToAuthChallenge.
    Public,
    /// AdminCreateUser, AdminSetUserPassword.
    Admin,
}

/// AWS's special characters for `RequireSymbols` (developer guide, "Password requirements").
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

pub fn check(
    policy: &PasswordPolicy,
    password: &str,
    wording: Wording,
) -> Result<(), ServiceError> {
    let reason = if (password.chars().count() as u32) < policy.minimum_length {
        Some("Password not long enough")
    } else if policy.require_lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
        Some("Password must have lowercase characters")
    } else if policy.require_uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
        Some("Password must have uppercase characters")
    } else if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        Some("Password must have numeric characters")
    } else if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
        Some("Password must have symbol characters")
    } else {
        None
    };
    match reason {
        None => Ok(()),
        Some(reason) => {
            let prefix = match wording {
                Wording::Public => "Password did not conform with policy",
                Wording::Admin => "Password did not conform with password policy",
            };
            Err(ServiceError::new(
                ErrorKind::InvalidPasswordException,
                format!("{prefix}: {reason}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict() -> PasswordPolicy {
        PasswordPolicy::default()
    }

    #[test]
    fn messages_match_aws() {
        // Wire facts §7.3.
        let e = check(&strict(), "Ab1!", Wording::Public).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with policy: Password not long enough"
        );
        let e = check(&strict(), "Abcdefgh!", Wording::Public).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with policy: Password must have numeric characters"
        );
        let e = check(&strict(), "abcdefg1!", Wording::Public).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with policy: Password must have uppercase characters"
        );
        let e = check(&strict(), "ABCDEFG1!", Wording::Public).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with policy: Password must have lowercase characters"
        );
        let e = check(&strict(), "Abcdefg12", Wording::Admin).unwrap_err();
        assert_eq!(
            e.message,
            "Password did not conform with password policy: Password must have symbol characters"
        );
        assert_eq!(e.kind, ErrorKind::InvalidPasswordException);
        check(&strict(), "Abcdefg1!", Wording::Public).unwrap();
    }

    #[test]
    fn relaxed_policy_needs_only_length() {
        let policy = PasswordPolicy {
            minimum_length: 8,
            require_uppercase: false,
            require_lowercase: false,
            require_numbers: false,
            require_symbols: false,
            temporary_password_validity_days: 7,
            password_history_size: None,
        };
        check(&policy, "aaaaaaaa", Wording::Public).unwrap();
        assert!(check(&policy, "aaaaaaa", Wording::Public).is_err());
    }
}
