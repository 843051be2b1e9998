use super::{with_admin_user, AdminUserRequest, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminEnableUser;

impl Operation for AdminEnableUser {
    const NAME: &'static str = "AdminEnableUser";
    type Request = AdminUserRequest;
    type Response = Empty;

    /// Lets a disabled user sign in again; idempotent.
    fn run(cx: &Cx<'_>, request: AdminUserRequest) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            if let Some(mut user) = pool.users.get_mut(key) {
                user.enabled = true;
                user.last_modified = cx.now;
            }
            Ok(Empty {})
        })
    }
}
