//! The emulator's own routes, all under `/_emulator/` (README "Emulator routes"): the outbox
//! of codes it "sent" and its movable clock. Nothing here exists on AWS.
//!
//! Not for web pages: these routes grant no CORS (no `Access-Control-*` header, preflights
//! refused), and a route that changes state reads only a JSON body (`Content-Type:
//! application/json`), which a page on another site cannot send without a preflight.

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use super::has_content_type;
use crate::AppState;

/// The prefix of every route here.
pub const PREFIX: &str = "/_emulator/";

#[derive(serde::Deserialize)]
pub struct OutboxQuery {
    pool: Option<String>,
    user: Option<String>,
}

/// `GET /_emulator/outbox?pool=...&user=...`: the codes the emulator "sent" (emulator only).
pub async fn outbox(
    State(state): State<AppState>,
    axum::extract::Query(q): axum::extract::Query<OutboxQuery>,
) -> Response {
    let messages = state
        .outbox
        .list(q.pool.as_deref(), q.user.as_deref(), state.clock.now());
    // A message is shown only once it is saved: a code read here survives a crash.
    if let Err(why) = state.durable().await {
        return unsaved("the outbox", &why);
    }
    // Serialized straight from the messages: no `Value` tree for a large outbox.
    #[derive(serde::Serialize)]
    struct Listed {
        messages: Vec<crate::outbox::Message>,
    }
    axum::Json(Listed { messages }).into_response()
}

/// `{"message": …}` with `status`: how these routes refuse.
pub fn refuse(status: StatusCode, message: String) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "message": message })),
    )
        .into_response()
}

/// The answer when what a route would show is not yet saved (`--data-dir` failing).
fn unsaved(what: &str, why: &str) -> Response {
    tracing::error!(%why, "{what} could not be saved");
    refuse(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("{what} could not be saved: {why}"),
    )
}

/// The longest single move of `POST /_emulator/clock`: ten years, past every lifetime Cognito has.
const MAX_ADVANCE_SECONDS: u64 = 10 * 365 * 24 * 3600;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockAdvance {
    advance_seconds: u64,
}

/// `GET /_emulator/clock`: the emulator's time, in epoch seconds like Cognito's timestamps.
pub async fn clock_now(State(state): State<AppState>) -> Response {
    let now = state.clock.now();
    // A time read here is saved before it is shown: it never goes back after a crash.
    if let Err(why) = state.durable().await {
        return unsaved("the clock", &why);
    }
    axum::Json(serde_json::json!({ "now": now.epoch_seconds_f64() })).into_response()
}

/// `POST /_emulator/clock` with `{"advance_seconds": N}`: moves the emulator's time forward, so
/// tests can expire codes, tokens and lockouts without waiting (emulator only; time never goes
/// back). Answers like `GET`.
pub async fn clock_advance(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    // A page on another site can POST `text/plain` without a preflight; JSON it cannot.
    if !has_content_type(&headers, "application/json") {
        let given = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map_or_else(|| "none".to_owned(), |v| format!("{v:?}"));
        return refuse(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!("POST /_emulator/clock needs Content-Type: application/json (given: {given}), so that a web page on another site cannot move the clock"),
        );
    }
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
    if !state.advance_clock(std::time::Duration::from_secs(advance)) {
        return refuse(
            StatusCode::CONFLICT,
            "this emulator runs on a clock that cannot be moved".to_owned(),
        );
    }
    tracing::info!(advance_seconds = advance, "clock moved forward");
    // Answers like GET, once the new offset is saved.
    clock_now(State(state)).await
}

/// A method a route here does not serve, or a path under `/_emulator/` that does not exist:
/// 405 (with `Allow`) or 404, no CORS. A preflight is refused like any other method, so a
/// page on another site can neither call these routes with a JSON body nor read them.
pub fn no_such_route(method: &Method, path: &str) -> Response {
    let allow = match path {
        "/_emulator/outbox" => "GET, HEAD",
        "/_emulator/clock" => "GET, HEAD, POST",
        _ => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!("no such emulator route: {path} (there are GET /_emulator/outbox, GET and POST /_emulator/clock)"),
            )
        }
    };
    let message = if method == Method::OPTIONS {
        format!("{path} grants no CORS: the emulator's routes are for tests, scripts and curl, not web pages")
    } else {
        format!("{method} is not allowed on {path}: it answers {allow}")
    };
    let mut response = refuse(StatusCode::METHOD_NOT_ALLOWED, message);
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}
