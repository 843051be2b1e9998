//! User pools: create, describe, update, delete, list; custom attributes; MFA configuration.

use std::collections::BTreeSet;

use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, DeletionProtectionType, PasswordPolicyType, SchemaAttributeType,
    SoftwareTokenMfaConfigType, UserPoolMfaType, UserPoolPolicyType,
};

use super::{unknown_pool_id, POLICY_PREFIX};
use crate::check::{expect_error, expect_error_message, present, Call, Step};
use crate::ctx::{attribute, Ctx};
use crate::{ensure, ensure_eq};

pub async fn create_describe_delete(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let described = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DescribeUserPool")?;
    let pool = present(described.user_pool, "DescribeUserPool UserPool")?;
    ensure_eq!(pool.id.as_deref(), Some(id.as_str()), "DescribeUserPool Id");
    ensure!(
        pool.name
            .as_deref()
            .is_some_and(|n| n.starts_with("conformance-")),
        "DescribeUserPool Name is {:?}, expected the name given",
        pool.name
    );
    ensure!(
        pool.creation_date.is_some() && pool.last_modified_date.is_some(),
        "DescribeUserPool lacks CreationDate or LastModifiedDate"
    );
    ctx.cognito()
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DeleteUserPool")?;
    Ok(())
}

/// Wire facts §10.5 (`us-east-1_6V8j4HU7f`) and the ARN format of the API reference.
pub async fn arn_and_id_look_like_aws(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let region = ctx.target().region().to_owned();
    let suffix = id.strip_prefix(&format!("{region}_")).unwrap_or_default();
    ensure!(
        suffix.len() == 9 && suffix.chars().all(|c| c.is_ascii_alphanumeric()),
        "pool id {id:?} is not {region}_ followed by 9 alphanumerics"
    );
    let pool = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DescribeUserPool")?
        .user_pool;
    let arn = present(pool.and_then(|p| p.arn), "UserPool.Arn")?;
    let account = arn
        .strip_prefix(&format!("arn:aws:cognito-idp:{region}:"))
        .and_then(|rest| rest.strip_suffix(&format!(":userpool/{id}")))
        .unwrap_or_default();
    ensure!(
        account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()),
        "Arn {arn:?} is not arn:aws:cognito-idp:{region}:<12-digit account>:userpool/{id}"
    );
    Ok(())
}

/// Wire facts §7.4.
pub async fn unknown_pool_is_resource_not_found(ctx: Ctx) -> Step {
    let id = unknown_pool_id(ctx.target().region());
    let result = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await;
    expect_error_message(
        "DescribeUserPool",
        result,
        "ResourceNotFoundException",
        &format!("User pool {id} does not exist."),
    )
}

pub async fn deleted_pool_is_resource_not_found(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    ctx.cognito()
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DeleteUserPool")?;
    let result = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await;
    expect_error_message(
        "DescribeUserPool after DeleteUserPool",
        result,
        "ResourceNotFoundException",
        &format!("User pool {id} does not exist."),
    )
}

/// The developer guide's default policy: 8 characters, upper, lower, numbers and symbols.
pub async fn default_password_policy_is_documented(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let pool = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DescribeUserPool")?
        .user_pool;
    let policy = present(
        pool.and_then(|p| p.policies)
            .and_then(|p| p.password_policy),
        "UserPool.Policies.PasswordPolicy",
    )?;
    ensure_eq!(policy.minimum_length, Some(8), "MinimumLength");
    ensure!(
        policy.require_uppercase
            && policy.require_lowercase
            && policy.require_numbers
            && policy.require_symbols,
        "the default policy requires every character class, got {policy:?}"
    );
    Ok(())
}

pub async fn update_user_pool_changes_password_policy(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let policy = PasswordPolicyType::builder()
        .minimum_length(12)
        .require_uppercase(false)
        .require_lowercase(false)
        .require_numbers(false)
        .require_symbols(false)
        .build();
    ctx.cognito()
        .update_user_pool()
        .user_pool_id(&id)
        .policies(
            UserPoolPolicyType::builder()
                .password_policy(policy)
                .build(),
        )
        .send()
        .await
        .op("UpdateUserPool")?;
    let pool = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DescribeUserPool")?
        .user_pool;
    let policy = present(
        pool.and_then(|p| p.policies)
            .and_then(|p| p.password_policy),
        "UserPool.Policies.PasswordPolicy",
    )?;
    ensure_eq!(
        policy.minimum_length,
        Some(12),
        "MinimumLength after UpdateUserPool"
    );
    ensure!(
        !policy.require_uppercase && !policy.require_symbols,
        "character classes still required after UpdateUserPool: {policy:?}"
    );
    // The new policy is the one enforced.
    let client = ctx.create_client(&id, |b| b).await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .username(ctx.unique("user"))
        .password("elevenchars")
        .send()
        .await;
    expect_error_message(
        "SignUp with 11 characters",
        result,
        "InvalidPasswordException",
        &format!("{POLICY_PREFIX}Password not long enough"),
    )?;
    ctx.cognito()
        .sign_up()
        .client_id(&client.id)
        .username(ctx.unique("user"))
        .password("twelve-chars")
        .send()
        .await
        .op("SignUp with 12 lowercase characters")?;
    Ok(())
}

pub async fn add_custom_attributes_appear_in_schema(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    ctx.cognito()
        .add_custom_attributes()
        .user_pool_id(&id)
        .custom_attributes(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .op("AddCustomAttributes")?;
    let pool = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DescribeUserPool")?
        .user_pool;
    let schema = pool.and_then(|p| p.schema_attributes).unwrap_or_default();
    ensure!(
        schema
            .iter()
            .any(|a| a.name.as_deref() == Some("custom:tier")),
        "SchemaAttributes lacks custom:tier (AWS prefixes custom attributes with custom:)"
    );
    // A user may now carry it.
    let client = ctx.create_client(&id, |b| b).await?;
    ctx.cognito()
        .sign_up()
        .client_id(&client.id)
        .username(ctx.unique("user"))
        .password(crate::ctx::PASSWORD)
        .user_attributes(attribute("custom:tier", "gold"))
        .send()
        .await
        .op("SignUp with custom:tier")?;
    Ok(())
}

pub async fn deletion_protection_blocks_delete(ctx: Ctx) -> Step {
    let id = ctx
        .create_pool(|b| b.deletion_protection(DeletionProtectionType::Active))
        .await?;
    let result = ctx
        .cognito()
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await;
    expect_error(
        "DeleteUserPool with deletion protection",
        result,
        "InvalidParameterException",
        &[],
    )?;
    ctx.cognito()
        .update_user_pool()
        .user_pool_id(&id)
        .deletion_protection(DeletionProtectionType::Inactive)
        .send()
        .await
        .op("UpdateUserPool DeletionProtection=INACTIVE")?;
    ctx.cognito()
        .delete_user_pool()
        .user_pool_id(&id)
        .send()
        .await
        .op("DeleteUserPool once unprotected")?;
    Ok(())
}

/// ListUserPools pages with NextToken/MaxResults (wire facts §1.4).
pub async fn list_user_pools_paginates(ctx: Ctx) -> Step {
    let mut mine = BTreeSet::new();
    for _ in 0..3 {
        mine.insert(ctx.plain_pool().await?);
    }
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    for page in 0.. {
        ensure!(page < 5000, "ListUserPools never stopped paginating");
        let output = ctx
            .cognito()
            .list_user_pools()
            .max_results(2)
            .set_next_token(next.take())
            .send()
            .await
            .op("ListUserPools")?;
        let pools = output.user_pools();
        ensure!(
            pools.len() <= 2,
            "ListUserPools MaxResults=2 returned {} pools",
            pools.len()
        );
        seen.extend(pools.iter().filter_map(|p| p.id.clone()));
        match output.next_token {
            Some(token) if !token.is_empty() => next = Some(token),
            _ => break,
        }
    }
    for id in &mine {
        let count = seen.iter().filter(|s| *s == id).count();
        ensure_eq!(
            count,
            1,
            format!("times pool {id} appeared across the pages")
        );
    }
    Ok(())
}

/// A new pool has MFA off (the API's default).
pub async fn mfa_config_defaults_to_off(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let config = ctx
        .cognito()
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .op("GetUserPoolMfaConfig")?;
    ensure_eq!(
        config.mfa_configuration,
        Some(UserPoolMfaType::Off),
        "MfaConfiguration of a new pool"
    );
    Ok(())
}

pub async fn mfa_config_round_trip(ctx: Ctx) -> Step {
    let id = ctx.plain_pool().await?;
    let set = ctx
        .cognito()
        .set_user_pool_mfa_config()
        .user_pool_id(&id)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .op("SetUserPoolMfaConfig")?;
    ensure_eq!(
        set.mfa_configuration,
        Some(UserPoolMfaType::Optional),
        "SetUserPoolMfaConfig MfaConfiguration"
    );
    let got = ctx
        .cognito()
        .get_user_pool_mfa_config()
        .user_pool_id(&id)
        .send()
        .await
        .op("GetUserPoolMfaConfig")?;
    ensure_eq!(
        got.mfa_configuration,
        Some(UserPoolMfaType::Optional),
        "GetUserPoolMfaConfig MfaConfiguration"
    );
    ensure_eq!(
        got.software_token_mfa_configuration.map(|c| c.enabled),
        Some(true),
        "GetUserPoolMfaConfig SoftwareTokenMfaConfiguration.Enabled"
    );
    Ok(())
}
