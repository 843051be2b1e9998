//! Minting ID and access tokens exactly as Cognito shapes them (wire facts §3.1), and
//! opaque refresh tokens. Signing is slow: callers snapshot what they need under the
//! pool lock, release it, then call `mint`.

use serde_json::{json, Map, Value};

use crate::clock::Timestamp;
use crate::model::{AppClient, User, UserPool};
use crate::pool_keys::PoolKeys;
use crate::wire::AuthenticationResultType;
use crate::AppState;

/// The scope of every token issued by the user-pool API (not the hosted UI).
pub const API_SCOPE: &str = "aws.cognito.signin.user.admin";

/// What minting needs to know about the user, copied out from under the lock.
pub struct Subject {
    pub username: String,
    pub sub: String,
    /// Readable attributes as ID-token claims (booleans and numbers typed).
    pub id_claims: Map<String, Value>,
    /// `cognito:groups`, in precedence order; empty when the user is in none.
    pub groups: Vec<String>,
    /// `cognito:roles`: the RoleArns of those groups, in the same order, without repeats.
    pub roles: Vec<String>,
    /// `cognito:preferred_role`, when one group's role wins (admin-sigv4-facts §3.3).
    pub preferred_role: Option<String>,
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
        let mut groups: Vec<&crate::model::Group> = user
            .groups
            .iter()
            .filter_map(|name| pool.group(name))
            .collect();
        groups.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        let mut roles: Vec<String> = Vec::new();
        for role in groups.iter().filter_map(|g| g.role_arn.as_ref()) {
            if !roles.contains(role) {
                roles.push(role.clone());
            }
        }
        Subject {
            username: user.username.clone(),
            sub: user.sub.clone(),
            id_claims,
            preferred_role: preferred_role(&groups),
            groups: groups.iter().map(|g| g.name.clone()).collect(),
            roles,
        }
    }
}

/// AWS (CreateGroup `Precedence` doc, developer guide): the role of the group with the lowest
/// precedence among those with a role; not set when the best groups disagree on the role; the
/// only role when there is one. Groups without a precedence tie with each other.
/// `groups` is in precedence order.
fn preferred_role(groups: &[&crate::model::Group]) -> Option<String> {
    let with_role: Vec<&&crate::model::Group> =
        groups.iter().filter(|g| g.role_arn.is_some()).collect();
    let first = with_role.first()?;
    let best: Vec<&&&crate::model::Group> = with_role
        .iter()
        .filter(|g| g.precedence == first.precedence)
        .collect();
    let role = first.role_arn.clone()?;
    best.iter()
        .all(|g| g.role_arn.as_deref() == Some(role.as_str()))
        .then_some(role)
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

/// Signs an ID and an access token.
pub fn mint(
    state: &AppState,
    keys: &PoolKeys,
    pool_id: &str,
    client: &AppClient,
    subject: &Subject,
    session: &SessionRef<'_>,
) -> AuthenticationResultType {
    let now = session.now;
    let issuer = state.issuer(pool_id);
    let iat = now.secs();
    // AWS adds origin_jti and jti only for clients with token revocation on (wire facts §3.1).
    let revocable = client.enable_token_revocation;

    let access_ttl = client.access_token_validity.seconds() as i64;
    let mut access = Map::new();
    access.insert("sub".into(), json!(subject.sub));
    // AWS: both tokens carry `cognito:groups`; only the ID token the roles (§3.3).
    if !subject.groups.is_empty() {
        access.insert("cognito:groups".into(), json!(subject.groups));
    }
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
    if !subject.groups.is_empty() {
        id.insert("cognito:groups".into(), json!(subject.groups));
    }
    if !subject.roles.is_empty() {
        id.insert("cognito:roles".into(), json!(subject.roles));
    }
    if let Some(role) = &subject.preferred_role {
        id.insert("cognito:preferred_role".into(), json!(role));
    }
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

    AuthenticationResultType {
        access_token: keys.access_token.sign(&Value::Object(access)),
        expires_in: access_ttl,
        token_type: "Bearer",
        refresh_token: session.refresh_token.map(str::to_owned),
        id_token: keys.id_token.sign(&Value::Object(id)),
    }
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
