//! The admin user API and groups through the router (admin-sigv4-facts §1–§3; ListUsers is in
//! `list_users`). The conformance suite covers each operation's success path against any
//! target; these tests cover what needs the emulator's own clock or internals to go wrong:
//! expiry, sessions outliving their user, revocation, aliases, groups in tokens.

use std::time::Duration;

use serde_json::{json, Value};

use crate::accounts::setup;
use crate::support::{Harness, Tutorial, PASSWORD};

pub const TEMPORARY: &str = "Temp-pass-1!";

pub async fn admin_create(h: &Harness, t: &Tutorial, email: &str) -> Value {
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": email, "TemporaryPassword": TEMPORARY,
               "MessageAction": "SUPPRESS"}),
    )
    .await
    .ok()
}

pub fn usernames(out: &Value) -> Vec<String> {
    out["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["Username"].as_str().unwrap().to_owned())
        .collect()
}

pub fn email_of(user: &Value) -> String {
    user["Attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "email")
        .map(|a| a["Value"].as_str().unwrap().to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn new_password_required_then_tokens_from_a_single_use_session() {
    let (h, t) = setup().await;
    admin_create(&h, &t, "np@example.com").await;
    let challenge = h.sign_in(&t, "np@example.com", TEMPORARY).await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let user_attributes: Value = serde_json::from_str(
        challenge["ChallengeParameters"]["userAttributes"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    // admin-sigv4-facts §2: the current attributes without `sub`.
    assert_eq!(user_attributes["email"], "np@example.com");
    assert!(user_attributes.get("sub").is_none());
    let answer = |session: &Value| {
        json!({"ClientId": t.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "np@example.com", "NEW_PASSWORD": PASSWORD,
                                      "SECRET_HASH": t.hash("np@example.com")}})
    };
    let out = h
        .call_unsigned("RespondToAuthChallenge", answer(&challenge["Session"]))
        .await
        .ok();
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
    // The session answers once (wire facts §7.1).
    h.call_unsigned("RespondToAuthChallenge", answer(&challenge["Session"]))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid session for the user, session can only be used once.");
    // The new password signs in; the temporary one no longer does.
    h.sign_in(&t, "np@example.com", PASSWORD).await.ok();
    h.sign_in(&t, "np@example.com", TEMPORARY)
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
}

#[tokio::test]
async fn a_temporary_password_expires_after_the_pools_validity() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.call(
        "UpdateUserPool",
        json!({"UserPoolId": t.pool_id, "AutoVerifiedAttributes": ["email"],
               "Policies": {"PasswordPolicy": {"MinimumLength": 8, "TemporaryPasswordValidityDays": 2}}}),
    )
    .await
    .ok();
    admin_create(&h, &t, "late@example.com").await;
    h.clock.advance(Duration::from_secs(2 * 24 * 3600 - 60));
    let challenge = h.sign_in(&t, "late@example.com", TEMPORARY).await.ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    h.clock.advance(Duration::from_secs(120));
    // Wire facts §7.1.
    h.sign_in(&t, "late@example.com", TEMPORARY)
        .await
        .err("NotAuthorizedException")
        .msg("Temporary password has expired and must be reset by an administrator.");
    // RESEND gives a new temporary password and restarts the clock (API reference).
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": "late@example.com",
               "TemporaryPassword": "Other-pass-2!", "MessageAction": "RESEND",
               "DesiredDeliveryMediums": ["EMAIL"]}),
    )
    .await
    .ok();
    let challenge = h
        .sign_in(&t, "late@example.com", "Other-pass-2!")
        .await
        .ok();
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
}

#[tokio::test]
async fn the_invitation_carries_a_generated_password_that_meets_the_policy() {
    let h = Harness::new();
    // AWS's default policy: 8 characters and every class.
    let pool_id = h
        .create_pool(json!({"UsernameAttributes": ["email"]}))
        .await;
    let (client_id, _) = h
        .create_client(
            &pool_id,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        )
        .await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "inv@example.com",
               "DesiredDeliveryMediums": ["EMAIL"]}),
    )
    .await
    .ok();
    let reply = h
        .raw(
            axum::http::Request::get(format!(
                "/_emulator/outbox?pool={pool_id}&user=inv@example.com"
            ))
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    let message = &reply.body["messages"][0];
    assert_eq!(message["purpose"], "INVITATION");
    let password = message["code"].as_str().unwrap();
    assert!(password.len() >= 8);
    assert!(password.chars().any(|c| c.is_ascii_uppercase()));
    assert!(password.chars().any(|c| c.is_ascii_lowercase()));
    assert!(password.chars().any(|c| c.is_ascii_digit()));
    let out = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "inv@example.com", "PASSWORD": password}}),
        )
        .await
        .ok();
    assert_eq!(out["ChallengeName"], "NEW_PASSWORD_REQUIRED");
}

#[tokio::test]
async fn disabling_revokes_the_users_tokens() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "off@example.com").await;
    let tokens = h.tokens(&t, "off@example.com").await;
    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": t.pool_id, "Username": "off@example.com"}),
    )
    .await
    .ok();
    // API reference: "revokes all access tokens for the user".
    h.call_unsigned("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
        .await
        .err("NotAuthorizedException");
    h.call(
        "AdminEnableUser",
        json!({"UserPoolId": t.pool_id, "Username": "off@example.com"}),
    )
    .await
    .ok();
    // Enabling again does not bring the revoked sign-in back.
    h.call_unsigned("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
        .await
        .err("NotAuthorizedException")
        .msg("Access Token has been revoked");
    h.sign_in(&t, "off@example.com", PASSWORD).await.ok();
}

#[tokio::test]
async fn reset_user_password_then_confirm_forgot_password_confirms() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "rs@example.com").await;
    h.call(
        "AdminResetUserPassword",
        json!({"UserPoolId": t.pool_id, "Username": "rs@example.com"}),
    )
    .await
    .ok();
    h.sign_in(&t, "rs@example.com", PASSWORD)
        .await
        .err("PasswordResetRequiredException");
    let code = h.last_code(&t.pool_id, "rs@example.com").await;
    h.call_unsigned(
        "ConfirmForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash("rs@example.com"), "Username": "rs@example.com",
               "ConfirmationCode": code, "Password": "brand-new-pass"}),
    )
    .await
    .ok();
    h.sign_in(&t, "rs@example.com", "brand-new-pass").await.ok();
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": t.pool_id, "Username": "rs@example.com"}),
        )
        .await
        .ok();
    assert_eq!(user["UserStatus"], "CONFIRMED");
}

#[tokio::test]
async fn groups_in_tokens_follow_precedence_and_deletion() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "g@example.com").await;
    for (name, precedence, role) in [
        ("readers", 5, "arn:aws:iam::123456789012:role/readers"),
        ("admins", 1, "arn:aws:iam::123456789012:role/admins"),
    ] {
        h.call(
            "CreateGroup",
            json!({"UserPoolId": t.pool_id, "GroupName": name, "Precedence": precedence, "RoleArn": role}),
        )
        .await
        .ok();
        h.call(
            "AdminAddUserToGroup",
            json!({"UserPoolId": t.pool_id, "Username": "g@example.com", "GroupName": name}),
        )
        .await
        .ok();
    }
    let claims = |token: &Value| -> Value {
        use base64::Engine;
        let payload = token.as_str().unwrap().split('.').nth(1).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(payload)
                .unwrap(),
        )
        .unwrap()
    };
    let tokens = h.tokens(&t, "g@example.com").await;
    let id = claims(&tokens["IdToken"]);
    // The lowest precedence wins the preferred role (CreateGroup `Precedence` doc).
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/admins"
    );
    assert_eq!(id["cognito:groups"], json!(["admins", "readers"]));
    let access = claims(&tokens["AccessToken"]);
    assert_eq!(access["cognito:groups"], json!(["admins", "readers"]));
    assert!(access.get("cognito:roles").is_none());
    h.call(
        "DeleteGroup",
        json!({"UserPoolId": t.pool_id, "GroupName": "admins"}),
    )
    .await
    .ok();
    let id = claims(&h.tokens(&t, "g@example.com").await["IdToken"]);
    assert_eq!(id["cognito:groups"], json!(["readers"]));
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::123456789012:role/readers"
    );
    let groups = h
        .call(
            "AdminListGroupsForUser",
            json!({"UserPoolId": t.pool_id, "Username": "g@example.com"}),
        )
        .await
        .ok();
    assert_eq!(groups["Groups"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn admin_operations_find_users_by_sub_and_refuse_unknown_ones() {
    let (h, t) = setup().await;
    let created = admin_create(&h, &t, "sub@example.com").await;
    let sub = created["User"]["Username"].as_str().unwrap().to_owned();
    // An email-as-username pool: the internal username is the sub (CLI admin-get-user example).
    let by_sub = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": t.pool_id, "Username": sub}),
        )
        .await
        .ok();
    assert_eq!(by_sub["UserStatus"], "FORCE_CHANGE_PASSWORD");
    h.call(
        "AdminGetUser",
        json!({"UserPoolId": t.pool_id, "Username": "nobody@example.com"}),
    )
    .await
    .err("UserNotFoundException")
    .msg("User does not exist.");
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": "sub@example.com", "MessageAction": "SUPPRESS"}),
    )
    .await
    .err("UsernameExistsException")
    .msg("User account already exists");
}

#[tokio::test]
async fn resend_is_only_for_users_still_on_their_temporary_password() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "done@example.com").await;
    // The type is modeled for AdminCreateUser; the wording is INFERRED (admin-sigv4-facts §1.2).
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": "done@example.com", "MessageAction": "RESEND"}),
    )
    .await
    .err("UnsupportedUserStateException");
    // API reference / aws-sdk-js #1357: RESEND for nobody.
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": "ghost@example.com", "MessageAction": "RESEND"}),
    )
    .await
    .err("UserNotFoundException")
    .msg("User does not exist.");
    h.sign_in(&t, "done@example.com", PASSWORD).await.ok();
}

/// A session is for the user it was opened for: not for one deleted and created again under
/// the same name, nor once an administrator set a new password.
#[tokio::test]
async fn a_new_password_session_dies_with_its_user_and_password() {
    let (h, t) = setup().await;
    let answer = |session: &Value| {
        json!({"ClientId": t.client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": session,
               "ChallengeResponses": {"USERNAME": "s@example.com", "NEW_PASSWORD": PASSWORD,
                                      "SECRET_HASH": t.hash("s@example.com")}})
    };
    admin_create(&h, &t, "s@example.com").await;
    let stale = h.sign_in(&t, "s@example.com", TEMPORARY).await.ok();
    h.call(
        "AdminSetUserPassword",
        json!({"UserPoolId": t.pool_id, "Username": "s@example.com", "Password": "Temp-pass-2!"}),
    )
    .await
    .ok();
    h.call_unsigned("RespondToAuthChallenge", answer(&stale["Session"]))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid session for the user.");
    let old = h.sign_in(&t, "s@example.com", "Temp-pass-2!").await.ok();
    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": t.pool_id, "Username": "s@example.com"}),
    )
    .await
    .ok();
    admin_create(&h, &t, "s@example.com").await;
    h.call_unsigned("RespondToAuthChallenge", answer(&old["Session"]))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid session for the user.");
}

#[tokio::test]
async fn a_new_password_answer_cannot_verify_an_address() {
    let h = Harness::new();
    let pool_id = h.create_pool(json!({"AliasAttributes": ["email"]})).await;
    let (client_id, _) = h
        .create_client(
            &pool_id,
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}),
        )
        .await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "bob", "TemporaryPassword": TEMPORARY,
               "MessageAction": "SUPPRESS"}),
    )
    .await
    .ok();
    let challenge = h
        .call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                   "AuthParameters": {"USERNAME": "bob", "PASSWORD": TEMPORARY}}),
        )
        .await
        .ok();
    h.call_unsigned(
        "RespondToAuthChallenge",
        json!({"ClientId": client_id, "ChallengeName": "NEW_PASSWORD_REQUIRED", "Session": challenge["Session"],
               "ChallengeResponses": {"USERNAME": "bob", "NEW_PASSWORD": "Abcdef1!x",
                                      "userAttributes.email": "victim@example.com",
                                      "userAttributes.email_verified": "true"}}),
    )
    .await
    .err("NotAuthorizedException");
}

#[tokio::test]
async fn a_blank_value_deletes_but_never_a_required_attribute() {
    let h = Harness::new();
    let pool_id = h
        .create_pool(
            json!({"Schema": [{"Name": "name", "Required": true, "AttributeDataType": "String"}]}),
        )
        .await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": pool_id, "Username": "carol", "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "name", "Value": "Carol"}, {"Name": "email", "Value": "c@example.com"}]}),
    )
    .await
    .ok();
    let update = |attributes: Value| {
        h.call(
            "AdminUpdateUserAttributes",
            json!({"UserPoolId": pool_id, "Username": "carol", "UserAttributes": attributes}),
        )
    };
    // Wire facts §7.6.
    update(json!([{"Name": "name", "Value": ""}]))
        .await
        .err("InvalidParameterException")
        .msg("Invalid user attributes: name: Required attribute cannot be deleted.");
    // API reference: "submit the attribute in your API request with a blank value".
    update(json!([{"Name": "email", "Value": ""}])).await.ok();
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": pool_id, "Username": "carol"}),
        )
        .await
        .ok();
    let names: Vec<&str> = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["Name"].as_str().unwrap())
        .collect();
    assert!(!names.contains(&"email"), "{names:?}");
    assert!(names.contains(&"name"));
}

#[tokio::test]
async fn only_an_administrator_verifies_a_changed_email_in_the_same_call() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "me@example.com").await;
    let tokens = h.tokens(&t, "me@example.com").await;
    h.call_unsigned(
        "UpdateUserAttributes",
        json!({"AccessToken": tokens["AccessToken"],
               "UserAttributes": [{"Name": "email", "Value": "mine@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    let user = h
        .call(
            "AdminGetUser",
            json!({"UserPoolId": t.pool_id, "Username": "mine@example.com"}),
        )
        .await
        .ok();
    let verified = user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == "email_verified")
        .map(|a| a["Value"].clone());
    assert_eq!(verified, Some(json!("false")));
}

#[tokio::test]
async fn forgot_password_refuses_a_user_on_a_temporary_password() {
    let (h, t) = setup().await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": "fp@example.com", "TemporaryPassword": TEMPORARY,
               "MessageAction": "SUPPRESS",
               "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    // Recorded CLI output for the admin equivalent (admin-sigv4-facts §1.2).
    h.call_unsigned(
        "ForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash("fp@example.com"), "Username": "fp@example.com"}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("User password cannot be reset in the current state.");
}

#[tokio::test]
async fn auth_events_list_sign_ins_newest_first_and_page() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "ev@example.com").await;
    h.sign_in(&t, "ev@example.com", "wrong-password")
        .await
        .err("NotAuthorizedException");
    h.sign_in(&t, "ev@example.com", PASSWORD).await.ok();
    let list = |extra: Value| {
        let mut body = json!({"UserPoolId": t.pool_id, "Username": "ev@example.com"});
        crate::support::merge(&mut body, extra);
        h.call("AdminListUserAuthEvents", body)
    };
    let all = list(json!({})).await.ok();
    let events = all["AuthEvents"].as_array().unwrap();
    // AuthEventType (API reference): EventType SignIn, EventResponse Pass|Fail, and the
    // challenge entries as the CLI example shows them ("Password", "Success").
    let responses: Vec<&str> = events
        .iter()
        .map(|e| e["EventResponse"].as_str().unwrap())
        .collect();
    assert_eq!(responses, ["Pass", "Fail"]);
    assert_eq!(events[0]["EventType"], "SignIn");
    assert_eq!(
        events[0]["ChallengeResponses"],
        json!([{"ChallengeName": "Password", "ChallengeResponse": "Success"}])
    );
    assert!(events[0]["CreationDate"].is_number());
    let first = list(json!({"MaxResults": 1})).await.ok();
    assert_eq!(first["AuthEvents"].as_array().unwrap().len(), 1);
    let rest = list(json!({"MaxResults": 1, "NextToken": first["NextToken"]}))
        .await
        .ok();
    assert_eq!(rest["AuthEvents"][0]["EventResponse"], "Fail");
    assert!(rest.get("NextToken").is_none());
    h.call(
        "AdminListUserAuthEvents",
        json!({"UserPoolId": t.pool_id, "Username": "nobody@example.com"}),
    )
    .await
    .err("UserNotFoundException")
    .msg("User does not exist.");
}
