use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{codes, make_credentials, policy, users, SignInClient};
use crate::error::ServiceError;
use crate::model::UserStatus;

pub struct ConfirmForgotPassword;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    confirmation_code: String,
    password: String,
}

impl Operation for ConfirmForgotPassword {
    const NAME: &'static str = "ConfirmForgotPassword";
    const COST: super::Cost = super::Cost::Hashing;
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let prevent = client.app_client.prevents_user_existence_errors();
        // Redeem the code under the lock (a wrong guess is counted), then hash with none held.
        let (key, username, pool_id) = {
            let mut pool = client.entry.write();
            policy::check(
                &pool.settings.password_policy,
                &request.password,
                policy::Wording::Public,
            )?;
            let Some(key) = users::find_key(&pool, &request.username) else {
                // Wire facts §7.7: unknown users read as a wrong code when existence is hidden.
                return Err(if prevent {
                    codes::mismatch()
                } else {
                    ServiceError::user_not_found()
                });
            };
            let pool_id = pool.id.clone();
            let Some(mut user) = pool.users.get_mut(&key) else {
                return Err(ServiceError::user_not_found());
            };
            if !user.enabled {
                return Err(if prevent {
                    codes::mismatch()
                } else {
                    ServiceError::user_disabled()
                });
            }
            if user.status == UserStatus::Unconfirmed {
                return Err(ServiceError::user_not_confirmed());
            }
            let user = &mut *user;
            codes::redeem(
                &mut user.forgot_password_code,
                &mut user.limits,
                codes::Purpose::ForgotPassword,
                &request.confirmation_code,
                cx.now,
            )?;
            (key, user.username.clone(), pool_id)
        };
        let credentials = make_credentials(cx.state, &pool_id, &username, &request.password);
        let mut pool = client.entry.write();
        if let Some(mut user) = pool.users.get_mut(&key) {
            user.credentials = Some(credentials);
            user.status = UserStatus::Confirmed;
            crate::auth::limits::clear_failures(&mut user);
            user.last_modified = cx.now;
        }
        Ok(json!({}))
    }
}
