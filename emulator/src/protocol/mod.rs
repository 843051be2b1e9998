//! The only code that knows HTTP: routes, `X-Amz-Target` parsing, body decoding,
//! SigV4 presence checks, rendering of results and errors, CORS.
//! Operations below it see JSON values and a `Cx`, never a request.

pub mod schema;
pub mod sigv4;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::Value;

use crate::error::{Failure, ProtocolError, ServiceError};
use crate::ops::{dispatch, Caller};
use crate::AppState;
use schema::Schema;

/// Requests larger than this are refused before parsing. Cognito inputs are small; the
/// largest legitimate ones (UpdateUserPool with templates) are a few tens of kilobytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
const JSON_CONTENT_TYPE: &str = "application/x-amz-json-1.1";

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", post(api).options(preflight))
        .route("/{pool_id}/.well-known/jwks.json", get(jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(openid_configuration),
        )
        .route("/_emulator/outbox", get(outbox))
        .route("/_emulator/clock", get(clock_now).post(clock_advance))
        .fallback(fallback)
        .with_state(state)
}

async fn api(State(state): State<AppState>, headers: HeaderMap, body: Body) -> Response {
    let request_id = state.ids.uuid();
    let result = handle(&state, &headers, body).await;
    match result {
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

async fn handle(state: &AppState, headers: &HeaderMap, body: Body) -> Result<Value, Failure> {
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
    let caller = if info.unsigned {
        Caller::Unsigned
    } else {
        Caller::Signed(sigv4::parse_authorization(header_str(
            headers,
            "authorization",
        ))?)
    };
    let bytes = read_body(body).await?;
    let value: Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(&bytes)
            .map_err(|e| ProtocolError::serialization(format!("Malformed JSON body: {e}")))?
    };
    // A bug must not drop the connection: a panic in an operation is an internal error.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        dispatch(state, operation, value, caller)
    }))
    .unwrap_or_else(|_| {
        Err(Failure::Service(ServiceError::internal(format!(
            "operation {operation} panicked"
        ))))
    })
}

async fn read_body(body: Body) -> Result<Bytes, ProtocolError> {
    to_bytes(body, MAX_BODY_BYTES).await.map_err(|_| {
        ProtocolError::serialization(format!(
            "Request body is too large or unreadable: the limit is {MAX_BODY_BYTES} bytes."
        ))
    })
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
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

fn add_cors(headers: &mut HeaderMap) {
    headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    headers.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
    );
}

/// CORS preflight: browser SDKs send `X-Amz-Target`, `X-Amz-User-Agent`, `Cache-Control`.
async fn preflight(headers: HeaderMap) -> Response {
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

/// A JSON document for an existing pool, or a 404 naming the missing pool.
fn pool_document(
    state: &AppState,
    pool_id: &str,
    build: impl FnOnce(&crate::store::PoolEntry) -> Value,
) -> Response {
    match state.store.pool(pool_id) {
        Ok(entry) => {
            let mut response = axum::Json(build(&entry)).into_response();
            add_cors(response.headers_mut());
            response
        }
        Err(e) => {
            let mut response = error_response(&Failure::Service(e), &state.ids.uuid());
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

/// `GET /{pool}/.well-known/jwks.json` (wire facts §3.2): both signing keys.
async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    pool_document(&state, &pool_id, |entry| entry.keys.get().jwks())
}

/// `GET /{pool}/.well-known/openid-configuration`, shaped like a pool without a domain's
/// (wire facts §3.2). `jwks_uri` points at this emulator so verifiers can fetch the keys.
async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    let issuer = state.issuer(&pool_id);
    let base = format!("{}/{pool_id}", state.public_url());
    pool_document(&state, &pool_id, |_| {
        serde_json::json!({
            "authorization_endpoint": format!("{base}/authorize"),
            "end_session_endpoint": format!("{base}/logout"),
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": issuer,
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "token_endpoint": format!("{base}/token"),
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "userinfo_endpoint": format!("{base}/userInfo"),
        })
    })
}

#[derive(serde::Deserialize)]
struct OutboxQuery {
    pool: Option<String>,
    user: Option<String>,
}

/// `GET /_emulator/outbox?pool=...&user=...`: the codes the emulator "sent" (emulator only).
async fn outbox(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<OutboxQuery>,
) -> Response {
    let messages = state.outbox.list(q.pool.as_deref(), q.user.as_deref());
    axum::Json(serde_json::json!({ "messages": messages })).into_response()
}

/// The longest single move of `POST /_emulator/clock`: ten years, past every lifetime Cognito has.
const MAX_ADVANCE_SECONDS: u64 = 10 * 365 * 24 * 3600;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    advance_seconds: u64,
}

/// `GET /_emulator/clock`: the emulator's time, in epoch seconds like Cognito's timestamps.
async fn clock_now(State(state): State<AppState>) -> Response {
    axum::Json(serde_json::json!({ "now": state.clock.now().epoch_seconds_f64() })).into_response()
}

/// `POST /_emulator/clock` with `{"advance_seconds": N}`: moves the emulator's time forward, so
/// tests can expire codes, tokens and lockouts without waiting (emulator only; time never goes
/// back). Answers like `GET`.
async fn clock_advance(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
    let refuse = |status: StatusCode, message: String| {
        (
            status,
            axum::Json(serde_json::json!({ "message": message })),
        )
            .into_response()
    };
    let advance = match serde_json::from_slice::<ClockAdvance>(&body) {
        Ok(ClockAdvance { advance_seconds }) if advance_seconds <= MAX_ADVANCE_SECONDS => {
            advance_seconds
        }
        Ok(_) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("advance_seconds must be at most {MAX_ADVANCE_SECONDS} (ten years)"),
            )
        }
        Err(e) => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!("expected {{\"advance_seconds\": <whole seconds, 0 or more>}}: {e}"),
            )
        }
    };
    if !state.clock.advance(std::time::Duration::from_secs(advance)) {
        return refuse(
            StatusCode::CONFLICT,
            "this emulator runs on a clock that cannot be moved".to_owned(),
        );
    }
    tracing::info!(advance_seconds = advance, "clock moved forward");
    clock_now(State(state)).await
}

async fn fallback(State(state): State<AppState>, method: Method) -> Response {
    if method == Method::OPTIONS {
        return preflight(HeaderMap::new()).await;
    }
    let failure = Failure::Protocol(ProtocolError::unknown_operation(
        "No such route: the API is POST / with an X-Amz-Target header.",
    ));
    let mut response = error_response(&failure, &state.ids.uuid());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
