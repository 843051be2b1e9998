//! The account flows the tutorial uses, and every rule Cognito enforces along them.
//! Messages from wire facts §4 (SECRET_HASH), §7.1–7.4 and §7.7.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{Harness, Tutorial, PASSWORD};

const EMAIL: &str = "test@example.com";

async fn setup() -> (Harness, Tutorial) {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    (h, t)
}

fn access_token(tokens: &Value) -> String {
    tokens["AccessToken"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn sign_up_sends_a_code_and_masks_the_destination() {
    let (h, t) = setup().await;
    let out = h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    assert_eq!(out["UserConfirmed"], false);
    assert_eq!(out["UserSub"].as_str().unwrap().len(), 36);
    // Recorded real responses: `t***@e***`, EMAIL, email.
    assert_eq!(
        out["CodeDeliveryDetails"],
        json!({"Destination": "t***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"})
    );
    let code = h.last_code(&t.pool_id, EMAIL).await;
    assert_eq!(code.len(), 6);
    assert!(code.chars().all(|c| c.is_ascii_digit()));
}

#[tokio::test]
async fn secret_hash_missing_and_wrong_are_distinct_errors() {
    let (h, t) = setup().await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "Username": EMAIL, "Password": PASSWORD}),
    )
    .await
    .err("NotAuthorizedException")
    .msg(&format!(
        "Client {} is configured with secret but SECRET_HASH was not received",
        t.client_id
    ));
    let wrong = crate::support::secret_hash("not-the-secret", EMAIL, &t.client_id);
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "SecretHash": wrong, "Username": EMAIL, "Password": PASSWORD}),
    )
    .await
    .err("NotAuthorizedException")
    .msg(&format!("Unable to verify secret hash for client {}", t.client_id));
    // A hash over another username is wrong too.
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash("other@example.com"), "Username": EMAIL, "Password": PASSWORD}),
    )
    .await
    .err("NotAuthorizedException");
    // And on InitiateAuth.
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"USERNAME": EMAIL, "PASSWORD": PASSWORD}}),
    )
    .await
    .err("NotAuthorizedException")
    .msg(&format!(
        "Client {} is configured with secret but SECRET_HASH was not received",
        t.client_id
    ));
}

#[tokio::test]
async fn unknown_client_is_resource_not_found() {
    let h = Harness::new();
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": "abcdefghijklmnopqrstuvwxyz", "Username": EMAIL, "Password": PASSWORD}),
    )
    .await
    .err("ResourceNotFoundException")
    .msg("User pool client abcdefghijklmnopqrstuvwxyz does not exist.");
}

#[tokio::test]
async fn email_pools_need_an_email_username_and_refuse_duplicates() {
    let (h, t) = setup().await;
    h.sign_up(&t, "not-an-email", PASSWORD)
        .await
        .err("InvalidParameterException")
        .msg("Username should be an email.");
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    h.sign_up(&t, EMAIL, PASSWORD)
        .await
        .err("UsernameExistsException")
        .msg("An account with the given email already exists.");
    // Case-insensitive pool: the same address in capitals is the same account.
    h.sign_up(&t, "TEST@example.com", PASSWORD)
        .await
        .err("UsernameExistsException");
}

#[tokio::test]
async fn username_pools_say_user_already_exists() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (client, _) = h.create_client(&pool, json!({})).await;
    let body = json!({"ClientId": client, "Username": "alice", "Password": "Passw0rd!"});
    h.call_unsigned("SignUp", body.clone()).await.ok();
    h.call_unsigned("SignUp", body)
        .await
        .err("UsernameExistsException")
        .msg("User already exists");
}

#[tokio::test]
async fn password_policy_is_enforced_on_sign_up() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, "short")
        .await
        .err("InvalidPasswordException")
        .msg("Password did not conform with policy: Password not long enough");
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await; // AWS's default policy: every class.
    let (client, _) = h.create_client(&pool, json!({})).await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": client, "Username": "bob", "Password": "alllowercase1!"}),
    )
    .await
    .err("InvalidPasswordException")
    .msg("Password did not conform with policy: Password must have uppercase characters");
}

#[tokio::test]
async fn unknown_attributes_and_missing_required_ones_are_refused() {
    let (h, t) = setup().await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "Password": PASSWORD,
               "UserAttributes": [{"Name": "custom:nope", "Value": "x"}]}),
    )
    .await
    .err("InvalidParameterException")
    .msg("Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n");
    let h = Harness::new();
    let pool = h
        .create_pool(
            json!({"Schema": [{"Name": "name", "AttributeDataType": "String", "Required": true}]}),
        )
        .await;
    let (client, _) = h.create_client(&pool, json!({})).await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": client, "Username": "carol", "Password": "Passw0rd!"}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn confirm_sign_up_checks_the_code() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    let confirm = |c: &str| json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": c});
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.call_unsigned("ConfirmSignUp", confirm(wrong))
        .await
        .err("CodeMismatchException")
        .msg("Invalid verification code provided, please try again.");
    h.call_unsigned("ConfirmSignUp", confirm(&code)).await.ok();
    // Single use: the user is confirmed now.
    h.call_unsigned("ConfirmSignUp", confirm(&code))
        .await
        .err("NotAuthorizedException")
        .msg("User cannot be confirmed. Current status is CONFIRMED");
}

#[tokio::test]
async fn confirmation_codes_expire_after_24_hours() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    h.clock.advance(Duration::from_secs(24 * 3600 + 1));
    h.call_unsigned(
        "ConfirmSignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": code}),
    )
    .await
    .err("ExpiredCodeException")
    .msg("Invalid code provided, please request a code again.");
}

#[tokio::test]
async fn repeated_wrong_codes_hit_the_attempt_limit_and_a_new_code_resets_it() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirm = |c: &str| json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": c});
    for _ in 0..5 {
        h.call_unsigned("ConfirmSignUp", confirm(wrong))
            .await
            .err("CodeMismatchException");
    }
    h.call_unsigned("ConfirmSignUp", confirm(&code))
        .await
        .err("LimitExceededException")
        .msg("Attempt limit exceeded, please try after some time.");
    // ResendConfirmationCode: a new code replaces the old one.
    h.call_unsigned(
        "ResendConfirmationCode",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
    )
    .await
    .ok();
    let fresh = h.last_code(&t.pool_id, EMAIL).await;
    if fresh != code {
        h.call_unsigned("ConfirmSignUp", confirm(&code))
            .await
            .err("CodeMismatchException");
    }
    h.call_unsigned("ConfirmSignUp", confirm(&fresh)).await.ok();
    h.call_unsigned(
        "ResendConfirmationCode",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
    )
    .await
    .err("InvalidParameterException")
    .msg("User is already confirmed.");
}

#[tokio::test]
async fn unconfirmed_users_cannot_sign_in() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("UserNotConfirmedException")
        .msg("User is not confirmed.");
}

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
    .err("InvalidParameterException");
}

#[tokio::test]
async fn get_user_returns_string_attributes_and_the_internal_username() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let tokens = h.tokens(&t, EMAIL).await;
    let out = h
        .call_unsigned("GetUser", json!({"AccessToken": access_token(&tokens)}))
        .await
        .ok();
    let attrs: std::collections::BTreeMap<String, Value> = out["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["Name"].as_str().unwrap().to_owned(), a["Value"].clone()))
        .collect();
    assert_eq!(attrs["email"], EMAIL);
    // GetUser values are strings, even booleans (wire facts §1.5).
    assert_eq!(attrs["email_verified"], "true");
    // Email-as-username pools: the internal username is the sub (wire facts §3.1).
    assert_eq!(out["Username"], attrs["sub"]);
}

#[tokio::test]
async fn change_password_checks_the_old_one_and_the_policy() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let token = access_token(&h.tokens(&t, EMAIL).await);
    let change = |previous: &str, proposed: &str| json!({"AccessToken": token, "PreviousPassword": previous, "ProposedPassword": proposed});
    h.call_unsigned("ChangePassword", change("wrong-one!", "new-password"))
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    h.call_unsigned("ChangePassword", change(PASSWORD, "short"))
        .await
        .err("InvalidPasswordException")
        .msg("Password did not conform with policy: Password not long enough");
    h.call_unsigned("ChangePassword", change(PASSWORD, "new-password"))
        .await
        .ok();
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException");
    h.sign_in(&t, EMAIL, "new-password").await.ok();
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

#[tokio::test]
async fn delete_user_removes_the_account() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let token = access_token(&h.tokens(&t, EMAIL).await);
    h.call_unsigned("DeleteUser", json!({"AccessToken": token}))
        .await
        .ok();
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("UserNotFoundException");
    h.call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .err("UserNotFoundException")
        .msg("User does not exist.");
    // The address is free again.
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
}

#[tokio::test]
async fn forgot_password_resets_with_an_emailed_code() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let out = h
        .call_unsigned(
            "ForgotPassword",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
        )
        .await
        .ok();
    assert_eq!(out["CodeDeliveryDetails"]["Destination"], "t***@e***");
    let code = h.last_code(&t.pool_id, EMAIL).await;
    let confirm = |c: &str, p: &str| json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": c, "Password": p});
    let wrong = if code == "000000" { "111111" } else { "000000" };
    h.call_unsigned("ConfirmForgotPassword", confirm(wrong, "brand-new-pw"))
        .await
        .err("CodeMismatchException");
    h.call_unsigned("ConfirmForgotPassword", confirm(&code, "short"))
        .await
        .err("InvalidPasswordException");
    h.call_unsigned("ConfirmForgotPassword", confirm(&code, "brand-new-pw"))
        .await
        .ok();
    h.sign_in(&t, EMAIL, "brand-new-pw").await.ok();
    h.call_unsigned("ConfirmForgotPassword", confirm(&code, "another-pw!"))
        .await
        .err("ExpiredCodeException");
}

#[tokio::test]
async fn forgot_password_codes_expire_after_an_hour() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    h.call_unsigned(
        "ForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
    )
    .await
    .ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    h.clock.advance(Duration::from_secs(3601));
    h.call_unsigned(
        "ConfirmForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": code, "Password": "brand-new-pw"}),
    )
    .await
    .err("ExpiredCodeException");
}

#[tokio::test]
async fn admin_confirmed_users_have_no_verified_channel_for_reset() {
    let (h, t) = setup().await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": t.pool_id, "Username": EMAIL}),
    )
    .await
    .ok();
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": t.pool_id, "Username": EMAIL}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("User cannot be confirmed. Current status is CONFIRMED");
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.call_unsigned("ForgotPassword", json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}))
        .await
        .err("InvalidParameterException")
        .msg("Cannot reset password for the user as there is no registered/verified email or phone_number");
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": t.pool_id, "Username": "nobody@example.com"}),
    )
    .await
    .err("UserNotFoundException");
}

#[tokio::test]
async fn changing_email_needs_verification_again() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let token = access_token(&h.tokens(&t, EMAIL).await);
    let out = h
        .call_unsigned(
            "UpdateUserAttributes",
            json!({"AccessToken": token, "UserAttributes": [{"Name": "email", "Value": "new@example.com"}, {"Name": "name", "Value": "Tess"}]}),
        )
        .await
        .ok();
    assert_eq!(
        out["CodeDeliveryDetailsList"][0]["Destination"],
        "n***@e***"
    );
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    let attrs = me["UserAttributes"].as_array().unwrap();
    let get = |n: &str| {
        attrs
            .iter()
            .find(|a| a["Name"] == n)
            .map(|a| a["Value"].clone())
    };
    assert_eq!(get("email"), Some(json!("new@example.com")));
    assert_eq!(get("email_verified"), Some(json!("false")));
    assert_eq!(get("name"), Some(json!("Tess")));
    let code = h.last_code(&t.pool_id, "new@example.com").await;
    h.call_unsigned(
        "VerifyUserAttribute",
        json!({"AccessToken": token, "AttributeName": "email", "Code": code}),
    )
    .await
    .ok();
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    assert!(me["UserAttributes"]
        .as_array()
        .unwrap()
        .contains(&json!({"Name": "email_verified", "Value": "true"})));
    // The user now signs in with the new address.
    h.sign_in(&t, "new@example.com", PASSWORD).await.ok();
    // Attribute rules.
    h.call_unsigned(
        "UpdateUserAttributes",
        json!({"AccessToken": token, "UserAttributes": [{"Name": "sub", "Value": "x"}]}),
    )
    .await
    .err("NotAuthorizedException");
    h.call_unsigned(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": token, "AttributeName": "name"}),
    )
    .await
    .err("InvalidParameterException")
    .msg("Invalid attribute name. Only phone_number and email can be verified.");
    let out = h
        .call_unsigned(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": token, "AttributeName": "email"}),
        )
        .await
        .ok();
    assert_eq!(out["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
}

#[tokio::test]
async fn delete_user_attributes_refuses_required_ones() {
    let h = Harness::new();
    let pool = h
        .create_pool(
            json!({"Schema": [{"Name": "email", "AttributeDataType": "String", "Required": true}]}),
        )
        .await;
    let (client, _) = h
        .create_client(
            &pool,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        )
        .await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": client, "Username": "dora", "Password": "Passw0rd!",
               "UserAttributes": [{"Name": "email", "Value": "dora@example.com"}, {"Name": "nickname", "Value": "d"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool, "Username": "dora"}),
    )
    .await
    .ok();
    let out = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "dora", "PASSWORD": "Passw0rd!"}}),
        )
        .await
        .ok();
    let token = out["AuthenticationResult"]["AccessToken"].clone();
    h.call_unsigned(
        "DeleteUserAttributes",
        json!({"AccessToken": token, "UserAttributeNames": ["email"]}),
    )
    .await
    .err("InvalidParameterException")
    .msg("Invalid user attributes: email: Required attribute cannot be deleted.");
    h.call_unsigned(
        "DeleteUserAttributes",
        json!({"AccessToken": token, "UserAttributeNames": ["nickname"]}),
    )
    .await
    .ok();
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": token}))
        .await
        .ok();
    assert!(!me["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["Name"] == "nickname"));
    // This pool is case sensitive (API default) and has a plain username.
    assert_eq!(me["Username"], "dora");
}

#[tokio::test]
async fn an_email_taken_by_another_user_cannot_be_claimed() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    h.confirmed_user(&t, "other@example.com").await;
    let token = access_token(&h.tokens(&t, "other@example.com").await);
    h.call_unsigned(
        "UpdateUserAttributes",
        json!({"AccessToken": token, "UserAttributes": [{"Name": "email", "Value": EMAIL}]}),
    )
    .await
    .err("AliasExistsException");
    // Nothing changed: both still sign in with their own address.
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.sign_in(&t, "other@example.com", PASSWORD).await.ok();
}
