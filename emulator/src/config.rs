//! Start-up configuration: every field is a flag with an environment fallback; the doc comments are `--help`.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

use crate::credentials::KeySpecs;

/// A local Amazon Cognito user-pool server that speaks the real wire protocol.
#[derive(Debug, Clone, Parser)]
#[command(name = "cognito-emulator", version, about, long_about = None)]
pub struct Config {
    /// Address to bind. Loopback by default: the emulator has no real authentication of callers.
    #[arg(long, env = "COGNITO_EMULATOR_HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,

    /// Port to bind (0 picks a free port).
    #[arg(long, env = "COGNITO_EMULATOR_PORT", default_value_t = 9229)]
    pub port: u16,

    /// AWS region the emulator pretends to be: pool ids, ARNs and token issuers carry it.
    #[arg(long, env = "COGNITO_EMULATOR_REGION", default_value = "us-east-1")]
    pub region: String,

    /// AWS account id used in ARNs.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_ACCOUNT_ID",
        default_value = "123456789012"
    )]
    pub account_id: String,

    /// Seed for the random generator of ids, secrets and codes, for reproducible runs.
    /// RSA signing keys are always fresh.
    #[arg(long, env = "COGNITO_EMULATOR_SEED")]
    pub seed: Option<u64>,

    /// Log filter (tracing's EnvFilter syntax), e.g. `info` or `emulator=debug`.
    #[arg(long, env = "COGNITO_EMULATOR_LOG", default_value = "info")]
    pub log: String,

    /// A seed file: a JSON list of API calls replayed at start-up through the same
    /// validation as HTTP requests. Without one, a default pool and client are created
    /// from `fixtures/default-seed.json`.
    #[arg(long, env = "COGNITO_EMULATOR_SEED_FILE")]
    pub seed_file: Option<PathBuf>,

    /// Start with no pool at all (no seed file, no default pool).
    #[arg(long, env = "COGNITO_EMULATOR_EMPTY")]
    pub empty: bool,

    /// Token issuer style: `aws` (https://cognito-idp.{region}.amazonaws.com/{poolId}, what
    /// aws-jwt-verify accepts) or `endpoint` ({public-url}/{poolId}, what pycognito expects
    /// when given a custom endpoint_url).
    #[arg(long, env = "COGNITO_EMULATOR_ISSUER", default_value = "aws", value_parser = ["aws", "endpoint"])]
    pub issuer: String,

    /// The URL clients use to reach the emulator, for `--issuer endpoint` and discovery
    /// documents. Defaults to http://{host}:{port}.
    #[arg(long, env = "COGNITO_EMULATOR_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// More names clients may call the emulator by (the `Host` header), besides loopback names
    /// (`localhost`, `*.localhost`), IP addresses and the `--public-url` host: e.g. a container's
    /// name, when other containers reach it as `http://cognito:9229`. Repeatable or
    /// comma-separated; `*` turns the check off. Other names get 403, so that a web page on
    /// another site cannot reach the emulator by DNS rebinding.
    #[arg(
        long = "allowed-host",
        env = "COGNITO_EMULATOR_ALLOWED_HOSTS",
        value_name = "NAME",
        value_delimiter = ',',
        value_parser = crate::protocol::parse_allowed_host
    )]
    pub allowed_hosts: Vec<String>,

    /// Keep an Argon2id hash (OWASP parameters, tens of milliseconds a password) and the SRP
    /// verifier instead of the default SRP key `x` (a salted SHA-256, microseconds). Plaintext
    /// is never stored either way.
    #[arg(long, env = "COGNITO_EMULATOR_STRONG_HASHING")]
    pub strong_password_hashing: bool,

    /// More long-term keys to verify, besides the built-in `test`/`test` (the account's root
    /// user): `KEY:SECRET` (root) or `KEY:SECRET:user/NAME` (an IAM user), comma-separated.
    #[arg(
        long,
        env = "COGNITO_EMULATOR_CREDENTIALS",
        hide_env_values = true,
        default_value = ""
    )]
    pub credentials: KeySpecs,

    /// Keep state in this directory (SQLite, created if missing) so that it survives restarts:
    /// pools, clients, users, groups, signing keys, refresh tokens and revocations, open codes,
    /// the outbox, STS credentials and the clock. A request is answered once its change is
    /// committed. Without it, state lives in memory only.
    #[arg(long, env = "COGNITO_EMULATOR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// With `--data-dir`: flush every commit to the disk (SQLite `synchronous=FULL`), so that
    /// acknowledged changes survive power loss too, not only a crash of the process.
    #[arg(long, env = "COGNITO_EMULATOR_FSYNC")]
    pub fsync: bool,

    /// Refuse requests signed with a key the emulator does not know, as AWS does
    /// (`UnrecognizedClientException`). By default such requests are accepted unchecked, with
    /// one warning per key; known keys are always fully verified.
    #[arg(long, env = "COGNITO_EMULATOR_STRICT_CREDENTIALS")]
    pub strict_credentials: bool,

    /// How long a client may take to send a request's head (line and headers): from its first
    /// byte, or from accepting a new connection. Slower connections are closed, so that clients
    /// sending a byte at a time (slowloris) cannot hold the server's connections. `10s`, `500ms`,
    /// `2m`, or seconds.
    #[arg(long, env = "COGNITO_EMULATOR_HEADER_READ_TIMEOUT", default_value = "10s", value_parser = crate::server::parse_duration)]
    pub header_read_timeout: Duration,

    /// How long a kept-alive connection may wait for its next request, and a request or response
    /// may go without a byte either way, before it is closed. Longer than the SDKs keep idle
    /// connections in their pools (90 s), so they retire a connection before the emulator does.
    #[arg(long, env = "COGNITO_EMULATOR_IDLE_TIMEOUT", default_value = "120s", value_parser = crate::server::parse_duration)]
    pub idle_timeout: Duration,

    /// At most this many connections at once; past it, a new connection gets an immediate 503
    /// `TooManyRequestsException` and is closed. Defaults to the open-file limit (the soft limit
    /// is first raised to the hard one) less 128 for the process's own files and refusals, at
    /// most 65536. A value above what the open-file limit allows is lowered to it, with a warning.
    #[arg(long, env = "COGNITO_EMULATOR_MAX_CONNECTIONS", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..))]
    pub max_connections: Option<usize>,

    /// On SIGTERM or Ctrl-C: idle connections are closed at once, requests in progress get this
    /// long to finish, then the emulator exits whatever is left.
    #[arg(long, env = "COGNITO_EMULATOR_SHUTDOWN_GRACE", default_value = "5s", value_parser = crate::server::parse_duration)]
    pub shutdown_grace: Duration,
}

impl Config {
    /// Port 0, a fixed seed, no pools: what in-process tests want.
    pub fn for_tests() -> Self {
        Config {
            host: IpAddr::from([127, 0, 0, 1]),
            port: 0,
            region: "us-east-1".to_owned(),
            account_id: "123456789012".to_owned(),
            seed: Some(1),
            log: "warn".to_owned(),
            seed_file: None,
            empty: true,
            issuer: "aws".to_owned(),
            public_url: None,
            allowed_hosts: Vec::new(),
            strong_password_hashing: false,
            credentials: KeySpecs::default(),
            strict_credentials: false,
            data_dir: None,
            fsync: false,
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(120),
            max_connections: None,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}
