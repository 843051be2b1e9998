use serde::Deserialize;
use serde_json::{json, Value};

use super::{AttributeType, Cx, Operation};
use crate::auth::{access, codes, users};
use crate::error::{ErrorKind, ServiceError};
use crate::outbox;

pub struct UpdateUserAttributes;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_attributes: Vec<AttributeType>,
    access_token: String,
}

impl Operation for UpdateUserAttributes {
    const NAME: &'static str = "UpdateUserAttributes";
    type Request = Request;
    type Response = Value;

    /// AWS: a changed e-mail or phone number that the pool verifies automatically becomes
    /// unverified and a code is sent to it.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let written: Vec<(String, String)> = request
            .user_attributes
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect();
        let mut sent = Vec::new();
        let details = access::with_user_mut(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let client = pool.clients.get(&token.client_id).cloned();
                users::check_attribute_writes(pool, client.as_ref(), &written, false)?;
                let mut user = pool.users[key].clone();
                let mut details = Vec::new();
                for (name, value) in &written {
                    let changed = user.attribute(name) != Some(value.as_str());
                    user.attributes.insert(name.clone(), value.clone());
                    let verifiable = name == "email" || name == "phone_number";
                    if changed && verifiable {
                        user.attributes
                            .insert(format!("{name}_verified"), "false".to_owned());
                        if pool
                            .settings
                            .auto_verified_attributes
                            .iter()
                            .any(|a| a == name)
                        {
                            let medium = if name == "email" { "EMAIL" } else { "SMS" };
                            let code = codes::issue(&cx.state.ids, cx.now, codes::ATTRIBUTE_TTL);
                            sent.push(outbox::message(
                                &pool.id,
                                &user.username,
                                medium,
                                value,
                                &code.code,
                                "VERIFY_ATTRIBUTE",
                                cx.now,
                            ));
                            user.attribute_codes.insert(name.clone(), code);
                            details.push(users::code_delivery_details(medium, name, value));
                        }
                    }
                }
                if let Some((attribute, _)) = users::alias_conflict(pool, &user) {
                    return Err(ServiceError::new(
                        ErrorKind::AliasExistsException,
                        format!("An account with the given {attribute} already exists."),
                    ));
                }
                user.last_modified = cx.now;
                users::put_user(pool, user);
                Ok(details)
            },
        )?;
        for message in sent {
            cx.state.outbox.send(message);
        }
        Ok(json!({"CodeDeliveryDetailsList": details}))
    }
}
