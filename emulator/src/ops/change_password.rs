use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
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
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let Some(previous) = request.previous_password.as_deref() else {
            return Err(ServiceError::invalid_parameter(
                "PreviousPassword is required to change a password.",
            ));
        };
        // Snapshot under the read lock.
        let (key, username, credentials, pool_id) =
            access::with_user(cx.state, &request.access_token, cx.now, |pool, key, _| {
                let user = &pool.users[key];
                if user.locked_until.is_some_and(|until| cx.now < until) {
                    return Err(ServiceError::password_attempts_exceeded());
                }
                policy::check(
                    &pool.settings.password_policy,
                    &request.proposed_password,
                    policy::Wording::Public,
                )?;
                Ok((
                    key.to_owned(),
                    user.username.clone(),
                    user.credentials.clone(),
                    pool.id.clone(),
                ))
            })?;
        // Verify and hash with no lock held.
        let ok = password_matches(credentials.as_deref(), &pool_id, &username, previous);
        if !ok {
            let entry = cx.state.store.pool(&pool_id)?;
            let mut pool = entry.write();
            if let Some(mut user) = pool.users.get_mut(&key) {
                user.failed_sign_ins += 1;
            }
            return Err(ServiceError::incorrect_credentials());
        }
        let new = make_credentials(cx.state, &pool_id, &username, &request.proposed_password);
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            let Some(mut user) = pool.users.get_mut(key) else {
                return Err(ServiceError::user_not_found());
            };
            user.credentials = Some(new);
            user.failed_sign_ins = 0;
            user.last_modified = cx.now;
            Ok(json!({}))
        })
    }
}
