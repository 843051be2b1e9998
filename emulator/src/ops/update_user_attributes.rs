use serde::Deserialize;
use serde_json::{json, Value};

use super::{AttributeType, Cx, Operation};
use crate::auth::codes::{self, Delivery, Purpose};
use crate::auth::{access, users};
use crate::error::{ErrorKind, ServiceError};

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
                    // A new e-mail or phone number is unverified until its code comes back.
                    let Some(delivery) = Delivery::to_attribute(name, value).filter(|_| changed)
                    else {
                        continue;
                    };
                    user.attributes
                        .insert(format!("{name}_verified"), "false".to_owned());
                    if pool
                        .settings
                        .auto_verified_attributes
                        .iter()
                        .any(|a| a == name)
                    {
                        let (code, message) = codes::issue(
                            &cx.state.ids,
                            cx.now,
                            &pool.id,
                            &user.username,
                            &delivery,
                            Purpose::VerifyAttribute,
                        );
                        sent.push(message);
                        user.attribute_codes.insert(name.clone(), code);
                        details.push(delivery.details());
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
