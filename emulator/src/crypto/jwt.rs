//! RS256 signing keys (RSA-2048), their JWKS entries, and signing/verifying Cognito-shaped JWTs.
//! Checks signatures only: expiry, issuer, audience and token_use belong to the caller and its clock.
//! RFC 7515 (JWS compact form), RFC 7517/7518 (JWK, RS256); header shape per wire facts §3.1.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der, PublicKeyX509Der};
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::KeyPair as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// One RSA key of a user pool. Cognito signs ID and access tokens with two different keys.
pub struct SigningKey {
    kid: String,
    /// Kept parsed: re-reading the key per token (as `jsonwebtoken::EncodingKey` does) more
    /// than doubles the cost of a signature.
    key_pair: KeyPair,
    decoding: DecodingKey,
    n_b64url: String,
    e_b64url: String,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// Why a token was refused. Nothing here looks at claims.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenError {
    /// Not three base64url parts, header or payload not a JSON object, `alg` not RS256, no string `kid`.
    Malformed,
    /// The header's `kid` is none of the keys given.
    UnknownKey,
    /// The signature does not verify under the key named by `kid`.
    BadSignature,
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TokenError::Malformed => "malformed token",
            TokenError::UnknownKey => "token signed with an unknown key",
            TokenError::BadSignature => "token signature does not verify",
        })
    }
}

impl std::error::Error for TokenError {}

/// AWS's JWT header: exactly `kid` then `alg`, no `typ` (wire facts §3.1).
#[derive(Serialize)]
struct Header<'a> {
    kid: &'a str,
    alg: &'static str,
}

impl SigningKey {
    /// A fresh RSA-2048 key from aws-lc-rs's own RNG.
    ///
    /// `kid` = standard base64 of SHA-256 over the DER SubjectPublicKeyInfo: 44 characters like
    /// AWS's kids (how AWS derives its kids is not public).
    pub fn generate() -> SigningKey {
        let key_pair = KeyPair::generate(KeySize::Rsa2048).expect("RSA-2048 key generation");
        Self::from_key_pair(key_pair)
    }

    /// The key as PKCS#8 v1 DER, for `--data-dir`: tokens signed before a restart must still
    /// verify against the same JWKS after it.
    pub fn to_pkcs8(&self) -> Option<Vec<u8>> {
        let der: Pkcs8V1Der<'static> = self.key_pair.as_der().ok()?;
        Some(der.as_ref().to_vec())
    }

    /// A key saved by `to_pkcs8`; `None` if the bytes are not an RSA private key.
    pub fn from_pkcs8(der: &[u8]) -> Option<SigningKey> {
        KeyPair::from_pkcs8(der).ok().map(Self::from_key_pair)
    }

    fn from_key_pair(key_pair: KeyPair) -> SigningKey {
        let public_key = key_pair.public_key();
        let spki: PublicKeyX509Der<'static> = public_key
            .as_der()
            .expect("RSA public key serialises as SPKI");
        let kid = STANDARD.encode(Sha256::digest(spki.as_ref()));
        let n = public_key.modulus();
        let e = public_key.exponent();

        let n_b64url = URL_SAFE_NO_PAD.encode(n.big_endian_without_leading_zero());
        let e_b64url = URL_SAFE_NO_PAD.encode(e.big_endian_without_leading_zero());
        let decoding = DecodingKey::from_rsa_der(public_key.as_ref());
        SigningKey {
            kid,
            key_pair,
            // `as_ref()` is the PKCS#1 `RSAPublicKey`, which the aws-lc verifier parses.
            decoding,
            n_b64url,
            e_b64url,
        }
    }

    /// The key id carried in token headers and the JWKS.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// This key's JWKS entry: `{"alg":"RS256","e":…,"kid":…,"kty":"RSA","n":…,"use":"sig"}`.
    pub fn jwk(&self) -> Value {
        serde_json::json!({
            "alg": "RS256",
            "e": self.e_b64url,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.n_b64url,
            "use": "sig",
        })
    }

    /// A compact JWS over `claims` with header `{"kid":…,"alg":"RS256"}`.
    ///
    /// Claims are serialised as given (`serde_json` without `preserve_order` sorts object keys;
    /// AWS's order differs, which no parser cares about).
    pub fn sign(&self, claims: &Value) -> String {
        let header = serde_json::to_vec(&Header {
            kid: &self.kid,
            alg: "RS256",
        })
        .expect("header serialises");
        let payload = serde_json::to_vec(claims).expect("a serde_json::Value serialises");
        self.sign_parts(&header, &payload)
    }

    fn sign_parts(&self, header: &[u8], payload: &[u8]) -> String {
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut signature = vec![0u8; self.key_pair.public_modulus_len()];
        self.key_pair
            .sign(
                &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                &aws_lc_rs::rand::SystemRandom::new(),
                signing_input.as_bytes(),
                &mut signature,
            )
            .expect("RS256 signing with a freshly generated key");
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// One claim of a token's payload, read WITHOUT verifying anything: only for finding which
/// pool's keys to verify it with. Never trust the value for anything else.
pub fn unverified_claim(token: &str, name: &str) -> Option<String> {
    let payload_b64 = token.split('.').nth(1)?;
    decode_json_object(payload_b64)
        .ok()?
        .get(name)?
        .as_str()
        .map(str::to_owned)
}

/// Checks `token`'s RS256 signature against the key named by its `kid` and returns its claims.
///
/// Never panics, whatever the input. Does not look at `exp`, `iss`, `aud` or `token_use`.
pub fn verify<'a>(
    token: &str,
    keys: impl IntoIterator<Item = &'a SigningKey>,
) -> Result<Map<String, Value>, TokenError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(TokenError::Malformed);
    };

    let header = decode_json_object(header_b64)?;
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return Err(TokenError::Malformed);
    }
    let kid = header
        .get("kid")
        .and_then(Value::as_str)
        .ok_or(TokenError::Malformed)?;
    // Decode here so a bad signature encoding is `Malformed`, not `BadSignature`.
    URL_SAFE_NO_PAD
        .decode(signature_b64)
        .map_err(|_| TokenError::Malformed)?;
    let key = keys
        .into_iter()
        .find(|key| key.kid == kid)
        .ok_or(TokenError::UnknownKey)?;

    let signing_input = &token[..header_b64.len() + 1 + payload_b64.len()];
    match jsonwebtoken::crypto::verify(
        signature_b64,
        signing_input.as_bytes(),
        &key.decoding,
        Algorithm::RS256,
    ) {
        Ok(true) => decode_json_object(payload_b64),
        Ok(false) => Err(TokenError::BadSignature),
        Err(_) => Err(TokenError::Malformed),
    }
}

fn decode_json_object(part: &str) -> Result<Map<String, Value>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(part)
        .map_err(|_| TokenError::Malformed)?;
    match serde_json::from_slice(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(TokenError::Malformed),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::LazyLock;

    use super::*;

    // Key generation takes milliseconds; share two keys across tests.
    static KEY: LazyLock<SigningKey> = LazyLock::new(SigningKey::generate);
    static OTHER_KEY: LazyLock<SigningKey> = LazyLock::new(SigningKey::generate);

    fn claims() -> Value {
        serde_json::json!({
            "sub": "68baf0fd-17ee-42b4-b0bb-57dfa2377058",
            "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_6V8j4HU7f",
            "client_id": "6tj4ekuni1b9sb91284hvkrb1u",
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": 1669678023,
            "exp": 1669681623,
            "iat": 1669678023,
            "jti": "baa6d6da-3817-4ce3-841b-09a6b2113759",
            "username": "jöhn",
        })
    }

    fn b64_json(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    }

    fn parts(token: &str) -> Vec<&str> {
        token.split('.').collect()
    }

    #[test]
    fn signing_key_can_live_in_shared_state() {
        fn assert_send_sync<T: Send + Sync + 'static>() {}
        assert_send_sync::<SigningKey>();
    }

    #[test]
    fn a_key_read_back_from_pkcs8_verifies_what_the_original_signed() {
        let der = KEY.to_pkcs8().unwrap();
        let back = SigningKey::from_pkcs8(&der).unwrap();
        assert_eq!(back.kid(), KEY.kid());
        assert_eq!(back.jwk(), KEY.jwk());
        let token = KEY.sign(&claims());
        assert_eq!(Value::Object(verify(&token, [&back]).unwrap()), claims());
        assert!(SigningKey::from_pkcs8(b"not a key").is_none());
    }

    #[test]
    fn sign_verify_round_trip() {
        let token = KEY.sign(&claims());
        let verified = verify(&token, [&*OTHER_KEY, &*KEY]).unwrap();
        assert_eq!(Value::Object(verified), claims());
    }

    #[test]
    fn header_is_exactly_kid_then_alg() {
        let token = KEY.sign(&claims());
        let header = URL_SAFE_NO_PAD.decode(parts(&token)[0]).unwrap();
        let expected = format!(r#"{{"kid":"{}","alg":"RS256"}}"#, KEY.kid());
        assert_eq!(String::from_utf8(header.clone()).unwrap(), expected);
        let header: Map<String, Value> = serde_json::from_slice(&header).unwrap();
        assert_eq!(header.len(), 2);
    }

    #[test]
    fn kid_and_jwk_shape() {
        assert_eq!(KEY.kid().len(), 44);
        assert_eq!(STANDARD.decode(KEY.kid()).unwrap().len(), 32);
        assert_ne!(KEY.kid(), OTHER_KEY.kid());

        let jwk = KEY.jwk();
        let object = jwk.as_object().unwrap();
        let keys: Vec<&str> = object.keys().map(String::as_str).collect();
        assert_eq!(keys, ["alg", "e", "kid", "kty", "n", "use"]);
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["kty"], "RSA");
        assert_eq!(jwk["use"], "sig");
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(jwk["kid"], KEY.kid());
        let n = URL_SAFE_NO_PAD.decode(jwk["n"].as_str().unwrap()).unwrap();
        assert_eq!(n.len(), 256);
        assert!(n[0] & 0x80 != 0, "2048-bit modulus, no leading zero byte");
    }

    #[test]
    fn debug_does_not_print_key_material() {
        let debug = format!("{:?}", *KEY);
        assert!(debug.contains(KEY.kid()));
        assert!(!debug.contains(KEY.jwk()["n"].as_str().unwrap()));
    }

    #[test]
    fn edited_payload_is_bad_signature() {
        let token = KEY.sign(&claims());
        let mut edited = claims();
        edited["username"] = "admin".into();
        let p = parts(&token);
        let forged = format!("{}.{}.{}", p[0], b64_json(&edited), p[2]);
        assert_eq!(verify(&forged, [&*KEY]), Err(TokenError::BadSignature));
    }

    #[test]
    fn other_key_is_refused() {
        let token = OTHER_KEY.sign(&claims());
        assert_eq!(verify(&token, [&*KEY]), Err(TokenError::UnknownKey));
        assert_eq!(
            verify(&token, std::iter::empty()),
            Err(TokenError::UnknownKey)
        );

        // Header rewritten to name KEY: the signature (by OTHER_KEY, over the old header) fails.
        let p = parts(&token);
        let header = serde_json::json!({"kid": KEY.kid(), "alg": "RS256"});
        let swapped = format!("{}.{}.{}", b64_json(&header), p[1], p[2]);
        assert_eq!(
            verify(&swapped, [&*KEY, &*OTHER_KEY]),
            Err(TokenError::BadSignature)
        );
    }

    #[test]
    fn garbage_never_panics() {
        let token = KEY.sign(&claims());
        let p = parts(&token);
        let kid = KEY.kid();
        let header = |value: Value| b64_json(&value);
        let malformed = [
            String::new(),
            ".".into(),
            "..".into(),
            "...".into(),
            "garbage".into(),
            format!("{}.{}", p[0], p[1]),
            format!("{token}.{}", p[2]),
            format!("!!!.{}.{}", p[1], p[2]),
            format!("{}=.{}.{}", p[0], p[1], p[2]),
            format!("{}.{}.{}!", p[0], p[1], p[2]),
            format!("{}.{}.{}", URL_SAFE_NO_PAD.encode("not json"), p[1], p[2]),
            format!("{}.{}.{}", URL_SAFE_NO_PAD.encode("[1,2]"), p[1], p[2]),
            format!(
                "{}.{}.",
                header(serde_json::json!({"alg": "none", "kid": kid})),
                p[1]
            ),
            format!(
                "{}.{}.{}",
                header(serde_json::json!({"alg": "HS256", "kid": kid})),
                p[1],
                p[2]
            ),
            format!(
                "{}.{}.{}",
                header(serde_json::json!({"alg": "RS256"})),
                p[1],
                p[2]
            ),
            format!(
                "{}.{}.{}",
                header(serde_json::json!({"alg": "RS256", "kid": 7})),
                p[1],
                p[2]
            ),
            format!(
                "{}.{}.{}",
                header(serde_json::json!({"kid": kid})),
                p[1],
                p[2]
            ),
            "\u{0}\u{ffff}.é.ü".into(),
        ];
        for input in &malformed {
            assert_eq!(
                verify(input, [&*KEY]),
                Err(TokenError::Malformed),
                "{input:?}"
            );
        }
        // Well-formed but wrong signature bytes: empty, short, and too long.
        for signature in ["", "AAAA", &"A".repeat(400)] {
            let token = format!("{}.{}.{signature}", p[0], p[1]);
            assert_eq!(
                verify(&token, [&*KEY]),
                Err(TokenError::BadSignature),
                "{signature:?}"
            );
        }
    }

    #[test]
    fn validly_signed_non_object_payload_is_malformed() {
        let header = serde_json::to_vec(&Header {
            kid: KEY.kid(),
            alg: "RS256",
        })
        .unwrap();
        for payload in [&b"not json"[..], b"[]", b"42", b""] {
            let token = KEY.sign_parts(&header, payload);
            assert_eq!(verify(&token, [&*KEY]), Err(TokenError::Malformed));
        }
    }

    /// What a resource server does: build the key from our JWKS entry and decode with
    /// jsonwebtoken's own `decode` (an independent verification path).
    #[test]
    fn jsonwebtoken_decode_accepts_our_token_via_jwk() {
        let token = KEY.sign(&claims());
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(KEY.jwk()).unwrap();
        let decoding_key = DecodingKey::from_jwk(&jwk).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::RS256);
        // Claims are the caller's business; the fixed `exp` is in the past.
        validation.validate_exp = false;
        validation.set_required_spec_claims::<&str>(&[]);
        let data = jsonwebtoken::decode::<Value>(&token, &decoding_key, &validation).unwrap();
        assert_eq!(data.claims, claims());
        assert_eq!(data.header.kid.as_deref(), Some(KEY.kid()));
        assert_eq!(data.header.typ, None);

        let other_jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(OTHER_KEY.jwk()).unwrap();
        let other_key = DecodingKey::from_jwk(&other_jwk).unwrap();
        assert!(jsonwebtoken::decode::<Value>(&token, &other_key, &validation).is_err());
    }
}
