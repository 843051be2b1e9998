//! How a scenario ends early (`Stop`) and the assertions scenarios use: on SDK errors through
//! `ProvideErrorMetadata` (code and message, as an application sees them) and on plain values.

use std::fmt::Debug;

use aws_sdk_cognitoidentityprovider::config::http::HttpResponse;
use aws_sdk_cognitoidentityprovider::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Why a scenario stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// The target did something AWS does not.
    Fail(String),
    /// The target lacks a capability the scenario needs; the reason says which.
    Skip(String),
}

/// What a scenario step returns; `Ok(())` at the end of a scenario is a PASS.
pub type Step<T = ()> = Result<T, Stop>;

/// A FAIL with a formatted reason.
pub fn fail<T>(reason: impl Into<String>) -> Step<T> {
    Err(Stop::Fail(reason.into()))
}

/// Fails with `$($fmt)*` unless `$cond` holds.
#[macro_export]
macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err($crate::Stop::Fail(format!($($fmt)*)));
        }
    };
}

/// Fails unless `$left == $right`, naming `$what` and both values.
#[macro_export]
macro_rules! ensure_eq {
    ($left:expr, $right:expr, $what:expr) => {{
        let (left, right) = (&$left, &$right);
        if left != right {
            return Err($crate::Stop::Fail(format!(
                "{}: got {:?}, expected {:?}",
                $what, left, right
            )));
        }
    }};
}

/// One line describing an SDK error: its code and message when the target answered with a
/// modeled error; else what went wrong (timeout, no connection, an HTTP status with a body that
/// is not a Cognito error), with the start of the body, never the whole exchange.
pub fn describe<E>(err: &SdkError<E, HttpResponse>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    if let Some(code) = err.code() {
        return match err.message() {
            Some(message) => format!("{code}: {message}"),
            None => format!("{code} (no message)"),
        };
    }
    match err {
        SdkError::TimeoutError(_) => "no answer in time".to_owned(),
        SdkError::DispatchFailure(_) => {
            format!(
                "no response: {}",
                one_line(&DisplayErrorContext(err).to_string())
            )
        }
        _ => match err.raw_response() {
            Some(raw) => {
                let body = raw
                    .body()
                    .bytes()
                    .map(|b| String::from_utf8_lossy(b).into_owned())
                    .unwrap_or_default();
                let body: String = one_line(&body).chars().take(120).collect();
                format!(
                    "HTTP {} that is no Cognito response (body: {body:?})",
                    raw.status().as_u16()
                )
            }
            None => one_line(&DisplayErrorContext(err).to_string()),
        },
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Names the operation an SDK result came from, so a FAIL says which call went wrong.
pub trait Call<T> {
    /// `Ok` as is; an error becomes a FAIL `"{operation} failed: {code}: {message}"`.
    fn op(self, operation: &str) -> Step<T>;
}

impl<T, E> Call<T> for Result<T, SdkError<E, HttpResponse>>
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    fn op(self, operation: &str) -> Step<T> {
        self.map_err(|err| Stop::Fail(format!("{operation} failed: {}", describe(&err))))
    }
}

/// The messages an error may carry. AWS changed some wordings over time (wire facts §4), so a
/// few expectations accept any of several; `&[]` accepts any message.
pub type Messages<'a> = &'a [&'a str];

/// The call must fail with error code `code` and, unless `messages` is empty, one of `messages`.
pub fn expect_error<T, E>(
    operation: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    messages: Messages<'_>,
) -> Step
where
    T: Debug,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let err = match result {
        Ok(output) => {
            return fail(format!(
                "{operation} succeeded, expected {code}: {}",
                one_line(&format!("{output:?}"))
                    .chars()
                    .take(300)
                    .collect::<String>()
            ))
        }
        Err(err) => err,
    };
    let got_code = err.code();
    if got_code != Some(code) {
        return fail(format!(
            "{operation}: expected {code}, got {}",
            describe(&err)
        ));
    }
    let got_message = err.message().unwrap_or_default();
    if !messages.is_empty() && !messages.contains(&got_message) {
        let expected = messages
            .iter()
            .map(|m| format!("{m:?}"))
            .collect::<Vec<_>>()
            .join(" or ");
        return fail(format!(
            "{operation}: {code} with message {got_message:?}, expected {expected}"
        ));
    }
    Ok(())
}

/// Like `expect_error` with exactly one acceptable message.
pub fn expect_error_message<T, E>(
    operation: &str,
    result: Result<T, SdkError<E, HttpResponse>>,
    code: &str,
    message: &str,
) -> Step
where
    T: Debug,
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    expect_error(operation, result, code, &[message])
}

/// The value inside `option`, or a FAIL saying `what` was missing.
pub fn present<T>(option: Option<T>, what: &str) -> Step<T> {
    option.ok_or_else(|| Stop::Fail(format!("{what} is missing")))
}
