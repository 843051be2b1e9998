//! The tutorial's account backend (`POST /` with `{"env": ...}` on port 3006), rebuilt in
//! Rust with the same wire contract (`../shared/reference/tutorial-backend.md`), on the
//! official AWS SDK. By default it embeds a Cognito emulator; it can also talk to one already
//! running, or to real Cognito.
//!
//! Code map:
//! - `config`: flags and the tutorial's environment variables.
//! - `cognito`: the SDK client, admin calls signed with STS session credentials, SECRET_HASH.
//! - `http`: which bodies are read, cookies, how answers are written, CORS.
//! - `actions`: one file per `env` action; `error`: the status and text of each failure.
//! - `page`: the browser page at `GET /` (files under `assets/`, embedded at build time).
//!
//! Invariants: no Cognito failure becomes an HTML 500; no secret, password or token is logged
//! (only action names and error codes are).

pub mod actions;
pub mod cognito;
pub mod config;
pub mod error;
pub mod http;
mod page;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;

/// What a request needs: the Cognito client and the front end's origin.
pub struct Backend {
    pub cognito: cognito::Cognito,
    pub front_end_origin: String,
    pub totp_issuer: String,
}

/// The HTTP application.
pub fn app(backend: Arc<Backend>) -> Router {
    Router::new()
        .route("/", get(page::index).post(handle).options(preflight))
        .route("/app.js", get(page::script))
        .route("/style.css", get(page::style))
        .fallback(fallback)
        .with_state(backend)
}

async fn handle(State(backend): State<Arc<Backend>>, headers: HeaderMap, body: Bytes) -> Response {
    let rendering = http::rendering(&backend.front_end_origin, &headers);
    // A page of another site may post here without a preflight (text/plain); only the front
    // end and this backend's own page may act, so no other site can sign a user in or out.
    let reply = if !rendering.origin_allowed {
        http::Reply::text(
            StatusCode::FORBIDDEN,
            "This origin may not call the backend: start it with --front-end-origin set to the front end's origin",
        )
    } else {
        match http::parse(&headers, &body) {
            Ok(request) => actions::dispatch(&backend, &request).await,
            Err(reply) => reply,
        }
    };
    http::render(reply, &rendering)
}

/// `OPTIONS /`: 204 with the CORS headers and no body.
async fn preflight(State(backend): State<Arc<Backend>>, headers: HeaderMap) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    http::add_cors(
        response.headers_mut(),
        &backend.front_end_origin,
        headers.get(header::ACCESS_CONTROL_REQUEST_HEADERS),
    );
    response
}

async fn fallback(State(backend): State<Arc<Backend>>, headers: HeaderMap) -> Response {
    let reply = http::Reply::text(
        StatusCode::NOT_FOUND,
        "The API is POST / with a JSON body {\"env\": ...}",
    );
    http::render(reply, &http::rendering(&backend.front_end_origin, &headers))
}

/// A running backend, and the embedded emulator when there is one.
pub struct Started {
    pub backend: Arc<Backend>,
    /// The embedded emulator (stops when dropped).
    pub emulator: Option<emulator::Running>,
    /// Where the backend talks to Cognito (`None`: AWS's own endpoints).
    pub cognito_endpoint: Option<String>,
    pub region: String,
}

/// Connects to Cognito as `config` says: an embedded emulator (default), an emulator at
/// `--cognito-endpoint`, or AWS (`--aws`).
pub async fn start(config: &Config) -> Result<Started, String> {
    let root_keys = config::root_keys();
    config.check_front_end_origin()?;
    let (settings, running) = if config.aws {
        let admin = match root_keys {
            Some((access_key_id, secret)) => cognito::AdminKeys::Root {
                access_key_id,
                secret,
            },
            None => cognito::AdminKeys::DefaultChain,
        };
        (pool_from_config(config, None, admin)?, None)
    } else if let Some(endpoint) = &config.cognito_endpoint {
        (
            pool_from_config(
                config,
                Some(endpoint.trim_end_matches('/').to_owned()),
                emulator_admin(root_keys),
            )?,
            None,
        )
    } else {
        // Embedded: the emulator's own pair, never the tutorial's (possibly real AWS) root keys.
        let (settings, running) = embedded(config, emulator_admin(None)).await?;
        (settings, Some(running))
    };
    let cognito_endpoint = settings.endpoint.clone();
    let region = settings.region.clone();
    let cognito = cognito::connect(settings).await?;
    Ok(Started {
        backend: Arc::new(Backend {
            cognito,
            front_end_origin: config.front_end_origin.clone(),
            totp_issuer: config.totp_issuer.clone(),
        }),
        emulator: running,
        cognito_endpoint,
        region,
    })
}

/// Against an emulator, the tutorial's root keys if given, else the emulator's built-in pair.
fn emulator_admin(root_keys: Option<(String, String)>) -> cognito::AdminKeys {
    let (access_key_id, secret) = root_keys.unwrap_or_else(|| {
        (
            emulator::credentials::BUILT_IN_ACCESS_KEY_ID.to_owned(),
            emulator::credentials::BUILT_IN_SECRET_ACCESS_KEY.to_owned(),
        )
    });
    cognito::AdminKeys::Root {
        access_key_id,
        secret,
    }
}

fn pool_from_config(
    config: &Config,
    endpoint: Option<String>,
    admin: cognito::AdminKeys,
) -> Result<cognito::Settings, String> {
    let need = |value: &Option<String>, name: &str| {
        value.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
            format!(
                "{name} is not set: the backend needs the pool's region, id, client id and secret"
            )
        })
    };
    Ok(cognito::Settings {
        endpoint,
        region: need(&config.region, "COGNITO_REGION_NAME")?,
        user_pool_id: need(&config.user_pool_id, "COGNITO_USER_POOL_ID")?,
        client_id: need(&config.client_id, "COGNITO_USER_CLIENT_ID")?,
        client_secret: need(&config.client_secret, "COGNITO_CLIENT_SECRET")?,
        admin,
        in_process: None,
    })
}

/// Starts the emulator in this process on `--emulator-port` (loopback) with its default pool
/// (the tutorial's console set-up); its own `COGNITO_EMULATOR_*` variables apply.
async fn embedded(
    config: &Config,
    admin: cognito::AdminKeys,
) -> Result<(cognito::Settings, emulator::Running), String> {
    use clap::Parser;
    let mut emulator_config = emulator::Config::parse_from(["cognito-emulator"]);
    emulator_config.host = std::net::IpAddr::from([127, 0, 0, 1]);
    emulator_config.port = config.emulator_port;
    emulator_config.empty = false;
    if let Some(dir) = &config.data_dir {
        emulator_config.data_dir = Some(dir.clone());
    }
    let region = emulator_config.region.clone();
    let running =
        emulator::Running::start(emulator_config, Arc::new(emulator::OffsetClock::default()))
            .await
            .map_err(|e| {
                format!(
                    "cannot start the embedded emulator on 127.0.0.1:{}: {e}",
                    config.emulator_port
                )
            })?;
    let outcome = emulator::seed::load_at_startup(&running.state, &running.opened)
        .map_err(|e| format!("seeding the embedded emulator failed: {e}"))?;
    running
        .state
        .durable()
        .await
        .map_err(|e| format!("the embedded emulator's --data-dir: {e}"))?;
    let saved = |name: &str| {
        outcome
            .saved
            .get(name)
            .cloned()
            .ok_or_else(|| format!("the emulator's seed saved no {name}: give a seed file that saves POOL_ID, CLIENT_ID and CLIENT_SECRET"))
    };
    let settings = cognito::Settings {
        endpoint: Some(running.endpoint()),
        region,
        user_pool_id: saved("POOL_ID")?,
        client_id: saved("CLIENT_ID")?,
        client_secret: saved("CLIENT_SECRET")?,
        admin,
        in_process: Some(emulator::app(running.state.clone())),
    };
    Ok((settings, running))
}

/// Serves on `listener` until `shutdown` resolves, with the emulator's accept loop and its
/// default connection limits (header-read and idle timeouts, a connection limit below the
/// open-file limit, a 5 s shutdown grace, `TCP_NODELAY`): a page's backend meets the same
/// careless clients the emulator does.
pub async fn serve(
    listener: TcpListener,
    backend: Arc<Backend>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // `Config::for_tests` carries the emulator's default limits (its port and seed are not read).
    let limits = emulator::server::Limits::from_config(&emulator::Config::for_tests());
    emulator::server::run(listener, app(backend), limits, shutdown).await
}

/// The start-up banner: where the backend and Cognito are, the tutorial's variables, a `curl`.
pub fn banner(started: &Started, addr: SocketAddr) -> String {
    let cognito = &started.backend.cognito;
    let mut out = format!("cognito-proxy listening on http://{addr}\n");
    match &started.cognito_endpoint {
        Some(endpoint) if started.emulator.is_some() => {
            out.push_str(&format!("embedded Cognito emulator on {endpoint}\n"))
        }
        Some(endpoint) => out.push_str(&format!("Cognito emulator at {endpoint}\n")),
        None => out.push_str(&format!("Amazon Cognito in {}\n", started.region)),
    }
    out.push_str(&format!(
        "\n# the tutorial's variables\nexport COGNITO_REGION_NAME={}\nexport COGNITO_USER_POOL_ID={}\nexport COGNITO_USER_CLIENT_ID={}\n",
        started.region, cognito.user_pool_id, cognito.client_id,
    ));
    // The embedded pool's secret is the emulator's, made up at start; any other is the user's
    // own and stays out of the output.
    if started.emulator.is_some() {
        out.push_str(&format!(
            "export COGNITO_CLIENT_SECRET={}\n",
            cognito.client_secret()
        ));
    }
    out.push_str(&format!(
        "\n# try it\ncurl -s http://{addr}/ -H 'Content-Type: application/json' -d '{{\"env\":\"createAccount\",\"user\":\"me@example.com\",\"pass\":\"correct-horse\"}}'\n"
    ));
    if let Some(endpoint) = started
        .cognito_endpoint
        .as_ref()
        .filter(|_| started.emulator.is_some())
    {
        out.push_str(&format!(
            "curl -s '{endpoint}/_emulator/outbox?user=me@example.com'   # the confirmation code\n"
        ));
    }
    out
}
