//! The Cognito requests the driver makes, built ahead of time where it can, and the set-up they need: a pool, a client with a secret,
//! and the users put in the pool before the timed phase (confirmed and signed in, or created by an admin).
//! Bodies are plain JSON built here, so the same bytes go to every server under test.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use base64::Engine;
use bytes::Bytes;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::client::{Action, CallError, Caller, Endpoint};

/// Every bench user's password: no whitespace, and every character class, so it passes a server that ignores the bench pool's policy.
/// AdminCreateUser gives it as the temporary password.
pub const PASSWORD: &str = "Bench-passw0rd!";

/// ListUsers' largest page (API reference `ListUsers.Limit`).
pub const LIST_USERS_LIMIT: u32 = 60;

/// A bench user's e-mail address: unique as the username is, so a filter on it finds one user.
pub fn email_of(username: &str) -> String {
    format!("{username}@bench.example.com")
}

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

    /// SignUp, with an `email` attribute when one is given (seeded users have one; the signup workload sends none).
    pub fn sign_up(&self, username: &str, email: Option<&str>) -> Bytes {
        let mut body =
            json!({"ClientId": self.client_id, "Username": username, "Password": PASSWORD});
        if let Some(hash) = self.hash(username) {
            body["SecretHash"] = Value::String(hash);
        }
        if let Some(email) = email {
            body["UserAttributes"] = json!([{"Name": "email", "Value": email}]);
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

    /// AdminCreateUser with the bench password as temporary password and no invitation, so nothing is sent and no code is made.
    pub fn admin_create_user(&self, username: &str, email: &str) -> Bytes {
        to_bytes(&json!({
            "UserPoolId": self.pool_id,
            "Username": username,
            "TemporaryPassword": PASSWORD,
            "MessageAction": "SUPPRESS",
            "UserAttributes": [{"Name": "email", "Value": email}],
        }))
    }

    pub fn admin_get_user(&self, username: &str) -> Bytes {
        to_bytes(&json!({"UserPoolId": self.pool_id, "Username": username}))
    }

    /// ListUsers of the users whose e-mail is exactly `email`.
    pub fn list_users_by_email(&self, email: &str) -> Bytes {
        to_bytes(&json!({
            "UserPoolId": self.pool_id,
            "Filter": format!("email = \"{email}\""),
        }))
    }

    /// One page of ListUsers over the whole pool: the first without a token, the next ones with the token of the one before.
    pub fn list_users_page(&self, pagination_token: Option<&str>) -> Bytes {
        let mut body = json!({"UserPoolId": self.pool_id, "Limit": LIST_USERS_LIMIT});
        if let Some(token) = pagination_token {
            body["PaginationToken"] = Value::String(token.to_owned());
        }
        to_bytes(&body)
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
    email: Option<&str>,
) -> Result<(), StepError> {
    call(caller, Action::SignUp, target.sign_up(username, email)).await?;
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

/// A user put in the pool before the timed phase, with the admin request bodies that name it.
pub struct PoolUser {
    pub username: String,
    pub admin_get_user: Bytes,
    pub list_by_email: Bytes,
}

/// The users put in the pool before the timed phase.
#[derive(Default)]
pub struct Seeded {
    /// Signed-in users, for the workloads that need tokens; empty when the users were created by an admin.
    pub sessions: Vec<SeedUser>,
    /// Every seeded user, in seeding order: the one at index `i` is `seed_username(run_id, i)`.
    pub pool_users: Vec<PoolUser>,
}

/// How seeding puts users in the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seeding {
    /// SignUp, AdminConfirmSignUp and a password sign-in: users with tokens, for login, refresh, getuser and mixed.
    SignedIn,
    /// One AdminCreateUser each (FORCE_CHANGE_PASSWORD, no invitation): the quick way to fill a pool for the admin workloads.
    AdminCreated,
}

/// The username of seeded user `index`; the prefix before the index is `seed_prefix(run_id)`.
pub fn seed_username(run_id: &str, index: usize) -> String {
    format!("{}{index}", seed_prefix(run_id))
}

pub fn seed_prefix(run_id: &str) -> String {
    format!("{run_id}-seed-")
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

/// A page of a ListUsers answer: only the usernames are read, the rest is skipped.
#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct UsersPage {
    #[serde(default)]
    pub users: Vec<ListedUser>,
    pub pagination_token: Option<String>,
}

#[derive(Deserialize, Debug)]
#[serde(rename_all = "PascalCase")]
pub struct ListedUser {
    pub username: String,
}

pub fn users_page(body: &[u8]) -> Result<UsersPage, String> {
    serde_json::from_slice(body).map_err(|error| {
        format!(
            "ListUsers answer is not a page of users: {error}: {}",
            String::from_utf8_lossy(&body[..body.len().min(300)])
        )
    })
}

/// Puts `count` users in the pool over `concurrency` connections, each with a distinct e-mail address, counting them in `made` as they are made.
/// The first failure stops set-up: every worker ends at its next user.
pub async fn seed_users(
    endpoint: &Arc<Endpoint>,
    target: &Arc<Target>,
    run_id: &str,
    count: usize,
    concurrency: usize,
    seeding: Seeding,
    made: &Arc<AtomicU64>,
) -> Result<Seeded, String> {
    let workers = concurrency.clamp(1, count.max(1));
    let failed = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::with_capacity(workers);
    for worker in 0..workers {
        let endpoint = Arc::clone(endpoint);
        let target = Arc::clone(target);
        let run_id = run_id.to_owned();
        let made = Arc::clone(made);
        let failed = Arc::clone(&failed);
        handles.push(tokio::spawn(async move {
            let mut caller = Caller::new(endpoint);
            let mut users = Vec::new();
            for index in (worker..count).step_by(workers) {
                if failed.load(Ordering::Relaxed) {
                    break;
                }
                let username = seed_username(&run_id, index);
                let user = seed_one(&mut caller, &target, &username, seeding)
                    .await
                    .map_err(|error| {
                        failed.store(true, Ordering::Relaxed);
                        format!("seeding {username}: {error}")
                    })?;
                users.push((index, user));
                made.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<_, String>(users)
        }));
    }
    let mut all = Vec::with_capacity(count);
    let mut first_error = None;
    for handle in handles {
        match handle.await {
            Ok(Ok(users)) => all.extend(users),
            Ok(Err(error)) => {
                first_error.get_or_insert(error);
            }
            Err(error) => {
                first_error.get_or_insert(format!("seeding task failed: {error}"));
            }
        }
    }
    if let Some(error) = first_error {
        return Err(error);
    }
    all.sort_by_key(|(index, _)| *index);
    let mut seeded = Seeded::default();
    for (_, (session, pool_user)) in all {
        seeded.sessions.extend(session);
        seeded.pool_users.push(pool_user);
    }
    Ok(seeded)
}

/// Puts one user in the pool; the session is `None` for a user created by an admin.
async fn seed_one(
    caller: &mut Caller,
    target: &Target,
    username: &str,
    seeding: Seeding,
) -> Result<(Option<SeedUser>, PoolUser), String> {
    let email = email_of(username);
    let session = match seeding {
        Seeding::SignedIn => {
            sign_up_confirmed(caller, target, username, Some(&email))
                .await
                .map_err(|error| error.to_string())?;
            let login = target.password_auth(username);
            let answer = call(caller, Action::InitiateAuth, login.clone())
                .await
                .map_err(|error| error.to_string())?;
            let (access, refresh) = tokens(&answer)?;
            Some(SeedUser {
                login,
                refresh: target.refresh_auth(username, &refresh),
                get_user: get_user(&access),
            })
        }
        Seeding::AdminCreated => {
            call(
                caller,
                Action::AdminCreateUser,
                target.admin_create_user(username, &email),
            )
            .await
            .map_err(|error| error.to_string())?;
            None
        }
    };
    Ok((
        session,
        PoolUser {
            username: username.to_owned(),
            admin_get_user: target.admin_get_user(username),
            list_by_email: target.list_users_by_email(&email),
        },
    ))
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

    #[test]
    fn the_email_filter_is_quoted_as_list_users_wants() {
        let target = Target {
            pool_id: "us-east-1_x".into(),
            client_id: "c".into(),
            client_secret: None,
        };
        let body: Value =
            serde_json::from_slice(&target.list_users_by_email(&email_of("a-seed-7")))
                .expect("JSON");
        assert_eq!(body["Filter"], r#"email = "a-seed-7@bench.example.com""#);
        let page: Value = serde_json::from_slice(&target.list_users_page(Some("t"))).expect("JSON");
        assert_eq!(page["Limit"], 60);
        assert_eq!(page["PaginationToken"], "t");
        assert!(
            serde_json::from_slice::<Value>(&target.list_users_page(None)).expect("JSON")
                ["PaginationToken"]
                .is_null()
        );
    }

    #[test]
    fn a_users_page_reads_usernames_and_the_token() {
        let page = users_page(
            br#"{"Users":[{"Username":"u1","Attributes":[{"Name":"sub","Value":"s"}],"Enabled":true}],"PaginationToken":"next"}"#,
        )
        .expect("parses");
        assert_eq!(page.users.len(), 1);
        assert_eq!(page.users[0].username, "u1");
        assert_eq!(page.pagination_token.as_deref(), Some("next"));
        let last = users_page(br#"{"Users":[]}"#).expect("parses");
        assert!(last.users.is_empty() && last.pagination_token.is_none());
        assert!(users_page(b"<html>").is_err());
    }
}
