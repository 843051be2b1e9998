use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::codes::{self, Purpose};
use crate::auth::{users, SignInClient};
use crate::error::ServiceError;
use crate::model::UserStatus;

pub struct ForgotPassword;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
}

impl Operation for ForgotPassword {
    const NAME: &'static str = "ForgotPassword";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let prevent = client.app_client.prevents_user_existence_errors();
        let mut pool = client.entry.write();
        let pool_id = pool.id.clone();
        let simulated = |pool: &crate::model::UserPool| json!({"CodeDeliveryDetails": super::simulated_delivery(pool, &request.username)});
        let Some(key) = users::find_key(&pool, &request.username) else {
            // Wire facts §7.7.
            return if prevent {
                Ok(simulated(&pool))
            } else {
                Err(ServiceError::user_not_found())
            };
        };
        let user = &pool.users[&key];
        // A user on a temporary password must answer NEW_PASSWORD_REQUIRED instead.
        if user.status == UserStatus::ForceChangePassword {
            return Err(ServiceError::password_cannot_be_reset());
        }
        if !user.enabled {
            return if prevent {
                Ok(simulated(&pool))
            } else {
                Err(ServiceError::user_disabled())
            };
        }
        let Some(delivery) = codes::reset_destination(user) else {
            return Err(ServiceError::no_verified_channel());
        };
        let Some(mut user) = pool.users.get_mut(&key) else {
            return Err(ServiceError::user_not_found());
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
        drop(user);
        drop(pool);
        cx.state.outbox.send(message);
        Ok(json!({"CodeDeliveryDetails": delivery.details()}))
    }
}
