//! The Cognito requests the driver makes, built ahead of time where it can, and the set-up they need: a pool, a client with a secret, confirmed users with tokens.
//! Bodies are plain JSON built here, so the same bytes go to every server under test.

use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::client::{Action, CallError, Caller, Endpoint};

/// Every bench user's password: no whitespace, and every character class, so it passes a server that ignores the bench pool's policy.
pub const PASSWORD: &str = "Bench-passw0rd!";

/// The pool and app client the load runs against.
#[derive(Clone, Debug)]
pub struct Target {
    pub pool_id: String,
    pub client_id: String,
    /// `None` for a client without a secret: then no SECRET_HASH is sent.
    pub client_secret: Option<String>,
}

/// SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)); cognito-wire-facts §4.
pub fn secret_hash(client_secret: &str, username: &str, client_id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn to_bytes(value: &Value) -> Bytes {
    Bytes::from(serde_json::to_vec(value).expect("a JSON value always serialises"))
}

impl Target {
    fn hash(&self, username: &str) -> Option<String> {
        self.client_secret
            .as_deref()
            .map(|secret| secret_hash(secret, username, &self.client_id))
    }

    pub fn sign_up(&self, username: &str) -> Bytes {
        let mut body =
            json!({"ClientId": self.client_id, "Username": username, "Password": PASSWORD});
        if let Some(hash) = self.hash(username) {
            body["SecretHash"] = Value::String(hash);
        }
        to_bytes(&body)
    }

    pub fn admin_confirm_sign_up(&self, username: &str) -> Bytes {
        to_bytes(&json!({"UserPoolId": self.pool_id, "Username": username}))
    }

    pub fn password_auth(&self, username: &str) -> Bytes {
        let mut parameters = json!({"USERNAME": username, "PASSWORD": PASSWORD});
        if let Some(hash) = self.hash(username) {
            parameters["SECRET_HASH"] = Value::String(hash);
        }
        to_bytes(
            &json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": self.client_id, "AuthParameters": parameters}),
        )
    }

    /// The SECRET_HASH of REFRESH_TOKEN_AUTH is over the internal username; the bench pool has plain usernames, so that is the username.
    pub fn refresh_auth(&self, username: &str, refresh_token: &str) -> Bytes {
        let mut parameters = json!({"REFRESH_TOKEN": refresh_token});
        if let Some(hash) = self.hash(username) {
            parameters["SECRET_HASH"] = Value::String(hash);
        }
        to_bytes(
            &json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": self.client_id, "AuthParameters": parameters}),
        )
    }
}

pub fn get_user(access_token: &str) -> Bytes {
    to_bytes(&json!({ "AccessToken": access_token }))
}

/// `ListUserPools` with `MaxResults` 1: the cheapest signed call every server answers, used to see that a server is up.
pub fn list_user_pools() -> Bytes {
    to_bytes(&json!({"MaxResults": 1}))
}

/// A failed step of set-up or of an operation: which action, and how it failed.
#[derive(Debug)]
pub struct StepError {
    pub action: Action,
    pub error: CallError,
}

impl std::fmt::Display for StepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.action.name(), self.error)
    }
}

pub async fn call(caller: &mut Caller, action: Action, body: Bytes) -> Result<Bytes, StepError> {
    caller
        .call(action, body)
        .await
        .map_err(|error| StepError { action, error })
}

fn field<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(value, |value, key| value.get(*key))?
        .as_str()
}

/// Creates the bench pool (plain usernames, 8-character passwords without class rules, nothing auto-verified, so SignUp sends no code)
/// and a client with a secret that allows password, refresh and SRP sign-in.
pub async fn create_target(caller: &mut Caller, run_id: &str) -> Result<Target, String> {
    let pool = call(
        caller,
        Action::CreateUserPool,
        to_bytes(&json!({
            "PoolName": format!("cognito-bench-{run_id}"),
            "Policies": {"PasswordPolicy": {
                "MinimumLength": 8,
                "RequireUppercase": false,
                "RequireLowercase": false,
                "RequireNumbers": false,
                "RequireSymbols": false,
            }},
        })),
    )
    .await
    .map_err(|error| error.to_string())?;
    let pool: Value =
        serde_json::from_slice(&pool).map_err(|error| format!("CreateUserPool answer: {error}"))?;
    let pool_id = field(&pool, &["UserPool", "Id"])
        .ok_or("CreateUserPool answer has no UserPool.Id")?
        .to_owned();
    let client = call(
        caller,
        Action::CreateUserPoolClient,
        to_bytes(&json!({
            "UserPoolId": pool_id,
            "ClientName": "cognito-bench",
            "GenerateSecret": true,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        })),
    )
    .await
    .map_err(|error| error.to_string())?;
    let client: Value = serde_json::from_slice(&client)
        .map_err(|error| format!("CreateUserPoolClient answer: {error}"))?;
    let client_id = field(&client, &["UserPoolClient", "ClientId"])
        .ok_or("CreateUserPoolClient answer has no UserPoolClient.ClientId")?
        .to_owned();
    let client_secret = field(&client, &["UserPoolClient", "ClientSecret"]).map(str::to_owned);
    if client_secret.is_none() {
        eprintln!("warning: the server generated no client secret; running without SECRET_HASH");
    }
    Ok(Target {
        pool_id,
        client_id,
        client_secret,
    })
}

pub async fn delete_pool(caller: &mut Caller, pool_id: &str) -> Result<(), StepError> {
    call(
        caller,
        Action::DeleteUserPool,
        to_bytes(&json!({ "UserPoolId": pool_id })),
    )
    .await?;
    Ok(())
}

/// SignUp then AdminConfirmSignUp: one "signup" operation of the bench.
pub async fn sign_up_confirmed(
    caller: &mut Caller,
    target: &Target,
    username: &str,
) -> Result<(), StepError> {
    call(caller, Action::SignUp, target.sign_up(username)).await?;
    call(
        caller,
        Action::AdminConfirmSignUp,
        target.admin_confirm_sign_up(username),
    )
    .await?;
    Ok(())
}

/// A confirmed user with the request bodies that use it, built once so the timed loop only copies a pointer.
pub struct SeedUser {
    pub login: Bytes,
    pub refresh: Bytes,
    pub get_user: Bytes,
}

/// The access and refresh tokens of a password sign-in.
pub fn tokens(body: &[u8]) -> Result<(String, String), String> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|error| format!("InitiateAuth answer is not JSON: {error}"))?;
    let access = field(&value, &["AuthenticationResult", "AccessToken"]);
    let refresh = field(&value, &["AuthenticationResult", "RefreshToken"]);
    match (access, refresh) {
        (Some(access), Some(refresh)) => Ok((access.to_owned(), refresh.to_owned())),
        _ => Err(format!(
            "InitiateAuth answered without AccessToken and RefreshToken: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )),
    }
}

/// Signs up, confirms and signs in `count` users over `concurrency` connections; the first failure stops set-up.
pub async fn seed_users(
    endpoint: &Arc<Endpoint>,
    target: &Arc<Target>,
    run_id: &str,
    count: usize,
    concurrency: usize,
) -> Result<Vec<SeedUser>, String> {
    let workers = concurrency.clamp(1, count.max(1));
    let mut handles = Vec::with_capacity(workers);
    for worker in 0..workers {
        let endpoint = Arc::clone(endpoint);
        let target = Arc::clone(target);
        let run_id = run_id.to_owned();
        handles.push(tokio::spawn(async move {
            let mut caller = Caller::new(endpoint);
            let mut users = Vec::new();
            for index in (worker..count).step_by(workers) {
                let username = format!("{run_id}-seed-{index}");
                sign_up_confirmed(&mut caller, &target, &username)
                    .await
                    .map_err(|error| format!("seeding {username}: {error}"))?;
                let login = target.password_auth(&username);
                let answer = call(&mut caller, Action::InitiateAuth, login.clone())
                    .await
                    .map_err(|error| format!("seeding {username}: {error}"))?;
                let (access, refresh) =
                    tokens(&answer).map_err(|error| format!("seeding {username}: {error}"))?;
                users.push((
                    index,
                    SeedUser {
                        login,
                        refresh: target.refresh_auth(&username, &refresh),
                        get_user: get_user(&access),
                    },
                ));
            }
            Ok::<_, String>(users)
        }));
    }
    let mut all = Vec::with_capacity(count);
    for handle in handles {
        all.extend(
            handle
                .await
                .map_err(|error| format!("seeding task failed: {error}"))??,
        );
    }
    all.sort_by_key(|(index, _)| *index);
    Ok(all.into_iter().map(|(_, user)| user).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answer computed with Python's hmac/hashlib/base64, as pycognito's `get_secret_hash` does.
    #[test]
    fn secret_hash_matches_the_reference_formula() {
        assert_eq!(
            secret_hash("secret", "alice", "client"),
            "RTsve+FQ659UKyESgvLg9GYmZEL+QjzQsW/OjL77/b0="
        );
    }
}
