use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use std::sync::Arc;

use crate::auth::limits::{self, Window};
use crate::auth::{access, make_credentials, password_matches, policy};
use crate::error::ServiceError;

pub struct ChangePassword;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    previous_password: Option<String>,
    proposed_password: String,
    access_token: String,
}

impl Operation for ChangePassword {
    const NAME: &'static str = "ChangePassword";
    const COST: super::Cost = super::Cost::Hashing;
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let Some(previous) = request.previous_password.as_deref() else {
            return Err(ServiceError::invalid_parameter(
                "PreviousPassword is required to change a password.",
            ));
        };
        // Under the write lock: the password policy, AWS's per-user quota, then a guess at
        // the previous password reserved against the lockout (`auth::limits`).
        let (username, credentials, pool_id) =
            access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
                policy::check(
                    &pool.settings.password_policy,
                    &request.proposed_password,
                    policy::Wording::Public,
                )?;
                let pool_id = pool.id.clone();
                let Some(mut user) = pool.users.get_mut(key) else {
                    return Err(ServiceError::user_not_found());
                };
                limits::admit(&mut user.limits, Window::ChangePassword, cx.now)?;
                limits::reserve_guess(&mut user, cx.now)?;
                Ok((user.username.clone(), user.credentials.clone(), pool_id))
            })?;
        // Verify and hash with no lock held. A wrong password stays counted.
        if !password_matches(credentials.as_deref(), &pool_id, &username, previous) {
            return Err(ServiceError::incorrect_credentials());
        }
        let new = make_credentials(cx.state, &pool_id, &username, &request.proposed_password);
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            let Some(mut user) = pool.users.get_mut(key) else {
                return Err(ServiceError::user_not_found());
            };
            limits::refund_guess(&mut user);
            // Verified against `credentials`: if another change won meanwhile, this one's
            // previous password is no longer the user's, and it must not overwrite the winner.
            let unchanged = match (&credentials, &user.credentials) {
                (Some(then), Some(current)) => Arc::ptr_eq(then, current),
                _ => false,
            };
            if !unchanged {
                return Err(ServiceError::incorrect_credentials());
            }
            user.credentials = Some(new);
            limits::clear_failures(&mut user);
            user.last_modified = cx.now;
            Ok(json!({}))
        })
    }
}
