use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, mfa};
use crate::crypto::totp;
use crate::error::ServiceError;

pub struct AssociateSoftwareToken;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: Option<String>,
    session: Option<String>,
}

impl Operation for AssociateSoftwareToken {
    const NAME: &'static str = "AssociateSoftwareToken";
    type Request = Request;
    type Response = Value;

    /// A new TOTP secret for the signed-in user, which replaces their factor once verified, or,
    /// with the `Session` of an MFA_SETUP challenge, for the sign-in being set up.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        match (request.access_token, request.session) {
            (Some(token), None) => {
                access::with_user_mut(cx.state, &token, cx.now, |pool, key, _| {
                    mfa::check_pool_allows_totp(pool)?;
                    let token = mfa::new_software_token(cx.state);
                    let code = totp::secret_code(&token.secret);
                    // Pending until verified: the user's current factor, if any, keeps working.
                    let Some(mut user) = pool.users.get_mut(key) else {
                        return Err(ServiceError::user_not_found());
                    };
                    user.pending_software_token = Some(Box::new(token));
                    Ok(json!({"SecretCode": code}))
                })
            }
            (None, Some(session)) => {
                let (code, next) =
                    mfa::with_setup_session(cx.state, &session, cx.now, |pool, s| {
                        mfa::check_pool_allows_totp(pool)?;
                        let token = mfa::new_software_token(cx.state);
                        let code = totp::secret_code(&token.secret);
                        s.setup_token = Some(token);
                        Ok(code)
                    })?;
                Ok(json!({"SecretCode": code, "Session": next}))
            }
            _ => Err(ServiceError::access_token_or_session()),
        }
    }
}
