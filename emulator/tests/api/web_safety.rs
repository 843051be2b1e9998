//! Safety from web pages (README "Safety from web pages"; reliability review bf0e4fb defects 3
//! and 14): the `Host` check against DNS rebinding, the emulator routes closed to other sites,
//! signed operations from browsers only with keys the emulator verified, and Cognito-shaped
//! answers to other methods on `/`.
//!
//! Expected values: AWS's texts from admin-sigv4-facts §5.1 and §6.5 and addenda §12; the
//! browser rules (what needs a preflight, that browsers send `Origin` and `Host`) from the
//! Fetch standard; the clock's start from the harness.

use axum::body::Body;
use axum::http::{HeaderValue, Method, Request, StatusCode};
use emulator::Config;
use serde_json::json;

use crate::support::{signed_request, sts_request, Harness, Reply, Signing};

const EVIL_ORIGIN: &str = "http://evil.example";
/// admin-sigv4-facts §5.1: cognito-idp's answer to a key nobody issued.
const UNKNOWN_KEY: &str = "The security token included in the request is invalid.";
/// A key id AWS could have issued, which this emulator does not know.
const MADE_UP_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
/// The harness's clock starts here (support.rs).
const START: f64 = 1_700_000_000.0;

fn clock_post(content_type: Option<&str>, body: &str) -> Request<Body> {
    let mut request = Request::post("/_emulator/clock")
        .header("host", "127.0.0.1:9229")
        .header("origin", EVIL_ORIGIN);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

fn get(uri: &str, host: &str) -> Request<Body> {
    Request::get(uri)
        .header("host", host)
        .body(Body::empty())
        .unwrap()
}

async fn clock_now(h: &Harness) -> f64 {
    let reply = h.raw(get("/_emulator/clock", "localhost:9229")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body["now"].as_f64().unwrap()
}

fn header<'r>(reply: &'r Reply, name: &str) -> Option<&'r str> {
    reply.headers.get(name).map(|v| v.to_str().unwrap())
}

// --- The clock refuses what a page on another site can send without a preflight. ---

#[tokio::test]
async fn a_text_plain_clock_post_is_refused_and_the_clock_stays() {
    let h = Harness::new();
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let reply = h
            .raw(clock_post(content_type, r#"{"advance_seconds": 86400}"#))
            .await;
        assert_eq!(
            reply.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}"
        );
        let message = reply.body["message"].as_str().unwrap();
        assert!(message.contains("application/json"), "{message}");
        assert_eq!(header(&reply, "access-control-allow-origin"), None);
    }
    assert_eq!(clock_now(&h).await, START);
}

#[tokio::test]
async fn a_json_clock_post_moves_the_clock() {
    let h = Harness::new();
    for content_type in ["application/json", "Application/JSON; charset=utf-8"] {
        let reply = h
            .raw(clock_post(Some(content_type), r#"{"advance_seconds": 60}"#))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        // Still no CORS: a page on another site cannot read the answer either.
        assert_eq!(header(&reply, "access-control-allow-origin"), None);
    }
    assert_eq!(clock_now(&h).await, START + 120.0);
}

// --- The Host check (DNS rebinding). ---

#[tokio::test]
async fn a_foreign_host_is_refused_on_the_api_the_outbox_and_the_clock() {
    let h = Harness::new();
    let foreign = "evil.example:9229";

    let mut sign_up = Request::post("/")
        .header("host", foreign)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body(Body::from(
            json!({"ClientId": "x", "Username": "u", "Password": "p"}).to_string(),
        ))
        .unwrap();
    sign_up.headers_mut().insert(
        "origin",
        HeaderValue::from_static("http://evil.example:9229"),
    );
    let reply = h.raw(sign_up).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_type(), "ForbiddenException");
    assert_eq!(
        header(&reply, "x-amzn-errortype"),
        Some("ForbiddenException:")
    );
    assert!(
        reply.message().contains("--allowed-host evil.example"),
        "{}",
        reply.message()
    );

    for request in [
        get("/_emulator/outbox", foreign),
        get("/_emulator/clock", foreign),
        Request::post("/_emulator/clock")
            .header("host", foreign)
            .header("content-type", "application/json")
            .body(Body::from(r#"{"advance_seconds": 86400}"#))
            .unwrap(),
    ] {
        let what = format!("{} {}", request.method(), request.uri());
        let reply = h.raw(request).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
        let message = reply.body["message"].as_str().unwrap();
        assert!(
            message.contains("--allowed-host evil.example"),
            "{what}: {message}"
        );
        assert!(
            message.contains("COGNITO_EMULATOR_ALLOWED_HOSTS"),
            "{message}"
        );
        assert!(reply.body.get("messages").is_none(), "{what}");
    }
    assert_eq!(
        clock_now(&h).await,
        START,
        "the refused POST did not move it"
    );

    // The well-known documents and unknown paths are behind the same check.
    let pool = h.create_pool(json!({})).await;
    let reply = h
        .raw(get(&format!("/{pool}/.well-known/jwks.json"), foreign))
        .await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    assert_eq!(reply.error_type(), "ForbiddenException");
    let reply = h.raw(get("/nope", foreign)).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_foreign_host_gets_sts_shaped_refusal_on_sts() {
    let h = Harness::new();
    let mut request = sts_request(
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        &Signing::default(),
    );
    request
        .headers_mut()
        .insert("host", HeaderValue::from_static("evil.example"));
    let reply = h.raw(request).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let xml = reply.body.as_str().unwrap();
    assert!(xml.contains("<Code>AccessDenied</Code>"), "{xml}");
    assert!(xml.contains("--allowed-host evil.example"), "{xml}");
}

#[tokio::test]
async fn loopback_names_and_addresses_are_accepted() {
    let h = Harness::new();
    for host in [
        "localhost",
        "localhost:9229",
        "LocalHost:9229",
        "app.localhost:9229",
        "127.0.0.1",
        "127.0.0.1:9229",
        "127.8.9.10:9229",
        "[::1]:9229",
        "[::1]",
    ] {
        let reply = h.raw(get("/_emulator/outbox", host)).await;
        assert_eq!(reply.status, StatusCode::OK, "{host}: {}", reply.body);
    }
    // A request without Host cannot come from a browser (HTTP/1.0 tools, in-process callers).
    let reply = h
        .raw(
            Request::get("/_emulator/outbox")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[tokio::test]
async fn the_public_url_host_and_allowed_hosts_are_accepted() {
    let h = Harness::with_config(Config {
        public_url: Some("http://emulator.test:9229".to_owned()),
        allowed_hosts: vec!["cognito".to_owned(), "idp.internal".to_owned()],
        ..Config::for_tests()
    });
    for host in [
        "emulator.test:9229",
        "cognito:9229",
        "cognito",
        "IDP.internal:80",
    ] {
        let reply = h.raw(get("/_emulator/outbox", host)).await;
        assert_eq!(reply.status, StatusCode::OK, "{host}: {}", reply.body);
    }
    for host in [
        "other:9229",
        "cognito.evil.example",
        "emulator.test.evil.example",
    ] {
        let reply = h.raw(get("/_emulator/outbox", host)).await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{host}");
    }
    // The API's answer for an allowed name.
    let mut request = signed_request(
        "ListUserPools",
        json!({"MaxResults": 1}),
        &Signing::default(),
    );
    request
        .headers_mut()
        .insert("host", HeaderValue::from_static("cognito:9229"));
    let reply = h.raw(request).await;
    // The name passes the check; the signature covered `localhost`, so it is the signature
    // check that answers, not the Host check.
    assert_eq!(reply.error_type(), "InvalidSignatureException");
}

#[tokio::test]
async fn allowed_host_star_turns_the_check_off() {
    let h = Harness::with_config(Config {
        allowed_hosts: vec!["*".to_owned()],
        ..Config::for_tests()
    });
    let reply = h.raw(get("/_emulator/outbox", "evil.example:9229")).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[test]
fn allowed_hosts_come_from_the_flag_and_the_environment_variable() {
    use clap::Parser;
    let config = Config::parse_from([
        "cognito-emulator",
        "--allowed-host",
        "cognito",
        "--allowed-host",
        "a.internal,b.internal",
    ]);
    assert_eq!(
        config.allowed_hosts,
        ["cognito", "a.internal", "b.internal"]
    );
    let refused =
        Config::try_parse_from(["cognito-emulator", "--allowed-host", "http://cognito:9229"]);
    assert!(refused.is_err());
    // No other test in this binary parses a Config from the environment.
    std::env::set_var("COGNITO_EMULATOR_ALLOWED_HOSTS", "cognito,idp.internal");
    let config = Config::try_parse_from(["cognito-emulator"]);
    std::env::remove_var("COGNITO_EMULATOR_ALLOWED_HOSTS");
    assert_eq!(config.unwrap().allowed_hosts, ["cognito", "idp.internal"]);
}

// --- Signed operations from browsers: only keys the emulator verified. ---

/// A signed DescribeUserPoolClient as a page would send it: the browser adds `Origin` after
/// the page's SDK signed the request.
fn describe_client_from_a_page(pool: &str, client: &str, signing: &Signing) -> Request<Body> {
    let mut request = signed_request(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
        signing,
    );
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_static(EVIL_ORIGIN));
    request
}

#[tokio::test]
async fn a_browser_request_signed_with_an_unknown_key_is_unrecognized_client() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (client, _) = h
        .create_client(&pool, json!({"GenerateSecret": true}))
        .await;
    let made_up = Signing::key(MADE_UP_KEY, "anything");
    let reply = h
        .raw(describe_client_from_a_page(&pool, &client, &made_up))
        .await;
    reply.err("UnrecognizedClientException").msg(UNKNOWN_KEY);
    assert!(reply.body.get("UserPoolClient").is_none());

    // The same from a page with the built-in pair, which the emulator verifies, is served.
    let reply = h
        .raw(describe_client_from_a_page(
            &pool,
            &client,
            &Signing::default(),
        ))
        .await;
    assert_eq!(header(&reply, "access-control-allow-origin"), Some("*"));
    let body = reply.ok();
    assert!(body["UserPoolClient"]["ClientSecret"].is_string());

    // Without `Origin` (an SDK outside a browser) the documented leniency still holds.
    let request = signed_request(
        "DescribeUserPoolClient",
        json!({"UserPoolId": pool, "ClientId": client}),
        &made_up,
    );
    h.raw(request).await.ok();
}

#[tokio::test]
async fn a_browser_sts_request_signed_with_an_unknown_key_is_invalid_client_token_id() {
    let h = Harness::new();
    let mut request = sts_request(
        &[("Action", "GetCallerIdentity"), ("Version", "2011-06-15")],
        &Signing::key(MADE_UP_KEY, "anything"),
    );
    request
        .headers_mut()
        .insert("origin", HeaderValue::from_static(EVIL_ORIGIN));
    let reply = h.raw(request).await;
    // admin-sigv4-facts §6.5: STS answers an unknown key with 403 InvalidClientTokenId.
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    let xml = reply.body.as_str().unwrap();
    assert!(xml.contains("<Code>InvalidClientTokenId</Code>"), "{xml}");
    assert!(xml.contains(UNKNOWN_KEY), "{xml}");
}

#[tokio::test]
async fn an_unsigned_public_operation_from_a_browser_keeps_working_with_cors() {
    let h = Harness::new();
    let pool = h.create_pool(json!({})).await;
    let (client, _) = h.create_client(&pool, json!({})).await;
    // What amazon-cognito-identity-js sends from a page (wire facts §2.1).
    let request = Request::post("/")
        .header("host", "localhost:9229")
        .header("origin", "http://localhost:3000")
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .header("x-amz-user-agent", "aws-amplify/0.1.x js")
        .header("cache-control", "no-store")
        .body(Body::from(
            json!({"ClientId": client, "Username": "me@example.com", "Password": "correct-horse-1A!"})
                .to_string(),
        ))
        .unwrap();
    let reply = h.raw(request).await;
    assert_eq!(header(&reply, "access-control-allow-origin"), Some("*"));
    let body = reply.ok();
    assert_eq!(body["UserConfirmed"], false);
}

// --- CORS: the API's preflight as before; the emulator routes grant none. ---

fn preflight(uri: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri(uri)
        .header("host", "127.0.0.1:9229")
        .header("origin", EVIL_ORIGIN)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn emulator_routes_preflights_grant_no_cors() {
    let h = Harness::new();
    for uri in ["/_emulator/clock", "/_emulator/outbox", "/_emulator/other"] {
        let reply = h.raw(preflight(uri)).await;
        assert!(reply.status.is_client_error(), "{uri}: {}", reply.status);
        for name in [
            "access-control-allow-origin",
            "access-control-allow-headers",
            "access-control-allow-methods",
        ] {
            assert_eq!(header(&reply, name), None, "{uri}: {name}");
        }
        assert!(reply.body["message"].is_string(), "{uri}");
    }
    // The API's own preflight still answers, as AWS's does (wire facts §2.1).
    let reply = h.raw(preflight("/")).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(header(&reply, "access-control-allow-origin"), Some("*"));
}

// --- Other methods on `/`. ---

#[tokio::test]
async fn get_put_and_delete_on_the_api_are_cognito_shaped() {
    let h = Harness::new();
    for method in [Method::GET, Method::PUT, Method::DELETE, Method::PATCH] {
        let request = Request::builder()
            .method(method.clone())
            .uri("/")
            .header("host", "localhost:9229")
            .body(Body::empty())
            .unwrap();
        let reply = h.raw(request).await;
        // addenda §12: AWS's front end answers 404 with this text.
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{method}");
        assert_eq!(reply.error_type(), "UnknownOperationException", "{method}");
        assert_eq!(
            reply.message(),
            "The server did not understand the operation that was requested."
        );
        assert_eq!(
            header(&reply, "x-amzn-errortype"),
            Some("UnknownOperationException:")
        );
        assert_eq!(
            header(&reply, "content-type"),
            Some("application/x-amz-json-1.1")
        );
        assert!(header(&reply, "x-amzn-requestid").is_some());
    }
}
