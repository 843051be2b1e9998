//! ListUsers (admin facts §4): the filter grammar, the searchable status attributes, sorting,
//! AttributesToGet, Limit and pagination. ListUsers is eventually consistent (API reference),
//! so listings that expect users just created wait briefly for them to appear.

use std::collections::HashSet;
use std::time::Duration;

use aws_sdk_cognitoidentityprovider::types::UserType;

use crate::admin::{create_user, created_user};
use crate::check::{expect_error_message, Call, Step};
use crate::ctx::Ctx;
use crate::{ensure, ensure_eq};

/// An address at the SES mailbox simulator that starts with `prefix` (`success+{prefix}...`).
fn address(prefix: &str, suffix: &str) -> String {
    format!("success+{prefix}{suffix}@simulator.amazonses.com")
}

/// Users created (SUPPRESS, a temporary password) with the given e-mail addresses; their usernames.
async fn users_with_emails(ctx: &Ctx, pool: &str, emails: &[String]) -> Step<Vec<String>> {
    let mut usernames = Vec::new();
    for email in emails {
        let username = ctx.unique("user");
        create_user(ctx, pool, &username, email, &[]).await?;
        usernames.push(username);
    }
    Ok(usernames)
}

/// Every user ListUsers returns for `filter`, following PaginationToken.
async fn list_all(ctx: &Ctx, pool: &str, filter: Option<&str>) -> Step<Vec<UserType>> {
    let mut users = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let page = ctx
            .cognito()
            .list_users()
            .user_pool_id(pool)
            .set_filter(filter.map(str::to_owned))
            .set_pagination_token(token.take())
            .send()
            .await
            .op(&format!("ListUsers Filter={filter:?}"))?;
        users.extend(page.users.unwrap_or_default());
        token = page.pagination_token;
        if token.is_none() {
            break;
        }
    }
    Ok(users)
}

/// `list_all`, retried for up to ~10 seconds until it returns `count` users (ListUsers is
/// eventually consistent); the last listing either way.
async fn list_settled(
    ctx: &Ctx,
    pool: &str,
    filter: Option<&str>,
    count: usize,
) -> Step<Vec<UserType>> {
    let mut users = list_all(ctx, pool, filter).await?;
    for _ in 0..10 {
        if users.len() == count {
            break;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
        users = list_all(ctx, pool, filter).await?;
    }
    Ok(users)
}

fn usernames(users: &[UserType]) -> Vec<String> {
    users.iter().filter_map(|u| u.username.clone()).collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

/// Admin facts §4.1: `email = "x"` matches that address only.
pub async fn exact_filter_matches_one_user(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let emails = [ctx.email(), ctx.email(), ctx.email()];
    let names = users_with_emails(&ctx, &pool, &emails).await?;
    let filter = format!("email = \"{}\"", emails[1]);
    let found = list_settled(&ctx, &pool, Some(&filter), 1).await?;
    ensure_eq!(
        usernames(&found),
        vec![names[1].clone()],
        format!("users matching {filter}")
    );
    Ok(())
}

/// Admin facts §4.1: `email ^= "pre"` matches the addresses starting with `pre`.
pub async fn prefix_filter_matches_the_prefix(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let prefix = format!("{}-", ctx.unique("alpha"));
    let emails = [
        address(&prefix, "one"),
        address(&ctx.unique("beta"), ""),
        address(&prefix, "two"),
    ];
    let names = users_with_emails(&ctx, &pool, &emails).await?;
    let filter = format!("email ^= \"success+{prefix}\"");
    let found = list_settled(&ctx, &pool, Some(&filter), 2).await?;
    ensure_eq!(
        sorted(usernames(&found)),
        sorted(vec![names[0].clone(), names[2].clone()]),
        format!("users matching {filter}")
    );
    Ok(())
}

/// Admin facts §0.5 and §4.1: AWS's own example sends `"email"^="value"`, the name quoted and
/// no spaces.
pub async fn quoted_name_without_spaces_is_accepted(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let prefix = format!("{}-", ctx.unique("alpha"));
    let emails = [address(&prefix, "one"), address(&ctx.unique("beta"), "")];
    let names = users_with_emails(&ctx, &pool, &emails).await?;
    let filter = format!("\"email\"^=\"success+{prefix}\"");
    let found = list_settled(&ctx, &pool, Some(&filter), 1).await?;
    ensure_eq!(
        usernames(&found),
        vec![names[0].clone()],
        format!("users matching {filter}")
    );
    Ok(())
}

/// Admin facts §4.1: the recorded body for `Filter: "foo"` (aws-sdk-php #1088), with the period.
pub async fn malformed_filter_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let result = ctx
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .filter("foo")
        .send()
        .await;
    expect_error_message(
        "ListUsers Filter=foo",
        result,
        "InvalidParameterException",
        "Error while parsing filter.",
    )
}

/// Admin facts §4.3: Limit is 0–60 (QueryLimitType); the Coral message is recorded for 100.
pub async fn limit_above_60_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let result = ctx
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .limit(61)
        .send()
        .await;
    expect_error_message(
        "ListUsers Limit=61",
        result,
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 60",
    )
}

/// Admin facts §4.3 and the API reference (Users): one chain of pages returns no duplicates,
/// and no page holds more than Limit.
pub async fn pagination_returns_each_user_once(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let mut made = HashSet::new();
    for _ in 0..5 {
        made.insert(created_user(&ctx, &pool).await?.username);
    }
    // Wait until an unpaged listing sees all five, then page through.
    list_settled(&ctx, &pool, None, made.len()).await?;
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..20 {
        let page = ctx
            .cognito()
            .list_users()
            .user_pool_id(&pool)
            .limit(2)
            .set_pagination_token(token.take())
            .send()
            .await
            .op("ListUsers Limit=2")?;
        let users = page.users.unwrap_or_default();
        ensure!(
            users.len() <= 2,
            "ListUsers Limit=2 returned {} users",
            users.len()
        );
        seen.extend(usernames(&users));
        token = page.pagination_token;
        if token.is_none() {
            break;
        }
    }
    ensure!(
        token.is_none(),
        "ListUsers was still paging after 20 pages of 2"
    );
    let unique: HashSet<String> = seen.iter().cloned().collect();
    ensure_eq!(
        seen.len(),
        unique.len(),
        format!("users listed (with repeats: {seen:?})")
    );
    ensure_eq!(unique, made, "the users ListUsers listed");
    Ok(())
}

/// Admin facts §4.2: AttributesToGet restricts each user's Attributes; AWS's example asks for
/// `email` and `sub`, which every user here has (a missing value would be an error).
pub async fn attributes_to_get_restricts_attributes(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    for _ in 0..2 {
        let (username, email) = (ctx.unique("user"), ctx.email());
        create_user(&ctx, &pool, &username, &email, &[("name", "Ada Lovelace")]).await?;
    }
    list_settled(&ctx, &pool, None, 2).await?;
    let output = ctx
        .cognito()
        .list_users()
        .user_pool_id(&pool)
        .attributes_to_get("email")
        .attributes_to_get("sub")
        .send()
        .await
        .op("ListUsers AttributesToGet=[email, sub]")?;
    let users = output.users.unwrap_or_default();
    ensure_eq!(users.len(), 2, "users listed");
    let wanted: HashSet<&str> = ["email", "sub"].into_iter().collect();
    for user in &users {
        let names: HashSet<&str> = user.attributes().iter().map(|a| a.name.as_str()).collect();
        ensure_eq!(
            names,
            wanted,
            format!(
                "attributes of {:?} with AttributesToGet=[email, sub]",
                user.username
            )
        );
    }
    Ok(())
}

/// Admin facts §4.1: `cognito:user_status` is searchable. That its values are the UserStatus
/// strings is INFERRED in the facts (the name is documented; moto matches the strings).
pub async fn user_status_filter_finds_force_change_password(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, |b| b).await?;
    let confirmed = ctx.confirmed_user(&client, false).await?;
    let invited = created_user(&ctx, &pool).await?;
    list_settled(&ctx, &pool, None, 2).await?;
    let filter = "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"";
    let found = list_settled(&ctx, &pool, Some(filter), 1).await?;
    ensure_eq!(
        usernames(&found),
        vec![invited.username],
        format!(
            "users matching {filter} (not {:?}, CONFIRMED)",
            confirmed.username
        )
    );
    Ok(())
}

/// Admin facts §4.1 and §1.5: `status` is searchable and a disabled user still appears in
/// ListUsers. The value `Disabled` is INFERRED in the facts (the console calls the attribute
/// Enabled; moto matches `Enabled`/`Disabled`).
pub async fn status_filter_finds_disabled_users(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let enabled = created_user(&ctx, &pool).await?;
    let disabled = created_user(&ctx, &pool).await?;
    ctx.cognito()
        .admin_disable_user()
        .user_pool_id(&pool)
        .username(&disabled.username)
        .send()
        .await
        .op("AdminDisableUser")?;
    let filter = "status = \"Disabled\"";
    let found = list_settled(&ctx, &pool, Some(filter), 1).await?;
    ensure_eq!(
        usernames(&found),
        vec![disabled.username],
        format!("users matching {filter} (not {:?})", enabled.username)
    );
    ensure!(
        found.iter().all(|u| !u.enabled),
        "a user matching {filter} shows Enabled true"
    );
    Ok(())
}

/// Admin facts §4.1 (DG): filtered results are sorted by the filtered attribute, ascending.
pub async fn filtered_results_are_sorted_ascending(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let prefix = format!("{}-", ctx.unique("sorted"));
    let emails: Vec<String> = ["c", "a", "b"]
        .iter()
        .map(|letter| address(&prefix, letter))
        .collect();
    users_with_emails(&ctx, &pool, &emails).await?;
    let filter = format!("email ^= \"success+{prefix}\"");
    let found = list_settled(&ctx, &pool, Some(&filter), 3).await?;
    let got: Vec<String> = found
        .iter()
        .map(|u| {
            crate::admin::value(u.attributes(), "email")
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    ensure_eq!(
        got,
        sorted(emails),
        format!("e-mail addresses in the order ListUsers returned for {filter}")
    );
    Ok(())
}
