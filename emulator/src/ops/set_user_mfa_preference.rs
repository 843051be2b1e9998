use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, mfa};
use crate::error::ServiceError;
use crate::wire::MfaPreferences;

pub struct SetUserMFAPreference;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
    #[serde(flatten)]
    settings: MfaPreferences,
}

impl Operation for SetUserMFAPreference {
    const NAME: &'static str = "SetUserMFAPreference";
    type Request = Request;
    type Response = Value;

    /// Turns software-token MFA on or off for the user's sign-ins, and makes it preferred.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            mfa::set_preference(pool, key, &request.settings, cx.now)?;
            Ok(json!({}))
        })
    }
}
