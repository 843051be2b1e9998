//! AWS STS on the emulator's own port (admin-sigv4-facts §6): `GetSessionToken`,
//! `GetCallerIdentity` and `AssumeRole` over the keyring, so the tutorial's admin path
//! (session credentials, then signed cognito-idp calls) works offline. The query front door
//! (`protocol::query`) parses the form and renders XML; this module holds the actions, their
//! validation and their errors. No IAM policy is evaluated (README "Known deviations").

mod assume_role;
mod get_caller_identity;
mod get_session_token;

use std::time::Duration;

use crate::clock::Timestamp;
use crate::credentials::{Issued, Principal};
use crate::AppState;

/// The query API version every STS request names.
pub const VERSION: &str = "2011-06-15";
pub const XML_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// STS actions that take no signature; the emulator does not serve them (yet).
pub const UNSIGNED_ACTIONS: &[&str] = &["AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"];

/// An STS error: the `<Code>`, its `<Message>` and the HTTP status (§6.5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    pub code: &'static str,
    pub message: String,
    pub status: u16,
}

impl StsError {
    pub fn new(code: &'static str, message: impl Into<String>, status: u16) -> Self {
        StsError {
            code,
            message: message.into(),
            status,
        }
    }

    pub fn access_denied(message: impl Into<String>) -> Self {
        Self::new("AccessDenied", message, 403)
    }

    /// `ValidationError` over the constraint failures found, numbered as AWS numbers them.
    fn validation(failures: &[String]) -> Self {
        let count = failures.len();
        let plural = if count == 1 { "" } else { "s" };
        Self::new(
            "ValidationError",
            format!(
                "{count} validation error{plural} detected: {}",
                failures.join("; ")
            ),
            400,
        )
    }

    fn invalid_action(message: String) -> Self {
        Self::new("InvalidAction", message, 400)
    }
}

/// An element of an XML answer: text, or a group of elements. No `Debug`: answers carry
/// secrets and session tokens, which must never reach a log line.
#[derive(Clone, PartialEq, Eq)]
pub enum Node {
    Text(&'static str, String),
    Group(&'static str, Vec<Node>),
}

/// The form's parameters, as sent; a repeated name keeps its last value.
pub struct Params(pub Vec<(String, String)>);

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What an action sees of the request.
pub struct StsCx<'a> {
    pub state: &'a AppState,
    pub now: Timestamp,
    pub principal: &'a Principal,
}

/// Runs `action`; the `Ok` value is the content of `<{action}Result>`.
pub fn dispatch(cx: &StsCx<'_>, action: &str, params: &Params) -> Result<Vec<Node>, StsError> {
    match action {
        "AssumeRole" => assume_role::run(cx, params),
        "GetCallerIdentity" => get_caller_identity::run(cx),
        "GetSessionToken" => get_session_token::run(cx, params),
        "AssumeRoleWithSAML"
        | "AssumeRoleWithWebIdentity"
        | "AssumeRoot"
        | "DecodeAuthorizationMessage"
        | "GetAccessKeyInfo"
        | "GetDelegatedAccessToken"
        | "GetFederationToken"
        | "GetWebIdentityToken" => Err(not_implemented(action)),
        _ => Err(unknown_action(action, VERSION)),
    }
}

/// An STS action AWS has and the emulator does not serve: a clear client error, never a 500.
pub fn not_implemented(action: &str) -> StsError {
    StsError::invalid_action(format!(
        "{action} is not implemented by this emulator. See the README for the STS actions it serves."
    ))
}

/// AWS's answer for an action (or version) it does not have.
pub fn unknown_action(action: &str, version: &str) -> StsError {
    StsError::invalid_action(format!(
        "Could not find operation {action} for version {version}"
    ))
}

/// An optional integer parameter within `min..=max` (AWS's constraint texts).
fn duration_seconds(
    params: &Params,
    min: u64,
    max: u64,
    failures: &mut Vec<String>,
) -> Option<u64> {
    let text = params.get("DurationSeconds")?;
    // An integer as the query protocol writes one: optional minus, digits (no `+`, no spaces).
    let digits = text.strip_prefix('-').unwrap_or(text);
    let parsed = (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse::<i64>().ok())
        .flatten();
    let Some(value) = parsed else {
        failures.push(format!(
            "Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"
        ));
        return None;
    };
    let (min, max) = (min as i64, max as i64);
    if value < min {
        failures.push(format!("Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {min}"));
    } else if value > max {
        failures.push(format!("Value '{value}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to {max}"));
    } else {
        return Some(value as u64);
    }
    None
}

/// Issues credentials for `identity` lasting `seconds` on the emulator's clock.
fn issue(cx: &StsCx<'_>, identity: crate::credentials::Identity, seconds: u64) -> Issued {
    let expiration = cx.now.plus(Duration::from_secs(seconds));
    let issued = cx
        .state
        .keyring
        .issue(&cx.state.ids, identity.clone(), cx.now, expiration);
    if let Some(journal) = &cx.state.journal {
        journal.record([crate::persist::Change::PutStsKey {
            access_key_id: issued.access_key_id.clone(),
            expires: issued.expiration.millis(),
            record: crate::persist::to_json(&crate::persist::records::StsKeyRecord::of(
                &issued, &identity,
            )),
        }]);
    }
    issued
}

/// `<Credentials>` as STS writes it.
fn credentials_node(issued: Issued) -> Node {
    Node::Group(
        "Credentials",
        vec![
            Node::Text("AccessKeyId", issued.access_key_id),
            Node::Text("SecretAccessKey", issued.secret_access_key),
            Node::Text("SessionToken", issued.session_token),
            Node::Text("Expiration", issued.expiration.iso8601()),
        ],
    )
}
