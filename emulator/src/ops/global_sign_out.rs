use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, sign_in};
use crate::error::ServiceError;

pub struct GlobalSignOut;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
}

impl Operation for GlobalSignOut {
    const NAME: &'static str = "GlobalSignOut";
    type Request = Request;
    type Response = Value;

    /// AWS: revokes every refresh token of the user and the access tokens issued with them.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            sign_in::revoke_sessions(pool, key, None);
            Ok(json!({}))
        })
    }
}
