use super::{with_admin_user, AdminUserRequest, Cx, Operation};
use crate::auth::sign_in;
use crate::error::ServiceError;
use crate::wire::Empty;

pub struct AdminUserGlobalSignOut;

impl Operation for AdminUserGlobalSignOut {
    const NAME: &'static str = "AdminUserGlobalSignOut";
    type Request = AdminUserRequest;
    type Response = Empty;

    /// Ends every sign-in of the user: their refresh tokens and the access tokens issued with them are revoked (admin-sigv4-facts §1.10).
    fn run(cx: &Cx<'_>, request: AdminUserRequest) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            sign_in::revoke_sessions(pool, key, None);
            Ok(Empty {})
        })
    }
}
