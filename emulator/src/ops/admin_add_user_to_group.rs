use serde::Deserialize;

use super::{with_admin_user, Cx, Operation};
use crate::error::{ErrorKind, ServiceError};
use crate::wire::Empty;

pub struct AdminAddUserToGroup;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    group_name: String,
}

/// AWS: a user can be in at most 100 groups (developer guide, quotas).
const MAX_GROUPS_PER_USER: usize = 100;

impl Operation for AdminAddUserToGroup {
    const NAME: &'static str = "AdminAddUserToGroup";
    type Request = Request;
    type Response = Empty;

    /// Idempotent. The group shows in the user's tokens from their next sign-in or refresh.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            if pool.group(&request.group_name).is_none() {
                return Err(ServiceError::group_not_found());
            }
            let groups = &pool.users[key].groups;
            if !groups.contains(&request.group_name) && groups.len() >= MAX_GROUPS_PER_USER {
                // The message is ours: AWS's text was not captured.
                return Err(ServiceError::new(
                    ErrorKind::LimitExceededException,
                    "The user is already in 100 groups.",
                ));
            }
            pool.join_group(&request.group_name, key);
            Ok(Empty {})
        })
    }
}
