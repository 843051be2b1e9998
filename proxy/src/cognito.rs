//! The Cognito side: one SDK client for the pool (the SDK signs admin operations and leaves
//! the public ones unsigned), signed with session credentials from STS GetSessionToken as the
//! tutorial intends and renewed before they expire; the pool, client and secret; SECRET_HASH.
//! In embedded mode the SDK's requests reach the emulator's router in this process.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use aws_config::identity::IdentityCache;
use aws_config::BehaviorVersion;
use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use axum::http::{header, HeaderValue};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The pool the backend serves and the client it calls Cognito with.
pub struct Cognito {
    pub client: Client,
    pub user_pool_id: String,
    pub client_id: String,
    client_secret: String,
    /// The session credentials admin calls are signed with, when they come from root keys.
    session: Option<Arc<SessionCredentials>>,
}

impl Cognito {
    /// `base64(HMAC-SHA256(client secret, username + client id))` (wire facts §4), for every
    /// call that names a user.
    pub fn secret_hash(&self, username: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.client_secret.as_bytes())
            .expect("HMAC accepts any key length");
        mac.update(username.as_bytes());
        mac.update(self.client_id.as_bytes());
        base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
    }

    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }

    /// Runs an admin call; if Cognito no longer knows the session credentials (expired early
    /// because the emulator's clock was moved, or forgotten by a restarted emulator), gets new
    /// ones and tries once more.
    pub async fn admin<T, E, R, Fut>(&self, call: impl Fn() -> Fut) -> Result<T, SdkError<E, R>>
    where
        Fut: Future<Output = Result<T, SdkError<E, R>>>,
        E: ProvideErrorMetadata,
    {
        let result = call().await;
        match (&result, &self.session) {
            (Err(error), Some(session))
                if matches!(
                    error.code(),
                    Some("ExpiredTokenException" | "UnrecognizedClientException")
                ) =>
            {
                tracing::info!("the session credentials were refused; asking STS for new ones");
                session.forget();
                call().await
            }
            _ => result,
        }
    }
}

/// What admin calls are signed with.
pub enum AdminKeys {
    /// Long-term keys exchanged for session credentials (the tutorial's ROOT_USER_CLIENT_*).
    Root {
        access_key_id: String,
        secret: String,
    },
    /// The default AWS credential chain (environment, profile, SSO), used as it is.
    DefaultChain,
}

/// Where Cognito is and which pool to serve.
pub struct Settings {
    /// `None` for real AWS.
    pub endpoint: Option<String>,
    pub region: String,
    pub user_pool_id: String,
    pub client_id: String,
    pub client_secret: String,
    pub admin: AdminKeys,
    /// The embedded emulator's router: the SDK's requests go to it in this process.
    pub in_process: Option<axum::Router>,
}

/// Builds the client. With root keys, one GetSessionToken runs now, so bad keys stop the
/// start-up with STS's answer instead of failing the first admin call.
pub async fn connect(settings: Settings) -> Result<Cognito, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()));
    if let Some(router) = settings.in_process {
        loader = loader.http_client(SharedHttpClient::new(InProcess { router }));
    }
    let mut sdk_config = loader.load().await;
    // Endpoints set here, never from AWS_ENDPOINT_URL*: the emulator's banner exports
    // AWS_ENDPOINT_URL, which must not turn `--aws` into a call to the emulator.
    let (cognito_endpoint, sts_endpoint) = match &settings.endpoint {
        Some(endpoint) => (endpoint.clone(), endpoint.clone()),
        None => {
            let region = &settings.region;
            let suffix = if region.starts_with("cn-") {
                "amazonaws.com.cn"
            } else {
                "amazonaws.com"
            };
            (
                format!("https://cognito-idp.{region}.{suffix}"),
                format!("https://sts.{region}.{suffix}"),
            )
        }
    };
    let mut session = None;
    if let AdminKeys::Root {
        access_key_id,
        secret,
    } = &settings.admin
    {
        let sts_config = aws_sdk_sts::config::Builder::from(&sdk_config)
            .endpoint_url(sts_endpoint)
            .credentials_provider(Credentials::new(
                access_key_id,
                secret,
                None,
                None,
                "root-keys",
            ))
            .build();
        let credentials = Arc::new(SessionCredentials {
            sts: aws_sdk_sts::Client::from_conf(sts_config),
            current: Mutex::new(None),
        });
        credentials
            .provide()
            .await
            .map_err(|e| format!("STS GetSessionToken with the root keys failed: {e}"))?;
        // SessionCredentials caches them itself, so that a refused key can be forgotten.
        sdk_config = sdk_config
            .into_builder()
            .credentials_provider(provider::SharedCredentialsProvider::new(SharedSession(
                credentials.clone(),
            )))
            .identity_cache(IdentityCache::no_cache())
            .build();
        session = Some(credentials);
    }
    let client_config = aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk_config)
        .endpoint_url(cognito_endpoint)
        .build();
    Ok(Cognito {
        client: Client::from_conf(client_config),
        user_pool_id: settings.user_pool_id,
        client_id: settings.client_id,
        client_secret: settings.client_secret,
        session,
    })
}

/// How long the session credentials are asked for (the most root keys may have).
const SESSION_SECS: u64 = 3600;
/// They are renewed this long before they expire.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// Session credentials from GetSessionToken, kept until shortly before they expire.
#[derive(Debug)]
struct SessionCredentials {
    sts: aws_sdk_sts::Client,
    /// The credentials and when to renew them, on this machine's clock.
    current: Mutex<Option<(Credentials, SystemTime)>>,
}

impl SessionCredentials {
    async fn provide(&self) -> provider::Result {
        let now = SystemTime::now();
        if let Some((credentials, renew_at)) = self.current.lock().unwrap().as_ref() {
            if now < *renew_at {
                return Ok(credentials.clone());
            }
        }
        // Two requests that find them stale may both ask; either answer is good.
        let (credentials, renew_at) = self.fetch(now).await?;
        *self.current.lock().unwrap() = Some((credentials.clone(), renew_at));
        Ok(credentials)
    }

    fn forget(&self) {
        *self.current.lock().unwrap() = None;
    }

    async fn fetch(
        &self,
        asked_at: SystemTime,
    ) -> Result<(Credentials, SystemTime), CredentialsError> {
        let output = self
            .sts
            .get_session_token()
            .duration_seconds(SESSION_SECS as i32)
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(
                    aws_sdk_sts::error::DisplayErrorContext(e).to_string(),
                )
            })?;
        let issued = output.credentials.ok_or_else(|| {
            CredentialsError::provider_error("GetSessionToken returned no credentials")
        })?;
        let expiry = SystemTime::try_from(*issued.expiration())
            .map_err(|e| CredentialsError::provider_error(e.to_string()))?;
        // `Expiration` is on the server's clock, which an emulator's may be ahead of; the
        // duration asked for is what they last on this one.
        let expiry = expiry.min(asked_at + Duration::from_secs(SESSION_SECS));
        tracing::info!(
            expires = %issued.expiration(),
            "admin calls signed with STS session credentials"
        );
        let credentials = Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_owned()),
            Some(expiry),
            "sts-session",
        );
        Ok((credentials, expiry - RENEW_BEFORE))
    }
}

/// The SDK's handle on the shared [`SessionCredentials`].
#[derive(Debug)]
struct SharedSession(Arc<SessionCredentials>);

impl ProvideCredentials for SharedSession {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.0.provide())
    }
}

/// The SDK's transport in embedded mode: each request is handed to the emulator's router in
/// this process, as hyper would hand it over loopback TCP, without the sockets and the two
/// HTTP codecs. The emulator still checks everything it checks on the wire (the signature
/// included), and its port still serves every other client.
#[derive(Clone)]
struct InProcess {
    router: axum::Router,
}

impl std::fmt::Debug for InProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InProcess")
    }
}

impl HttpClient for InProcess {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(self.clone())
    }
}

impl HttpConnector for InProcess {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let router = self.router.clone();
        HttpConnectorFuture::new(async move {
            use tower::ServiceExt;
            let refused = |why: String| ConnectorError::other(why.into(), None);
            let request = request
                .try_into_http1x()
                .map_err(|e| refused(e.to_string()))?;
            let (mut parts, body) = request.into_parts();
            let bytes = body
                .bytes()
                .map(axum::body::Bytes::copy_from_slice)
                .ok_or_else(|| refused("a streaming body cannot be sent in process".into()))?;
            // hyper writes the Host header from the URI; the signature covers it.
            if !parts.headers.contains_key(header::HOST) {
                if let Some(authority) = parts.uri.authority() {
                    let host = HeaderValue::from_str(authority.as_str())
                        .map_err(|e| refused(e.to_string()))?;
                    parts.headers.insert(header::HOST, host);
                }
            }
            let request = axum::http::Request::from_parts(parts, axum::body::Body::from(bytes));
            let response = match router.oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            let (parts, body) = response.into_parts();
            let bytes = axum::body::to_bytes(body, usize::MAX)
                .await
                .map_err(|e| refused(e.to_string()))?;
            HttpResponse::try_from(axum::http::Response::from_parts(
                parts,
                SdkBody::from(bytes),
            ))
            .map_err(|e| refused(e.to_string()))
        })
    }
}
