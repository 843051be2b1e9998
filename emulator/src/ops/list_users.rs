use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::list_groups::page_size;
use super::{AttributeType, Cx, Operation};
use crate::clock::Timestamp;
use crate::error::ServiceError;
use crate::model::{User, UserPool, INDEXED_SEARCH_ATTRIBUTES};
use crate::wire::UserType;
use crate::AppState;

pub struct ListUsers;

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Request {
    user_pool_id: String,
    attributes_to_get: Option<Vec<String>>,
    limit: Option<usize>,
    pagination_token: Option<String>,
    filter: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Response {
    users: Vec<UserType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pagination_token: Option<String>,
}

/// AWS: "Amazon Cognito expires the pagination token after one hour" (developer guide).
const TOKEN_TTL: Duration = Duration::from_secs(3600);

/// A parsed `Filter`: `name = "value"` or `name ^= "prefix"` (API reference `ListUsers.Filter`).
#[derive(Debug, PartialEq, Eq)]
struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

/// Where a page ends: the filtered attribute's sort value and the user's key.
#[derive(Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Cursor {
    pool: String,
    filter: String,
    value: String,
    key: String,
    issued: i64,
}

impl Operation for ListUsers {
    const NAME: &'static str = "ListUsers";
    type Request = Request;
    type Response = Response;

    /// Sorted by the filtered attribute, ascending (developer guide), or by username without a
    /// filter; each page costs O(log n + page) through the pool's indexes. The token names the
    /// last user returned, so users added or removed between pages are never repeated nor make
    /// others skipped.
    fn run(cx: &Cx<'_>, request: Request) -> Result<Response, ServiceError> {
        let entry = cx.state.store.pool(&request.user_pool_id)?;
        let filter_text = request.filter.as_deref().unwrap_or_default();
        let filter = parse_filter(filter_text)?;
        if let Some(filter) = &filter {
            if !searchable(&filter.attribute) {
                // moto's wording; AWS's was not captured (admin-sigv4-facts §4.1).
                return Err(ServiceError::invalid_parameter(format!(
                    "Invalid search attribute: {}",
                    filter.attribute
                )));
            }
        }
        let limit = page_size(request.limit);
        let pool = entry.read();
        let after = match &request.pagination_token {
            Some(token) => Some(open_token(cx.state, token, &pool.id, filter_text, cx.now)?),
            None => None,
        };
        let after_pair = after.as_ref().map(|c| (c.value.as_str(), c.key.as_str()));
        let mut found = matches(&pool, filter.as_ref(), after_pair);
        let page: Vec<(String, &User)> = found.by_ref().take(limit).collect();
        let more = found.next().is_some();
        let pagination_token = match (page.last(), more) {
            (Some((value, user)), true) => Some(seal_token(
                cx.state,
                &Cursor {
                    pool: pool.id.clone(),
                    filter: filter_text.to_owned(),
                    value: value.clone(),
                    key: pool.users.key(&user.username),
                    issued: cx.now.secs(),
                },
            )),
            _ => None,
        };
        let mut users = Vec::with_capacity(page.len());
        for (_, user) in page {
            let attributes = match &request.attributes_to_get {
                None => AttributeType::list(user, |_| true),
                Some(names) => {
                    // AWS: an error "if not all users in the results have set a value for the
                    // attribute you request" (API reference), with this text (recorded).
                    if names
                        .iter()
                        .any(|n| !searchable(n) && user.attribute(n).is_none())
                    {
                        return Err(ServiceError::invalid_parameter(
                            "Input fails to satisfy the constraints.",
                        ));
                    }
                    AttributeType::list(user, |n| names.iter().any(|x| x == n))
                }
            };
            users.push(UserType::with_attributes(user, attributes));
        }
        Ok(Response {
            users,
            pagination_token,
        })
    }
}

/// AWS's searchable attributes (API reference `ListUsers.Filter`); custom ones are not.
fn searchable(attribute: &str) -> bool {
    matches!(attribute, "username" | "sub") || INDEXED_SEARCH_ATTRIBUTES.contains(&attribute)
}

/// The users matching `filter` (all of them without one), in sort order, after `after`,
/// each with its sort value.
fn matches<'p>(
    pool: &'p UserPool,
    filter: Option<&'p Filter>,
    after: Option<(&'p str, &'p str)>,
) -> Box<dyn Iterator<Item = (String, &'p User)> + 'p> {
    let by_key = move |after_key: Option<&'p str>| {
        pool.users
            .iter_after(after_key)
            .map(|(key, user)| (key.clone(), user))
    };
    let Some(filter) = filter else {
        return Box::new(by_key(after.map(|(_, k)| k)));
    };
    let wanted = |value: &str, case_sensitive: bool| {
        let (value, target) = if case_sensitive {
            (value.to_owned(), filter.value.clone())
        } else {
            (value.to_lowercase(), filter.value.to_lowercase())
        };
        if filter.prefix {
            value.starts_with(&target)
        } else {
            value == target
        }
    };
    match filter.attribute.as_str() {
        // Case-sensitive; keys are the usernames (lower-cased in case-insensitive pools),
        // so a range over the key finds the candidates.
        "username" => {
            let prefix = pool.users.key(&filter.value);
            let candidates: Box<dyn Iterator<Item = (&'p String, &'p User)> + 'p> = match after {
                Some((_, key)) => Box::new(pool.users.iter_after(Some(key))),
                None => Box::new(pool.users.iter_from(&prefix)),
            };
            let exact = !filter.prefix;
            Box::new(
                candidates
                    .take_while(move |(key, _)| {
                        if exact {
                            **key == prefix
                        } else {
                            key.starts_with(&prefix)
                        }
                    })
                    .filter(move |(_, user)| wanted(&user.username, true))
                    .map(|(key, user)| (key.clone(), user)),
            )
        }
        attribute => {
            // AWS: `status` is matched case-sensitively, every other attribute but the
            // username case-insensitively (admin-sigv4-facts §4.1).
            let value = if attribute == "status" {
                filter.value.clone()
            } else {
                filter.value.to_lowercase()
            };
            Box::new(
                pool.users
                    .search(attribute, value, filter.prefix, after)
                    .filter_map(move |(sort, key)| {
                        pool.users.get(key).map(|user| (sort.to_owned(), user))
                    }),
            )
        }
    }
}

/// `ws* (name | "name") ws* ("=" | "^=") ws* "value" ws*`, the value a double-quoted string
/// with `\"` and `\\` escapes (admin-sigv4-facts §4.1). An empty filter lists everyone.
fn parse_filter(text: &str) -> Result<Option<Filter>, ServiceError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let bad = ServiceError::filter_unparsable;
    let (attribute, rest) = if let Some(rest) = text.strip_prefix('"') {
        let end = rest.find('"').ok_or_else(bad)?;
        (rest[..end].to_owned(), &rest[end + 1..])
    } else {
        let end = rest_of_name(text);
        (text[..end].to_owned(), &text[end..])
    };
    if attribute.is_empty() {
        return Err(bad());
    }
    let rest = rest.trim_start();
    let (prefix, rest) = if let Some(rest) = rest.strip_prefix("^=") {
        (true, rest)
    } else if let Some(rest) = rest.strip_prefix('=') {
        (false, rest)
    } else {
        return Err(bad());
    };
    let rest = rest.trim_start();
    let mut chars = rest.strip_prefix('"').ok_or_else(bad)?.chars();
    let mut value = String::new();
    loop {
        match chars.next().ok_or_else(bad)? {
            '\\' => value.push(chars.next().ok_or_else(bad)?),
            '"' => break,
            c => value.push(c),
        }
    }
    if !chars.as_str().trim().is_empty() {
        return Err(bad());
    }
    Ok(Some(Filter {
        attribute,
        prefix,
        value,
    }))
}

/// Where an unquoted attribute name ends: at white space or the operator.
fn rest_of_name(text: &str) -> usize {
    text.find(|c: char| c.is_whitespace() || c == '=' || c == '^')
        .unwrap_or(text.len())
}

fn token_mac(state: &AppState, body: &[u8]) -> [u8; 32] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(&state.simulation_key).expect("HMAC accepts any key length");
    mac.update(b"ListUsers\0");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// An opaque token: the cursor and an HMAC over it under the emulator's key, base64 (AWS's
/// tokens are base64 too, with `+` and `/`).
fn seal_token(state: &AppState, cursor: &Cursor) -> String {
    let body = serde_json::to_vec(cursor).unwrap_or_default();
    let mut sealed = token_mac(state, &body).to_vec();
    sealed.extend_from_slice(&body);
    STANDARD.encode(sealed)
}

/// The cursor in `token`, if this emulator issued it for this pool and filter less than an
/// hour ago. AWS's message for a foreign token names a request id (admin-sigv4-facts §4.3);
/// this one names none.
fn open_token(
    state: &AppState,
    token: &str,
    pool_id: &str,
    filter: &str,
    now: Timestamp,
) -> Result<Cursor, ServiceError> {
    let invalid = || ServiceError::invalid_parameter(format!("Paging marker {token} is invalid."));
    let sealed = STANDARD.decode(token).map_err(|_| invalid())?;
    if sealed.len() < 32 {
        return Err(invalid());
    }
    let (mac, body) = sealed.split_at(32);
    let expected = token_mac(state, body);
    if !bool::from(subtle::ConstantTimeEq::ct_eq(mac, &expected[..])) {
        return Err(invalid());
    }
    let cursor: Cursor = serde_json::from_slice(body).map_err(|_| invalid())?;
    if cursor.pool != pool_id || cursor.filter != filter {
        return Err(invalid());
    }
    if now.secs() >= cursor.issued + TOKEN_TTL.as_secs() as i64 {
        return Err(ServiceError::invalid_parameter(format!(
            "Paging marker {token} has expired."
        )));
    }
    Ok(cursor)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<Filter> {
        parse_filter(text).unwrap()
    }

    #[test]
    fn filters_in_the_forms_aws_documents() {
        let email = |prefix, value: &str| {
            Some(Filter {
                attribute: "email".into(),
                prefix,
                value: value.into(),
            })
        };
        // API reference form, the CLI example `email^=\"testuser\"`, and the AWS SDK example
        // with a quoted name (admin-sigv4-facts §4.1).
        assert_eq!(
            parsed(r#"email = "a@example.com""#),
            email(false, "a@example.com")
        );
        assert_eq!(parsed(r#"email^="testuser""#), email(true, "testuser"));
        assert_eq!(parsed(r#""email"^="testuser""#), email(true, "testuser"));
        assert_eq!(parsed(r#"  email   ^=   "x"  "#), email(true, "x"));
        assert_eq!(parsed(r#"email = "a\"b\\c""#), email(false, r#"a"b\c"#));
        assert_eq!(parsed(""), None);
        assert_eq!(parsed("   "), None);
        assert_eq!(
            parsed(r#"cognito:user_status = "CONFIRMED""#)
                .unwrap()
                .attribute,
            "cognito:user_status"
        );
    }

    #[test]
    fn unparsable_filters_get_aws_message() {
        // The recorded body for `foo` (aws-sdk-php #1088).
        for bad in [
            "foo",
            "username=",
            r#"email = x"#,
            r#"email = "x"#,
            r#"email == "x""#,
            r#"email = "x" and"#,
            r#"= "x""#,
            r#""email = "x""#,
        ] {
            let err = parse_filter(bad).unwrap_err();
            assert_eq!(err.message, "Error while parsing filter.", "{bad:?}");
        }
    }
}
