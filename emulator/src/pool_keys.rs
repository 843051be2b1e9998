//! A pool's two RS256 signing keys: AWS signs ID and access tokens with different keys
//! (different `kid`s), and its JWKS lists both (wire facts §3.1, §3.2).

use crate::crypto::jwt::SigningKey;

pub struct PoolKeys {
    pub id_token: SigningKey,
    pub access_token: SigningKey,
}

impl PoolKeys {
    /// Generates two fresh RSA-2048 keys. Slow (tens of milliseconds): never call under a lock.
    pub fn generate() -> Self {
        PoolKeys {
            id_token: SigningKey::generate(),
            access_token: SigningKey::generate(),
        }
    }

    /// The pool's JWKS document.
    pub fn jwks(&self) -> serde_json::Value {
        serde_json::json!({ "keys": [self.id_token.jwk(), self.access_token.jwk()] })
    }
}
