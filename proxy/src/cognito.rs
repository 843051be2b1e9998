//! The Cognito side: one SDK client for the pool (the SDK signs admin operations and leaves
//! the public ones unsigned), signed with session credentials from STS GetSessionToken as the
//! tutorial intends and renewed by the SDK before they expire; the pool, client and secret;
//! SECRET_HASH.

use std::time::SystemTime;

use aws_config::BehaviorVersion;
use aws_credential_types::provider::{self, error::CredentialsError, ProvideCredentials};
use aws_credential_types::Credentials;
use aws_sdk_cognitoidentityprovider::config::Region;
use aws_sdk_cognitoidentityprovider::Client;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The pool the backend serves and the client it calls Cognito with.
pub struct Cognito {
    pub client: Client,
    pub user_pool_id: String,
    pub client_id: String,
    client_secret: String,
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
}

/// Builds the client. With root keys, one GetSessionToken runs now, so bad keys stop the
/// start-up with STS's answer instead of failing the first admin call.
pub async fn connect(settings: Settings) -> Result<Cognito, String> {
    let mut sdk_config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(settings.region.clone()))
        .load()
        .await;
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
        let session = SessionCredentials {
            sts: aws_sdk_sts::Client::from_conf(sts_config),
        };
        session
            .fetch()
            .await
            .map_err(|e| format!("STS GetSessionToken with the root keys failed: {e}"))?;
        sdk_config = sdk_config
            .into_builder()
            .credentials_provider(provider::SharedCredentialsProvider::new(session))
            .build();
    }
    let client_config = aws_sdk_cognitoidentityprovider::config::Builder::from(&sdk_config)
        .endpoint_url(cognito_endpoint)
        .build();
    Ok(Cognito {
        client: Client::from_conf(client_config),
        user_pool_id: settings.user_pool_id,
        client_id: settings.client_id,
        client_secret: settings.client_secret,
    })
}

/// Session credentials from GetSessionToken. The SDK's identity cache asks again shortly
/// before the current ones expire.
#[derive(Debug)]
struct SessionCredentials {
    sts: aws_sdk_sts::Client,
}

impl SessionCredentials {
    async fn fetch(&self) -> provider::Result {
        let output = self.sts.get_session_token().send().await.map_err(|e| {
            CredentialsError::provider_error(aws_sdk_sts::error::DisplayErrorContext(e).to_string())
        })?;
        let issued = output.credentials.ok_or_else(|| {
            CredentialsError::provider_error("GetSessionToken returned no credentials")
        })?;
        let expiry = SystemTime::try_from(*issued.expiration())
            .map_err(|e| CredentialsError::provider_error(e.to_string()))?;
        tracing::info!(
            expires = %issued.expiration(),
            "admin calls signed with STS session credentials"
        );
        Ok(Credentials::new(
            issued.access_key_id(),
            issued.secret_access_key(),
            Some(issued.session_token().to_owned()),
            Some(expiry),
            "sts-session",
        ))
    }
}

impl ProvideCredentials for SessionCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.fetch())
    }
}
