//! A local Amazon Cognito user-pool server speaking the real wire protocol
//! (AWS JSON 1.1 on `POST /`, dispatched on `X-Amz-Target`), with STS's query protocol on
//! the same port.
//!
//! Code map:
//! - `protocol`: the only code that knows HTTP: the JSON 1.1 and query front doors, CORS,
//!   the well-known documents, the emulator's routes; `protocol::schema` validates every
//!   request against the vendored botocore model.
//! - `credentials`: the keys the emulator knows and issues, and SigV4 verification
//!   (`credentials::sigv4`); front doors call it before dispatch.
//! - `sts`: GetSessionToken, GetCallerIdentity, AssumeRole.
//! - `ops`: one file per Cognito action, the `REGISTRY` naming each once, and `dispatch`,
//!   the one way in for every front door (HTTP, seed files).
//! - `wire`: AWS's shapes (`UserType`, `GroupType`, `AuthenticationResultType`, …), each
//!   rendered in one place.
//! - `auth`: app clients and SECRET_HASH, users' attributes and sign-in names, codes, the
//!   sign-in state machine (`flow` over `srp_auth`, `new_password`, `mfa`, and the leaves
//!   `sign_in` and `challenges`), access tokens, token minting.
//! - `model`: the domain (pools, clients, users, groups) as plain data; `model::UserDirectory`
//!   keeps a pool's users and every index over them.
//! - `store`: all state behind per-pool locks.
//! - `crypto`: pure functions (JWT, SECRET_HASH, passwords, SRP) with known-answer tests.
//! - `error`: Cognito's error kinds and their messages as named constructors.
//! - `seed`: replays seed files through `ops::dispatch` at start-up.
//! - `clock`, `ids`: the only readers of the wall clock and of randomness.
//!
//! Invariants: nothing panics on input; every error a caller sees is Cognito-shaped;
//! no expensive crypto runs under a lock; plaintext passwords are never stored.
//!
//! Tested by `tests/` (operations through the router, and the AWS SDK for Rust against
//! `serve` on port 0) and unit tests beside the crypto and validation code.

pub mod auth;
pub mod clock;
pub mod config;
pub mod credentials;
pub mod crypto;
pub mod error;
pub mod ids;
pub mod model;
pub mod ops;
pub mod outbox;
pub mod pool_keys;
pub mod protocol;
pub mod seed;
pub mod store;
pub mod sts;
pub mod wire;

use std::future::Future;
use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use axum::Router;
use tokio::net::TcpListener;

pub use clock::{Clock, ManualClock, OffsetClock, SystemClock, Timestamp};
pub use config::Config;

/// Everything an operation can reach; a cheap `Clone` handle.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

pub struct Inner {
    pub config: Config,
    pub store: store::Store,
    pub clock: Arc<dyn Clock>,
    pub ids: ids::IdGen,
    pub outbox: outbox::Outbox,
    pub verified_tokens: auth::access::VerifiedTokens,
    /// The keys requests may be signed with, and the temporary ones STS issued.
    pub keyring: credentials::Keyring,
    /// Keys what the emulator makes up for unknown users (PreventUserExistenceErrors), so the
    /// same name gets the same made-up SRP salt every time.
    pub simulation_key: [u8; 32],
    /// The URL clients reach us at, known once bound (`--public-url` wins).
    public_url: OnceLock<String>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(config: Config, clock: Arc<dyn Clock>) -> Self {
        let ids = ids::IdGen::new(config.seed);
        let simulation_key = ids.bytes();
        // `main` refuses a bad `--credentials` before this; a library caller's bad list adds no key.
        let keys = config.credentials.check().unwrap_or_default();
        let keyring = credentials::Keyring::new(keys, config.strict_credentials);
        AppState(Arc::new(Inner {
            config,
            store: store::Store::default(),
            clock,
            ids,
            outbox: outbox::Outbox::default(),
            verified_tokens: Default::default(),
            keyring,
            simulation_key,
            public_url: OnceLock::new(),
        }))
    }

    /// Records the address the server is bound to; `--public-url` takes precedence.
    pub fn set_bound_address(&self, addr: SocketAddr) {
        let url = self
            .config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let _ = self.public_url.set(url.trim_end_matches('/').to_owned());
    }

    /// The base URL of this emulator as clients see it.
    pub fn public_url(&self) -> String {
        self.public_url.get().cloned().unwrap_or_else(|| {
            self.config
                .public_url
                .clone()
                .unwrap_or_else(|| format!("http://{}:{}", self.config.host, self.config.port))
        })
    }

    /// The `iss` of this pool's tokens: AWS's URL by default (what aws-jwt-verify accepts),
    /// or `{public URL}/{pool}` with `--issuer endpoint` (what pycognito expects with a custom endpoint).
    pub fn issuer(&self, user_pool_id: &str) -> String {
        if self.config.issuer == "endpoint" {
            format!("{}/{user_pool_id}", self.public_url())
        } else {
            format!(
                "https://cognito-idp.{}.amazonaws.com/{user_pool_id}",
                self.config.region
            )
        }
    }
}

/// The HTTP application.
pub fn app(state: AppState) -> Router {
    protocol::router(state)
}

/// Serves `state` on `listener` until `shutdown` resolves, then drains in-flight requests.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown)
        .await
}

/// An emulator running in this process on a free loopback port; stops when dropped.
/// For tests and for embedding (the proxy and the conformance suite use it).
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> std::io::Result<Running> {
        let listener = TcpListener::bind((config.host, config.port)).await?;
        let addr = listener.local_addr()?;
        let state = AppState::new(config, clock);
        state.set_bound_address(addr);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serve_state = state.clone();
        tokio::spawn(async move {
            let _ = serve(listener, serve_state, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(Running {
            addr,
            state,
            stop: Some(stop),
        })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Ctrl-C (SIGINT) or SIGTERM, whichever comes first: what both binaries stop on.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut interrupt = signal(SignalKind::interrupt()).ok();
        let mut terminate = signal(SignalKind::terminate()).ok();
        tokio::select! {
            _ = async { match interrupt.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
            _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
