//! Minting ID and access tokens exactly as Cognito shapes them (wire facts §3.1), and
//! opaque refresh tokens. Signing is slow: callers snapshot what they need under the
//! pool lock, release it, then call `mint`.

use serde_json::{json, Map, Value};

use crate::clock::Timestamp;
use crate::model::{AppClient, User, UserPool};
use crate::pool_keys::PoolKeys;
use crate::AppState;

/// The scope of every token issued by the user-pool API (not the hosted UI).
pub const API_SCOPE: &str = "aws.cognito.signin.user.admin";

/// What minting needs to know about the user, copied out from under the lock.
pub struct Subject {
    pub username: String,
    pub sub: String,
    /// Readable attributes as ID-token claims (booleans and numbers typed).
    pub id_claims: Map<String, Value>,
}

impl Subject {
    pub fn snapshot(pool: &UserPool, client: &AppClient, user: &User) -> Subject {
        let mut id_claims = Map::new();
        for (name, value) in &user.attributes {
            if name == "sub" || !super::users::readable(pool, Some(client), name) {
                continue;
            }
            let typed = match name.as_str() {
                "email_verified" | "phone_number_verified" => json!(value == "true"),
                "updated_at" => value
                    .parse::<i64>()
                    .map(Value::from)
                    .unwrap_or_else(|_| json!(value)),
                _ => json!(value),
            };
            id_claims.insert(name.clone(), typed);
        }
        Subject {
            username: user.username.clone(),
            sub: user.sub.clone(),
            id_claims,
        }
    }
}

/// The sign-in the tokens belong to, and when they are issued.
pub struct SessionRef<'a> {
    pub event_id: &'a str,
    pub origin_jti: &'a str,
    pub auth_time: Timestamp,
    pub now: Timestamp,
    /// Included only on a fresh sign-in (AWS: REFRESH_TOKEN_AUTH returns none).
    pub refresh_token: Option<&'a str>,
}

/// Signs an ID and an access token; returns `AuthenticationResultType`.
pub fn mint(
    state: &AppState,
    keys: &PoolKeys,
    pool_id: &str,
    client: &AppClient,
    subject: &Subject,
    session: &SessionRef<'_>,
) -> Value {
    let now = session.now;
    let issuer = state.issuer(pool_id);
    let iat = now.secs();
    // AWS adds origin_jti and jti only for clients with token revocation on (wire facts §3.1).
    let revocable = client.enable_token_revocation;

    let access_ttl = client.access_token_validity.seconds() as i64;
    let mut access = Map::new();
    access.insert("sub".into(), json!(subject.sub));
    access.insert("iss".into(), json!(issuer));
    access.insert("client_id".into(), json!(client.client_id));
    if revocable {
        access.insert("origin_jti".into(), json!(session.origin_jti));
    }
    access.insert("event_id".into(), json!(session.event_id));
    access.insert("token_use".into(), json!("access"));
    access.insert("scope".into(), json!(API_SCOPE));
    access.insert("auth_time".into(), json!(session.auth_time.secs()));
    access.insert("exp".into(), json!(iat + access_ttl));
    access.insert("iat".into(), json!(iat));
    if revocable {
        access.insert("jti".into(), json!(state.ids.uuid()));
    }
    access.insert("username".into(), json!(subject.username));

    let id_ttl = client.id_token_validity.seconds() as i64;
    let mut id = Map::new();
    id.insert("sub".into(), json!(subject.sub));
    for (k, v) in &subject.id_claims {
        id.insert(k.clone(), v.clone());
    }
    id.insert("iss".into(), json!(issuer));
    id.insert("cognito:username".into(), json!(subject.username));
    if revocable {
        id.insert("origin_jti".into(), json!(session.origin_jti));
    }
    id.insert("aud".into(), json!(client.client_id));
    id.insert("event_id".into(), json!(session.event_id));
    id.insert("token_use".into(), json!("id"));
    id.insert("auth_time".into(), json!(session.auth_time.secs()));
    id.insert("exp".into(), json!(iat + id_ttl));
    id.insert("iat".into(), json!(iat));
    if revocable {
        id.insert("jti".into(), json!(state.ids.uuid()));
    }

    let mut result = json!({
        "AccessToken": keys.access_token.sign(&Value::Object(access)),
        "ExpiresIn": access_ttl,
        "TokenType": "Bearer",
        "IdToken": keys.id_token.sign(&Value::Object(id)),
    });
    if let Some(refresh) = session.refresh_token {
        result["RefreshToken"] = json!(refresh);
    }
    result
}

/// A new opaque refresh token. Shaped like AWS's (a five-part JWE whose header reads
/// `{"cty":"JWT","enc":"A256GCM","alg":"RSA-OAEP"}`), but random: nothing in it is readable.
pub fn new_refresh_token(state: &AppState) -> String {
    const HEADER: &str = "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ";
    format!(
        "{HEADER}.{}.{}.{}.{}",
        state.ids.token_chars(86),
        state.ids.token_chars(16),
        state.ids.token_chars(64),
        state.ids.token_chars(22)
    )
}
