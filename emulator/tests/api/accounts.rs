//! Sign-up and confirmation, and the rules Cognito enforces on them.
//! Messages from wire facts §4 (SECRET_HASH), §7.2 and §7.7.

use std::time::Duration;

use serde_json::json;
use serde_json::Value;

use crate::support::{Harness, Tutorial, PASSWORD};

pub const EMAIL: &str = "test@example.com";

pub async fn setup() -> (Harness, Tutorial) {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    (h, t)
}

pub fn access_token(tokens: &Value) -> String {
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
