use serde::{Deserialize, Serialize};

use super::{AttributeType, Cx, Operation};
use crate::auth::users;
use crate::error::ServiceError;
use crate::wire::UserMfaSettings;

pub struct AdminGetUser;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
}

/// AdminGetUserResponse: `UserType`'s members under other names, and the MFA settings.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    username: String,
    user_attributes: Vec<AttributeType>,
    user_create_date: f64,
    user_last_modified_date: f64,
    enabled: bool,
    user_status: &'static str,
    #[serde(flatten)]
    mfa: UserMfaSettings,
}

impl Operation for AdminGetUser {
    const NAME: &'static str = "AdminGetUser";
    type Request = Request;
    type Response = Response;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let pool = entry.read();
        let key = users::require_admin(&pool, &request.username)?;
        let user = &pool.users[&key];
        Ok(Response {
            username: user.username.clone(),
            user_attributes: AttributeType::list(user, |_| true),
            user_create_date: user.created.epoch_seconds_f64(),
            user_last_modified_date: user.last_modified.epoch_seconds_f64(),
            enabled: user.enabled,
            user_status: user.status.as_str(),
            mfa: UserMfaSettings::of(user),
        })
    }
}
