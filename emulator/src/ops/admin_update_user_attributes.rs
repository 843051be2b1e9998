use serde::Deserialize;

use super::{with_admin_user, AttributeType, Cx, Operation};
use crate::auth::users;
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminUpdateUserAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    user_attributes: Vec<AttributeType>,
}

impl Operation for AdminUpdateUserAttributes {
    const NAME: &'static str = "AdminUpdateUserAttributes";
    type Request = Request;
    type Response = Empty;

    /// UpdateUserAttributes for an administrator: any attribute but `sub`, no client
    /// permissions; `email_verified: true` in the same call skips the code (admin-sigv4-facts §1.6).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        let written: Vec<(String, String)> = request
            .user_attributes
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect();
        let (_, sent) =
            with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
                users::update_attributes(&cx.state.ids, cx.now, pool, None, key, &written)
            })?;
        for message in sent {
            cx.state.outbox.send(message);
        }
        Ok(Empty {})
    }
}
