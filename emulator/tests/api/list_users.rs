//! ListUsers through the router (admin-sigv4-facts §4): what needs many users or the clock,
//! pagination while users change, sealed and expiring tokens, the indexes following changes.

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::accounts::setup;
use crate::admin::{admin_create, email_of, usernames};
use crate::support::PASSWORD;

#[tokio::test]
async fn list_users_pages_never_repeat_or_skip_while_users_change() {
    let (h, t) = setup().await;
    for i in 0..10 {
        admin_create(&h, &t, &format!("u{i:02}@example.com")).await;
    }
    let page = |token: Option<Value>| {
        let mut body = json!({"UserPoolId": t.pool_id, "Limit": 3, "Filter": "email ^= \"u\""});
        if let Some(token) = token {
            body["PaginationToken"] = token;
        }
        h.call("ListUsers", body)
    };
    let first = page(None).await.ok();
    let seen_first: Vec<String> = first["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(email_of)
        .collect();
    // Sorted by the filtered attribute (developer guide).
    assert_eq!(
        seen_first,
        ["u00@example.com", "u01@example.com", "u02@example.com"]
    );
    // Between pages: one user not yet listed goes, one arrives after the cursor, one before it.
    h.call(
        "AdminDeleteUser",
        json!({"UserPoolId": t.pool_id, "Username": "u05@example.com"}),
    )
    .await
    .ok();
    admin_create(&h, &t, "u99@example.com").await;
    admin_create(&h, &t, "u000@example.com").await;
    let mut seen: Vec<String> = seen_first;
    let mut token = first.get("PaginationToken").cloned();
    while let Some(t) = token {
        let out = page(Some(t)).await.ok();
        seen.extend(out["Users"].as_array().unwrap().iter().map(email_of));
        token = out.get("PaginationToken").cloned();
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "a user was listed twice: {seen:?}"
    );
    let expected: Vec<String> = (0..10)
        .filter(|i| *i != 5)
        .map(|i| format!("u{i:02}@example.com"))
        .chain(["u99@example.com".to_owned()])
        .collect();
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn list_users_tokens_are_sealed_bound_and_expire() {
    let (h, t) = setup().await;
    for i in 0..3 {
        admin_create(&h, &t, &format!("p{i}@example.com")).await;
    }
    let out = h
        .call("ListUsers", json!({"UserPoolId": t.pool_id, "Limit": 1}))
        .await
        .ok();
    let token = out["PaginationToken"].as_str().unwrap().to_owned();
    // Another filter, an edited token: refused.
    h.call(
        "ListUsers",
        json!({"UserPoolId": t.pool_id, "Limit": 1, "PaginationToken": token, "Filter": "email = \"x\""}),
    )
    .await
    .err("InvalidParameterException");
    let mut edited = token.clone().into_bytes();
    edited[40] = if edited[40] == b'A' { b'B' } else { b'A' };
    h.call(
        "ListUsers",
        json!({"UserPoolId": t.pool_id, "Limit": 1, "PaginationToken": String::from_utf8(edited).unwrap()}),
    )
    .await
    .err("InvalidParameterException");
    // AWS: the token expires after one hour (developer guide).
    h.clock.advance(Duration::from_secs(3601));
    h.call(
        "ListUsers",
        json!({"UserPoolId": t.pool_id, "Limit": 1, "PaginationToken": token}),
    )
    .await
    .err("InvalidParameterException");
}

#[tokio::test]
async fn a_changed_email_moves_the_user_in_search_and_sign_in() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "old@example.com").await;
    h.call(
        "AdminUpdateUserAttributes",
        json!({"UserPoolId": t.pool_id, "Username": "old@example.com",
               "UserAttributes": [{"Name": "email", "Value": "new@example.com"},
                                  {"Name": "email_verified", "Value": "true"}]}),
    )
    .await
    .ok();
    let find = |email: &str| {
        h.call(
            "ListUsers",
            json!({"UserPoolId": t.pool_id, "Filter": format!("email = \"{email}\"")}),
        )
    };
    assert!(usernames(&find("old@example.com").await.ok()).is_empty());
    assert_eq!(usernames(&find("NEW@example.com").await.ok()).len(), 1);
    h.sign_in(&t, "new@example.com", PASSWORD).await.ok();
    // The old address names nobody now (a LEGACY client: wire facts §7.1).
    h.sign_in(&t, "old@example.com", PASSWORD)
        .await
        .err("UserNotFoundException")
        .msg("User does not exist.");
}

#[tokio::test]
async fn status_filters_are_indexed_and_sorted() {
    let (h, t) = setup().await;
    h.confirmed_user(&t, "a-confirmed@example.com").await;
    for i in 0..3 {
        admin_create(&h, &t, &format!("f{i}@example.com")).await;
    }
    h.call(
        "AdminDisableUser",
        json!({"UserPoolId": t.pool_id, "Username": "f1@example.com"}),
    )
    .await
    .ok();
    let list = |filter: &str| {
        h.call(
            "ListUsers",
            json!({"UserPoolId": t.pool_id, "Filter": filter}),
        )
    };
    let forced = list("cognito:user_status = \"force_change_password\"")
        .await
        .ok();
    assert_eq!(forced["Users"].as_array().unwrap().len(), 3);
    let disabled = list("status = \"Disabled\"").await.ok();
    assert_eq!(
        disabled["Users"]
            .as_array()
            .unwrap()
            .iter()
            .map(email_of)
            .collect::<Vec<_>>(),
        ["f1@example.com"]
    );
    // `status` is case-sensitive (API reference).
    assert!(list("status = \"disabled\"").await.ok()["Users"]
        .as_array()
        .unwrap()
        .is_empty());
    // A prefix over both statuses sorts by status: CONFIRMED before FORCE_CHANGE_PASSWORD.
    let both = list("cognito:user_status ^= \"\"").await.ok();
    let statuses: Vec<&str> = both["Users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["UserStatus"].as_str().unwrap())
        .collect();
    assert_eq!(statuses[0], "CONFIRMED");
    assert_eq!(statuses.len(), 4);
}
