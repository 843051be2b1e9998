//! The AWS query front door (STS): `POST /` with a form body naming `Action` and `Version`,
//! answered in XML (wire facts §8, admin-sigv4-facts §6). It parses, authenticates, calls
//! `sts::dispatch` and renders the result or the error.

use std::fmt::Write;

use axum::body::Body;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

use super::cors::add_cors;
use super::{authenticate, read_body};
use crate::credentials::AuthError;
use crate::sts::{self, Node, Params, StsCx, StsError};
use crate::AppState;

/// The signing name in an STS request's credential scope.
const SERVICE: &str = "sts";

/// STS inputs are small (a session policy is at most 2,048 characters, ten policy ARNs, 50
/// tags); larger bodies are refused before parsing.
const MAX_STS_BODY_BYTES: usize = 64 * 1024;

pub async fn handle(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Response {
    let request_id = state.ids.uuid();
    let outcome = run(state, method, uri, headers, body).await;
    let outcome = match state.durable().await {
        Ok(()) => outcome,
        Err(why) => {
            tracing::error!(%why, "internal error");
            Err(StsError::new(
                "InternalFailure",
                "The request processing has failed because of an unknown error, exception or failure.",
                500,
            ))
        }
    };
    match outcome {
        Ok((action, nodes)) => xml_response(
            StatusCode::OK,
            result_xml(&action, &nodes, &request_id),
            &request_id,
        ),
        Err(error) => error_response(&error, &request_id),
    }
}

/// An STS error as the query protocol renders it (also the `Host` check's refusal).
pub fn error_response(error: &StsError, request_id: &str) -> Response {
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::BAD_REQUEST);
    xml_response(status, error_xml(error, request_id), request_id)
}

fn xml_response(status: StatusCode, xml: String, request_id: &str) -> Response {
    let mut response = (status, xml).into_response();
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(request_id) {
        out.insert("x-amzn-requestid", v);
    }
    add_cors(out);
    response
}

async fn run(
    state: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: Body,
) -> Result<(String, Vec<Node>), StsError> {
    let bytes = read_body(body, MAX_STS_BODY_BYTES)
        .await
        .map_err(|m| StsError::new("ValidationError", m, 400))?;
    // A signed request is authenticated over the raw bytes before its form is parsed, so an
    // anonymous caller cannot make the emulator split large forms.
    let principal = match headers.contains_key("authorization") {
        true => {
            Some(authenticate(state, method, uri, headers, &bytes, SERVICE).map_err(auth_failure)?)
        }
        false => None,
    };
    let params = Params(form_urlencoded::parse(&bytes).into_owned().collect());
    let action = params.get("Action").unwrap_or_default().to_owned();
    if action.is_empty() {
        return Err(StsError::new(
            "MissingAction",
            "The request is missing an action or a required parameter.",
            400,
        ));
    }
    let version = params.get("Version").unwrap_or_default();
    if version != sts::VERSION {
        return Err(sts::unknown_action(&action, version));
    }
    if sts::UNSIGNED_ACTIONS.contains(&action.as_str()) {
        return Err(sts::not_implemented(&action));
    }
    let principal = principal.ok_or_else(|| auth_failure(AuthError::Missing))?;
    let cx = StsCx {
        state,
        now: state.clock.now(),
        principal: &principal,
    };
    // A bug must not drop the connection: a panic in an action is an internal error.
    let nodes = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        sts::dispatch(&cx, &action, &params)
    }))
    .unwrap_or_else(|_| {
        tracing::error!(action, "STS action panicked");
        Err(StsError::new(
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
            500,
        ))
    })?;
    Ok((action, nodes))
}

/// STS's answers to a refused signature: HTTP 403 XML with these codes (admin-sigv4-facts §6.5).
fn auth_failure(error: AuthError) -> StsError {
    let (code, status) = match &error {
        AuthError::Missing => ("MissingAuthenticationToken", 403),
        AuthError::Incomplete(_) => ("IncompleteSignature", 400),
        AuthError::UnknownKey => ("InvalidClientTokenId", 403),
        AuthError::BadSignature | AuthError::Refused(_) => ("SignatureDoesNotMatch", 403),
        AuthError::ExpiredToken => ("ExpiredToken", 403),
    };
    let message = match error {
        // Query services word this one differently from JSON ones.
        AuthError::Missing => "Request is missing Authentication Token".to_owned(),
        other => other.message(),
    };
    StsError::new(code, message, status)
}

/// `<{Action}Response xmlns=…><{Action}Result>…</{Action}Result><ResponseMetadata>…`.
fn result_xml(action: &str, nodes: &[Node], request_id: &str) -> String {
    let mut out = String::with_capacity(1024);
    let _ = writeln!(
        out,
        "<{action}Response xmlns=\"{}\">\n  <{action}Result>",
        sts::XML_NAMESPACE
    );
    for node in nodes {
        write_node(&mut out, node, 4);
    }
    let _ = write!(
        out,
        "  </{action}Result>\n  <ResponseMetadata>\n    <RequestId>{}</RequestId>\n  </ResponseMetadata>\n</{action}Response>\n",
        escape(request_id)
    );
    out
}

/// The query protocol's error envelope, which botocore's and the Rust SDK's parsers read.
fn error_xml(error: &StsError, request_id: &str) -> String {
    let kind = if error.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    format!(
        "<ErrorResponse xmlns=\"{}\">\n  <Error>\n    <Type>{kind}</Type>\n    <Code>{}</Code>\n    <Message>{}</Message>\n  </Error>\n  <RequestId>{}</RequestId>\n</ErrorResponse>\n",
        sts::XML_NAMESPACE,
        error.code,
        escape(&error.message),
        escape(request_id)
    )
}

fn write_node(out: &mut String, node: &Node, indent: usize) {
    let pad = " ".repeat(indent);
    match node {
        Node::Text(name, text) => {
            let _ = writeln!(out, "{pad}<{name}>{}</{name}>", escape(text));
        }
        Node::Group(name, children) => {
            let _ = writeln!(out, "{pad}<{name}>");
            for child in children {
                write_node(out, child, indent + 2);
            }
            let _ = writeln!(out, "{pad}</{name}>");
        }
    }
}

/// Escapes element text (only `&`, `<` and `>` need it there; AWS leaves quotes alone).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
