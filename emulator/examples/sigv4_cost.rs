//! What one SigV4 verification costs: `Keyring::authenticate` over an AdminGetUser-shaped
//! request signed with the built-in pair, and the key derivation alone. Prints figures,
//! asserts nothing (README "Signature verification").
//!
//! `cargo run --release -p emulator --example sigv4_cost`

use axum::http::{HeaderMap, HeaderValue};
use emulator::credentials::{sigv4, Keyring};
use emulator::Timestamp;

fn main() {
    let keyring = Keyring::new(&[], true);
    let body = br#"{"UserPoolId":"us-east-1_abcdefghi","Username":"user-000123"}"#;
    let now = Timestamp::from_secs(1_796_180_000);
    let amz_date = now.amz_date();
    let day = &amz_date[..8];
    let mut headers = HeaderMap::new();
    headers.insert("host", HeaderValue::from_static("127.0.0.1:9229"));
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    headers.insert(
        "x-amz-target",
        HeaderValue::from_static("AWSCognitoIdentityProviderService.AdminGetUser"),
    );
    headers.insert("x-amz-date", HeaderValue::from_str(&amz_date).unwrap());
    let signed = "content-type;host;x-amz-date;x-amz-target";
    let scope = format!("{day}/us-east-1/cognito-idp/aws4_request");
    let signature = {
        let request = sigv4::Request {
            method: "POST",
            path: "/",
            query: "",
            headers: &headers,
            body,
        };
        let key = sigv4::signing_key("test", day, "us-east-1", "cognito-idp");
        let to_sign = sigv4::string_to_sign(
            &amz_date,
            &scope,
            &sigv4::canonical_request(&request, signed),
        );
        sigv4::signature(&key, &to_sign)
    };
    headers.insert(
        "authorization",
        HeaderValue::from_str(&format!(
            "AWS4-HMAC-SHA256 Credential=test/{scope}, SignedHeaders={signed}, Signature={signature}"
        ))
        .unwrap(),
    );
    let request = sigv4::Request {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
        body,
    };
    let rounds = 200_000;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        keyring
            .authenticate(&request, "cognito-idp", "us-east-1", now, now)
            .expect("the request is signed with the built-in pair");
    }
    let whole = started.elapsed() / rounds;
    let started = std::time::Instant::now();
    for _ in 0..rounds {
        std::hint::black_box(sigv4::signing_key("test", day, "us-east-1", "cognito-idp"));
    }
    let derivation = started.elapsed() / rounds;
    println!("authenticate: {whole:?} per request; the key derivation alone (cached per key and scope in authenticate): {derivation:?}");
}
