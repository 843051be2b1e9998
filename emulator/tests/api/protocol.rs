//! The wire protocol (wire facts §2, §10): routing, error encoding, validation, auth presence.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

use crate::support::{request, Harness, Signing};

/// A request with these headers and body, signed with the built-in pair.
fn signed(content_type: &str, target: &str, body: &str) -> Request<Body> {
    let mut request = Request::post("/")
        .header("host", "localhost")
        .header("content-type", content_type)
        .header("x-amz-target", target)
        .body(Body::from(body.to_owned()))
        .unwrap();
    Signing::default().sign(&mut request, body.as_bytes());
    request
}

#[tokio::test]
async fn success_is_200_with_amz_json_content_type_and_request_id() {
    let h = Harness::new();
    let reply = h.call("ListUserPools", json!({"MaxResults": 10})).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["content-type"], "application/x-amz-json-1.1");
    let request_id = reply.headers["x-amzn-requestid"].to_str().unwrap();
    assert_eq!(request_id.len(), 36, "a UUID: {request_id}");
    assert_eq!(reply.body, json!({"UserPools": []}));
}

#[tokio::test]
async fn errors_carry_type_in_body_and_headers() {
    // Wire facts §2.3: 400, body {"__type", "message"}, x-amzn-ErrorType "Name:" and x-amzn-ErrorMessage.
    let h = Harness::new();
    let reply = h
        .call(
            "DescribeUserPool",
            json!({"UserPoolId": "us-east-1_nothere1"}),
        )
        .await;
    reply
        .err("ResourceNotFoundException")
        .msg("User pool us-east-1_nothere1 does not exist.");
    assert_eq!(
        reply.headers["x-amzn-errortype"],
        "ResourceNotFoundException:"
    );
    assert_eq!(
        reply.headers["x-amzn-errormessage"],
        "User pool us-east-1_nothere1 does not exist."
    );
    assert_eq!(reply.headers["content-type"], "application/x-amz-json-1.1");
    assert!(reply.headers.contains_key("x-amzn-requestid"));
}

#[tokio::test]
async fn unknown_operation_is_unknown_operation_exception() {
    let h = Harness::new();
    let reply = h.call("MakeCoffee", json!({})).await;
    reply.err("UnknownOperationException");
    assert!(reply.message().contains("MakeCoffee"));
}

#[tokio::test]
async fn missing_or_foreign_target_is_refused() {
    let h = Harness::new();
    let missing = Request::post("/")
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from("{}"))
        .unwrap();
    h.raw(missing).await.err("UnknownOperationException");
    let foreign = signed(
        "application/x-amz-json-1.1",
        "DynamoDB_20120810.ListTables",
        "{}",
    );
    h.raw(foreign).await.err("UnknownOperationException");
}

#[tokio::test]
async fn malformed_json_is_serialization_exception() {
    let h = Harness::new();
    let bad = signed(
        "application/x-amz-json-1.1",
        "AWSCognitoIdentityProviderService.ListUserPools",
        "{\"MaxResults\": 10,",
    );
    h.raw(bad).await.err("SerializationException");
}

#[tokio::test]
async fn wrong_json_type_is_serialization_exception() {
    let h = Harness::new();
    h.call("ListUserPools", json!({"MaxResults": "ten"}))
        .await
        .err("SerializationException");
    h.call("ListUserPools", json!([1, 2]))
        .await
        .err("SerializationException");
}

#[tokio::test]
async fn oversized_body_is_refused_cleanly() {
    let h = Harness::new();
    let huge = format!(
        "{{\"PoolName\": \"{}\"}}",
        "a".repeat(emulator::protocol::MAX_BODY_BYTES + 10)
    );
    let req = signed(
        "application/x-amz-json-1.1",
        "AWSCognitoIdentityProviderService.CreateUserPool",
        &huge,
    );
    let reply = h.raw(req).await;
    reply.err("SerializationException");
    assert!(reply.message().contains("too large"), "{}", reply.message());
}

#[tokio::test]
async fn plain_application_json_is_accepted_and_other_types_are_not() {
    let h = Harness::new();
    let req = |ct: &str| {
        signed(
            ct,
            "AWSCognitoIdentityProviderService.ListUserPools",
            "{\"MaxResults\": 5}",
        )
    };
    assert_eq!(h.raw(req("application/json")).await.status, StatusCode::OK);
    assert_eq!(
        h.raw(req("application/x-amz-json-1.1; charset=utf-8"))
            .await
            .status,
        StatusCode::OK
    );
    h.raw(req("text/xml")).await.err("SerializationException");
}

#[tokio::test]
async fn model_operation_not_implemented_is_a_non_retryable_400_naming_it() {
    let h = Harness::new();
    // DescribeRiskConfiguration exists in the model (wire facts §1.1); validation passes first.
    let reply = h
        .call(
            "DescribeRiskConfiguration",
            json!({"UserPoolId": "us-east-1_abc123XYZ"}),
        )
        .await;
    reply.err("UnsupportedOperationException");
    assert!(reply.message().contains("DescribeRiskConfiguration"));
}

#[tokio::test]
async fn signed_operation_without_authorization_is_refused() {
    let h = Harness::new();
    let reply = h
        .call_unsigned("ListUserPools", json!({"MaxResults": 10}))
        .await;
    reply
        .err("MissingAuthenticationTokenException")
        .msg("Missing Authentication Token");
    let garbled = Request::post("/")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.ListUserPools",
        )
        .header("authorization", "AWS4-HMAC-SHA256 Credential=x")
        .body(Body::from("{\"MaxResults\": 5}"))
        .unwrap();
    h.raw(garbled).await.err("IncompleteSignatureException");
}

#[tokio::test]
async fn unsigned_operation_needs_no_authorization() {
    // SignUp is `authtype: none` in the model (wire facts §1): it reaches the operation,
    // which answers about the unknown client rather than about credentials.
    let h = Harness::new();
    let reply = h
        .call_unsigned(
            "SignUp",
            json!({"ClientId": "abcdefghijklmnopqrstuvwxyz", "Username": "u", "Password": "Passw0rd!"}),
        )
        .await;
    assert_ne!(
        reply.error_type(),
        "MissingAuthenticationTokenException",
        "{}",
        reply.body
    );
}

#[tokio::test]
async fn validation_uses_coral_messages() {
    // Wire facts §7.5: exact Coral text, camelCased member path.
    let h = Harness::new();
    h.call("DescribeUserPool", json!({"UserPoolId": "string"}))
        .await
        .err("InvalidParameterException")
        .msg("1 validation error detected: Value 'string' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+_[0-9a-zA-Z]+");
    h.call("ListUserPools", json!({}))
        .await
        .err("InvalidParameterException")
        .msg("1 validation error detected: Value null at 'maxResults' failed to satisfy constraint: Member must not be null");
}

#[tokio::test]
async fn validation_counts_several_errors() {
    let h = Harness::new();
    let reply = h
        .call(
            "ListUserPools",
            json!({"MaxResults": 0, "NextToken": "x y"}),
        )
        .await;
    reply.err("InvalidParameterException");
    assert!(
        reply
            .message()
            .starts_with("2 validation errors detected: "),
        "{}",
        reply.message()
    );
    assert!(reply.message().contains("; "));
}

#[tokio::test]
async fn unknown_members_are_ignored() {
    let h = Harness::new();
    h.call("ListUserPools", json!({"MaxResults": 5, "Bogus": {"x": 1}}))
        .await
        .ok();
}

#[tokio::test]
async fn cors_preflight_allows_browser_sdk_headers() {
    let h = Harness::new();
    let req = Request::builder()
        .method("OPTIONS")
        .uri("/")
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,x-amz-target,x-amz-user-agent,cache-control",
        )
        .body(Body::empty())
        .unwrap();
    let reply = h.raw(req).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
    let allowed = reply.headers["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for needed in [
        "x-amz-target",
        "x-amz-user-agent",
        "cache-control",
        "content-type",
    ] {
        assert!(allowed.contains(needed), "{allowed}");
    }
    // Actual responses expose the error headers to scripts.
    let reply = h
        .raw(request("ListUserPools", json!({"MaxResults": 1}), true))
        .await;
    assert_eq!(reply.headers["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn unknown_path_is_a_json_404() {
    let h = Harness::new();
    let reply = h
        .raw(Request::get("/nope").body(Body::empty()).unwrap())
        .await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body["__type"].is_string());
}

/// Every operation in the model, called with awkward inputs, answers a Cognito-shaped 200 or
/// 400: never a 500, never a dropped connection.
#[tokio::test]
async fn no_operation_fails_internally_on_odd_input() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (client, _) = h.create_client(&pool, json!({})).await;
    let names: Vec<String> = emulator::protocol::schema::Schema::get()
        .operation_names()
        .map(str::to_owned)
        .collect();
    assert_eq!(names.len(), 153);
    let bodies = [
        json!({}),
        json!({"UserPoolId": pool, "ClientId": client, "Username": "x", "AccessToken": "a.b.c",
               "AuthFlow": "USER_PASSWORD_AUTH", "AuthParameters": {}, "Password": "p", "ConfirmationCode": "1",
               "Token": "t", "MaxResults": 1, "PoolName": "p", "ClientName": "c", "UserAttributes": [],
               "UserAttributeNames": [], "AttributeName": "email", "Code": "1", "ProposedPassword": "p",
               "CustomAttributes": [], "Session": "s".repeat(20), "ChallengeName": "PASSWORD_VERIFIER"}),
        json!({"UserPoolId": null, "ClientId": [], "Username": {}, "MaxResults": -1}),
    ];
    for name in &names {
        for body in &bodies {
            let reply = h.call(name, body.clone()).await;
            assert!(
                reply.status.as_u16() == 200 || reply.status.as_u16() == 400,
                "{name} {body}: {} {}",
                reply.status,
                reply.body
            );
            if reply.status.as_u16() == 400 {
                assert!(reply.body["__type"].is_string(), "{name}: {}", reply.body);
            }
        }
    }
}
