use serde::Deserialize;

use super::{with_admin_user, Cx, Operation};
use crate::auth::codes::{self, Purpose};
use crate::error::ServiceError;
use crate::model::UserStatus;
use crate::wire::Empty;

pub struct AdminResetUserPassword;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
}

impl Operation for AdminResetUserPassword {
    const NAME: &'static str = "AdminResetUserPassword";
    type Request = Request;
    type Response = Empty;

    /// RESET_REQUIRED, and a code (as ForgotPassword sends) to a verified e-mail, else a
    /// verified phone number; the user finishes with ConfirmForgotPassword and meanwhile gets
    /// PasswordResetRequiredException at sign-in (admin-sigv4-facts §1.9).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        let message =
            with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
                let pool_id = pool.id.clone();
                let Some(mut user) = pool.users.get_mut(key) else {
                    return Err(ServiceError::user_not_found());
                };
                if user.status == UserStatus::ForceChangePassword {
                    return Err(ServiceError::password_cannot_be_reset());
                }
                let Some(delivery) = codes::reset_destination(&user) else {
                    return Err(ServiceError::no_verified_channel());
                };
                let (code, message) = codes::issue(
                    &cx.state.ids,
                    cx.now,
                    &mut user,
                    &pool_id,
                    &delivery,
                    Purpose::ForgotPassword,
                )?;
                user.forgot_password_code = Some(Box::new(code));
                user.status = UserStatus::ResetRequired;
                user.last_modified = cx.now;
                Ok(message)
            })?;
        cx.state.outbox.send(message);
        Ok(Empty {})
    }
}
