use serde::Deserialize;
use serde_json::{json, Value};

use super::{AttributeType, Cx, Operation};
use crate::auth::{access, users};
use crate::error::ServiceError;

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

    /// AWS: a changed e-mail or phone number becomes unverified and, when the pool verifies
    /// it automatically, a code is sent to it (`users::update_attributes`).
    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let written: Vec<(String, String)> = request
            .user_attributes
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect();
        let (details, sent) = access::with_user_mut(
            cx.state,
            &request.access_token,
            cx.now,
            |pool, key, token| {
                let client = pool.clients.get(&token.client_id).cloned();
                users::update_attributes(
                    &cx.state.ids,
                    cx.now,
                    pool,
                    client.as_ref(),
                    key,
                    &written,
                )
            },
        )?;
        for message in sent {
            cx.state.outbox.send(message);
        }
        Ok(json!({"CodeDeliveryDetailsList": details}))
    }
}
