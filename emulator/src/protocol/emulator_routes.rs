//! The emulator's own routes, all under `/_emulator/` (README "Emulator routes"): the outbox
//! of codes it "sent" and its movable clock. Nothing here exists on AWS.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;

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
    let messages = state.outbox.list(q.pool.as_deref(), q.user.as_deref());
    // A message is shown only once it is saved: a code read here survives a crash.
    if let Err(why) = state.durable().await {
        return unsaved("the outbox", &why);
    }
    axum::Json(serde_json::json!({ "messages": messages })).into_response()
}

/// `{"message": …}` with `status`: how these routes refuse.
fn refuse(status: StatusCode, message: String) -> Response {
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
pub async fn clock_advance(State(state): State<AppState>, body: axum::body::Bytes) -> Response {
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
