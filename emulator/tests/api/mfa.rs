//! Software-token (TOTP) MFA: AssociateSoftwareToken, VerifySoftwareToken,
//! SetUserMFAPreference, and the SOFTWARE_TOKEN_MFA and MFA_SETUP challenges (wire facts §6,
//! messages §6 and §7.1). Codes come from `emulator::crypto::totp::code_at`, which reproduces
//! RFC 6238's vectors; CI also enrols and signs in with pyotp (conformance/python).

use std::time::Duration;

use serde_json::{json, Value};

use crate::accounts::{access_token, EMAIL};
use crate::support::{Harness, Tutorial, PASSWORD};

/// The tutorial's pool with TOTP allowed and MFA `mode` (OPTIONAL or ON).
pub async fn setup(mode: &str) -> (Harness, Tutorial) {
    let h = Harness::new();
    let t = h.tutorial(json!({})).await;
    h.call(
        "SetUserPoolMfaConfig",
        json!({"UserPoolId": t.pool_id, "SoftwareTokenMfaConfiguration": {"Enabled": true}, "MfaConfiguration": mode}),
    )
    .await
    .ok();
    (h, t)
}

fn now_secs(h: &Harness) -> u64 {
    emulator::Clock::now(&h.clock).secs() as u64
}

/// The code an authenticator app shows for `secret_code` at the harness's time, `ahead` steps on.
pub fn code(h: &Harness, secret_code: &str, ahead: u64) -> String {
    let secret = emulator::crypto::totp::secret_from_code(secret_code).unwrap();
    emulator::crypto::totp::code_at(&secret, now_secs(h) + 30 * ahead)
}

/// Associates and verifies a software token for a signed-in user; returns its SecretCode.
pub async fn enrol(h: &Harness, access: &str) -> String {
    let out = h
        .call_unsigned("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await
        .ok();
    let secret = out["SecretCode"].as_str().unwrap().to_owned();
    h.call_unsigned(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code(h, &secret, 0), "FriendlyDeviceName": "phone"}),
    )
    .await
    .ok();
    secret
}

pub fn mfa_answer(t: &Tutorial, challenge: &Value, username: &str, code: &str) -> Value {
    json!({"ChallengeName": "SOFTWARE_TOKEN_MFA", "ClientId": t.client_id, "Session": challenge["Session"],
           "ChallengeResponses": {"USERNAME": username, "SOFTWARE_TOKEN_MFA_CODE": code, "SECRET_HASH": t.hash(username)}})
}

#[tokio::test]
async fn enrolment_checks_the_code_and_the_pool() {
    let (h, t) = setup("OPTIONAL").await;
    h.confirmed_user(&t, EMAIL).await;
    let access = access_token(&h.tokens(&t, EMAIL).await);
    h.call_unsigned(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await
    .err("InvalidParameterException")
    .msg("User has not set up software token mfa");

    let out = h
        .call_unsigned("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await
        .ok();
    let secret = out["SecretCode"].as_str().unwrap();
    // RFC 4648 base32 without padding; 32 random bytes.
    assert_eq!(secret.len(), 52, "{secret}");
    assert!(secret
        .bytes()
        .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
    let wrong = if code(&h, secret, 0) == "123456" {
        "654321"
    } else {
        "123456"
    };
    h.call_unsigned(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": wrong}),
    )
    .await
    .err("EnableSoftwareTokenMFAException")
    .msg("Code mismatch and fail enable Software Token MFA");
    let verified = h
        .call_unsigned(
            "VerifySoftwareToken",
            json!({"AccessToken": access, "UserCode": code(&h, secret, 0)}),
        )
        .await
        .ok();
    assert_eq!(verified, json!({"Status": "SUCCESS"}));
    // Verifying alone does not turn MFA on (§6).
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
    assert!(me.get("UserMFASettingList").is_none(), "{me}");
    h.sign_in(&t, EMAIL, PASSWORD).await.ok();

    // A pool that does not allow software tokens.
    let other = Harness::new();
    let t = other.tutorial(json!({})).await;
    other.confirmed_user(&t, EMAIL).await;
    let access = access_token(&other.tokens(&t, EMAIL).await);
    other
        .call_unsigned("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await
        .err("SoftwareTokenMFANotFoundException")
        .msg("Software Token MFA has not been enabled by the userPool.");
}

#[tokio::test]
async fn optional_mfa_asks_for_a_code_once_turned_on() {
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
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
    assert_eq!(me["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));
    assert_eq!(me["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    let internal = me["Username"].as_str().unwrap();

    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(
        challenge["ChallengeParameters"],
        json!({"FRIENDLY_DEVICE_NAME": "phone", "USER_ID_FOR_SRP": internal})
    );
    assert!(challenge["Session"].as_str().is_some_and(|s| s.len() >= 20));
    assert!(challenge.get("AuthenticationResult").is_none());

    let wrong = if code(&h, &secret, 1) == "000000" {
        "111111"
    } else {
        "000000"
    };
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, wrong),
    )
    .await
    .err("CodeMismatchException")
    .msg("Invalid code or auth state for the user.");
    // The session survives a wrong code; the next window's code is accepted (one step of skew).
    let next = code(&h, &secret, 1);
    let out = h
        .call_unsigned(
            "RespondToAuthChallenge",
            mfa_answer(&t, &challenge, EMAIL, &next),
        )
        .await
        .ok();
    let access = out["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    h.call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &next),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Invalid session for the user, session can only be used once.");

    // A code signs in once; the internal username works as USERNAME too.
    let again = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &again, internal, &next),
    )
    .await
    .err("CodeMismatchException")
    .msg("Your software token has already been used once.");
    h.clock.advance(Duration::from_secs(60));
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &again, internal, &code(&h, &secret, 0)),
    )
    .await
    .ok();

    // Sessions expire after three minutes.
    let late = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.clock.advance(Duration::from_secs(181));
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &late, EMAIL, &code(&h, &secret, 0)),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Invalid session for the user, session is expired.");

    // Turned off again, the password is enough.
    h.call_unsigned(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": false, "PreferredMfa": false}}),
    )
    .await
    .ok();
    let out = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    assert!(
        out["AuthenticationResult"]["AccessToken"].is_string(),
        "{out}"
    );
}

#[tokio::test]
async fn required_mfa_sets_up_a_token_during_sign_in() {
    let (h, t) = setup("ON").await;
    h.confirmed_user(&t, EMAIL).await;
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    assert_eq!(challenge["ChallengeName"], "MFA_SETUP");
    // A JSON-encoded list in a string (§6).
    assert_eq!(
        challenge["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let associated = h
        .call_unsigned(
            "AssociateSoftwareToken",
            json!({"Session": challenge["Session"]}),
        )
        .await
        .ok();
    let secret = associated["SecretCode"].as_str().unwrap().to_owned();
    assert_ne!(associated["Session"], challenge["Session"]);
    let verified = h
        .call_unsigned(
            "VerifySoftwareToken",
            json!({"Session": associated["Session"], "UserCode": code(&h, &secret, 0), "FriendlyDeviceName": "phone"}),
        )
        .await
        .ok();
    assert_eq!(verified["Status"], "SUCCESS");
    let out = h
        .call_unsigned(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "MFA_SETUP", "ClientId": t.client_id, "Session": verified["Session"],
                   "ChallengeResponses": {"USERNAME": EMAIL, "SECRET_HASH": t.hash(EMAIL)}}),
        )
        .await
        .ok();
    let access = out["AuthenticationResult"]["AccessToken"].as_str().unwrap();
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
    assert_eq!(me["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));

    // From now on the token is asked for.
    let next = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    assert_eq!(next["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &next, EMAIL, &code(&h, &secret, 1)),
    )
    .await
    .ok();

    // An old session of the chain is no longer valid.
    h.call_unsigned(
        "AssociateSoftwareToken",
        json!({"Session": challenge["Session"]}),
    )
    .await
    .err("NotAuthorizedException")
    .msg("Invalid session for the user.");
}

/// A second AssociateSoftwareToken does not disarm the factor: the old authenticator keeps
/// working until the new one is verified, and then only the new one does.
#[tokio::test]
async fn a_new_authenticator_replaces_the_old_once_verified() {
    let (h, t) = setup("OPTIONAL").await;
    h.confirmed_user(&t, EMAIL).await;
    let access = access_token(&h.tokens(&t, EMAIL).await);
    let old = enrol(&h, &access).await;
    h.call_unsigned(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": true}}),
    )
    .await
    .ok();
    let associated = h
        .call_unsigned("AssociateSoftwareToken", json!({"AccessToken": access}))
        .await
        .ok();
    let new = associated["SecretCode"].as_str().unwrap().to_owned();
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    assert_eq!(challenge["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &code(&h, &old, 1)),
    )
    .await
    .ok();

    h.clock.advance(Duration::from_secs(90));
    h.call_unsigned(
        "VerifySoftwareToken",
        json!({"AccessToken": access, "UserCode": code(&h, &new, 0)}),
    )
    .await
    .ok();
    let challenge = h.sign_in(&t, EMAIL, PASSWORD).await.ok();
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &code(&h, &old, 1)),
    )
    .await
    .err("CodeMismatchException");
    h.call_unsigned(
        "RespondToAuthChallenge",
        mfa_answer(&t, &challenge, EMAIL, &code(&h, &new, 1)),
    )
    .await
    .ok();

    // An explicit `Enabled: false` wins over `PreferredMfa: true`.
    h.call_unsigned(
        "SetUserMFAPreference",
        json!({"AccessToken": access, "SoftwareTokenMfaSettings": {"Enabled": false, "PreferredMfa": true}}),
    )
    .await
    .ok();
    let me = h
        .call_unsigned("GetUser", json!({"AccessToken": access}))
        .await
        .ok();
    assert!(me.get("UserMFASettingList").is_none(), "{me}");
    assert!(me.get("PreferredMfaSetting").is_none(), "{me}");
}
