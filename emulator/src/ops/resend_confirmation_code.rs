use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::codes::{self, Purpose};
use crate::auth::{users, SignInClient};
use crate::error::ServiceError;
use crate::model::UserStatus;

pub struct ResendConfirmationCode;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
}

impl Operation for ResendConfirmationCode {
    const NAME: &'static str = "ResendConfirmationCode";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let mut pool = client.entry.write();
        let pool_id = pool.id.clone();
        let Some(key) = users::find_key(&pool, &request.username) else {
            if client.app_client.prevents_user_existence_errors() {
                // AWS (wire facts §7.7): a simulated delivery for unknown users.
                return Ok(
                    json!({"CodeDeliveryDetails": super::simulated_delivery(&pool, &request.username)}),
                );
            }
            return Err(ServiceError::user_not_found());
        };
        let Some(delivery) = users::code_destination(&pool, &pool.users[&key]) else {
            return Err(ServiceError::invalid_parameter(
                "Cannot resend codes. Auto verification not turned on.",
            ));
        };
        let Some(mut user) = pool.users.get_mut(&key) else {
            return Err(ServiceError::user_not_found());
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::invalid_parameter(
                "User is already confirmed.",
            ));
        }
        let (code, message) = codes::issue(
            &cx.state.ids,
            cx.now,
            &mut user,
            &pool_id,
            &delivery,
            Purpose::SignUp,
        )?;
        user.sign_up_code = Some(Box::new(code));
        drop(user);
        drop(pool);
        cx.state.outbox.send(message);
        Ok(json!({"CodeDeliveryDetails": delivery.details()}))
    }
}
