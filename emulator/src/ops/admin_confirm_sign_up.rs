use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::users;
use crate::error::ServiceError;
use crate::model::UserStatus;

pub struct AdminConfirmSignUp;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
}

impl Operation for AdminConfirmSignUp {
    const NAME: &'static str = "AdminConfirmSignUp";
    type Request = Request;
    type Response = Value;

    /// AWS: confirms without a code and verifies no attribute.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let mut pool = entry.write();
        let key = users::require_admin(&pool, &request.username)?;
        let Some(mut user) = pool.users.get_mut(&key) else {
            return Err(ServiceError::user_not_found());
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::cannot_confirm(user.status.as_str()));
        }
        user.status = UserStatus::Confirmed;
        user.sign_up_code = None;
        user.last_modified = cx.now;
        Ok(json!({}))
    }
}
