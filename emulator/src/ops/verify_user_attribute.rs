use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{access, codes};
use crate::error::ServiceError;

pub struct VerifyUserAttribute;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    access_token: String,
    attribute_name: String,
    code: String,
}

impl Operation for VerifyUserAttribute {
    const NAME: &'static str = "VerifyUserAttribute";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        access::with_user_mut(cx.state, &request.access_token, cx.now, |pool, key, _| {
            let Some(mut user) = pool.users.get_mut(key) else {
                return Err(ServiceError::user_not_found());
            };
            let mut pending = user
                .attribute_codes
                .remove(&request.attribute_name)
                .map(Box::new);
            let result = codes::redeem(
                &mut pending,
                &mut user.limits,
                codes::Purpose::VerifyAttribute,
                &request.code,
                cx.now,
            );
            if let Some(still_pending) = pending {
                user.attribute_codes
                    .insert(request.attribute_name.clone(), *still_pending);
            }
            result?;
            let mut verified = user.clone();
            drop(user);
            verified.attributes.insert(
                format!("{}_verified", request.attribute_name),
                "true".to_owned(),
            );
            verified.last_modified = cx.now;
            crate::auth::users::claim_aliases(pool, verified, false)?;
            Ok(json!({}))
        })
    }
}
