use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, mfa};
use crate::error::{ErrorKind, ServiceError};

pub struct VerifySoftwareToken;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: Option<String>,
    session: Option<String>,
    user_code: String,
    friendly_device_name: Option<String>,
}

fn not_associated() -> ServiceError {
    ServiceError::new(
        ErrorKind::SoftwareTokenMFANotFoundException,
        "No software token has been associated with this user.",
    )
}

impl Operation for VerifySoftwareToken {
    const NAME: &'static str = "VerifySoftwareToken";
    type Request = Request;
    type Response = Value;

    /// Checks a code from the authenticator the user just set up. Verifying does not turn MFA
    /// on for sign-in (SetUserMFAPreference does, wire facts §6), except through MFA_SETUP.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let name = request.friendly_device_name.as_deref();
        match (request.access_token, request.session) {
            (Some(token), None) => {
                access::with_user_mut(cx.state, &token, cx.now, |pool, key, _| {
                    mfa::check_pool_allows_totp(pool)?;
                    let Some(mut user) = pool.users.get_mut(key) else {
                        return Err(ServiceError::user_not_found());
                    };
                    let token = user
                        .pending_software_token
                        .as_mut()
                        .ok_or_else(not_associated)?;
                    mfa::verify_new_token(token, &request.user_code, name, cx.now)?;
                    user.software_token = user.pending_software_token.take();
                    Ok(json!({"Status": "SUCCESS"}))
                })
            }
            (None, Some(session)) => {
                let ((), next) = mfa::with_setup_session(cx.state, &session, cx.now, |_, s| {
                    let token = s.setup_token.as_mut().ok_or_else(not_associated)?;
                    mfa::verify_new_token(token, &request.user_code, name, cx.now)
                })?;
                Ok(json!({"Status": "SUCCESS", "Session": next}))
            }
            _ => Err(ServiceError::access_token_or_session()),
        }
    }
}
