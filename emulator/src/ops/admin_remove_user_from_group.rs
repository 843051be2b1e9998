use serde::Deserialize;

use super::{with_admin_user, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminRemoveUserFromGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    group_name: String,
}

impl Operation for AdminRemoveUserFromGroup {
    const NAME: &'static str = "AdminRemoveUserFromGroup";
    type Request = Request;
    type Response = Empty;

    /// Idempotent for a user who is not a member (admin-sigv4-facts §3.2).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            if pool.group(&request.group_name).is_none() {
                return Err(ServiceError::group_not_found());
            }
            pool.leave_group(&request.group_name, key);
            Ok(Empty {})
        })
    }
}
