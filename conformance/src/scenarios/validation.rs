//! Requests the API model refuses before any operation runs: Coral's validation messages
//! (wire facts §7.5: `N validation error(s) detected: Value '{v}' at '{member}' failed to satisfy
//! constraint: Member must ...`, the value omitted for sensitive members) and missing auth parameters.

use aws_sdk_cognitoidentityprovider::types::AuthFlowType;

use crate::check::{expect_error_message, Step};
use crate::ctx::{Ctx, PASSWORD};

/// Wire facts §7.5, the recorded example.
pub async fn malformed_pool_id_is_rejected_with_pattern(ctx: Ctx) -> Step {
    let result = ctx
        .cognito()
        .describe_user_pool()
        .user_pool_id("x")
        .send()
        .await;
    expect_error_message(
        "DescribeUserPool x",
        result,
        "InvalidParameterException",
        r"1 validation error detected: Value 'x' at 'userPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w-]+_[0-9a-zA-Z]+",
    )
}

/// ClientIdType is `[\w+]+` and sensitive in the model, so the value is left out (wire facts §1.4, §7.5).
pub async fn malformed_client_id_is_rejected_with_pattern(ctx: Ctx) -> Step {
    let result = ctx
        .cognito()
        .initiate_auth()
        .client_id("no such client!")
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "someone")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    expect_error_message(
        "InitiateAuth with ClientId 'no such client!'",
        result,
        "InvalidParameterException",
        r"1 validation error detected: Value at 'clientId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+]+",
    )
}

/// PoolName is at most 128 characters.
pub async fn pool_name_too_long_is_rejected(ctx: Ctx) -> Step {
    let name = "p".repeat(129);
    let result = ctx
        .cognito()
        .create_user_pool()
        .pool_name(&name)
        .send()
        .await;
    if let Some(id) = result
        .as_ref()
        .ok()
        .and_then(|o| o.user_pool.as_ref())
        .and_then(|p| p.id.as_deref())
    {
        ctx.adopt_pool(id);
    }
    expect_error_message(
        "CreateUserPool with a 129-character name",
        result,
        "InvalidParameterException",
        &format!(
            "1 validation error detected: Value '{name}' at 'poolName' failed to satisfy constraint: Member must have length less than or equal to 128"
        ),
    )
}

/// PoolQueryLimitType is 1–60 (wire facts §1.4).
pub async fn max_results_above_60_is_rejected(ctx: Ctx) -> Step {
    let result = ctx.cognito().list_user_pools().max_results(61).send().await;
    expect_error_message(
        "ListUserPools MaxResults=61",
        result,
        "InvalidParameterException",
        "1 validation error detected: Value '61' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 60",
    )
}

/// PasswordType is `[\S]+`, and passwords are sensitive: the value is left out (wire facts §7.3, §7.5).
pub async fn password_with_whitespace_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.create_client(&pool, |b| b).await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .username(ctx.unique("user"))
        .password("Has Space1!")
        .send()
        .await;
    expect_error_message(
        "SignUp with a password containing a space",
        result,
        "InvalidParameterException",
        r"1 validation error detected: Value at 'password' failed to satisfy constraint: Member must satisfy regular expression pattern: [\S]+",
    )
}

/// Wire facts §7.1.
pub async fn missing_username_parameter_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx
        .create_client(&pool, |b| {
            b.explicit_auth_flows(aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth)
        })
        .await?;
    let result = ctx
        .cognito()
        .initiate_auth()
        .client_id(&client.id)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await;
    expect_error_message(
        "InitiateAuth without USERNAME",
        result,
        "InvalidParameterException",
        "Missing required parameter USERNAME",
    )
}
