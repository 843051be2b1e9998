//! The only code that knows HTTP. One file per route family: the AWS JSON 1.1 front door
//! (`json`, cognito-idp), the AWS query front door (`query`, STS), `cors`, the per-pool
//! documents (`well_known`) and the emulator's own routes (`emulator_routes`). Both front
//! doors authenticate through `credentials` before dispatch and render their own errors.
//! Every route sits behind the `Host` check (`host_check`, against DNS rebinding).

mod cors;
mod emulator_routes;
mod host_check;
mod json;
mod query;
pub mod schema;
mod well_known;

use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::clock::{Clock, SystemClock};
use crate::credentials::{sigv4, AuthError, Principal};
use crate::error::{Failure, ProtocolError};
use crate::sts::StsError;
use crate::AppState;

pub use host_check::{parse_allowed_host, HostPolicy};
pub use json::error_response;

/// Requests larger than this are refused before parsing. Cognito inputs are small; the
/// largest legitimate ones (UpdateUserPool with templates) are a few tens of kilobytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub fn router(state: AppState) -> Router {
    let policy = Arc::new(HostPolicy::from_config(&state.config));
    let gate_state = state.clone();
    let gate = move |request: Request, next: Next| {
        let (state, policy) = (gate_state.clone(), Arc::clone(&policy));
        async move { check_host(&state, &policy, request, next).await }
    };
    Router::new()
        .route("/", post(front_door).options(cors::preflight))
        .route("/{pool_id}/.well-known/jwks.json", get(well_known::jwks))
        .route(
            "/{pool_id}/.well-known/openid-configuration",
            get(well_known::openid_configuration),
        )
        .route("/_emulator/outbox", get(emulator_routes::outbox))
        .route(
            "/_emulator/clock",
            get(emulator_routes::clock_now).post(emulator_routes::clock_advance),
        )
        .fallback(no_route)
        .method_not_allowed_fallback(no_route)
        // Last, so that it wraps every route and both fallbacks.
        .layer(axum::middleware::from_fn(gate))
        .with_state(state)
}

/// Refuses a request that names another host (README "Safety from web pages"), in the shape
/// of the route it asked for: the emulator routes' `{"message"}`, STS's XML, else Cognito's
/// JSON with `ForbiddenException` and HTTP 403 (addenda §12).
async fn check_host(
    state: &AppState,
    policy: &HostPolicy,
    request: Request,
    next: Next,
) -> Response {
    let Err(refused) = policy.check(request.headers(), request.uri()) else {
        return next.run(request).await;
    };
    tracing::info!(host = %refused.given, path = request.uri().path(), "refused a request naming another host");
    let message = refused.message();
    if request.uri().path().starts_with(emulator_routes::PREFIX) {
        return emulator_routes::refuse(StatusCode::FORBIDDEN, message);
    }
    let request_id = state.ids.uuid();
    if request.uri().path() == "/" && is_query_request(request.headers()) {
        return query::error_response(&StsError::new("AccessDenied", message, 403), &request_id);
    }
    let failure = Failure::Protocol(ProtocolError::new("ForbiddenException", message));
    let mut response = error_response(&failure, &request_id);
    *response.status_mut() = StatusCode::FORBIDDEN;
    response
}

/// `POST /`: routed by the request itself, so one endpoint URL (`AWS_ENDPOINT_URL`) serves
/// both SDK clients (admin-sigv4-facts §6.2). `X-Amz-Target` means cognito-idp; without it, a
/// form body or an `sts` credential scope means STS.
async fn front_door(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if is_query_request(&headers) {
        query::handle(&state, &method, &uri, &headers, body).await
    } else {
        json::handle(&state, &method, &uri, &headers, body).await
    }
}

fn is_query_request(headers: &HeaderMap) -> bool {
    if headers.contains_key("x-amz-target") {
        return false;
    }
    let form = has_content_type(headers, "application/x-www-form-urlencoded");
    let scoped_to_sts = header_str(headers, "authorization")
        .and_then(|h| sigv4::parse(h).ok())
        .is_some_and(|auth| auth.service == "sts");
    form || scoped_to_sts
}

/// Checks the request's signature for `service` (credentials §5.3). Skew is judged on the wall
/// clock, since clients sign with real time even when the emulator's clock was moved forward;
/// temporary credentials expire on the emulator's clock.
fn authenticate(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
    service: &str,
) -> Result<Principal, AuthError> {
    let request = sigv4::Request {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query().unwrap_or_default(),
        headers,
        body,
    };
    state.keyring.authenticate(
        &request,
        service,
        &state.config.region,
        SystemClock.now(),
        state.clock.now(),
    )
}

async fn read_body(body: Body, limit: usize) -> Result<Bytes, String> {
    to_bytes(body, limit).await.map_err(|_| {
        format!("Request body is too large or unreadable: the limit is {limit} bytes.")
    })
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Whether the request's `Content-Type` is `essence` (any case, parameters allowed).
fn has_content_type(headers: &HeaderMap, essence: &str) -> bool {
    header_str(headers, "content-type").is_some_and(|content_type| {
        let given = content_type.split(';').next().unwrap_or_default().trim();
        given.eq_ignore_ascii_case(essence)
    })
}

/// A path no route serves, or a method its route does not serve (`GET /`, `PUT /`,
/// `OPTIONS /_emulator/clock` …). Under `/_emulator/`: a `{"message"}` 404 or 405 without
/// CORS. Elsewhere a preflight is answered (browser SDKs preflight whatever endpoint URL they
/// are given), and anything else gets the Cognito-shaped 404.
async fn no_route(State(state): State<AppState>, method: Method, uri: Uri) -> Response {
    if uri.path().starts_with(emulator_routes::PREFIX) {
        return emulator_routes::no_such_route(&method, uri.path());
    }
    if method == Method::OPTIONS {
        return cors::preflight(HeaderMap::new()).await;
    }
    no_operation(&state)
}

/// What AWS's front end answers a request it cannot map to an operation (a `GET /`, a path
/// it does not serve): HTTP 404 and its text, as `UnknownOperationException` with
/// `x-amzn-ErrorType` so that every client reads a code (addenda §12).
fn no_operation(state: &AppState) -> Response {
    let failure = Failure::Protocol(ProtocolError::unknown_operation(
        "The server did not understand the operation that was requested.",
    ));
    let mut response = error_response(&failure, &state.ids.uuid());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
