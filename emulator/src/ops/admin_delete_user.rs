use super::{with_admin_user, AdminUserRequest, Cx, Operation};
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminDeleteUser;

impl Operation for AdminDeleteUser {
    const NAME: &'static str = "AdminDeleteUser";
    type Request = AdminUserRequest;
    type Response = Empty;

    /// Deletes the user; tokens already issued stay valid to offline verifiers until they expire (admin-sigv4-facts §1.4).
    fn run(cx: &Cx<'_>, request: AdminUserRequest) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            pool.delete_user(key);
            Ok(Empty {})
        })
    }
}
