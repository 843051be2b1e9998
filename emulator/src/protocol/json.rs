//! The AWS JSON 1.1 front door (cognito-idp): `POST /` with `X-Amz-Target:
//! AWSCognitoIdentityProviderService.{Operation}`. It parses, authenticates signed operations,
//! calls `ops::dispatch` and renders the result or the error (wire facts §2).

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::cors::add_cors;
use super::{authenticate, header_str, read_body, MAX_BODY_BYTES};
use crate::credentials::AuthError;
use crate::error::{Failure, ProtocolError, ServiceError};
use crate::ops::{dispatch_async, Caller};
use crate::protocol::schema::Schema;
use crate::AppState;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The signing name in a cognito-idp request's credential scope.
const SERVICE: &str = "cognito-idp";

pub async fn handle(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let request_id = state.ids.uuid();
    let outcome = run(state, method, uri, headers, body).await;
    // Answered, success or error (a failed sign-in counts toward lockout), only once durable.
    let outcome = match state.durable().await {
        Ok(()) => outcome,
        Err(why) => Err(Failure::Service(ServiceError::internal(why))),
    };
    match outcome {
        Ok(value) => {
            let mut response = json_response(
                StatusCode::OK,
                serde_json::to_vec(&value).unwrap_or_default(),
            );
            add_common_headers(&mut response, &request_id);
            response
        }
        Err(failure) => error_response(&failure, &request_id),
    }
}

async fn run(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, Failure> {
    let target = header_str(headers, "x-amz-target")
        .ok_or_else(|| ProtocolError::unknown_operation("Missing X-Amz-Target header."))?;
    let operation = target.strip_prefix(TARGET_PREFIX).ok_or_else(|| {
        ProtocolError::unknown_operation(format!(
            "Unknown target {target}: this endpoint serves {TARGET_PREFIX}*"
        ))
    })?;
    if let Some(content_type) = header_str(headers, "content-type") {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        if !essence.eq_ignore_ascii_case(JSON_CONTENT_TYPE)
            && !essence.eq_ignore_ascii_case("application/json")
        {
            return Err(ProtocolError::serialization(format!(
                "Unsupported Content-Type {essence}: send {JSON_CONTENT_TYPE}."
            ))
            .into());
        }
    }
    let info = Schema::get().operation(operation).ok_or_else(|| {
        ProtocolError::unknown_operation(format!("Unknown operation {operation}."))
    })?;
    let bytes = read_body(body, MAX_BODY_BYTES)
        .await
        .map_err(ProtocolError::serialization)?;
    let caller = if info.unsigned {
        Caller::Unsigned
    } else {
        let principal =
            authenticate(state, method, uri, headers, &bytes, SERVICE).map_err(auth_failure)?;
        Caller::Signed(principal)
    };
    let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| ProtocolError::serialization(format!("Malformed JSON body: {e}")))?
    };
    // Costly operations off the async workers; a panic is an internal error.
    dispatch_async(state, operation, value, caller).await
}

/// cognito-idp's answers to a refused signature: HTTP 400 JSON with these types
/// (admin-sigv4-facts §5.1).
fn auth_failure(error: AuthError) -> Failure {
    let type_name = match &error {
        AuthError::Missing => "MissingAuthenticationTokenException",
        AuthError::Incomplete(_) => "IncompleteSignatureException",
        AuthError::UnknownKey => "UnrecognizedClientException",
        AuthError::BadSignature | AuthError::Refused(_) => "InvalidSignatureException",
        AuthError::ExpiredToken => "ExpiredTokenException",
    };
    Failure::Protocol(ProtocolError::new(type_name, error.message()))
}

fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(JSON_CONTENT_TYPE),
    );
    response
}

fn add_common_headers(response: &mut Response, request_id: &str) {
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(request_id) {
        headers.insert("x-amzn-requestid", v);
    }
    add_cors(headers);
}

/// Renders every error: status, `{"__type", "message"}` body, `x-amzn-ErrorType: Name:` and
/// `x-amzn-ErrorMessage` headers (wire facts §2.3). Internal errors never carry their own text.
pub fn error_response(failure: &Failure, request_id: &str) -> Response {
    let body = serde_json::json!({ "__type": failure.type_name(), "message": failure.message() });
    let status = StatusCode::from_u16(failure.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let mut response = json_response(status, serde_json::to_vec(&body).unwrap_or_default());
    add_common_headers(&mut response, request_id);
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", failure.type_name())) {
        headers.insert("x-amzn-errortype", v);
    }
    // Header values must be visible ASCII; messages with other characters are only in the body.
    if let Ok(v) = HeaderValue::from_str(failure.message()) {
        headers.insert("x-amzn-errormessage", v);
    }
    response
}
