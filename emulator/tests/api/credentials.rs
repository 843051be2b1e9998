//! SigV4 verification of cognito-idp calls (admin-sigv4-facts §5): requests signed by
//! aws-sigv4 (the AWS SDK's signer) pass; a wrong secret, a tampered body, a foreign scope, an
//! old or future `X-Amz-Date`, a stray or missing session token are refused with AWS's JSON
//! errors, HTTP 400.

use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::support::{signed_request, Harness, Signing};

/// §5.1, verified on AdminInitiateAuth, AdminCreateUser and AdminGetUser.
const MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";
const INVALID_TOKEN: &str = "The security token included in the request is invalid.";

fn list_pools(signing: &Signing) -> Request<Body> {
    signed_request("ListUserPools", json!({"MaxResults": 10}), signing)
}

#[tokio::test]
async fn the_built_in_pair_signed_by_the_sdk_signer_is_verified() {
    let h = Harness::new();
    h.raw(list_pools(&Signing::default())).await.ok();
}

#[tokio::test]
async fn a_wrong_secret_is_invalid_signature_exception() {
    let h = Harness::new();
    let reply = h
        .raw(list_pools(&Signing::key("test", "not-the-secret")))
        .await;
    reply.err("InvalidSignatureException").msg(MISMATCH);
    assert_eq!(
        reply.headers["x-amzn-errortype"],
        "InvalidSignatureException:"
    );
}

#[tokio::test]
async fn a_body_changed_after_signing_is_invalid_signature_exception() {
    let h = Harness::new();
    let signed = list_pools(&Signing::default());
    let (parts, _) = signed.into_parts();
    let tampered = Request::from_parts(parts, Body::from(json!({"MaxResults": 11}).to_string()));
    h.raw(tampered)
        .await
        .err("InvalidSignatureException")
        .msg(MISMATCH);
}

#[tokio::test]
async fn a_header_changed_after_signing_is_invalid_signature_exception() {
    let h = Harness::new();
    let mut request = list_pools(&Signing::default());
    // Another name the Host check lets through (a loopback address), not the signed one.
    request
        .headers_mut()
        .insert("host", "127.0.0.1:9229".parse().unwrap());
    h.raw(request).await.err("InvalidSignatureException");
}

#[tokio::test]
async fn unknown_keys_are_accepted_by_default_and_refused_when_strict() {
    let lenient = Harness::new();
    lenient
        .raw(list_pools(&Signing::key(
            "AKIAIOSFODNN7EXAMPLE",
            "anything",
        )))
        .await
        .ok();

    let mut config = emulator::Config::for_tests();
    config.strict_credentials = true;
    let strict = Harness::with_config(config);
    strict
        .raw(list_pools(&Signing::key(
            "AKIAIOSFODNN7EXAMPLE",
            "anything",
        )))
        .await
        .err("UnrecognizedClientException")
        .msg(INVALID_TOKEN);
    // The built-in pair stays valid in strict mode.
    strict.raw(list_pools(&Signing::default())).await.ok();
}

#[tokio::test]
async fn keys_given_with_credentials_are_verified() {
    let mut config = emulator::Config::for_tests();
    config.credentials = "AKIAEXTRA0000001:s3cr3t/Value+x,AKIAEXTRA0000002:other:user/alice"
        .parse()
        .unwrap();
    config.strict_credentials = true;
    let h = Harness::with_config(config);
    h.raw(list_pools(&Signing::key(
        "AKIAEXTRA0000001",
        "s3cr3t/Value+x",
    )))
    .await
    .ok();
    h.raw(list_pools(&Signing::key("AKIAEXTRA0000002", "other")))
        .await
        .ok();
    h.raw(list_pools(&Signing::key("AKIAEXTRA0000001", "other")))
        .await
        .err("InvalidSignatureException");
}

/// AWS's skew texts (§5.1): `Signature expired: {X-Amz-Date} is now earlier than {now − 5 min}
/// ({now} - 5 min.)` and `Signature not yet current: … is still later than … ({now} + 5 min.)`.
#[tokio::test]
async fn x_amz_date_more_than_five_minutes_off_is_refused_with_aws_texts() {
    let h = Harness::new();
    let at = |offset_secs: i64| Signing {
        time: if offset_secs < 0 {
            SystemTime::now() - Duration::from_secs(offset_secs.unsigned_abs())
        } else {
            SystemTime::now() + Duration::from_secs(offset_secs as u64)
        },
        ..Signing::default()
    };
    let old = h.raw(list_pools(&at(-600))).await;
    old.err("InvalidSignatureException");
    let message = old.message();
    assert!(
        message.starts_with("Signature expired: ")
            && message.contains(" is now earlier than ")
            && message.ends_with(" - 5 min.)"),
        "{message}"
    );
    let future = h.raw(list_pools(&at(600))).await;
    future.err("InvalidSignatureException");
    let message = future.message();
    assert!(
        message.starts_with("Signature not yet current: ")
            && message.contains(" is still later than ")
            && message.ends_with(" + 5 min.)"),
        "{message}"
    );
    // Inside the window both ways.
    h.raw(list_pools(&at(-240))).await.ok();
    h.raw(list_pools(&at(240))).await.ok();
}

#[tokio::test]
async fn skew_is_judged_on_the_wall_clock_even_after_the_emulator_clock_moves() {
    let h = Harness::new();
    // The harness's clock starts in 2023; move it a further day: fresh signatures still pass.
    h.clock.advance(Duration::from_secs(86_400));
    h.raw(list_pools(&Signing::default())).await.ok();
}

#[tokio::test]
async fn a_foreign_region_or_service_in_the_scope_is_refused() {
    let h = Harness::new();
    let region = Signing {
        region: "eu-west-1".to_owned(),
        ..Signing::default()
    };
    h.raw(list_pools(&region))
        .await
        .err("InvalidSignatureException")
        .msg("Credential should be scoped to a valid region, not 'eu-west-1'. ");
    let service = Signing {
        service: "sts".to_owned(),
        ..Signing::default()
    };
    h.raw(list_pools(&service))
        .await
        .err("InvalidSignatureException")
        .msg("Credential should be scoped to correct service: 'cognito-idp'. ");
}

#[tokio::test]
async fn a_session_token_on_a_long_term_key_is_unrecognized() {
    let h = Harness::new();
    h.raw(list_pools(&Signing::session(
        "test",
        "test",
        "FQoGZXIvYXdzEBYaDforged",
    )))
    .await
    .err("UnrecognizedClientException")
    .msg(INVALID_TOKEN);
}

#[tokio::test]
async fn malformed_authorization_is_incomplete_signature() {
    let h = Harness::new();
    let mut no_date = list_pools(&Signing::default());
    no_date.headers_mut().remove("x-amz-date");
    let reply = h.raw(no_date).await;
    reply.err("IncompleteSignatureException");
    assert!(
        reply.message().starts_with(
            "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
        ),
        "{}",
        reply.message()
    );
    let mut no_host = list_pools(&Signing::default());
    let auth = no_host.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace("host;", "");
    no_host
        .headers_mut()
        .insert("authorization", auth.parse().unwrap());
    h.raw(no_host).await.err("IncompleteSignatureException");
    let mut other_algorithm = list_pools(&Signing::default());
    let auth = other_algorithm.headers()["authorization"]
        .to_str()
        .unwrap()
        .replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512");
    other_algorithm
        .headers_mut()
        .insert("authorization", auth.parse().unwrap());
    h.raw(other_algorithm)
        .await
        .err("IncompleteSignatureException")
        .msg("Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'");
}

#[tokio::test]
async fn unsigned_operations_ignore_credentials() {
    // SignUp is `authtype: none`: even a bad signature does not matter (it is not checked).
    let h = Harness::new();
    let reply = h
        .raw(signed_request(
            "SignUp",
            json!({"ClientId": "abcdefghijklmnopqrstuvwxyz", "Username": "u", "Password": "Passw0rd!"}),
            &Signing::key("test", "wrong"),
        ))
        .await;
    reply.err("ResourceNotFoundException");
}
