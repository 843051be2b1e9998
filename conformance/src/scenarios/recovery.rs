//! ForgotPassword and ConfirmForgotPassword: delivery, codes, SECRET_HASH and the policy.

use std::time::Duration;

use super::{
    check_email_delivery, missing_secret_hash_message, CODE_MISMATCH, EXPIRED_CODE,
    INCORRECT_CREDENTIALS, POLICY_PREFIX,
};
use crate::check::{expect_error_message, Call, Step};
use crate::ctx::{AppClient, Ctx, User, NEW_PASSWORD};

type ConfirmResult = Result<
    aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::ConfirmForgotPasswordOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::confirm_forgot_password::ConfirmForgotPasswordError,
    >,
>;

async fn forgot_password(
    ctx: &Ctx,
    client: &AppClient,
    username: &str,
) -> Step<aws_sdk_cognitoidentityprovider::operation::forgot_password::ForgotPasswordOutput> {
    ctx.cognito()
        .forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(username))
        .username(username)
        .send()
        .await
        .op("ForgotPassword")
}

async fn confirm(
    ctx: &Ctx,
    client: &AppClient,
    username: &str,
    code: &str,
    password: &str,
) -> ConfirmResult {
    ctx.cognito()
        .confirm_forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(username))
        .username(username)
        .confirmation_code(code)
        .password(password)
        .send()
        .await
}

/// A user with a verified e-mail who asked for a reset code. SKIP without codes.
async fn reset_requested(ctx: &Ctx) -> Step<(AppClient, User)> {
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.verified_user(&client, false).await?;
    forgot_password(ctx, &client, &user.username).await?;
    Ok((client, user))
}

pub async fn forgot_password_round_trip(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.verified_user(&client, false).await?;
    let output = forgot_password(&ctx, &client, &user.username).await?;
    check_email_delivery(output.code_delivery_details.as_ref(), &user.email)?;
    let code = ctx.code(&pool, &user.email, "FORGOT_PASSWORD").await?;
    confirm(&ctx, &client, &user.username, &code, NEW_PASSWORD)
        .await
        .op("ConfirmForgotPassword")?;
    expect_error_message(
        "InitiateAuth with the old password",
        ctx.password_auth(&client, &user.username, &user.password)
            .await,
        "NotAuthorizedException",
        INCORRECT_CREDENTIALS,
    )?;
    ctx.sign_in(&client, &user.username, NEW_PASSWORD).await?;
    Ok(())
}

/// Wire facts §7.2: confirmed by an administrator, the e-mail was never verified.
pub async fn forgot_password_without_verified_channel_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&user.username))
        .username(&user.username)
        .send()
        .await;
    expect_error_message(
        "ForgotPassword without a verified e-mail or phone",
        result,
        "InvalidParameterException",
        "Cannot reset password for the user as there is no registered/verified email or phone_number",
    )
}

/// Wire facts §4 (the ForgotPassword reference names NotAuthorizedException).
pub async fn forgot_password_secret_hash_missing_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .forgot_password()
        .client_id(&client.id)
        .username(&user.username)
        .send()
        .await;
    expect_error_message(
        "ForgotPassword without SecretHash",
        result,
        "NotAuthorizedException",
        &missing_secret_hash_message(&client.id),
    )
}

pub async fn confirm_forgot_password_wrong_code_is_code_mismatch(ctx: Ctx) -> Step {
    let (client, user) = reset_requested(&ctx).await?;
    let wrong = ctx
        .wrong_code(&client.user_pool_id, &user.email, "FORGOT_PASSWORD")
        .await;
    expect_error_message(
        "ConfirmForgotPassword with a wrong code",
        confirm(&ctx, &client, &user.username, &wrong, NEW_PASSWORD).await,
        "CodeMismatchException",
        CODE_MISMATCH,
    )
}

/// Wire facts §7.2: a used code is as good as expired.
pub async fn confirm_forgot_password_reused_code_is_expired(ctx: Ctx) -> Step {
    let (client, user) = reset_requested(&ctx).await?;
    let code = ctx
        .code(&client.user_pool_id, &user.email, "FORGOT_PASSWORD")
        .await?;
    confirm(&ctx, &client, &user.username, &code, NEW_PASSWORD)
        .await
        .op("ConfirmForgotPassword")?;
    expect_error_message(
        "ConfirmForgotPassword again with the same code",
        confirm(&ctx, &client, &user.username, &code, "An0ther-Password!").await,
        "ExpiredCodeException",
        EXPIRED_CODE,
    )
}

/// Wire facts §7.2, §7.7: no code was requested.
pub async fn confirm_forgot_password_without_request_is_expired(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    expect_error_message(
        "ConfirmForgotPassword with no code requested",
        confirm(&ctx, &client, &user.username, "123456", NEW_PASSWORD).await,
        "ExpiredCodeException",
        EXPIRED_CODE,
    )
}

/// Reset codes last one hour (developer guide).
pub async fn confirm_forgot_password_expired_code_is_expired(ctx: Ctx) -> Step {
    let wait = Duration::from_secs(61 * 60);
    ctx.require_time(wait)?;
    let (client, user) = reset_requested(&ctx).await?;
    let code = ctx
        .code(&client.user_pool_id, &user.email, "FORGOT_PASSWORD")
        .await?;
    ctx.advance(wait).await?;
    expect_error_message(
        "ConfirmForgotPassword an hour later",
        confirm(&ctx, &client, &user.username, &code, NEW_PASSWORD).await,
        "ExpiredCodeException",
        EXPIRED_CODE,
    )
}

/// Wire facts §7.3: ConfirmForgotPassword uses the public wording.
pub async fn confirm_forgot_password_enforces_policy(ctx: Ctx) -> Step {
    let (client, user) = reset_requested(&ctx).await?;
    let code = ctx
        .code(&client.user_pool_id, &user.email, "FORGOT_PASSWORD")
        .await?;
    expect_error_message(
        "ConfirmForgotPassword with a 7-character password",
        confirm(&ctx, &client, &user.username, &code, "Sh0rt!a").await,
        "InvalidPasswordException",
        &format!("{POLICY_PREFIX}Password not long enough"),
    )
}
