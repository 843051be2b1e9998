//! `GetSessionToken`: temporary credentials for the long-term key that signed the request
//! (admin-sigv4-facts §6.3), the tutorial's first admin step.

use super::{credentials_node, duration_seconds, issue, Node, Params, StsCx, StsError};
use crate::credentials::Identity;

/// The model's bounds for `DurationSeconds`.
const MIN_SECONDS: u64 = 900;
const MAX_SECONDS: u64 = 129_600;
/// IAM users' default: 12 hours.
const USER_DEFAULT_SECONDS: u64 = 43_200;
/// AWS: "If the duration is longer than one hour, the session for Amazon Web Services account
/// owners defaults to one hour" — a cap for the root user, not an error.
const ROOT_SECONDS: u64 = 3600;

pub fn run(cx: &StsCx<'_>, params: &Params) -> Result<Vec<Node>, StsError> {
    let mut failures = Vec::new();
    let requested = duration_seconds(params, MIN_SECONDS, MAX_SECONDS, &mut failures);
    let serial = params.get("SerialNumber");
    let code = params.get("TokenCode");
    if let Some(serial) = serial {
        let length = serial.chars().count();
        if length < 9 {
            failures.push(format!("Value '{serial}' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9"));
        } else if length > 256 {
            failures.push(format!("Value '{serial}' at 'serialNumber' failed to satisfy constraint: Member must have length less than or equal to 256"));
        } else if !serial
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_+=/:,.@-".contains(&b))
        {
            failures.push(format!("Value '{serial}' at 'serialNumber' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=/:,.@-]*"));
        }
    }
    if let Some(code) = code {
        let length = code.chars().count();
        if length != 6 {
            let bound = if length < 6 { "greater" } else { "less" };
            failures.push(format!("Value '{code}' at 'tokenCode' failed to satisfy constraint: Member must have length {bound} than or equal to 6"));
        } else if !code.bytes().all(|b| b.is_ascii_digit()) {
            failures.push(format!("Value '{code}' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*"));
        }
    }
    if !failures.is_empty() {
        return Err(StsError::validation(&failures));
    }
    if cx.principal.temporary {
        return Err(StsError::access_denied(
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    // Deviation: the emulator has no MFA devices, so no MFA code can be valid.
    if serial.is_some() || code.is_some() {
        return Err(StsError::access_denied(
            "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.",
        ));
    }
    let identity = cx.principal.identity.clone();
    let seconds = match identity {
        Identity::Root => requested.unwrap_or(ROOT_SECONDS).min(ROOT_SECONDS),
        _ => requested.unwrap_or(USER_DEFAULT_SECONDS),
    };
    Ok(vec![credentials_node(issue(cx, identity, seconds))])
}
