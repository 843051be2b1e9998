use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, users};
use crate::error::ServiceError;

pub struct DeleteUserAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_attribute_names: Vec<String>,
    access_token: String,
}

impl Operation for DeleteUserAttributes {
    const NAME: &'static str = "DeleteUserAttributes";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let client = pool.clients.get(&token.client_id).cloned();
                for name in &request.user_attribute_names {
                    let Some(schema) = pool.attribute(name) else {
                        return Err(ServiceError::invalid_parameter(format!(
                        "Invalid user attributes: {name}: Attribute does not exist in the schema."
                    )));
                    };
                    // Wire facts §7.6.
                    if schema.required || name == "sub" {
                        return Err(ServiceError::invalid_parameter(format!(
                        "Invalid user attributes: {name}: Required attribute cannot be deleted."
                    )));
                    }
                    if !schema.mutable {
                        return Err(ServiceError::invalid_parameter(format!(
                        "Invalid user attributes: {name}: Attribute cannot be updated. (changing an immutable attribute)"
                    )));
                    }
                    if let Some(allowed) = client.as_ref().and_then(|c| c.write_attributes.as_ref())
                    {
                        if !allowed.iter().any(|a| a == name) {
                            return Err(ServiceError::not_authorized(
                                "A client attempted to write unauthorized attribute",
                            ));
                        }
                    }
                }
                let mut user = pool.users[key].clone();
                for name in &request.user_attribute_names {
                    user.attributes.remove(name);
                    if name == "email" || name == "phone_number" {
                        user.attributes.remove(&format!("{name}_verified"));
                        user.attribute_codes.remove(name);
                    }
                }
                user.last_modified = cx.now;
                users::put_user(pool, user);
                Ok(json!({}))
            },
        )
    }
}
