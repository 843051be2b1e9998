use serde_json::{Map, Value};

use super::get_user_pool_mfa_config::mfa_config;
use super::{Cx, Operation};
use crate::error::{ErrorKind, ServiceError};

pub struct SetUserPoolMfaConfig;

impl Operation for SetUserPoolMfaConfig {
    const NAME: &'static str = "SetUserPoolMfaConfig";
    type Request = Map<String, Value>;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Self::Request) -> Result<Value, ServiceError> {
        let id = request
            .get("UserPoolId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let entry = cx.state.store.pool(id)?;
        let mut pool = entry.write();
        let totp = request
            .get("SoftwareTokenMfaConfiguration")
            .and_then(|c| c.get("Enabled"))
            .and_then(Value::as_bool);
        let software_token = totp.unwrap_or(pool.software_token_mfa_enabled);
        let sms = request
            .get("SmsMfaConfiguration")
            .cloned()
            .or_else(|| pool.stored_mfa.get("SmsMfaConfiguration").cloned());
        let email = request
            .get("EmailMfaConfiguration")
            .cloned()
            .or_else(|| pool.stored_mfa.get("EmailMfaConfiguration").cloned());
        let mfa = request
            .get("MfaConfiguration")
            .and_then(Value::as_str)
            .unwrap_or(&pool.settings.mfa_configuration)
            .to_owned();
        if mfa != "OFF" && !software_token && sms.is_none() && email.is_none() {
            return Err(ServiceError::new(
                ErrorKind::InvalidParameterException,
                "At least one MFA method must be enabled when MFA is turned on.",
            ));
        }
        pool.software_token_mfa_enabled = software_token;
        pool.settings.mfa_configuration = mfa;
        for (key, value) in [
            ("SmsMfaConfiguration", sms),
            ("EmailMfaConfiguration", email),
        ] {
            if let Some(v) = value {
                pool.stored_mfa.insert(key.to_owned(), v);
            }
        }
        if let Some(w) = request.get("WebAuthnConfiguration") {
            pool.stored_mfa
                .insert("WebAuthnConfiguration".to_owned(), w.clone());
        }
        pool.last_modified = cx.now;
        Ok(mfa_config(&pool))
    }
}
