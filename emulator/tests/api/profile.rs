//! What a signed-in user does to their account: attributes, passwords, deletion, recovery.
//! Messages from wire facts §7.2, §7.3 and §7.6.

use std::time::Duration;

use serde_json::{json, Value};

use crate::accounts::{access_token, setup, EMAIL};
use crate::support::{Harness, PASSWORD};

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
    .err("AliasExistsException")
    // Wire facts §7.2 (real captures).
    .msg("An account with the email already exists.");
    // Nothing changed: both still sign in with their own address.
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.sign_in(&t, "other@example.com", PASSWORD).await.ok();
}

#[tokio::test]
async fn client_read_and_write_attributes_are_enforced() {
    let h = Harness::new();
    let t = h
        .tutorial(json!({"ReadAttributes": ["email", "email_verified"], "WriteAttributes": ["email", "name"]}))
        .await;
    // Writing an attribute outside WriteAttributes.
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "Password": PASSWORD,
               "UserAttributes": [{"Name": "nickname", "Value": "n"}]}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("A client attempted to write unauthorized attribute");
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "Password": PASSWORD,
               "UserAttributes": [{"Name": "name", "Value": "Tess"}]}),
    )
    .await
    .ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    h.call_unsigned(
        "ConfirmSignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": code}),
    )
    .await
    .ok();
    let tokens = h.tokens(&t, EMAIL).await;
    // Reading: `name` is not in ReadAttributes, so neither GetUser nor the ID token shows it.
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access_token(&tokens)}))
        .await
        .ok();
    let names: Vec<&str> = me["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"email") && names.contains(&"sub"),
        "{names:?}"
    );
    assert!(!names.contains(&"name"), "{names:?}");
    use base64::Engine;
    let payload = tokens["IdToken"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert!(claims.get("name").is_none());
    assert_eq!(claims["email"], EMAIL);
}

#[tokio::test]
async fn immutable_attributes_are_set_once() {
    let h = Harness::new();
    let pool = h
        .create_pool(json!({"Schema": [{"Name": "tenant", "AttributeDataType": "String", "Mutable": false}]}))
        .await;
    let (client, _) = h
        .create_client(
            &pool,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        )
        .await;
    h.call_unsigned(
        "SignUp",
        json!({"ClientId": client, "Username": "fay", "Password": "Passw0rd!",
               "UserAttributes": [{"Name": "custom:tenant", "Value": "acme"}]}),
    )
    .await
    .ok();
    h.call(
        "AdminConfirmSignUp",
        json!({"UserPoolId": pool, "Username": "fay"}),
    )
    .await
    .ok();
    let out = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client, "AuthParameters": {"USERNAME": "fay", "PASSWORD": "Passw0rd!"}}),
        )
        .await
        .ok();
    let token = out["AuthenticationResult"]["AccessToken"].clone();
    h.call_unsigned(
        "UpdateUserAttributes",
        json!({"AccessToken": token, "UserAttributes": [{"Name": "custom:tenant", "Value": "other"}]}),
    )
    .await
    .err("InvalidParameterException");
}
