//! NEW_PASSWORD_REQUIRED (admin-sigv4-facts §2): a user created with a temporary password
//! (AdminCreateUser, AdminSetUserPassword without `Permanent`) proves it, then must choose a
//! password of their own, giving the required attributes they lack, before signing in.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::challenges::{live_session, open_session, session_ttl, session_user, AuthStep};
use super::policy::{self, Wording};
use super::{make_credentials, required_param, sign_in, users, SignInClient};
use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{AppClient, AuthSession, Challenge, UserPool, UserStatus};
use crate::AppState;

const ATTRIBUTE_PREFIX: &str = "userAttributes.";

/// Opens the challenge for the user with `key`, whose temporary password was just proven.
/// `ChallengeParameters`: `USER_ID_FOR_SRP` (the internal username), `requiredAttributes`
/// (the pool's required attributes the user has no value for, each as `userAttributes.<name>`)
/// and `userAttributes` (the user's attributes without `sub`, the missing required ones as
/// empty strings, as a recorded AWS response shows), both JSON-encoded strings.
pub fn challenge(
    state: &AppState,
    pool: &mut UserPool,
    client: &AppClient,
    key: &str,
    now: Timestamp,
) -> Result<AuthStep, ServiceError> {
    let user = pool
        .users
        .get(key)
        .ok_or_else(ServiceError::incorrect_credentials)?;
    let missing = missing_required(pool, user);
    let mut attributes = Map::new();
    for (name, value) in &user.attributes {
        if name != "sub" && users::readable(pool, Some(client), name) {
            attributes.insert(name.clone(), Value::String(value.clone()));
        }
    }
    for name in &missing {
        attributes.insert(name.clone(), Value::String(String::new()));
    }
    let required: Vec<String> = missing
        .iter()
        .map(|name| format!("{ATTRIBUTE_PREFIX}{name}"))
        .collect();
    let mut parameters = Map::new();
    parameters.insert(
        "USER_ID_FOR_SRP".into(),
        Value::String(user.username.clone()),
    );
    parameters.insert(
        "requiredAttributes".into(),
        Value::String(serde_json::to_string(&required).unwrap_or_default()),
    );
    parameters.insert(
        "userAttributes".into(),
        Value::String(Value::Object(attributes).to_string()),
    );
    let session = AuthSession::new(
        &client.client_id,
        key,
        user,
        Challenge::NewPasswordRequired,
        now.plus(session_ttl(client)),
    );
    let session = open_session(state, pool, session, now)?;
    Ok(AuthStep::Challenge {
        challenge: Challenge::NewPasswordRequired,
        parameters,
        session: Some(session),
    })
}

fn missing_required(pool: &UserPool, user: &crate::model::User) -> Vec<String> {
    pool.schema
        .iter()
        .filter(|a| a.required && a.name != "sub")
        .filter(|a| user.attribute(&a.name).is_none_or(str::is_empty))
        .map(|a| a.name.clone())
        .collect()
}

/// (Admin)RespondToAuthChallenge NEW_PASSWORD_REQUIRED: `USERNAME`, `NEW_PASSWORD`,
/// `userAttributes.<name>`… The session is used up by the first answer, right or wrong
/// (admin-sigv4-facts §1.13). On success the user is CONFIRMED with the new password; the
/// caller goes on to MFA or tokens. Returns the user's key.
pub fn answer(
    state: &AppState,
    client: &SignInClient,
    session: Option<&str>,
    responses: &HashMap<String, String>,
    now: Timestamp,
) -> Result<String, ServiceError> {
    let id = session.ok_or_else(ServiceError::missing_session)?;
    let username = required_param(responses, "USERNAME")?;
    let (key, internal, live, attributes, pool_id) = {
        let mut pool = client.entry.write();
        let live = live_session(
            &mut pool,
            &client.app_client.client_id,
            id,
            Challenge::NewPasswordRequired,
            now,
        )?;
        live.used = true;
        let live = live.clone();
        let key = live.user_key.clone();
        let user = session_user(&pool, &live)?;
        client.check_secret_hash_any(
            &[username, &user.username],
            responses.get("SECRET_HASH").map(String::as_str),
        )?;
        if users::find_key(&pool, username).as_deref() != Some(key.as_str()) {
            return Err(ServiceError::incorrect_credentials());
        }
        let internal = user.username.clone();
        sign_in::pre_sign_in_checks(&pool, client, &internal, now)?;
        let password = required_param(responses, "NEW_PASSWORD")?;
        policy::check(&pool.settings.password_policy, password, Wording::Public)?;
        let mut attributes: Vec<(String, String)> = Vec::new();
        for (name, value) in responses {
            let Some(name) = name.strip_prefix(ATTRIBUTE_PREFIX) else {
                continue;
            };
            // AWS: "you can't modify a required attribute that already has a value"; the
            // recorded refusal is for any attribute that has one.
            if user.attribute(name).is_some_and(|v| !v.is_empty()) {
                return Err(ServiceError::cannot_modify_provided(name));
            }
            // The answer cannot verify an address ("the api doesn't accept this field", old
            // amazon-cognito-identity-js README); AWS's exact error was not captured.
            if name.ends_with("_verified") {
                return Err(ServiceError::unauthorized_attribute_write());
            }
            if value.is_empty() {
                continue;
            }
            attributes.push((name.to_owned(), value.clone()));
        }
        users::check_attribute_writes(&pool, Some(&client.app_client), &attributes, true)?;
        let given = |name: &str| attributes.iter().any(|(n, v)| n == name && !v.is_empty());
        if let Some(name) = missing_required(&pool, user)
            .into_iter()
            .find(|name| !given(name))
        {
            return Err(ServiceError::required_attribute_missing(&name));
        }
        (key, internal, live, attributes, pool.id.clone())
    };

    // Hashing with no lock held.
    let password = required_param(responses, "NEW_PASSWORD")?;
    let credentials = make_credentials(state, &pool_id, &internal, password);

    let mut pool = client.entry.write();
    let Some(current) = pool.users.get(&key) else {
        return Err(ServiceError::invalid_session());
    };
    // The user must still be the one challenged, with the temporary password that was proven
    // (not re-created, nor given a password by AdminSetUserPassword since).
    if !live.still_for(current) || current.status != UserStatus::ForceChangePassword {
        return Err(ServiceError::invalid_session());
    }
    // A new e-mail or phone number arrives unverified, and must not be another user's
    // sign-in name.
    let mut updated = current.clone();
    for (name, value) in attributes {
        if name == "email" || name == "phone_number" {
            updated
                .attributes
                .insert(format!("{name}_verified"), "false".to_owned());
        }
        updated.attributes.insert(name, value);
    }
    if let Some((attribute, _)) = users::alias_conflict(&pool, &updated) {
        return Err(ServiceError::alias_exists(&attribute));
    }
    let Some(mut user) = pool.users.get_mut(&key) else {
        return Err(ServiceError::invalid_session());
    };
    user.attributes = updated.attributes;
    user.credentials = Some(credentials);
    user.status = UserStatus::Confirmed;
    user.temporary_password_expires = None;
    user.last_modified = now;
    Ok(key)
}
