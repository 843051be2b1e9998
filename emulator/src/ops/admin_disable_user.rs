use super::{with_admin_user, AdminUserRequest, Cx, Operation};
use crate::auth::sign_in;
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminDisableUser;

impl Operation for AdminDisableUser {
    const NAME: &'static str = "AdminDisableUser";
    type Request = AdminUserRequest;
    type Response = Empty;

    /// AWS: "deactivates a user profile and revokes all access tokens for the user"; the user still appears in ListUsers (API reference).
    fn run(cx: &Cx<'_>, request: AdminUserRequest) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            sign_in::revoke_sessions(pool, key, None);
            if let Some(mut user) = pool.users.get_mut(key) {
                user.enabled = false;
                user.last_modified = cx.now;
            }
            Ok(Empty {})
        })
    }
}
