use serde::{Deserialize, Serialize};

use super::{AttributeType, Cx, Operation};
use crate::auth::{access, users};
use crate::error::ServiceError;
use crate::wire::UserMfaSettings;

pub struct GetUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    username: String,
    user_attributes: Vec<AttributeType>,
    #[serde(flatten)]
    mfa: UserMfaSettings,
}

impl Operation for GetUser {
    const NAME: &'static str = "GetUser";
    type Request = Request;
    type Response = Response;

    /// The attributes the token's client may read (wire facts §1.5).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        access::with_user(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let user = &pool.users[key];
                let client = pool.clients.get(&token.client_id);
                Ok(Response {
                    username: user.username.clone(),
                    user_attributes: users::attribute_list(pool, client, user),
                    mfa: UserMfaSettings::of(user),
                })
            },
        )
    }
}
