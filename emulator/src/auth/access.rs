//! Verifies the access tokens that user operations take: signature (the pool's access-token
//! key), issuer, `token_use`, expiry on the emulator's clock, scope, and — under the pool
//! lock — that the sign-in it came from is still live (wire facts §7.4 messages).

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use sha2::{Digest, Sha256};

use serde_json::Value;

use super::tokens::API_SCOPE;
use crate::clock::Timestamp;
use crate::crypto::jwt;
use crate::error::{ErrorKind, ServiceError};
use crate::model::{User, UserPool};
use crate::store::PoolEntry;
use crate::AppState;

pub fn invalid() -> ServiceError {
    ServiceError::not_authorized("Invalid Access Token")
}

pub fn revoked() -> ServiceError {
    ServiceError::not_authorized("Access Token has been revoked")
}

/// A verified access token.
pub struct AccessContext {
    pub entry: Arc<PoolEntry>,
    pub username: String,
    pub client_id: String,
    pub event_id: String,
}

/// What a verified access token said.
#[derive(Clone)]
struct Verified {
    pool_id: String,
    username: String,
    client_id: String,
    event_id: String,
    exp: i64,
}

const SHARDS: usize = 16;
const MAX_PER_SHARD: usize = 8192;

/// Access tokens whose signature, issuer, `token_use` and scope were verified, keyed by the
/// SHA-256 of the token's bytes. A token is checked in full the first time it is seen; the
/// same bytes need no second RSA verification (pool keys never change). Expiry and the
/// sign-in's liveness are still checked on every use. Bounded: expired entries are dropped
/// when a shard fills, and a full shard of live tokens is cleared.
pub struct VerifiedTokens {
    shards: [Mutex<HashMap<[u8; 32], Verified>>; SHARDS],
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        VerifiedTokens {
            shards: std::array::from_fn(|_| Mutex::new(HashMap::new())),
        }
    }
}

impl VerifiedTokens {
    fn get(&self, digest: &[u8; 32]) -> Option<Verified> {
        self.shards[digest[0] as usize % SHARDS]
            .lock()
            .get(digest)
            .cloned()
    }

    fn insert(&self, digest: [u8; 32], verified: Verified, now: Timestamp) {
        let mut shard = self.shards[digest[0] as usize % SHARDS].lock();
        if shard.len() >= MAX_PER_SHARD {
            shard.retain(|_, v| v.exp > now.secs());
            if shard.len() >= MAX_PER_SHARD {
                shard.clear();
            }
        }
        shard.insert(digest, verified);
    }
}

/// Checks everything that needs no pool state: signature, issuer, use, expiry, scope.
pub fn verify(
    state: &AppState,
    token: &str,
    now: Timestamp,
) -> Result<AccessContext, ServiceError> {
    let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let verified = match state.verified_tokens.get(&digest) {
        Some(v) => v,
        None => {
            let v = verify_in_full(state, token)?;
            if now.secs() < v.exp {
                state.verified_tokens.insert(digest, v.clone(), now);
            }
            v
        }
    };
    if now.secs() >= verified.exp {
        return Err(ServiceError::not_authorized("Access Token has expired"));
    }
    let entry = state.store.pool(&verified.pool_id).map_err(|_| invalid())?;
    Ok(AccessContext {
        entry,
        username: verified.username,
        client_id: verified.client_id,
        event_id: verified.event_id,
    })
}

/// Signature, issuer, `token_use`, scope; not expiry.
fn verify_in_full(state: &AppState, token: &str) -> Result<Verified, ServiceError> {
    // Which pool? Read `iss` from the unverified payload, then verify with that pool's key.
    let pool_id = jwt::unverified_claim(token, "iss")
        .and_then(|iss| iss.rsplit('/').next().map(str::to_owned))
        .ok_or_else(invalid)?;
    let entry = state.store.pool(&pool_id).map_err(|_| invalid())?;
    let claims = jwt::verify(token, [&entry.keys.get().access_token]).map_err(|_| invalid())?;
    let str_claim = |name: &str| claims.get(name).and_then(Value::as_str);
    if str_claim("iss") != Some(state.issuer(&pool_id).as_str())
        || str_claim("token_use") != Some("access")
    {
        return Err(invalid());
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(invalid)?;
    let has_scope = str_claim("scope").is_some_and(|s| s.split(' ').any(|x| x == API_SCOPE));
    if !has_scope {
        return Err(ServiceError::not_authorized(
            "Access Token does not have required scopes",
        ));
    }
    let (Some(username), Some(client_id), Some(event_id)) = (
        str_claim("username"),
        str_claim("client_id"),
        str_claim("event_id"),
    ) else {
        return Err(invalid());
    };
    Ok(Verified {
        pool_id,
        username: username.to_owned(),
        client_id: client_id.to_owned(),
        event_id: event_id.to_owned(),
        exp,
    })
}

/// Under the pool lock: the token's user and sign-in must still exist.
/// Returns the user's key.
pub fn live_user_key(pool: &UserPool, cx: &AccessContext) -> Result<String, ServiceError> {
    let key = super::users::user_key(pool, &cx.username);
    let user: &User = pool.users.get(&key).ok_or_else(|| {
        ServiceError::new(ErrorKind::UserNotFoundException, "User does not exist.")
    })?;
    if !user.sessions.contains_key(&cx.event_id) {
        return Err(revoked());
    }
    if !user.enabled {
        return Err(ServiceError::user_disabled());
    }
    Ok(key)
}

/// Verifies `token`, then runs `f` on the pool (write-locked) with the live user's key.
pub fn with_user_mut<R>(
    state: &AppState,
    token: &str,
    now: Timestamp,
    f: impl FnOnce(&mut UserPool, &str, &AccessContext) -> Result<R, ServiceError>,
) -> Result<R, ServiceError> {
    let cx = verify(state, token, now)?;
    let entry = cx.entry.clone();
    let mut pool = entry.write();
    let key = live_user_key(&pool, &cx)?;
    f(&mut pool, &key, &cx)
}

/// Verifies `token`, then runs `f` on the pool (read-locked) with the live user's key.
pub fn with_user<R>(
    state: &AppState,
    token: &str,
    now: Timestamp,
    f: impl FnOnce(&UserPool, &str, &AccessContext) -> Result<R, ServiceError>,
) -> Result<R, ServiceError> {
    let cx = verify(state, token, now)?;
    let entry = cx.entry.clone();
    let pool = entry.read();
    let key = live_user_key(&pool, &cx)?;
    f(&pool, &key, &cx)
}
