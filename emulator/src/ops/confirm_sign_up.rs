use serde::Deserialize;
use serde_json::{json, Value};

use super::{Cx, Operation};
use crate::auth::{codes, users, SignInClient};
use crate::error::ServiceError;
use crate::model::UserStatus;

pub struct ConfirmSignUp;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    confirmation_code: String,
    #[serde(default)]
    force_alias_creation: bool,
}

impl Operation for ConfirmSignUp {
    const NAME: &'static str = "ConfirmSignUp";
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let mut pool = client.entry.write();
        let Some(key) = users::find_key(&pool, &request.username) else {
            // AWS (PreventUserExistenceErrors=ENABLED): an unknown user reads as a wrong code.
            return Err(if client.app_client.prevents_user_existence_errors() {
                codes::mismatch()
            } else {
                ServiceError::user_not_found()
            });
        };
        let delivery = users::code_destination(&pool, &pool.users[&key]).map(|d| d.attribute);
        let Some(mut user) = pool.users.get_mut(&key) else {
            return Err(ServiceError::user_not_found());
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(ServiceError::cannot_confirm(user.status.as_str()));
        }
        let redeemed = {
            let user = &mut *user;
            codes::redeem(
                &mut user.sign_up_code,
                &mut user.limits,
                codes::Purpose::SignUp,
                &request.confirmation_code,
                cx.now,
            )
        };
        redeemed?;
        let mut confirmed = user.clone();
        drop(user);
        confirmed.status = UserStatus::Confirmed;
        confirmed.last_modified = cx.now;
        // The code proved the address it was sent to.
        if let Some(attribute) = delivery {
            confirmed
                .attributes
                .insert(format!("{attribute}_verified"), "true".to_owned());
        }
        crate::auth::users::claim_aliases(&mut pool, confirmed, request.force_alias_creation)?;
        Ok(json!({}))
    }
}
