use serde::Deserialize;

use super::{with_admin_user, Cx, Operation};
use crate::auth::users;
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminDeleteUserAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    user_attribute_names: Vec<String>,
}

impl Operation for AdminDeleteUserAttributes {
    const NAME: &'static str = "AdminDeleteUserAttributes";
    type Request = Request;
    type Response = Empty;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            users::delete_attributes(pool, None, key, &request.user_attribute_names, cx.now)?;
            Ok(Empty {})
        })
    }
}
