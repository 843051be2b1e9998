//! The tutorial server's transport (tutorial-backend.md "Transport"): which bodies are read,
//! the cookies copied into a request, how answers and errors are written, CORS.

use std::collections::HashMap;

use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

/// The cookies the backend reads and sets.
pub const REFRESH_TOKEN: &str = "refresh_token";
pub const REFRESH_USER: &str = "refresh_user";

/// How long the refresh-token cookies live: Cognito's default refresh-token validity, 30 days.
const COOKIE_MAX_AGE_SECS: u64 = 30 * 24 * 3600;

/// A parsed request: the JSON object's fields and the two cookies.
pub struct Request {
    fields: Map<String, Value>,
    cookies: HashMap<String, String>,
}

impl Request {
    /// A field's text; `None` when absent, not a string, or empty (the SDK the tutorial uses
    /// refuses those before calling Cognito).
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// A code as people type it: `"110 260"` is `110260` (the tutorial removes spaces).
    pub fn code(&self, name: &str) -> Option<String> {
        self.field(name)
            .map(|code| code.chars().filter(|c| !c.is_whitespace()).collect())
            .filter(|code: &String| !code.is_empty())
    }

    pub fn cookie(&self, name: &str) -> Option<&str> {
        self.cookies
            .get(name)
            .map(String::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn env(&self) -> Option<&str> {
        self.field("env")
    }
}

/// Reads the body as the tutorial does: JSON when the content type is `application/json` or
/// `text/plain` (what browsers send to avoid a preflight). Deliberate difference: parameters
/// such as `; charset=UTF-8` are allowed, and a body that cannot be read gets a plain-text
/// 400 or 415 instead of the original's HTML 500.
pub fn parse(headers: &HeaderMap, body: &[u8]) -> Result<Request, Reply> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if essence != "application/json" && essence != "text/plain" {
        return Err(Reply::text(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the request as a JSON object with Content-Type application/json or text/plain",
        ));
    }
    let fields = match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(fields)) => fields,
        Ok(_) | Err(_) => {
            return Err(Reply::text(
                StatusCode::BAD_REQUEST,
                "The body must be a JSON object such as {\"env\": \"signIn\", ...}",
            ))
        }
    };
    Ok(Request {
        fields,
        cookies: cookies(headers),
    })
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|line| line.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(|(name, _)| *name == REFRESH_TOKEN || *name == REFRESH_USER)
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// An answer: status, a JSON object or a text, and cookie changes.
pub struct Reply {
    pub status: StatusCode,
    pub body: Body,
    pub cookies: Vec<(&'static str, Option<String>)>,
}

pub enum Body {
    Json(Value),
    Text(String),
}

impl Reply {
    /// `200 {"message": "OK"}`.
    pub fn ok() -> Self {
        Self::json(serde_json::json!({ "message": "OK" }))
    }

    pub fn json(value: Value) -> Self {
        Reply {
            status: StatusCode::OK,
            body: Body::Json(value),
            cookies: Vec::new(),
        }
    }

    pub fn text(status: StatusCode, text: &str) -> Self {
        Reply {
            status,
            body: Body::Text(text.to_owned()),
            cookies: Vec::new(),
        }
    }

    /// Sets (`Some`) or clears (`None`) a cookie.
    pub fn cookie(mut self, name: &'static str, value: Option<String>) -> Self {
        self.cookies.push((name, value));
        self
    }
}

/// What every answer needs besides the reply: the CORS origin and the cookies' attributes.
pub struct Rendering<'a> {
    pub front_end_origin: &'a str,
    /// `SameSite=None` (with `Secure`): the front end is on another host than the backend.
    pub cross_site: bool,
    /// `Secure`: the browser reached the backend over TLS (a terminator in front says so).
    pub secure: bool,
    /// The request has no `Origin`, or it is the front end's or this backend's own.
    pub origin_allowed: bool,
}

/// Decides the cookie policy from the configured front end and the backend's own origin,
/// never from what a request claims to be: a request's `Origin` only selects between them.
pub fn rendering<'a>(front_end_origin: &'a str, headers: &HeaderMap) -> Rendering<'a> {
    let header = |name: header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    let host = header(header::HOST).unwrap_or_default();
    let forwarded_https = header(header::HeaderName::from_static("x-forwarded-proto"))
        .is_some_and(|p| p.eq_ignore_ascii_case("https"))
        || header(header::FORWARDED)
            .is_some_and(|f| f.to_ascii_lowercase().contains("proto=https"));
    let own_origin = |origin: &str| {
        origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host))
    };
    let origin = header(header::ORIGIN);
    let from_own_page = origin.is_some_and(own_origin);
    let origin_allowed =
        origin.is_none_or(|o| from_own_page || o.eq_ignore_ascii_case(front_end_origin));
    let cross_site =
        !from_own_page && !host_of(front_end_origin).eq_ignore_ascii_case(host_of(host));
    Rendering {
        front_end_origin,
        cross_site,
        secure: forwarded_https || cross_site,
        origin_allowed,
    }
}

/// The host of an origin or authority, without scheme, port or path.
fn host_of(origin_or_authority: &str) -> &str {
    let authority = origin_or_authority
        .split_once("://")
        .map_or(origin_or_authority, |(_, rest)| rest);
    let authority = authority.split('/').next().unwrap_or_default();
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

pub fn render(reply: Reply, rendering: &Rendering<'_>) -> Response {
    let (content_type, bytes) = match reply.body {
        Body::Json(value) => (
            "application/json; charset=UTF-8",
            serde_json::to_vec(&value).unwrap_or_default(),
        ),
        Body::Text(text) => ("text/plain; charset=UTF-8", text.into_bytes()),
    };
    let mut response = (reply.status, bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    add_cors(headers, rendering.front_end_origin, None);
    let site = match (rendering.cross_site, rendering.secure) {
        (true, _) => "SameSite=None; Secure",
        (false, true) => "SameSite=Lax; Secure",
        (false, false) => "SameSite=Lax",
    };
    for (name, value) in reply.cookies {
        let line = match value {
            Some(value) => {
                format!("{name}={value}; Path=/; Max-Age={COOKIE_MAX_AGE_SECS}; HttpOnly; {site}")
            }
            None => format!("{name}=; Path=/; Max-Age=0; HttpOnly; {site}"),
        };
        if let Ok(v) = HeaderValue::from_str(&line) {
            headers.append(header::SET_COOKIE, v);
        }
    }
    response
}

/// The tutorial's CORS headers. Deliberate difference: a preflight's requested headers are
/// echoed, because browsers read `Access-Control-Allow-Headers: *` literally on credentialed
/// requests, which would block `Content-Type: application/json`.
pub fn add_cors(headers: &mut HeaderMap, origin: &str, requested_headers: Option<&HeaderValue>) {
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
    }
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        requested_headers
            .cloned()
            .unwrap_or(HeaderValue::from_static("*")),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        HeaderValue::from_static("true"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        "allow-origin-with-credentials",
        HeaderValue::from_static("true"),
    );
    headers.insert(header::VARY, HeaderValue::from_static("Origin"));
}
