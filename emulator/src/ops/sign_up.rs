use serde::Deserialize;
use serde_json::{json, Value};

use super::{AttributeType, Cx, Operation};
use crate::auth::codes::{self, Purpose};
use crate::auth::{make_credentials, users, SignInClient};
use crate::error::ServiceError;
use crate::model::{Attributes, User, UserStatus, UsernameMode};

pub struct SignUp;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    client_id: String,
    secret_hash: Option<String>,
    username: String,
    password: Option<String>,
    #[serde(default)]
    user_attributes: Vec<AttributeType>,
}

impl Operation for SignUp {
    const NAME: &'static str = "SignUp";
    const COST: super::Cost = super::Cost::Hashing;
    type Request = Request;
    type Response = Value;

    fn run(cx: &Cx<'_>, request: Request) -> Result<Value, ServiceError> {
        let client = SignInClient::load(cx.state, &request.client_id)?;
        client.check_secret_hash(&request.username, request.secret_hash.as_deref())?;
        let Some(password) = request.password.as_deref() else {
            return Err(ServiceError::invalid_parameter(
                "A password is required to sign up in this user pool.",
            ));
        };
        let written: Vec<(String, String)> = request
            .user_attributes
            .into_iter()
            .map(|a| (a.name, a.value))
            .collect();

        // Checks and the new user's shape, under the read lock.
        let (pool_id, user) = {
            let pool = client.entry.read();
            users::check_sign_up_username(&pool, &request.username)?;
            users::check_attribute_writes(&pool, Some(&client.app_client), &written, true)?;
            crate::auth::policy::check(
                &pool.settings.password_policy,
                password,
                crate::auth::policy::Wording::Public,
            )?;
            let sub = cx.state.ids.uuid();
            let mut attributes: Attributes = written.into_iter().collect();
            attributes.insert("sub".to_owned(), sub.clone());
            // Pools that sign in with email/phone: the username *is* that attribute, and the
            // internal username is the sub (wire facts §3.1).
            let username = match &pool.username_mode {
                UsernameMode::Attributes(_) => {
                    if let Some(attr) = users::username_attribute(&pool, &request.username) {
                        attributes.insert(attr.to_owned(), request.username.clone());
                    }
                    sub.clone()
                }
                UsernameMode::Username => request.username.clone(),
            };
            users::check_required(&pool, &attributes)?;
            let user = User::new(username, sub, attributes, UserStatus::Unconfirmed, cx.now);
            ensure_new(&pool, &request.username, &user)?;
            (pool.id.clone(), user)
        };

        // Hashing with no lock held.
        let mut user = user;
        user.credentials = Some(make_credentials(
            cx.state,
            &pool_id,
            &user.username,
            password,
        ));

        let mut pool = client.entry.write();
        ensure_new(&pool, &request.username, &user)?;
        let delivery = users::code_destination(&pool, &user);
        let sent = match &delivery {
            Some(delivery) => {
                let (code, message) = codes::issue(
                    &cx.state.ids,
                    cx.now,
                    &mut user,
                    &pool_id,
                    delivery,
                    Purpose::SignUp,
                )?;
                user.sign_up_code = Some(Box::new(code));
                Some(message)
            }
            None => None,
        };
        let sub = user.sub.clone();
        pool.users.put(user);
        drop(pool);
        if let Some(message) = sent {
            cx.state.outbox.send(message);
        }
        let mut out = json!({"UserConfirmed": false, "UserSub": sub});
        if let Some(delivery) = delivery {
            out["CodeDeliveryDetails"] = json!(delivery.details());
        }
        Ok(out)
    }
}

/// The name must be free, and so must any e-mail/phone the user would sign in with.
fn ensure_new(
    pool: &crate::model::UserPool,
    requested: &str,
    user: &User,
) -> Result<(), ServiceError> {
    if users::find_key(pool, requested).is_some()
        || pool
            .users
            .contains_key(&users::user_key(pool, &user.username))
    {
        return Err(users::username_exists(
            pool,
            users::username_attribute(pool, requested),
        ));
    }
    if let Some((attribute, _)) = users::alias_conflict(pool, user) {
        return Err(users::username_exists(pool, Some(&attribute)));
    }
    Ok(())
}
