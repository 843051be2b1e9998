//! The limits AWS puts on one user's requests (README "Limits"), each with the attack that
//! beat the emulator before (shared/reviews/reliability-bf0e4fb.md):
//! - the lockout: five failed sign-ins free, then 2^(n-5) s; 15 quiet minutes reset it; wrong
//!   MFA codes and wrong ChangePassword `PreviousPassword`s count (developer guide, lockout
//!   behavior and MFA pages; `Password attempts exceeded`, wire facts §7);
//! - ChangePassword's quota (5 an hour per user) and the per-user code allowances, answered
//!   `LimitExceededException: Attempt limit exceeded, please try after some time.` (wire facts §7);
//! - verify-then-write: parallel ChangePassword calls from one old password, one winner.

use std::time::Duration;

use axum::http::StatusCode;
use emulator::Config;
use serde_json::{json, Value};
use tower::ServiceExt;

use crate::accounts::{access_token, EMAIL};
use crate::mfa::{code, enrol, mfa_answer, setup};
use crate::support::{request, Harness, Tutorial, PASSWORD};

const LIMIT: &str = "Attempt limit exceeded, please try after some time.";

async fn forgot(h: &Harness, t: &Tutorial) -> crate::support::Reply {
    h.call_unsigned(
        "ForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
    )
    .await
}

async fn confirm_forgot(h: &Harness, t: &Tutorial, code: &str) -> crate::support::Reply {
    h.call_unsigned(
        "ConfirmForgotPassword",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL,
               "ConfirmationCode": code, "Password": "taken-over-1"}),
    )
    .await
}

/// A code that is not `right`.
fn wrong(right: &str) -> String {
    if right == "000000" {
        "111111"
    } else {
        "000000"
    }
    .to_owned()
}

#[tokio::test]
async fn wrong_mfa_codes_lock_the_user_out_after_five() {
    let (h, t) = setup("OPTIONAL").await;
    h.confirmed_user(&t, EMAIL).await;
    let access = access_token(&h.tokens(&t, EMAIL).await);
    let secret = enrol(&h, &access).await;
    h.call_unsigned(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await
    .ok();
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    let right = code(&h, &secret, 0);
    for _ in 0..5 {
        h.call_unsigned(
            "RespondToAuthChallenge",
            mfa_answer(&t, &challenge, EMAIL, &wrong(&right)),
        )
        .await
        .err("CodeMismatchException");
    }
    // The fifth wrong code started the lockout: even the right code, and the right password
    // in a new sign-in, are refused until it ends.
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &right),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Password attempts exceeded");
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
    // A right password does not wipe the count: a sixth wrong code, after the first second of
    // lockout, locks again.
    h.clock.advance(Duration::from_secs(1));
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &wrong(&code(&h, &secret, 0))),
    )
    .await
    .err("CodeMismatchException");
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
    // Once the 2 s lockout ends, the right code signs in.
    h.clock.advance(Duration::from_secs(2));
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    let out = h
        .call_unsigned(
            "RespondToAuthChallenge",
            mfa_answer(&t, &challenge, EMAIL, &code(&h, &secret, 0)),
        )
        .await
        .ok();
    assert!(out["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test]
async fn the_lockout_resets_after_fifteen_quiet_minutes() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    for _ in 0..5 {
        h.sign_in(&t, EMAIL, "wrong-password")
            .await
            .err("NotAuthorizedException")
            .msg("Incorrect username or password.");
    }
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
    h.clock.advance(Duration::from_secs(16 * 60));
    // Back to n = 0: a wrong password is one of five free ones again, and the right one works.
    h.sign_in(&t, EMAIL, "wrong-password")
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();
}

#[tokio::test]
async fn a_wrong_previous_password_counts_toward_the_lockout() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let access = access_token(&h.tokens(&t, EMAIL).await);
    for n in 0..5 {
        h.call_unsigned(
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": format!("guess-{n}"), "ProposedPassword": "new-password-9"}),
        )
        .await
        .err("NotAuthorizedException")
        .msg("Incorrect username or password.");
    }
    h.sign_in(&t, EMAIL, PASSWORD)
        .await
        .err("NotAuthorizedException")
        .msg("Password attempts exceeded");
}

#[tokio::test]
async fn change_password_is_allowed_five_times_an_hour() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let access = access_token(&h.tokens(&t, EMAIL).await);
    let mut current = PASSWORD.to_owned();
    for n in 0..5 {
        let next = format!("new-password-{n}");
        h.call_unsigned(
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": current, "ProposedPassword": next}),
        )
        .await
        .ok();
        current = next;
    }
    h.call_unsigned(
        "ChangePassword",
        json!({"AccessToken": access, "PreviousPassword": current, "ProposedPassword": "new-password-x"}),
    )
    .await
    .err("LimitExceededException")
    .msg(LIMIT);
    h.clock.advance(Duration::from_secs(3600));
    // The hour also expired the access token.
    let tokens = h.sign_in(&t, EMAIL, &current).await.ok();
    let access = access_token(&tokens["AuthenticationResult"]);
    h.call_unsigned(
        "ChangePassword",
        json!({"AccessToken": access, "PreviousPassword": current, "ProposedPassword": "new-password-x"}),
    )
    .await
    .ok();
    h.sign_in(&t, EMAIL, "new-password-x").await.ok();
}

#[tokio::test]
async fn codes_are_sent_five_times_an_hour_per_purpose() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    // SignUp sends the first sign-up code; four resends make five.
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    let resend = || {
        h.call_unsigned(
            "ResendConfirmationCode",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL}),
        )
    };
    for _ in 0..4 {
        resend().await.ok();
    }
    resend().await.err("LimitExceededException").msg(LIMIT);
    h.clock.advance(Duration::from_secs(3600));
    resend().await.ok();
    let code = h.last_code(&t.pool_id, EMAIL).await;
    h.call_unsigned(
        "ConfirmSignUp",
        json!({"ClientId": t.client_id, "SecretHash": t.hash(EMAIL), "Username": EMAIL, "ConfirmationCode": code}),
    )
    .await
    .ok();

    // ForgotPassword and AdminResetUserPassword share one allowance.
    for _ in 0..4 {
        forgot(&h, &t).await.ok();
    }
    h.call(
        "AdminResetUserPassword",
        json!({"UserPoolId": t.pool_id, "Username": EMAIL}),
    )
    .await
    .ok();
    forgot(&h, &t)
        .await
        .err("LimitExceededException")
        .msg(LIMIT);
    h.call(
        "AdminResetUserPassword",
        json!({"UserPoolId": t.pool_id, "Username": EMAIL}),
    )
    .await
    .err("LimitExceededException")
    .msg(LIMIT);
}

#[tokio::test]
async fn a_password_reset_cannot_be_guessed_by_asking_for_new_codes() {
    // The review's attack: ForgotPassword, five random guesses, repeat. Twenty wrong codes a
    // day, across codes, is all a user gets; then even the right code is refused.
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let mut wrong_guesses = 0;
    let mut refused = 0;
    for hour in 0..6 {
        for _ in 0..5 {
            if forgot(&h, &t).await.status != StatusCode::OK {
                continue;
            }
            let right = h.last_code(&t.pool_id, EMAIL).await;
            for _ in 0..5 {
                let reply = confirm_forgot(&h, &t, &wrong(&right)).await;
                match reply.error_type() {
                    "CodeMismatchException" => wrong_guesses += 1,
                    "LimitExceededException" => {
                        assert_eq!(reply.message(), LIMIT);
                        refused += 1;
                    }
                    other => panic!("hour {hour}: {other}: {}", reply.body),
                }
            }
        }
        h.clock.advance(Duration::from_secs(3600));
    }
    assert_eq!(wrong_guesses, 20);
    assert!(refused > 0);
    // The user's own fresh code is refused too until the day has passed.
    forgot(&h, &t).await.ok();
    let right = h.last_code(&t.pool_id, EMAIL).await;
    confirm_forgot(&h, &t, &right)
        .await
        .err("LimitExceededException")
        .msg(LIMIT);
    h.sign_in(&t, EMAIL, "taken-over-1")
        .await
        .err("NotAuthorizedException");
    h.clock.advance(Duration::from_secs(24 * 3600));
    forgot(&h, &t).await.ok();
    let right = h.last_code(&t.pool_id, EMAIL).await;
    confirm_forgot(&h, &t, &right).await.ok();
    h.sign_in(&t, EMAIL, "taken-over-1").await.ok();
}

/// Sends every request at once on a multi-threaded runtime; returns the replies' bodies with
/// their statuses.
async fn burst(h: &Harness, requests: Vec<(&'static str, Value)>) -> Vec<(StatusCode, Value)> {
    let tasks: Vec<_> = requests
        .into_iter()
        .map(|(operation, body)| {
            let app = emulator::app(h.state.clone());
            tokio::spawn(async move {
                let response = app.oneshot(request(operation, body, false)).await.unwrap();
                let status = response.status();
                let bytes = http_body_util::BodyExt::collect(response.into_body())
                    .await
                    .unwrap()
                    .to_bytes();
                (
                    status,
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null),
                )
            })
        })
        .collect();
    let mut replies = Vec::new();
    for task in tasks {
        replies.push(task.await.unwrap());
    }
    replies
}

fn strong() -> Harness {
    // Argon2id puts milliseconds between a password check and its commit: the widest window.
    Harness::with_config(Config {
        strong_password_hashing: true,
        ..Config::for_tests()
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_burst_of_wrong_passwords_gets_five_guesses_however_slow_the_hashing() {
    let h = strong();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": t.client_id,
        "AuthParameters": {"USERNAME": EMAIL, "PASSWORD": "wrong-password", "SECRET_HASH": t.hash(EMAIL)}});
    let replies = burst(&h, vec![("InitiateAuth", body); 50]).await;
    let evaluated = replies
        .iter()
        .filter(|(_, b)| b["message"] == "Incorrect username or password.")
        .count();
    let locked = replies
        .iter()
        .filter(|(_, b)| b["message"] == "Password attempts exceeded")
        .count();
    assert_eq!((evaluated, locked), (5, 45), "{replies:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn parallel_password_changes_from_one_old_password_have_one_winner() {
    let h = strong();
    let t = h.tutorial(json!({})).await;
    h.confirmed_user(&t, EMAIL).await;
    let mut requests = Vec::new();
    for n in 0..16 {
        let access = access_token(&h.tokens(&t, EMAIL).await);
        requests.push((
            "ChangePassword",
            json!({"AccessToken": access, "PreviousPassword": PASSWORD, "ProposedPassword": format!("new-password-{n}")}),
        ));
    }
    let replies = burst(&h, requests).await;
    let winners: Vec<usize> = (0..16)
        .filter(|n| replies[*n].0 == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "{replies:?}");
    for (status, body) in &replies {
        if *status != StatusCode::OK {
            assert!(
                body["__type"] == "NotAuthorizedException"
                    || body["__type"] == "LimitExceededException",
                "{body}"
            );
        }
    }
    // The winner's password is the user's; no loser's is.
    for n in 0..16 {
        let reply = h.sign_in(&t, EMAIL, &format!("new-password-{n}")).await;
        assert_eq!(
            reply.status == StatusCode::OK,
            n == winners[0],
            "{}",
            reply.body
        );
    }
}

#[tokio::test]
async fn a_deleted_pool_leaves_nothing_in_the_outbox() {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    let outbox = |pool: String| {
        h.raw(
            axum::http::Request::get(format!("/_emulator/outbox?pool={pool}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
    };
    assert_eq!(
        outbox(t.pool_id.clone()).await.body["messages"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    h.call("DeleteUserPool", json!({"UserPoolId": t.pool_id}))
        .await
        .ok();
    assert_eq!(outbox(t.pool_id.clone()).await.body["messages"], json!([]));
}

#[tokio::test]
async fn messages_that_went_stay_gone_after_a_restart() {
    let dir = crate::support::TempDir::new("outbox-drops");
    let h = Harness::persistent(&dir.0);
    let t = h.tutorial(json!({})).await;
    let other = h.tutorial(json!({})).await;
    h.sign_up(&t, EMAIL, PASSWORD).await.ok();
    h.sign_up(&other, EMAIL, PASSWORD).await.ok();
    h.call("DeleteUserPool", json!({"UserPoolId": t.pool_id}))
        .await
        .ok();
    let listed = |h: &Harness| {
        h.state
            .outbox
            .list(None, None, emulator::Clock::now(&h.clock))
            .into_iter()
            .map(|m| m.user_pool_id)
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(&h), vec![other.pool_id.clone()]);
    let h = h.restart();
    assert_eq!(listed(&h), vec![other.pool_id.clone()]);
    // A sign-up code lasts 24 hours (AWS); past them it goes, from disk too.
    h.clock.advance(Duration::from_secs(24 * 3600));
    assert!(listed(&h).is_empty());
    h.state.durable().await.unwrap();
    let h = h.restart();
    h.clock.set(emulator::Timestamp::from_secs(1_700_000_000));
    assert!(h
        .state
        .outbox
        .list(None, None, emulator::Timestamp::from_secs(1_700_000_000))
        .is_empty());
}
