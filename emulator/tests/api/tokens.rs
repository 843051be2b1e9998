//! Tokens as a resource server sees them: verified with an independent JWT library
//! (jsonwebtoken, decoding with the JWKS the emulator serves), claims as in wire facts §3.1.

use axum::body::Body;
use axum::http::Request;
use base64::Engine;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{decode, decode_header, DecodingKey, Validation};
use serde_json::{json, Map, Value};

use crate::support::Harness;

const EMAIL: &str = "test@example.com";

fn header_of(token: &str) -> Value {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    serde_json::from_slice(&b64.decode(token.split('.').next().unwrap()).unwrap()).unwrap()
}

/// Verifies `token` the way aws-jwt-verify and pycognito do: kid from the JWKS, RS256, iss, exp.
fn verify(jwks: &JwkSet, token: &str, issuer: &str, audience: Option<&str>) -> Map<String, Value> {
    let kid = decode_header(token).unwrap().kid.unwrap();
    let jwk = jwks.find(&kid).expect("kid is in the JWKS");
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut validation = Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.set_issuer(&[issuer]);
    // Tokens are minted on the test's manual clock (2023), so expiry is checked by hand below.
    validation.validate_exp = false;
    match audience {
        Some(aud) => validation.set_audience(&[aud]),
        None => validation.validate_aud = false,
    }
    decode::<Map<String, Value>>(token, &key, &validation)
        .unwrap()
        .claims
}

#[tokio::test]
async fn tokens_verify_against_the_served_jwks_and_carry_cognitos_claims() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let result = h.tokens(&t, EMAIL).await;
    let access = result["AccessToken"].as_str().unwrap();
    let id = result["IdToken"].as_str().unwrap();

    let reply = h
        .raw(
            Request::get(format!("/{}/.well-known/jwks.json", t.pool_id))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    let jwks: JwkSet = serde_json::from_value(reply.body).unwrap();
    let issuer = format!("https://cognito-idp.us-east-1.amazonaws.com/{}", t.pool_id);

    // Headers: only kid and alg, and different keys for the two tokens.
    let (ha, hi) = (header_of(access), header_of(id));
    assert_eq!(ha.as_object().unwrap().len(), 2, "{ha}");
    assert_eq!(ha["alg"], "RS256");
    assert_ne!(ha["kid"], hi["kid"]);

    let a = verify(&jwks, access, &issuer, None);
    assert_eq!(a["token_use"], "access");
    assert_eq!(a["client_id"], t.client_id);
    assert_eq!(a["scope"], "aws.cognito.signin.user.admin");
    assert!(
        a.get("aud").is_none(),
        "access tokens carry client_id, not aud"
    );
    let sub = a["sub"].as_str().unwrap();
    assert_eq!(
        a["username"], sub,
        "email pools: the internal username is the sub"
    );

    let i = verify(&jwks, id, &issuer, Some(&t.client_id));
    assert_eq!(i["token_use"], "id");
    assert_eq!(i["aud"], t.client_id);
    assert_eq!(i["cognito:username"], sub);
    assert_eq!(i["email"], EMAIL);
    assert_eq!(
        i["email_verified"],
        json!(true),
        "booleans are typed in the ID token"
    );
    assert_eq!(i["sub"], sub);

    for claims in [&a, &i] {
        assert_eq!(
            claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
            3600
        );
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["auth_time"], 1_700_000_000);
        for c in ["jti", "origin_jti", "event_id"] {
            assert!(claims[c].is_string(), "{c}");
        }
    }
    assert_eq!(a["origin_jti"], i["origin_jti"]);
    assert_eq!(a["event_id"], i["event_id"]);
    assert_ne!(a["jti"], i["jti"]);
}

#[tokio::test]
async fn refreshed_tokens_keep_auth_time_and_origin() {
    let h = Harness::new();
    let t = h
        .tutorial(
            json!({"AccessTokenValidity": 10, "TokenValidityUnits": {"AccessToken": "minutes"}}),
        )
        .await;
    h.confirmed_user(&t, EMAIL).await;
    let first = h.tokens(&t, EMAIL).await;
    assert_eq!(
        first["ExpiresIn"], 600,
        "ExpiresIn follows the client's access-token validity"
    );
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = |token: &Value| -> Value {
        serde_json::from_slice(
            &b64.decode(token.as_str().unwrap().split('.').nth(1).unwrap())
                .unwrap(),
        )
        .unwrap()
    };
    let c1 = claims(&first["AccessToken"]);
    h.clock.advance(std::time::Duration::from_secs(120));
    let username = c1["username"].as_str().unwrap();
    let out = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
                   "AuthParameters": {"REFRESH_TOKEN": first["RefreshToken"], "SECRET_HASH": t.hash(username)}}),
        )
        .await
        .ok();
    let c2 = claims(&out["AuthenticationResult"]["AccessToken"]);
    assert_eq!(c2["auth_time"], c1["auth_time"]);
    assert_eq!(c2["origin_jti"], c1["origin_jti"]);
    assert_eq!(c2["iat"], c1["iat"].as_i64().unwrap() + 120);
    assert_eq!(
        c2["exp"].as_i64().unwrap() - c2["iat"].as_i64().unwrap(),
        600
    );
}

#[tokio::test]
async fn clients_without_revocation_issue_tokens_without_jti_claims() {
    // Wire facts §3.1: origin_jti and jti appear when token revocation is enabled.
    let h = Harness::new();
    let t = h.tutorial(json!({"EnableTokenRevocation": false})).await;
    h.confirmed_user(&t, EMAIL).await;
    let result = h.tokens(&t, EMAIL).await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims: Value = serde_json::from_slice(
        &b64.decode(
            result["AccessToken"]
                .as_str()
                .unwrap()
                .split('.')
                .nth(1)
                .unwrap(),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(claims.get("origin_jti").is_none());
    assert!(claims.get("jti").is_none());
    assert!(claims.get("event_id").is_some());
}

#[tokio::test]
async fn openid_configuration_names_the_issuer_and_jwks() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let reply = h
        .raw(
            Request::get(format!("/{pool}/.well-known/openid-configuration"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        reply.body["issuer"],
        format!("https://cognito-idp.us-east-1.amazonaws.com/{pool}")
    );
    assert!(reply.body["jwks_uri"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{pool}/.well-known/jwks.json")));
    assert_eq!(
        reply.body["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
}

/// `--issuer endpoint`: `iss` is `{public URL}/{pool}` (what pycognito requires with a custom
/// endpoint_url, wire facts §0.7), and the emulator accepts its own tokens under that issuer.
#[tokio::test]
async fn endpoint_issuer_uses_the_public_url() {
    use std::sync::Arc;
    let mut config = emulator::Config::for_tests();
    config.issuer = "endpoint".to_owned();
    let running = emulator::Running::start(config, Arc::new(emulator::SystemClock))
        .await
        .unwrap();
    let state = &running.state;
    let pool = emulator::ops::dispatch(
        state,
        "CreateUserPool",
        json!({"PoolName": "p"}),
        emulator::ops::Caller::Seed,
    )
    .unwrap()["UserPool"]["Id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        state.issuer(&pool),
        format!("{}/{pool}", running.endpoint())
    );
    let client = emulator::ops::dispatch(
        state,
        "CreateUserPoolClient",
        json!({"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        emulator::ops::Caller::Seed,
    )
    .unwrap()["UserPoolClient"]["ClientId"]
        .as_str()
        .unwrap()
        .to_owned();
    let call = |op: &str, body: Value| {
        emulator::ops::dispatch(state, op, body, emulator::ops::Caller::Unsigned)
    };
    call(
        "SignUp",
        json!({"ClientId": client, "Username": "erin", "Password": "Passw0rd!x"}),
    )
    .unwrap();
    emulator::ops::dispatch(
        state,
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool, "Username": "erin"}),
        emulator::ops::Caller::Seed,
    )
    .unwrap();
    let out = call(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "erin", "PASSWORD": "Passw0rd!x"}}),
    )
    .unwrap();
    let access = out["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    let jwks: JwkSet =
        serde_json::from_value(state.store.pool(&pool).unwrap().keys.get().jwks()).unwrap();
    let claims = verify(
        &jwks,
        access,
        &format!("{}/{pool}", running.endpoint()),
        None,
    );
    assert_eq!(claims["username"], "erin");
    call("GetUser", json!({"AccessToken": access})).unwrap();
}
