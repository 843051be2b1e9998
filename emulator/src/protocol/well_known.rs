//! The per-pool documents token verifiers fetch: `/{pool}/.well-known/jwks.json` and
//! `/{pool}/.well-known/openid-configuration` (wire facts §3.2).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::cors::add_cors;
use super::json::error_response;
use crate::error::Failure;
use crate::AppState;

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
pub async fn jwks(State(state): State<AppState>, Path(pool_id): Path<String>) -> Response {
    let response = pool_document(&state, &pool_id, |entry| entry.keys.get().jwks());
    // Keys made for this answer are saved before it is given.
    match state.durable().await {
        Ok(()) => response,
        Err(why) => error_response(
            &Failure::Service(crate::error::ServiceError::internal(why)),
            &state.ids.uuid(),
        ),
    }
}

/// `GET /{pool}/.well-known/openid-configuration`, shaped like AWS's (wire facts §3.2), with
/// `jwks_uri` pointing at this emulator so verifiers can fetch the keys.
///
/// Deviation: AWS also lists the hosted UI's endpoints (`authorization_endpoint`,
/// `token_endpoint`, `userinfo_endpoint`, `end_session_endpoint`, `revocation_endpoint`) and
/// their auth methods; the emulator serves none of them yet, so it advertises none: a client
/// that discovers an endpoint can call it.
pub async fn openid_configuration(
    State(state): State<AppState>,
    Path(pool_id): Path<String>,
) -> Response {
    let issuer = state.issuer(&pool_id);
    let base = format!("{}/{pool_id}", state.public_url());
    pool_document(&state, &pool_id, |_| {
        serde_json::json!({
            "id_token_signing_alg_values_supported": ["RS256"],
            "issuer": issuer,
            "jwks_uri": format!("{base}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
        })
    })
}
