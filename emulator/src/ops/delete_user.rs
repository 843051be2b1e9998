use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::access;
use crate::error::ServiceError;

pub struct DeleteUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
}

impl Operation for DeleteUser {
    const NAME: &'static str = "DeleteUser";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            pool.delete_user(key);
            Ok(json!({}))
        })
    }
}
