//! The driver's HTTP side: one keep-alive HTTP/1.1 connection per worker, Cognito's JSON 1.1 framing and SigV4 for admin calls.
//! It knows nothing about workloads; it must stay cheap per request, because the driver shares the cores with the server it measures.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper::header::{HeaderName, HeaderValue, CONTENT_TYPE, HOST};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// A Cognito action the driver calls, with whether it needs a SigV4 signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    SignUp,
    AdminConfirmSignUp,
    InitiateAuth,
    GetUser,
    CreateUserPool,
    CreateUserPoolClient,
    DeleteUserPool,
    ListUserPools,
    AdminCreateUser,
    AdminGetUser,
    ListUsers,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::SignUp => "SignUp",
            Action::AdminConfirmSignUp => "AdminConfirmSignUp",
            Action::InitiateAuth => "InitiateAuth",
            Action::GetUser => "GetUser",
            Action::CreateUserPool => "CreateUserPool",
            Action::CreateUserPoolClient => "CreateUserPoolClient",
            Action::DeleteUserPool => "DeleteUserPool",
            Action::ListUserPools => "ListUserPools",
            Action::AdminCreateUser => "AdminCreateUser",
            Action::AdminGetUser => "AdminGetUser",
            Action::ListUsers => "ListUsers",
        }
    }

    fn target(self) -> &'static str {
        match self {
            Action::SignUp => "AWSCognitoIdentityProviderService.SignUp",
            Action::AdminConfirmSignUp => "AWSCognitoIdentityProviderService.AdminConfirmSignUp",
            Action::InitiateAuth => "AWSCognitoIdentityProviderService.InitiateAuth",
            Action::GetUser => "AWSCognitoIdentityProviderService.GetUser",
            Action::CreateUserPool => "AWSCognitoIdentityProviderService.CreateUserPool",
            Action::CreateUserPoolClient => {
                "AWSCognitoIdentityProviderService.CreateUserPoolClient"
            }
            Action::DeleteUserPool => "AWSCognitoIdentityProviderService.DeleteUserPool",
            Action::ListUserPools => "AWSCognitoIdentityProviderService.ListUserPools",
            Action::AdminCreateUser => "AWSCognitoIdentityProviderService.AdminCreateUser",
            Action::AdminGetUser => "AWSCognitoIdentityProviderService.AdminGetUser",
            Action::ListUsers => "AWSCognitoIdentityProviderService.ListUsers",
        }
    }

    /// Admin (IAM-authorised) actions carry a SigV4 `Authorization`; the public ones carry none, as in AWS.
    fn signed(self) -> bool {
        match self {
            Action::SignUp | Action::InitiateAuth | Action::GetUser => false,
            Action::AdminConfirmSignUp
            | Action::CreateUserPool
            | Action::CreateUserPoolClient
            | Action::DeleteUserPool
            | Action::ListUserPools
            | Action::AdminCreateUser
            | Action::AdminGetUser
            | Action::ListUsers => true,
        }
    }
}

/// Where the server is and how to sign for it.
pub struct Endpoint {
    /// `http://host:port`, as signed.
    url: String,
    addr: SocketAddr,
    host: HeaderValue,
    region: String,
    credentials: Credentials,
    timeout: Duration,
}

/// Parses `http://host[:port][/]`. TLS is not supported: the driver is meant for local servers, and TLS would put its cost in every figure.
pub async fn endpoint(url: &str, region: &str, timeout: Duration) -> Result<Arc<Endpoint>, String> {
    let authority = url
        .strip_prefix("http://")
        .ok_or_else(|| format!("--url must start with http:// (got {url})"))?
        .trim_end_matches('/');
    if authority.is_empty() || authority.contains('/') {
        return Err(format!("--url must be http://host:port (got {url})"));
    }
    let with_port = if authority
        .rsplit_once(':')
        .is_some_and(|(_, port)| port.parse::<u16>().is_ok())
    {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let addr = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|error| format!("cannot resolve {with_port}: {error}"))?
        .next()
        .ok_or_else(|| format!("{with_port} resolves to no address"))?;
    Ok(Arc::new(Endpoint {
        url: format!("http://{authority}/"),
        addr,
        host: HeaderValue::from_str(authority).map_err(|_| format!("bad host in {url}"))?,
        region: region.to_owned(),
        // Dummy credentials, as every local AWS stand-in accepts; the signature is still a real one.
        credentials: Credentials::new("test", "test", None, None, "cognito-bench"),
        timeout,
    }))
}

impl Endpoint {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

/// What a call can end in besides HTTP 200.
#[derive(Debug)]
pub enum CallError {
    /// The server answered with a non-200 status; `kind` is the `__type` it named, or the status.
    Service {
        status: u16,
        kind: String,
        message: String,
    },
    /// No answer: connect, write or read failed, or the per-request timeout passed.
    Transport(String),
}

impl CallError {
    /// A short label for error tallies: the service's error type, or the transport failure class.
    pub fn kind(&self) -> String {
        match self {
            CallError::Service { status, kind, .. } => format!("{kind} (HTTP {status})"),
            CallError::Transport(what) => format!("transport: {what}"),
        }
    }
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Service {
                status,
                kind,
                message,
            } => write!(f, "HTTP {status} {kind}: {message}"),
            CallError::Transport(what) => write!(f, "transport error: {what}"),
        }
    }
}

/// One worker's connection. Not shared: a worker sends one request at a time, so no pool or lock sits on the hot path.
pub struct Caller {
    endpoint: Arc<Endpoint>,
    connection: Option<SendRequest<Full<Bytes>>>,
}

impl Caller {
    pub fn new(endpoint: Arc<Endpoint>) -> Self {
        Caller {
            endpoint,
            connection: None,
        }
    }

    /// Sends one action and returns the body of a 200 answer.
    pub async fn call(&mut self, action: Action, body: Bytes) -> Result<Bytes, CallError> {
        let timeout = self.endpoint.timeout;
        match tokio::time::timeout(timeout, self.call_inner(action, body)).await {
            Ok(result) => result,
            Err(_) => {
                // The connection may still carry the late answer: never reuse it.
                self.connection = None;
                Err(CallError::Transport(format!(
                    "no answer within {timeout:?}"
                )))
            }
        }
    }

    async fn call_inner(&mut self, action: Action, body: Bytes) -> Result<Bytes, CallError> {
        let request = self.request(action, body)?;
        let sender = self.ready_connection().await?;
        let response = match sender.send_request(request).await {
            Ok(response) => response,
            Err(error) => {
                self.connection = None;
                return Err(CallError::Transport(transport_class(&error)));
            }
        };
        let status = response.status().as_u16();
        let body = match response.into_body().collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(error) => {
                self.connection = None;
                return Err(CallError::Transport(transport_class(&error)));
            }
        };
        if status == 200 {
            Ok(body)
        } else {
            Err(service_error(status, &body))
        }
    }

    fn request(&self, action: Action, body: Bytes) -> Result<Request<Full<Bytes>>, CallError> {
        let endpoint = &*self.endpoint;
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri("/")
            .header(HOST, endpoint.host.clone())
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.1"),
            )
            .header("x-amz-target", HeaderValue::from_static(action.target()));
        if action.signed() {
            for (name, value) in sign_headers(endpoint, action, &body)? {
                builder = builder.header(name, value);
            }
        }
        builder
            .body(Full::new(body))
            .map_err(|error| CallError::Transport(format!("cannot build request: {error}")))
    }

    async fn ready_connection(&mut self) -> Result<&mut SendRequest<Full<Bytes>>, CallError> {
        if let Some(sender) = &mut self.connection {
            // A server that closes after each answer (Connection: close) shows up here, before anything is written.
            if sender.is_closed() || sender.ready().await.is_err() {
                self.connection = None;
            }
        }
        if self.connection.is_none() {
            self.connection = Some(connect(self.endpoint.addr).await?);
        }
        Ok(self.connection.as_mut().expect("connection was just set"))
    }
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, CallError> {
    let stream = TcpStream::connect(addr)
        .await
        .map_err(|error| CallError::Transport(format!("connect: {}", error.kind())))?;
    // Requests are small and answered one at a time: Nagle would only add delay.
    stream
        .set_nodelay(true)
        .map_err(|error| CallError::Transport(format!("nodelay: {}", error.kind())))?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|error| CallError::Transport(transport_class(&error)))?;
    tokio::spawn(async move {
        // Ends when the server or the worker closes the connection; either is normal.
        let _ = connection.await;
    });
    Ok(sender)
}

fn transport_class(error: &hyper::Error) -> String {
    if error.is_incomplete_message() {
        "connection closed mid-answer".to_owned()
    } else if error.is_canceled() {
        "request canceled (connection closed)".to_owned()
    } else if error.is_parse() {
        "unparseable HTTP answer".to_owned()
    } else if error.is_closed() {
        "connection closed".to_owned()
    } else {
        error.to_string()
    }
}

/// Reads `{"__type": ..., "message": ...}`, keeping what clients keep of `__type` (after `#`, before `:`).
fn service_error(status: u16, body: &[u8]) -> CallError {
    let parsed: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let field = |names: &[&str]| {
        names.iter().find_map(|name| {
            parsed
                .as_ref()
                .and_then(|value| value.get(*name))
                .and_then(|value| value.as_str())
                .map(str::to_owned)
        })
    };
    let kind = field(&["__type", "code"])
        .map(|raw| {
            let after_hash = raw.rsplit('#').next().unwrap_or(&raw).to_owned();
            after_hash.split(':').next().unwrap_or("").to_owned()
        })
        .unwrap_or_else(|| "no __type".to_owned());
    let message = field(&["message", "Message"])
        .unwrap_or_else(|| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
    CallError::Service {
        status,
        kind,
        message,
    }
}

/// SigV4 headers (`authorization`, `x-amz-date`) over the host, content type, target and body, with the dummy credentials.
fn sign_headers(
    endpoint: &Endpoint,
    action: Action,
    body: &[u8],
) -> Result<Vec<(HeaderName, HeaderValue)>, CallError> {
    let signing_error =
        |error: &dyn std::fmt::Display| CallError::Transport(format!("cannot sign: {error}"));
    let identity = endpoint.credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&endpoint.region)
        .name("cognito-idp")
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .map_err(|error| signing_error(&error))?
        .into();
    let host = endpoint
        .host
        .to_str()
        .map_err(|error| signing_error(&error))?;
    let headers = [
        ("host", host),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", action.target()),
    ];
    let signable = SignableRequest::new(
        "POST",
        &endpoint.url,
        headers.into_iter(),
        SignableBody::Bytes(body),
    )
    .map_err(|error| signing_error(&error))?;
    let (instructions, _signature) = sign(signable, &params)
        .map_err(|error| signing_error(&error))?
        .into_parts();
    instructions
        .headers()
        .map(|(name, value)| {
            Ok((
                HeaderName::from_bytes(name.as_bytes()).map_err(|error| signing_error(&error))?,
                HeaderValue::from_str(value).map_err(|error| signing_error(&error))?,
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_error_keeps_the_shape_name_as_clients_do() {
        let error = service_error(
            400,
            br#"{"__type":"com.amazonaws#NotAuthorizedException:http://x","message":"m"}"#,
        );
        assert_eq!(error.kind(), "NotAuthorizedException (HTTP 400)");
    }

    #[test]
    fn service_error_without_json_names_the_status() {
        let error = service_error(500, b"<html>boom</html>");
        assert_eq!(error.kind(), "no __type (HTTP 500)");
    }
}
