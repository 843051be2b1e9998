//! SignUp, ConfirmSignUp, ResendConfirmationCode and AdminConfirmSignUp: SECRET_HASH, usernames,
//! the password policy, and the life of a confirmation code.

use std::time::Duration;

use super::{
    check_email_delivery, is_uuid, missing_secret_hash_message, wrong_secret_hash_messages,
    CODE_MISMATCH, EXPIRED_CODE, POLICY_PREFIX, USER_DOES_NOT_EXIST,
};
use crate::check::{expect_error, expect_error_message, Call, Step};
use crate::ctx::{attribute, AppClient, Ctx, PASSWORD};
use crate::{ensure, ensure_eq};

async fn confirm_sign_up(
    ctx: &Ctx,
    client: &AppClient,
    username: &str,
    code: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::confirm_sign_up::ConfirmSignUpError,
    >,
> {
    ctx.cognito()
        .confirm_sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(username))
        .username(username)
        .confirmation_code(code)
        .send()
        .await
}

/// Wire facts §1.5: `UserConfirmed` and `UserSub` are always in the response.
pub async fn returns_sub_and_unconfirmed(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let username = ctx.unique("user");
    let output = ctx
        .sign_up(&client, &username, PASSWORD, &ctx.email())
        .await?;
    ensure!(!output.user_confirmed, "SignUp says UserConfirmed = true");
    ensure!(
        is_uuid(&output.user_sub),
        "UserSub {:?} is not a UUID",
        output.user_sub
    );
    Ok(())
}

pub async fn code_delivery_is_masked(ctx: Ctx) -> Step {
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let email = ctx.email();
    let output = ctx
        .sign_up(&client, &ctx.unique("user"), PASSWORD, &email)
        .await?;
    check_email_delivery(output.code_delivery_details.as_ref(), &email)
}

pub async fn secret_hash_missing_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .username(ctx.unique("user"))
        .password(PASSWORD)
        .send()
        .await;
    expect_error_message(
        "SignUp without SecretHash",
        result,
        "NotAuthorizedException",
        &missing_secret_hash_message(&client.id),
    )
}

pub async fn secret_hash_wrong_is_not_authorized(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash("someone-else"))
        .username(ctx.unique("user"))
        .password(PASSWORD)
        .send()
        .await;
    let messages = wrong_secret_hash_messages(&client.id);
    expect_error(
        "SignUp with a SecretHash for another username",
        result,
        "NotAuthorizedException",
        &[&messages[0], &messages[1]],
    )
}

/// Wire facts §7.2.
pub async fn username_taken_is_username_exists(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let username = ctx.unique("user");
    ctx.sign_up(&client, &username, PASSWORD, &ctx.email())
        .await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&username))
        .username(&username)
        .password(PASSWORD)
        .send()
        .await;
    expect_error_message(
        "SignUp with a taken username",
        result,
        "UsernameExistsException",
        "User already exists",
    )
}

/// Wire facts §7.2.
pub async fn email_taken_in_email_pool_is_username_exists(ctx: Ctx) -> Step {
    let pool = ctx.email_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let email = ctx.email();
    ctx.sign_up(&client, &email, PASSWORD, &email).await?;
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&email))
        .username(&email)
        .password(PASSWORD)
        .send()
        .await;
    expect_error_message(
        "SignUp with a taken e-mail in an e-mail pool",
        result,
        "UsernameExistsException",
        "An account with the given email already exists.",
    )
}

/// Signs up with `password` in a pool with the default policy; expects the policy's `reason`.
async fn policy_refuses(ctx: Ctx, password: &str, reason: &str) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let username = ctx.unique("user");
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&username))
        .username(&username)
        .password(password)
        .send()
        .await;
    expect_error_message(
        &format!("SignUp with password {password:?}"),
        result,
        "InvalidPasswordException",
        &format!("{POLICY_PREFIX}{reason}"),
    )
}

/// Wire facts §7.3 (the default policy needs 8 characters).
pub async fn password_too_short_is_invalid_password(ctx: Ctx) -> Step {
    policy_refuses(ctx, "Sh0rt!a", "Password not long enough").await
}

pub async fn password_needs_uppercase(ctx: Ctx) -> Step {
    policy_refuses(
        ctx,
        "lowercase-only1",
        "Password must have uppercase characters",
    )
    .await
}

pub async fn password_needs_lowercase(ctx: Ctx) -> Step {
    policy_refuses(
        ctx,
        "UPPERCASE-ONLY1",
        "Password must have lowercase characters",
    )
    .await
}

pub async fn password_needs_numbers(ctx: Ctx) -> Step {
    policy_refuses(
        ctx,
        "No-Numbers-Here",
        "Password must have numeric characters",
    )
    .await
}

pub async fn password_needs_symbols(ctx: Ctx) -> Step {
    policy_refuses(ctx, "NoSymbols1234", "Password must have symbol characters").await
}

/// Wire facts §7.2 (the recorded text ends with a newline; accepted with or without it).
pub async fn unknown_attribute_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let username = ctx.unique("user");
    let result = ctx
        .cognito()
        .sign_up()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&username))
        .username(&username)
        .password(PASSWORD)
        .user_attributes(attribute("custom:nope", "x"))
        .send()
        .await;
    expect_error(
        "SignUp with an attribute outside the schema",
        result,
        "InvalidParameterException",
        &[
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.\n",
            "Attributes did not conform to the schema: custom:nope: Attribute does not exist in the schema.",
        ],
    )
}

pub async fn confirm_with_emailed_code(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let code = ctx.code(&pool, &user.email, "SIGN_UP").await?;
    confirm_sign_up(&ctx, &client, &user.username, &code)
        .await
        .op("ConfirmSignUp")?;
    let tokens = ctx.sign_in(&client, &user.username, &user.password).await?;
    // The code proved the address it was sent to.
    let me = ctx
        .cognito()
        .get_user()
        .access_token(&tokens.access)
        .send()
        .await
        .op("GetUser")?;
    let verified = me
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email_verified")
        .and_then(|a| a.value());
    ensure_eq!(verified, Some("true"), "email_verified after ConfirmSignUp");
    Ok(())
}

/// Wire facts §7.2.
pub async fn wrong_code_is_code_mismatch(ctx: Ctx) -> Step {
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let wrong = ctx.wrong_code(&pool, &user.email, "SIGN_UP").await;
    let result = confirm_sign_up(&ctx, &client, &user.username, &wrong).await;
    expect_error_message(
        "ConfirmSignUp with a wrong code",
        result,
        "CodeMismatchException",
        CODE_MISMATCH,
    )
}

/// Wire facts §7.2: a used code meets a confirmed user.
pub async fn confirm_twice_is_not_authorized(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let code = ctx.code(&pool, &user.email, "SIGN_UP").await?;
    confirm_sign_up(&ctx, &client, &user.username, &code)
        .await
        .op("ConfirmSignUp")?;
    let result = confirm_sign_up(&ctx, &client, &user.username, &code).await;
    expect_error_message(
        "ConfirmSignUp again with the same code",
        result,
        "NotAuthorizedException",
        "User cannot be confirmed. Current status is CONFIRMED",
    )
}

/// Sign-up codes last 24 hours (developer guide); wire facts §7.2 for the message.
pub async fn expired_code_is_expired_code(ctx: Ctx) -> Step {
    let wait = Duration::from_secs(24 * 3600 + 60);
    ctx.require_time(wait)?;
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let code = ctx.code(&pool, &user.email, "SIGN_UP").await?;
    ctx.advance(wait).await?;
    let result = confirm_sign_up(&ctx, &client, &user.username, &code).await;
    expect_error_message(
        "ConfirmSignUp a day later",
        result,
        "ExpiredCodeException",
        EXPIRED_CODE,
    )
}

pub async fn resend_code_sends_a_new_code(ctx: Ctx) -> Step {
    ctx.require_codes()?;
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    ensure_eq!(
        ctx.code_count(&pool, &user.email, "SIGN_UP").await?,
        1,
        "codes sent at sign-up"
    );
    let output = ctx
        .cognito()
        .resend_confirmation_code()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&user.username))
        .username(&user.username)
        .send()
        .await
        .op("ResendConfirmationCode")?;
    check_email_delivery(output.code_delivery_details.as_ref(), &user.email)?;
    ensure_eq!(
        ctx.code_count(&pool, &user.email, "SIGN_UP").await?,
        2,
        "codes sent after the resend"
    );
    let code = ctx.code(&pool, &user.email, "SIGN_UP").await?;
    confirm_sign_up(&ctx, &client, &user.username, &code)
        .await
        .op("ConfirmSignUp with the resent code")?;
    Ok(())
}

/// Wire facts §7.2.
pub async fn resend_to_confirmed_user_is_rejected(ctx: Ctx) -> Step {
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.confirmed_user(&client, false).await?;
    let result = ctx
        .cognito()
        .resend_confirmation_code()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&user.username))
        .username(&user.username)
        .send()
        .await;
    expect_error_message(
        "ResendConfirmationCode to a confirmed user",
        result,
        "InvalidParameterException",
        "User is already confirmed.",
    )
}

pub async fn admin_confirm_sign_up_confirms(ctx: Ctx) -> Step {
    let pool = ctx.plain_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let user = ctx.unconfirmed_user(&client).await?;
    let before = ctx
        .password_auth(&client, &user.username, &user.password)
        .await;
    expect_error_message(
        "InitiateAuth before confirmation",
        before,
        "UserNotConfirmedException",
        "User is not confirmed.",
    )?;
    ctx.cognito()
        .admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username(&user.username)
        .send()
        .await
        .op("AdminConfirmSignUp")?;
    ctx.sign_in(&client, &user.username, &user.password).await?;
    Ok(())
}

/// Wire facts §7.7: LEGACY (the API's default) reveals that the user does not exist.
pub async fn confirm_unknown_user_legacy_is_user_not_found(ctx: Ctx) -> Step {
    let pool = ctx.verifying_pool().await?;
    let client = ctx.password_client(&pool).await?;
    let result = confirm_sign_up(&ctx, &client, &ctx.unique("nobody"), "123456").await;
    expect_error_message(
        "ConfirmSignUp for an unknown user",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}
