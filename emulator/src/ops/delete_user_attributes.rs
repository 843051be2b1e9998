use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, users};
use crate::error::ServiceError;

pub struct DeleteUserAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_attribute_names: Vec<String>,
    access_token: String,
}

impl Operation for DeleteUserAttributes {
    const NAME: &'static str = "DeleteUserAttributes";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let client = pool.clients.get(&token.client_id).cloned();
                users::delete_attributes(
                    pool,
                    client.as_ref(),
                    key,
                    &request.user_attribute_names,
                    cx.now,
                )?;
                Ok(json!({}))
            },
        )
    }
}
