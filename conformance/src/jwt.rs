//! Verifies ID and access tokens the way a resource server does (AWS's "Verifying a JSON Web Token"
//! steps, and what aws-jwt-verify checks, wire facts §3.5): fetch the pool's JWKS from the target,
//! find the header's `kid`, check the RS256 signature, then `iss`, `token_use`, the client
//! (`client_id` for access tokens, `aud` for ID tokens) and `exp` against the target's clock.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::check::{Step, Stop};
use crate::target::Target;

/// One key of a JWKS document.
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    pub kid: Option<String>,
    pub kty: Option<String>,
    pub alg: Option<String>,
    #[serde(rename = "use")]
    pub key_use: Option<String>,
    pub n: Option<String>,
    pub e: Option<String>,
}

#[derive(Debug, Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

/// Fetches `{issuer-host}/{pool}/.well-known/jwks.json` from the target.
pub async fn fetch_jwks(target: &Target, user_pool_id: &str) -> Step<Vec<Jwk>> {
    let url = target.jwks_url(user_pool_id);
    let response = target
        .http()
        .get(&url)
        .send()
        .await
        .map_err(|e| Stop::Fail(format!("fetching {url}: {e}")))?;
    // aws-jwt-verify requires 200 and does not look at the content type.
    if response.status() != reqwest::StatusCode::OK {
        return Err(Stop::Fail(format!(
            "fetching {url}: HTTP {}",
            response.status()
        )));
    }
    let set: JwkSet = response
        .json()
        .await
        .map_err(|e| Stop::Fail(format!("{url} is not a JWKS document: {e}")))?;
    Ok(set.keys)
}

/// Which kind of token a resource server expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    Access,
    Id,
}

impl TokenUse {
    fn claim(self) -> &'static str {
        match self {
            TokenUse::Access => "access",
            TokenUse::Id => "id",
        }
    }
}

/// What the resource server was configured with.
#[derive(Debug, Clone)]
pub struct Expected<'a> {
    pub issuer: &'a str,
    pub token_use: TokenUse,
    pub client_id: &'a str,
    /// Epoch seconds on the target's clock.
    pub now: i64,
}

/// A JSON object: a JWT header or claim set.
pub type Json = Map<String, Value>;

/// The header and claims of a JWT, not verified.
pub fn decode_unverified(token: &str) -> Result<(Json, Json), String> {
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 3 {
        return Err(format!("a JWT has 3 parts, this has {}", parts.len()));
    }
    let part = |i: usize, what: &str| -> Result<Json, String> {
        let bytes = URL_SAFE_NO_PAD
            .decode(parts[i])
            .map_err(|e| format!("{what} is not base64url: {e}"))?;
        serde_json::from_slice(&bytes).map_err(|e| format!("{what} is not a JSON object: {e}"))
    };
    Ok((part(0, "header")?, part(1, "payload")?))
}

/// Rewrites the payload of `token` with `edit`, keeping its header and signature: a forgery.
pub fn tamper(token: &str, edit: impl FnOnce(&mut Map<String, Value>)) -> Result<String, String> {
    let parts: Vec<&str> = token.split('.').collect();
    let (_, mut claims) = decode_unverified(token)?;
    edit(&mut claims);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).map_err(|e| e.to_string())?);
    Ok(format!("{}.{payload}.{}", parts[0], parts[2]))
}

/// Verifies `token` against `keys` and `expected`; returns its claims.
pub fn verify(
    token: &str,
    keys: &[Jwk],
    expected: &Expected<'_>,
) -> Result<Map<String, Value>, String> {
    let (header, claims) = decode_unverified(token)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(format!(
            "header alg is {:?}, expected RS256",
            header.get("alg")
        ));
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or("header has no kid")?;
    let jwk = keys
        .iter()
        .find(|k| k.kid.as_deref() == Some(kid))
        .ok_or_else(|| format!("kid {kid:?} is not in the pool's JWKS"))?;
    if jwk.kty.as_deref() != Some("RSA") {
        return Err(format!("JWK {kid} has kty {:?}, expected RSA", jwk.kty));
    }
    if jwk.key_use.as_deref().is_some_and(|u| u != "sig") {
        return Err(format!("JWK {kid} has use {:?}, expected sig", jwk.key_use));
    }
    if jwk.alg.as_deref().is_some_and(|a| a != "RS256") {
        return Err(format!("JWK {kid} has alg {:?}, expected RS256", jwk.alg));
    }
    let (Some(n), Some(e)) = (&jwk.n, &jwk.e) else {
        return Err(format!("JWK {kid} lacks n or e"));
    };
    let key = DecodingKey::from_rsa_components(n, e).map_err(|e| format!("JWK {kid}: {e}"))?;
    // Only the signature here; every claim is checked below, explicitly, against the target's clock.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.required_spec_claims.clear();
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    jsonwebtoken::decode::<Value>(token, &key, &validation)
        .map_err(|e| format!("signature does not verify with JWK {kid}: {e}"))?;

    let text = |name: &str| claims.get(name).and_then(Value::as_str);
    if text("iss") != Some(expected.issuer) {
        return Err(format!(
            "iss is {:?}, expected {:?}",
            claims.get("iss"),
            expected.issuer
        ));
    }
    if text("token_use") != Some(expected.token_use.claim()) {
        return Err(format!(
            "token_use is {:?}, expected {:?}",
            claims.get("token_use"),
            expected.token_use.claim()
        ));
    }
    match expected.token_use {
        TokenUse::Access => {
            if text("client_id") != Some(expected.client_id) {
                return Err(format!(
                    "client_id is {:?}, expected {:?}",
                    claims.get("client_id"),
                    expected.client_id
                ));
            }
        }
        TokenUse::Id => {
            if text("aud") != Some(expected.client_id) {
                return Err(format!(
                    "aud is {:?}, expected {:?}",
                    claims.get("aud"),
                    expected.client_id
                ));
            }
        }
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or("exp is missing or not an integer")?;
    if exp <= expected.now {
        return Err(format!("expired: exp {exp} <= now {}", expected.now));
    }
    Ok(claims)
}
