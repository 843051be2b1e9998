//! What the suite talks to, and what that target can do besides the Cognito API.
//!
//! Three kinds: the emulator started in this process on port 0 (the default, and what `cargo test` uses),
//! any running endpoint (`CONFORMANCE_ENDPOINT=<url>`: a `cognito-emulator`, moto, cognito-local ...),
//! and real Cognito (`CONFORMANCE_TARGET=aws`, with the ordinary AWS credential and region chain).
//!
//! Capabilities are discovered, never assumed from the kind: confirmation codes come from an
//! outbox only if `GET /_emulator/outbox` answers like the emulator's, and the clock moves only in
//! process or where `GET /_emulator/clock` answers like the emulator's.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use aws_config::SdkConfig;
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::Client;
use serde::Deserialize;

use crate::check::{Step, Stop};

/// Which target, as chosen on the command line or in the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetKind {
    /// The emulator, started in this process on a free loopback port.
    Emulator,
    /// Any running endpoint, by URL.
    Endpoint(String),
    /// Real Cognito, with the default AWS credential and region chain.
    Aws,
}

impl TargetKind {
    /// `CONFORMANCE_TARGET=aws|emulator` and `CONFORMANCE_ENDPOINT=<url>`; the emulator when neither is set.
    pub fn from_env() -> Result<TargetKind, String> {
        let target = std::env::var("CONFORMANCE_TARGET").ok();
        let endpoint = std::env::var("CONFORMANCE_ENDPOINT")
            .ok()
            .filter(|e| !e.is_empty());
        match (target.as_deref(), endpoint) {
            (Some("aws"), None) => Ok(TargetKind::Aws),
            (Some("aws"), Some(_)) => {
                Err("set CONFORMANCE_TARGET=aws or CONFORMANCE_ENDPOINT, not both".to_owned())
            }
            (None | Some("" | "endpoint"), Some(url)) => Ok(TargetKind::Endpoint(url)),
            (None | Some("" | "emulator"), None) => Ok(TargetKind::Emulator),
            (Some("endpoint"), None) => {
                Err("CONFORMANCE_TARGET=endpoint needs CONFORMANCE_ENDPOINT=<url>".to_owned())
            }
            (Some(other), _) => Err(format!(
                "CONFORMANCE_TARGET={other}: expected aws or emulator"
            )),
        }
    }
}

/// How a target's time can be moved, when it can.
enum Clock {
    /// The in-process emulator's clock, moved directly.
    InProcess(Arc<emulator::OffsetClock>),
    /// An endpoint serving `POST /_emulator/clock`; `ahead_millis` is how far its time is
    /// ahead of this machine's, as of its last answer.
    Remote { ahead_millis: AtomicI64 },
}

/// The emulator's answer to `GET` and `POST /_emulator/clock`.
#[derive(Deserialize)]
struct ClockReading {
    now: f64,
}

impl ClockReading {
    /// How far the reading is ahead of this machine's clock.
    fn ahead_millis(&self) -> i64 {
        let local = emulator::Clock::now(&emulator::SystemClock).millis();
        (self.now * 1000.0).round() as i64 - local
    }
}

/// One confirmation or verification message as the emulator's outbox reports it.
#[derive(Debug, Clone, Deserialize)]
pub struct OutboxMessage {
    pub user_pool_id: String,
    pub username: String,
    pub medium: String,
    pub destination: String,
    pub code: String,
    /// `SIGN_UP`, `FORGOT_PASSWORD`, `VERIFY_ATTRIBUTE`, or `INVITATION` (AdminCreateUser's
    /// message, whose `code` is the temporary password).
    pub purpose: String,
}

#[derive(Deserialize)]
struct Outbox {
    messages: Vec<OutboxMessage>,
}

/// A target and its capabilities. Shared by every scenario of a run.
pub struct Target {
    kind: TargetKind,
    /// The base URL the SDK talks to; `None` for AWS (the SDK resolves it).
    endpoint: Option<String>,
    region: String,
    cognito: Client,
    /// What `cognito` was built from (credentials, region, endpoint, retries), for scenarios
    /// that build other clients: STS, or cognito-idp with other credentials.
    sdk_config: SdkConfig,
    http: reqwest::Client,
    outbox: bool,
    clock: Option<Clock>,
    /// Scenarios share a movable clock: each holds this for reading while it runs, and moves
    /// time only while holding it alone (see `Ctx::advance`).
    time_gate: Arc<tokio::sync::RwLock<()>>,
    slow: bool,
    /// Keeps the in-process emulator running for as long as the target lives.
    _emulator: Option<emulator::Running>,
}

/// At most two attempts: a target answering 500s or garbage costs one retry, not minutes.
fn retry_config() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(200))
}

fn timeout_config() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(20))
        .operation_attempt_timeout(Duration::from_secs(20))
        .operation_timeout(Duration::from_secs(45))
        .build()
}

impl Target {
    /// Connects to the target `kind` names and discovers its capabilities.
    pub async fn connect(kind: TargetKind) -> Result<Target, String> {
        match kind {
            TargetKind::Emulator => Target::in_process().await,
            TargetKind::Endpoint(url) => Target::endpoint(&url).await,
            TargetKind::Aws => Target::aws().await,
        }
    }

    /// A fresh emulator in this process on a free loopback port, with a clock scenarios can move.
    pub async fn in_process() -> Result<Target, String> {
        let clock = Arc::new(emulator::OffsetClock::default());
        // Unknown keys refused, as AWS refuses them: the suite signs with the built-in pair.
        let config = emulator::Config {
            strict_credentials: true,
            ..emulator::Config::for_tests()
        };
        let running = emulator::Running::start(config, clock.clone())
            .await
            .map_err(|e| format!("cannot start the in-process emulator: {e}"))?;
        let url = running.endpoint();
        let mut target = Target::endpoint(&url).await?;
        target.kind = TargetKind::Emulator;
        target.clock = Some(Clock::InProcess(clock));
        target._emulator = Some(running);
        Ok(target)
    }

    /// A running endpoint at `url`, signed with dummy credentials (`test`/`test`) in
    /// `AWS_REGION` (default `us-east-1`).
    pub async fn endpoint(url: &str) -> Result<Target, String> {
        let url = url.trim_end_matches('/').to_owned();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(format!("endpoint {url:?} is not an http(s) URL"));
        }
        let region = std::env::var("AWS_REGION")
            .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|_| "us-east-1".to_owned());
        let credentials =
            aws_credential_types::Credentials::new("test", "test", None, None, "conformance");
        let sdk_config = SdkConfig::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.clone()))
            .credentials_provider(SharedCredentialsProvider::new(credentials))
            .endpoint_url(&url)
            .retry_config(retry_config())
            .timeout_config(timeout_config())
            .build();
        let http = http_client()?;
        let outbox = probe_outbox(&http, &url).await;
        let clock = probe_clock(&http, &url).await.map(|reading| Clock::Remote {
            ahead_millis: AtomicI64::new(reading.ahead_millis()),
        });
        Ok(Target {
            kind: TargetKind::Endpoint(url.clone()),
            endpoint: Some(url),
            region,
            cognito: Client::new(&sdk_config),
            sdk_config,
            http,
            outbox,
            clock,
            time_gate: Arc::default(),
            slow: slow_allowed(),
            _emulator: None,
        })
    }

    /// Real Cognito: credentials and region from the default chain (environment, profile, SSO, IMDS).
    pub async fn aws() -> Result<Target, String> {
        // AWS throttles control-plane calls (CreateUserPool ...): there, unlike against a broken
        // endpoint, a few more retries with backoff are what a real application does.
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .retry_config(RetryConfig::standard().with_max_attempts(4))
            .timeout_config(timeout_config())
            .load()
            .await;
        let region = sdk_config
            .region()
            .map(|r| r.as_ref().to_owned())
            .ok_or("no AWS region configured: set AWS_REGION")?;
        Ok(Target {
            kind: TargetKind::Aws,
            endpoint: None,
            region,
            cognito: Client::new(&sdk_config),
            sdk_config,
            http: http_client()?,
            outbox: false,
            clock: None,
            time_gate: Arc::default(),
            slow: slow_allowed(),
            _emulator: None,
        })
    }

    pub fn kind(&self) -> &TargetKind {
        &self.kind
    }

    /// The SDK client every scenario uses.
    pub fn cognito(&self) -> &Client {
        &self.cognito
    }

    /// The configuration of `cognito()`: credentials, region, endpoint, retries.
    pub fn sdk_config(&self) -> &SdkConfig {
        &self.sdk_config
    }

    /// An STS client on the same credentials, region and endpoint as `cognito()`.
    pub fn sts(&self) -> aws_sdk_sts::Client {
        aws_sdk_sts::Client::new(&self.sdk_config)
    }

    /// The region the SDK signs for.
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The base URL, or `None` for AWS.
    pub fn endpoint_url(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// A plain HTTP client with short timeouts, for JWKS documents and the outbox.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// Whether confirmation codes can be read (the emulator's outbox).
    pub fn reads_codes(&self) -> bool {
        self.outbox
    }

    /// Whether the target's clock can be moved forward.
    pub fn moves_clock(&self) -> bool {
        self.clock.is_some()
    }

    /// One line for humans: what this is and what it can do.
    pub fn describe(&self) -> String {
        let what = match &self.kind {
            TargetKind::Emulator => "the in-process emulator".to_owned(),
            TargetKind::Endpoint(url) => format!("endpoint {url}"),
            TargetKind::Aws => format!("AWS Cognito in {}", self.region),
        };
        let codes = if self.outbox {
            "codes from the outbox"
        } else {
            "no access to codes"
        };
        let clock = if let Some(Clock::Remote { .. }) = &self.clock {
            "movable clock (/_emulator/clock)"
        } else if self.clock.is_some() {
            "movable clock"
        } else if self.slow {
            "real time (CONFORMANCE_SLOW=1: waits up to 15 minutes)"
        } else {
            "real time"
        };
        format!("{what}; {codes}; {clock}")
    }

    /// Where a resource server fetches the pool's signing keys.
    pub fn jwks_url(&self, user_pool_id: &str) -> String {
        match &self.endpoint {
            Some(url) => format!("{url}/{user_pool_id}/.well-known/jwks.json"),
            None => format!(
                "https://cognito-idp.{}.amazonaws.com/{user_pool_id}/.well-known/jwks.json",
                self.region
            ),
        }
    }

    /// The `iss` of the pool's tokens as AWS writes it (wire facts §3.1): the region is the pool id's prefix.
    pub fn expected_issuer(&self, user_pool_id: &str) -> String {
        let region = user_pool_id
            .split_once('_')
            .map_or(self.region.as_str(), |(region, _)| region);
        format!("https://cognito-idp.{region}.amazonaws.com/{user_pool_id}")
    }

    /// The messages the target sent to `user` (username or address) of `user_pool_id`, oldest first;
    /// SKIP when the target does not expose them.
    pub async fn messages(&self, user_pool_id: &str, user: &str) -> Step<Vec<OutboxMessage>> {
        let (true, Some(url)) = (self.outbox, &self.endpoint) else {
            return Err(Stop::Skip(
                "needs a confirmation code, and this target offers no way to read one".to_owned(),
            ));
        };
        let response = self
            .http
            .get(format!("{url}/_emulator/outbox"))
            .query(&[("pool", user_pool_id), ("user", user)])
            .send()
            .await
            .map_err(|e| Stop::Fail(format!("reading the outbox: {e}")))?;
        if !response.status().is_success() {
            return Err(Stop::Fail(format!(
                "reading the outbox: HTTP {}",
                response.status()
            )));
        }
        let outbox: Outbox = response
            .json()
            .await
            .map_err(|e| Stop::Fail(format!("reading the outbox: {e}")))?;
        Ok(outbox.messages)
    }

    /// The target's current time in epoch seconds (what its tokens' `exp` is compared with).
    pub fn now_secs(&self) -> i64 {
        let local = emulator::Clock::now(&emulator::SystemClock);
        match &self.clock {
            Some(Clock::InProcess(clock)) => emulator::Clock::now(clock.as_ref()).secs(),
            Some(Clock::Remote { ahead_millis }) => {
                emulator::Timestamp(local.millis() + ahead_millis.load(Ordering::SeqCst)).secs()
            }
            None => local.secs(),
        }
    }

    /// The lock scenarios on this target share time under (see `Ctx::advance`).
    pub(crate) fn time_gate(&self) -> &Arc<tokio::sync::RwLock<()>> {
        &self.time_gate
    }

    /// SKIP unless `by` can pass on this target: always in process; with `CONFORMANCE_SLOW=1`
    /// when `by` is at most 15 minutes of real waiting.
    pub fn check_time(&self, by: Duration) -> Step {
        if self.clock.is_some() || (self.slow && by <= SLOW_LIMIT) {
            return Ok(());
        }
        let hint = if by <= SLOW_LIMIT {
            "; set CONFORMANCE_SLOW=1 to wait"
        } else {
            ""
        };
        Err(Stop::Skip(format!(
            "needs {} of real time{hint}",
            human(by)
        )))
    }

    /// Lets `by` pass on the target: moves its clock (in process, or through
    /// `POST /_emulator/clock`), or waits in real time when `check_time` allows it; otherwise SKIP.
    /// Moving the clock moves it for every scenario on the target: call through `Ctx::advance`.
    pub async fn advance(&self, by: Duration) -> Step {
        self.check_time(by)?;
        match &self.clock {
            Some(Clock::InProcess(clock)) => {
                emulator::Clock::advance(clock.as_ref(), by);
            }
            Some(Clock::Remote { ahead_millis }) => {
                let url = self
                    .endpoint
                    .as_deref()
                    .expect("a remote clock has an endpoint");
                let reading = move_remote_clock(&self.http, url, by)
                    .await
                    .map_err(|e| Stop::Fail(format!("moving the clock: {e}")))?;
                ahead_millis.store(reading.ahead_millis(), Ordering::SeqCst);
            }
            None => tokio::time::sleep(by + Duration::from_secs(2)).await,
        }
        Ok(())
    }

    /// How long one scenario may take on this target.
    pub fn scenario_timeout(&self) -> Duration {
        if self.slow {
            SLOW_LIMIT + Duration::from_secs(180)
        } else {
            Duration::from_secs(120)
        }
    }
}

/// The longest real-time wait `CONFORMANCE_SLOW=1` allows.
const SLOW_LIMIT: Duration = Duration::from_secs(15 * 60);

fn slow_allowed() -> bool {
    std::env::var("CONFORMANCE_SLOW").is_ok_and(|v| v == "1")
}

fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if secs >= 2 * 3600 {
        format!("{} hours", (secs + 1800) / 3600)
    } else if secs >= 120 {
        format!("{} minutes", secs.div_ceil(60))
    } else {
        format!("{secs} seconds")
    }
}

fn http_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))
}

/// The reading when `GET {url}/_emulator/clock` answers 200 with a JSON number `now`.
async fn probe_clock(http: &reqwest::Client, url: &str) -> Option<ClockReading> {
    let response = http
        .get(format!("{url}/_emulator/clock"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .ok()?;
    if !response.status().is_success() {
        return None;
    }
    response.json::<ClockReading>().await.ok()
}

/// `POST {url}/_emulator/clock` with `{"advance_seconds": ⌈by⌉}`.
async fn move_remote_clock(
    http: &reqwest::Client,
    url: &str,
    by: Duration,
) -> Result<ClockReading, String> {
    let seconds = by.as_secs() + u64::from(by.subsec_nanos() > 0);
    let response = http
        .post(format!("{url}/_emulator/clock"))
        .json(&serde_json::json!({ "advance_seconds": seconds }))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        let body = response.text().await.unwrap_or_default();
        return Err(format!("HTTP {status}: {body}"));
    }
    response.json().await.map_err(|e| e.to_string())
}

/// True when `GET {url}/_emulator/outbox` answers 200 with a JSON `messages` array.
async fn probe_outbox(http: &reqwest::Client, url: &str) -> bool {
    let Ok(response) = http
        .get(format!("{url}/_emulator/outbox"))
        .query(&[("pool", "_probe")])
        .timeout(Duration::from_secs(5))
        .send()
        .await
    else {
        return false;
    };
    if !response.status().is_success() {
        return false;
    }
    response
        .json::<serde_json::Value>()
        .await
        .is_ok_and(|body| body.get("messages").is_some_and(|m| m.is_array()))
}
