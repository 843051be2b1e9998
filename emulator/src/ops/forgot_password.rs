use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{codes, users, ClientCx};
use crate::error::ServiceError;
use crate::outbox;

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
        let client = ClientCx::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let prevent = client.client.prevents_user_existence_errors();
        let mut pool = client.entry.state.write();
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
        let user = pool.users.get_mut(&key).expect("found above");
        if !user.enabled {
            return if prevent {
                Ok(simulated(&pool))
            } else {
                Err(ServiceError::not_authorized("User is disabled."))
            };
        }
        // The code goes to a verified e-mail, else a verified phone number.
        let channel = [("email", "EMAIL"), ("phone_number", "SMS")]
            .into_iter()
            .find_map(|(attr, medium)| {
                user.is_verified(attr).then(|| {
                    (
                        attr,
                        medium,
                        user.attribute(attr).unwrap_or_default().to_owned(),
                    )
                })
            });
        let Some((attribute, medium, destination)) = channel else {
            return Err(ServiceError::invalid_parameter(
                "Cannot reset password for the user as there is no registered/verified email or phone_number",
            ));
        };
        let code = codes::issue(&cx.state.ids, cx.now, codes::FORGOT_PASSWORD_TTL);
        let message = outbox::message(
            &pool_id,
            &user.username,
            medium,
            &destination,
            &code.code,
            "FORGOT_PASSWORD",
            cx.now,
        );
        user.forgot_password_code = Some(code);
        drop(pool);
        cx.state.outbox.send(message);
        Ok(
            json!({"CodeDeliveryDetails": users::code_delivery_details(medium, attribute, &destination)}),
        )
    }
}
