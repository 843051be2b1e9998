//! CORS for browser SDKs (amazon-cognito-identity-js, Amplify): the headers every answer
//! carries and the preflight.

use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The headers every answer carries, so a browser page can read replies and errors.
pub fn add_cors(headers: &mut HeaderMap) {
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
    );
}

/// CORS preflight: browser SDKs send `X-Amz-Target`, `X-Amz-User-Agent`, `Cache-Control`.
pub async fn preflight(headers: HeaderMap) -> Response {
    let mut response = StatusCode::OK.into_response();
    let out = response.headers_mut();
    add_cors(out);
    out.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    let allowed = headers
        .get("access-control-request-headers")
        .cloned()
        .unwrap_or(HeaderValue::from_static(
            "content-type,x-amz-target,x-amz-user-agent,cache-control,authorization,x-amz-date,x-amz-security-token,amz-sdk-invocation-id,amz-sdk-request",
        ));
    out.insert("access-control-allow-headers", allowed);
    out.insert("access-control-max-age", HeaderValue::from_static("86400"));
    response
}
