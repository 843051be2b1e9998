use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, users};
use crate::error::ServiceError;

pub struct GetUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
}

impl Operation for GetUser {
    const NAME: &'static str = "GetUser";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let user = &pool.users[key];
                let client = pool.clients.get(&token.client_id);
                let mut out = json!({
                    "Username": user.username,
                    "UserAttributes": users::attribute_list(pool, client, user),
                });
                if user.totp_enabled {
                    out["UserMFASettingList"] = json!(["SOFTWARE_TOKEN_MFA"]);
                }
                if user.totp_preferred {
                    out["PreferredMfaSetting"] = json!("SOFTWARE_TOKEN_MFA");
                }
                Ok(out)
            },
        )
    }
}
