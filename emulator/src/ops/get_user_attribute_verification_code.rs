use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, codes, users};
use crate::error::ServiceError;
use crate::outbox;

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
        let medium = match name {
            "email" => "EMAIL",
            "phone_number" => "SMS",
            // Wire facts §7.6.
            _ => {
                return Err(ServiceError::invalid_parameter(
                    "Invalid attribute name. Only phone_number and email can be verified.",
                ))
            }
        };
        let (message, destination) =
            access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
                let pool_id = pool.id.clone();
                let user = pool.users.get_mut(key).expect("live user");
                let Some(destination) = user.attribute(name).map(str::to_owned) else {
                    return Err(ServiceError::invalid_parameter(format!(
                        "User does not have the attribute {name}."
                    )));
                };
                let code = codes::issue(&cx.state.ids, cx.now, codes::ATTRIBUTE_TTL);
                let message = outbox::message(
                    &pool_id,
                    &user.username,
                    medium,
                    &destination,
                    &code.code,
                    "VERIFY_ATTRIBUTE",
                    cx.now,
                );
                user.attribute_codes.insert(name.to_owned(), code);
                Ok((message, destination))
            })?;
        cx.state.outbox.send(message);
        Ok(json!({"CodeDeliveryDetails": users::code_delivery_details(medium, name, &destination)}))
    }
}
