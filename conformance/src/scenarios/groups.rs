//! Groups (admin facts §3): CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
//! membership, and the `cognito:groups`, `cognito:roles` and `cognito:preferred_role` claims.

use std::collections::HashSet;

use aws_sdk_cognitoidentityprovider::types::GroupType;
use serde_json::Value;

use super::USER_DOES_NOT_EXIST;
use crate::admin::created_user;
use crate::check::{expect_error_message, fail, present, Call, Step};
use crate::ctx::Ctx;
use crate::jwt::TokenUse;
use crate::{ensure, ensure_eq};

/// Admin facts §3.2.
const GROUP_NOT_FOUND: &str = "Group not found.";

/// A role ARN of the documentation's account; Cognito stores it and puts it in ID tokens.
fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::123456789012:role/{name}")
}

/// CreateGroup with only a name.
async fn create_group(ctx: &Ctx, pool: &str, name: &str) -> Step<GroupType> {
    let output = ctx
        .cognito()
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .send()
        .await
        .op("CreateGroup")?;
    present(output.group, "CreateGroup Group")
}

/// CreateGroup with a precedence and a role.
async fn create_group_with_role(
    ctx: &Ctx,
    pool: &str,
    name: &str,
    precedence: i32,
    role: &str,
) -> Step {
    ctx.cognito()
        .create_group()
        .user_pool_id(pool)
        .group_name(name)
        .precedence(precedence)
        .role_arn(role)
        .send()
        .await
        .op("CreateGroup")?;
    Ok(())
}

async fn get_group(ctx: &Ctx, pool: &str, name: &str) -> Step<GroupType> {
    let output = ctx
        .cognito()
        .get_group()
        .user_pool_id(pool)
        .group_name(name)
        .send()
        .await
        .op("GetGroup")?;
    present(output.group, "GetGroup Group")
}

async fn add_to_group(ctx: &Ctx, pool: &str, username: &str, group: &str) -> Step {
    ctx.cognito()
        .admin_add_user_to_group()
        .user_pool_id(pool)
        .username(username)
        .group_name(group)
        .send()
        .await
        .op("AdminAddUserToGroup")?;
    Ok(())
}

/// The names of the groups AdminListGroupsForUser lists for `username` (one page).
async fn groups_of(ctx: &Ctx, pool: &str, username: &str) -> Step<Vec<String>> {
    let output = ctx
        .cognito()
        .admin_list_groups_for_user()
        .user_pool_id(pool)
        .username(username)
        .send()
        .await
        .op("AdminListGroupsForUser")?;
    Ok(output
        .groups
        .unwrap_or_default()
        .into_iter()
        .filter_map(|g| g.group_name)
        .collect())
}

/// The usernames ListUsersInGroup lists for `group` (one page).
async fn members_of(ctx: &Ctx, pool: &str, group: &str) -> Step<Vec<String>> {
    let output = ctx
        .cognito()
        .list_users_in_group()
        .user_pool_id(pool)
        .group_name(group)
        .send()
        .await
        .op("ListUsersInGroup")?;
    Ok(output
        .users
        .unwrap_or_default()
        .into_iter()
        .filter_map(|u| u.username)
        .collect())
}

/// A claim that must be a JSON array of strings, as a sorted list.
fn string_array(
    claims: &serde_json::Map<String, Value>,
    name: &str,
    which: &str,
) -> Step<Vec<String>> {
    let Some(Value::Array(items)) = claims.get(name) else {
        return fail(format!(
            "{which} {name} is {:?}, expected a JSON array",
            claims.get(name)
        ));
    };
    let mut names = Vec::new();
    for item in items {
        match item.as_str() {
            Some(text) => names.push(text.to_owned()),
            None => return fail(format!("{which} {name} holds {item}, expected strings")),
        }
    }
    names.sort();
    Ok(names)
}

/// Admin facts §3.1–§3.2 (CLI create-group): the settings come back as given, with the pool
/// and dates; members never set are left out, not null or empty.
pub async fn create_and_get_echo_the_group(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let name = ctx.unique("admins");
    let role = role_arn("conformance-admins");
    let created = ctx
        .cognito()
        .create_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .description("People who administer things")
        .precedence(3)
        .role_arn(&role)
        .send()
        .await
        .op("CreateGroup")?;
    let created = present(created.group, "CreateGroup Group")?;
    let fetched = get_group(&ctx, &pool, &name).await?;
    for (which, group) in [("CreateGroup", &created), ("GetGroup", &fetched)] {
        ensure_eq!(
            group.group_name.as_deref(),
            Some(name.as_str()),
            format!("{which} GroupName")
        );
        ensure_eq!(
            group.user_pool_id.as_deref(),
            Some(pool.as_str()),
            format!("{which} UserPoolId")
        );
        ensure_eq!(
            group.description.as_deref(),
            Some("People who administer things"),
            format!("{which} Description")
        );
        ensure_eq!(group.precedence, Some(3), format!("{which} Precedence"));
        ensure_eq!(
            group.role_arn.as_deref(),
            Some(role.as_str()),
            format!("{which} RoleArn")
        );
        ensure!(
            group.creation_date.is_some() && group.last_modified_date.is_some(),
            "{which} lacks CreationDate or LastModifiedDate: {group:?}"
        );
    }
    let bare = ctx.unique("bare");
    create_group(&ctx, &pool, &bare).await?;
    let fetched = get_group(&ctx, &pool, &bare).await?;
    ensure!(
        fetched.description.is_none() && fetched.precedence.is_none() && fetched.role_arn.is_none(),
        "GetGroup of a group created with a name only shows Description/Precedence/RoleArn: {fetched:?}"
    );
    ensure!(
        fetched.creation_date.is_some(),
        "GetGroup lacks CreationDate"
    );
    Ok(())
}

/// Wire facts §7.6.
pub async fn duplicate_group_is_group_exists(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let name = ctx.unique("group");
    create_group(&ctx, &pool, &name).await?;
    let again = ctx
        .cognito()
        .create_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .send()
        .await;
    expect_error_message(
        "CreateGroup of an existing name",
        again,
        "GroupExistsException",
        "A group with the name already exists.",
    )
}

/// Admin facts §3.2.
pub async fn unknown_group_is_resource_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let result = ctx
        .cognito()
        .get_group()
        .user_pool_id(&pool)
        .group_name(ctx.unique("nogroup"))
        .send()
        .await;
    expect_error_message(
        "GetGroup of an unknown group",
        result,
        "ResourceNotFoundException",
        GROUP_NOT_FOUND,
    )
}

/// Admin facts §3.2 (CLI update-group): only the supplied members change; CreationDate stays.
pub async fn update_keeps_creation_date(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let name = ctx.unique("group");
    let created = ctx
        .cognito()
        .create_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .description("kept")
        .precedence(1)
        .send()
        .await
        .op("CreateGroup")?;
    let created = present(created.group, "CreateGroup Group")?;
    let updated = ctx
        .cognito()
        .update_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .precedence(2)
        .send()
        .await
        .op("UpdateGroup")?;
    let updated = present(updated.group, "UpdateGroup Group")?;
    ensure_eq!(updated.precedence, Some(2), "UpdateGroup Precedence");
    let fetched = get_group(&ctx, &pool, &name).await?;
    ensure_eq!(
        fetched.precedence,
        Some(2),
        "GetGroup Precedence after UpdateGroup"
    );
    ensure_eq!(
        fetched.description.as_deref(),
        Some("kept"),
        "GetGroup Description (not in the update)"
    );
    ensure_eq!(
        fetched.creation_date,
        created.creation_date,
        "GetGroup CreationDate after UpdateGroup"
    );
    Ok(())
}

/// Admin facts §3.2.
pub async fn deleted_group_is_resource_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let name = ctx.unique("group");
    create_group(&ctx, &pool, &name).await?;
    ctx.cognito()
        .delete_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .send()
        .await
        .op("DeleteGroup")?;
    let result = ctx
        .cognito()
        .get_group()
        .user_pool_id(&pool)
        .group_name(&name)
        .send()
        .await;
    expect_error_message(
        "GetGroup after DeleteGroup",
        result,
        "ResourceNotFoundException",
        GROUP_NOT_FOUND,
    )
}

/// Admin facts §3.2: ListGroups pages with Limit and an opaque NextToken; every group once.
pub async fn list_groups_paginates(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let mut made = HashSet::new();
    for _ in 0..5 {
        let name = ctx.unique("group");
        create_group(&ctx, &pool, &name).await?;
        made.insert(name);
    }
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let page = ctx
            .cognito()
            .list_groups()
            .user_pool_id(&pool)
            .limit(2)
            .set_next_token(token.take())
            .send()
            .await
            .op("ListGroups Limit=2")?;
        let groups = page.groups.unwrap_or_default();
        ensure!(
            groups.len() <= 2,
            "ListGroups Limit=2 returned {} groups",
            groups.len()
        );
        seen.extend(groups.into_iter().filter_map(|g| g.group_name));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    ensure!(
        token.is_none(),
        "ListGroups was still paging after 10 pages of 2"
    );
    let unique: HashSet<String> = seen.iter().cloned().collect();
    ensure_eq!(
        seen.len(),
        unique.len(),
        format!("groups listed (with repeats: {seen:?})")
    );
    ensure_eq!(unique, made, "the groups ListGroups listed");
    Ok(())
}

/// Admin facts §3.2: a member appears in AdminListGroupsForUser and in ListUsersInGroup.
pub async fn member_is_listed_both_ways(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let group = ctx.unique("group");
    create_group(&ctx, &pool, &group).await?;
    let user = created_user(&ctx, &pool).await?;
    add_to_group(&ctx, &pool, &user.username, &group).await?;
    ensure_eq!(
        groups_of(&ctx, &pool, &user.username).await?,
        vec![group.clone()],
        "AdminListGroupsForUser"
    );
    ensure_eq!(
        members_of(&ctx, &pool, &group).await?,
        vec![user.username.clone()],
        "ListUsersInGroup"
    );
    Ok(())
}

/// Admin facts §3.2: AdminRemoveUserFromGroup ends the membership, seen from both sides.
pub async fn removed_member_leaves_the_group(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let group = ctx.unique("group");
    create_group(&ctx, &pool, &group).await?;
    let user = created_user(&ctx, &pool).await?;
    add_to_group(&ctx, &pool, &user.username, &group).await?;
    ctx.cognito()
        .admin_remove_user_from_group()
        .user_pool_id(&pool)
        .username(&user.username)
        .group_name(&group)
        .send()
        .await
        .op("AdminRemoveUserFromGroup")?;
    ensure_eq!(
        groups_of(&ctx, &pool, &user.username).await?,
        Vec::<String>::new(),
        "AdminListGroupsForUser after AdminRemoveUserFromGroup"
    );
    ensure_eq!(
        members_of(&ctx, &pool, &group).await?,
        Vec::<String>::new(),
        "ListUsersInGroup after AdminRemoveUserFromGroup"
    );
    Ok(())
}

/// Admin facts §3.2 and §1.1.
pub async fn adding_unknown_user_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let group = ctx.unique("group");
    create_group(&ctx, &pool, &group).await?;
    let result = ctx
        .cognito()
        .admin_add_user_to_group()
        .user_pool_id(&pool)
        .username(ctx.unique("nobody"))
        .group_name(&group)
        .send()
        .await;
    expect_error_message(
        "AdminAddUserToGroup of an unknown user",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

/// Admin facts §3.3: `cognito:groups`, a JSON array of group names, in both tokens.
pub async fn tokens_carry_groups(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let group = ctx.unique("group");
    create_group(&ctx, &pool, &group).await?;
    add_to_group(&ctx, &pool, &user.username, &group).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    let id = ctx.verify_token(&client, &tokens.id, TokenUse::Id).await?;
    let access = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    ensure_eq!(
        string_array(&id, "cognito:groups", "ID token")?,
        vec![group.clone()],
        "ID token cognito:groups"
    );
    ensure_eq!(
        string_array(&access, "cognito:groups", "access token")?,
        vec![group],
        "access token cognito:groups"
    );
    Ok(())
}

/// Admin facts §3.3: the ID token carries `cognito:roles` (a JSON array in real tokens) and
/// `cognito:preferred_role`, the role of the lowest-precedence group; the access token carries
/// neither. The order of `cognito:groups` is not documented, so names are compared as sets.
pub async fn id_token_carries_roles_and_preferred_role(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let (admins, readers) = (ctx.unique("admins"), ctx.unique("readers"));
    let (admin_role, reader_role) = (
        role_arn("conformance-admins"),
        role_arn("conformance-readers"),
    );
    create_group_with_role(&ctx, &pool, &readers, 5, &reader_role).await?;
    create_group_with_role(&ctx, &pool, &admins, 1, &admin_role).await?;
    add_to_group(&ctx, &pool, &user.username, &readers).await?;
    add_to_group(&ctx, &pool, &user.username, &admins).await?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    let id = ctx.verify_token(&client, &tokens.id, TokenUse::Id).await?;
    let mut groups = vec![admins, readers];
    groups.sort();
    ensure_eq!(
        string_array(&id, "cognito:groups", "ID token")?,
        groups,
        "ID token cognito:groups"
    );
    let mut roles = vec![admin_role.clone(), reader_role];
    roles.sort();
    ensure_eq!(
        string_array(&id, "cognito:roles", "ID token")?,
        roles,
        "ID token cognito:roles"
    );
    ensure_eq!(
        id.get("cognito:preferred_role").and_then(Value::as_str),
        Some(admin_role.as_str()),
        "ID token cognito:preferred_role (the precedence-1 group's role)"
    );
    let access = ctx
        .verify_token(&client, &tokens.access, TokenUse::Access)
        .await?;
    ensure!(
        !access.contains_key("cognito:roles") && !access.contains_key("cognito:preferred_role"),
        "the access token carries role claims; AWS puts them in the ID token only: {access:?}"
    );
    Ok(())
}
