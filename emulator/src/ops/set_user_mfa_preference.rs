use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, mfa};
use crate::error::{ErrorKind, ServiceError};

pub struct SetUserMFAPreference;

#[derive(Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct Settings {
    enabled: Option<bool>,
    preferred_mfa: Option<bool>,
}

impl Settings {
    fn turns_on(&self) -> bool {
        self.enabled == Some(true) || self.preferred_mfa == Some(true)
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
    software_token_mfa_settings: Option<Settings>,
    #[serde(rename = "SMSMfaSettings")]
    sms_mfa_settings: Option<Settings>,
    email_mfa_settings: Option<Settings>,
    web_authn_mfa_settings: Option<Settings>,
}

impl Operation for SetUserMFAPreference {
    const NAME: &'static str = "SetUserMFAPreference";
    type Request = Request;
    type Response = Value;

    /// Turns software-token MFA on or off for the user's sign-ins, and makes it preferred.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let others = [
            &request.sms_mfa_settings,
            &request.email_mfa_settings,
            &request.web_authn_mfa_settings,
        ];
        if others
            .iter()
            .any(|s| s.as_ref().is_some_and(Settings::turns_on))
        {
            return Err(ServiceError::new(
                ErrorKind::UnsupportedOperationException,
                "SMS, e-mail and passkey MFA are not implemented by this emulator yet.",
            ));
        }
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            let Some(totp) = &request.software_token_mfa_settings else {
                return Ok(json!({}));
            };
            if totp.turns_on() {
                mfa::check_pool_allows_totp(pool)?;
            }
            let user = pool.users.get_mut(key).expect("live user");
            let verified = user.software_token.as_ref().is_some_and(|t| t.verified);
            if totp.turns_on() && !verified {
                // Wire facts §6.
                return Err(ServiceError::invalid_parameter(
                    "User has not set up software token mfa",
                ));
            }
            // An explicit `Enabled: false` wins; preferring the factor turns it on.
            user.totp_enabled = match (totp.enabled, totp.preferred_mfa) {
                (Some(false), _) => false,
                (_, Some(true)) => true,
                (Some(true), _) => true,
                (None, _) => user.totp_enabled,
            };
            user.totp_preferred = match totp.preferred_mfa {
                Some(preferred) => preferred && user.totp_enabled,
                None => user.totp_preferred && user.totp_enabled,
            };
            user.last_modified = cx.now;
            Ok(json!({}))
        })
    }
}
