//! The only code that knows HTTP. One file per route family: the AWS JSON 1.1 front door
//! (`json`, cognito-idp), the AWS query front door (`query`, STS), `cors`, the per-pool
//! documents (`well_known`) and the emulator's own routes (`emulator_routes`). Both front
//! doors authenticate through `credentials` before dispatch and render their own errors.

mod cors;
mod emulator_routes;
mod json;
mod query;
pub mod schema;
mod well_known;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

use crate::clock::{Clock, SystemClock};
use crate::credentials::{sigv4, AuthError, Principal};
use crate::error::{Failure, ProtocolError};
use crate::AppState;

pub use json::error_response;

/// Requests larger than this are refused before parsing. Cognito inputs are small; the
/// largest legitimate ones (UpdateUserPool with templates) are a few tens of kilobytes.
pub const MAX_BODY_BYTES: usize = 1 << 20;

pub fn router(state: AppState) -> Router {
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
        .fallback(fallback)
        .with_state(state)
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
    let form = header_str(headers, "content-type").is_some_and(|content_type| {
        let essence = content_type.split(';').next().unwrap_or_default().trim();
        essence.eq_ignore_ascii_case("application/x-www-form-urlencoded")
    });
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

async fn fallback(State(state): State<AppState>, method: Method) -> Response {
    if method == Method::OPTIONS {
        return cors::preflight(HeaderMap::new()).await;
    }
    let failure = Failure::Protocol(ProtocolError::unknown_operation(
        "No such route: the API is POST / with an X-Amz-Target header.",
    ));
    let mut response = error_response(&failure, &state.ids.uuid());
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}
