//! Test harness: JSON in, JSON out through the router with a real `X-Amz-Target`.

use std::sync::Arc;
use std::time::SystemTime;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use emulator::{AppState, Config, ManualClock, Timestamp};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

/// How a test signs a request: by default the built-in pair (`test`/`test`) for cognito-idp in
/// us-east-1, now. Signed by aws-sigv4, the AWS SDK's own signer, so the emulator's verifier is
/// checked against the reference implementation on every signed call.
#[derive(Clone)]
pub struct Signing {
    pub access_key_id: String,
    pub secret: String,
    pub session_token: Option<String>,
    pub region: String,
    pub service: String,
    pub time: SystemTime,
}

impl Default for Signing {
    fn default() -> Self {
        Signing {
            access_key_id: "test".to_owned(),
            secret: "test".to_owned(),
            session_token: None,
            region: "us-east-1".to_owned(),
            service: "cognito-idp".to_owned(),
            time: SystemTime::now(),
        }
    }
}

impl Signing {
    pub fn key(access_key_id: &str, secret: &str) -> Self {
        Signing {
            access_key_id: access_key_id.to_owned(),
            secret: secret.to_owned(),
            ..Signing::default()
        }
    }

    pub fn session(access_key_id: &str, secret: &str, token: &str) -> Self {
        Signing {
            session_token: Some(token.to_owned()),
            ..Signing::key(access_key_id, secret)
        }
    }

    /// Adds `authorization`, `x-amz-date` (and `x-amz-security-token`) over every header the
    /// request has, as the SDKs do.
    pub fn sign(&self, request: &mut Request<Body>, body: &[u8]) {
        use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
        let identity = aws_credential_types::Credentials::new(
            &self.access_key_id,
            &self.secret,
            self.session_token.clone(),
            None,
            "tests",
        )
        .into();
        let params = aws_sigv4::sign::v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(&self.service)
            .time(self.time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
            .collect();
        let uri = format!("http://localhost{}", request.uri());
        let signable = SignableRequest::new(
            request.method().as_str(),
            &uri,
            headers.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(request);
    }
}

pub struct Harness {
    pub state: AppState,
    pub clock: ManualClock,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    /// The `__type` of an error reply.
    pub fn error_type(&self) -> &str {
        self.body["__type"].as_str().unwrap_or("")
    }
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(
            self.status,
            StatusCode::OK,
            "expected success, got {}",
            self.body
        );
        self.body
    }
    #[track_caller]
    pub fn err(&self, error_type: &str) -> &Self {
        assert_eq!(self.status.as_u16(), 400, "{}", self.body);
        assert_eq!(self.error_type(), error_type, "{}", self.body);
        self
    }
    #[track_caller]
    pub fn msg(&self, message: &str) -> &Self {
        assert_eq!(self.message(), message, "{}", self.body);
        self
    }
}

impl Harness {
    pub fn new() -> Self {
        Self::with_config(Config::for_tests())
    }

    pub fn with_config(config: Config) -> Self {
        let clock = ManualClock::new(Timestamp::from_secs(1_700_000_000));
        let state = AppState::new(config, Arc::new(clock.clone()));
        Harness { state, clock }
    }

    /// State kept in `dir` (`--data-dir`), on a manual clock.
    pub fn persistent(dir: &std::path::Path) -> Self {
        let clock = ManualClock::new(Timestamp::from_secs(1_700_000_000));
        Self::open(dir, clock)
    }

    fn open(dir: &std::path::Path, clock: ManualClock) -> Self {
        let config = Config {
            data_dir: Some(dir.to_owned()),
            ..Config::for_tests()
        };
        let (state, _) = AppState::open(config, Arc::new(clock.clone())).expect("data dir opens");
        Harness { state, clock }
    }

    /// Stops this emulator (its writer commits and lets go of the directory) and starts a new
    /// one on the same directory and clock.
    pub fn restart(self) -> Self {
        let dir = self
            .state
            .journal
            .as_ref()
            .expect("a persistent harness")
            .dir()
            .to_owned();
        let Harness { state, clock } = self;
        drop(state);
        Self::open(&dir, clock)
    }

    pub async fn raw(&self, request: Request<Body>) -> Reply {
        let response = emulator::app(self.state.clone())
            .oneshot(request)
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Reply {
            status,
            headers,
            body,
        }
    }

    /// Calls `operation`, signed with a SigV4-shaped header (admin credentials).
    pub async fn call(&self, operation: &str, body: Value) -> Reply {
        self.raw(request(operation, body, true)).await
    }

    /// Calls `operation` without credentials, as a browser or the public API would.
    pub async fn call_unsigned(&self, operation: &str, body: Value) -> Reply {
        self.raw(request(operation, body, false)).await
    }

    pub async fn create_pool(&self, extra: Value) -> String {
        let mut body = json!({"PoolName": "test-pool"});
        merge(&mut body, extra);
        let out = self.call("CreateUserPool", body).await.ok();
        out["UserPool"]["Id"].as_str().unwrap().to_owned()
    }

    /// Returns (client id, client secret if generated).
    pub async fn create_client(&self, pool_id: &str, extra: Value) -> (String, Option<String>) {
        let mut body = json!({"UserPoolId": pool_id, "ClientName": "test-client"});
        merge(&mut body, extra);
        let out = self.call("CreateUserPoolClient", body).await.ok();
        let client = &out["UserPoolClient"];
        (
            client["ClientId"].as_str().unwrap().to_owned(),
            client["ClientSecret"].as_str().map(str::to_owned),
        )
    }
}

pub fn request(operation: &str, body: Value, signed: bool) -> Request<Body> {
    if signed {
        signed_request(operation, body, &Signing::default())
    } else {
        unsigned_request(operation, &body.to_string())
    }
}

fn unsigned_request(operation: &str, body: &str) -> Request<Body> {
    Request::post("/")
        .header("host", "localhost")
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{operation}"),
        )
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A cognito-idp call signed as `signing` says.
pub fn signed_request(operation: &str, body: Value, signing: &Signing) -> Request<Body> {
    let text = body.to_string();
    let mut request = unsigned_request(operation, &text);
    signing.sign(&mut request, text.as_bytes());
    request
}

/// An STS call (form body, query protocol) signed as `signing` says, with service `sts`.
pub fn sts_request(params: &[(&str, &str)], signing: &Signing) -> Request<Body> {
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .finish();
    let mut request = Request::post("/")
        .header("host", "localhost")
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(Body::from(body.clone()))
        .unwrap();
    let signing = Signing {
        service: "sts".to_owned(),
        ..signing.clone()
    };
    signing.sign(&mut request, body.as_bytes());
    request
}

pub fn merge(base: &mut Value, extra: Value) {
    if let (Some(base), Value::Object(extra)) = (base.as_object_mut(), extra) {
        for (k, v) in extra {
            base.insert(k, v);
        }
    }
}

/// SECRET_HASH as the tutorial computes it: base64(HMAC-SHA256(secret, username + client_id))
/// (wire facts §4), written here independently of the emulator's own implementation.
pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    use base64::Engine;
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// A pool and client set up like the tutorial's: email as username, email auto-verified,
/// 8-character passwords with no class requirements, a client with a secret.
pub struct Tutorial {
    pub pool_id: String,
    pub client_id: String,
    pub secret: String,
}

impl Tutorial {
    pub fn hash(&self, username: &str) -> String {
        secret_hash(&self.secret, username, &self.client_id)
    }
}

pub const PASSWORD: &str = "correct-horse";

impl Harness {
    pub async fn tutorial(&self, client_extra: Value) -> Tutorial {
        let pool_id = self
            .create_pool(json!({
                "UsernameAttributes": ["email"],
                "AutoVerifiedAttributes": ["email"],
                "UsernameConfiguration": {"CaseSensitive": false},
                "Policies": {"PasswordPolicy": {"MinimumLength": 8}},
            }))
            .await;
        let mut client = json!({
            "GenerateSecret": true,
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
        });
        merge(&mut client, client_extra);
        let (client_id, secret) = self.create_client(&pool_id, client).await;
        Tutorial {
            pool_id,
            client_id,
            secret: secret.unwrap(),
        }
    }

    /// The newest code the emulator "sent" to `user` in `pool`.
    pub async fn last_code(&self, pool: &str, user: &str) -> String {
        let uri = format!("/_emulator/outbox?pool={pool}&user={user}");
        let reply = self
            .raw(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        let messages = reply.body["messages"].as_array().unwrap();
        messages.last().expect("a code was sent")["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn sign_up(&self, t: &Tutorial, email: &str, password: &str) -> Reply {
        self.call_unsigned(
            "SignUp",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(email), "Username": email, "Password": password}),
        )
        .await
    }

    /// Signs up and confirms with the emailed code.
    pub async fn confirmed_user(&self, t: &Tutorial, email: &str) {
        self.sign_up(t, email, PASSWORD).await.ok();
        let code = self.last_code(&t.pool_id, email).await;
        self.call_unsigned(
            "ConfirmSignUp",
            json!({"ClientId": t.client_id, "SecretHash": t.hash(email), "Username": email, "ConfirmationCode": code}),
        )
        .await
        .ok();
    }

    pub async fn sign_in(&self, t: &Tutorial, email: &str, password: &str) -> Reply {
        self.call_unsigned(
            "InitiateAuth",
            json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": t.client_id,
                   "AuthParameters": {"USERNAME": email, "PASSWORD": password, "SECRET_HASH": t.hash(email)}}),
        )
        .await
    }

    /// Signs in and returns the AuthenticationResult.
    pub async fn tokens(&self, t: &Tutorial, email: &str) -> Value {
        self.sign_in(t, email, PASSWORD).await.ok()["AuthenticationResult"].clone()
    }
}

/// A new empty directory under the system's temporary directory, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> Self {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = std::env::temp_dir().join(format!(
            "cognito-emulator-test-{name}-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
