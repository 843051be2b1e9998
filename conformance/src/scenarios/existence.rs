//! PreventUserExistenceErrors on account recovery and confirmation (wire facts §7.7): LEGACY,
//! the API's default, says `UserNotFoundException`; ENABLED answers as if the user existed.
//! Sign-in's two modes are in `sign_in`.

use aws_sdk_cognitoidentityprovider::types::PreventUserExistenceErrorTypes;

use super::USER_DOES_NOT_EXIST;
use crate::check::{expect_error, expect_error_message, present, Call, Step};
use crate::ctx::{password_flows, AppClient, Ctx, NEW_PASSWORD};

async fn client(ctx: &Ctx, mode: PreventUserExistenceErrorTypes) -> Step<AppClient> {
    let pool = ctx.verifying_pool().await?;
    ctx.create_client(&pool, |b| {
        password_flows(b).prevent_user_existence_errors(mode)
    })
    .await
}

pub async fn forgot_password_unknown_user_legacy_is_user_not_found(ctx: Ctx) -> Step {
    let client = client(&ctx, PreventUserExistenceErrorTypes::Legacy).await?;
    let nobody = ctx.unique("nobody");
    let result = ctx
        .cognito()
        .forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&nobody))
        .username(&nobody)
        .send()
        .await;
    expect_error_message(
        "ForgotPassword for an unknown user (LEGACY)",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

pub async fn forgot_password_unknown_user_enabled_is_simulated(ctx: Ctx) -> Step {
    let client = client(&ctx, PreventUserExistenceErrorTypes::Enabled).await?;
    let nobody = ctx.unique("nobody");
    let output = ctx
        .cognito()
        .forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&nobody))
        .username(&nobody)
        .send()
        .await
        .op("ForgotPassword for an unknown user (ENABLED)")?;
    present(
        output.code_delivery_details,
        "simulated CodeDeliveryDetails",
    )?;
    Ok(())
}

pub async fn resend_unknown_user_legacy_is_user_not_found(ctx: Ctx) -> Step {
    let client = client(&ctx, PreventUserExistenceErrorTypes::Legacy).await?;
    let nobody = ctx.unique("nobody");
    let result = ctx
        .cognito()
        .resend_confirmation_code()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&nobody))
        .username(&nobody)
        .send()
        .await;
    expect_error_message(
        "ResendConfirmationCode for an unknown user (LEGACY)",
        result,
        "UserNotFoundException",
        USER_DOES_NOT_EXIST,
    )
}

pub async fn resend_unknown_user_enabled_is_simulated(ctx: Ctx) -> Step {
    let client = client(&ctx, PreventUserExistenceErrorTypes::Enabled).await?;
    let nobody = ctx.unique("nobody");
    let output = ctx
        .cognito()
        .resend_confirmation_code()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&nobody))
        .username(&nobody)
        .send()
        .await
        .op("ResendConfirmationCode for an unknown user (ENABLED)")?;
    present(
        output.code_delivery_details,
        "simulated CodeDeliveryDetails",
    )?;
    Ok(())
}

/// The message is not recorded anywhere we found, so only the code is checked.
pub async fn confirm_forgot_password_unknown_user_enabled_is_code_mismatch(ctx: Ctx) -> Step {
    let client = client(&ctx, PreventUserExistenceErrorTypes::Enabled).await?;
    let nobody = ctx.unique("nobody");
    let result = ctx
        .cognito()
        .confirm_forgot_password()
        .client_id(&client.id)
        .set_secret_hash(client.secret_hash(&nobody))
        .username(&nobody)
        .confirmation_code("123456")
        .password(NEW_PASSWORD)
        .send()
        .await;
    expect_error(
        "ConfirmForgotPassword for an unknown user (ENABLED)",
        result,
        "CodeMismatchException",
        &[],
    )
}
