//! USER_SRP_AUTH and RespondToAuthChallenge PASSWORD_VERIFIER (wire facts §5, messages §7.1).
//! The client side is `emulator::crypto::srp::client`, which reproduces pycognito's signatures
//! (its known-answer test); CI also signs in with pycognito itself (conformance/python).

use std::time::Duration;

use emulator::crypto::srp::client::{timestamp, PasswordVerifier, SrpClient};
use serde_json::{json, Value};

use crate::accounts::{setup, EMAIL};
use crate::support::{Harness, Reply, Tutorial, PASSWORD};

fn srp_client(seed: u8) -> SrpClient {
    SrpClient::new(&[seed; 128])
}

async fn start(h: &Harness, t: &Tutorial, client: &SrpClient, username: &str) -> Reply {
    h.call_unsigned(
        "InitiateAuth",
        json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": t.client_id,
               "AuthParameters": {"USERNAME": username, "SRP_A": client.srp_a(), "SECRET_HASH": t.hash(username)}}),
    )
    .await
}

/// The ChallengeResponses a client sends for `challenge` (an InitiateAuth answer) and `password`.
fn responses(
    h: &Harness,
    t: &Tutorial,
    client: &SrpClient,
    challenge: &Value,
    password: &str,
) -> Value {
    let p = &challenge["ChallengeParameters"];
    let text = |name: &str| p[name].as_str().unwrap().to_owned();
    let when = timestamp(emulator::Clock::now(&h.clock).secs());
    let claim = client
        .password_claim(
            &t.pool_id,
            &PasswordVerifier {
                salt: &text("SALT"),
                srp_b: &text("SRP_B"),
                secret_block: &text("SECRET_BLOCK"),
                user_id_for_srp: &text("USER_ID_FOR_SRP"),
            },
            password,
            &when,
        )
        .unwrap();
    let username = text("USERNAME");
    json!({"USERNAME": username, "PASSWORD_CLAIM_SECRET_BLOCK": text("SECRET_BLOCK"),
           "PASSWORD_CLAIM_SIGNATURE": claim, "TIMESTAMP": when, "SECRET_HASH": t.hash(&username)})
}

async fn respond(h: &Harness, t: &Tutorial, responses: Value) -> Reply {
    h.call_unsigned(
        "RespondToAuthChallenge",
        json!({"ChallengeName": "PASSWORD_VERIFIER", "ClientId": t.client_id, "ChallengeResponses": responses}),
    )
    .await
}

#[tokio::test]
async fn srp_sign_in_returns_tokens() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let client = srp_client(7);
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    assert_eq!(challenge["ChallengeName"], "PASSWORD_VERIFIER");
    let p = challenge["ChallengeParameters"].as_object().unwrap();
    let mut keys: Vec<&str> = p.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "SALT",
            "SECRET_BLOCK",
            "SRP_B",
            "USERNAME",
            "USER_ID_FOR_SRP"
        ]
    );
    // In an e-mail-username pool the internal username is the sub (§5.2: never the alias).
    let me = h
        .call_unsigned(
            "GetUser",
            json!({"AccessToken": crate::accounts::access_token(&h.tokens(&t, EMAIL).await)}),
        )
        .await
        .ok();
    assert_eq!(p["USER_ID_FOR_SRP"], me["Username"]);
    assert_eq!(p["USERNAME"], me["Username"]);

    let out = respond(&h, &t, responses(&h, &t, &client, &challenge, PASSWORD))
        .await
        .ok();
    assert_eq!(out["ChallengeParameters"], json!({}));
    let access = out["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    h.call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
}

#[tokio::test]
async fn a_wrong_password_fails_and_a_challenge_answers_once() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let client = srp_client(9);
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    respond(
        &h,
        &t,
        responses(&h, &t, &client, &challenge, "wrong-password"),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Incorrect username or password.");
    respond(&h, &t, responses(&h, &t, &client, &challenge, PASSWORD))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid session for the user, session can only be used once.");

    // Expired after three minutes.
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    h.clock.advance(Duration::from_secs(181));
    respond(&h, &t, responses(&h, &t, &client, &challenge, PASSWORD))
        .await
        .err("NotAuthorizedException")
        .msg("Invalid session for the user, session is expired.");
}

#[tokio::test]
async fn wrong_proofs_count_toward_the_lockout() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let client = srp_client(3);
    for _ in 0..5 {
        let challenge = start(&h, &t, &client, EMAIL).await.ok();
        respond(
            &h,
            &t,
            responses(&h, &t, &client, &challenge, "wrong-password"),
        )
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    }
    // Shared with USER_PASSWORD_AUTH (§7.1).
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
    start(&h, &t, &client, EMAIL)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
}

#[tokio::test]
async fn the_answer_must_come_from_the_challenged_user_and_client() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    h.confirmed_user(&t, "other@example.com").await;
    let client = srp_client(5);
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    let mut answer = responses(&h, &t, &client, &challenge, PASSWORD);
    answer["USERNAME"] = json!("other@example.com");
    answer["SECRET_HASH"] = json!(t.hash("other@example.com"));
    respond(&h, &t, answer)
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");

    // SECRET_HASH: over USERNAME or the name signed in with (pycognito), never anything else.
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    let mut answer = responses(&h, &t, &client, &challenge, PASSWORD);
    answer["SECRET_HASH"] = json!(t.hash("someone-else"));
    let client_id = &t.client_id;
    respond(&h, &t, answer.clone())
        .await
        .err("NotAuthorizedException")
        .msg(&format!(
            "Unable to verify secret hash for client {client_id}"
        ));
    answer["SECRET_HASH"] = json!(t.hash(EMAIL));
    respond(&h, &t, answer).await.ok();

    // A block no challenge handed out.
    let mut answer = responses(&h, &t, &client, &challenge, PASSWORD);
    answer["PASSWORD_CLAIM_SECRET_BLOCK"] = json!("bm90IGEgYmxvY2s=");
    respond(&h, &t, answer)
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
}

#[tokio::test]
async fn unknown_users_legacy_and_prevented() {
    let (h, t) = setup().await;
    let client = srp_client(1);
    start(&h, &t, &client, "nobody@example.com")
        .await
        .err("UserNotFoundException")
        .msg("User does not exist.");

    // §5.3: with PreventUserExistenceErrors a made-up challenge, the same for the same name,
    // whose answer fails like a wrong password.
    let t = h
        .tutorial(json!({"PreventUserExistenceErrors": "ENABLED"}))
        .await;
    let first = start(&h, &t, &client, "nobody@example.com").await.ok();
    let second = start(&h, &t, &client, "nobody@example.com").await.ok();
    let p = |c: &Value, name: &str| c["ChallengeParameters"][name].clone();
    assert_eq!(first["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(p(&first, "USER_ID_FOR_SRP"), p(&second, "USER_ID_FOR_SRP"));
    assert_eq!(p(&first, "SALT"), p(&second, "SALT"));
    assert_ne!(p(&first, "SECRET_BLOCK"), p(&second, "SECRET_BLOCK"));
    respond(&h, &t, responses(&h, &t, &client, &first, "anything"))
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
}

#[tokio::test]
async fn requests_the_flow_does_not_accept() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let send = |params: Value| {
        h.call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": t.client_id, "AuthParameters": params}),
        )
    };
    send(json!({"USERNAME": EMAIL, "SECRET_HASH": t.hash(EMAIL)}))
        .await
        .err("InvalidParameterException")
        .msg("Missing required parameter SRP_A");
    send(json!({"USERNAME": EMAIL, "SRP_A": "0", "SECRET_HASH": t.hash(EMAIL)}))
        .await
        .err("InvalidParameterException");
    send(json!({"USERNAME": EMAIL, "SRP_A": "zz", "SECRET_HASH": t.hash(EMAIL)}))
        .await
        .err("InvalidParameterException");

    let client = srp_client(2);
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    let mut answer = responses(&h, &t, &client, &challenge, PASSWORD);
    answer["TIMESTAMP"] = json!("2024-11-05T09:03:07Z");
    respond(&h, &t, answer)
        .await
        .err("InvalidParameterException");
    let mut answer = responses(&h, &t, &client, &challenge, PASSWORD);
    answer
        .as_object_mut()
        .unwrap()
        .remove("PASSWORD_CLAIM_SIGNATURE");
    respond(&h, &t, answer)
        .await
        .err("InvalidParameterException")
        .msg("Missing required parameter PASSWORD_CLAIM_SIGNATURE");

    // A client without ALLOW_USER_SRP_AUTH.
    let t = h
        .tutorial(
            json!({"ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]}),
        )
        .await;
    start(&h, &t, &client, EMAIL)
        .await
        .err("InvalidParameterException")
        .msg("USER_SRP_AUTH flow not enabled for this client");
}

/// A challenge made before a password change cannot be answered with the old password (nor
/// the new one: it was made from the old verifier).
#[tokio::test]
async fn a_password_change_voids_open_challenges() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, EMAIL).await;
    let client = srp_client(4);
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    let access = crate::accounts::access_token(&h.tokens(&t, EMAIL).await);
    h.call_unsigned(
        "ChangePassword",
        json!({"AccessToken": access, "PreviousPassword": PASSWORD, "ProposedPassword": "new-password"}),
    )
    .await
    .ok();
    respond(&h, &t, responses(&h, &t, &client, &challenge, PASSWORD))
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    let challenge = start(&h, &t, &client, EMAIL).await.ok();
    respond(
        &h,
        &t,
        responses(&h, &t, &client, &challenge, "new-password"),
    )
    .await
    .ok();
}

/// Made-up challenges do not tell apart spellings the pool treats as one name (§5.3).
#[tokio::test]
async fn made_up_challenges_ignore_case_where_the_pool_does() {
    let (h, _) = setup().await;
    let t = h
        .tutorial(json!({"PreventUserExistenceErrors": "ENABLED"}))
        .await;
    let client = srp_client(6);
    let lower = start(&h, &t, &client, "nobody@example.com").await.ok();
    let upper = start(&h, &t, &client, "Nobody@Example.COM").await.ok();
    let p = |c: &Value, name: &str| c["ChallengeParameters"][name].clone();
    assert_eq!(p(&lower, "SALT"), p(&upper, "SALT"));
    assert_eq!(p(&lower, "USER_ID_FOR_SRP"), p(&upper, "USER_ID_FOR_SRP"));
}

/// admin-sigv4-facts §2: NEW_PASSWORD_REQUIRED follows PASSWORD_VERIFIER for a user with a
/// temporary password, here on the admin path (AdminInitiateAuth USER_SRP_AUTH, then
/// AdminRespondToAuthChallenge for both steps).
#[tokio::test]
async fn admin_srp_sign_in_of_a_new_user_asks_for_a_new_password() {
    let (h, t) = setup().await;
    h.call(
        "AdminCreateUser",
        json!({"UserPoolId": t.pool_id, "Username": EMAIL, "TemporaryPassword": "Temp-pass-1!",
               "MessageAction": "SUPPRESS"}),
    )
    .await
    .ok();
    let client = srp_client(9);
    let challenge = h
        .call(
            "AdminInitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "UserPoolId": t.pool_id, "ClientId": t.client_id,
                   "AuthParameters": {"USERNAME": EMAIL, "SRP_A": client.srp_a(), "SECRET_HASH": t.hash(EMAIL)}}),
        )
        .await
        .ok();
    assert_eq!(challenge["ChallengeName"], "PASSWORD_VERIFIER");
    let answer = responses(&h, &t, &client, &challenge, "Temp-pass-1!");
    let next = h
        .call(
            "AdminRespondToAuthChallenge",
            json!({"ChallengeName": "PASSWORD_VERIFIER", "UserPoolId": t.pool_id, "ClientId": t.client_id,
                   "ChallengeResponses": answer}),
        )
        .await
        .ok();
    assert_eq!(next["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let username = next["ChallengeParameters"]["USER_ID_FOR_SRP"].clone();
    let done = h
        .call(
            "AdminRespondToAuthChallenge",
            json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "UserPoolId": t.pool_id, "ClientId": t.client_id,
                   "Session": next["Session"],
                   "ChallengeResponses": {"USERNAME": username, "NEW_PASSWORD": PASSWORD,
                                          "SECRET_HASH": t.hash(username.as_str().unwrap())}}),
        )
        .await
        .ok();
    assert!(done["AuthenticationResult"]["IdToken"].is_string());
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
}
