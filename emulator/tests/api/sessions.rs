//! Signing in, refreshing, signing out and revoking: passwords, lockout, flows, token checks.
//! Messages from wire facts §4, §7.1, §7.4 and §7.7.

use std::time::Duration;

use serde_json::{json, Value};

use crate::accounts::{access_token, setup, EMAIL};
use crate::support::{Harness, PASSWORD};

#[tokio::test]
async fn user_password_auth_returns_tokens() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let out = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    // Wire facts §2.2: `"ChallengeParameters": {}` beside the result.
    assert_eq!(out["ChallengeParameters"], json!({}));
    let result = &out["AuthenticationResult"];
    assert_eq!(result["ExpiresIn"], 3600);
    assert_eq!(result["TokenType"], "Bearer");
    for token in ["AccessToken", "IdToken", "RefreshToken"] {
        assert!(
            result[token].as_str().is_some_and(|s| !s.is_empty()),
            "{token}"
        );
    }
    // Refresh tokens are opaque: not a readable three-part JWT.
    assert_ne!(
        result["RefreshToken"].as_str().unwrap().split('.').count(),
        3
    );
    // Sign-in names are case-insensitive in this pool.
    h.sign_in(&t, "Test@Example.com", PASSWORD).await.ok();
}

/// `--strong-password-hashing` keeps Argon2id and the SRP verifier instead of the default
/// SRP key: the same password flows must hold.
#[tokio::test]
async fn strong_password_hashing_keeps_every_password_flow() {
    let mut config = emulator::Config::for_tests();
    config.strong_password_hashing = true;
    let h = Harness::with_config(config);
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    h.sign_in(&t, EMAIL, "wrong-password")
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    let token = access_token(&h.tokens(&t, EMAIL).await);
    h.call_unsigned(
        "ChangePassword",
        json!({"AccessToken": token, "PreviousPassword": PASSWORD, "ProposedPassword": "new-password"}),
    )
    .await
    .ok();
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException");
    h.sign_in(&t, "Test@Example.com", "new-password").await.ok();
}

#[tokio::test]
async fn wrong_password_and_unknown_user() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    h.sign_in(&t, EMAIL, "wrong-password")
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    // PreventUserExistenceErrors LEGACY (the API default): the user is said not to exist.
    h.sign_in(&t, "nobody@example.com", PASSWORD)
        .await
        .err("UserNotFoundException")
        .msg("User does not exist.");
}

#[tokio::test]
async fn prevent_user_existence_errors_enabled_hides_unknown_users() {
    let h = Harness::new();
    let t = h
        .tutorial(json!({"PreventUserExistenceErrors": "ENABLED"}))
        .await;
    let nobody = "nobody@example.com";
    h.sign_in(&t, nobody, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    let out = h
        .call_unsigned(
            "ForgotPassword",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(nobody), "Username": nobody}),
        )
        .await
        .ok();
    assert_eq!(out["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let out = h
        .call_unsigned(
            "ResendConfirmationCode",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(nobody), "Username": nobody}),
        )
        .await
        .ok();
    assert!(out["CodeDeliveryDetails"].is_object());
    h.call_unsigned(
        "ConfirmForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(nobody), "Username": nobody,
               "ConfirmationCode": "123456", "Password": PASSWORD}),
    )
    .await
    .err("CodeMismatchException");
    // LEGACY says so plainly.
    let legacy = h.tutorial(json!({})).await;
    h.call_unsigned(
        "ForgotPassword",
        json!({"ClientId": legacy.client_id, "SecretHash": legacy.hash(nobody), "Username": nobody}),
    )
    .await
    .err("UserNotFoundException")
    .msg("User does not exist.");
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_user_out_for_a_while() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    for _ in 0..5 {
        h.sign_in(&t, EMAIL, "wrong-password")
            .await
            .msg("Incorrect username or password.");
    }
    // Locked: even the right password is refused.
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
    h.clock.advance(Duration::from_secs(2));
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
}

#[tokio::test]
async fn a_flow_the_client_does_not_allow_is_refused() {
    let h = Harness::new();
    let t = h
        .tutorial(json!({"ExplicitAuthFlows": ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}))
        .await;
    h.confirmed_user(&t, EMAIL).await;
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("InvalidParameterException")
        .msg("USER_PASSWORD_AUTH flow not enabled for this client");
}

#[tokio::test]
async fn disabled_refresh_flow_is_refused() {
    let h = Harness::new();
    let t = h
        .tutorial(json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}))
        .await;
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id, "AuthParameters": {"REFRESH_TOKEN": "x"}}),
    )
    .await
    // Only the type is checked: AWS's text for the refresh flow was not captured (wire facts
    // §7.1 records the USER_PASSWORD_AUTH and generic wordings).
    .err("InvalidParameterException");
}

#[tokio::test]
async fn refresh_returns_new_tokens_but_no_new_refresh_token() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let tokens = h.tokens(&t, EMAIL).await;
    let refresh = tokens["RefreshToken"].as_str().unwrap();
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access_token(&tokens)}))
        .await
        .ok();
    let internal = me["Username"].as_str().unwrap();
    // SECRET_HASH over the internal username (wire facts §4).
    let out = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
                   "AuthParameters": {"REFRESH_TOKEN": refresh, "SECRET_HASH": t.hash(internal)}}),
        )
        .await
        .ok();
    let result = &out["AuthenticationResult"];
    assert!(result["AccessToken"].is_string());
    assert!(result["IdToken"].is_string());
    assert!(
        result.get("RefreshToken").is_none(),
        "AWS returns no new refresh token"
    );
    h.call_unsigned("GetUser", json!({"AccessToken": result["AccessToken"]}))
        .await
        .ok();
    // Without the hash, or with a wrong one.
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN", "ClientId": t.client_id, "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .await
    .err("NotAuthorizedException");
    // A garbage token.
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"REFRESH_TOKEN": "garbage", "SECRET_HASH": t.hash(internal)}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Invalid Refresh Token");
}

#[tokio::test]
async fn refresh_tokens_are_bound_to_their_client_and_expire() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let tokens = h.tokens(&t, EMAIL).await;
    let refresh = tokens["RefreshToken"].as_str().unwrap().to_owned();
    let (other, _) = h
        .create_client(
            &t.pool_id,
            json!({"ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": other, "AuthParameters": {"REFRESH_TOKEN": refresh}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Invalid Refresh Token");
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access_token(&tokens)}))
        .await
        .ok();
    let internal = me["Username"].as_str().unwrap().to_owned();
    h.clock.advance(Duration::from_secs(30 * 86400 + 1));
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"REFRESH_TOKEN": refresh, "SECRET_HASH": t.hash(&internal)}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Refresh Token has expired");
}

#[tokio::test]
async fn access_tokens_expire_on_the_clock() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let token = access_token(&h.tokens(&t, EMAIL).await);
    // Used once while valid (so verified and remembered), then again after expiry.
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    h.clock.advance(Duration::from_secs(3599));
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    h.clock.advance(Duration::from_secs(1));
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .err("NotAuthorizedException")
        .msg("Access Token has expired");
}

#[tokio::test]
async fn edited_foreign_and_id_tokens_are_invalid() {
    use base64::Engine;
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let tokens = h.tokens(&t, EMAIL).await;
    let token = access_token(&tokens);
    // Edit the payload (a different username) and keep the signature.
    let parts: Vec<&str> = token.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
    payload["exp"] = json!(payload["exp"].as_i64().unwrap() + 86400);
    let edited = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(payload.to_string()),
        parts[2]
    );
    for bad in [
        edited.as_str(),
        "not.a.token",
        "garbage",
        tokens["IdToken"].as_str().unwrap(),
    ] {
        h.call_unsigned("GetUser", json!({"AccessToken": bad}))
            .await
            .err("NotAuthorizedException")
            .msg("Invalid Access Token");
    }
    // A real token of another pool is not valid here either, whatever its claims say.
    let other = h.tutorial(json!({})).await;
    h.confirmed_user(&other, EMAIL).await;
    let foreign = access_token(&h.tokens(&other, EMAIL).await);
    let fparts: Vec<&str> = foreign.split('.').collect();
    let mut fpayload: Value = serde_json::from_slice(&b64.decode(fparts[1]).unwrap()).unwrap();
    fpayload["iss"] = payload["iss"].clone();
    let forged = format!(
        "{}.{}.{}",
        fparts[0],
        b64.encode(fpayload.to_string()),
        fparts[2]
    );
    h.call_unsigned("GetUser", json!({"AccessToken": forged}))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid Access Token");
}

#[tokio::test]
async fn global_sign_out_revokes_access_and_refresh_tokens() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let tokens = h.tokens(&t, EMAIL).await;
    let second = h.tokens(&t, EMAIL).await;
    let token = access_token(&tokens);
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    let internal = me["Username"].as_str().unwrap().to_owned();
    h.call_unsigned("GlobalSignOut", json!({"AccessToken": token}))
        .await
        .ok();
    for access in [token.clone(), access_token(&second)] {
        h.call_unsigned("GetUser", json!({"AccessToken": access}))
            .await
            .err("NotAuthorizedException")
            .msg("Access Token has been revoked");
    }
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"], "SECRET_HASH": t.hash(&internal)}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Refresh Token has been revoked");
    // Signing in again works.
    h.tokens(&t, EMAIL).await;
}

#[tokio::test]
async fn revoke_token_revokes_one_sign_in() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let first = h.tokens(&t, EMAIL).await;
    let second = h.tokens(&t, EMAIL).await;
    h.call_unsigned(
        "RevokeToken",
        json!({"Token": first["RefreshToken"], "ClientId": t.client_id, "ClientSecret": "wrongsecretwrongsecretwrongsecret"}),
    )
    .await
    .err("UnauthorizedException");
    h.call_unsigned(
        "RevokeToken",
        json!({"Token": first["AccessToken"], "ClientId": t.client_id, "ClientSecret": t.secret}),
    )
    .await
    .err("UnsupportedTokenTypeException");
    h.call_unsigned(
        "RevokeToken",
        json!({"Token": first["RefreshToken"], "ClientId": t.client_id, "ClientSecret": t.secret}),
    )
    .await
    .ok();
    h.call_unsigned("GetUser", json!({"AccessToken": first["AccessToken"]}))
        .await
        .err("NotAuthorizedException")
        .msg("Access Token has been revoked");
    h.call_unsigned("GetUser", json!({"AccessToken": second["AccessToken"]}))
        .await
        .ok();
}

/// `POST /_emulator/clock` (an emulator extension) moves time for everything: here an access
/// token outlives its hour. Bad requests are refused, and time never goes back.
#[tokio::test]
async fn the_clock_route_expires_tokens() {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let token = access_token(&h.tokens(&t, EMAIL).await);
    let clock = |body: Option<&str>| {
        let request = match body {
            None => Request::get("/_emulator/clock").body(Body::empty()),
            Some(body) => Request::post("/_emulator/clock")
                .header("content-type", "application/json")
                .body(Body::from(body.to_owned())),
        };
        h.raw(request.unwrap())
    };
    assert_eq!(clock(None).await.body, json!({"now": 1_700_000_000.0}));
    for bad in [
        r#"{"advance_seconds": -5}"#,
        r#"{"advance_seconds": 1.5}"#,
        r#"{"advance": 5}"#,
        r#"{"advance_seconds": 315360001}"#,
        "not json",
    ] {
        let reply = clock(Some(bad)).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.body["message"].is_string(), "{bad}");
    }
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    let moved = clock(Some(r#"{"advance_seconds": 3601}"#)).await;
    assert_eq!(moved.status, StatusCode::OK);
    assert_eq!(moved.body, json!({"now": 1_700_003_601.0}));
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .err("NotAuthorizedException")
        .msg("Access Token has expired");

    // A server on the plain wall clock cannot move.
    use tower::ServiceExt;
    let fixed = emulator::app(emulator::AppState::new(
        emulator::Config::for_tests(),
        std::sync::Arc::new(emulator::SystemClock),
    ));
    let request = Request::post("/_emulator/clock")
        .header("content-type", "application/json")
        .body(Body::from(r#"{"advance_seconds": 1}"#));
    let response = fixed.oneshot(request.unwrap()).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
}
