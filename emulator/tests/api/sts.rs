//! STS on the emulator's port (admin-sigv4-facts §6): GetSessionToken, GetCallerIdentity and
//! AssumeRole in the query protocol, the credentials they issue on cognito-idp calls, and
//! STS's XML errors (§6.5).

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use serde_json::json;

use crate::support::{signed_request, sts_request, Harness, Reply, Signing};

const ACCOUNT: &str = "123456789012";

/// The text of the first `<tag>` in an XML answer.
fn xml(reply: &Reply, tag: &str) -> String {
    let body = reply
        .body
        .as_str()
        .unwrap_or_else(|| panic!("not XML: {}", reply.body));
    let open = format!("<{tag}>");
    let start = body
        .find(&open)
        .unwrap_or_else(|| panic!("no <{tag}> in {body}"))
        + open.len();
    let end = body[start..].find(&format!("</{tag}>")).unwrap() + start;
    body[start..end].to_owned()
}

/// An STS error answer: status, `<Type>`, `<Code>`, `<Message>`.
#[track_caller]
fn sts_error(reply: &Reply, status: u16, code: &str) -> String {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.body);
    assert_eq!(reply.headers["content-type"], "text/xml");
    let body = reply.body.as_str().unwrap();
    assert!(
        body.starts_with("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"),
        "{body}"
    );
    assert_eq!(xml(reply, "Type"), "Sender");
    assert_eq!(xml(reply, "Code"), code, "{body}");
    assert!(!xml(reply, "RequestId").is_empty());
    xml(reply, "Message")
}

fn action(name: &str) -> Vec<(&str, &str)> {
    vec![("Action", name), ("Version", "2011-06-15")]
}

struct Session {
    access_key_id: String,
    secret: String,
    token: String,
    expiration: String,
}

impl Session {
    fn signing(&self) -> Signing {
        Signing::session(&self.access_key_id, &self.secret, &self.token)
    }
}

async fn get_session_token(h: &Harness, extra: &[(&str, &str)], signing: &Signing) -> Reply {
    let mut params = action("GetSessionToken");
    params.extend_from_slice(extra);
    h.raw(sts_request(&params, signing)).await
}

fn session_of(reply: &Reply) -> Session {
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    Session {
        access_key_id: xml(reply, "AccessKeyId"),
        secret: xml(reply, "SecretAccessKey"),
        token: xml(reply, "SessionToken"),
        expiration: xml(reply, "Expiration"),
    }
}

fn iso(h: &Harness, plus_secs: u64) -> String {
    use emulator::Clock;
    h.clock.now().plus(Duration::from_secs(plus_secs)).iso8601()
}

fn list_pools(signing: &Signing) -> Request<Body> {
    signed_request("ListUserPools", json!({"MaxResults": 10}), signing)
}

#[tokio::test]
async fn get_session_token_answers_the_documented_xml_with_asia_credentials() {
    let h = Harness::new();
    let reply = get_session_token(&h, &[], &Signing::default()).await;
    let body = reply.body.as_str().unwrap().to_owned();
    // Wire facts §8: the envelope botocore's query parser and the Rust SDK read.
    assert!(
        body.starts_with(
            "<GetSessionTokenResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
        ),
        "{body}"
    );
    assert!(body.contains("<GetSessionTokenResult>") && body.contains("<ResponseMetadata>"));
    assert_eq!(reply.headers["content-type"], "text/xml");
    let session = session_of(&reply);
    // §6.3: temporary keys start with ASIA; 16–128 word characters.
    assert!(
        session.access_key_id.starts_with("ASIA") && session.access_key_id.len() == 20,
        "{}",
        session.access_key_id
    );
    assert!(session
        .access_key_id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(session.secret.len(), 40);
    assert!(session.token.len() >= 300, "about STS's size");
    // The built-in pair is the account's root: one hour by default (§6.3).
    assert_eq!(session.expiration, iso(&h, 3600));
}

#[tokio::test]
async fn session_credentials_sign_admin_calls_and_need_their_own_token() {
    let h = Harness::new();
    let session = session_of(&get_session_token(&h, &[], &Signing::default()).await);
    h.raw(list_pools(&session.signing())).await.ok();

    let no_token = Signing::key(&session.access_key_id, &session.secret);
    h.raw(list_pools(&no_token))
        .await
        .err("UnrecognizedClientException")
        .msg("The security token included in the request is invalid.");
    let mut forged = session.token.clone();
    forged.replace_range(0..4, "AAAA");
    h.raw(list_pools(&Signing::session(
        &session.access_key_id,
        &session.secret,
        &forged,
    )))
    .await
    .err("UnrecognizedClientException");
    let other = session_of(&get_session_token(&h, &[], &Signing::default()).await);
    h.raw(list_pools(&Signing::session(
        &session.access_key_id,
        &session.secret,
        &other.token,
    )))
    .await
    .err("UnrecognizedClientException");
    h.raw(list_pools(&Signing::session(
        &session.access_key_id,
        "wrong",
        &session.token,
    )))
    .await
    .err("InvalidSignatureException");
}

#[tokio::test]
async fn session_credentials_expire_on_the_emulator_clock() {
    let h = Harness::new();
    let session = session_of(
        &get_session_token(&h, &[("DurationSeconds", "900")], &Signing::default()).await,
    );
    assert_eq!(session.expiration, iso(&h, 900));
    h.clock.advance(Duration::from_secs(899));
    h.raw(list_pools(&session.signing())).await.ok();
    h.clock.advance(Duration::from_secs(1));
    // §5.1 (JSON services' text, no final period).
    h.raw(list_pools(&session.signing()))
        .await
        .err("ExpiredTokenException")
        .msg("The security token included in the request is expired");
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &session.signing(),
        ))
        .await;
    assert_eq!(
        sts_error(&reply, 403, "ExpiredToken"),
        "The security token included in the request is expired"
    );
}

#[tokio::test]
async fn get_session_token_refuses_session_credentials() {
    let h = Harness::new();
    let session = session_of(&get_session_token(&h, &[], &Signing::default()).await);
    let reply = get_session_token(&h, &[], &session.signing()).await;
    assert_eq!(
        sts_error(&reply, 403, "AccessDenied"),
        "Cannot call GetSessionToken with session credentials"
    );
}

#[tokio::test]
async fn duration_seconds_bounds_and_the_root_cap() {
    let mut config = emulator::Config::for_tests();
    config.credentials = "AKIAALICE0000001:alice-secret:user/alice".parse().unwrap();
    let h = Harness::with_config(config);
    // §6.3, verified text.
    let reply = get_session_token(&h, &[("DurationSeconds", "600")], &Signing::default()).await;
    assert_eq!(
        sts_error(&reply, 400, "ValidationError"),
        "1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900"
    );
    let reply = get_session_token(&h, &[("DurationSeconds", "129601")], &Signing::default()).await;
    assert!(sts_error(&reply, 400, "ValidationError")
        .ends_with("Member must have value less than or equal to 129600"));
    // Root: more than an hour is capped, not refused.
    let root = session_of(
        &get_session_token(&h, &[("DurationSeconds", "7200")], &Signing::default()).await,
    );
    assert_eq!(root.expiration, iso(&h, 3600));
    // An IAM user: 12 hours by default, up to 36.
    let alice = Signing::key("AKIAALICE0000001", "alice-secret");
    let default = session_of(&get_session_token(&h, &[], &alice).await);
    assert_eq!(default.expiration, iso(&h, 43_200));
    let long = session_of(&get_session_token(&h, &[("DurationSeconds", "129600")], &alice).await);
    assert_eq!(long.expiration, iso(&h, 129_600));
}

#[tokio::test]
async fn get_caller_identity_names_root_users_and_their_sessions() {
    let mut config = emulator::Config::for_tests();
    config.credentials = "AKIAALICE0000001:alice-secret:user/alice".parse().unwrap();
    let h = Harness::with_config(config);
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &Signing::default(),
        ))
        .await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    assert!(reply.body.as_str().unwrap().starts_with(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
    ));
    // The shape a real root key gets (kubeflow/testing #961: UserId is the account id).
    assert_eq!(xml(&reply, "Arn"), format!("arn:aws:iam::{ACCOUNT}:root"));
    assert_eq!(xml(&reply, "UserId"), ACCOUNT);
    assert_eq!(xml(&reply, "Account"), ACCOUNT);

    let alice = Signing::key("AKIAALICE0000001", "alice-secret");
    let reply = h
        .raw(sts_request(&action("GetCallerIdentity"), &alice))
        .await;
    assert_eq!(
        xml(&reply, "Arn"),
        format!("arn:aws:iam::{ACCOUNT}:user/alice")
    );
    let user_id = xml(&reply, "UserId");
    assert!(user_id.starts_with("AIDA"), "{user_id}");
    // GetSessionToken's credentials are the same caller.
    let session = session_of(&get_session_token(&h, &[], &alice).await);
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &session.signing(),
        ))
        .await;
    assert_eq!(
        xml(&reply, "Arn"),
        format!("arn:aws:iam::{ACCOUNT}:user/alice")
    );
    assert_eq!(xml(&reply, "UserId"), user_id);
}

#[tokio::test]
async fn assume_role_issues_a_role_session_and_refuses_root() {
    let mut config = emulator::Config::for_tests();
    config.credentials = "AKIAALICE0000001:alice-secret:user/alice".parse().unwrap();
    let h = Harness::with_config(config);
    let role = format!("arn:aws:iam::{ACCOUNT}:role/admin/CognitoAdmin");
    let assume = |extra: Vec<(&'static str, String)>| {
        let mut params: Vec<(String, String)> = action("AssumeRole")
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        params.extend(extra.into_iter().map(|(k, v)| (k.to_owned(), v)));
        params
    };
    let send = |params: Vec<(String, String)>, signing: Signing| {
        let pairs: Vec<(&str, &str)> = params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        h.raw(sts_request(&pairs, &signing))
    };
    let full = assume(vec![
        ("RoleArn", role.clone()),
        ("RoleSessionName", "tutorial".to_owned()),
    ]);

    // AWS: "Roles may not be assumed by root accounts." (HTTP 403, recorded in several reports).
    let reply = send(full.clone(), Signing::default()).await;
    assert_eq!(
        sts_error(&reply, 403, "AccessDenied"),
        "Roles may not be assumed by root accounts."
    );

    let alice = Signing::key("AKIAALICE0000001", "alice-secret");
    let reply = send(full.clone(), alice.clone()).await;
    assert_eq!(reply.status.as_u16(), 200, "{}", reply.body);
    let arn = format!("arn:aws:sts::{ACCOUNT}:assumed-role/CognitoAdmin/tutorial");
    assert_eq!(xml(&reply, "Arn"), arn);
    let role_id = xml(&reply, "AssumedRoleId");
    assert!(
        role_id.starts_with("AROA") && role_id.ends_with(":tutorial"),
        "{role_id}"
    );
    let session = session_of(&reply);
    assert_eq!(session.expiration, iso(&h, 3600));
    h.raw(list_pools(&session.signing())).await.ok();
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &session.signing(),
        ))
        .await;
    assert_eq!(xml(&reply, "Arn"), arn);
    assert_eq!(xml(&reply, "UserId"), role_id);

    // Role chaining is limited to an hour; another account's role is not ours to grant.
    let chained = assume(vec![
        ("RoleArn", role.clone()),
        ("RoleSessionName", "chained".to_owned()),
        ("DurationSeconds", "7200".to_owned()),
    ]);
    let reply = send(chained, session.signing()).await;
    assert_eq!(
        sts_error(&reply, 400, "ValidationError"),
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
    );
    let foreign = "arn:aws:iam::999999999999:role/Other".to_owned();
    let reply = send(
        assume(vec![
            ("RoleArn", foreign.clone()),
            ("RoleSessionName", "x1".to_owned()),
        ]),
        alice.clone(),
    )
    .await;
    assert_eq!(
        sts_error(&reply, 403, "AccessDenied"),
        format!("User: arn:aws:iam::{ACCOUNT}:user/alice is not authorized to perform: sts:AssumeRole on resource: {foreign}")
    );
    let reply = send(assume(vec![("RoleArn", role.clone())]), alice.clone()).await;
    assert_eq!(
        sts_error(&reply, 400, "ValidationError"),
        "1 validation error detected: Value null at 'roleSessionName' failed to satisfy constraint: Member must not be null"
    );
    let reply = send(
        assume(vec![
            ("RoleArn", role),
            ("RoleSessionName", "has space".to_owned()),
        ]),
        alice,
    )
    .await;
    assert!(sts_error(&reply, 400, "ValidationError")
        .contains("Member must satisfy regular expression pattern: [\\w+=,.@-]*"));
}

#[tokio::test]
async fn sts_signature_failures_are_403_xml() {
    let mut config = emulator::Config::for_tests();
    config.strict_credentials = true;
    let h = Harness::with_config(config);
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &Signing::key("test", "wrong"),
        ))
        .await;
    assert_eq!(
        sts_error(&reply, 403, "SignatureDoesNotMatch"),
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
    );
    let reply = h
        .raw(sts_request(
            &action("GetCallerIdentity"),
            &Signing::key("AKIAIOSFODNN7EXAMPLE", "x"),
        ))
        .await;
    assert_eq!(
        sts_error(&reply, 403, "InvalidClientTokenId"),
        "The security token included in the request is invalid."
    );
    let region = Signing {
        region: "eu-west-1".to_owned(),
        ..Signing::default()
    };
    let reply = h
        .raw(sts_request(&action("GetCallerIdentity"), &region))
        .await;
    assert_eq!(
        sts_error(&reply, 403, "SignatureDoesNotMatch"),
        "Credential should be scoped to a valid region, not 'eu-west-1'. "
    );
    let unsigned = Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from("Action=GetCallerIdentity&Version=2011-06-15"))
        .unwrap();
    let reply = h.raw(unsigned).await;
    assert_eq!(
        sts_error(&reply, 403, "MissingAuthenticationToken"),
        "Request is missing Authentication Token"
    );
}

#[tokio::test]
async fn a_form_body_signed_for_cognito_idp_is_refused_as_sts_would() {
    let h = Harness::new();
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let mut request = Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap();
    Signing::default().sign(&mut request, body.as_bytes());
    let reply = h.raw(request).await;
    assert_eq!(
        sts_error(&reply, 403, "SignatureDoesNotMatch"),
        "Credential should be scoped to correct service: 'sts'. "
    );
}

#[tokio::test]
async fn unknown_and_unserved_actions_are_invalid_action() {
    let h = Harness::new();
    let reply = h
        .raw(sts_request(&action("MakeCoffee"), &Signing::default()))
        .await;
    assert_eq!(
        sts_error(&reply, 400, "InvalidAction"),
        "Could not find operation MakeCoffee for version 2011-06-15"
    );
    let reply = h
        .raw(sts_request(
            &[("Action", "GetCallerIdentity"), ("Version", "2099-01-01")],
            &Signing::default(),
        ))
        .await;
    assert_eq!(
        sts_error(&reply, 400, "InvalidAction"),
        "Could not find operation GetCallerIdentity for version 2099-01-01"
    );
    let reply = h
        .raw(sts_request(
            &action("GetFederationToken"),
            &Signing::default(),
        ))
        .await;
    assert!(sts_error(&reply, 400, "InvalidAction").contains("not implemented by this emulator"));
}

#[tokio::test]
async fn mfa_parameters_and_malformed_durations_are_refused() {
    let h = Harness::new();
    // No MFA device exists here, so no code can be right (README "Known deviations").
    let reply = get_session_token(
        &h,
        &[
            ("SerialNumber", "arn:aws:iam::123456789012:mfa/user"),
            ("TokenCode", "123456"),
        ],
        &Signing::default(),
    )
    .await;
    assert!(sts_error(&reply, 403, "AccessDenied").starts_with("MultiFactorAuthentication failed"));
    let reply = get_session_token(&h, &[("TokenCode", "12345")], &Signing::default()).await;
    assert!(sts_error(&reply, 400, "ValidationError").contains("at 'tokenCode'"));
    for bad in ["-1", "0"] {
        let reply = get_session_token(&h, &[("DurationSeconds", bad)], &Signing::default()).await;
        assert!(
            sts_error(&reply, 400, "ValidationError")
                .ends_with("Member must have value greater than or equal to 900"),
            "{bad}"
        );
    }
    for bad in ["+900", "nine hundred", "1e3"] {
        let reply = get_session_token(&h, &[("DurationSeconds", bad)], &Signing::default()).await;
        sts_error(&reply, 400, "ValidationError");
    }
}

#[tokio::test]
async fn strict_mode_refuses_unknown_temporary_keys_on_sts() {
    let mut config = emulator::Config::for_tests();
    config.strict_credentials = true;
    let h = Harness::with_config(config);
    let signing = Signing::session("ASIAUNKNOWN000000001", "secret", "token");
    let reply = h
        .raw(sts_request(&action("GetCallerIdentity"), &signing))
        .await;
    sts_error(&reply, 403, "InvalidClientTokenId");
}

#[tokio::test]
async fn default_mode_accepts_unknown_keys_as_iam_users_named_after_them() {
    let h = Harness::new();
    let dummy = Signing::key("testing", "testing");
    let reply = h
        .raw(sts_request(&action("GetCallerIdentity"), &dummy))
        .await;
    assert_eq!(
        xml(&reply, "Arn"),
        format!("arn:aws:iam::{ACCOUNT}:user/testing")
    );
    // A key id that no AWS key could be is refused even here.
    let odd = Signing::key("not-a-key!", "x");
    let reply = h.raw(sts_request(&action("GetCallerIdentity"), &odd)).await;
    sts_error(&reply, 403, "InvalidClientTokenId");
}
