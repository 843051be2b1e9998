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
//! - `persist`: `--data-dir`: the SQLite journal the store, outbox, STS and clock hand their
//!   changes to, the persisted record format, the schema and its migrations.
//! - `crypto`: pure functions (JWT, SECRET_HASH, passwords, SRP) with known-answer tests.
//! - `error`: Cognito's error kinds and their messages as named constructors.
//! - `seed`: replays seed files through `ops::dispatch` at start-up.
//! - `server`: the accept loop `serve` runs: timeouts, the connection limit, graceful shutdown.
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
pub mod persist;
pub mod pool_keys;
pub mod protocol;
pub mod seed;
pub mod server;
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
    /// Two permits a core: how many costly operations (SRP, token signing, strong hashing) run
    /// at once off the async workers (`ops::dispatch_async`).
    pub crypto_lanes: tokio::sync::Semaphore,
    /// The URL clients reach us at, known once bound (`--public-url` wins).
    public_url: OnceLock<String>,
    /// With `--data-dir`: the durable log every change goes to.
    pub journal: Option<Arc<persist::Journal>>,
}

/// Two lanes a core: with one, a lane sat idle between an operation's end and the next one's
/// start (sign-ins used 154% of two cores); with two, the cores stay busy and a cheap request
/// still waits behind no queue of costly ones (README "Limits").
fn crypto_lanes() -> tokio::sync::Semaphore {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    tokio::sync::Semaphore::new(2 * cores)
}

/// What `AppState::open` found.
#[derive(Debug, Clone, Default)]
pub struct Opened {
    /// Nothing was saved before (no `--data-dir`, or an empty one): seeding may run.
    pub fresh: bool,
    pub pools: usize,
    pub users: usize,
    /// The seed's outcome saved at the first start (`seed::Outcome`, JSON).
    pub seed: Option<String>,
}

impl Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    /// State in memory only (`config.data_dir` is not looked at: see `open`).
    pub fn new(config: Config, clock: Arc<dyn Clock>) -> Self {
        let ids = ids::IdGen::new(config.seed);
        let simulation_key = ids.bytes();
        let keyring = Self::keyring(&config);
        AppState(Arc::new(Inner {
            config,
            store: store::Store::default(),
            clock,
            ids,
            outbox: outbox::Outbox::default(),
            verified_tokens: Default::default(),
            keyring,
            simulation_key,
            crypto_lanes: crypto_lanes(),
            public_url: OnceLock::new(),
            journal: None,
        }))
    }

    fn keyring(config: &Config) -> credentials::Keyring {
        // `main` refuses a bad `--credentials` before this; a library caller's bad list adds no key.
        let keys = config.credentials.check().unwrap_or_default();
        credentials::Keyring::new(keys, config.strict_credentials)
    }

    /// The state `config` asks for: in memory, or read back from `--data-dir` (which is
    /// created if missing, and refused if another emulator holds it or it cannot be read).
    pub fn open(config: Config, clock: Arc<dyn Clock>) -> Result<(Self, Opened), String> {
        let Some(dir) = config.data_dir.clone() else {
            let opened = Opened {
                fresh: true,
                ..Opened::default()
            };
            return Ok((AppState::new(config, clock), opened));
        };
        let (journal, loaded) = persist::open(&dir, config.fsync)?;
        let opened = Opened {
            fresh: loaded.is_fresh(),
            pools: loaded.pools.len(),
            users: loaded.user_count(),
            seed: loaded.seed.clone(),
        };
        // A seeded generator must not hand out the same ids again after a restart.
        let ids = ids::IdGen::new(
            config
                .seed
                .map(|seed| seed.wrapping_add(loaded.boots.wrapping_mul(0x9E37_79B9_7F4A_7C15))),
        );
        let simulation_key = match loaded.simulation_key {
            Some(key) => key,
            None => {
                let key: [u8; 32] = ids.bytes();
                journal.record([persist::Change::PutMeta {
                    key: "simulation_key",
                    value: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, key),
                }]);
                key
            }
        };
        if loaded.clock_offset_millis > 0 {
            clock.advance(std::time::Duration::from_millis(
                loaded.clock_offset_millis as u64,
            ));
        }
        let now = clock.now();
        let keyring = Self::keyring(&config);
        for (issued, identity) in loaded.sts_keys {
            keyring.restore(issued, identity, now);
        }
        // Rows of keys the keyring no longer remembers need not be read again.
        journal.record([persist::Change::ForgetStsKeys {
            expired_before: now.millis() - credentials::REMEMBER_EXPIRED.as_millis() as i64,
        }]);
        let store = store::Store::persistent(journal.clone());
        for pool in loaded.pools {
            store.restore_pool(pool.pool, pool.keys);
        }
        let state = AppState(Arc::new(Inner {
            config,
            store,
            clock,
            ids,
            outbox: outbox::Outbox::persistent(journal.clone(), loaded.messages),
            verified_tokens: Default::default(),
            keyring,
            simulation_key,
            crypto_lanes: crypto_lanes(),
            public_url: OnceLock::new(),
            journal: Some(journal),
        }));
        Ok((state, opened))
    }

    /// Waits until every change made so far is committed (at once without `--data-dir`).
    /// Front doors call it before answering, so nothing acknowledged can be lost.
    pub async fn durable(&self) -> Result<(), String> {
        match &self.journal {
            Some(journal) => journal.durable().await,
            None => Ok(()),
        }
    }

    /// Moves the clock forward, saving how far it has moved; `false` if it cannot move.
    pub fn advance_clock(&self, by: std::time::Duration) -> bool {
        let Some(journal) = &self.journal else {
            return self.clock.advance(by);
        };
        // Moved under the journal's queue lock, so whoever sees the new time waits for it to be
        // saved, and of two moves the later offset is saved last.
        let mut moved = false;
        journal.record_with(|| {
            moved = self.clock.advance(by);
            persist::Change::PutMeta {
                key: "clock_offset_millis",
                value: self.clock.offset_millis().to_string(),
            }
        });
        moved
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

/// Serves `state` on `listener` until `shutdown` resolves, under the connection limits of its
/// `Config` (header-read and idle timeouts, a connection limit, `TCP_NODELAY`: see `server`);
/// then stops accepting, closes idle connections, and returns once in-flight requests are
/// answered or `shutdown_grace` has passed, whichever is first. Raises the process's open-file
/// soft limit to the hard one.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = server::Limits::from_config(&state.config);
    server::run(listener, app(state), limits, shutdown).await
}

/// An emulator running in this process on a free loopback port; stops when dropped.
/// For tests and for embedding (the proxy and the conformance suite use it).
pub struct Running {
    pub addr: SocketAddr,
    pub state: AppState,
    /// What `--data-dir` held at the start (`Opened::fresh` without one).
    pub opened: Opened,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// Binds and serves `config` (reading `--data-dir` if it names one).
    pub async fn start(config: Config, clock: Arc<dyn Clock>) -> std::io::Result<Running> {
        let listener = server::bind(SocketAddr::new(config.host, config.port))?;
        let addr = listener.local_addr()?;
        let (state, opened) = AppState::open(config, clock).map_err(std::io::Error::other)?;
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
            opened,
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
