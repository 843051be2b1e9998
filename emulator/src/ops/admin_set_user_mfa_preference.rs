use serde::Deserialize;

use super::{with_admin_user, Cx, Operation};
use crate::auth::mfa;
use crate::error::ServiceError;
use crate::wire::{Empty, MfaPreferences};

pub struct AdminSetUserMFAPreference;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    username: String,
    #[serde(flatten)]
    settings: MfaPreferences,
}

impl Operation for AdminSetUserMFAPreference {
    const NAME: &'static str = "AdminSetUserMFAPreference";
    type Request = Request;
    type Response = Empty;

    /// SetUserMFAPreference for an administrator (admin-sigv4-facts §1.11): a factor the user
    /// has not verified cannot be turned on.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Empty, ServiceError> {
        with_admin_user(cx, &request.user_pool_id, &request.username, |pool, key| {
            mfa::set_preference(pool, key, &request.settings, cx.now)?;
            Ok(Empty {})
        })
    }
}
