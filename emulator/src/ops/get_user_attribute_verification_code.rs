use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::access;
use crate::auth::codes::{self, Delivery, Purpose};
use crate::error::ServiceError;

pub struct GetUserAttributeVerificationCode;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
    attribute_name: String,
}

impl Operation for GetUserAttributeVerificationCode {
    const NAME: &'static str = "GetUserAttributeVerificationCode";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let name = request.attribute_name.as_str();
        if !matches!(name, "email" | "phone_number") {
            // Wire facts §7.6.
            return Err(ServiceError::invalid_parameter(
                "Invalid attribute name. Only phone_number and email can be verified.",
            ));
        }
        let (message, delivery) =
            access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
                let pool_id = pool.id.clone();
                let Some(mut user) = pool.users.get_mut(key) else {
                    return Err(ServiceError::user_not_found());
                };
                let Some(delivery) = user
                    .attribute(name)
                    .and_then(|value| Delivery::to_attribute(name, value))
                else {
                    return Err(ServiceError::invalid_parameter(format!(
                        "User does not have the attribute {name}."
                    )));
                };
                let (code, message) = codes::issue(
                    &cx.state.ids,
                    cx.now,
                    &mut user,
                    &pool_id,
                    &delivery,
                    Purpose::VerifyAttribute,
                )?;
                user.attribute_codes.insert(name.to_owned(), code);
                Ok((message, delivery))
            })?;
        cx.state.outbox.send(message);
        Ok(json!({"CodeDeliveryDetails": delivery.details()}))
    }
}
